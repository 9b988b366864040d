/* CALDAV:calendar-data in responses (RFC 4791 §9.6) and time zones by
 * reference on output (RFC 7809 §3.1: CalDAV-Timezones). */
#include <string.h>
#include <strings.h>

#include "dav/caldav.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "ical/object.h"
#include "ical/render.h"
#include "ical/tz.h"

static int utc_attr(dav_req *r, const xmlNode *el, const char *name, int64_t *out, int required,
                    int64_t def)
{
    char *v = xml_get_attr(r->pool, el, name);
    if (!v) {
        *out = def;
        return required ? -1 : 0;
    }
    return ical_parse_utc(v, out);
}

static int parse_comp(dav_req *r, const xmlNode *el, ical_cd_comp **out)
{
    ical_cd_comp *c = pool_calloc(r->pool, sizeof(*c));
    if (!c) return -1;
    c->name = xml_get_attr(r->pool, el, "name");
    if (!c->name) return -1;
    ical_cd_prop **ptail = &c->props;
    ical_cd_comp **ctail = &c->comps;
    for (xmlNode *k = xml_first_elem(el); k; k = xml_next_elem(k)) {
        if (xml_is(k, NS_CALDAV, "allprop")) {
            c->allprop = 1;
        } else if (xml_is(k, NS_CALDAV, "allcomp")) {
            c->allcomp = 1;
        } else if (xml_is(k, NS_CALDAV, "prop")) {
            ical_cd_prop *p = pool_calloc(r->pool, sizeof(*p));
            if (!p) return -1;
            p->name = xml_get_attr(r->pool, k, "name");
            if (!p->name) return -1;
            char *nv = xml_get_attr(r->pool, k, "novalue");
            p->novalue = nv && strcmp(nv, "yes") == 0;
            *ptail = p;
            ptail = &p->next;
        } else if (xml_is(k, NS_CALDAV, "comp")) {
            ical_cd_comp *child;
            if (parse_comp(r, k, &child) < 0) return -1;
            *ctail = child;
            ctail = &child->next;
        } else {
            return -1;
        }
    }
    *out = c;
    return 0;
}

int caldav_parse_cd(dav_req *r, const xmlNode *el, ical_cd_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    if (!el) return 0;
    /* RFC 4791 §9.6: only iCalendar 2.0 is supported */
    char *ct = xml_get_attr(r->pool, el, "content-type");
    char *ver = xml_get_attr(r->pool, el, "version");
    if ((ct && strcasecmp(ct, "text/calendar") != 0) || (ver && strcmp(ver, "2.0") != 0))
        return dav_error(r, 403, NS_CALDAV, "supported-calendar-data");
    for (xmlNode *k = xml_first_elem(el); k; k = xml_next_elem(k)) {
        int bad = 0;
        if (xml_is(k, NS_CALDAV, "comp")) {
            bad = spec->comp || parse_comp(r, k, &spec->comp) < 0;
        } else if (xml_is(k, NS_CALDAV, "expand")) {
            spec->expand = 1;
            bad = utc_attr(r, k, "start", &spec->expand_start, 1, 0) < 0 ||
                  utc_attr(r, k, "end", &spec->expand_end, 1, 0) < 0;
        } else if (xml_is(k, NS_CALDAV, "limit-recurrence-set")) {
            spec->limit_recurrence = 1;
            bad = utc_attr(r, k, "start", &spec->lr_start, 1, 0) < 0 ||
                  utc_attr(r, k, "end", &spec->lr_end, 1, 0) < 0;
        } else if (xml_is(k, NS_CALDAV, "limit-freebusy-set")) {
            spec->limit_freebusy = 1;
            bad = utc_attr(r, k, "start", &spec->lf_start, 1, 0) < 0 ||
                  utc_attr(r, k, "end", &spec->lf_end, 1, 0) < 0;
        } else {
            bad = 1;
        }
        if (bad) return dav_error_text(r, 400, "Invalid CALDAV:calendar-data request element");
    }
    const char *detail = NULL;
    if (ical_render_check(spec, &detail) != ICAL_OK) {
        if (detail) r->err_text = detail;
        return dav_error_text(r, 400, "Invalid CALDAV:calendar-data request element");
    }
    return 0;
}

int caldav_tz_adjust(dav_req *r, const char *data, size_t len, const char **out, size_t *outlen)
{
    const char *h = dav_header(r, "CalDAV-Timezones");
    ical_status st;
    if (h && strcasecmp(h, "F") == 0) st = ical_tz_strip(r->pool, data, len, out, outlen);
    else st = ical_tz_add_missing(r->pool, data, len, out, outlen);
    if (st != ICAL_OK) {
        /* stored data always parses; if not, serve it as it is */
        *out = data;
        *outlen = len;
    }
    return 0;
}

int caldav_write_data(dav_req *r, const store_node *node, const store_node *coll,
                      const ical_cd_spec *spec, ical_object *obj, vbuf *out)
{
    const char *data;
    size_t len;
    if (obj) {
        data = ical_object_text(obj, &len);
    } else {
        int rc = store_body_get(r->st, r->pool, node->id, &data, &len);
        if (rc != STORE_OK) return 404;
    }
    if (spec && !ical_render_is_identity(spec)) {
        if (!obj && ical_object_parse(r->pool, data, len, &obj) != ICAL_OK) return 500;
        ical_eval_opts eo = {.floating_tz = r->query_tz      ? r->query_tz
                                            : coll ? caldav_collection_tz(r, coll)
                                                   : NULL,
                             .max_instances = (unsigned)r->cfg->expand_max_instances};
        const char *rendered;
        size_t rlen;
        ical_status st = ical_render(r->pool, obj, spec, &eo, &rendered, &rlen);
        /* more instances in the expanded range than the server expands: this
         * member's calendar-data is refused, not cut short (RFC 4918 §11.5) */
        if (st == ICAL_ERR_LIMIT) return 507;
        if (st != ICAL_OK) return 500;
        data = rendered;
        len = rlen;
        if (spec->expand) {
            /* expanded instances are in UTC: no time zones to add */
            xml_text_n(out, data, len);
            return 200;
        }
    }
    const char *adj;
    size_t alen;
    caldav_tz_adjust(r, data, len, &adj, &alen);
    xml_text_n(out, adj, alen);
    return 200;
}

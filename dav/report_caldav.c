/* CalDAV reports: calendar-query (RFC 4791 §7.8), calendar-multiget (§7.9)
 * and free-busy-query (§7.10).  Query candidates come from the time-range
 * index when the filter has a time range, and each candidate is then checked
 * exactly; responses are streamed a page of candidates at a time. */
#include <string.h>
#include <time.h>

#include "dav/caldav.h"
#include "dav/listing.h"
#include "dav/propfind.h"
#include "dav/report.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "ical/filter.h"
#include "ical/freebusy.h"
#include "ical/object.h"
#include "ical/tz.h"

#define CANDIDATES_PER_FILL 64

/* ---- filter XML -> ical_comp_filter ---------------------------------------------- */

static int bad_filter(dav_req *r)
{
    return dav_error(r, 403, NS_CALDAV, "valid-filter");
}

static int parse_time_range(dav_req *r, const xmlNode *el, ical_time_range **out)
{
    ical_time_range *tr = pool_calloc(r->pool, sizeof(*tr));
    if (!tr) return 500;
    char *s = xml_get_attr(r->pool, el, "start"), *e = xml_get_attr(r->pool, el, "end");
    /* RFC 4791 §9.9: at least one of start and end */
    if (!s && !e) return bad_filter(r);
    tr->start = ICAL_TIME_MIN;
    tr->end = ICAL_TIME_MAX;
    if ((s && ical_parse_utc(s, &tr->start) < 0) || (e && ical_parse_utc(e, &tr->end) < 0))
        return bad_filter(r);
    *out = tr;
    return 0;
}

static int parse_text_match(dav_req *r, const xmlNode *el, ical_text_match **out)
{
    ical_text_match *tm = pool_calloc(r->pool, sizeof(*tm));
    if (!tm) return 500;
    tm->text = xml_content(r->pool, el);
    tm->collation = xml_get_attr(r->pool, el, "collation");
    char *neg = xml_get_attr(r->pool, el, "negate-condition");
    tm->negate = neg && strcmp(neg, "yes") == 0;
    *out = tm;
    return 0;
}

static int parse_param_filter(dav_req *r, const xmlNode *el, ical_param_filter **out)
{
    ical_param_filter *pf = pool_calloc(r->pool, sizeof(*pf));
    if (!pf) return 500;
    pf->name = xml_get_attr(r->pool, el, "name");
    if (!pf->name) return bad_filter(r);
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        int st = 0;
        if (xml_is(c, NS_CALDAV, "is-not-defined")) pf->is_not_defined = 1;
        else if (xml_is(c, NS_CALDAV, "text-match")) st = parse_text_match(r, c, &pf->text_match);
        else st = bad_filter(r);
        if (st) return st;
    }
    *out = pf;
    return 0;
}

static int parse_prop_filter(dav_req *r, const xmlNode *el, ical_prop_filter **out)
{
    ical_prop_filter *pf = pool_calloc(r->pool, sizeof(*pf));
    if (!pf) return 500;
    pf->name = xml_get_attr(r->pool, el, "name");
    if (!pf->name) return bad_filter(r);
    ical_param_filter **tail = &pf->params;
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        int st = 0;
        if (xml_is(c, NS_CALDAV, "is-not-defined")) {
            pf->is_not_defined = 1;
        } else if (xml_is(c, NS_CALDAV, "time-range")) {
            st = parse_time_range(r, c, &pf->time_range);
        } else if (xml_is(c, NS_CALDAV, "text-match")) {
            st = parse_text_match(r, c, &pf->text_match);
        } else if (xml_is(c, NS_CALDAV, "param-filter")) {
            ical_param_filter *p = NULL;
            st = parse_param_filter(r, c, &p);
            if (!st) {
                *tail = p;
                tail = &p->next;
            }
        } else {
            st = bad_filter(r);
        }
        if (st) return st;
    }
    *out = pf;
    return 0;
}

static int parse_comp_filter(dav_req *r, const xmlNode *el, int depth, ical_comp_filter **out)
{
    if (depth > 8) return bad_filter(r);
    ical_comp_filter *cf = pool_calloc(r->pool, sizeof(*cf));
    if (!cf) return 500;
    cf->name = xml_get_attr(r->pool, el, "name");
    if (!cf->name) return bad_filter(r);
    ical_prop_filter **ptail = &cf->props;
    ical_comp_filter **ctail = &cf->comps;
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        int st = 0;
        if (xml_is(c, NS_CALDAV, "is-not-defined")) {
            cf->is_not_defined = 1;
        } else if (xml_is(c, NS_CALDAV, "time-range")) {
            st = parse_time_range(r, c, &cf->time_range);
        } else if (xml_is(c, NS_CALDAV, "prop-filter")) {
            ical_prop_filter *p = NULL;
            st = parse_prop_filter(r, c, &p);
            if (!st) {
                *ptail = p;
                ptail = &p->next;
            }
        } else if (xml_is(c, NS_CALDAV, "comp-filter")) {
            ical_comp_filter *k = NULL;
            st = parse_comp_filter(r, c, depth + 1, &k);
            if (!st) {
                *ctail = k;
                ctail = &k->next;
            }
        } else {
            st = bad_filter(r);
        }
        if (st) return st;
    }
    *out = cf;
    return 0;
}

/* RFC 4791 §7.8/§7.9: a calendar-data asking for a media type or an option
 * the server cannot give fails the whole REPORT (supported-calendar-data),
 * not one propstat per resource. */
static int check_calendar_data(dav_req *r, const xmlNode *root)
{
    xmlNode *prop = xml_child(root, NS_DAV, "prop");
    xmlNode *cd = prop ? xml_child(prop, NS_CALDAV, "calendar-data") : NULL;
    ical_cd_spec spec;
    return cd ? caldav_parse_cd(r, cd, &spec) : 0;
}

/* The query's time zone for floating times (RFC 4791 §9.8, RFC 7809 §5.3). */
static int query_tz(dav_req *r, const xmlNode *root, const store_node *coll,
                    const icaltimezone **tz)
{
    *tz = coll ? caldav_collection_tz(r, coll) : NULL;
    xmlNode *el = xml_child(root, NS_CALDAV, "timezone");
    if (el) {
        char *text = xml_content(r->pool, el);
        const char *tzid;
        if (ical_tz_parse(r->pool, text, strlen(text), &tzid, tz) != ICAL_OK)
            return dav_error(r, 403, NS_CALDAV, "valid-calendar-data");
    }
    el = xml_child(root, NS_CALDAV, "timezone-id");
    if (el) {
        char *tzid = xml_content(r->pool, el);
        *tz = ical_tz_builtin(tzid);
        if (!*tz) return dav_error(r, 403, NS_CALDAV, "valid-timezone");
    }
    return 0;
}

/* ---- calendar-query --------------------------------------------------------------- */

typedef struct cq_state {
    dav_propreq pr;
    dav_propwriter w;
    ical_comp_filter *filter;
    ical_eval_opts opts;
    ical_filter_hints hints;
    int kind_only;          /* the filter only names a component: no parse needed */
    dav_resource coll;      /* the calendar collection */
    int single;             /* the Request-URI was one calendar object */
    dav_resource one;
    int64_t *ids;           /* candidates from the time-range index, or NULL */
    unsigned char *sure;    /* per candidate: the index alone shows it matches */
    int range_only;         /* the filter is one component kind and its time-range */
    int nids, pos;
    const char *after;      /* keyset cursor when listing all members */
    int phase;
} cq_state;

static int filter_is_kind_only(const ical_comp_filter *f)
{
    if (f->props || f->time_range || f->is_not_defined) return 0;
    const ical_comp_filter *c = f->comps;
    if (!c) return 1;
    return !c->next && !c->props && !c->time_range && !c->comps && !c->is_not_defined;
}

/* VCALENDAR > one comp-filter with a time-range and nothing else: what the
 * time-range index can answer on its own for exact spans. */
static int filter_is_range_only(const ical_comp_filter *f)
{
    if (f->props || f->time_range || f->is_not_defined) return 0;
    const ical_comp_filter *c = f->comps;
    return c && !c->next && !c->props && c->time_range && !c->comps && !c->is_not_defined;
}

/* Checks one stored calendar object and writes its response if it matches;
 * sure: the time-range index already showed that it does. */
static void cq_consider(dav_req *r, cq_state *s, const dav_resource *res, int sure, vbuf *out)
{
    const store_node *n = &res->node;
    if (n->kind != STORE_KIND_RESOURCE) return;
    if (s->hints.kind && (!n->component || ical_kind_from_name(n->component) != s->hints.kind))
        return;
    ical_object *obj = NULL;
    if (!s->kind_only && !(sure && s->range_only)) {
        const char *data;
        size_t len;
        if (store_body_get(r->st, r->pool, n->id, &data, &len) != STORE_OK) return;
        if (ical_object_parse(r->pool, data, len, &obj) != ICAL_OK) return;
        if (!ical_filter_match(s->filter, obj, &s->opts)) return;
    }
    r->cur_obj = obj;
    r->cur_obj_node = n->id;
    dav_write_prop_response(r, res, &s->pr, &s->w, out);
    r->cur_obj = NULL;
    r->cur_obj_node = 0;
}

static int cq_fill(dav_req *r, void *state, vbuf *out)
{
    cq_state *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    int more = 1;
    size_t start = out->len;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = 1;
    }
    r->pool = page;
    if (s->single) {
        cq_consider(r, s, &s->one, 0, out);
        more = 0;
    } else if (s->ids) {
        int end = s->pos + CANDIDATES_PER_FILL;
        for (; s->pos < s->nids && s->pos < end && !dav_page_full(out, start);
             s->pos++) {
            store_node n;
            if (store_node_get(r->st, r->pool, s->ids[s->pos], &n) != STORE_OK) continue;
            if (n.parent != s->coll.node.id) continue;
            dav_resource child;
            dav_child_resource(r, &s->coll, &n, &child);
            if (dav_child_hidden(r, &s->coll, &child)) continue;
            cq_consider(r, s, &child, s->sure && s->sure[s->pos], out);
        }
        more = s->pos < s->nids;
    } else {
        store_node *kids;
        int nk;
        if (store_node_children(r->st, r->pool, s->coll.node.id, s->after, CANDIDATES_PER_FILL,
                                &kids, &nk) != STORE_OK) {
            r->pool = keep;
            pool_free(page);
            return -1;
        }
        int done = 0;
        while (done < nk && !dav_page_full(out, start)) {
            dav_resource child;
            dav_child_resource(r, &s->coll, &kids[done], &child);
            if (!dav_child_hidden(r, &s->coll, &child)) cq_consider(r, s, &child, 0, out);
            done++;
        }
        more = nk == CANDIDATES_PER_FILL || done < nk;
        if (more) s->after = pool_strdup(keep, kids[done - 1].name);
    }
    r->pool = keep;
    pool_free(page);
    if (buf_failed(out)) return -1;
    if (!more) {
        dav_multistatus_end(out);
        return 0;
    }
    return 1;
}

int dav_report_calendar_query(dav_req *r, dav_resource *res, const xmlNode *root)
{
    cq_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    int st = check_calendar_data(r, root);
    if (!st) st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    xmlNode *filter = xml_child(root, NS_CALDAV, "filter");
    xmlNode *top = filter ? xml_first_elem(filter) : NULL;
    /* RFC 4791 §9.7: exactly one comp-filter, for VCALENDAR */
    if (!top || !xml_is(top, NS_CALDAV, "comp-filter") || xml_next_elem(top)) return bad_filter(r);
    st = parse_comp_filter(r, top, 0, &s->filter);
    if (st) return st;
    const char *detail = NULL;
    ical_status is = ical_filter_prepare(r->pool, s->filter, &detail);
    if (is == ICAL_ERR_COLLATION) return dav_error(r, 403, NS_CALDAV, "supported-collation");
    if (is != ICAL_OK) {
        if (detail) r->err_text = detail;
        return bad_filter(r);
    }
    int depth = dav_depth(r, 1);
    if (depth < 0) return dav_error_text(r, 400, "Invalid Depth header");
    int is_coll = res->node.kind == STORE_KIND_CALENDAR ||
                  res->node.kind == STORE_KIND_SCHED_INBOX ||
                  res->node.kind == STORE_KIND_SCHED_OUTBOX;
    const store_node *coll = is_coll ? &res->node : &res->parent;
    const icaltimezone *tz;
    st = query_tz(r, root, coll, &tz);
    if (st) return st;
    s->opts.floating_tz = tz;
    s->opts.max_instances = (unsigned)r->cfg->expand_max_instances;
    r->query_tz = tz;
    ical_filter_hints_get(s->filter, &s->hints);
    s->kind_only = filter_is_kind_only(s->filter);
    s->range_only = filter_is_range_only(s->filter);
    if (is_coll) {
        s->coll = *res;
        if (depth == 0) {
            /* the collection itself is no calendar object: nothing matches */
            s->single = 0;
            s->ids = pool_alloc(r->pool, sizeof(int64_t));
            s->nids = 0;
        } else if (s->hints.has_range && !s->kind_only &&
                   res->node.kind == STORE_KIND_CALENDAR) {
            /* (scheduling messages have no time-range index: each is read) */
            int rc = store_tr_query(r->st, r->pool, res->node.id, s->hints.start, s->hints.end,
                                    &s->ids, &s->sure, &s->nids);
            if (rc != STORE_OK) return dav_store_status(rc);
        }
    } else {
        s->single = 1;
        s->one = *res;
    }
    dav_propwriter_init(r, &s->w);
    r->stream.fill = cq_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}

/* ---- calendar-multiget ------------------------------------------------------------ */

typedef struct mg_state {
    dav_propreq pr;
    dav_propwriter w;
    const char **hrefs;
    int n, pos;
    int phase;
} mg_state;

static int mg_fill(dav_req *r, void *state, vbuf *out)
{
    mg_state *s = state;
    vpool *keep = r->pool, *page = pool_new();
    if (!page) return -1;
    if (s->phase == 0) {
        dav_multistatus_begin(out);
        s->phase = 1;
    }
    r->pool = page;
    dav_resolve_memo memo = {0}; /* lives as long as the page pool */
    int end = s->pos + CANDIDATES_PER_FILL;
    size_t start = out->len;
    for (; s->pos < s->n && s->pos < end && !dav_page_full(out, start); s->pos++) {
        dav_resource res;
        int st = dav_resolve_member(r, &memo, dav_href_path(s->hrefs[s->pos]), &res);
        /* what the caller may not read is reported exactly like a missing href */
        if (st == 0 && res.type == DAV_RES_NODE && res.node.kind == STORE_KIND_RESOURCE &&
            res.has_parent &&
            (res.parent.kind == STORE_KIND_CALENDAR || res.parent.kind == STORE_KIND_SCHED_INBOX) &&
            (dav_privileges(r, &res) & 1)) {
            /* answer under the href the client used, so it can match it */
            res.href = s->hrefs[s->pos];
            dav_write_prop_response(r, &res, &s->pr, &s->w, out);
        } else {
            dav_write_status_response(out, s->hrefs[s->pos], st == 400 ? 400 : 404);
        }
    }
    r->pool = keep;
    pool_free(page);
    if (buf_failed(out)) return -1;
    if (s->pos < s->n) return 1;
    dav_multistatus_end(out);
    return 0;
}

int dav_report_calendar_multiget(dav_req *r, dav_resource *res, const xmlNode *root)
{
    mg_state *s = pool_calloc(r->pool, sizeof(*s));
    if (!s) return 500;
    int st = check_calendar_data(r, root);
    if (!st) st = dav_report_propreq(r, root, &s->pr);
    if (st) return st;
    if ((st = dav_report_hrefs(r, root, &s->hrefs, &s->n))) return st;
    dav_propwriter_init(r, &s->w);
    r->stream.fill = mg_fill;
    r->stream.state = s;
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}

/* ---- free-busy-query ---------------------------------------------------------------- */

int dav_report_free_busy(dav_req *r, dav_resource *res, const xmlNode *root)
{
    xmlNode *trel = xml_child(root, NS_CALDAV, "time-range");
    if (!trel) return dav_error_text(r, 400, "free-busy-query needs a CALDAV:time-range");
    ical_time_range *tr;
    int st = parse_time_range(r, trel, &tr);
    if (st) return st;
    if (tr->start == ICAL_TIME_MIN || tr->end == ICAL_TIME_MAX || tr->end <= tr->start)
        return bad_filter(r);
    ical_eval_opts eo = {.floating_tz = caldav_collection_tz(r, &res->node),
                         .max_instances = (unsigned)r->cfg->expand_max_instances};
    ical_fb *fb = ical_fb_new(r->pool, tr->start, tr->end, &eo);
    if (!fb) return 500;
    int64_t *ids;
    int n;
    int rc = store_tr_query(r->st, r->pool, res->node.id, tr->start, tr->end, &ids, NULL, &n);
    if (rc != STORE_OK) return dav_store_status(rc);
    for (int i = 0; i < n; i++) {
        vpool *page = pool_new(), *keep = r->pool;
        if (!page) return 500;
        store_node node;
        const char *data;
        size_t len;
        if (store_node_get(r->st, page, ids[i], &node) == STORE_OK &&
            store_body_get(r->st, page, ids[i], &data, &len) == STORE_OK)
            ical_fb_add_text(fb, data, len);
        r->pool = keep;
        pool_free(page);
    }
    const char *text;
    size_t len;
    ical_status fst = ical_fb_finish(fb, (int64_t)time(NULL), "-//Veil//veildav//EN", &text, &len);
    /* more busy periods than the server expands or builds: refused whole
     * (RFC 4918 §11.5), never cut short */
    if (fst == ICAL_ERR_LIMIT)
        return dav_error_text(r, 507, "The free-busy answer is larger than the server builds");
    if (fst != ICAL_OK) return 500;
    buf_append(&r->out, text, len);
    r->out_type = "text/calendar;charset=utf-8";
    return 200;
}

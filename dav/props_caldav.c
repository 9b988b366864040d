/* CalDAV live properties (RFC 4791 §5.2, §6; RFC 7809 §5), CalendarServer's
 * getctag and the RFC 6578 sync-token. */
#include <string.h>

#include "dav/caldav.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/sync.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "ical/collate.h"
#include "ical/tz.h"

static int is_calendar(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_CALENDAR;
}

static int is_calendar_object(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_RESOURCE &&
           res->has_parent && res->parent.kind == STORE_KIND_CALENDAR;
}

static int protected_after_creation(dav_req *r)
{
    return dav_error(r, 403, NS_DAV, "cannot-modify-protected-property");
}

static int get_calendar_home_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (res->type != DAV_RES_PRINCIPAL) return 404;
    dav_put_href(out, pool_printf(r->pool, "/calendars/%s/", res->principal.pid));
    return 200;
}

/* Every kind a PUT may store, so the property tells the truth. */
static const unsigned component_kinds[] = {ICAL_KIND_VEVENT, ICAL_KIND_VTODO, ICAL_KIND_VJOURNAL,
                                           ICAL_KIND_VFREEBUSY, ICAL_KIND_VAVAILABILITY};

static int get_supported_components(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    unsigned mask = res->node.comp_mask ? res->node.comp_mask : ICAL_KIND_ALL;
    for (size_t i = 0; i < sizeof component_kinds / sizeof component_kinds[0]; i++)
        if (mask & component_kinds[i])
            buf_printf(out, "<C:comp name=\"%s\"/>", ical_kind_name(component_kinds[i]));
    return 200;
}

/* RFC 4791 §5.2.3: settable in MKCALENDAR only. */
static int set_supported_components(dav_req *r, const dav_resource *res, const xmlNode *el,
                                    int apply)
{
    if (!r->creating || !el) return protected_after_creation(r);
    unsigned mask = 0;
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        char *name = xml_is(c, NS_CALDAV, "comp") ? xml_get_attr(r->pool, c, "name") : NULL;
        unsigned k = name ? ical_kind_from_name(name) : 0;
        if (!k) return dav_error(r, 403, NS_CALDAV, "supported-calendar-component");
        mask |= k;
    }
    if (!mask) return dav_error(r, 403, NS_CALDAV, "supported-calendar-component");
    if (apply && store_node_set_comp_mask(r->st, res->node.id, mask) != STORE_OK)
        return 500;
    return 200;
}

static int get_supported_calendar_data(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_puts(out, "<C:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>");
    return 200;
}

static int get_max_resource_size(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_printf(out, "%zu", r->cfg->max_resource_size);
    return 200;
}

static int get_min_date(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_puts(out, CALDAV_MIN_DATE);
    return 200;
}

static int get_max_date(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_puts(out, CALDAV_MAX_DATE);
    return 200;
}

static int get_max_instances(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_printf(out, "%d", r->cfg->max_instances);
    return 200;
}

static int get_max_attendees(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    buf_printf(out, "%d", r->cfg->max_attendees);
    return 200;
}

static int get_calendar_timezone(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    if (res->node.tz) {
        xml_text(out, res->node.tz);
        return 200;
    }
    const char *utc;
    size_t len;
    if (ical_tz_vcalendar(r->pool, "UTC", &utc, &len) != ICAL_OK) return 404;
    xml_text_n(out, utc, len);
    return 200;
}

static int update_tz(dav_req *r, const dav_resource *res, const char *tz)
{
    if (store_node_set_tz(r->st, res->node.id, tz) != STORE_OK)
        return 500;
    return store_node_touch(r->st, res->node.id) == STORE_OK ? 200 : 500;
}

/* RFC 4791 §5.2.2: a VCALENDAR with exactly one VTIMEZONE. */
static int set_calendar_timezone(dav_req *r, const dav_resource *res, const xmlNode *el,
                                 int apply)
{
    if (!is_calendar(res)) return protected_after_creation(r);
    if (!el) return apply ? update_tz(r, res, NULL) : 200;
    char *text = xml_content(r->pool, el);
    const char *tzid;
    const icaltimezone *tz;
    if (ical_tz_parse(r->pool, text, strlen(text), &tzid, &tz) != ICAL_OK)
        return dav_error(r, 403, NS_CALDAV, "valid-calendar-data");
    return apply ? update_tz(r, res, text) : 200;
}

static int get_calendar_timezone_id(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    if (!res->node.tz) {
        buf_puts(out, "UTC");
        return 200;
    }
    const char *tzid;
    const icaltimezone *tz;
    if (ical_tz_parse(r->pool, res->node.tz, strlen(res->node.tz), &tzid, &tz) != ICAL_OK)
        return 404;
    xml_text(out, tzid);
    return 200;
}

/* RFC 7809 §5.2: an identifier the server knows. */
static int set_calendar_timezone_id(dav_req *r, const dav_resource *res, const xmlNode *el,
                                    int apply)
{
    if (!is_calendar(res)) return protected_after_creation(r);
    if (!el) return apply ? update_tz(r, res, NULL) : 200;
    char *tzid = xml_content(r->pool, el);
    const char *vcal;
    size_t len;
    if (!ical_tz_is_known(tzid) || ical_tz_vcalendar(r->pool, tzid, &vcal, &len) != ICAL_OK)
        return dav_error(r, 403, NS_CALDAV, "valid-timezone");
    return apply ? update_tz(r, res, vcal) : 200;
}

static int get_supported_collations(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar(res)) return 404;
    static const char *names[] = {"i;ascii-casemap", "i;octet", "i;unicode-casemap"};
    for (size_t i = 0; i < 3; i++)
        buf_printf(out, "<C:supported-collation>%s</C:supported-collation>", names[i]);
    return 200;
}

static int get_calendar_data(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar_object(res)) return 404;
    ical_cd_spec spec;
    if (caldav_parse_cd(r, r->prop_el, &spec) != 0) return 403;
    ical_object *obj = r->cur_obj_node == res->node.id ? r->cur_obj : NULL;
    return caldav_write_data(r, &res->node, &res->parent, &spec, obj, out);
}

/* RFC 4791 §5.3.1 CALDAV:schedule-calendar-transp (RFC 6638 §9.1) */
static int set_schedule_transp(dav_req *r, const dav_resource *res, const xmlNode *el, int apply)
{
    if (!is_calendar(res)) return protected_after_creation(r);
    if (el) {
        xmlNode *c = xml_first_elem(el);
        if (!(xml_is(c, NS_CALDAV, "opaque") || xml_is(c, NS_CALDAV, "transparent")) ||
            xml_next_elem(c))
            return dav_error_text(r, 409, "schedule-calendar-transp must be opaque or transparent");
    }
    if (!apply) return 200;
    /* whether a shared calendar counts as busy time is each sharee's own
     * choice (RFC 6638 §9.1), kept on their view */
    int64_t node = res->has_binding ? res->binding.id : res->node.id;
    int rc = el ? store_prop_set(r->st, node, NS_CALDAV, "schedule-calendar-transp",
                                 xml_fragment(r->pool, el))
                : store_prop_remove(r->st, node, NS_CALDAV, "schedule-calendar-transp");
    return rc == STORE_OK ? 200 : 500;
}

/* ---- RFC 6638 §9.2 CALDAV:schedule-default-calendar-URL (on the inbox) ---- */

static int is_inbox(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_SCHED_INBOX &&
           res->has_parent;
}

/* Is href one of the inbox owner's own calendars (not a share, not a
 * delegator's)?  Its href without the final '/', as CalendarServer writes
 * the property, or NULL. */
static const char *own_calendar(dav_req *r, const dav_resource *inbox, const char *href)
{
    dav_resource c;
    if (!href || dav_resolve_raw(r, dav_href_path(href), &c) != 0 || c.type != DAV_RES_NODE ||
        c.has_binding || c.node.kind != STORE_KIND_CALENDAR || c.node.owner != inbox->node.owner)
        return NULL;
    const char *h = dav_node_href(&r->ctx, c.node.id);
    size_t n = strlen(h);
    return n > 1 && h[n - 1] == '/' ? pool_strndup(r->pool, h, n - 1) : h;
}

/* The calendar the owner chose while it still is one of theirs, else the
 * default calendar the server provisions. */
static int get_default_calendar(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_inbox(res)) return 404;
    const char *href = own_calendar(
        r, res, dav_stored_href(&r->ctx, res->node.id, NS_CALDAV, "schedule-default-calendar-URL"));
    store_node cal;
    if (!href && store_node_child(r->st, r->pool, res->parent.id, "calendar", &cal) == STORE_OK)
        href = own_calendar(r, res, dav_node_href(&r->ctx, cal.id));
    if (!href) return 404;
    dav_put_href(out, href);
    return 200;
}

static int set_default_calendar(dav_req *r, const dav_resource *res, const xmlNode *el, int apply)
{
    if (!is_inbox(res)) return protected_after_creation(r);
    const char *href = NULL;
    if (el && !(href = own_calendar(r, res, dav_single_href(r, el))))
        return dav_error(r, 403, NS_CALDAV, "valid-schedule-default-calendar-URL");
    if (!apply) return 200;
    int rc = dav_store_href(r, res->node.id, NS_CALDAV, "schedule-default-calendar-URL", href);
    return rc == STORE_OK ? 200 : 500;
}

static int get_dead(dav_req *r, const dav_resource *res, vbuf *out)
{
    return DAV_PROP_DEAD;
}

static int syncable(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && store_kind_is_collection(res->node.kind) &&
           res->node.kind != STORE_KIND_SPACE_ROOT;
}

/* RFC 6638 §9.? CALDAV:schedule-tag: on scheduling object resources only */
static int get_schedule_tag(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_calendar_object(res) || !res->node.sched_tag) return 404;
    buf_putc(out, '"');
    xml_text(out, res->node.sched_tag);
    buf_putc(out, '"');
    return 200;
}

static int get_sync_token(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!syncable(res)) return 404;
    if (dav_sync_is_home(&res->node)) {
        const char *token = dav_home_sync_token(r, res);
        if (!token) return 500;
        xml_text(out, token);
        return 200;
    }
    xml_text(out, dav_sync_token(r, &res->node, res->node.revision));
    return 200;
}

static int get_ctag(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!syncable(res)) return 404;
    xml_text(out, dav_sync_token(r, &res->node, res->node.revision));
    return 200;
}

static const dav_prop_def defs[] = {
    {NS_CALDAV, "calendar-home-set", DAV_PF_PROTECTED, get_calendar_home_set, NULL},
    {NS_CALDAV, "supported-calendar-component-set", 0, get_supported_components,
     set_supported_components},
    {NS_CALDAV, "supported-calendar-data", DAV_PF_PROTECTED, get_supported_calendar_data, NULL},
    {NS_CALDAV, "max-resource-size", DAV_PF_PROTECTED, get_max_resource_size, NULL},
    {NS_CALDAV, "min-date-time", DAV_PF_PROTECTED, get_min_date, NULL},
    {NS_CALDAV, "max-date-time", DAV_PF_PROTECTED, get_max_date, NULL},
    {NS_CALDAV, "max-instances", DAV_PF_PROTECTED, get_max_instances, NULL},
    {NS_CALDAV, "max-attendees-per-instance", DAV_PF_PROTECTED, get_max_attendees, NULL},
    {NS_CALDAV, "calendar-timezone", 0, get_calendar_timezone, set_calendar_timezone},
    {NS_CALDAV, "calendar-timezone-id", 0, get_calendar_timezone_id, set_calendar_timezone_id},
    {NS_CALDAV, "supported-collation-set", DAV_PF_PROTECTED, get_supported_collations, NULL},
    {NS_CALDAV, "calendar-data", DAV_PF_PROTECTED, get_calendar_data, NULL},
    {NS_CALDAV, "schedule-calendar-transp", DAV_PF_VIEW, get_dead, set_schedule_transp},
    {NS_CALDAV, "schedule-default-calendar-URL", 0, get_default_calendar, set_default_calendar},
    {NS_DAV, "sync-token", DAV_PF_PROTECTED, get_sync_token, NULL},
    {NS_CALDAV, "schedule-tag", DAV_PF_PROTECTED, get_schedule_tag, NULL},
    {NS_CS, "getctag", DAV_PF_PROTECTED, get_ctag, NULL},
};

const dav_prop_table dav_props_caldav = {defs, sizeof defs / sizeof defs[0]};

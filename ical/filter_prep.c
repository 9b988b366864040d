/* ical_filter_prepare: CALDAV:valid-filter checks and precomputation. */
#include <string.h>
#include <strings.h>

#include "ical/filter.h"
#include "ical/internal.h"

/* Which components may nest in which (RFC 5545 §3.6, RFC 7953 §3.1);
 * X- components may appear anywhere. */
static const struct {
    icalcomponent_kind parent, child;
} nesting[] = {
    {ICAL_VCALENDAR_COMPONENT, ICAL_VEVENT_COMPONENT},
    {ICAL_VCALENDAR_COMPONENT, ICAL_VTODO_COMPONENT},
    {ICAL_VCALENDAR_COMPONENT, ICAL_VJOURNAL_COMPONENT},
    {ICAL_VCALENDAR_COMPONENT, ICAL_VFREEBUSY_COMPONENT},
    {ICAL_VCALENDAR_COMPONENT, ICAL_VTIMEZONE_COMPONENT},
    {ICAL_VCALENDAR_COMPONENT, ICAL_VAVAILABILITY_COMPONENT},
    {ICAL_VEVENT_COMPONENT, ICAL_VALARM_COMPONENT},
    {ICAL_VTODO_COMPONENT, ICAL_VALARM_COMPONENT},
    {ICAL_VTIMEZONE_COMPONENT, ICAL_XSTANDARD_COMPONENT},
    {ICAL_VTIMEZONE_COMPONENT, ICAL_XDAYLIGHT_COMPONENT},
    {ICAL_VAVAILABILITY_COMPONENT, ICAL_XAVAILABLE_COMPONENT},
};

/* RFC 4791 §9.9 defines time-range for these components only (and RFC 7953
 * gives VAVAILABILITY and AVAILABLE a DTSTART/DTEND span). */
static int has_time_semantics(icalcomponent_kind k)
{
    switch (k) {
    case ICAL_VEVENT_COMPONENT:
    case ICAL_VTODO_COMPONENT:
    case ICAL_VJOURNAL_COMPONENT:
    case ICAL_VFREEBUSY_COMPONENT:
    case ICAL_VALARM_COMPONENT:
    case ICAL_VAVAILABILITY_COMPONENT:
    case ICAL_XAVAILABLE_COMPONENT:
        return 1;
    default:
        return 0;
    }
}

static int may_nest(icalcomponent_kind parent, icalcomponent_kind child)
{
    if (parent == ICAL_X_COMPONENT || child == ICAL_X_COMPONENT) return 1;
    for (size_t i = 0; i < sizeof(nesting) / sizeof(nesting[0]); i++)
        if (nesting[i].parent == parent && nesting[i].child == child) return 1;
    return 0;
}

static int is_x_name(const char *name)
{
    return strncasecmp(name, "X-", 2) == 0;
}

static ical_status bad(const char **detail, const char *why)
{
    if (detail) *detail = why;
    return ICAL_ERR_FILTER;
}

static ical_status check_range(const ical_time_range *tr, const char **detail)
{
    if (tr->start == ICAL_TIME_MIN && tr->end == ICAL_TIME_MAX)
        return bad(detail, "time-range needs a start or an end (RFC 4791 9.9)");
    if (tr->end <= tr->start) return bad(detail, "time-range end must be after start");
    return ICAL_OK;
}

static ical_status prep_text(vpool *pool, ical_text_match *tm, const char **detail)
{
    if (!tm->text) return bad(detail, "text-match without text");
    if (ical_collation_from_name(tm->collation, &tm->coll) != 0) {
        if (detail) *detail = "unsupported collation";
        return ICAL_ERR_COLLATION;
    }
    tm->len = strlen(tm->text);
    tm->folded = NULL;
    tm->nfolded = 0;
    if (tm->coll == ICAL_COLL_UNICODE_CASEMAP) {
        char *f = pool_alloc(pool, CASEMAP_MAX_GROWTH * tm->len + 1);
        if (!f) return ICAL_ERR_NOMEM;
        tm->nfolded = ical_casemap_fold(tm->text, tm->len, f);
        tm->folded = f;
    }
    return ICAL_OK;
}

static ical_status prep_prop(vpool *pool, ical_prop_filter *pf, const char **detail)
{
    ical_status st;
    if (!pf->name || !*pf->name) return bad(detail, "prop-filter without name");
    if (pf->is_not_defined && (pf->time_range || pf->text_match || pf->params))
        return bad(detail, "is-not-defined must be alone in prop-filter");
    if (pf->time_range && pf->text_match)
        return bad(detail, "prop-filter has both time-range and text-match");
    if (pf->time_range && (st = check_range(pf->time_range, detail)) != ICAL_OK) return st;
    if (pf->text_match && (st = prep_text(pool, pf->text_match, detail)) != ICAL_OK) return st;
    pf->kind = is_x_name(pf->name) ? ICAL_X_PROPERTY : icalproperty_string_to_kind(pf->name);
    /* RFC 4791 §9.7.2: a time-range tests a date or date-time value; on a
     * known text property (SUMMARY) it can never mean anything. */
    if (pf->time_range && pf->kind != ICAL_X_PROPERTY && pf->kind != ICAL_NO_PROPERTY) {
        icalvalue_kind vk = icalproperty_kind_to_value_kind(pf->kind);
        if (vk != ICAL_DATETIME_VALUE && vk != ICAL_DATE_VALUE && vk != ICAL_DATETIMEPERIOD_VALUE &&
            vk != ICAL_PERIOD_VALUE && vk != ICAL_DATETIMEDATE_VALUE && vk != ICAL_TRIGGER_VALUE)
            return bad(detail, "time-range on a property that holds no date or time");
    }
    for (ical_param_filter *pa = pf->params; pa; pa = pa->next) {
        if (!pa->name || !*pa->name) return bad(detail, "param-filter without name");
        if (pa->is_not_defined && pa->text_match)
            return bad(detail, "is-not-defined must be alone in param-filter");
        if (pa->text_match && (st = prep_text(pool, pa->text_match, detail)) != ICAL_OK) return st;
    }
    return ICAL_OK;
}

static ical_status prep_comp(vpool *pool, ical_comp_filter *cf, icalcomponent_kind parent,
                             int depth, const char **detail)
{
    ical_status st;
    if (depth > 8) return bad(detail, "comp-filter nesting too deep");
    if (!cf->name || !*cf->name) return bad(detail, "comp-filter without name");
    icalcomponent_kind k =
        is_x_name(cf->name) ? ICAL_X_COMPONENT : icalcomponent_string_to_kind(cf->name);
    if (k == ICAL_NO_COMPONENT) return bad(detail, "unknown component in comp-filter");
    if (parent == ICAL_NO_COMPONENT) {
        if (k != ICAL_VCALENDAR_COMPONENT)
            return bad(detail, "the filter's comp-filter must name VCALENDAR");
        if (cf->is_not_defined) return bad(detail, "VCALENDAR is-not-defined never matches");
    } else if (!may_nest(parent, k)) {
        return bad(detail, "comp-filter nesting not allowed by RFC 5545");
    }
    if (cf->is_not_defined && (cf->time_range || cf->props || cf->comps))
        return bad(detail, "is-not-defined must be alone in comp-filter");
    if (cf->time_range) {
        if (!has_time_semantics(k))
            return bad(detail, "time-range not defined for this component (RFC 4791 9.9)");
        if ((st = check_range(cf->time_range, detail)) != ICAL_OK) return st;
    }
    cf->kind = (int)k;
    for (ical_prop_filter *pf = cf->props; pf; pf = pf->next)
        if ((st = prep_prop(pool, pf, detail)) != ICAL_OK) return st;
    for (ical_comp_filter *c = cf->comps; c; c = c->next)
        if ((st = prep_comp(pool, c, k, depth + 1, detail)) != ICAL_OK) return st;
    return ICAL_OK;
}

ical_status ical_filter_prepare(vpool *pool, ical_comp_filter *root, const char **detail)
{
    ical_global_init();
    if (detail) *detail = NULL;
    if (!root) return bad(detail, "filter without comp-filter");
    return prep_comp(pool, root, ICAL_NO_COMPONENT, 0, detail);
}

static unsigned main_kind(icalcomponent_kind k)
{
    switch (k) {
    case ICAL_VEVENT_COMPONENT:
        return ICAL_KIND_VEVENT;
    case ICAL_VTODO_COMPONENT:
        return ICAL_KIND_VTODO;
    case ICAL_VJOURNAL_COMPONENT:
        return ICAL_KIND_VJOURNAL;
    case ICAL_VFREEBUSY_COMPONENT:
        return ICAL_KIND_VFREEBUSY;
    case ICAL_VAVAILABILITY_COMPONENT:
        return ICAL_KIND_VAVAILABILITY;
    default:
        return 0;
    }
}

void ical_filter_hints_get(const ical_comp_filter *root, ical_filter_hints *out)
{
    memset(out, 0, sizeof(*out));
    if (!root) return;
    /* The children of a comp-filter must all match, so any one of them that
     * requires a main component (and maybe a time range) is a hint. */
    for (const ical_comp_filter *c = root->comps; c; c = c->next) {
        unsigned k = main_kind((icalcomponent_kind)c->kind);
        if (!k || c->is_not_defined) continue;
        if (!out->kind) out->kind = k;
        if (c->time_range && !out->has_range && out->kind == k) {
            out->has_range = 1;
            out->start = c->time_range->start;
            out->end = c->time_range->end;
        }
    }
}

#include "ical/validate.h"

#include <string.h>
#include <strings.h>

#include "common/uri.h"
#include "ical/internal.h"
#include "ical/lex.h"

#define MAX_DEPTH 16
#define DEFAULT_EXPAND_CAP 100000u

void ical_validate_opts_init(ical_validate_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->min_date = ICAL_TIME_MIN;
    opts->max_date = ICAL_TIME_MAX;
}

typedef struct vstate {
    vpool *pool;
    const ical_validate_opts *opts;
    ical_validate_result *res;
    ical_object *o;
} vstate;

static ical_status fail(vstate *v, ical_status st, const char *why)
{
    v->res->detail = why;
    return st;
}

/* why + arg, e.g. ("unknown TZID ", "Foo/Bar"). */
static ical_status failf(vstate *v, ical_status st, const char *why, const char *arg)
{
    const char *d = pool_printf(v->pool, "%s%s", why, arg ? arg : "");
    v->res->detail = d ? d : why;
    return st;
}

/* ---- RFC 5545 §3.1 structure, on the bytes ---- */

static ical_status check_text(vstate *v, const char *data, size_t len)
{
    ical_lexer lx;
    ical_line ln;
    char stack[MAX_DEPTH][32];
    int depth = 0, done = 0, r, nversion = 0, nprodid = 0;
    ical_status st = ICAL_OK;
    if (!utf8_valid(data, len)) return fail(v, ICAL_ERR_DATA, "not UTF-8 text");
    const ical_limits *lim = ical_get_limits();
    switch (ical_prescan(data, len, lim->max_params, lim->max_properties)) {
    case ICAL_PRESCAN_PARAMS:
        return failf(v, ICAL_ERR_DATA, "a property has more parameters than the server accepts: ",
                     pool_printf(v->pool, "%u", lim->max_params));
    case ICAL_PRESCAN_PROPERTIES:
        return failf(v, ICAL_ERR_DATA, "more properties than the server accepts in one object: ",
                     pool_printf(v->pool, "%u", lim->max_properties));
    }
    ical_lex_init(&lx, data, len);
    while ((r = ical_lex_next(&lx, &ln)) == 1) {
        const char *val;
        size_t vlen = ical_line_value(&ln, &val);
        if (done) {
            st = fail(v, ICAL_ERR_DATA, "content after END:VCALENDAR");
            break;
        }
        if (depth == 0 && !(ical_line_is(&ln, "BEGIN") && ical_line_value_is(&ln, "VCALENDAR"))) {
            st = fail(v, ICAL_ERR_DATA, "not an iCalendar object (no BEGIN:VCALENDAR)");
            break;
        }
        if (ical_line_is(&ln, "BEGIN")) {
            if (vlen == 0 || vlen >= sizeof(stack[0]) || depth == MAX_DEPTH) {
                st = fail(v, ICAL_ERR_DATA, "bad BEGIN line");
                break;
            }
            memcpy(stack[depth], val, vlen);
            stack[depth][vlen] = 0;
            if (depth == 1 && !ical_kind_from_name(stack[1]) &&
                strcasecmp(stack[1], "VTIMEZONE") != 0) {
                if (strncasecmp(stack[1], "X-", 2) == 0) {
                    v->res->warnings |= ICAL_WARN_IGNORED;
                } else {
                    st = failf(v, ICAL_ERR_COMPONENT, "unsupported component ", stack[1]);
                    break;
                }
            }
            depth++;
        } else if (ical_line_is(&ln, "END")) {
            if (depth == 0 || !ical_line_value_is(&ln, stack[depth - 1])) {
                st = fail(v, ICAL_ERR_DATA, "END does not match BEGIN");
                break;
            }
            if (--depth == 0) done = 1;
        } else if (depth == 1 && ical_line_is(&ln, "VERSION")) {
            nversion++;
            if (!ical_line_value_is(&ln, "2.0")) {
                st = fail(v, ICAL_ERR_DATA, "VERSION is not 2.0");
                break;
            }
        } else if (depth == 1 && ical_line_is(&ln, "PRODID")) {
            nprodid++;
        }
    }
    if (st == ICAL_OK && r < 0)
        st = fail(v, ICAL_ERR_DATA,
                  lx.bad       ? "control character or bare CR in a line"
                  : depth == 0 ? "not an iCalendar object"
                               : "malformed content line");
    if (st == ICAL_OK && !done) st = fail(v, ICAL_ERR_DATA, "missing END:VCALENDAR");
    if (lx.bare_lf) v->res->warnings |= ICAL_WARN_BARE_LF;
    if (!nversion) v->res->warnings |= ICAL_WARN_NO_VERSION;
    if (!nprodid) v->res->warnings |= ICAL_WARN_NO_PRODID;
    ical_lex_done(&lx);
    return st;
}

/* ---- libical's X-LIC-ERROR markers ---- */

/* Properties whose values the server interprets: an unparseable or empty
 * value there changes the object's meaning. */
static const char *const strict_props[] = {
    "DTSTART", "DTEND",         "DUE",          "DURATION",   "RRULE",    "EXRULE",    "RDATE",
    "EXDATE",  "RECURRENCE-ID", "TRIGGER",      "REPEAT",     "FREEBUSY", "COMPLETED", "CREATED",
    "DTSTAMP", "LAST-MODIFIED", "TZOFFSETFROM", "TZOFFSETTO", "TZID",     "UID",       NULL};

static int strict_prop_in(const char *msg, const char *before, const char *after)
{
    const char *p = strstr(msg, before);
    if (!p) return 1; /* unknown message shape: be strict */
    p += strlen(before);
    const char *e = strstr(p, after);
    if (!e) return 1;
    for (int i = 0; strict_props[i]; i++)
        if (strlen(strict_props[i]) == (size_t)(e - p) &&
            strncasecmp(p, strict_props[i], (size_t)(e - p)) == 0)
            return 1;
    return 0;
}

static ical_status check_errors(vstate *v, icalcomponent *c)
{
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(c, ICAL_XLICERROR_PROPERTY)) {
        icalparameter *tp = icalproperty_get_first_parameter(p, ICAL_XLICERRORTYPE_PARAMETER);
        const char *msg = icalproperty_get_xlicerror(p);
        if (!msg) msg = "";
        if (!tp) continue; /* an X-LIC-ERROR line the client sent itself */
        switch (icalparameter_get_xlicerrortype(tp)) {
        case ICAL_XLICERRORTYPE_PROPERTYPARSEERROR:       /* unknown IANA property */
        case ICAL_XLICERRORTYPE_PARAMETERVALUEPARSEERROR: /* unknown parameter value */
            v->res->warnings |= ICAL_WARN_IGNORED;
            break;
        case ICAL_XLICERRORTYPE_VALUEPARSEERROR:
            if (strncmp(msg, "No value for ", 13) == 0
                    ? strict_prop_in(msg, "No value for ", " property")
                    : strict_prop_in(msg, " value in ", " property"))
                return failf(v, ICAL_ERR_DATA, "invalid value: ", msg);
            v->res->warnings |= ICAL_WARN_IGNORED;
            break;
        default:
            return failf(v, ICAL_ERR_DATA, "", msg);
        }
    }
    ical_status st = ICAL_OK;
    icalcompiter it;
    for (it = icalcomponent_begin_component(c, ICAL_ANY_COMPONENT);
         st == ICAL_OK && icalcompiter_deref(&it); icalcompiter_next(&it))
        st = check_errors(v, icalcompiter_deref(&it));
    return st;
}

/* ---- time zones ---- */

static ical_status check_timezones(vstate *v)
{
    const char *seen[64];
    unsigned nseen = 0;
    icalcompiter it;
    for (it = icalcomponent_begin_component(v->o->root, ICAL_VTIMEZONE_COMPONENT);
         icalcompiter_deref(&it); icalcompiter_next(&it)) {
        icalcomponent *tz = icalcompiter_deref(&it);
        icalproperty *idp = icalcomponent_get_first_property(tz, ICAL_TZID_PROPERTY);
        const char *id = idp ? icalproperty_get_tzid(idp) : NULL;
        if (!id || !*id) return fail(v, ICAL_ERR_OBJECT, "VTIMEZONE without TZID");
        if (!icalcomponent_get_first_component(tz, ICAL_XSTANDARD_COMPONENT) &&
            !icalcomponent_get_first_component(tz, ICAL_XDAYLIGHT_COMPONENT))
            return fail(v, ICAL_ERR_OBJECT, "VTIMEZONE without STANDARD or DAYLIGHT");
        const char *why;
        if (tz_component_check(tz, &why) != 0)
            return failf(v, ICAL_ERR_DATA, "VTIMEZONE not accepted: ", why);
        for (unsigned i = 0; i < nseen; i++)
            if (strcmp(seen[i], id) == 0)
                return failf(v, ICAL_ERR_OBJECT, "two VTIMEZONEs with TZID ", id);
        if (nseen < sizeof(seen) / sizeof(seen[0])) seen[nseen++] = id;
    }
    return ICAL_OK;
}

/* RFC 4791 §4.1 with RFC 7809: every TZID resolves to a VTIMEZONE of the
 * object or to a known IANA zone. */
static ical_status check_tzids(vstate *v, icalcomponent *c)
{
    if (icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT) return ICAL_OK;
    const char *bad = NULL;
    for (icalproperty *p = icalcomponent_get_first_property(c, ICAL_ANY_PROPERTY); p && !bad;
         p = icalcomponent_get_next_property(c, ICAL_ANY_PROPERTY)) {
        icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
        if (tz && !obj_zone(v->o, icalparameter_get_tzid(tz))) bad = icalparameter_get_tzid(tz);
    }
    if (bad) return failf(v, ICAL_ERR_UNKNOWN_TZID, "no VTIMEZONE for unknown TZID ", bad);
    ical_status st = ICAL_OK;
    icalcompiter it;
    for (it = icalcomponent_begin_component(c, ICAL_ANY_COMPONENT);
         st == ICAL_OK && icalcompiter_deref(&it); icalcompiter_next(&it))
        st = check_tzids(v, icalcompiter_deref(&it));
    return st;
}

/* ---- one component ---- */

/* RFC 5545 wants DTEND/DUE of DTSTART's value type and not before it, but
 * clients do write events such as DTSTART;DATE-TIME with DTEND;VALUE=DATE,
 * or an end before the start (exports from old Outlook and Lotus versions).
 * Refusing them loses the user's event on every sync; instead they are kept as
 * sent and read the way the instance engine reads any span (recur.c): an end
 * that does not follow the start makes the instance a point in time.  A
 * warning bit records that the data is odd. */
static void note_range_pair(vstate *v, ical_comp *c, icalproperty *endp)
{
    struct icaltimetype s, e;
    if (obj_prop_time(v->o, c->dtstart, &s) != 0 || obj_prop_time(v->o, endp, &e) != 0) return;
    const icaltimezone *ftz = v->opts->floating_tz;
    if (s.is_date != e.is_date || tt_utc(e, ftz) < tt_utc(s, ftz))
        v->res->warnings |= ICAL_WARN_ODD_END;
}

static ical_status check_comp(vstate *v, ical_comp *c)
{
    const char *kn = ical_kind_name(c->kind);
    if (c->nuid == 0) return failf(v, ICAL_ERR_OBJECT, "missing UID in ", kn);
    if (c->nuid > 1 || c->ndtstart > 1 || c->ndtend > 1 || c->ndue > 1 || c->nduration > 1 ||
        c->nrid > 1)
        return failf(v, ICAL_ERR_OBJECT, "a property that may occur once repeats in ", kn);
    if (!icalcomponent_get_first_property(c->c, ICAL_DTSTAMP_PROPERTY))
        v->res->warnings |= ICAL_WARN_NO_DTSTAMP;
    /* libical accepts fields such as month 41; the engine treats such a
     * time as absent, so it must not get in. */
    icalproperty *times[] = {c->dtstart, c->dtend, c->due, c->rid, c->completed, c->created};
    struct icaltimetype tt;
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
        if (times[i] && obj_prop_time(v->o, times[i], &tt) != 0)
            return failf(v, ICAL_ERR_DATA, "invalid date or time in ",
                         icalproperty_kind_to_string(icalproperty_isa(times[i])));
    for (unsigned i = 0; i < c->nrdate + c->nexdate; i++)
        if (obj_prop_time(v->o, i < c->nrdate ? c->rdate[i] : c->exdate[i - c->nrdate], &tt) != 0)
            return fail(v, ICAL_ERR_DATA, "invalid date or time in RDATE or EXDATE");
    for (unsigned i = 0; i < c->nrrule; i++) {
        struct icalrecurrencetype r = icalproperty_get_rrule(c->rrule[i]);
        if (!icaltime_is_null_time(r.until) && !tt_valid(r.until))
            return fail(v, ICAL_ERR_DATA, "invalid UNTIL in RRULE");
    }
    if (c->kind == ICAL_KIND_VEVENT && !c->dtstart)
        return fail(v, ICAL_ERR_OBJECT, "VEVENT without DTSTART");
    if (c->dtend && c->duration) return fail(v, ICAL_ERR_OBJECT, "DTEND together with DURATION");
    if (c->due && c->duration) return fail(v, ICAL_ERR_OBJECT, "DUE together with DURATION");
    if (c->duration && !c->dtstart && c->kind == ICAL_KIND_VTODO)
        return fail(v, ICAL_ERR_OBJECT, "DURATION without DTSTART");
    if (c->duration && icalproperty_get_duration(c->duration).is_neg)
        return fail(v, ICAL_ERR_OBJECT, "negative DURATION");
    /* A task with a rule but no DTSTART or DUE has no instances to place;
     * clients write them, so it is kept and matched like any undated task. */
    if ((c->nrrule || c->nrdate || c->nexdate) && !c->anchor && c->kind != ICAL_KIND_VTODO)
        return fail(v, ICAL_ERR_OBJECT, "recurrence without DTSTART");
    if (c->dtstart && c->dtend) note_range_pair(v, c, c->dtend);
    if (c->dtstart && c->due) note_range_pair(v, c, c->due);
    /* rulecheck.c: a rule that never occurs is kept (it adds no instance);
     * one that cannot be understood is refused. */
    struct icaltimetype st = icaltime_null_time();
    if (c->anchor) obj_prop_time(v->o, c->anchor, &st);
    for (unsigned i = 0; i < c->nrrule + c->nexrule; i++) {
        struct icalrecurrencetype r = i < c->nrrule
                                          ? icalproperty_get_rrule(c->rrule[i])
                                          : icalproperty_get_exrule(c->exrule[i - c->nrrule]);
        struct icalrecurrencetype clean;
        const char *why;
        switch (rule_check(&r, st, &clean, &why)) {
        case RULE_INVALID:
            return failf(v, ICAL_ERR_DATA, i < c->nrrule ? "RRULE: " : "EXRULE: ", why);
        case RULE_NEVER:
            v->res->warnings |= ICAL_WARN_IGNORED;
            break;
        default:
            break;
        }
    }
    icalcompiter it;
    for (it = icalcomponent_begin_component(c->c, ICAL_VALARM_COMPONENT); icalcompiter_deref(&it);
         icalcompiter_next(&it))
        if (!icalcomponent_get_first_property(icalcompiter_deref(&it), ICAL_TRIGGER_PROPERTY))
            return fail(v, ICAL_ERR_OBJECT, "VALARM without TRIGGER");
    if (v->opts->max_attendees && c->nattendee > v->opts->max_attendees)
        return fail(v, ICAL_ERR_MAX_ATTENDEES, "more ATTENDEEs than max-attendees-per-instance");
    return ICAL_OK;
}

/* ---- the set of components ---- */

static ical_status check_set(vstate *v)
{
    ical_object *o = v->o;
    ical_status st;
    if (icalcomponent_get_first_property(o->root, ICAL_METHOD_PROPERTY))
        return fail(v, ICAL_ERR_OBJECT, "METHOD is not allowed in a calendar object resource");
    if (o->ncomps == 0) return fail(v, ICAL_ERR_OBJECT, "no calendar component");
    unsigned masters = 0;
    for (unsigned i = 0; i < o->ncomps; i++) {
        ical_comp *c = &o->comps[i];
        if (c->kind != o->kind) return fail(v, ICAL_ERR_OBJECT, "components of more than one type");
        if (v->opts->allowed_kinds && !(v->opts->allowed_kinds & c->kind))
            return failf(v, ICAL_ERR_COMPONENT,
                         "component not supported by this collection: ", ical_kind_name(c->kind));
        if ((st = check_comp(v, c)) != ICAL_OK) return st;
        if (strcmp(c->uid, o->comps[0].uid) != 0)
            return fail(v, ICAL_ERR_OBJECT, "components with different UIDs");
        if (!c->rid) masters++;
    }
    if (masters > 1) return fail(v, ICAL_ERR_OBJECT, "two components without RECURRENCE-ID");
    ical_rset *rs = &o->sets[0];
    if (rset_prepare(o, rs, v->opts->floating_tz) != 0) return ICAL_ERR_NOMEM;
    /* Overrides are sorted by RECURRENCE-ID: a run of equal ones names one instance more
     * than once.  All but the last in document order are listed for ical/ingest.c, which
     * keeps the last. */
    unsigned ndup = 0;
    for (unsigned i = 1; i < rs->novr; i++)
        if (rs->ovr_rid[i] == rs->ovr_rid[i - 1]) ndup++;
    if (!ndup) return ICAL_OK;
    v->res->dup = pool_alloc(v->pool, sizeof(unsigned) * ndup);
    if (!v->res->dup) return ICAL_ERR_NOMEM;
    v->res->ncomps = o->ncomps;
    for (unsigned i = 0; i < rs->novr;) {
        unsigned j = i, last = (unsigned)(rs->ovr[i] - o->comps);
        while (j + 1 < rs->novr && rs->ovr_rid[j + 1] == rs->ovr_rid[i]) {
            j++;
            unsigned k = (unsigned)(rs->ovr[j] - o->comps);
            v->res->dup[v->res->ndup++] = k < last ? k : last;
            if (k > last) last = k;
        }
        i = j + 1;
    }
    return fail(v, ICAL_ERR_OBJECT, "two components with the same RECURRENCE-ID");
}

/* ---- instances: min/max-date-time, max-instances ---- */

typedef struct icount {
    vstate *v;
    unsigned n;
    ical_status st;
} icount;

static int on_count(void *ctx, const ical_inst *in)
{
    icount *q = ctx;
    const ical_validate_opts *op = q->v->opts;
    int64_t t[2];
    int nt = 0;
    switch (in->tr) {
    case TR_NEVER:
    case TR_ALWAYS:
        break;
    case TR_DUE:
    case TR_COMPLETED:
        t[nt++] = in->b;
        break;
    case TR_CREATED:
        t[nt++] = in->a;
        break;
    default:
        t[nt++] = in->a;
        t[nt++] = in->b;
    }
    for (int i = 0; i < nt; i++) {
        if (t[i] < op->min_date) {
            q->st = fail(q->v, ICAL_ERR_MIN_DATE, "a date is before min-date-time");
            return 1;
        }
        if (t[i] > op->max_date) {
            q->st = fail(q->v, ICAL_ERR_MAX_DATE, "a date is after max-date-time");
            return 1;
        }
    }
    q->n++;
    if (op->max_instances && q->n > op->max_instances) {
        q->st = fail(q->v, ICAL_ERR_MAX_INSTANCES, "more instances than max-instances");
        return 1;
    }
    return 0;
}

static int bounded(const ical_comp *m)
{
    for (unsigned i = 0; m && i < m->nrrule; i++) {
        struct icalrecurrencetype r = icalproperty_get_rrule(m->rrule[i]);
        if (r.count == 0 && icaltime_is_null_time(r.until)) return 0;
    }
    return 1;
}

static ical_status check_instances(vstate *v)
{
    const ical_validate_opts *op = v->opts;
    if (!op->max_instances && op->min_date == ICAL_TIME_MIN && op->max_date == ICAL_TIME_MAX)
        return ICAL_OK;
    ical_rset *rs = &v->o->sets[0];
    int64_t horizon = op->horizon ? op->horizon : ICAL_TIME_MAX;
    int64_t until = bounded(rs->master) ? ICAL_TIME_MAX : horizon;
    unsigned cap = op->expand_cap ? op->expand_cap : DEFAULT_EXPAND_CAP;
    if (op->max_instances && op->max_instances < cap) cap = op->max_instances + 1;
    icount q = {v, 0, ICAL_OK};
    unsigned fl = 0;
    if (rset_expand(v->o, rs, op->floating_tz, ICAL_TIME_MIN, until, cap, on_count, &q, &fl) < 0)
        return ICAL_ERR_NOMEM;
    if (q.st != ICAL_OK) return q.st;
    /* The cap stopped an unbounded series without a horizon. */
    if (op->max_instances && (fl & EXP_CAPPED) && until == ICAL_TIME_MAX)
        return fail(v, ICAL_ERR_MAX_INSTANCES, "unbounded recurrence exceeds max-instances");
    return ICAL_OK;
}

ical_status ical_validate(vpool *pool, const char *data, size_t len, const ical_validate_opts *opts,
                          ical_validate_result *res)
{
    ical_validate_opts defaults;
    ical_status st;
    if (!opts) {
        ical_validate_opts_init(&defaults);
        opts = &defaults;
    }
    memset(res, 0, sizeof(*res));
    vstate v = {pool, opts, res, NULL};
    if ((st = check_text(&v, data, len)) != ICAL_OK) return st;
    st = obj_parse(pool, data, len, &v.o);
    if (st != ICAL_OK) return st == ICAL_ERR_DATA ? fail(&v, st, "libical cannot parse it") : st;
    if ((st = check_errors(&v, v.o->root)) != ICAL_OK) return st;
    if ((st = check_timezones(&v)) != ICAL_OK) return st;
    if ((st = check_tzids(&v, v.o->root)) != ICAL_OK) return st;
    if ((st = check_set(&v)) != ICAL_OK) return st;
    if ((st = check_instances(&v)) != ICAL_OK) return st;
    res->obj = v.o;
    res->uid = v.o->uid;
    res->kind_bit = v.o->kind;
    res->kind = ical_kind_name(v.o->kind);
    return ICAL_OK;
}

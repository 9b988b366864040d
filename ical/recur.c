/* The recurrence engine: instances of a recurrence set (RFC 5545 §3.8.5,
 * §3.8.4.4).  libical's icalrecur_iterator yields RRULE occurrences only;
 * DTSTART as first instance, RDATE, EXDATE, EXRULE, overrides
 * (RECURRENCE-ID) and RANGE=THISANDFUTURE are applied here. */
#include <stdlib.h>
#include <string.h>

#include "ical/internal.h"

static int dur_parts(struct icaldurationtype d, int *days, int64_t *secs)
{
    int sign = d.is_neg ? -1 : 1;
    *days = sign * (int)(d.weeks * 7 + d.days);
    *secs = sign * ((int64_t)d.hours * 3600 + d.minutes * 60 + d.seconds);
    return (*days > 0 || *secs > 0) && !(*days < 0 || *secs < 0);
}

static int prop_utc(ical_object *o, icalproperty *p, const icaltimezone *ftz, int64_t *out,
                    int *floating)
{
    struct icaltimetype t;
    if (!p || obj_prop_time(o, p, &t) != 0) return -1;
    *out = tt_utc(t, ftz);
    if (floating && tt_floating(t)) *floating = 1;
    return 0;
}

/* End rule from DTSTART to DTEND or DUE: the same exact duration applies to
 * every instance (RFC 5545 §3.8.5.3); between two DATEs it is whole days. */
static void end_from_prop(ical_object *o, shape *sh, icalproperty *endp, const icaltimezone *ftz)
{
    struct icaltimetype e;
    if (obj_prop_time(o, endp, &e) != 0) {
        sh->end_kind = END_NONE;
        return;
    }
    if (tt_floating(e)) sh->floating = 1;
    if (sh->start.is_date && e.is_date) {
        sh->end_kind = END_NOMINAL;
        sh->days = (int)((tt_civil(e) - tt_civil(sh->start)) / 86400);
        sh->secs = 0;
    } else {
        sh->end_kind = END_EXACT;
        sh->secs = tt_utc(e, ftz) - tt_utc(sh->start, ftz);
    }
}

static int end_positive(const shape *sh)
{
    if (sh->end_kind == END_EXACT) return sh->secs > 0;
    if (sh->end_kind == END_NOMINAL) return sh->days > 0 || sh->secs > 0;
    return 0;
}

void get_shape(ical_object *o, ical_comp *c, const icaltimezone *ftz, shape *sh)
{
    memset(sh, 0, sizeof(*sh));
    sh->has_start = c->dtstart && obj_prop_time(o, c->dtstart, &sh->start) == 0;
    if (sh->has_start && tt_floating(sh->start)) sh->floating = 1;
    int dur_pos = 0;
    if (c->duration && sh->has_start) {
        dur_pos = dur_parts(icalproperty_get_duration(c->duration), &sh->days, &sh->secs);
        sh->end_kind = END_NOMINAL;
    }
    switch (c->kind) {
    case ICAL_KIND_VEVENT:
        if (!sh->has_start) break;
        /* RFC 4791 §9.9, VEVENT table. */
        if (c->dtend) {
            end_from_prop(o, sh, c->dtend, ftz);
            /* DTEND == DTSTART is read like the equivalent zero DURATION
             * row, so the instance matches a range starting at it. */
            sh->tr = end_positive(sh) ? TR_SPAN : TR_POINT;
        } else if (c->duration) {
            sh->tr = dur_pos ? TR_SPAN : TR_POINT;
        } else if (sh->start.is_date) {
            sh->end_kind = END_NOMINAL;
            sh->days = 1;
            sh->tr = TR_SPAN;
        } else {
            sh->tr = TR_POINT;
        }
        break;
    case ICAL_KIND_VTODO:
        /* RFC 4791 §9.9, VTODO table, row by row. */
        if (sh->has_start && c->duration && !c->due) {
            sh->tr = TR_TODO_DUR;
        } else if (sh->has_start && c->due) {
            end_from_prop(o, sh, c->due, ftz);
            sh->tr = TR_TODO_DUE;
        } else if (sh->has_start) {
            sh->end_kind = END_NONE;
            sh->tr = TR_POINT;
        } else if (c->due && (c->nrrule || c->nrdate) &&
                   obj_prop_time(o, c->due, &sh->start) == 0) {
            /* A repeating task without DTSTART: instances at each DUE. */
            sh->has_start = 1;
            if (tt_floating(sh->start)) sh->floating = 1;
            sh->end_kind = END_NONE;
            sh->tr = TR_DUE;
        } else if (c->due && prop_utc(o, c->due, ftz, &sh->fb, &sh->floating) == 0) {
            sh->fa = sh->fb;
            sh->tr = TR_DUE;
        } else {
            int hc = prop_utc(o, c->completed, ftz, &sh->fb, &sh->floating) == 0;
            int hr = prop_utc(o, c->created, ftz, &sh->fa, &sh->floating) == 0;
            sh->tr = hc && hr ? TR_CC : hc ? TR_COMPLETED : hr ? TR_CREATED : TR_ALWAYS;
        }
        break;
    case ICAL_KIND_VJOURNAL:
        /* RFC 4791 §9.9, VJOURNAL table. */
        if (!sh->has_start) break;
        sh->end_kind = sh->start.is_date ? END_NOMINAL : END_NONE;
        sh->days = 1;
        sh->secs = 0;
        sh->tr = sh->start.is_date ? TR_SPAN : TR_POINT;
        break;
    case ICAL_KIND_VFREEBUSY:
        /* Both DTSTART and DTEND: one span; else FREEBUSY periods. */
        if (sh->has_start && c->dtend && prop_utc(o, c->dtend, ftz, &sh->fb, &sh->floating) == 0) {
            sh->fa = tt_utc(sh->start, ftz);
            sh->tr = TR_FB;
        }
        sh->has_start = 0; /* never recurs */
        break;
    case ICAL_KIND_VAVAILABILITY:
        /* RFC 7953 §3.1: without DTSTART or DTEND the availability is
         * unbounded at that end. */
        sh->fa = ICAL_TIME_MIN;
        sh->fb = ICAL_TIME_MAX;
        if (sh->has_start) sh->fa = tt_utc(sh->start, ftz);
        if (c->dtend)
            prop_utc(o, c->dtend, ftz, &sh->fb, &sh->floating);
        else if (c->duration && sh->has_start)
            sh->fb = sat_add(tt_utc(sh->start, ftz), sh->days * 86400LL + sh->secs);
        sh->has_start = 0;
        sh->tr = TR_SPAN;
        break;
    }
}

/* Instance of shape sh starting at local time t. */
void make_inst(const shape *sh, struct icaltimetype t, const icaltimezone *ftz, ical_inst *in)
{
    in->a = tt_utc(t, ftz);
    switch (sh->end_kind) {
    case END_EXACT:
        in->b = in->a + sh->secs;
        break;
    case END_NOMINAL: {
        struct icaltimetype e = tt_from_civil(tt_civil(t) + sh->days * 86400LL, t.is_date, t.zone);
        if (icaltime_is_utc(t)) e.zone = t.zone;
        in->b = tt_utc(e, ftz) + sh->secs;
        break;
    }
    default:
        in->b = in->a;
    }
    if (in->b < in->a && sh->tr != TR_TODO_DUE && sh->tr != TR_TODO_DUR) in->b = in->a;
    in->tr = (uint8_t)sh->tr;
    in->flags = (uint8_t)((sh->floating || tt_floating(t) ? INST_FLOATING : 0) |
                          (t.is_date ? INST_DATE : 0));
}

static int fixed_inst(const shape *sh, ical_inst *in)
{
    in->a = sh->fa;
    in->b = sh->fb;
    in->tr = (uint8_t)sh->tr;
    in->flags = sh->floating ? INST_FLOATING : 0;
    return sh->tr == TR_NEVER ? -1 : 0;
}

int comp_base_instance(ical_object *o, ical_comp *c, const icaltimezone *ftz, ical_inst *out)
{
    shape sh;
    get_shape(o, c, ftz, &sh);
    memset(out, 0, sizeof(*out));
    out->src = c;
    out->rid = ICAL_TIME_MIN;
    int r = sh.has_start && sh.tr != TR_NEVER ? (make_inst(&sh, sh.start, ftz, out), 0)
                                              : fixed_inst(&sh, out);
    if (c->rid) {
        struct icaltimetype rt;
        if (obj_prop_time(o, c->rid, &rt) == 0) out->rid = tt_utc(rt, ftz);
        out->flags |= INST_OVERRIDE | INST_RECURRING;
    }
    return r;
}

int rset_is_recurring(const ical_rset *rs)
{
    return rs->novr > 0 ||
           (rs->master && rs->master->anchor && (rs->master->nrrule || rs->master->nrdate));
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return x < y ? -1 : x > y;
}

static int64_t local_day(struct icaltimetype t)
{
    int64_t c = tt_civil(t);
    return c >= 0 ? c / 86400 : (c - 86399) / 86400;
}

int rset_prepare(ical_object *o, ical_rset *rs, const icaltimezone *ftz)
{
    if (rs->prepared && rs->ftz == ftz) return 0;
    ical_comp *m = rs->master;
    /* Overrides, sorted by RECURRENCE-ID. */
    if (rs->novr) {
        rs->ovr_rid = pool_alloc(o->pool, sizeof(int64_t) * rs->novr);
        if (!rs->ovr_rid) return -1;
        for (unsigned i = 0; i < rs->novr; i++) {
            struct icaltimetype t;
            rs->ovr_rid[i] = obj_prop_time(o, rs->ovr[i]->rid, &t) == 0 ? tt_utc(t, ftz) : 0;
            if (rs->ovr[i]->thisandfuture) rs->has_taf = 1;
        }
        for (unsigned i = 1; i < rs->novr; i++) /* insertion sort: few overrides */
            for (unsigned j = i; j > 0 && rs->ovr_rid[j - 1] > rs->ovr_rid[j]; j--) {
                int64_t t = rs->ovr_rid[j];
                rs->ovr_rid[j] = rs->ovr_rid[j - 1];
                rs->ovr_rid[j - 1] = t;
                ical_comp *c = rs->ovr[j];
                rs->ovr[j] = rs->ovr[j - 1];
                rs->ovr[j - 1] = c;
            }
    }
    rs->nexdate = rs->nexday = rs->nrdate = 0;
    if (m && m->anchor) {
        struct icaltimetype st;
        int st_ok = obj_prop_time(o, m->anchor, &st) == 0;
        rs->exdate = pool_alloc(o->pool, sizeof(int64_t) * (m->nexdate + 1));
        rs->exday = pool_alloc(o->pool, sizeof(int32_t) * (m->nexdate + 1));
        rs->rdate_s = pool_alloc(o->pool, sizeof(int64_t) * (m->nrdate + 1));
        rs->rdate_e = pool_alloc(o->pool, sizeof(int64_t) * (m->nrdate + 1));
        if (!rs->exdate || !rs->exday || !rs->rdate_s || !rs->rdate_e) return -1;
        for (unsigned i = 0; i < m->nexdate; i++) {
            struct icaltimetype t;
            if (obj_prop_time(o, m->exdate[i], &t) != 0) continue;
            /* An EXDATE;VALUE=DATE on a DATE-TIME series removes that
             * day's instances (a common client shortcut). */
            if (t.is_date && st_ok && !st.is_date)
                rs->exday[rs->nexday++] = (int32_t)local_day(t);
            else
                rs->exdate[rs->nexdate++] = tt_utc(t, ftz);
        }
        if (rs->nexdate > 1) qsort(rs->exdate, rs->nexdate, sizeof(int64_t), cmp_i64);
        if (rs->nexday > 1) qsort(rs->exday, rs->nexday, sizeof(int32_t), cmp_i32);
        for (unsigned i = 0; i < m->nrdate; i++) {
            icalvalue *v = icalproperty_get_value(m->rdate[i]);
            struct icaltimetype t;
            if (!v || obj_prop_time(o, m->rdate[i], &t) != 0) continue;
            int64_t s = tt_utc(t, ftz), e = s - 1;
            icalvalue_kind vk = icalvalue_isa(v);
            if (vk == ICAL_DATETIMEPERIOD_VALUE || vk == ICAL_PERIOD_VALUE) {
                struct icalperiodtype p = vk == ICAL_PERIOD_VALUE
                                              ? icalvalue_get_period(v)
                                              : icalvalue_get_datetimeperiod(v).period;
                if (!icaltime_is_null_time(p.start)) {
                    if (!icaltime_is_null_time(p.end)) {
                        struct icaltimetype pe = p.end;
                        if (!pe.is_date && !icaltime_is_utc(pe)) pe.zone = t.zone;
                        e = tt_utc(pe, ftz);
                    } else {
                        e = s + icaldurationtype_as_int(p.duration);
                    }
                    if (e < s) e = s;
                }
            }
            unsigned k = rs->nrdate++; /* insertion keeps them sorted */
            while (k > 0 && rs->rdate_s[k - 1] > s) {
                rs->rdate_s[k] = rs->rdate_s[k - 1];
                rs->rdate_e[k] = rs->rdate_e[k - 1];
                k--;
            }
            rs->rdate_s[k] = s;
            rs->rdate_e[k] = e;
        }
    }
    rs->ftz = ftz;
    rs->prepared = 1;
    return 0;
}

int inst_overlaps(const ical_inst *in, int64_t s, int64_t e)
{
    int64_t a = in->a, b = in->b;
    switch (in->tr) {
    case TR_SPAN:
        return s < b && e > a;
    case TR_POINT:
        return s <= a && e > a;
    case TR_TODO_DUR:
        return s <= b && (e > a || e >= b);
    case TR_TODO_DUE:
        return (s < b || s <= a) && (e > a || e >= b);
    case TR_DUE:
        return s < b && e >= b;
    case TR_CC:
        return (s <= a || s <= b) && (e >= a || e >= b);
    case TR_COMPLETED:
        return s <= b && e >= b;
    case TR_CREATED:
        return e > a;
    case TR_ALWAYS:
        return 1;
    case TR_FB:
        return s <= b && e > a;
    default:
        return 0;
    }
}

void inst_bounds(const ical_inst *in, int64_t *lo, int64_t *hi)
{
    switch (in->tr) {
    case TR_DUE:
    case TR_COMPLETED:
        *lo = *hi = in->b;
        break;
    case TR_CC:
        *lo = in->a < in->b ? in->a : in->b;
        *hi = in->a < in->b ? in->b : in->a;
        break;
    case TR_CREATED:
        *lo = in->a;
        *hi = ICAL_TIME_MAX;
        break;
    case TR_ALWAYS:
        *lo = ICAL_TIME_MIN;
        *hi = ICAL_TIME_MAX;
        break;
    default:
        *lo = in->a;
        *hi = in->b > in->a ? in->b : in->a;
    }
}

/* rset_expand: walks the instances of one recurrence set in a window.
 *
 * Master instances come from three sorted streams merged by UTC start:
 * DTSTART itself (RFC 5545 §3.8.5.3: always the first instance, even when
 * the rule would not produce it), the RDATEs, and one libical iterator per
 * RRULE.  Then, per candidate:
 *   - EXDATE and EXRULE remove it.  EXDATE also wins over an override with
 *     the same RECURRENCE-ID: deleting an instance after changing it leaves
 *     such stale overrides behind in some clients, and the instance is gone.
 *   - an override with that RECURRENCE-ID replaces it (overrides are
 *     emitted on their own, with their own times);
 *   - otherwise the latest RANGE=THISANDFUTURE override at or before it
 *     shifts it by that override's (DTSTART - RECURRENCE-ID), measured in
 *     the series' wall-clock time, and gives it the override's duration and
 *     properties (RFC 5545 §3.8.4.4).
 * Common rule shapes, and every rule finer than daily, run on fastrule.c,
 * which skips ahead by date arithmetic; for the others libical's
 * icalrecur_iterator_set_start skips ahead for rules without COUNT and with
 * FREQ of DAILY or coarser.  rule_check() (rulecheck.c) sees every rule
 * first: rules that never occur or cannot be understood add nothing.
 *
 * Work is bounded, not only the instances returned: every step of every
 * stream, EXRULEs included, is charged against ical_limits.max_expand_steps
 * (a step through libical weighs ICAL_LIBICAL_STEP), and the expansion
 * ends as if capped when the budget is spent or ical_cancel() was called.
 * EXRULE streams skip ahead to each candidate instead of stepping through
 * every occurrence in between (EXRULE:FREQ=SECONDLY under a YEARLY rule). */
#include <stdlib.h>
#include <string.h>

#include "ical/internal.h"

#define MAX_RULES 8
#define DAY 86400LL

/* One rule's occurrences: the fast path (fastrule.c) or libical's. */
typedef struct src_iter {
    int fast;
    fast_rule fr;
    icalrecur_iterator *it;
    struct icalrecurrencetype rule; /* as iterated (rule_check's copy) */
    struct icaltimetype cur;
    int64_t cur_utc;
    int done;
    unsigned long *work; /* the expansion's work counter */
} src_iter;

static void iter_step(src_iter *s, const icaltimezone *ftz)
{
    if (s->done) return;
    if (s->fast) {
        unsigned long before = s->fr.steps;
        s->cur = fast_next(&s->fr, &s->cur_utc);
        *s->work += s->fr.steps - before;
        if (icaltime_is_null_time(s->cur)) s->done = 1;
        return;
    }
    *s->work += ICAL_LIBICAL_STEP;
    s->cur = icalrecur_iterator_next(s->it);
    if (icaltime_is_null_time(s->cur))
        s->done = 1;
    else
        s->cur_utc = tt_utc(s->cur, ftz);
}

static int skippable(struct icalrecurrencetype r)
{
    return r.count == 0 && (r.freq == ICAL_DAILY_RECURRENCE || r.freq == ICAL_WEEKLY_RECURRENCE ||
                            r.freq == ICAL_MONTHLY_RECURRENCE || r.freq == ICAL_YEARLY_RECURRENCE);
}

static int iter_open(src_iter *s, icalproperty *p, struct icaltimetype start, int64_t skip_to,
                     int64_t start_utc, const icaltimezone *ftz, unsigned long *work)
{
    memset(s, 0, sizeof(*s));
    s->work = work;
    struct icalrecurrencetype raw = icalproperty_isa(p) == ICAL_EXRULE_PROPERTY
                                        ? icalproperty_get_exrule(p)
                                        : icalproperty_get_rrule(p);
    struct icalrecurrencetype r;
    const char *why;
    if (raw.freq == ICAL_NO_RECURRENCE || rule_check(&raw, start, &r, &why) != RULE_OK) {
        s->done = 1;
        return 0;
    }
    s->rule = r;
    if (fast_open(&s->fr, &r, start, ftz) == 0) {
        s->fast = 1;
        if (skip_to > start_utc) {
            struct icaltimetype l = tt_from_utc_like(skip_to, start, ftz);
            fast_skip(&s->fr, days_from_civil(l.year, (unsigned)l.month, (unsigned)l.day) - 1);
        }
        iter_step(s, ftz);
        return 0;
    }
    /* Nothing finer than daily goes to libical: it would step through
     * every second, minute or hour in between. */
    if (r.freq == ICAL_SECONDLY_RECURRENCE || r.freq == ICAL_MINUTELY_RECURRENCE ||
        r.freq == ICAL_HOURLY_RECURRENCE) {
        s->done = 1;
        return 0;
    }
    *work += 20 * ICAL_LIBICAL_STEP; /* the iterator's first search */
    s->it = icalrecur_iterator_new(r, start);
    if (!s->it) {
        s->done = 1;
        return 0;
    }
    if (skip_to > start_utc && skippable(r))
        icalrecur_iterator_set_start(s->it, tt_from_utc_like(skip_to, start, ftz));
    iter_step(s, ftz);
    return 0;
}

/* Moves stream s to its first occurrence at or after t (UTC), skipping
 * ahead where the stream can; a stream with COUNT must step. */
static void iter_seek(src_iter *s, int64_t t, struct icaltimetype like, const icaltimezone *ftz)
{
    if (s->done || s->cur_utc >= t) return;
    if (s->fast && !s->fr.count) {
        /* in a zone, three hours early: its offset may change in between */
        const icaltimezone *z = like.is_date || !like.zone ? ftz : like.zone;
        int64_t margin = icaltime_is_utc(like) || !z || z == icaltimezone_get_utc_timezone()
                             ? 0
                             : 3 * 3600;
        fast_seek(&s->fr, tt_civil(tt_from_utc_like(t, like, ftz)) - margin);
        iter_step(s, ftz);
    } else if (!s->fast && skippable(s->rule) && t - s->cur_utc > 31 * DAY) {
        *s->work += 20 * ICAL_LIBICAL_STEP;
        icalrecur_iterator_set_start(s->it, tt_from_utc_like(t, like, ftz));
        iter_step(s, ftz);
    }
    while (!s->done && s->cur_utc < t && *s->work <= ical_get_limits()->max_expand_steps &&
           !ical_cancelled())
        iter_step(s, ftz);
}

static void iter_close(src_iter *s)
{
    if (s->it) icalrecur_iterator_free(s->it);
    s->it = NULL;
}

typedef struct taf {
    shape sh;
    int64_t delta; /* wall-clock shift in seconds */
} taf;

static int excluded(const ical_rset *rs, int64_t s, struct icaltimetype local)
{
    for (unsigned lo = 0, hi = rs->nexdate; lo < hi;) {
        unsigned mid = lo + (hi - lo) / 2;
        if (rs->exdate[mid] == s) return 1;
        if (rs->exdate[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (rs->nexday) {
        int64_t c = tt_civil(local);
        int32_t day = (int32_t)(c >= 0 ? c / DAY : (c - DAY + 1) / DAY);
        for (unsigned i = 0; i < rs->nexday; i++)
            if (rs->exday[i] == day) return 1;
    }
    return 0;
}

static int overridden(const ical_rset *rs, int64_t s)
{
    for (unsigned lo = 0, hi = rs->novr; lo < hi;) {
        unsigned mid = lo + (hi - lo) / 2;
        if (rs->ovr_rid[mid] == s) return 1;
        if (rs->ovr_rid[mid] < s)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int loose(const ical_inst *in, int64_t from, int64_t until)
{
    int64_t lo, hi;
    inst_bounds(in, &lo, &hi);
    return hi >= from && lo <= until;
}

static int64_t shape_len(const shape *sh)
{
    int64_t l = sh->end_kind == END_NOMINAL ? sh->days * DAY + sh->secs + 2 * 3600 : sh->secs;
    return l > 0 ? l : 0;
}

int rset_expand(ical_object *o, ical_rset *rs, const icaltimezone *ftz, int64_t from, int64_t until,
                unsigned max, inst_fn fn, void *ctx, unsigned *flags)
{
    unsigned fl = 0, count = 0;
    int ret = 0;
    if (!max) max = ICAL_DEFAULT_MAX_INSTANCES;
    if (rset_prepare(o, rs, ftz) != 0) return -1;
    ical_comp *m = rs->master;
    shape msh;
    if (m) get_shape(o, m, ftz, &msh);
    int recurring = m && msh.has_start && msh.tr != TR_NEVER && (m->nrrule || m->nrdate);
    struct icaltimetype mstart = recurring ? msh.start : icaltime_null_time();

    /* Overrides first: each is one instance with its own times, unless an
     * EXDATE removed its RECURRENCE-ID. */
    for (unsigned i = 0; i < rs->novr; i++) {
        ical_inst in;
        if (m && excluded(rs, rs->ovr_rid[i], tt_from_utc_like(rs->ovr_rid[i], mstart, ftz)))
            continue;
        if (comp_base_instance(o, rs->ovr[i], ftz, &in) != 0) continue;
        in.rid = rs->ovr_rid[i];
        if (count >= max) {
            *flags = EXP_CAPPED | EXP_MORE;
            return 0;
        }
        count++;
        if (loose(&in, from, until) && fn(ctx, &in)) {
            *flags = fl;
            return 1;
        }
    }
    if (!m) {
        *flags = fl;
        return 0;
    }
    if (!recurring) {
        ical_inst in;
        int base = comp_base_instance(o, m, ftz, &in) == 0;
        /* An override whose RECURRENCE-ID is the single instance's start
         * replaces it (a rescheduled one-off some clients write so). */
        if (base && rs->novr && m->anchor && overridden(rs, in.a)) base = 0;
        if (base && count < max) {
            if (rs->novr) in.flags |= INST_RECURRING;
            if (loose(&in, from, until) && fn(ctx, &in)) ret = 1;
        } else if (base && count >= max) {
            fl |= EXP_CAPPED;
        }
        if (m->kind == ICAL_KIND_VFREEBUSY && !ret) {
            /* RFC 4791 §9.9: a VFREEBUSY without DTSTART and DTEND overlaps
             * by its FREEBUSY periods, each an instance of its own. */
            shape fs;
            get_shape(o, m, ftz, &fs);
            for (icalproperty *p = fs.tr == TR_NEVER ? icalcomponent_get_first_property(
                                                           m->c, ICAL_FREEBUSY_PROPERTY)
                                                     : NULL;
                 p && !ret; p = icalcomponent_get_next_property(m->c, ICAL_FREEBUSY_PROPERTY)) {
                struct icalperiodtype per = icalproperty_get_freebusy(p);
                ical_inst in2;
                memset(&in2, 0, sizeof(in2));
                in2.src = m;
                in2.rid = ICAL_TIME_MIN;
                in2.tr = TR_SPAN;
                in2.a = tt_utc(per.start, ftz);
                in2.b = icaltime_is_null_time(per.end)
                            ? in2.a + icaldurationtype_as_int(per.duration)
                            : tt_utc(per.end, ftz);
                if (loose(&in2, from, until) && fn(ctx, &in2)) ret = 1;
            }
        }
        *flags = fl;
        return ret;
    }

    /* THISANDFUTURE overrides: their shape and wall-clock shift. */
    taf *tafs = NULL;
    int64_t before = shape_len(&msh), after = 0;
    if (rs->has_taf) {
        tafs = calloc(rs->novr, sizeof(*tafs));
        if (!tafs) return -1;
        for (unsigned i = 0; i < rs->novr; i++) {
            if (!rs->ovr[i]->thisandfuture) continue;
            get_shape(o, rs->ovr[i], ftz, &tafs[i].sh);
            if (!tafs[i].sh.has_start) continue;
            struct icaltimetype ridl = tt_from_utc_like(rs->ovr_rid[i], mstart, ftz);
            struct icaltimetype stl = tt_from_utc_like(tt_utc(tafs[i].sh.start, ftz), mstart, ftz);
            tafs[i].delta = tt_civil(stl) - tt_civil(ridl);
            int64_t l = shape_len(&tafs[i].sh) + (tafs[i].delta > 0 ? tafs[i].delta : 0);
            if (l > before) before = l;
            if (-tafs[i].delta > after) after = -tafs[i].delta;
        }
    }
    int64_t skip_to = from == ICAL_TIME_MIN ? ICAL_TIME_MIN : sat_add(from, -(before + 2 * DAY));
    int64_t stop = sat_add(until, after);
    int64_t start_utc = tt_utc(mstart, ftz);

    src_iter rr[MAX_RULES], xr[MAX_RULES];
    unsigned nrr = m->nrrule < MAX_RULES ? m->nrrule : MAX_RULES;
    unsigned nxr = m->nexrule < MAX_RULES ? m->nexrule : MAX_RULES;
    unsigned long work = 0, budget = ical_get_limits()->max_expand_steps;
    for (unsigned i = 0; i < nrr; i++)
        iter_open(&rr[i], m->rrule[i], mstart, skip_to, start_utc, ftz, &work);
    for (unsigned i = 0; i < nxr; i++)
        iter_open(&xr[i], m->exrule[i], mstart, skip_to, start_utc, ftz, &work);
    int dt_pending = 1;
    unsigned rd = 0;

    while (ret == 0) {
        if (++work > budget || ical_cancelled()) {
            fl |= EXP_CAPPED | EXP_MORE;
            break;
        }
        /* Smallest next start among DTSTART, RDATEs and the rules. */
        int64_t s = ICAL_TIME_MAX;
        int have = 0;
        struct icaltimetype local = mstart;
        int64_t rd_end = -1;
        if (dt_pending) {
            s = start_utc;
            have = 1;
        }
        if (rd < rs->nrdate && (!have || rs->rdate_s[rd] < s)) {
            s = rs->rdate_s[rd];
            have = 1;
        }
        for (unsigned i = 0; i < nrr; i++)
            if (!rr[i].done && (!have || rr[i].cur_utc < s)) {
                s = rr[i].cur_utc;
                have = 1;
            }
        if (!have) break;
        /* Consume every stream positioned at s (duplicates are one
         * instance); an RDATE period gives the instance its own end. */
        int from_rule = 0;
        if (dt_pending && start_utc == s) dt_pending = 0;
        while (rd < rs->nrdate && rs->rdate_s[rd] == s) {
            if (rs->rdate_e[rd] >= s) rd_end = rs->rdate_e[rd];
            rd++;
        }
        for (unsigned i = 0; i < nrr; i++)
            while (!rr[i].done && rr[i].cur_utc == s) {
                local = rr[i].cur;
                from_rule = 1;
                iter_step(&rr[i], ftz);
            }
        if (!from_rule) local = s == start_utc ? mstart : tt_from_utc_like(s, mstart, ftz);
        if (s > stop) {
            fl |= EXP_MORE;
            break;
        }
        int xout = 0;
        for (unsigned i = 0; i < nxr; i++) {
            iter_seek(&xr[i], s, mstart, ftz);
            if (!xr[i].done && xr[i].cur_utc == s) xout = 1;
        }
        if (work > budget) {
            fl |= EXP_CAPPED | EXP_MORE;
            break;
        }
        if (xout || excluded(rs, s, local) || overridden(rs, s)) continue;

        ical_inst in;
        memset(&in, 0, sizeof(in));
        int t = -1;
        for (unsigned i = 0; tafs && i < rs->novr && rs->ovr_rid[i] <= s; i++)
            if (rs->ovr[i]->thisandfuture && tafs[i].sh.has_start) t = (int)i;
        if (t >= 0) {
            struct icaltimetype nl =
                tt_from_civil(tt_civil(local) + tafs[t].delta, local.is_date, local.zone);
            make_inst(&tafs[t].sh, nl, ftz, &in);
            in.src = rs->ovr[t];
            in.flags |= INST_OVERRIDE;
        } else {
            make_inst(&msh, local, ftz, &in);
            in.src = m;
            if (rd_end >= 0) {
                in.b = rd_end;
                in.tr = rd_end > s ? TR_SPAN : TR_POINT;
            }
        }
        in.rid = s;
        in.flags |= INST_RECURRING;
        if (count >= max) {
            fl |= EXP_CAPPED | EXP_MORE;
            break;
        }
        count++;
        if (loose(&in, from, until) && fn(ctx, &in)) ret = 1;
    }
    for (unsigned i = 0; i < nrr; i++)
        iter_close(&rr[i]);
    for (unsigned i = 0; i < nxr; i++)
        iter_close(&xr[i]);
    free(tafs);
    *flags = fl;
    return ret;
}

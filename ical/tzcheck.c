/* The one check every VTIMEZONE passes before libical expands it.
 *
 * libical 3.0's icaltimezone_expand_vtimezone (icaltimezone.c) turns each
 * STANDARD/DAYLIGHT observance into entries of the zone's table of offset
 * changes, the first time an offset is asked for:
 *  - an observance without RRULE adds one entry (its DTSTART);
 *  - each RDATE property adds one entry;
 *  - each RRULE is iterated with icalrecur_iterator_next from the
 *    observance's DTSTART, one entry per occurrence, until an occurrence
 *    falls after the end year (the year asked about, at least this year,
 *    plus 5, at most 2582) or the rule ends.  Nothing else bounds it: a
 *    MINUTELY rule from 1600 is half a billion entries (1.6 GB in 25 s), and
 *    a rule whose occurrences never come makes the iterator itself search.
 * The table is rebuilt whenever a later year is asked for, and cached zones
 * (zonecache.c) keep theirs for the life of the process.
 *
 * So a VTIMEZONE is accepted only if every rule is YEARLY or MONTHLY (real
 * zones use YEARLY; RFC 5545 §3.6.5 examples and every zone database export
 * do), passes rule_check() (no rule that never occurs, nothing libical
 * cannot compute), yields few occurrences per year, and the table it would
 * build, counted to 2582, stays within ical_limits.max_tz_changes. */
#include <string.h>

#include "ical/internal.h"

#define TZ_END_YEAR 2582
/* Occurrences one rule may have in a year: a MONTHLY rule has 12; YEARLY
 * rules written as "the Sunday among days 8..14 of March" list 7 days. */
#define TZ_MAX_PER_YEAR 12

static int set_len(const short *a, int cap)
{
    int n = 0;
    while (n < cap && a[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
}

/* An upper bound of the occurrences of r in one year (expansions only;
 * filters can only remove). */
static long per_year(const struct icalrecurrencetype *r)
{
    long nmo = set_len(r->by_month, ICAL_BY_MONTH_SIZE);
    long nmd = set_len(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
    long nyd = set_len(r->by_year_day, ICAL_BY_YEARDAY_SIZE);
    long nwk = set_len(r->by_week_no, ICAL_BY_WEEKNO_SIZE);
    long nday = set_len(r->by_day, ICAL_BY_DAY_SIZE);
    long nh = set_len(r->by_hour, ICAL_BY_HOUR_SIZE);
    long nm = set_len(r->by_minute, ICAL_BY_MINUTE_SIZE);
    long ns = set_len(r->by_second, ICAL_BY_SECOND_SIZE);
    long days = 0;
    if (nyd) {
        days = nyd;
    } else if (nwk) {
        days = nwk * 7;
    } else if (nmd && nday) {
        /* BYDAY filters the month days ("the Sunday among the 8th to the
         * 14th"): the most that can pass, over every month length and
         * weekday of the 1st */
        for (int len = 28; len <= 31; len++)
            for (int first = 0; first < 7; first++) {
                long n = 0;
                for (long i = 0; i < nmd; i++) {
                    int v = r->by_month_day[i], d = v > 0 ? v : len + v + 1;
                    if (d < 1 || d > len) continue;
                    int wd = (first + d - 1) % 7 + 1; /* 1 = Sunday, as libical */
                    for (long k = 0; k < nday; k++)
                        if ((int)icalrecurrencetype_day_day_of_week(r->by_day[k]) == wd) {
                            n++;
                            break;
                        }
                }
                if (n > days) days = n;
            }
    } else if (nmd) {
        days = nmd;
    } else if (nday) {
        for (long i = 0; i < nday; i++)
            days += icalrecurrencetype_day_position(r->by_day[i]) ? 1 : (nmo || r->freq ==
                                                                         ICAL_MONTHLY_RECURRENCE)
                                                                            ? 5
                                                                            : 53;
    } else {
        days = 1;
    }
    long months = r->freq == ICAL_MONTHLY_RECURRENCE ? 12 : nmo ? nmo : 1;
    if (nyd || nwk || (nday && !nmo && !nmd && r->freq == ICAL_YEARLY_RECURRENCE)) months = 1;
    return months * days * (nh ? nh : 1) * (nm ? nm : 1) * (ns ? ns : 1);
}

int tz_component_check(icalcomponent *vtz, const char **why)
{
    const ical_limits *lim = ical_get_limits();
    unsigned long changes = 0;
    *why = NULL;
    for (icalcomponent *obs = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT); obs;
         obs = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
        icalcomponent_kind k = icalcomponent_isa(obs);
        if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT) continue;
        struct icaltimetype start = icaltime_null_time();
        icalproperty *sp = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
        if (sp) start = icalproperty_get_dtstart(sp);
        int nrule = 0;
        for (icalproperty *p = icalcomponent_get_first_property(obs, ICAL_ANY_PROPERTY); p;
             p = icalcomponent_get_next_property(obs, ICAL_ANY_PROPERTY)) {
            icalproperty_kind pk = icalproperty_isa(p);
            if (pk == ICAL_RDATE_PROPERTY) {
                changes++;
                continue;
            }
            if (pk != ICAL_RRULE_PROPERTY) continue;
            nrule++;
            struct icalrecurrencetype r = icalproperty_get_rrule(p), clean;
            if (r.freq != ICAL_YEARLY_RECURRENCE && r.freq != ICAL_MONTHLY_RECURRENCE) {
                *why = "a VTIMEZONE rule must be YEARLY or MONTHLY";
                return -1;
            }
            if (icaltime_is_null_time(start) || start.is_date || !tt_valid(start)) {
                *why = "a VTIMEZONE observance with a rule needs a DATE-TIME DTSTART";
                return -1;
            }
            const char *rw;
            if (rule_check(&r, start, &clean, &rw) != RULE_OK) {
                *why = rw;
                return -1;
            }
            long n = per_year(&clean);
            if (n > TZ_MAX_PER_YEAR) {
                *why = "a VTIMEZONE rule with too many occurrences per year";
                return -1;
            }
            long years = TZ_END_YEAR - start.year + 1;
            if (!icaltime_is_null_time(r.until) && r.until.year < TZ_END_YEAR)
                years = r.until.year - start.year + 1;
            if (years < 1) years = 1;
            unsigned long add = (unsigned long)(years * n);
            if (r.count > 0 && (unsigned long)r.count < add) add = (unsigned long)r.count;
            changes += add;
        }
        if (!nrule) changes++;
        if (changes > lim->max_tz_changes) break;
    }
    if (changes > lim->max_tz_changes) {
        *why = "a VTIMEZONE with more offset changes than the server accepts";
        return -1;
    }
    return 0;
}

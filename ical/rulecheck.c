/* Recurrence rules checked before libical sees them.
 *
 * libical 3.0's icalrecur_iterator has loops that do not yield until they
 * find an occurrence: icalrecur_iterator_new searches period after period up
 * to year 20000 for the first one (MONTHLY;BYDAY=6MO: 217,000 months, 2.6 s
 * under the sanitizers), and icalrecur_iterator_next steps one unit at a
 * time up to year 2582 while the contracting BY parts reject every candidate
 * (SECONDLY;BYSECOND=60: billions of steps).  No count of our own can stop
 * such a call, so rules are sorted out here:
 *
 *  - values that can never match are removed: BYSECOND=60 (times here have
 *    no leap seconds), BYYEARDAY beyond 366, BYWEEKNO beyond 53, BYMONTH 13
 *    outside RSCALE, BYSETPOS beyond 366, BYDAY ordinals beyond 5 within a
 *    month or 53 within a year (libical's parser lets all of these through).
 *    RFC 5545 §3.3.10: values beyond the scope of a period are ignored;
 *  - a rule left without any value in a BY part it had, or whose months and
 *    days never meet (30 February, the 2nd Monday on the 1st, a BYSETPOS
 *    past every set, BYMONTH that MONTHLY's INTERVAL never reaches) has no
 *    occurrences: RULE_NEVER, and only DTSTART remains (RFC 5545 §3.8.5.3);
 *  - what RFC 5545 forbids and libical refuses or cannot compute is
 *    RULE_INVALID (PUT answers CALDAV:valid-calendar-data).
 * Rules finer than daily, and DAILY rules with BY parts, never reach libical
 * (fastrule.c computes them, skipping ahead); the test for those is whether
 * a time of day the BY parts allow is ever reached from DTSTART. */
#include <string.h>
#include <strings.h>

#include "ical/internal.h"

static int set_len(const short *a, int cap)
{
    int n = 0;
    while (n < cap && a[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
}

/* Keeps the entries keep() accepts; returns -1 when a non-empty list was
 * emptied, else the new length. */
static int filter_list(short *a, int cap, int (*keep)(short v, const void *ctx), const void *ctx)
{
    int n = set_len(a, cap), m = 0;
    for (int i = 0; i < n; i++)
        if (keep(a[i], ctx)) a[m++] = a[i];
    if (m < cap) a[m] = ICAL_RECURRENCE_ARRAY_MAX;
    return n && !m ? -1 : m;
}

static int keep_second(short v, const void *ctx)
{
    (void)ctx;
    return v >= 0 && v <= 59;
}

static int keep_366(short v, const void *ctx)
{
    (void)ctx;
    return v != 0 && v >= -366 && v <= 366;
}

static int keep_53(short v, const void *ctx)
{
    (void)ctx;
    return v != 0 && v >= -53 && v <= 53;
}

static int keep_month(short v, const void *ctx)
{
    int rscale = *(const int *)ctx;
    if (rscale) return 1;
    return v >= 1 && v <= 12;
}

typedef struct byday_ctx {
    int maxpos; /* 0: positions are dropped (kept as plain weekdays) */
} byday_ctx;

static int keep_byday(short v, const void *ctx)
{
    const byday_ctx *b = ctx;
    int wd = (int)icalrecurrencetype_day_day_of_week(v);
    int pos = icalrecurrencetype_day_position(v);
    if (wd < 1 || wd > 7) return 0;
    if (b->maxpos && (pos > b->maxpos || pos < -b->maxpos)) return 0;
    return 1;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a < 0 ? -a : a;
}

static int leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int dim(int64_t y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Number of days of month (y, m) that libical's month expansion yields:
 * BYMONTHDAY, BYDAY (within the month, a filter when BYMONTHDAY is there
 * too), or DTSTART's day; then BYSETPOS.  Mirrors expand_month_days(). */
static int month_set(const struct icalrecurrencetype *r, int64_t y, int m, int dday)
{
    int len = dim(y, m);
    int first = (int)((days_from_civil((int)y, (unsigned)m, 1) + 4) % 7); /* 0 = Sunday */
    if (first < 0) first += 7;
    unsigned char in[32];
    memset(in, 0, sizeof(in));
    int nmd = set_len(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
    int nday = set_len(r->by_day, ICAL_BY_DAY_SIZE);
    if (nmd) {
        for (int i = 0; i < nmd; i++) {
            int v = r->by_month_day[i], d = v > 0 ? v : len + v + 1;
            if (d >= 1 && d <= len) in[d] = 1;
        }
    } else if (!nday) {
        if (dday <= len) in[dday] = 1;
    }
    if (nday) {
        unsigned char bd[32];
        memset(bd, 0, sizeof(bd));
        for (int i = 0; i < nday; i++) {
            int wd = (int)icalrecurrencetype_day_day_of_week(r->by_day[i]) - 1;
            int pos = icalrecurrencetype_day_position(r->by_day[i]);
            int d1 = (wd - first + 7) % 7 + 1;
            int dl = d1 + (len - d1) / 7 * 7;
            if (pos == 0) {
                for (int d = d1; d <= len; d += 7)
                    bd[d] = 1;
            } else {
                int d = pos > 0 ? d1 + (pos - 1) * 7 : dl + (pos + 1) * 7;
                if (d >= 1 && d <= len) bd[d] = 1;
            }
        }
        for (int d = 1; d <= len; d++)
            in[d] = nmd ? (in[d] && bd[d]) : bd[d];
    }
    int n = 0;
    for (int d = 1; d <= len; d++)
        n += in[d];
    return n;
}

static int in_months(const struct icalrecurrencetype *r, int m)
{
    int n = set_len(r->by_month, ICAL_BY_MONTH_SIZE);
    if (!n) return 1;
    for (int i = 0; i < n; i++)
        if (r->by_month[i] == m) return 1;
    return 0;
}

/* Nonzero if some BYSETPOS selects from a set of n (or there is none). */
static int setpos_fits(const struct icalrecurrencetype *r, int n)
{
    int ns = set_len(r->by_set_pos, ICAL_BY_SETPOS_SIZE);
    if (!ns) return n > 0;
    for (int i = 0; i < ns; i++) {
        int p = r->by_set_pos[i];
        if ((p > 0 ? p : -p) <= n) return 1;
    }
    return 0;
}

/* MONTHLY, and YEARLY whose days are chosen within months: walks one
 * Gregorian cycle (400 years; the calendar and its weekdays repeat after
 * it) over the periods INTERVAL reaches.  Nonzero if some period has an
 * occurrence. */
static int occurs_in_cycle(const struct icalrecurrencetype *r, struct icaltimetype s)
{
    if (r->freq == ICAL_MONTHLY_RECURRENCE) {
        int64_t steps = 4800 / gcd64(r->interval, 4800);
        for (int64_t k = 0; k <= steps; k++) {
            int64_t mi = (s.month - 1) + k * r->interval;
            int64_t y = s.year + mi / 12;
            int m = (int)(mi % 12) + 1;
            if (in_months(r, m) && setpos_fits(r, month_set(r, y, m, s.day))) return 1;
        }
        return 0;
    }
    int nmo = set_len(r->by_month, ICAL_BY_MONTH_SIZE);
    int64_t steps = 400 / gcd64(r->interval, 400);
    for (int64_t k = 0; k <= steps; k++) {
        int64_t y = s.year + k * r->interval;
        int total = 0;
        for (int m = 1; m <= 12; m++)
            if (nmo ? in_months(r, m) : m == s.month) total += month_set(r, y, m, s.day);
        if (setpos_fits(r, total)) return 1;
    }
    return 0;
}

/* Sub-daily and DAILY rules (fastrule.c): periods start every INTERVAL
 * units from DTSTART's, so the time of day of a period start stays in one
 * class modulo g = gcd(INTERVAL * unit, 86400).  The rule can occur only if
 * some start the limiting BYHOUR/BYMINUTE/BYSECOND allow is in that class. */
static int time_reachable(const struct icalrecurrencetype *r, struct icaltimetype s)
{
    int64_t unit = r->freq == ICAL_SECONDLY_RECURRENCE   ? 1
                   : r->freq == ICAL_MINUTELY_RECURRENCE ? 60
                   : r->freq == ICAL_HOURLY_RECURRENCE   ? 3600
                                                         : 86400;
    if (unit == 86400) return 1;
    int64_t g = gcd64(unit * r->interval, 86400);
    int64_t tod = s.hour * 3600 + s.minute * 60 + s.second;
    int64_t base = tod - tod % unit;
    int nh = set_len(r->by_hour, ICAL_BY_HOUR_SIZE);
    int nm = unit < 3600 ? set_len(r->by_minute, ICAL_BY_MINUTE_SIZE) : 0;
    int ns = unit < 60 ? set_len(r->by_second, ICAL_BY_SECOND_SIZE) : 0;
    for (int h = 0; h < 24; h++) {
        int ok = !nh;
        for (int i = 0; i < nh && !ok; i++)
            ok = r->by_hour[i] == h;
        if (!ok) continue;
        for (int m = 0; m < (unit < 3600 ? 60 : 1); m++) {
            ok = !nm;
            for (int i = 0; i < nm && !ok; i++)
                ok = r->by_minute[i] == m;
            if (!ok) continue;
            for (int sec = 0; sec < (unit < 60 ? 60 : 1); sec++) {
                ok = !ns;
                for (int i = 0; i < ns && !ok; i++)
                    ok = r->by_second[i] == sec;
                if (ok && ((h * 3600 + m * 60 + sec) - base) % g == 0) return 1;
            }
        }
    }
    return 0;
}

int rule_check(const struct icalrecurrencetype *in, struct icaltimetype dtstart,
               struct icalrecurrencetype *out, const char **why)
{
    static const char *const never = "the rule never occurs";
    struct icalrecurrencetype r = *in;
    *out = r;
    *why = NULL;
    int f = r.freq;
    if (f == ICAL_NO_RECURRENCE || f < ICAL_SECONDLY_RECURRENCE || f > ICAL_YEARLY_RECURRENCE) {
        *why = "rule without a valid FREQ";
        return RULE_INVALID;
    }
    if (r.interval < 1) {
        *why = "INTERVAL must be a positive integer";
        return RULE_INVALID;
    }
    int rscale = r.rscale && *r.rscale && strcasecmp(r.rscale, "GREGORIAN") != 0;
    int subdaily = f == ICAL_SECONDLY_RECURRENCE || f == ICAL_MINUTELY_RECURRENCE ||
                   f == ICAL_HOURLY_RECURRENCE;
    int nwk = set_len(r.by_week_no, ICAL_BY_WEEKNO_SIZE);
    int nyd = set_len(r.by_year_day, ICAL_BY_YEARDAY_SIZE);
    int nmd = set_len(r.by_month_day, ICAL_BY_MONTHDAY_SIZE);
    int nmo = set_len(r.by_month, ICAL_BY_MONTH_SIZE);
    int nday = set_len(r.by_day, ICAL_BY_DAY_SIZE);
    /* RFC 5545 §3.3.10: BYWEEKNO only in YEARLY; BYYEARDAY not in DAILY,
     * WEEKLY, MONTHLY; BYMONTHDAY not in WEEKLY. */
    if (nwk && f != ICAL_YEARLY_RECURRENCE) {
        *why = "BYWEEKNO is only allowed in YEARLY rules";
        return RULE_INVALID;
    }
    if (nyd && (f == ICAL_DAILY_RECURRENCE || f == ICAL_WEEKLY_RECURRENCE ||
                f == ICAL_MONTHLY_RECURRENCE)) {
        *why = "BYYEARDAY is not allowed in DAILY, WEEKLY or MONTHLY rules";
        return RULE_INVALID;
    }
    if (nmd && f == ICAL_WEEKLY_RECURRENCE) {
        *why = "BYMONTHDAY is not allowed in WEEKLY rules";
        return RULE_INVALID;
    }
    /* libical 3.0 computes none of these (its iterator refuses them). */
    if (f == ICAL_YEARLY_RECURRENCE &&
        ((nyd && (nwk || nmo || nmd)) || (nwk && (nmd || (nmo && !nday))))) {
        *why = "this combination of BY parts is not supported";
        return RULE_INVALID;
    }
    if (subdaily && (dtstart.is_date || rscale)) {
        *why = "a rule finer than DAILY needs a DATE-TIME DTSTART and no RSCALE";
        return RULE_INVALID;
    }

    /* Values outside every period (RFC 5545 §3.3.10: ignored). */
    byday_ctx bc = {0};
    if (f == ICAL_MONTHLY_RECURRENCE || (f == ICAL_YEARLY_RECURRENCE && nmo && !nwk))
        bc.maxpos = 5;
    else if (f == ICAL_YEARLY_RECURRENCE && !nwk)
        bc.maxpos = 53;
    if (nday && !bc.maxpos) {
        /* Ordinals mean nothing outside MONTHLY and YEARLY (§3.3.10 forbids
         * them); clients that write them mean the weekday. */
        for (int i = 0; i < nday; i++)
            r.by_day[i] = (short)icalrecurrencetype_day_day_of_week(r.by_day[i]);
    }
    if (filter_list(r.by_second, ICAL_BY_SECOND_SIZE, keep_second, NULL) < 0 ||
        filter_list(r.by_year_day, ICAL_BY_YEARDAY_SIZE, keep_366, NULL) < 0 ||
        filter_list(r.by_week_no, ICAL_BY_WEEKNO_SIZE, keep_53, NULL) < 0 ||
        filter_list(r.by_month, ICAL_BY_MONTH_SIZE, keep_month, &rscale) < 0 ||
        filter_list(r.by_set_pos, ICAL_BY_SETPOS_SIZE, keep_366, NULL) < 0 ||
        filter_list(r.by_day, ICAL_BY_DAY_SIZE, keep_byday, &bc) < 0) {
        *why = never;
        *out = r;
        return RULE_NEVER;
    }
    *out = r;
    if (rscale || dtstart.year < 1 || dtstart.month < 1 || dtstart.month > 12) return RULE_OK;
    if (subdaily && !time_reachable(&r, dtstart)) {
        *why = never;
        return RULE_NEVER;
    }
    if (f == ICAL_MONTHLY_RECURRENCE ||
        (f == ICAL_YEARLY_RECURRENCE && !nyd && !nwk && (nmo || !nday))) {
        if (!occurs_in_cycle(&r, dtstart)) {
            *why = never;
            return RULE_NEVER;
        }
    } else if (f == ICAL_WEEKLY_RECURRENCE || f == ICAL_DAILY_RECURRENCE || subdaily) {
        /* BYMONTH limits these: the months must exist at all (done above);
         * BYMONTHDAY with BYMONTH must meet in some month. */
        if (nmd && nmo) {
            int ok = 0;
            for (int m = 1; m <= 12 && !ok; m++)
                for (int i = 0; in_months(&r, m) && i < nmd && !ok; i++) {
                    int v = r.by_month_day[i];
                    ok = (v > 0 ? v : -v) <= dim(2000, m);
                }
            if (!ok) {
                *why = never;
                return RULE_NEVER;
            }
        }
    }
    return RULE_OK;
}

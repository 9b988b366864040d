/* A fast path for the recurrence rules clients actually write.
 *
 * libical 3.0 as built by Debian runs every rule through ICU's calendar
 * code, at about 3 microseconds per occurrence; an index over ten years of
 * a daily event costs tens of milliseconds.  The shapes below cover nearly
 * every event Apple, Google, Outlook, Thunderbird and Evolution write, and
 * are plain civil-date arithmetic:
 *
 *   DAILY   [INTERVAL] [BYDAY=weekdays without ordinals, as a filter]
 *   WEEKLY  [INTERVAL] [BYDAY=weekdays without ordinals] [WKST]
 *   MONTHLY [INTERVAL] [BYMONTHDAY=the DTSTART day]
 *   YEARLY  [INTERVAL] [BYMONTH=the DTSTART month] [BYMONTHDAY=the DTSTART day]
 *
 * each with COUNT or UNTIL.  And every rule finer than daily, and DAILY
 * with other BY parts (sub-day rules, below), which libical would step
 * through one second, minute or hour at a time.  Occurrences are DTSTART's wall-clock time on
 * each generated day; dates that do not exist (31 April, 29 February of a
 * common year) are skipped and not counted (RFC 5545 §3.3.10).  Anything
 * else goes to libical.  test_ical_recur checks that both agree. */
#include <stdlib.h>
#include <string.h>

#include "ical/internal.h"

#define DAY 86400LL
#define LAST_YEAR 2582 /* where libical stops too */

static int set_len(const short *a, int cap)
{
    int n = 0;
    while (n < cap && a[n] != ICAL_RECURRENCE_ARRAY_MAX)
        n++;
    return n;
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

/* 0 = Sunday, as libical's weekday enum minus one. */
static int weekday(int64_t days)
{
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return -floor_div(-a, b);
}

static int cmp_sc(const void *a, const void *b)
{
    return *(const signed char *)a - *(const signed char *)b;
}

/* A BY list as sorted distinct values in [0, n) (expansion). */
static int take_list(signed char *dst, const short *src, int cap, int n)
{
    unsigned char seen[64] = {0};
    int k = 0;
    for (int i = 0; i < cap && src[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (src[i] >= 0 && src[i] < n && !seen[src[i]]) {
            seen[src[i]] = 1;
            dst[k++] = (signed char)src[i];
        }
    qsort(dst, (size_t)k, 1, cmp_sc);
    return k;
}

static uint64_t take_mask(const short *src, int cap, int n)
{
    uint64_t m = 0;
    for (int i = 0; i < cap && src[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (src[i] >= 0 && src[i] < n) m |= 1ull << src[i];
    return m;
}

/* RFC 5545 §3.3.10, the table of BY parts: for SECONDLY..HOURLY the parts
 * of the unit and coarser limit, finer ones expand; for DAILY the time
 * parts expand and BYDAY, BYMONTHDAY, BYMONTH limit. */
static int sub_open(fast_rule *f, const struct icalrecurrencetype *r, struct icaltimetype start)
{
    f->sub = 1;
    f->unit = r->freq == ICAL_SECONDLY_RECURRENCE   ? 1
              : r->freq == ICAL_MINUTELY_RECURRENCE ? 60
              : r->freq == ICAL_HOURLY_RECURRENCE   ? 3600
                                                    : DAY;
    f->step = f->unit * r->interval;
    f->dt_civ = tt_civil(start);
    int64_t tod = f->dt_civ - floor_div(f->dt_civ, DAY) * DAY;
    f->base = f->dt_civ - tod % f->unit;
    f->nsel = f->cand = 0;
    signed char dh = (signed char)start.hour, dm = (signed char)start.minute,
                ds = (signed char)start.second;
    if (start.is_date) dh = dm = ds = 0;
    f->nh = f->nm = f->ns = 1;
    f->hh[0] = dh;
    f->mm[0] = dm;
    f->ss[0] = ds;
    /* An all-day rule has no times: its time BY parts mean nothing. */
    if (!start.is_date) {
        if (f->unit == DAY) {
            int n = take_list(f->hh, r->by_hour, ICAL_BY_HOUR_SIZE, 24);
            if (n) f->nh = n;
        } else {
            f->hlim = (uint32_t)take_mask(r->by_hour, ICAL_BY_HOUR_SIZE, 24);
        }
        if (f->unit >= 3600) {
            int n = take_list(f->mm, r->by_minute, ICAL_BY_MINUTE_SIZE, 60);
            if (n) f->nm = n;
        } else {
            f->mlim = take_mask(r->by_minute, ICAL_BY_MINUTE_SIZE, 60);
        }
        if (f->unit >= 60) {
            int n = take_list(f->ss, r->by_second, ICAL_BY_SECOND_SIZE, 60);
            if (n) f->ns = n;
        } else {
            f->slim = take_mask(r->by_second, ICAL_BY_SECOND_SIZE, 60);
        }
    }
    for (int i = 0; i < ICAL_BY_MONTH_SIZE && r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
        if (r->by_month[i] >= 1 && r->by_month[i] <= 12) f->months |= 1u << r->by_month[i];
    for (int i = 0; i < ICAL_BY_DAY_SIZE && r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
        int wd = (int)icalrecurrencetype_day_day_of_week(r->by_day[i]);
        if (wd >= 1 && wd <= 7) f->wdays |= 1u << (wd - 1);
    }
    for (int i = 0;
         i < ICAL_BY_MONTHDAY_SIZE && r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
        int v = r->by_month_day[i];
        if (v >= 1 && v <= 31) f->mday_pos |= 1u << v;
        if (v <= -1 && v >= -31) f->mday_neg |= 1u << -v;
    }
    for (int i = 0; i < ICAL_BY_YEARDAY_SIZE && r->by_year_day[i] != ICAL_RECURRENCE_ARRAY_MAX;
         i++) {
        int v = r->by_year_day[i];
        if (v >= 1 && v <= 366) f->yday_pos[v / 64] |= 1ull << (v % 64);
        if (v <= -1 && v >= -366) f->yday_neg[-v / 64] |= 1ull << (-v % 64);
    }
    int nyd = set_len(r->by_year_day, ICAL_BY_YEARDAY_SIZE);
    f->dayfilter = f->months || f->wdays || f->mday_pos || f->mday_neg || nyd;
    int nsp = set_len(r->by_set_pos, ICAL_BY_SETPOS_SIZE);
    if (nsp > FAST_MAX_SETPOS) return -1;
    for (int i = 0; i < nsp; i++)
        f->setpos[f->nsetpos++] = r->by_set_pos[i];
    return 0;
}

/* What every generator keeps of the rule: its step, its end, its start. */
static void rule_bounds(fast_rule *f, const struct icalrecurrencetype *r, struct icaltimetype start,
                        const icaltimezone *ftz)
{
    f->interval = r->interval;
    f->count = r->count;
    if (!icaltime_is_null_time(r->until)) {
        f->has_until = 1;
        f->until_utc = tt_utc(r->until, ftz);
    }
    f->start = start;
    f->ftz = ftz;
}

int fast_open(fast_rule *f, const struct icalrecurrencetype *r, struct icaltimetype start,
              const icaltimezone *ftz)
{
    memset(f, 0, sizeof(*f));
    if (r->rscale || r->interval < 1 || !tt_valid(start)) return -1;
    int subday = r->freq == ICAL_SECONDLY_RECURRENCE || r->freq == ICAL_MINUTELY_RECURRENCE ||
                 r->freq == ICAL_HOURLY_RECURRENCE;
    if (r->freq == ICAL_DAILY_RECURRENCE &&
        (set_len(r->by_second, ICAL_BY_SECOND_SIZE) || set_len(r->by_minute, ICAL_BY_MINUTE_SIZE) ||
         set_len(r->by_hour, ICAL_BY_HOUR_SIZE) || set_len(r->by_set_pos, ICAL_BY_SETPOS_SIZE) ||
         set_len(r->by_month_day, ICAL_BY_MONTHDAY_SIZE) ||
         set_len(r->by_month, ICAL_BY_MONTH_SIZE)))
        subday = 1;
    if (subday) {
        if (set_len(r->by_week_no, ICAL_BY_WEEKNO_SIZE) ||
            (r->freq == ICAL_DAILY_RECURRENCE && set_len(r->by_year_day, ICAL_BY_YEARDAY_SIZE)))
            return -1;
        f->freq = r->freq;
        rule_bounds(f, r, start, ftz);
        return sub_open(f, r, start);
    }
    if (set_len(r->by_second, ICAL_BY_SECOND_SIZE) || set_len(r->by_minute, ICAL_BY_MINUTE_SIZE) ||
        set_len(r->by_hour, ICAL_BY_HOUR_SIZE) || set_len(r->by_year_day, ICAL_BY_YEARDAY_SIZE) ||
        set_len(r->by_week_no, ICAL_BY_WEEKNO_SIZE) || set_len(r->by_set_pos, ICAL_BY_SETPOS_SIZE))
        return -1;
    int nday = set_len(r->by_day, ICAL_BY_DAY_SIZE);
    int nmd = set_len(r->by_month_day, ICAL_BY_MONTHDAY_SIZE);
    int nmo = set_len(r->by_month, ICAL_BY_MONTH_SIZE);
    f->freq = r->freq;
    switch (r->freq) {
    case ICAL_DAILY_RECURRENCE:
    case ICAL_WEEKLY_RECURRENCE:
        if (nmd || nmo) return -1;
        for (int i = 0; i < nday; i++) {
            if (icalrecurrencetype_day_position(r->by_day[i]) != 0) return -1;
            int wd = (int)icalrecurrencetype_day_day_of_week(r->by_day[i]);
            if (wd < 1 || wd > 7) return -1;
            f->mask |= 1u << (wd - 1);
        }
        break;
    case ICAL_MONTHLY_RECURRENCE:
        if (nday || nmo || nmd > 1 || (nmd == 1 && r->by_month_day[0] != start.day)) return -1;
        break;
    case ICAL_YEARLY_RECURRENCE:
        if (nday || nmd > 1 || (nmd == 1 && r->by_month_day[0] != start.day) || nmo > 1 ||
            (nmo == 1 && (icalrecurrencetype_month_is_leap(r->by_month[0]) ||
                          icalrecurrencetype_month_month(r->by_month[0]) != start.month)))
            return -1;
        break;
    default:
        return -1;
    }
    rule_bounds(f, r, start, ftz);
    f->day0 = days_from_civil(start.year, (unsigned)start.month, (unsigned)start.day);
    f->tod = start.is_date ? 0 : start.hour * 3600 + start.minute * 60 + start.second;
    if (f->freq == ICAL_WEEKLY_RECURRENCE) {
        if (!f->mask) f->mask = 1u << weekday(f->day0);
        int wkst = (int)r->week_start - 1; /* ICAL_MONDAY_WEEKDAY when absent */
        if (wkst < 0 || wkst > 6) wkst = 1;
        f->week0 = f->day0 - ((weekday(f->day0) - wkst + 7) % 7);
    }
    return 0;
}

static int sub_day_ok(const fast_rule *f, int64_t day)
{
    if (!f->dayfilter) return 1;
    int y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    if (f->months && !(f->months >> m & 1)) return 0;
    if (f->wdays && !(f->wdays >> weekday(day) & 1)) return 0;
    if ((f->mday_pos | f->mday_neg) && !(f->mday_pos >> d & 1) &&
        !(f->mday_neg >> (dim(y, (int)m) - (int)d + 1) & 1))
        return 0;
    uint64_t any = 0;
    for (int i = 0; i < 6; i++)
        any |= f->yday_pos[i] | f->yday_neg[i];
    if (any) {
        int doy = (int)(day - days_from_civil(y, 1, 1)) + 1;
        int back = (leap(y) ? 366 : 365) - doy + 1;
        if (!(f->yday_pos[doy / 64] >> (doy % 64) & 1) &&
            !(f->yday_neg[back / 64] >> (back % 64) & 1))
            return 0;
    }
    return 1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* Opens the next period that passes the limiting parts; 0 when the rule is
 * exhausted.  Periods are skipped a day, an hour or a minute at a time when
 * that much fails a limit, so the work per occurrence stays small whenever
 * rule_check() found the rule can occur at all. */
static int sub_open_period(fast_rule *f)
{
    const int64_t last_day = days_from_civil(LAST_YEAR, 12, 31);
    for (;;) {
        f->steps++;
        if (ical_cancelled()) return 0;
        int64_t t = f->base + f->k * f->step;
        int64_t day = floor_div(t, DAY), tod = t - day * DAY;
        if (day > last_day) return 0;
        int64_t next = 0;
        if (!sub_day_ok(f, day))
            next = (day + 1) * DAY;
        else if (f->hlim && !(f->hlim >> (tod / 3600) & 1))
            next = day * DAY + (tod / 3600 + 1) * 3600;
        else if (f->mlim && !(f->mlim >> (tod / 60 % 60) & 1))
            next = day * DAY + (tod / 60 + 1) * 60;
        else if (f->slim && !(f->slim >> (tod % 60) & 1))
            next = t + 1;
        if (next) {
            f->k = ceil_div(next - f->base, f->step);
            continue;
        }
        f->pstart = t;
        f->k++;
        f->ncand = (long)f->nh * f->nm * f->ns;
        f->cand = 0;
        f->nsel = f->ncand;
        if (f->nsetpos) {
            /* RFC 5545 §3.3.10: BYSETPOS picks from the period's set. */
            f->nsel = 0;
            for (int i = 0; i < f->nsetpos; i++) {
                long idx = f->setpos[i] > 0 ? f->setpos[i] - 1 : f->ncand + f->setpos[i];
                int dup = 0;
                for (long j = 0; j < f->nsel; j++)
                    dup |= f->sel[j] == idx;
                if (idx >= 0 && idx < f->ncand && !dup) f->sel[f->nsel++] = idx;
            }
            qsort(f->sel, (size_t)f->nsel, sizeof(long), cmp_long);
        }
        if (f->nsel) return 1;
    }
}

/* The next occurrence of a sub-day rule as civil seconds, or INT64_MIN. */
static int64_t sub_next(fast_rule *f)
{
    for (;;) {
        if (f->cand >= f->nsel && !sub_open_period(f)) return INT64_MIN;
        long j = f->nsetpos ? f->sel[f->cand] : f->cand;
        f->cand++;
        f->steps++;
        int64_t off;
        if (f->unit == DAY)
            off = f->hh[j / (f->nm * f->ns)] * 3600LL + f->mm[j / f->ns % f->nm] * 60LL +
                  f->ss[j % f->ns];
        else if (f->unit == 3600)
            off = f->mm[j / f->ns] * 60LL + f->ss[j % f->ns];
        else if (f->unit == 60)
            off = f->ss[j];
        else
            off = 0;
        int64_t c = f->pstart + off;
        if (c < f->dt_civ) continue;
        if (f->count && f->produced >= f->count) return INT64_MIN;
        f->produced++;
        return c;
    }
}

/* The next generated day (civil day number), or INT64_MIN when done. */
static int64_t next_day(fast_rule *f)
{
    for (;;) {
        f->steps++;
        int64_t day;
        switch (f->freq) {
        case ICAL_DAILY_RECURRENCE:
            day = f->day0 + f->period++ * f->interval;
            if (f->mask && !(f->mask & (1u << weekday(day)))) continue;
            break;
        case ICAL_WEEKLY_RECURRENCE:
            if (f->slot == 7) {
                f->slot = 0;
                f->period++;
            }
            day = f->week0 + f->period * f->interval * 7 + f->slot++;
            if (!(f->mask & (1u << weekday(day))) || day < f->day0) continue;
            break;
        case ICAL_MONTHLY_RECURRENCE: {
            int64_t mi = (f->start.month - 1) + f->period++ * f->interval;
            int64_t y = f->start.year + mi / 12;
            int m = (int)(mi % 12) + 1;
            if (y > LAST_YEAR) return INT64_MIN;
            if (f->start.day > dim(y, m)) continue;
            day = days_from_civil((int)y, (unsigned)m, (unsigned)f->start.day);
            break;
        }
        default: { /* YEARLY */
            int64_t y = f->start.year + f->period++ * f->interval;
            if (y > LAST_YEAR) return INT64_MIN;
            if (f->start.day > dim(y, f->start.month)) continue;
            day = days_from_civil((int)y, (unsigned)f->start.month, (unsigned)f->start.day);
        }
        }
        if (day > days_from_civil(LAST_YEAR, 12, 31)) return INT64_MIN;
        if (f->count && f->produced >= f->count) return INT64_MIN;
        f->produced++;
        return day;
    }
}

struct icaltimetype fast_next(fast_rule *f, int64_t *utc)
{
    if (f->done) return icaltime_null_time();
    if (f->sub) {
        int64_t c = sub_next(f);
        if (c == INT64_MIN) {
            f->done = 1;
            return icaltime_null_time();
        }
        struct icaltimetype t = tt_from_civil(c, f->start.is_date, f->start.zone);
        *utc = tt_utc(t, f->ftz);
        if (f->has_until && *utc > f->until_utc) {
            f->done = 1;
            return icaltime_null_time();
        }
        return t;
    }
    int64_t day = next_day(f);
    if (day == INT64_MIN) {
        f->done = 1;
        return icaltime_null_time();
    }
    struct icaltimetype t = tt_from_civil(day * DAY + f->tod, f->start.is_date, f->start.zone);
    *utc = tt_utc(t, f->ftz);
    if (f->has_until && *utc > f->until_utc) {
        f->done = 1;
        return icaltime_null_time();
    }
    return t;
}

void fast_skip(fast_rule *f, int64_t before_day)
{
    if (f->sub) {
        /* Periods lie within one day, so those starting before the target
         * day hold only earlier occurrences.  With COUNT they must be
         * counted: the caller iterates (and pays for) them. */
        if (f->count) return;
        int64_t k = ceil_div(before_day * DAY - f->base, f->step);
        if (k > f->k) {
            f->k = k;
            f->cand = f->nsel = 0;
        }
        return;
    }
    /* Generating days is integer arithmetic: walk them without converting
     * times, keeping COUNT right, and stop one short of the target. */
    while (!f->done) {
        fast_rule save = *f;
        int64_t day = next_day(f);
        if (day == INT64_MIN) {
            f->done = 1;
            return;
        }
        if (day >= before_day) {
            *f = save;
            return;
        }
    }
}

void fast_seek(fast_rule *f, int64_t civ)
{
    if (f->done || f->count) return;
    if (!f->sub) {
        fast_skip(f, floor_div(civ, DAY) - 1);
        return;
    }
    int64_t k = floor_div(civ - f->base, f->step);
    if (k > f->k) {
        f->k = k;
        f->cand = f->nsel = 0;
    }
}

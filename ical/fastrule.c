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
 * each with COUNT or UNTIL.  Occurrences are DTSTART's wall-clock time on
 * each generated day; dates that do not exist (31 April, 29 February of a
 * common year) are skipped and not counted (RFC 5545 §3.3.10).  Anything
 * else goes to libical.  test_ical_recur checks that both agree. */
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

int fast_open(fast_rule *f, const struct icalrecurrencetype *r, struct icaltimetype start,
              const icaltimezone *ftz)
{
    memset(f, 0, sizeof(*f));
    if (r->rscale || r->interval < 1 || !tt_valid(start)) return -1;
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
    f->interval = r->interval;
    f->count = r->count;
    if (!icaltime_is_null_time(r->until)) {
        f->has_until = 1;
        f->until_utc = tt_utc(r->until, ftz);
    }
    f->start = start;
    f->ftz = ftz;
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

/* The next generated day (civil day number), or INT64_MIN when done. */
static int64_t next_day(fast_rule *f)
{
    for (;;) {
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

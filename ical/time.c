/* Civil-time arithmetic and the one place where iCalendar times become UTC
 * seconds.  Zone offsets come from libical (icaltimezone_get_utc_offset),
 * which handles VTIMEZONE rules and the system zoneinfo alike. */
#include "ical/internal.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (valid for any year). */
int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t sat_add(int64_t a, int64_t b)
{
    if (b > 0 && a > INT64_MAX - b) return INT64_MAX;
    if (b < 0 && a < INT64_MIN - b) return INT64_MIN;
    return a + b;
}

int tt_valid(struct icaltimetype t)
{
    static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (t.year < 1 || t.year > 9999 || t.month < 1 || t.month > 12 || t.day < 1 ||
        t.day > dm[t.month - 1])
        return 0;
    if (t.month == 2 && t.day == 29 &&
        !((t.year % 4 == 0 && t.year % 100 != 0) || t.year % 400 == 0))
        return 0;
    return t.is_date || (t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
                         t.second >= 0 && t.second <= 60);
}

int64_t tt_civil(struct icaltimetype t)
{
    int64_t s = days_from_civil(t.year, (unsigned)t.month, (unsigned)t.day) * 86400;
    if (!t.is_date) s += t.hour * 3600 + t.minute * 60 + t.second;
    return s;
}

struct icaltimetype tt_from_civil(int64_t civ, int is_date, const icaltimezone *zone)
{
    struct icaltimetype t = icaltime_null_time();
    int64_t days = civ / 86400, rem = civ % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    t.year = y;
    t.month = (int)m;
    t.day = (int)d;
    if (is_date) {
        t.is_date = 1;
    } else {
        t.hour = (int)(rem / 3600);
        t.minute = (int)(rem / 60 % 60);
        t.second = (int)(rem % 60);
        t.zone = zone;
    }
    return t;
}

int tt_floating(struct icaltimetype t)
{
    return t.is_date || (!t.zone && !icaltime_is_utc(t));
}

static const icaltimezone *effective_zone(struct icaltimetype t, const icaltimezone *ftz)
{
    if (t.is_date) return ftz;
    if (icaltime_is_utc(t)) return NULL;
    return t.zone ? t.zone : ftz;
}

/* The zone's UTC offset at UTC instant u.  libical 3.0 expands a zone's
 * changes only up to year 2582 and, asked about a later year, expands them
 * all again on every call (tens of milliseconds each: a DTSTART in year
 * 3000 would stall the server).  Gregorian dates repeat every 400 years
 * (146097 days, whole weeks), and so do the rules of a zone's last
 * observances, so far-future instants are moved back by whole cycles. */
static int64_t offset_at(const icaltimezone *zone, int64_t u)
{
    const int64_t cycle = 146097LL * 86400, limit = 16725225600LL; /* 2500-01-01 */
    if (u >= limit) u -= ((u - limit) / cycle + 1) * cycle;
    struct icaltimetype ut = tt_from_civil(u, 0, icaltimezone_get_utc_timezone());
    return icaltimezone_get_utc_offset_of_utc_time((icaltimezone *)zone, &ut, NULL);
}

/* RFC 5545 §3.3.5: a local time that occurs twice (DST ends) means the
 * first occurrence; one that does not occur (DST starts) is read with the
 * offset before the gap.  libical's icaltimezone_get_utc_offset does
 * neither (it answers 00:30Z for a Berlin 02:30 that does not exist), so
 * the local time is solved here from the offsets of UTC instants, which
 * are unambiguous.  Assumes at most one transition within a day of it. */
static int64_t local_to_utc(int64_t civ, const icaltimezone *zone)
{
    int64_t before = offset_at(zone, civ - 86400), after = offset_at(zone, civ + 86400);
    int64_t c1 = civ - before;
    if (before == after) return c1;
    int64_t c2 = civ - after;
    int v1 = offset_at(zone, c1) == before, v2 = offset_at(zone, c2) == after;
    if (v1 && v2) return c1 < c2 ? c1 : c2;
    if (v2) return c2;
    return c1; /* valid, or in the gap: the offset before it */
}

int64_t tt_utc(struct icaltimetype t, const icaltimezone *ftz)
{
    int64_t civ = tt_civil(t);
    const icaltimezone *zone = effective_zone(t, ftz);
    if (!zone || zone == icaltimezone_get_utc_timezone()) return civ;
    return local_to_utc(civ, zone);
}

struct icaltimetype tt_from_utc_like(int64_t utc, struct icaltimetype like, const icaltimezone *ftz)
{
    const icaltimezone *zone = effective_zone(like, ftz);
    int64_t civ = utc;
    if (zone && zone != icaltimezone_get_utc_timezone()) civ += offset_at(zone, utc);
    if (like.is_date) return tt_from_civil(civ, 1, NULL);
    if (icaltime_is_utc(like)) return tt_from_civil(civ, 0, icaltimezone_get_utc_timezone());
    return tt_from_civil(civ, 0, like.zone);
}

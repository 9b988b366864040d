#include "common/timefmt.h"

#include <stdio.h>
#include <string.h>

static const char *wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void http_date_format(time_t t, char out[30])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
    memcpy(out, tmp, 29);
    out[29] = '\0';
}

static int month_index(const char *m)
{
    for (int i = 0; i < 12; i++)
        if (strncmp(m, months[i], 3) == 0) return i;
    return -1;
}

static time_t from_fields(int year, int mon, int mday, int h, int mi, int s)
{
    if (mon < 0 || mon > 11 || mday < 1 || mday > 31 || h > 23 || mi > 59 || s > 60 || year < 1970)
        return -1;
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = mon;
    tm.tm_mday = mday;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    time_t t = timegm(&tm);
    /* reject dates timegm() would normalise (February 30th, month 13) */
    struct tm back;
    gmtime_r(&t, &back);
    if (back.tm_mon != mon || back.tm_mday != mday) return -1;
    return t;
}

time_t http_date_parse(const char *s)
{
    char wd[16], mon[4];
    int mday, year, h, mi, sec, used = 0;
    /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d GMT%n", wd, &mday, mon, &year, &h, &mi, &sec,
               &used) == 7 && used && s[used] == '\0')
        return from_fields(year, month_index(mon), mday, h, mi, sec);
    /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    used = 0;
    if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", wd, &mday, mon, &year, &h, &mi,
               &sec, &used) == 7 && used && s[used] == '\0') {
        year += year < 70 ? 2000 : 1900;
        return from_fields(year, month_index(mon), mday, h, mi, sec);
    }
    /* asctime: Sun Nov  6 08:49:37 1994 */
    used = 0;
    if (sscanf(s, "%3s %3s %d %2d:%2d:%2d %4d%n", wd, mon, &mday, &h, &mi, &sec, &year,
               &used) == 7 && used && s[used] == '\0')
        return from_fields(year, month_index(mon), mday, h, mi, sec);
    return -1;
}

void iso8601_format(time_t t, char out[21])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

time_t iso8601_parse(const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    size_t len = strlen(s);
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) == 3 && used == 10)
        return from_fields(y, mo - 1, d, 0, 0, 0);
    used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &used) == 6 &&
        (size_t)used == len)
        return from_fields(y, mo - 1, d, h, mi, sec);
    used = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &used) == 5 &&
        (size_t)used == len)
        return from_fields(y, mo - 1, d, h, mi, 0);
    return -1;
}

int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

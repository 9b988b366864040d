#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_INFO;

/* Logging to files (log_open_file): one per UTC day, PATH.YYYY-MM-DD. */
#define DATE_LEN 10           /* "YYYY-MM-DD" */
#define DIR_ENTRIES_MAX 100000 /* a directory read for old files, at most */

static struct {
    pthread_mutex_t lock;
    int fd;                   /* -1: standard error */
    char dir[4096], base[256]; /* PATH split */
    char date[DATE_LEN + 1];  /* of the open file */
    int retention_days;
    time_t (*clock)(void);    /* tests only; NULL: the real time */
} out = {PTHREAD_MUTEX_INITIALIZER, -1, "", "", "", 7, NULL};

void log_set_level(int level)
{
    log_level = level;
}

int log_enabled(int level)
{
    return level <= log_level;
}

int log_parse_level(const char *name)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

void log_test_set_clock(time_t (*clock)(void))
{
    pthread_mutex_lock(&out.lock);
    out.clock = clock;
    pthread_mutex_unlock(&out.lock);
}

static void now(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
    if (out.clock) {
        ts->tv_sec = out.clock();
        ts->tv_nsec = 0;
    }
}

/* Days since 1970-01-01 of "YYYY-MM-DD", or -1 when s is not exactly a real
 * date in that form. */
static long date_days(const char *s)
{
    for (int i = 0; i < DATE_LEN; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return -1;
    if (s[DATE_LEN]) return -1;
    int mon = atoi(s + 5) - 1, mday = atoi(s + 8);
    struct tm tm = {.tm_year = atoi(s) - 1900, .tm_mon = mon, .tm_mday = mday};
    /* timegm normalises 30 February into March (in tm too): such a name is
     * no date */
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon) return -1;
    return (long)(t / 86400);
}

/* Deletes this log's files of days before the retention window: a file
 * holds one UTC day, so keeping today's and the retention_days - 1 before
 * it keeps no line longer than retention_days (MAIL-POLICY.md §4: logs are
 * deleted after 7 days).  Other files are left alone.  Under out.lock. */
static void prune(const char *today)
{
    long cutoff = date_days(today) - (out.retention_days - 1);
    DIR *d = opendir(out.dir);
    if (!d) return;
    size_t blen = strlen(out.base);
    struct dirent *e;
    for (int n = 0; n < DIR_ENTRIES_MAX && (e = readdir(d)); n++) {
        if (strncmp(e->d_name, out.base, blen) != 0 || e->d_name[blen] != '.') continue;
        long days = date_days(e->d_name + blen + 1);
        if (days < 0 || days >= cutoff) continue;
        char path[sizeof out.dir + 300];
        snprintf(path, sizeof path, "%s/%s", out.dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

/* Makes the open file today's, and prunes when the day changed.  0, or -1
 * with the previous file still open (lines keep going somewhere).  Under
 * out.lock. */
static int rotate(const char *today)
{
    if (!strcmp(today, out.date)) return 0;
    char path[sizeof out.dir + 300];
    snprintf(path, sizeof path, "%s/%s.%s", out.dir, out.base, today);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    if (out.fd >= 0) close(out.fd);
    out.fd = fd;
    memcpy(out.date, today, sizeof out.date);
    prune(today);
    return 0;
}

static void date_of(time_t t, char date[DATE_LEN + 1])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, DATE_LEN + 1, "%Y-%m-%d", &tm);
}

int log_open_file(const char *path, int retention_days)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    if (!*base || strlen(base) >= sizeof out.base || dlen >= sizeof out.dir || retention_days < 1)
        return -1;
    pthread_mutex_lock(&out.lock);
    if (slash) {
        memcpy(out.dir, path, dlen ? dlen : 1); /* "/x.log": the root */
        out.dir[dlen ? dlen : 1] = '\0';
    } else {
        strcpy(out.dir, ".");
    }
    strcpy(out.base, base);
    out.retention_days = retention_days;
    out.date[0] = '\0';
    struct timespec ts;
    now(&ts);
    char today[DATE_LEN + 1];
    date_of(ts.tv_sec, today);
    int rc = rotate(today);
    pthread_mutex_unlock(&out.lock);
    return rc;
}

void log_maintain(void)
{
    pthread_mutex_lock(&out.lock);
    if (out.fd >= 0) {
        struct timespec ts;
        now(&ts);
        char today[DATE_LEN + 1];
        date_of(ts.tv_sec, today);
        rotate(today);
    }
    pthread_mutex_unlock(&out.lock);
}

void log_close_file(void)
{
    pthread_mutex_lock(&out.lock);
    if (out.fd >= 0) close(out.fd);
    out.fd = -1;
    out.date[0] = '\0';
    pthread_mutex_unlock(&out.lock);
}

void log_msg(int level, const char *fmt, ...)
{
    static const char *tags[] = {"error", "warn", "info", "debug"};
    if (level > log_level) return;
    char line[1024];
    pthread_mutex_lock(&out.lock);
    struct timespec ts;
    now(&ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, "veildav %s: ", tags[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    size_t len = strnlen(line, sizeof line - 2);
    line[len++] = '\n';
    /* the day is the UTC date of this very write: a line never lands in
     * another day's file, whatever the clock did since the last one */
    if (out.fd >= 0) {
        char today[DATE_LEN + 1];
        memcpy(today, line, DATE_LEN);
        today[DATE_LEN] = '\0';
        rotate(today); /* on failure the open file takes the line */
    }
    /* one write per line so concurrent processes do not interleave */
    ssize_t w = write(out.fd >= 0 ? out.fd : STDERR_FILENO, line, len);
    (void)w; /* a log that cannot be written has nowhere to say so */
    pthread_mutex_unlock(&out.lock);
}

/* Daily log files (common/log.c) on a clock the test moves: each line lands
 * in the file of its write's UTC date, a new day opens a new file, and files
 * of days before the retention window go, whether a line or the
 * housekeeping tick notices the new day first.  Other files stay. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-log-XXXXXX";
static time_t fake_now;

static time_t fake_clock(void)
{
    return fake_now;
}

/* 2027-03-10T10:00:00Z plus d days and s seconds */
static time_t at(int d, int s)
{
    struct tm tm = {.tm_year = 127, .tm_mon = 2, .tm_mday = 10, .tm_hour = 10};
    return timegm(&tm) + (time_t)d * 86400 + s;
}

static const char *file_of(int d)
{
    static char path[300];
    time_t t = at(d, 0);
    struct tm tm;
    gmtime_r(&t, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    snprintf(path, sizeof path, "%s/v.log.%s", dir, date);
    return path;
}

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

static void touch(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs("old\n", f);
        fclose(f);
    }
}

static int holds(const char *path, const char *text)
{
    char buf[4096] = "";
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strstr(buf, text) != NULL;
}

static void test_daily_files(void)
{
    char base[300], other[300], bad[300], bak[300];
    snprintf(base, sizeof base, "%s/v.log", dir);
    snprintf(other, sizeof other, "%s/w.log.2027-01-01", dir);
    snprintf(bad, sizeof bad, "%s/v.log.2027-02-30", dir);
    snprintf(bak, sizeof bak, "%s/v.log.bak", dir);
    /* files left by earlier runs: 9, 3 and 2 days old (3 days kept: today, the 2 before) */
    touch(file_of(-9));
    touch(file_of(-3));
    touch(file_of(-2));
    touch(other);
    touch(bad);
    touch(bak);
    fake_now = at(0, 0);
    log_test_set_clock(fake_clock);
    CHECK_INT(log_open_file(base, 3), 0);
    CHECK(!exists(file_of(-9)));
    CHECK(!exists(file_of(-3)));
    CHECK(exists(file_of(-2)));
    log_info("first day %d", 1);
    CHECK(holds(file_of(0), "2027-03-10T10:00:00Z veildav info: first day 1"));
    struct stat sb;
    CHECK(stat(file_of(0), &sb) == 0 && (sb.st_mode & 0777) == 0600);

    /* the first line after midnight UTC opens the next day's file */
    fake_now = at(0, 14 * 3600 - 1); /* 23:59:59 */
    log_info("late");
    fake_now = at(1, -10 * 3600 + 1); /* 00:00:01 the next day */
    log_info("early");
    CHECK(holds(file_of(0), "late"));
    CHECK(!holds(file_of(0), "early"));
    CHECK(holds(file_of(1), "2027-03-11T00:00:01Z veildav info: early"));
    CHECK(!exists(file_of(-2))); /* now 3 days old */

    /* days without a line: the tick changes file and deletes the old ones */
    fake_now = at(3, 0);
    log_maintain();
    CHECK(exists(file_of(3)));
    CHECK(!exists(file_of(0)));
    CHECK(exists(file_of(1)));
    log_info("later");
    CHECK(holds(file_of(3), "later"));
    /* what is not one of its dated files is never touched */
    CHECK(exists(other) && exists(bad) && exists(bak));
    log_close_file();
    log_test_set_clock(NULL);
}

static void test_refused(void)
{
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no-such-dir/v.log", dir);
    CHECK_INT(log_open_file(missing, 7), -1);
    CHECK_INT(log_open_file(dir, 0), -1); /* no retention: nothing kept is not a setting */
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(test_daily_files);
    RUN(test_refused);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return check_summary();
}

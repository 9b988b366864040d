/* One-line logging, to standard error or to daily files.  By design there is
 * no way to pass a client address: callers log events, never who or where
 * from. */
#ifndef VEIL_LOG_H
#define VEIL_LOG_H

#include <time.h>

enum { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

void log_set_level(int level);
/* Would a message at level be written? */
int log_enabled(int level);
int log_parse_level(const char *name); /* -1 if unknown */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* From now on lines go to PATH.YYYY-MM-DD (mode 0600), the UTC date of each
 * line's write: a new file with the first line of each day.  Whenever the
 * day changes (and now), files PATH.<date> of days before the last
 * retention_days are deleted, so no line is kept longer than that; other
 * files in the directory are left alone.  0, or -1 when today's file cannot
 * be opened (lines still go to standard error). */
int log_open_file(const char *path, int retention_days);
/* Changes files and deletes old ones if the day changed since the last line
 * (a quiet server writes none for days): the housekeeping thread calls it. */
void log_maintain(void);
/* Back to standard error. */
void log_close_file(void);

/* Tests only: the clock the logger reads instead of the real time (NULL:
 * the real time again), so a test can live through days in a second. */
void log_test_set_clock(time_t (*clock)(void));

#endif

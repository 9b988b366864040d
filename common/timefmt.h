/* HTTP dates (RFC 9110 §5.6.7) and ISO 8601 UTC timestamps. */
#ifndef VEIL_TIMEFMT_H
#define VEIL_TIMEFMT_H

#include <stdint.h>
#include <time.h>

/* "Sun, 06 Nov 1994 08:49:37 GMT" into out (30 bytes). */
void http_date_format(time_t t, char out[30]);
/* Accepts IMF-fixdate, the obsolete RFC 850 form and asctime(); -1 if invalid. */
time_t http_date_parse(const char *s);

/* "1994-11-06T08:49:37Z" into out (21 bytes). */
void iso8601_format(time_t t, char out[21]);
/* Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]Z"; -1 if invalid. */
time_t iso8601_parse(const char *s);

/* Monotonic milliseconds, for throttles and caches. */
int64_t mono_ms(void);

#endif

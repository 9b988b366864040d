/* libmicrohttpd's messages as Veil logs them (server/mhd_log.c): its own
 * format strings with a request path, an address and an errno text. */
#include <stdarg.h>
#include <string.h>

#include "server/mhd_log.h"
#include "tests/unit/check.h"

static const char *fmt_of(vbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_reset(b);
    mhd_log_format(b, fmt, ap);
    va_end(ap);
    return buf_cstr(b);
}

static void test_paths_and_addresses_removed(void)
{
    vbuf b;
    buf_init(&b, 4096);
    /* the strings of libmicrohttpd 0.9.75 */
    CHECK_STR(fmt_of(&b, "Failed to send the response body for the request for `%s'. Error: %s\n",
                     "/files/Zq3x/secret.pdf", "Connection reset by peer"),
              "Failed to send the response body for the request for `[removed]'. Error: "
              "Connection reset by peer\n");
    CHECK_STR(fmt_of(&b, "Failed to send data in request for %s.\n", "plain"),
              "Failed to send data in request for [removed].\n");
    CHECK_STR(fmt_of(&b, "Error processing request (HTTP response code is %u ('%s')). Closing "
                         "connection.\n",
                     431u, "Request Header Fields Too Large"),
              "Error processing request (HTTP response code is 431 ('Request Header Fields Too "
              "Large')). Closing connection.\n");
    /* an address, a path or a sign anywhere: removed */
    CHECK_STR(fmt_of(&b, "Accept failed from %s: %s", "192.0.2.7", "Too many open files"),
              "Accept failed from [removed]: Too many open files");
    CHECK_STR(fmt_of(&b, "user %s", "alice@example.com"), "user [removed]");
    CHECK_STR(fmt_of(&b, "%d%% at %p", -3, (void *)&b), "-3% at [removed]");
    /* a conversion it cannot read safely ends the message */
    CHECK_STR(fmt_of(&b, "width %*d then %s", 5, 7, "x"), "width ");
    buf_free(&b);
}

int main(void)
{
    RUN(test_paths_and_addresses_removed);
    return check_summary();
}

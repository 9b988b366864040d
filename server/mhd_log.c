/* libmicrohttpd's messages into Veil's logger (server/mhd_log.h). */
#include "server/mhd_log.h"

#include <string.h>
#include <sys/types.h>

#include "common/log.h"

/* libmicrohttpd reports what goes wrong on a connection through this
 * (MHD_OPTION_EXTERNAL_LOGGER) instead of standard error, so its messages
 * follow log_level like ours.  They name request paths ("Failed to send the
 * response body for the request for `/files/<pid>/<name>'"), so each %s
 * argument is kept only when it is plain words (an errno or TLS message):
 * anything with a digit, '/', '@', ':', '%' or another sign - a path, an
 * address - and any argument that follows "request for" becomes
 * "[removed]". */
static const struct {
    const char *prefix;
    int level;
} mhd_levels[] = {
    /* a client that went away or sent something malformed: routine */
    {"Failed to send", LOG_DEBUG},
    {"Connection socket is closed", LOG_DEBUG},
    {"Socket disconnected", LOG_DEBUG},
    {"Error processing request", LOG_DEBUG},
    {"Closing connection", LOG_DEBUG},
    {"Too large value of", LOG_DEBUG},
    {"Failed to parse", LOG_DEBUG},
    {"Error decoding basic", LOG_DEBUG},
    {"Error: received handshake message out of context", LOG_DEBUG},
    {"Too late", LOG_DEBUG},
    /* everything else (the server's own trouble) at warn */
};

static int mhd_plain(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr(" .,;()'-_", c);
        if (!ok) return 0;
    }
    return 1;
}

/* Appends fmt's conversions with their arguments, each %s checked as above.
 * A conversion it does not know ends the message: the rest of ap cannot be
 * read safely. */
void mhd_log_format(vbuf *b, const char *fmt, va_list ap)
{
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            buf_puts(b, p);
            return;
        }
        buf_append(b, p, (size_t)(pct - p));
        const char *q = pct + 1;
        if (*q == '%') {
            buf_putc(b, '%');
            p = q + 1;
            continue;
        }
        /* flags, width, precision ('*' is not known: it ends the message) */
        q += strspn(q, "-+ #0");
        q += strspn(q, "0123456789");
        if (*q == '.') q += 1 + strspn(q + 1, "0123456789");
        /* length: hh, h, l, ll, z */
        int lng = 0, sz = 0;
        if (q[0] == 'h') {
            q += q[1] == 'h' ? 2 : 1;
        } else if (q[0] == 'l') {
            lng = q[1] == 'l' ? 2 : 1;
            q += lng;
        } else if (q[0] == 'z') {
            sz = 1;
            q++;
        }
        if (!*q) return;
        /* numbers are printed plainly: widths and flags only pad them */
        switch (*q) {
        case 'd': case 'i': {
            long long v = lng == 2 ? va_arg(ap, long long)
                          : lng == 1 ? va_arg(ap, long)
                          : sz ? (long long)va_arg(ap, ssize_t) : va_arg(ap, int);
            buf_printf(b, "%lld", v);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            unsigned long long v = lng == 2 ? va_arg(ap, unsigned long long)
                                   : lng == 1 ? va_arg(ap, unsigned long)
                                   : sz ? va_arg(ap, size_t) : va_arg(ap, unsigned);
            buf_printf(b, *q == 'u' ? "%llu" : *q == 'o' ? "%llo" : "%llx", v);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            /* "the request for `%s'", "in request for %s": always a path */
            size_t at = b->len;
            int after_request = (at >= 12 && memcmp(b->data + at - 12, "request for ", 12) == 0) ||
                                (at >= 13 && memcmp(b->data + at - 13, "request for `", 13) == 0);
            buf_puts(b, s && !after_request && mhd_plain(s) ? s : "[removed]");
            break;
        }
        case 'c': {
            int c = va_arg(ap, int);
            char one[2] = {(char)c, 0};
            buf_puts(b, mhd_plain(one) ? one : "?");
            break;
        }
        case 'p':
            (void)va_arg(ap, void *);
            buf_puts(b, "[removed]");
            break;
        default:
            return;
        }
        p = q + 1;
    }
}

void mhd_log_message(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    int level = LOG_WARN;
    for (size_t i = 0; i < sizeof mhd_levels / sizeof mhd_levels[0]; i++)
        if (strncmp(fmt, mhd_levels[i].prefix, strlen(mhd_levels[i].prefix)) == 0)
            level = mhd_levels[i].level;
    if (!log_enabled(level)) return;
    vbuf b;
    buf_init(&b, 2048);
    va_list copy;
    va_copy(copy, ap);
    mhd_log_format(&b, fmt, copy);
    va_end(copy);
    size_t n = b.len;
    while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == ' ')) n--;
    log_msg(level, "libmicrohttpd: %.*s", (int)n, buf_cstr(&b));
    buf_free(&b);
}

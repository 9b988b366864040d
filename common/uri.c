#include "common/uri.h"

#include <string.h>
#include <strings.h>

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        int len;
        unsigned min;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            min = 0x80;
            c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            min = 0x800;
            c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            min = 0x10000;
            c &= 0x07;
        } else {
            return 0;
        }
        if (i + (size_t)len > n) return 0;
        for (int k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
        i += (size_t)len;
    }
    return 1;
}

int uri_decode_segment(vpool *pool, const char *s, size_t n, char **out)
{
    char *d = pool_alloc(pool, n + 1);
    if (!d) return URI_TOO_LONG;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= n) return URI_BAD_ESCAPE;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0) return URI_BAD_ESCAPE;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
            /* RFC 3986 §2.1: an escaped octet is data, and a name is bytes:
             * a newline a web client put in a UID, a byte that is not UTF-8.
             * Only '/' (it would change which resource is meant) and NUL (a
             * name is a C string) can never be part of one. */
            if (c == '/' || c == 0) return URI_BAD_CHAR;
        } else if (c < 0x20 || c == 0x7F) {
            /* RFC 3986 §2: a control character is no URI character; it
             * comes escaped or not at all */
            return URI_BAD_CHAR;
        }
        d[j++] = (char)c;
    }
    d[j] = '\0';
    if (j > URI_MAX_SEGMENT) return URI_TOO_LONG;
    if (strcmp(d, ".") == 0 || strcmp(d, "..") == 0) return URI_DOT_SEGMENT;
    *out = d;
    return URI_OK;
}

int uri_parse_path(vpool *pool, const char *raw, uri_path *out)
{
    memset(out, 0, sizeof(*out));
    size_t len = strlen(raw), decoded = 0;
    if (len > 3 * (size_t)URI_MAX_PATH) return URI_TOO_LONG;
    if (raw[0] != '/') return URI_BAD_CHAR;
    out->seg = pool_alloc(pool, sizeof(char *) * URI_MAX_DEPTH);
    if (!out->seg) return URI_TOO_LONG;
    const char *p = raw + 1;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n == 0) {
            /* "//" names the same resource as "/", as in most HTTP servers
             * (clients and CalDAVTester join "/calendars/" + "/"). */
            p = slash + 1;
            continue;
        }
        if (out->nseg >= URI_MAX_DEPTH) return URI_TOO_LONG;
        int rc = uri_decode_segment(pool, p, n, &out->seg[out->nseg]);
        if (rc != URI_OK) return rc;
        decoded += 1 + strlen(out->seg[out->nseg]);
        if (decoded + 1 > URI_MAX_PATH) return URI_TOO_LONG;
        out->nseg++;
        if (!slash) {
            out->trailing_slash = 0;
            return URI_OK;
        }
        p = slash + 1;
        out->trailing_slash = 1;
    }
    if (out->nseg == 0) out->trailing_slash = 1;
    return URI_OK;
}

int uri_destination(vpool *pool, const char *dest, const char *host, const char **path)
{
    *path = NULL;
    if (!dest || dest[0] == '\0') return URI_BAD_CHAR;
    const char *p = dest;
    if (dest[0] != '/') {
        /* RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then
         * "://" and the authority; "a/b://c" is a relative path, not a URI */
        size_t n = 0;
        if (!((dest[0] >= 'a' && dest[0] <= 'z') || (dest[0] >= 'A' && dest[0] <= 'Z')))
            return URI_BAD_CHAR;
        while (dest[n] && dest[n] != ':') {
            char c = dest[n];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '-' || c == '.'))
                return URI_BAD_CHAR;
            n++;
        }
        if (strncmp(dest + n, "://", 3) != 0) return URI_BAD_CHAR;
        if (!((n == 4 && strncasecmp(dest, "http", 4) == 0) ||
              (n == 5 && strncasecmp(dest, "https", 5) == 0)))
            return URI_OTHER_HOST;
        const char *auth = dest + n + 3;
        size_t alen = strcspn(auth, "/?#");
        if (host && (strlen(host) != alen || strncasecmp(host, auth, alen) != 0))
            return URI_OTHER_HOST;
        p = auth + alen;
        if (*p != '/') p = "/"; /* "http://host" or "http://host?q": the root */
    } else if (dest[1] == '/') {
        return URI_BAD_CHAR; /* path-absolute never starts with "//" */
    }
    /* a query or fragment is not part of the path */
    *path = pool_strndup(pool, p, strcspn(p, "?#"));
    return *path ? URI_OK : URI_TOO_LONG;
}

/* RFC 3986 unreserved plus sub-delims that are harmless in a path segment.
 * '&', '+', '=', ',' ... are left readable; everything else is encoded. */
static int segment_safe(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    switch (c) {
    case '-': case '.': case '_': case '~':
    case '!': case '$': case '&': case '(': case ')': case '*': case '+':
    case ',': case ';': case '=': case ':': case '@':
        return 1;
    default:
        return 0;
    }
}

void uri_encode_segment(vbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (segment_safe(*p)) {
            buf_putc(b, (char)*p);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(b, e, 3);
        }
    }
}

char *uri_encode_segment_pool(vpool *pool, const char *s)
{
    /* measured first, written once: this runs for every member listed */
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) n += segment_safe(*p) ? 1 : 3;
    char *r = pool_alloc(pool, n + 1);
    if (!r) return NULL;
    char *o = r;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (segment_safe(*p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return r;
}

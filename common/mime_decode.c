/* Decoding one MIME entity's content to UTF-8 text, and reading a mailbox
 * from an address field (common/mime.h). */
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/mime.h"
#include "common/uri.h"

/* ---- transfer encodings (RFC 2045 §6) -------------------------------------------- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* §6.8: line breaks and blanks are ignored; after the padding only they (or
 * more padding) may follow.  Any other character outside the alphabet, or
 * a last quantum of one character, means the content is damaged: refused
 * rather than guessed at. */
static int base64(vbuf *out, const char *s, size_t len)
{
    unsigned acc = 0;
    int bits = 0, n = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
        if (c == '=') {
            pad = 1;
            continue;
        }
        int v = b64_value(c);
        if (v < 0 || pad) return MIME_ERR_ENCODING;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        n++;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (char)((acc >> bits) & 0xFF));
        }
    }
    return n % 4 == 1 ? MIME_ERR_ENCODING : MIME_OK;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* §6.7: =XX octets, "=" before a line break is a soft break, blanks at the
 * end of a line were added by transport and are dropped (rule 3).  An "="
 * not followed by two hex digits is kept as it is, as the RFC suggests. */
static int quoted_printable(vbuf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - s) : len, stop = end;
        if (stop > i && s[stop - 1] == '\r') stop--;
        while (stop > i && (s[stop - 1] == ' ' || s[stop - 1] == '\t'))
            stop--;
        int soft = stop > i && s[stop - 1] == '=';
        if (soft) stop--;
        for (size_t k = i; k < stop; k++) {
            int hi, lo;
            if (s[k] == '=' && k + 2 < stop && (hi = hexval(s[k + 1])) >= 0 &&
                (lo = hexval(s[k + 2])) >= 0) {
                buf_putc(out, (char)(hi * 16 + lo));
                k += 2;
            } else {
                buf_putc(out, s[k]);
            }
        }
        if (nl && !soft) buf_puts(out, "\r\n");
        i = nl ? end + 1 : len;
    }
    return MIME_OK;
}

/* ---- charsets --------------------------------------------------------------------- */

/* windows-1252's 0x80-0x9F (where ISO-8859-1 has C1 controls); 0 undefined */
static const unsigned short cp1252[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static void put_utf8(vbuf *out, unsigned cp)
{
    if (cp < 0x80) {
        buf_putc(out, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(out, (char)(0xC0 | (cp >> 6)));
        buf_putc(out, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(out, (char)(0xE0 | (cp >> 12)));
        buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(out, (char)(0x80 | (cp & 0x3F)));
    }
}

enum { CS_UTF8, CS_LATIN1, CS_CP1252 };

static int charset_of(const char *name)
{
    static const struct {
        const char *name;
        int cs;
    } known[] = {{"utf-8", CS_UTF8},          {"utf8", CS_UTF8},         {"us-ascii", CS_UTF8},
                 {"ascii", CS_UTF8},          {"iso-8859-1", CS_LATIN1}, {"iso8859-1", CS_LATIN1},
                 {"iso_8859-1", CS_LATIN1},   {"latin1", CS_LATIN1},     {"latin-1", CS_LATIN1},
                 {"windows-1252", CS_CP1252}, {"cp1252", CS_CP1252}};
    /* RFC 5545 §8.1: text/calendar is UTF-8 unless it says otherwise */
    if (!name) return CS_UTF8;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcasecmp(name, known[i].name)) return known[i].cs;
    return -1;
}

/* Single-byte text to UTF-8.  US-ASCII declared and UTF-8 sent is common
 * enough to be read as UTF-8 (ASCII is a subset); bytes invalid there are
 * refused. */
static int to_utf8(vbuf *out, const char *s, size_t len, int cs)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            buf_putc(out, (char)c);
        } else if (cs == CS_CP1252 && c < 0xA0) {
            if (!cp1252[c - 0x80]) return MIME_ERR_CHARSET;
            put_utf8(out, cp1252[c - 0x80]);
        } else {
            put_utf8(out, c);
        }
    }
    return MIME_OK;
}

int mime_decode_text(vpool *pool, const mime_part *p, size_t max, const char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    int cs = charset_of(mime_param(p, "charset"));
    if (cs < 0) return MIME_ERR_CHARSET;
    /* a buffer fails past its cap (or out of memory): both are "too large"
     * here, since decoding never grows what was read within the cap by more
     * than the charset's three bytes for one */
    vbuf raw, text;
    buf_init(&raw, max);
    buf_init(&text, max);
    int rc = MIME_OK, decoded = 1;
    if (!strcmp(p->encoding, "base64"))
        rc = base64(&raw, p->body, p->len);
    else if (!strcmp(p->encoding, "quoted-printable"))
        rc = quoted_printable(&raw, p->body, p->len);
    else if (!strcmp(p->encoding, "7bit") || !strcmp(p->encoding, "8bit") ||
             !strcmp(p->encoding, "binary"))
        decoded = 0;
    else
        rc = MIME_ERR_ENCODING; /* x-uuencode and friends: not for calendar data */
    const char *bytes = decoded ? buf_cstr(&raw) : p->body;
    size_t n = decoded ? raw.len : p->len;
    if (rc == MIME_OK && buf_failed(&raw)) rc = MIME_ERR_LIMIT;
    if (rc == MIME_OK && cs == CS_UTF8) {
        if (!utf8_valid(bytes, n))
            rc = MIME_ERR_CHARSET;
        else
            buf_append(&text, bytes, n);
    } else if (rc == MIME_OK) {
        rc = to_utf8(&text, bytes, n, cs);
    }
    if (rc == MIME_OK && buf_failed(&text)) rc = MIME_ERR_LIMIT;
    if (rc == MIME_OK) {
        *out = pool_memdup(pool, buf_cstr(&text), text.len);
        *outlen = text.len;
        if (!*out) rc = MIME_ERR_NOMEM;
    }
    buf_free(&raw);
    buf_free(&text);
    return rc;
}

/* ---- mailboxes (RFC 5322 §3.4) ---------------------------------------------------- */

/* An addr-spec as we accept one: local@domain, no blanks or controls. */
static const char *addr_spec(vpool *pool, const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    const char *colon = memchr(s, ':', n); /* an obsolete route, <@a,@b:x@y> */
    if (colon && n && *s == '@') {
        n -= (size_t)(colon + 1 - s);
        s = colon + 1;
    }
    const char *at = n ? memrchr(s, '@', n) : NULL;
    if (!at || at == s || at == s + n - 1) return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == '<' || s[i] == '>') return NULL;
    return pool_strndup(pool, s, n);
}

const char *mime_mailbox(vpool *pool, const char *v)
{
    if (!v) return NULL;
    /* the text outside comments, up to the first ',' outside quotes; an
     * angle-addr wins over everything else */
    size_t len = strlen(v);
    char *bare = pool_alloc(pool, len + 1);
    if (!bare) return NULL;
    size_t n = 0;
    int depth = 0, quote = 0;
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if ((quote || depth) && c == '\\' && i + 1 < len) {
            if (quote)
                bare[n++] = v[++i];
            else
                i++;
            continue;
        }
        if (quote) {
            if (c == '"') quote = 0;
            bare[n++] = c;
        } else if (c == '(') {
            depth++;
        } else if (depth) {
            if (c == ')') depth--;
        } else if (c == '"') {
            quote = 1;
            bare[n++] = c;
        } else if (c == '<') {
            const char *close = strchr(v + i + 1, '>');
            return close ? addr_spec(pool, v + i + 1, (size_t)(close - v - i - 1)) : NULL;
        } else if (c == ',' || c == ';') {
            break;
        } else if (c == ':') {
            n = 0; /* a group's display name: its first member follows */
        } else {
            bare[n++] = c;
        }
    }
    return addr_spec(pool, bare, n);
}

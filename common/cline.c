#include "common/cline.h"

#include <string.h>

#include "common/buf.h"

static int has_bom(const char *s, size_t n)
{
    return n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0;
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int is_cont(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

/* A fold at the line break s[nl] ('\n') that lands inside a character: the continuation
 * line's first octet after its space or HTAB is a UTF-8 continuation octet. */
static int split_fold(const char *s, size_t n, size_t nl)
{
    return nl + 2 < n && is_wsp(s[nl + 1]) && is_cont(s[nl + 2]);
}

unsigned cline_check(const char *s, size_t n)
{
    unsigned need = has_bom(s, n) ? CLINE_BOM : 0;
    for (const char *p = s, *end = s + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        size_t i = (size_t)(nl - s);
        if (i == 0 || s[i - 1] != '\r') need |= CLINE_CRLF;
        if (split_fold(s, n, i)) need |= CLINE_FOLD_UTF8;
        p = nl + 1;
    }
    if (n > 0 && s[n - 1] != '\n') need |= CLINE_CRLF;
    return need;
}

/* How many octets at the end of s[0, n) are the start of a character the line break after
 * them cuts: a lead octet and the continuation octets that follow it (at most 3). */
static size_t cut_tail(const char *s, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)s[n - k];
        if (c >= 0xC0) return k;
        if (!is_cont((char)c)) return 0;
    }
    return 0;
}

int cline_repair(vpool *pool, const char *s, size_t n, unsigned fixes, size_t max_bytes,
                 const char **out, size_t *outlen)
{
    /* the result is at most twice the input (a CR for every LF): checked once at the end */
    vbuf b;
    buf_init(&b, 0);
    size_t pos = (fixes & CLINE_BOM) && has_bom(s, n) ? 3 : 0;
    /* octets of a cut character held back from the line before, written after the fold */
    const char *held = NULL;
    size_t nheld = 0;
    while (pos < n) {
        const char *nl = memchr(s + pos, '\n', n - pos);
        size_t e = nl ? (size_t)(nl - s) : n; /* end of the line's octets */
        int cr = e > pos && s[e - 1] == '\r' && nl;
        size_t body_end = cr ? e - 1 : e;
        size_t keep = body_end - pos;
        size_t cut = 0;
        if (nl && (fixes & CLINE_FOLD_UTF8) && split_fold(s, n, e)) cut = cut_tail(s + pos, keep);
        if (nheld && keep > 0 && is_wsp(s[pos])) {
            /* the continuation: its space, then what the break cut off */
            buf_append(&b, s + pos, 1);
            buf_append(&b, held, nheld);
            buf_append(&b, s + pos + 1, keep - 1 - cut);
        } else {
            buf_append(&b, s + pos, keep - cut);
        }
        held = s + pos + keep - cut;
        nheld = cut;
        if (nl) {
            if (fixes & CLINE_CRLF)
                buf_append(&b, "\r\n", 2);
            else
                buf_append(&b, cr ? "\r\n" : "\n", cr ? 2 : 1);
            pos = e + 1;
        } else {
            /* the last line has no line break; a trailing CR is an old Mac break */
            if ((fixes & CLINE_CRLF) && keep > 0)
                buf_append(&b, s[n - 1] == '\r' ? "\n" : "\r\n", s[n - 1] == '\r' ? 1 : 2);
            pos = n;
        }
    }
    if (buf_failed(&b) || (max_bytes && b.len > max_bytes)) {
        int st = buf_failed(&b) ? CLINE_NOMEM : CLINE_TOO_LARGE;
        buf_free(&b);
        return st;
    }
    char *r = pool_memdup(pool, b.data ? b.data : "", b.len);
    *outlen = b.len;
    buf_free(&b);
    if (!r) return CLINE_NOMEM;
    *out = r;
    return CLINE_OK;
}

/* Content-line scanning: logical lines, unfolding, in-place parsing. */
#include "vcard/lex.h"

#include <string.h>

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 6350 §3.3: name = x-name / iana-token, both ALPHA / DIGIT / "-".  The
 * underscore is accepted too: several exporters use it in X- names. */
static int is_name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

void vlex_next(const char *s, size_t len, size_t pos, vlex_line *ln)
{
    size_t phys = pos;
    ln->start = pos;
    ln->nphys = 0;
    ln->folded = 0;
    for (;;) {
        const char *nl = memchr(s + phys, '\n', len - phys);
        ln->nphys++;
        if (!nl) {
            /* Last line without a line end; a lone CR there is an old Mac
             * line end rather than content. */
            ln->end = (len > phys && s[len - 1] == '\r') ? len - 1 : len;
            ln->next = len;
            return;
        }
        size_t e = (size_t)(nl - s);
        if (e + 1 < len && is_wsp(s[e + 1])) {
            ln->folded = 1;
            phys = e + 1;
            continue;
        }
        ln->end = (e > phys && s[e - 1] == '\r') ? e - 1 : e;
        ln->next = e + 1;
        return;
    }
}

size_t vlex_unfold(char *dst, const char *src, size_t n)
{
    size_t out = 0, i = 0;
    while (i < n) {
        const char *nl = memchr(src + i, '\n', n - i);
        size_t seg_end = nl ? (size_t)(nl - src) : n;
        size_t copy_end = seg_end;
        if (nl && copy_end > i && src[copy_end - 1] == '\r') copy_end--;
        if (copy_end > i) {
            memmove(dst + out, src + i, copy_end - i);
            out += copy_end - i;
        }
        if (!nl) break;
        /* Inside a logical line every line end is a fold: skip it and the one
         * whitespace character that marks the continuation. */
        i = seg_end + 1;
        if (i < n && is_wsp(src[i])) i++;
    }
    return out;
}

int vlex_has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) return 1;
    }
    return 0;
}

/* One scanner for both passes, so the counts vlex_count reports are exactly
 * what vlex_parse will store (a separate, simpler counter once disagreed
 * about quotes and under-counted).  With dry set nothing is written: neither
 * s nor the arrays (which may be NULL); only *np and *nv are counted. */
static int scan(char *s, size_t n, int dry, vcard_prop *p, vcard_param *params, const char **values,
                int *np_out, int *nv_out, const char **why)
{
    size_t i = 0, a;
    int np = 0, nv = 0, rc = VCARD_ESYNTAX;
    char c;
#define PUT(lvalue, v)                                                                             \
    do {                                                                                           \
        if (!dry) lvalue = v;                                                                      \
    } while (0)

    PUT(s[n], '\0');
    while (i < n && is_name_char((unsigned char)s[i]))
        i++;
    if (i == 0) goto bad_name;
    PUT(p->group, NULL);
    PUT(p->name, s);
    if (i < n && s[i] == '.') {
        PUT(s[i], '\0');
        PUT(p->group, s);
        a = ++i;
        while (i < n && is_name_char((unsigned char)s[i]))
            i++;
        if (i == a) goto bad_name;
        PUT(p->name, s + a);
    }
    if (i >= n) goto no_colon;
    c = s[i];
    if (c != ';' && c != ':') goto bad_name;
    PUT(s[i], '\0');
    while (c == ';') {
        a = ++i;
        while (i < n && is_name_char((unsigned char)s[i]))
            i++;
        if (i == a) {
            *why = "empty or malformed parameter name";
            goto out;
        }
        if (i >= n) goto no_colon;
        vcard_param *pm = dry ? NULL : &params[np];
        np++;
        if (pm) *pm = (vcard_param){s + a, values + nv, 0, 0};
        c = s[i];
        if (c == ';' || c == ':') { /* bare vCard 2.1-style parameter */
            PUT(s[i], '\0');
            continue;
        }
        if (c != '=') {
            *why = "malformed parameter name";
            goto out;
        }
        PUT(s[i], '\0');
        i++;
        for (;;) {
            if (i < n && s[i] == '"') {
                /* RFC 6350 §3.3: DQUOTE *QSAFE-CHAR DQUOTE; no escapes inside. */
                char *q = memchr(s + i + 1, '"', n - i - 1);
                if (!q) {
                    *why = "unterminated quoted parameter value";
                    goto out;
                }
                size_t after = (size_t)(q - s) + 1;
                if (after >= n) goto no_colon;
                c = s[after];
                if (c != ',' && c != ';' && c != ':') {
                    *why = "text after a quoted parameter value";
                    goto out;
                }
                /* stored only once it is known to count: the dry run that
                 * sized values[] stops at the same errors (a value stored
                 * before them wrote one past the end) */
                PUT(values[nv], s + i + 1);
                PUT(*q, '\0');
                if (pm) pm->quoted = 1;
                i = after;
            } else {
                a = i;
                while (i < n && s[i] != ',' && s[i] != ';' && s[i] != ':')
                    i++;
                if (i >= n) goto no_colon;
                c = s[i];
                PUT(values[nv], s + a);
            }
            nv++;
            if (pm) pm->nvalues++;
            PUT(s[i], '\0');
            if (c != ',') break;
            i++;
        }
    }
    if (!dry) {
        p->params = np ? params : NULL;
        p->nparams = np;
        p->value = s + i + 1;
        p->value_len = n - i - 1;
    }
    rc = VCARD_OK;
    goto out;
#undef PUT

bad_name:
    *why = "empty or malformed property name";
    goto out;
no_colon:
    *why = "content line without ':'";
out:
    *np_out = np;
    *nv_out = nv;
    return rc;
}

void vlex_count(const char *s, size_t n, int *nparams, int *nvalues)
{
    const char *why;
    scan((char *)s, n, 1, NULL, NULL, NULL, nparams, nvalues, &why);
}

int vlex_parse(char *s, size_t n, vcard_prop *p, vcard_param *params, const char **values,
               const char **why)
{
    int np, nv;
    return scan(s, n, 0, p, params, values, &np, &nv, why);
}

size_t vlex_peek_name(const char *s, size_t start, size_t end, char *buf, size_t cap, int *dot)
{
    size_t n = 0, i = start;
    *dot = -1;
    while (i < end) {
        char c = s[i];
        if (c == '\r' || c == '\n') { /* a fold inside the name */
            if (c == '\r') i++;
            if (i < end && s[i] == '\n') i++;
            if (i < end && is_wsp(s[i])) i++;
            continue;
        }
        if (c == '.' && *dot < 0 && n > 0) {
            *dot = (int)n;
        } else if (!is_name_char((unsigned char)c)) {
            break;
        }
        if (n + 1 >= cap) return 0;
        buf[n++] = c;
        i++;
    }
    buf[n] = '\0';
    if (*dot >= 0 && (size_t)*dot + 1 == n) return 0;
    return n;
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

int vlex_ieq(const char *a, const char *b)
{
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b))
        a++, b++;
    return *a == '\0' && *b == '\0';
}

int vlex_ieqn(const char *a, size_t an, const char *b)
{
    for (size_t i = 0; i < an; i++, b++) {
        if (*b == '\0' || lower((unsigned char)a[i]) != lower((unsigned char)*b)) return 0;
    }
    return *b == '\0';
}

/* Writes the RFC 6350 §3.4 unescaped form of s[0..n) to out (room for n
 * bytes) and returns its length. */
size_t vlex_unescape(char *out, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            char d = s[i + 1];
            if (d == 'n' || d == 'N')
                c = '\n', i++;
            else if (d == '\\' || d == ',' || d == ';' || d == ':')
                c = d, i++;
        }
        out[o++] = c;
    }
    return o;
}

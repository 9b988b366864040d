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

void vlex_count(const char *s, size_t n, int *nparams, int *nvalues)
{
    int semis = 0, commas = 0, inq = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            inq = !inq;
        } else if (!inq) {
            if (c == ':') break;
            if (c == ';')
                semis++;
            else if (c == ',')
                commas++;
        }
    }
    /* Upper bounds: every parameter starts at a ';', every value ends at a
     * ',', ';' or ':'. */
    *nparams = semis;
    *nvalues = semis + commas + 1;
}

int vlex_parse(char *s, size_t n, vcard_prop *p, vcard_param *params, const char **values,
               const char **why)
{
    size_t i = 0, a;
    int np = 0, nv = 0;
    char c;

    s[n] = '\0';
    while (i < n && is_name_char((unsigned char)s[i]))
        i++;
    if (i == 0) goto bad_name;
    p->group = NULL;
    if (i < n && s[i] == '.') {
        s[i] = '\0';
        p->group = s;
        a = ++i;
        while (i < n && is_name_char((unsigned char)s[i]))
            i++;
        if (i == a) goto bad_name;
        p->name = s + a;
    } else {
        p->name = s;
    }
    if (i >= n) goto no_colon;
    c = s[i];
    if (c != ';' && c != ':') goto bad_name;
    s[i] = '\0';
    while (c == ';') {
        a = ++i;
        while (i < n && is_name_char((unsigned char)s[i]))
            i++;
        if (i == a) {
            *why = "empty or malformed parameter name";
            return VCARD_ESYNTAX;
        }
        if (i >= n) goto no_colon;
        vcard_param *pm = &params[np++];
        pm->name = s + a;
        pm->values = values + nv;
        pm->nvalues = 0;
        pm->quoted = 0;
        c = s[i];
        if (c == ';' || c == ':') { /* bare vCard 2.1-style parameter */
            s[i] = '\0';
            continue;
        }
        if (c != '=') {
            *why = "malformed parameter name";
            return VCARD_ESYNTAX;
        }
        s[i++] = '\0';
        for (;;) {
            if (i < n && s[i] == '"') {
                /* RFC 6350 §3.3: DQUOTE *QSAFE-CHAR DQUOTE; no escapes inside. */
                char *q = memchr(s + i + 1, '"', n - i - 1);
                if (!q) {
                    *why = "unterminated quoted parameter value";
                    return VCARD_ESYNTAX;
                }
                values[nv++] = s + i + 1;
                *q = '\0';
                pm->quoted = 1;
                i = (size_t)(q - s) + 1;
                if (i >= n) goto no_colon;
                c = s[i];
                if (c != ',' && c != ';' && c != ':') {
                    *why = "text after a quoted parameter value";
                    return VCARD_ESYNTAX;
                }
            } else {
                a = i;
                while (i < n && s[i] != ',' && s[i] != ';' && s[i] != ':')
                    i++;
                if (i >= n) goto no_colon;
                c = s[i];
                values[nv++] = s + a;
            }
            pm->nvalues++;
            s[i] = '\0';
            if (c != ',') break;
            i++;
        }
    }
    p->params = np ? params : NULL;
    p->nparams = np;
    p->value = s + i + 1;
    p->value_len = n - i - 1;
    return VCARD_OK;

bad_name:
    *why = "empty or malformed property name";
    return VCARD_ESYNTAX;
no_colon:
    *why = "content line without ':'";
    return VCARD_ESYNTAX;
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

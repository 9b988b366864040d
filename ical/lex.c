#include "ical/lex.h"

#include <string.h>
#include <strings.h>

void ical_lex_init(ical_lexer *lx, const char *data, size_t len)
{
    memset(lx, 0, sizeof(*lx));
    buf_init(&lx->scratch, 0);
    lx->p = data;
    lx->end = data + len;
    if (len >= 3 && (unsigned char)data[0] == 0xEF && (unsigned char)data[1] == 0xBB &&
        (unsigned char)data[2] == 0xBF)
        lx->p += 3;
}

void ical_lex_done(ical_lexer *lx)
{
    buf_free(&lx->scratch);
}

/* One physical line starting at p: sets *body_len (without terminator) and
 * returns the pointer just past it. */
static const char *phys_line(ical_lexer *lx, const char *p, size_t *body_len, int *crlf)
{
    const char *nl = memchr(p, '\n', (size_t)(lx->end - p));
    const char *stop = nl ? nl : lx->end;
    *crlf = 0;
    if (nl && nl > p && nl[-1] == '\r') {
        *crlf = 1;
        stop = nl - 1;
    } else if (nl) {
        lx->bare_lf = 1;
    }
    *body_len = (size_t)(stop - p);
    return nl ? nl + 1 : lx->end;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

static int name_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* RFC 5545 §3.1: content lines hold no control characters but HTAB. */
static int clean_bytes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F) return 0;
    }
    return 1;
}

static int split_line(ical_line *ln)
{
    size_t i = 0;
    while (i < ln->len && name_char((unsigned char)ln->text[i]))
        i++;
    if (i == 0 || i == ln->len || (ln->text[i] != ';' && ln->text[i] != ':')) return -1;
    ln->name_len = i;
    int quoted = 0;
    for (; i < ln->len; i++) {
        char c = ln->text[i];
        if (c == '"')
            quoted = !quoted;
        else if (c == ':' && !quoted) {
            ln->value_off = i + 1;
            return 0;
        }
    }
    return -1;
}

int ical_lex_next(ical_lexer *lx, ical_line *ln)
{
    for (;;) {
        if (lx->p >= lx->end) return 0;
        const char *start = lx->p;
        size_t n;
        int crlf;
        const char *next = phys_line(lx, start, &n, &crlf);
        if (is_blank(start, n) && !(next < lx->end && (*next == ' ' || *next == '\t'))) {
            lx->p = next;
            continue;
        }
        memset(ln, 0, sizeof(*ln));
        ln->raw = start;
        ln->crlf = crlf;
        ln->text = start;
        ln->len = n;
        int folded = 0;
        /* RFC 5545 §3.1: a line starting with a space or HTAB continues the
         * previous one; unfolding drops the break and that one character. */
        while (next < lx->end && (*next == ' ' || *next == '\t')) {
            if (!folded) {
                buf_reset(&lx->scratch);
                buf_append(&lx->scratch, start, n);
                folded = 1;
            }
            size_t m;
            int c2;
            const char *after = phys_line(lx, next, &m, &c2);
            buf_append(&lx->scratch, next + 1, m - 1);
            next = after;
        }
        lx->p = next;
        ln->raw_len = (size_t)(next - start);
        if (folded) {
            if (buf_failed(&lx->scratch)) return -1;
            ln->text = lx->scratch.data ? lx->scratch.data : "";
            ln->len = lx->scratch.len;
        }
        /* A CR anywhere but before LF, a NUL or another control character
         * makes the line (and the object) malformed. */
        if (!clean_bytes(ln->text, ln->len)) {
            lx->bad = 1;
            return -1;
        }
        if (split_line(ln) != 0) return -1;
        return 1;
    }
}

int ical_line_is(const ical_line *ln, const char *name)
{
    size_t n = strlen(name);
    return ln->name_len == n && strncasecmp(ln->text, name, n) == 0;
}

size_t ical_line_value(const ical_line *ln, const char **v)
{
    size_t vlen = ln->len - ln->value_off;
    *v = ln->text + ln->value_off;
    while (vlen > 0 && ((*v)[vlen - 1] == ' ' || (*v)[vlen - 1] == '\t'))
        vlen--;
    return vlen;
}

int ical_line_value_is(const ical_line *ln, const char *name)
{
    const char *v;
    size_t vlen = ical_line_value(ln, &v);
    size_t n = strlen(name);
    return vlen == n && strncasecmp(v, name, n) == 0;
}

int ical_line_param(const ical_line *ln, const char *pname, const char **v, size_t *vlen)
{
    size_t plen = strlen(pname);
    size_t i = ln->name_len;
    size_t stop = ln->value_off - 1; /* the ':' */
    while (i < stop && ln->text[i] == ';') {
        size_t ns = ++i;
        while (i < stop && ln->text[i] != '=' && ln->text[i] != ';')
            i++;
        size_t ne = i;
        size_t vs = i < stop && ln->text[i] == '=' ? i + 1 : i;
        int quoted = 0;
        for (i = vs; i < stop; i++) {
            if (ln->text[i] == '"')
                quoted = !quoted;
            else if (ln->text[i] == ';' && !quoted)
                break;
        }
        if (ne - ns == plen && strncasecmp(ln->text + ns, pname, plen) == 0) {
            size_t ve = i;
            if (ve - vs >= 2 && ln->text[vs] == '"' && ln->text[ve - 1] == '"' &&
                !memchr(ln->text + vs + 1, '"', ve - vs - 2)) {
                vs++;
                ve--;
            }
            *v = ln->text + vs;
            *vlen = ve - vs;
            return 1;
        }
    }
    return 0;
}

void ical_fold_append(vbuf *b, const char *text, size_t len, int crlf)
{
    size_t col = 0;
    for (size_t i = 0; i < len;) {
        size_t clen = 1;
        unsigned char c = (unsigned char)text[i];
        if (c >= 0xF0)
            clen = 4;
        else if (c >= 0xE0)
            clen = 3;
        else if (c >= 0xC0)
            clen = 2;
        if (i + clen > len) clen = len - i;
        if (col + clen > 75) {
            buf_puts(b, crlf ? "\r\n " : "\n ");
            col = 1;
        }
        buf_append(b, text + i, clen);
        col += clen;
        i += clen;
    }
    buf_puts(b, crlf ? "\r\n" : "\n");
}

int ical_lex_balanced(const char *data, size_t len)
{
    ical_lexer lx;
    ical_line ln;
    char stack[16][32];
    int depth = 0, done = 0, ok = 1, r = 0;
    ical_lex_init(&lx, data, len);
    while (ok && (r = ical_lex_next(&lx, &ln)) == 1) {
        const char *v;
        size_t vlen = ical_line_value(&ln, &v);
        if (done ||
            (depth == 0 && !(ical_line_is(&ln, "BEGIN") && ical_line_value_is(&ln, "VCALENDAR")))) {
            ok = 0;
        } else if (ical_line_is(&ln, "BEGIN")) {
            if (depth == 16 || vlen == 0 || vlen >= sizeof(stack[0])) {
                ok = 0;
            } else {
                memcpy(stack[depth], v, vlen);
                stack[depth++][vlen] = 0;
            }
        } else if (ical_line_is(&ln, "END")) {
            if (depth == 0 || !ical_line_value_is(&ln, stack[depth - 1]))
                ok = 0;
            else if (--depth == 0)
                done = 1;
        }
    }
    ical_lex_done(&lx);
    return ok && r == 0 && done;
}

int ical_prescan(const char *data, size_t len, unsigned max_params, unsigned max_props)
{
    /* One pass over the bytes, no unfolding copy: a line that starts with a
     * space or HTAB continues the logical line before it (RFC 5545 §3.1),
     * so the parameter count carries over.  Parameters are the ';' before
     * the first ':' outside DQUOTEs (§3.2: param-value may be quoted). */
    unsigned long props = 0, params = 0;
    int bol = 1, in_value = 1, quoted = 0, have_line = 0;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n') {
            bol = 1;
            continue;
        }
        if (bol) {
            bol = 0;
            if ((c == ' ' || c == '\t') && have_line) continue; /* folded */
            if (c == '\r') {
                bol = 1; /* an empty line: not a property */
                continue;
            }
            have_line = 1;
            if (++props > max_props) return ICAL_PRESCAN_PROPERTIES;
            params = 0;
            in_value = 0;
            quoted = 0;
        }
        if (in_value) continue;
        if (c == '"') {
            quoted = !quoted;
        } else if (quoted) {
            continue;
        } else if (c == ';') {
            if (++params > max_params) return ICAL_PRESCAN_PARAMS;
        } else if (c == ':') {
            in_value = 1;
        }
    }
    return 0;
}

/* The text index of address objects: what is indexed and the FTS5 query of a
 * filter (vcard/textindex.h). */
#include "vcard/textindex.h"

#include <string.h>

#include "common/buf.h"
#include "common/casemap.h"
#include "vcard/lex.h"

/* The buffer's bytes copied into pool (NULL when out of memory or when the
 * buffer failed); the buffer is freed either way. */
static const char *pool_take(vpool *pool, vbuf *b)
{
    const char *out = buf_failed(b) ? NULL : pool_memdup(pool, buf_cstr(b), b->len);
    buf_free(b);
    return out;
}

const char *const vcard_text_props[VCARD_TEXT_NCOLS] = {"FN",       "N",   "EMAIL", "TEL",
                                                        "NICKNAME", "ORG", "UID",   "CATEGORIES"};

static int column_of(const char *name)
{
    for (int i = 0; i < VCARD_TEXT_NCOLS; i++)
        if (vlex_ieq(name, vcard_text_props[i])) return i;
    return -1;
}

/* Appends the folded value of one content line to its column. */
static int add_line(vpool *pool, const char *data, const vlex_line *ln, vbuf *col)
{
    size_t n = ln->end - ln->start;
    char *line = pool_alloc(pool, n + 1);
    if (!line) return -1;
    n = vlex_unfold(line, data + ln->start, n);
    int np, nv;
    vlex_count(line, n, &np, &nv);
    vcard_param *params = pool_alloc(pool, sizeof(*params) * (size_t)(np ? np : 1));
    const char **values = pool_alloc(pool, sizeof(*values) * (size_t)(nv ? nv : 1));
    if (!params || !values) return -1;
    vcard_prop p;
    memset(&p, 0, sizeof(p));
    const char *why;
    if (vlex_parse(line, n, &p, params, values, &why) != VCARD_OK) return 0; /* absent */
    char *text = pool_alloc(pool, p.value_len + 1);
    char *fold = pool_alloc(pool, CASEMAP_MAX_GROWTH * p.value_len + 1);
    if (!text || !fold) return -1;
    size_t fn =
        casemap_fold(CASEMAP_UNICODE, text, vlex_unescape(text, p.value, p.value_len), fold);
    if (col->len) buf_putc(col, '\n');
    buf_append(col, fold, fn);
    return buf_failed(col) ? -1 : 0;
}

int vcard_text_index(vpool *pool, const char *data, size_t len, const char *cols[VCARD_TEXT_NCOLS])
{
    vbuf b[VCARD_TEXT_NCOLS];
    for (int i = 0; i < VCARD_TEXT_NCOLS; i++)
        buf_init(&b[i], 0);
    int rc = 0;
    /* every line of an indexed name, in or out of BEGIN/END and whatever its
     * group: more than the filter looks at only widens the candidates */
    for (size_t pos = 0; rc == 0 && pos < len;) {
        vlex_line ln;
        char nb[128];
        int dot;
        vlex_next(data, len, pos, &ln);
        pos = ln.next;
        if (!vlex_peek_name(data, ln.start, ln.end, nb, sizeof nb, &dot)) continue;
        int c = column_of(dot >= 0 ? nb + dot + 1 : nb);
        if (c >= 0) rc = add_line(pool, data, &ln, &b[c]);
    }
    for (int i = 0; i < VCARD_TEXT_NCOLS; i++) {
        cols[i] = pool_take(pool, &b[i]);
        if (!cols[i]) rc = -1;
    }
    return rc;
}

/* Number of characters of valid UTF-8 s[0..n), or -1. */
static long utf8_chars(const char *s, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; count++) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!k || i + k > n) return -1;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] >> 6) != 2) return -1;
        i += k;
    }
    return count;
}

/* The FTS5 phrase of one text-match on column col, or NULL (scan). */
static const char *tm_expr(vpool *pool, int col, const vcard_text_match *tm, int *nomem)
{
    if (tm->negate || !tm->text || !vcard_collation_supported(tm->collation)) return NULL;
    size_t n = strlen(tm->text);
    if (utf8_chars(tm->text, n) < 0) return NULL;
    char *fold = pool_alloc(pool, CASEMAP_MAX_GROWTH * n + 1);
    if (!fold) goto nomem;
    size_t fn = casemap_fold(CASEMAP_UNICODE, tm->text, n, fold);
    /* a trigram index answers substrings of three characters or more */
    if (utf8_chars(fold, fn) < 3 || memchr(fold, '\0', fn)) return NULL;
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, vcard_text_props[col]);
    buf_puts(&b, ":\"");
    for (size_t i = 0; i < fn; i++) {
        if (fold[i] == '"') buf_putc(&b, '"'); /* FTS5 doubles a quote in a string */
        buf_putc(&b, fold[i]);
    }
    buf_putc(&b, '"');
    const char *out = pool_take(pool, &b);
    if (out) return out;
nomem:
    *nomem = 1;
    return NULL;
}

/* Joins parts with " AND " / " OR " in parentheses. */
static const char *join(vpool *pool, const char **parts, int n, int allof, int *nomem)
{
    vbuf b;
    buf_init(&b, 0);
    buf_putc(&b, '(');
    for (int i = 0; i < n; i++) {
        if (i) buf_puts(&b, allof ? " AND " : " OR ");
        buf_puts(&b, parts[i]);
    }
    buf_putc(&b, ')');
    const char *out = pool_take(pool, &b);
    if (!out) *nomem = 1;
    return out;
}

/* The query of one prop-filter, or NULL (scan). */
static const char *pf_expr(vpool *pool, const vcard_prop_filter *pf, int *nomem)
{
    const char *dot = strchr(pf->name, '.');
    int col = column_of(dot ? dot + 1 : pf->name);
    /* existence, absence and parameter-only tests are not about the text */
    if (col < 0 || pf->is_not_defined || pf->ntext_matches == 0) return NULL;
    /* anyof: a parameter alone may satisfy the filter */
    if (!pf->test_allof && pf->nparam_filters) return NULL;
    const char **parts = pool_alloc(pool, sizeof(*parts) * (size_t)pf->ntext_matches);
    if (!parts) goto nomem;
    int n = 0;
    for (int i = 0; i < pf->ntext_matches; i++) {
        const char *e = tm_expr(pool, col, &pf->text_matches[i], nomem);
        if (*nomem) return NULL;
        if (e)
            parts[n++] = e;
        else if (!pf->test_allof)
            return NULL; /* anyof: this one alone may match */
    }
    return n ? join(pool, parts, n, pf->test_allof, nomem) : NULL;
nomem:
    *nomem = 1;
    return NULL;
}

int vcard_filter_index_expr(vpool *pool, const vcard_filter *f, const char **expr)
{
    *expr = NULL;
    if (f->nprop_filters <= 0) return 0;
    const char **parts = pool_alloc(pool, sizeof(*parts) * (size_t)f->nprop_filters);
    if (!parts) return -1;
    int n = 0, nomem = 0;
    for (int i = 0; i < f->nprop_filters; i++) {
        const char *e = pf_expr(pool, &f->prop_filters[i], &nomem);
        if (nomem) return -1;
        if (e)
            parts[n++] = e;
        else if (!f->test_allof)
            return 0;
    }
    if (!n) return 0;
    *expr = join(pool, parts, n, f->test_allof, &nomem);
    return nomem ? -1 : 1;
}

/* The document parser: splits the input into logical lines, keeps each
 * line's raw bytes for lossless writing, and parses a second copy in place. */
#include <string.h>

#include "vcard/lex.h"
#include "vcard/vcard.h"

typedef struct parse_state {
    vpool *pool;
    const char *src; /* pool copy kept verbatim: raw bytes point here */
    char *work;      /* pool copy parsed in place */
    size_t len;
    vcard_limits lim;
    vcard_error *err;
} parse_state;

static int fail(parse_state *ps, int code, int line, const char *why)
{
    if (ps->err) {
        ps->err->code = code;
        ps->err->line = line;
        ps->err->reason = why;
    }
    return code;
}

/* Offset of the first byte that is not well-formed UTF-8 (no overlongs, no
 * surrogates, nothing past U+10FFFF), or n when all of it is. */
static size_t utf8_bad_at(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t k;
        unsigned int cp;
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07;
        else
            return i;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n || (s[i + j] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += k + 1;
    }
    return n;
}

static int is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t') return 0;
    }
    return 1;
}

/* value equals word, ignoring case and trailing whitespace (RFC 6350 does not
 * allow the whitespace, but exporters write it and it carries no meaning). */
static int value_is(const vcard_prop *p, const char *word)
{
    size_t n = p->value_len;
    while (n > 0 && (p->value[n - 1] == ' ' || p->value[n - 1] == '\t'))
        n--;
    return vlex_ieqn(p->value, n, word);
}

static void resolve_limits(const vcard_limits *in, vcard_limits *out)
{
    memset(out, 0, sizeof(*out));
    if (in) *out = *in;
    if (!out->max_bytes) out->max_bytes = VCARD_DEFAULT_MAX_BYTES;
    if (!out->max_line) out->max_line = out->max_bytes;
    if (out->max_cards <= 0) out->max_cards = VCARD_DEFAULT_MAX_CARDS;
    if (out->max_props <= 0) out->max_props = VCARD_DEFAULT_MAX_PROPS;
    if (out->max_params <= 0) out->max_params = VCARD_DEFAULT_MAX_PARAMS;
}

/* Parses the logical line ln into a new pool property (raw bytes set). */
static int parse_line(parse_state *ps, const vlex_line *ln, const char *s, size_t n, int line,
                      vcard_prop **out)
{
    int np, nv;
    const char *why = NULL;
    vlex_count(s, n, &np, &nv);
    if (np > ps->lim.max_params) return fail(ps, VCARD_ELIMIT, line, "too many parameters");
    vcard_prop *p = pool_calloc(ps->pool, sizeof(*p));
    vcard_param *params = np ? pool_alloc(ps->pool, (size_t)np * sizeof(*params)) : NULL;
    const char **values = pool_alloc(ps->pool, (size_t)nv * sizeof(*values));
    if (!p || (np && !params) || !values) return fail(ps, VCARD_ENOMEM, line, "out of memory");
    int rc = vlex_parse((char *)s, n, p, params, values, &why);
    if (rc != VCARD_OK) return fail(ps, rc, line, why);
    p->raw = ps->src + ln->start;
    p->raw_len = ln->next - ln->start;
    p->tail = ps->src + ln->next;
    p->tail_len = 0;
    p->line = line;
    *out = p;
    return VCARD_OK;
}

static const char *line_eol(const parse_state *ps, const vlex_line *ln)
{
    if (ln->next > ln->end && ps->src[ln->end] == '\r') return "\r\n";
    if (ln->next > ln->end) return "\n";
    return "\r\n";
}

int vcard_parse(vpool *pool, const char *data, size_t len, const vcard_limits *lim, vcard_doc **out,
                vcard_error *err)
{
    parse_state ps = {.pool = pool, .len = len, .err = err};
    if (err) memset(err, 0, sizeof(*err));
    if (!pool || !out || (!data && len)) return fail(&ps, VCARD_EINVAL, 0, "bad argument");
    *out = NULL;
    resolve_limits(lim, &ps.lim);
    if (len > ps.lim.max_bytes) return fail(&ps, VCARD_ELIMIT, 0, "vCard data too large");
    ps.src = pool_memdup(pool, data ? data : "", len);
    ps.work = pool_memdup(pool, data ? data : "", len);
    vcard_doc *doc = pool_calloc(pool, sizeof(*doc));
    if (!ps.src || !ps.work || !doc) return fail(&ps, VCARD_ENOMEM, 0, "out of memory");
    doc->src = ps.src;
    doc->src_len = len;

    vcard *card = NULL, **link = &doc->first;
    size_t *tail_len = NULL; /* where blank lines inside a card are counted */
    size_t pos = 0, lead_start = 0;
    int lineno = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    while (pos < len) {
        vlex_line ln;
        vlex_next(ps.src, len, pos, &ln);
        int line = lineno;
        lineno += ln.nphys;
        char *s = ps.work + ln.start;
        size_t n = ln.end - ln.start;
        if (ln.folded) n = vlex_unfold(s, ps.src + ln.start, n);
        if (n > ps.lim.max_line) return fail(&ps, VCARD_ELIMIT, line, "content line too long");
        /* UTF-8 is checked after unfolding: some writers fold in the middle
         * of a multi-octet character (RFC 6350 §3.2 forbids it), and the
         * line still reads correctly once unfolded. */
        if (utf8_bad_at((const unsigned char *)s, n) != n)
            return fail(&ps, VCARD_EUTF8, line, "invalid UTF-8");
        if (vlex_has_control(s, n))
            return fail(&ps, VCARD_ESYNTAX, line, "control character in content");
        pos = ln.next;
        if (is_blank(s, n)) {
            if (card) *tail_len += ln.next - ln.start;
            continue;
        }
        if (s[0] == ' ' || s[0] == '\t')
            return fail(&ps, VCARD_ESYNTAX, line, "continuation line without a line to continue");
        vcard_prop *p;
        int rc = parse_line(&ps, &ln, s, n, line, &p);
        if (rc != VCARD_OK) return rc;
        int is_begin = !p->group && vlex_ieq(p->name, "BEGIN");
        int is_end = !p->group && vlex_ieq(p->name, "END");
        if (!card) {
            if (!is_begin || !value_is(p, "VCARD"))
                return fail(&ps, VCARD_ESYNTAX, line, "content outside BEGIN:VCARD/END:VCARD");
            if (doc->ncards >= ps.lim.max_cards)
                return fail(&ps, VCARD_ELIMIT, line, "too many vCards");
            card = pool_calloc(pool, sizeof(*card));
            if (!card) return fail(&ps, VCARD_ENOMEM, line, "out of memory");
            card->lead = ps.src + lead_start;
            card->lead_len = ln.start - lead_start;
            card->begin_raw = ps.src + ln.start;
            card->begin_len = ln.next - ln.start;
            card->eol = line_eol(&ps, &ln);
            card->line = line;
            tail_len = &card->begin_len;
            *link = card;
            link = &card->next;
            doc->ncards++;
        } else if (is_begin) {
            return fail(&ps, VCARD_ESYNTAX, line, "BEGIN inside a vCard");
        } else if (is_end) {
            if (!value_is(p, "VCARD"))
                return fail(&ps, VCARD_ESYNTAX, line, "END does not close VCARD");
            card->end_raw = ps.src + ln.start;
            card->end_len = ln.next - ln.start;
            card = NULL;
            lead_start = ln.next;
        } else {
            if (card->nprops >= ps.lim.max_props)
                return fail(&ps, VCARD_ELIMIT, line, "too many properties");
            vcard_append(card, p);
            tail_len = &p->tail_len;
            if (card->version == VCARD_VUNKNOWN && vlex_ieq(p->name, "VERSION"))
                card->version = vcard_version_parse(p->value);
        }
    }
    if (card) return fail(&ps, VCARD_ESYNTAX, card->line, "missing END:VCARD");
    doc->trail = ps.src + lead_start;
    doc->trail_len = len - lead_start;
    *out = doc;
    return VCARD_OK;
}

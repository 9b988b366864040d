/* The structure of Internet messages (common/mime.h): header fields, the
 * tree of MIME entities, Content-Type.  Decoding is in mime_decode.c. */
#include "common/mime.h"

#include <string.h>
#include <strings.h>

void mime_limits_init(mime_limits *lim)
{
    lim->max_bytes = 10u << 20;
    lim->max_depth = 16;
    lim->max_parts = 500;
    lim->max_fields = 1000;
}

typedef struct parser {
    vpool *pool;
    const mime_limits *lim;
    mime_message *msg;
    int cap;
} parser;

/* ---- lines ------------------------------------------------------------------------ */

/* The line starting at s[pos]: its end without the break in *end, and the
 * start of the next line (len at the end).  LF alone ends a line too: pipe
 * transports hand messages over with the host's line ends. */
static size_t line_at(const char *s, size_t len, size_t pos, size_t *end)
{
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t e = nl ? (size_t)(nl - s) : len;
    *end = e > pos && s[e - 1] == '\r' ? e - 1 : e;
    return nl ? e + 1 : len;
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- header fields (RFC 5322 §2.2) ------------------------------------------------ */

/* The value of a field whose text runs over s[from, to): folds undone by
 * dropping the line breaks (§2.2.3), blanks at both ends removed. */
static const char *unfold(vpool *pool, const char *s, size_t from, size_t to)
{
    char *v = pool_alloc(pool, to - from + 1);
    if (!v) return NULL;
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        if (s[i] != '\r' && s[i] != '\n') v[n++] = s[i];
    size_t a = 0;
    while (a < n && is_wsp(v[a]))
        a++;
    while (n > a && is_wsp(v[n - 1]))
        n--;
    memmove(v, v + a, n - a);
    v[n - a] = '\0';
    return v;
}

/* A field name: printable US-ASCII but ':' (§3.6.8), blanks before the
 * colon tolerated (obsolete syntax, §4.5). */
static int field_name(const char *s, size_t from, size_t colon, size_t *nlen)
{
    size_t e = colon;
    while (e > from && is_wsp(s[e - 1]))
        e--;
    if (e == from) return -1;
    for (size_t i = from; i < e; i++)
        if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126) return -1;
    *nlen = e - from;
    return 0;
}

/* Reads the header section of the entity s[0, len): fields into *p, the
 * body after the blank line (none: no body). */
static int read_fields(parser *ps, const char *s, size_t len, int skip_mbox, mime_part *p)
{
    size_t pos = 0, end, next;
    if (skip_mbox && len >= 5 && !memcmp(s, "From ", 5)) pos = line_at(s, len, 0, &end);
    int cap = 0, n = 0;
    mime_field *f = NULL;
    size_t vfrom = 0, vto = 0; /* the text of the field being read */
    for (;;) {
        int at_end = pos >= len;
        next = at_end ? len : line_at(s, len, pos, &end);
        int blank = at_end || end == pos;
        int cont = !blank && is_wsp(s[pos]);
        if (n && !cont) {
            /* the previous field is complete */
            if (!(f[n - 1].value = unfold(ps->pool, s, vfrom, vto))) return MIME_ERR_NOMEM;
        }
        if (blank) {
            p->body = s + next;
            p->len = at_end ? 0 : len - next;
            break;
        }
        if (memchr(s + pos, '\0', end - pos)) return MIME_ERR_SYNTAX;
        if (cont) {
            if (!n) return MIME_ERR_SYNTAX; /* a fold with no field to continue */
            vto = end;
        } else {
            const char *colon = memchr(s + pos, ':', end - pos);
            size_t nlen;
            if (!colon || field_name(s, pos, (size_t)(colon - s), &nlen) != 0)
                return MIME_ERR_SYNTAX;
            if (n == ps->lim->max_fields) return MIME_ERR_LIMIT;
            if (n == cap) {
                int ncap = cap ? cap * 2 : 16;
                if (ncap > ps->lim->max_fields) ncap = ps->lim->max_fields;
                mime_field *nf = pool_alloc(ps->pool, sizeof(*nf) * (size_t)ncap);
                if (!nf) return MIME_ERR_NOMEM;
                if (n) memcpy(nf, f, sizeof(*nf) * (size_t)n);
                f = nf;
                cap = ncap;
            }
            if (!(f[n].name = pool_strndup(ps->pool, s + pos, nlen))) return MIME_ERR_NOMEM;
            f[n++].value = NULL;
            vfrom = (size_t)(colon - s) + 1;
            vto = end;
        }
        pos = next;
    }
    p->fields = f;
    p->nfields = n;
    return MIME_OK;
}

const char *mime_header_next(const mime_part *p, const char *name, int *pos)
{
    for (int i = *pos; i < p->nfields; i++)
        if (!strcasecmp(p->fields[i].name, name)) {
            *pos = i + 1;
            return p->fields[i].value;
        }
    *pos = p->nfields;
    return NULL;
}

const char *mime_header(const mime_part *p, const char *name)
{
    int pos = 0;
    return mime_header_next(p, name, &pos);
}

const char *mime_param(const mime_part *p, const char *name)
{
    for (int i = 0; i < p->nparams; i++)
        if (!strcmp(p->params[i].name, name)) return p->params[i].value;
    return NULL;
}

/* ---- Content-Type (RFC 2045 §5.1) ------------------------------------------------- */

/* Parameters kept of one Content-Type: real ones carry four or five. */
#define MAX_PARAMS 32

typedef struct lexer {
    const char *s;
} lexer;

/* Skips blanks and (nested) comments (RFC 5322 §3.2.2). */
static void skip_cfws(lexer *lx)
{
    int depth = 0;
    for (; *lx->s; lx->s++) {
        char c = *lx->s;
        if (depth && c == '\\' && lx->s[1]) {
            lx->s++;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && depth) {
            depth--;
        } else if (!depth && c != ' ' && c != '\t') {
            return;
        }
    }
}

/* A token (RFC 2045 §5.1: no blanks, controls or tspecials), lower-cased
 * when lower; NULL when there is none. */
static char *token(vpool *pool, lexer *lx, int lower)
{
    skip_cfws(lx);
    const char *b = lx->s;
    while (*lx->s && (unsigned char)*lx->s > ' ' && (unsigned char)*lx->s < 127 &&
           !strchr("()<>@,;:\\\"/[]?=", *lx->s))
        lx->s++;
    if (lx->s == b) return NULL;
    char *t = pool_strndup(pool, b, (size_t)(lx->s - b));
    if (t && lower)
        for (char *c = t; *c; c++)
            if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 32);
    return t;
}

/* A quoted string without its quotes and escapes, or NULL (unterminated,
 * or out of memory). */
static char *quoted(vpool *pool, lexer *lx)
{
    const char *e = lx->s + 1;
    while (*e && *e != '"')
        e += e[0] == '\\' && e[1] ? 2 : 1;
    if (*e != '"') return NULL;
    char *v = pool_alloc(pool, (size_t)(e - lx->s));
    if (!v) return NULL;
    size_t n = 0;
    for (const char *c = lx->s + 1; c < e; c++) {
        if (*c == '\\' && c + 1 < e) c++;
        v[n++] = *c;
    }
    v[n] = '\0';
    lx->s = e + 1;
    return v;
}

/* type "/" subtype *(";" attribute "=" value).  A value that cannot be read
 * ends the parameter list: what came before it stands. */
static int content_type(vpool *pool, const char *value, mime_part *p)
{
    p->type = "text/plain";
    if (!value) return MIME_OK;
    lexer lx = {value};
    char *type = token(pool, &lx, 1);
    skip_cfws(&lx);
    if (!type || *lx.s != '/') return MIME_OK; /* unreadable: RFC 2045 §5.2's default */
    lx.s++;
    char *sub = token(pool, &lx, 1);
    if (!sub) return MIME_OK;
    if (!(p->type = pool_concat(pool, type, "/", sub))) return MIME_ERR_NOMEM;
    int cap = 0;
    mime_field *pr = NULL;
    for (;;) {
        skip_cfws(&lx);
        if (*lx.s != ';') break;
        lx.s++;
        char *name = token(pool, &lx, 1);
        skip_cfws(&lx);
        if (!name || *lx.s != '=') break;
        lx.s++;
        skip_cfws(&lx);
        char *v = *lx.s == '"' ? quoted(pool, &lx) : token(pool, &lx, 0);
        if (!v) break;
        if (mime_param(p, name)) continue; /* the first of two wins */
        if (p->nparams == MAX_PARAMS) break;
        if (p->nparams == cap) {
            cap = cap ? cap * 2 : 4;
            mime_field *np = pool_alloc(pool, sizeof(*np) * (size_t)cap);
            if (!np) return MIME_ERR_NOMEM;
            if (p->nparams) memcpy(np, pr, sizeof(*np) * (size_t)p->nparams);
            pr = np;
            p->params = pr;
        }
        pr[p->nparams].name = name;
        pr[p->nparams++].value = v;
    }
    return MIME_OK;
}

/* ---- the tree (RFC 2046 §5.1) ----------------------------------------------------- */

static int parse_entity(parser *ps, const char *s, size_t len, int depth, int parent);

/* Is the line s[pos, end) a delimiter of boundary b: 1 a delimiter, 2 the
 * close delimiter, 0 neither.  Blanks may follow (transport padding). */
static int delimiter(const char *s, size_t pos, size_t end, const char *b, size_t blen)
{
    if (end - pos < blen + 2 || s[pos] != '-' || s[pos + 1] != '-' ||
        memcmp(s + pos + 2, b, blen) != 0)
        return 0;
    size_t i = pos + 2 + blen;
    int close = end - i >= 2 && s[i] == '-' && s[i + 1] == '-';
    if (close) i += 2;
    while (i < end && is_wsp(s[i]))
        i++;
    return i == end ? 1 + close : 0;
}

/* The body parts of a multipart: between delimiter lines, the line break
 * before each delimiter belonging to it; preamble and epilogue ignored. */
static int split(parser *ps, const mime_part *mp, int self)
{
    const char *b = mime_param(mp, "boundary");
    size_t blen = b ? strlen(b) : 0;
    /* RFC 2046 §5.1.1: 1 to 70 characters */
    if (!blen || blen > 70) return MIME_ERR_SYNTAX;
    const char *s = mp->body;
    size_t len = mp->len, pos = 0, start = 0, end;
    int open = 0;
    while (pos < len) {
        size_t next = line_at(s, len, pos, &end);
        int d = delimiter(s, pos, end, b, blen);
        if (d) {
            if (open) {
                size_t stop = pos;
                if (stop > start && s[stop - 1] == '\n') stop--;
                if (stop > start && s[stop - 1] == '\r') stop--;
                int rc = parse_entity(ps, s + start, stop - start, mp->depth + 1, self);
                if (rc != MIME_OK) return rc;
            }
            if (d == 2) return MIME_OK;
            open = 1;
            start = next;
        }
        pos = next;
    }
    return MIME_ERR_SYNTAX; /* no close delimiter: the message is cut short */
}

static int parse_entity(parser *ps, const char *s, size_t len, int depth, int parent)
{
    if (depth > ps->lim->max_depth || ps->msg->nparts >= ps->lim->max_parts) return MIME_ERR_LIMIT;
    if (ps->msg->nparts == ps->cap) {
        int ncap = ps->cap ? ps->cap * 2 : 8;
        if (ncap > ps->lim->max_parts) ncap = ps->lim->max_parts;
        mime_part *np = pool_alloc(ps->pool, sizeof(*np) * (size_t)ncap);
        if (!np) return MIME_ERR_NOMEM;
        if (ps->msg->nparts) memcpy(np, ps->msg->parts, sizeof(*np) * (size_t)ps->msg->nparts);
        ps->msg->parts = np;
        ps->cap = ncap;
    }
    int self = ps->msg->nparts++;
    mime_part p;
    memset(&p, 0, sizeof p);
    p.depth = depth;
    p.parent = parent;
    int rc = read_fields(ps, s, len, depth == 0, &p);
    if (rc == MIME_OK) rc = content_type(ps->pool, mime_header(&p, "Content-Type"), &p);
    if (rc != MIME_OK) return rc;
    lexer lx = {mime_header(&p, "Content-Transfer-Encoding")};
    p.encoding = lx.s ? token(ps->pool, &lx, 1) : NULL;
    if (!p.encoding) p.encoding = "7bit";
    ps->msg->parts[self] = p;
    if (strncmp(p.type, "multipart/", 10) != 0) return MIME_OK;
    return split(ps, &p, self);
}

int mime_parse(vpool *pool, const char *data, size_t len, const mime_limits *lim, mime_message *out)
{
    memset(out, 0, sizeof(*out));
    mime_limits dflt;
    if (!lim) {
        mime_limits_init(&dflt);
        lim = &dflt;
    }
    if (len > lim->max_bytes) return MIME_ERR_LIMIT;
    parser ps = {pool, lim, out, 0};
    int rc = parse_entity(&ps, data, len, 0, -1);
    if (rc != MIME_OK) memset(out, 0, sizeof(*out));
    return rc;
}

int mime_find_calendar(const mime_message *m)
{
    static const char *const types[] = {"text/calendar", "application/ics"};
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        for (int i = 0; i < m->nparts; i++)
            if (!strcmp(m->parts[i].type, types[t])) return i;
    return -1;
}

const char *mime_strerror(int err)
{
    switch (err) {
    case MIME_OK:
        return "no error";
    case MIME_ERR_SYNTAX:
        return "malformed message";
    case MIME_ERR_LIMIT:
        return "message too large or too complex";
    case MIME_ERR_ENCODING:
        return "bad transfer encoding";
    case MIME_ERR_CHARSET:
        return "unsupported charset or invalid text";
    default:
        return "out of memory";
    }
}

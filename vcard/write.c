/* The writer: raw bytes for untouched lines, folded serialisation otherwise. */
#include <string.h>

#include "vcard/vcard.h"

/* RFC 6350 §3.2: lines SHOULD NOT be longer than 75 octets, excluding the
 * line break; a continuation starts with one space, which counts. */
#define FOLD_AT 75

typedef struct folder {
    vbuf *out;
    const char *eol;
    size_t col; /* octets on the current physical line */
} folder;

static size_t utf8_len(unsigned char c)
{
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 1; /* stray continuation byte: never split on it anyway */
}

/* Emits s[0..n), folding before any character that would pass FOLD_AT, so a
 * UTF-8 sequence is never split across lines. */
static void fold_put(folder *f, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_len((unsigned char)s[i]);
        if (i + k > n) k = n - i;
        if (f->col + k > FOLD_AT) {
            buf_puts(f->out, f->eol);
            buf_putc(f->out, ' ');
            f->col = 1;
        }
        buf_append(f->out, s + i, k);
        f->col += k;
        i += k;
    }
}

static void fold_puts(folder *f, const char *s)
{
    fold_put(f, s, strlen(s));
}

/* Emits text that came from an edit rather than from the input, so it may
 * hold characters the line syntax cannot carry: a raw line end becomes "\n"
 * in a value (RFC 6350 §3.4) or "^n" in a parameter, and a DQUOTE in a
 * parameter becomes "^'" (RFC 6868).  Values read from input never contain
 * them, so their bytes are unchanged. */
static void fold_put_safe(folder *f, const char *s, size_t n, int param)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c != '\r' && c != '\n' && !(param && c == '"')) continue;
        fold_put(f, s + start, i - start);
        if (c == '\n') fold_put(f, param ? "^n" : "\\n", 2);
        else if (c == '"') fold_put(f, "^'", 2);
        start = i + 1;
    }
    fold_put(f, s + start, n - start);
}

static int needs_quotes(const char *v)
{
    return strpbrk(v, ":;,") != NULL;
}

void vcard_write_prop(const vcard_prop *p, const char *eol, vbuf *out)
{
    if (p->raw) {
        buf_append(out, p->raw, p->raw_len);
    } else {
        folder f = {out, eol ? eol : "\r\n", 0};
        if (p->group) {
            fold_puts(&f, p->group);
            fold_put(&f, ".", 1);
        }
        fold_puts(&f, p->name);
        for (int i = 0; i < p->nparams; i++) {
            const vcard_param *pm = &p->params[i];
            fold_put(&f, ";", 1);
            fold_puts(&f, pm->name);
            for (int j = 0; j < pm->nvalues; j++) {
                const char *v = pm->values[j];
                int q = pm->quoted || needs_quotes(v);
                fold_put(&f, j ? "," : "=", 1);
                if (q) fold_put(&f, "\"", 1);
                fold_put_safe(&f, v, strlen(v), 1);
                if (q) fold_put(&f, "\"", 1);
            }
        }
        fold_put(&f, ":", 1);
        fold_put_safe(&f, p->value, p->value_len, 0);
        buf_puts(out, f.eol);
    }
    if (p->tail_len) buf_append(out, p->tail, p->tail_len);
}

int vcard_write(const vcard *card, vbuf *out)
{
    const char *eol = card->eol ? card->eol : "\r\n";
    if (card->begin_raw)
        buf_append(out, card->begin_raw, card->begin_len);
    else
        buf_printf(out, "BEGIN:VCARD%s", eol);
    for (const vcard_prop *p = card->head; p; p = p->next)
        vcard_write_prop(p, eol, out);
    if (card->end_raw)
        buf_append(out, card->end_raw, card->end_len);
    else
        buf_printf(out, "END:VCARD%s", eol);
    return buf_failed(out) ? VCARD_ENOMEM : VCARD_OK;
}

int vcard_doc_write(const vcard_doc *doc, vbuf *out)
{
    for (const vcard *c = doc->first; c; c = c->next) {
        buf_append(out, c->lead, c->lead_len);
        vcard_write(c, out);
    }
    buf_append(out, doc->trail, doc->trail_len);
    return buf_failed(out) ? VCARD_ENOMEM : VCARD_OK;
}

/* Moves a finished vbuf into the pool. */
static char *to_pool(vpool *pool, vbuf *b, int rc, size_t *len)
{
    char *r = NULL;
    if (rc == VCARD_OK && !buf_failed(b)) {
        r = pool_memdup(pool, b->data ? b->data : "", b->len);
        if (r && len) *len = b->len;
    }
    buf_free(b);
    return r;
}

char *vcard_write_pool(vpool *pool, const vcard *card, size_t *len)
{
    vbuf b;
    buf_init(&b, 0);
    return to_pool(pool, &b, vcard_write(card, &b), len);
}

char *vcard_doc_write_pool(vpool *pool, const vcard_doc *doc, size_t *len)
{
    vbuf b;
    buf_init(&b, 0);
    return to_pool(pool, &b, vcard_doc_write(doc, &b), len);
}

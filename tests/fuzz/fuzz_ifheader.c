/* The WebDAV If header (RFC 4918 §10.4, dav/ifheader.c).
 *
 * An input is the header's value as libmicrohttpd hands it in.
 *
 * What must hold: no crash, leak or undefined behaviour; what parses is
 * tagged throughout or untagged throughout, every list has a condition,
 * and writing the lists back out gives a header that parses to the same
 * lists. */
#include "common/buf.h"
#include "dav/ifheader.h"
#include "tests/fuzz/fuzz.h"

static void write_lists(const dav_if_list *l, vbuf *b)
{
    const char *last_tag = NULL;
    for (; l; l = l->next) {
        if (l->tag && (!last_tag || strcmp(last_tag, l->tag) != 0))
            buf_printf(b, "<%s> ", l->tag);
        last_tag = l->tag;
        buf_putc(b, '(');
        for (const dav_if_cond *c = l->conds; c; c = c->next) {
            if (c->negate) buf_puts(b, "Not ");
            buf_printf(b, c->is_etag ? "[%s]" : "<%s>", c->value);
            if (c->next) buf_putc(b, ' ');
        }
        buf_puts(b, ") ");
    }
}

static int same(const dav_if_list *a, const dav_if_list *b)
{
    for (; a && b; a = a->next, b = b->next) {
        if ((a->tag == NULL) != (b->tag == NULL) || (a->tag && strcmp(a->tag, b->tag) != 0))
            return 0;
        const dav_if_cond *x = a->conds, *y = b->conds;
        for (; x && y; x = x->next, y = y->next)
            if (x->negate != y->negate || x->is_etag != y->is_etag || strcmp(x->value, y->value))
                return 0;
        if (x || y) return 0;
    }
    return !a && !b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *h = fuzz_cstr(data, size);
    vpool *p = pool_new();
    dav_if_list *l = NULL;
    if (dav_if_parse(p, h, &l) == 0) {
        FUZZ_ASSERT(l != NULL);
        int tagged = l->tag != NULL;
        for (const dav_if_list *i = l; i; i = i->next) {
            FUZZ_ASSERT((i->tag != NULL) == tagged);
            FUZZ_ASSERT(i->conds != NULL);
            for (const dav_if_cond *c = i->conds; c; c = c->next)
                FUZZ_ASSERT(c->value && *c->value);
        }
        vbuf b;
        buf_init(&b, 0);
        write_lists(l, &b);
        dav_if_list *again = NULL;
        if (dav_if_parse(p, buf_cstr(&b), &again) != 0 || !same(l, again)) {
            fprintf(stderr, "If: %s\nwritten back: %s\n", h, buf_cstr(&b));
            FUZZ_FAIL("If header does not round-trip");
        }
        buf_free(&b);
    }
    pool_free(p);
    free(h);
    return 0;
}

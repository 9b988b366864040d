/* The vCard parser and writer, conversion 3.0 <-> 4.0, property selection,
 * addressbook-query filters and the ingest policy (vcard/).
 *
 * An input is the body a client PUTs (or any stream of vCards).
 *
 * What must hold: no crash, leak or undefined behaviour; parse -> write
 * gives the input back byte for byte (the model is lossless); what a
 * conversion writes parses again, and converting that again to the same
 * version changes nothing; selection never fails; the filter gives the
 * same answer on bytes and on the parsed card; what ingest would store
 * validates and needs no second repair. */
#include "tests/fuzz/fuzz.h"
#include "vcard/convert.h"
#include "vcard/filter.h"
#include "vcard/ingest.h"
#include "vcard/select.h"
#include "vcard/validate.h"

static vcard_matcher *ms[3];

static void compile_filters(void)
{
    static vpool *mp;
    static const vcard_text_match tm_a = {"a", NULL, VCARD_MATCH_CONTAINS, 0};
    static const vcard_text_match tm_w = {"WORK", "i;ascii-casemap", VCARD_MATCH_EQUALS, 1};
    static const vcard_param_filter type = {"TYPE", 0, &tm_w};
    static const vcard_prop_filter pfs[] = {{"EMAIL", 1, 0, &tm_a, 1, &type, 1},
                                            {"N", 0, 0, &tm_a, 1, NULL, 0},
                                            {"PHOTO", 0, 1, NULL, 0, NULL, 0},
                                            {"item1.X-ABLabel", 0, 0, NULL, 0, NULL, 0}};
    static const vcard_filter fs[] = {{0, pfs, 4}, {1, pfs, 2}, {0, pfs + 2, 1}};
    mp = pool_new();
    for (int i = 0; i < 3; i++) FUZZ_ASSERT(vcard_filter_compile(mp, &fs[i], &ms[i], NULL) == 0);
}

static void conversions(vpool *p, const vcard *card)
{
    for (int to = VCARD_V30; to <= VCARD_V40; to += VCARD_V40 - VCARD_V30) {
        vcard *c;
        int rc = vcard_convert(p, card, to, &c);
        if (rc != VCARD_OK) {
            FUZZ_ASSERT(rc == VCARD_EUNSUPPORTED);
            continue;
        }
        size_t cn;
        char *cb = vcard_write_pool(p, c, &cn);
        FUZZ_ASSERT(cb != NULL);
        vcard_doc *again;
        if (vcard_parse(p, cb, cn, NULL, &again, NULL) != VCARD_OK || !again->first) {
            fprintf(stderr, "conversion to %d does not parse:\n%.*s\n", to, (int)cn, cb);
            FUZZ_FAIL("unparseable conversion");
        }
        /* a card already in the version asked for is left as it is */
        const char *twice;
        size_t tn;
        FUZZ_ASSERT(vcard_convert_bytes(p, cb, cn, to, &twice, &tn) == VCARD_OK);
        if (tn != cn || memcmp(twice, cb, cn) != 0) {
            fprintf(stderr, "converting to %d twice differs:\n%.*s\n---\n%.*s\n", to, (int)cn, cb,
                    (int)tn, twice);
            FUZZ_FAIL("conversion not idempotent");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ms[0]) compile_filters();
    /* an exact-size copy, so ASan sees a read past the end */
    char *text = malloc(size ? size : 1);
    FUZZ_ASSERT(text != NULL);
    memcpy(text, data, size);
    vpool *p = pool_new();
    vcard_doc *doc;
    if (vcard_parse(p, text, size, NULL, &doc, NULL) == VCARD_OK) {
        size_t wn;
        char *w = vcard_doc_write_pool(p, doc, &wn);
        FUZZ_ASSERT(w && wn == size && memcmp(w, text, size) == 0);
        for (vcard *c = doc->first; c; c = c->next) {
            conversions(p, c);
            vcard_prop_sel sel[] = {{"EMAIL", 0}, {"PHOTO", 1}, {"item1.X-ABLabel", 0}};
            vbuf b;
            buf_init(&b, 0);
            FUZZ_ASSERT(vcard_select(c, sel, 3, &b) == VCARD_OK);
            /* the selection is a card again */
            vcard_doc *back;
            FUZZ_ASSERT(vcard_parse(p, buf_cstr(&b), b.len, NULL, &back, NULL) == VCARD_OK);
            buf_free(&b);
        }
        if (doc->ncards == 1)
            for (int i = 0; i < 3; i++)
                FUZZ_ASSERT(vcard_matcher_match_card(ms[i], doc->first) ==
                            vcard_matcher_match_bytes(ms[i], text, size));
    } else {
        for (int i = 0; i < 3; i++) {
            int r = vcard_matcher_match_bytes(ms[i], text, size);
            FUZZ_ASSERT(r == 0 || r == 1);
        }
    }
    vcard_check chk;
    vcard_validate(p, text, size, NULL, NULL, NULL, &chk);
    FUZZ_ASSERT((chk.code == VCARD_VALID) == (chk.reason == NULL));
    vcard_ingest_opts io = {.now = 1767225600, .max_bytes = 1 << 20};
    vcard_ingest_result in;
    if (vcard_ingest(p, text, size, &io, &in) == VCARD_VALID) {
        FUZZ_ASSERT(in.fixes || (in.body == text && in.body_len == size && !in.changed));
        vcard_check again;
        FUZZ_ASSERT(vcard_validate(p, in.body, in.body_len, NULL, NULL, NULL, &again) ==
                    VCARD_VALID);
        vcard_ingest_result twice;
        FUZZ_ASSERT(vcard_ingest(p, in.body, in.body_len, &io, &twice) == VCARD_VALID &&
                    twice.fixes == 0);
        /* what a client gets back in either version */
        for (int to = VCARD_V30; to <= VCARD_V40; to += VCARD_V40 - VCARD_V30) {
            const char *out;
            size_t on;
            int rc = vcard_convert_bytes(p, in.body, in.body_len, to, &out, &on);
            FUZZ_ASSERT(rc == VCARD_OK || rc == VCARD_EUNSUPPORTED);
        }
    }
    pool_free(p);
    free(text);
    return 0;
}

/* Sync tokens (RFC 6578, dav/report_sync.c): a collection's, and a home's
 * with the revisions of its children.
 *
 * An input is a token as a client sends it back in DAV:sync-token.
 *
 * What must hold: no crash, leak or undefined behaviour; a token is
 * accepted only as the server writes it: what parses is written back the
 * same, byte for byte, with revisions that are never negative. */
#include <libxml/tree.h>

#include "dav/sync.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *tok = fuzz_cstr(data, size);
    vpool *p = pool_new();
    /* resource id 0x0123abcd...: its tag is "0123abcd" */
    store_node coll;
    memset(&coll, 0, sizeof coll);
    static const unsigned char rid[16] = {0x01, 0x23, 0xab, 0xcd};
    memcpy(coll.resource_id, rid, sizeof rid);

    int64_t rev = -1;
    if (dav_sync_token_parse(&coll, tok, &rev) == 0) {
        FUZZ_ASSERT(rev >= 0);
        char want[64];
        snprintf(want, sizeof want, "urn:x-veil:sync:0123abcd-%lld", (long long)rev);
        FUZZ_ASSERT(strcmp(want, tok) == 0);
    }
    int64_t home_rev = -1;
    dav_sync_child *kids;
    int n;
    if (dav_home_token_parse(p, &coll, tok, &home_rev, &kids, &n) == 0) {
        FUZZ_ASSERT(home_rev >= 0 && n >= 0);
        for (int i = 0; i < n; i++)
            FUZZ_ASSERT(strlen(kids[i].tag) == 8 && kids[i].rev >= 0 && kids[i].brev >= 0);
        if (strchr(tok, ';')) {
            const char *back = dav_home_token_format(p, &coll, home_rev, kids, n);
            if (!back || strcmp(back, tok) != 0) {
                fprintf(stderr, "token %s\nwritten back %s\n", tok, back ? back : "(null)");
                FUZZ_FAIL("home token does not round-trip");
            }
        }
    }
    pool_free(p);
    free(tok);
    return 0;
}

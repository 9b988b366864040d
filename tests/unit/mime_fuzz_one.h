/* One input through everything common/mime.h does with a message from
 * outside: parse, find the calendar part, decode it, read the From mailbox
 * and every part's text.  The unit test's mutation loop calls it; a
 * libFuzzer target needs only
 *
 *     int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
 *     { return mime_fuzz_one(d, n); }
 *
 * Returns 0 (libFuzzer's convention); a crash or a sanitizer report is the
 * finding.  Invariants that must hold whatever the input abort() when
 * broken, in release builds too. */
#ifndef VEIL_MIME_FUZZ_ONE_H
#define VEIL_MIME_FUZZ_ONE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/mime.h"
#include "common/uri.h"

#define MIME_FUZZ_REQUIRE(c)                                                                       \
    do {                                                                                           \
        if (!(c)) abort();                                                                         \
    } while (0)

static inline int mime_fuzz_one(const uint8_t *data, size_t size)
{
    vpool *pool = pool_new();
    if (!pool) return 0;
    mime_limits lim;
    mime_limits_init(&lim);
    lim.max_bytes = 1u << 20;
    mime_message m;
    if (mime_parse(pool, (const char *)data, size, &lim, &m) == MIME_OK) {
        MIME_FUZZ_REQUIRE(m.nparts >= 1 && m.nparts <= lim.max_parts);
        for (int i = 0; i < m.nparts; i++) {
            const mime_part *p = &m.parts[i];
            MIME_FUZZ_REQUIRE(p->depth <= lim.max_depth && p->nfields <= lim.max_fields);
            MIME_FUZZ_REQUIRE(p->body >= (const char *)data &&
                              p->body + p->len <= (const char *)data + size);
            const char *text;
            size_t len;
            if (mime_decode_text(pool, p, lim.max_bytes, &text, &len) == MIME_OK)
                MIME_FUZZ_REQUIRE(len <= lim.max_bytes && utf8_valid(text, len) &&
                                  text[len] == '\0');
        }
        int cal = mime_find_calendar(&m);
        MIME_FUZZ_REQUIRE(cal < m.nparts);
        mime_mailbox(pool, mime_header(&m.parts[0], "From"));
    }
    pool_free(pool);
    return 0;
}

#endif

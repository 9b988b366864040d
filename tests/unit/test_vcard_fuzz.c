/* vcard/: deterministic mutation smoke test.  Each data file is mutated a few
 * thousand times (bytes flipped, inserted, deleted, lines duplicated); for
 * every input that parses, writing must give the input back, conversion both
 * ways must give something that parses again, selection must not fail, and
 * the byte and parsed filter paths must agree.  Run under ASan/UBSan this is
 * what finds out-of-bounds reads in the scanners (it found one: a parameter
 * counter that disagreed with the parser about quotes).  VEIL_VCARD_FUZZ_N
 * and VEIL_VCARD_FUZZ_SEED run longer or different rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vcard/convert.h"
#include "vcard/filter.h"
#include "vcard/select.h"
#include "vcard/ingest.h"
#include "vcard/validate.h"

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

static unsigned long long rng = 88172645463325252ull;

static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 17);
}

/* Characters that matter to the grammar, so mutations hit interesting paths. */
static const char special[] = ":;,=\".\\^\r\n \t\x80\xC3\xE2\xF0";

static size_t mutate(const char *in, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    memcpy(out, in, n);
    o = n;
    int edits = 1 + (int)(next() % 4);
    for (int e = 0; e < edits && o > 0; e++) {
        size_t at = next() % o;
        switch (next() % 5) {
        case 0: /* overwrite with a grammar character */
            out[at] = special[next() % (sizeof(special) - 1)];
            break;
        case 1: /* insert one */
            if (o + 1 < cap) {
                memmove(out + at + 1, out + at, o - at);
                out[at] = special[next() % (sizeof(special) - 1)];
                o++;
            }
            break;
        case 2: { /* delete a run */
            size_t k = 1 + next() % 8;
            if (at + k > o) k = o - at;
            memmove(out + at, out + at + k, o - at - k);
            o -= k;
            break;
        }
        case 3: /* truncate */
            o = at;
            break;
        default: { /* duplicate a stretch (repeats lines and parameters) */
            size_t k = 1 + next() % 40;
            if (at + k > o) k = o - at;
            if (o + k < cap) {
                memmove(out + at + k, out + at, o - at);
                o += k;
            }
            break;
        }
        }
    }
    return o;
}

static void check_one(vcard_matcher *const *ms, int nm, const char *data, size_t n, int *parsed)
{
    vpool *p = pool_new();
    vcard_doc *doc;
    if (vcard_parse(p, data, n, NULL, &doc, NULL) == VCARD_OK) {
        (*parsed)++;
        size_t wn;
        char *w = vcard_doc_write_pool(p, doc, &wn);
        CHECK(w && wn == n && memcmp(w, data, n) == 0);
        if (doc->first) {
            for (int to = VCARD_V30; to <= VCARD_V40; to += VCARD_V40 - VCARD_V30) {
                vcard *c;
                int rc = vcard_convert(p, doc->first, to, &c);
                if (rc != VCARD_OK) {
                    CHECK_INT(rc, VCARD_EUNSUPPORTED);
                    continue;
                }
                size_t cn;
                char *cb = vcard_write_pool(p, c, &cn);
                vcard_doc *again;
                int prc = cb ? vcard_parse(p, cb, cn, NULL, &again, NULL) : VCARD_ENOMEM;
                if (prc != VCARD_OK) fprintf(stderr, "unparseable conversion:\n%.*s\n", (int)cn, cb);
                CHECK_INT(prc, VCARD_OK);
            }
            vcard_prop_sel sel[] = {{"EMAIL", 0}, {"PHOTO", 1}, {"item1.X-ABLabel", 0}};
            vbuf b;
            buf_init(&b, 0);
            CHECK_INT(vcard_select(doc->first, sel, 3, &b), VCARD_OK);
            buf_free(&b);
            for (int i = 0; i < nm; i++) {
                CHECK_INT(vcard_matcher_match_card(ms[i], doc->first),
                          vcard_matcher_match_bytes(ms[i], data, n));
            }
        }
    } else {
        for (int i = 0; i < nm; i++) {
            int r = vcard_matcher_match_bytes(ms[i], data, n);
            CHECK(r == 0 || r == 1);
        }
    }
    vcard_check chk;
    vcard_validate(p, data, n, NULL, NULL, NULL, &chk);
    CHECK((chk.code == VCARD_VALID) == (chk.reason == NULL));
    /* the ingest policy: what it would store is a valid card, and as sent when nothing was
     * repaired */
    vcard_ingest_opts io = {.now = 1704110400};
    vcard_ingest_result in;
    if (vcard_ingest(p, data, n, &io, &in) == VCARD_VALID) {
        CHECK(in.fixes || (in.body == data && in.body_len == n));
        vcard_check again;
        CHECK_INT(vcard_validate(p, in.body, in.body_len, NULL, NULL, NULL, &again), VCARD_VALID);
        vcard_ingest_result twice;
        /* and a repaired card needs no second repair */
        CHECK(vcard_ingest(p, in.body, in.body_len, &io, &twice) == VCARD_VALID &&
              twice.fixes == 0);
    }
    pool_free(p);
}

int main(void)
{
    static const char *const files[] = {"apple-3.0-photo.vcf", "apple-group-3.0.vcf",
                                        "google-3.0.vcf",      "davx5-4.0.vcf",
                                        "nextcloud-3.0.vcf",   "cjk-emoji-4.0.vcf",
                                        "outlook-2.1.vcf"};
    vpool *mp = pool_new();
    vcard_text_match tm_a = {"a", NULL, VCARD_MATCH_CONTAINS, 0};
    vcard_text_match tm_w = {"WORK", "i;ascii-casemap", VCARD_MATCH_EQUALS, 1};
    vcard_param_filter type = {"TYPE", 0, &tm_w};
    vcard_prop_filter pfs[] = {{"EMAIL", 1, 0, &tm_a, 1, &type, 1},
                               {"N", 0, 0, &tm_a, 1, NULL, 0},
                               {"PHOTO", 0, 1, NULL, 0, NULL, 0},
                               {"item1.X-ABLabel", 0, 0, NULL, 0, NULL, 0}};
    vcard_filter fs[] = {{0, pfs, 4}, {1, pfs, 2}, {0, pfs + 2, 1}};
    vcard_matcher *ms[3];
    for (int i = 0; i < 3; i++) CHECK_INT(vcard_filter_compile(mp, &fs[i], &ms[i], NULL), 0);
    int total = 0, parsed = 0, rounds = 1500;
    const char *env = getenv("VEIL_VCARD_FUZZ_N"); /* more rounds per file */
    if (env && atoi(env) > 0) rounds = atoi(env);
    env = getenv("VEIL_VCARD_FUZZ_SEED");
    if (env && strtoull(env, NULL, 10)) rng = strtoull(env, NULL, 10);
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "data/vcard/%s", files[f]);
        char *data = slurp(path, &len);
        CHECK(data != NULL);
        if (!data) continue;
        size_t cap = len + 4096;
        char *buf = malloc(cap);
        check_one(ms, 3, data, len, &parsed);
        for (int i = 0; i < rounds; i++) {
            size_t n = mutate(data, len, buf, cap);
            /* exact-size copy so ASan sees reads past the end */
            char *exact = malloc(n ? n : 1);
            memcpy(exact, buf, n);
            check_one(ms, 3, exact, n, &parsed);
            free(exact);
            total++;
        }
        free(buf);
        free(data);
    }
    fprintf(stderr, "  %d mutants, %d parsed\n", total, parsed);
    CHECK(parsed > total / 10);
    pool_free(mp);
    return check_summary();
}

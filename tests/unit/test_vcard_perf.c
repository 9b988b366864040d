/* vcard/filter.h at scale: an addressbook-query over 10,000 generated cards
 * (VEIL_VCARD_PERF_N=100000 for more), evaluated from bytes and from parsed
 * cards.  Checks that both agree with each other and with what the generator
 * put in, and that the byte path is the cheaper one.  Timings go to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "vcard/filter.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static const char *const first[] = {"Anna", "Jürgen", "Zoë",    "Иван", "Ólafur", "Mei",
                                    "John", "Σοφία",  "Pierre", "Ayşe", "太郎",   "Liam"};
static const char *const last[] = {"Smith",  "Müller", "Ångström", "Петров",
                                   "García", "Nguyễn", "SMITHSON", "Papadopoulos",
                                   "Dubois", "Yılmaz", "山田",     "Kowalski"};

typedef struct truth {
    int smith;    /* FN contains "smith" (any case) */
    int org_mail; /* some EMAIL ends with "@example.org" */
    int photo;    /* has PHOTO */
    int work_tel; /* a TEL with TYPE work */
    int friends;  /* CATEGORIES has "Friends" */
} truth;

static char *make_card(int i, truth *t, size_t *len)
{
    vbuf b;
    buf_init(&b, 0);
    const char *fn = first[next() % 12], *ln = last[next() % 12];
    memset(t, 0, sizeof(*t));
    t->smith = strstr(ln, "Smith") || strstr(ln, "SMITH");
    buf_printf(&b, "BEGIN:VCARD\r\nVERSION:%s\r\nPRODID:-//Veil//perf//EN\r\n",
               i % 3 ? "3.0" : "4.0");
    buf_printf(&b, "UID:perf-%08d\r\nFN:%s %s\r\nN:%s;%s;;;\r\n", i, fn, ln, ln, fn);
    int nmail = (int)(next() % 3);
    for (int k = 0; k < nmail; k++) {
        int org = next() % 4 == 0;
        t->org_mail |= org;
        buf_printf(&b,
                   "item%d.EMAIL;type=INTERNET;type=%s:user%d.%d@example.%s\r\n"
                   "item%d.X-ABLabel:_$!<Other>!$_\r\n",
                   k + 1, k ? "HOME" : "WORK", i, k, org ? "org" : "com", k + 1);
    }
    if (next() % 2) {
        int work = next() % 2;
        t->work_tel = work;
        buf_printf(&b, "TEL;TYPE=%s,VOICE:+49 30 %07u\r\n", work ? "WORK" : "CELL",
                   next() % 10000000);
    }
    buf_printf(&b, "ADR;TYPE=HOME:;;Street %d;Berlin;;%05u;Germany\r\n", i, next() % 100000);
    if (next() % 3 == 0) {
        t->friends = 1;
        buf_puts(&b, "CATEGORIES:Family,Friends\r\n");
    } else {
        buf_puts(&b, "CATEGORIES:Work\r\n");
    }
    buf_printf(&b,
               "NOTE:Generated contact %d with a note that is long enough to be folded onc\r\n"
               " e at seventy-five octets\\, as real clients do.\r\n",
               i);
    if (next() % 10 == 0) { /* 10% carry a ~4 KB photo, folded like Apple does */
        t->photo = 1;
        buf_puts(&b, "PHOTO;ENCODING=b;TYPE=JPEG:/9j/");
        for (int k = 0; k < 4000; k++) {
            if (k % 74 == 44) buf_puts(&b, "\r\n ");
            buf_putc(
                &b,
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[next() % 64]);
        }
        buf_puts(&b, "\r\n");
    }
    buf_printf(&b, "REV:2024-01-01T00:00:%02dZ\r\nEND:VCARD\r\n", i % 60);
    return buf_steal(&b, len);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(void)
{
    const char *env = getenv("VEIL_VCARD_PERF_N");
    int n = env ? atoi(env) : 10000;
    if (n <= 0) n = 10000;
    char **cards = calloc((size_t)n, sizeof(*cards));
    size_t *lens = calloc((size_t)n, sizeof(*lens));
    truth *truths = calloc((size_t)n, sizeof(*truths));
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        cards[i] = make_card(i, &truths[i], &lens[i]);
        total += lens[i];
    }

    vcard_text_match smith = {"smith", NULL, VCARD_MATCH_CONTAINS, 0};
    vcard_text_match org = {"@EXAMPLE.ORG", "i;ascii-casemap", VCARD_MATCH_ENDS_WITH, 0};
    vcard_text_match work = {"work", NULL, VCARD_MATCH_EQUALS, 0};
    vcard_text_match friends = {"friends", NULL, VCARD_MATCH_EQUALS, 0};
    vcard_param_filter type_work = {"TYPE", 0, &work};
    vcard_prop_filter pf_smith = {"FN", 0, 0, &smith, 1, NULL, 0};
    vcard_prop_filter pf_org = {"EMAIL", 0, 0, &org, 1, NULL, 0};
    vcard_prop_filter pf_nophoto = {"PHOTO", 0, 1, NULL, 0, NULL, 0};
    vcard_prop_filter pf_tel = {"TEL", 0, 0, NULL, 0, &type_work, 1};
    vcard_prop_filter pf_friends = {"CATEGORIES", 0, 0, &friends, 1, NULL, 0};
    vcard_prop_filter q1[] = {pf_smith};
    vcard_prop_filter q2[] = {pf_org, pf_nophoto};
    vcard_prop_filter q3[] = {pf_tel, pf_friends, pf_smith};
    static const char *const names[] = {"FN contains smith", "EMAIL ends-with AND no PHOTO",
                                        "TEL work OR CATEGORIES Friends OR FN smith"};
    vcard_filter filters[] = {{0, q1, 1}, {1, q2, 2}, {0, q3, 3}};

    vpool *pool = pool_new();
    double t_bytes = 0, t_parse = 0;
    for (int q = 0; q < 3; q++) {
        vcard_matcher *m;
        CHECK_INT(vcard_filter_compile(pool, &filters[q], &m, NULL), VCARD_FILTER_OK);
        int expected = 0, by_bytes = 0, by_card = 0, agree = 1;
        double t0 = now_ms();
        for (int i = 0; i < n; i++)
            by_bytes += vcard_matcher_match_bytes(m, cards[i], lens[i]) == 1;
        double t1 = now_ms();
        for (int i = 0; i < n; i++) {
            vpool *cp = pool_new();
            vcard_doc *doc;
            int r = -1;
            if (vcard_parse(cp, cards[i], lens[i], NULL, &doc, NULL) == VCARD_OK)
                r = vcard_matcher_match_card(m, doc->first);
            by_card += r == 1;
            pool_free(cp);
        }
        double t2 = now_ms();
        for (int i = 0; i < n; i++) {
            const truth *t = &truths[i];
            int want = q == 0   ? t->smith
                       : q == 1 ? (t->org_mail && !t->photo)
                                : (t->work_tel || t->friends || t->smith);
            expected += want;
            agree &= vcard_matcher_match_bytes(m, cards[i], lens[i]) == want;
        }
        CHECK(agree);
        CHECK_INT(by_bytes, expected);
        CHECK_INT(by_card, expected);
        CHECK(expected > 0 && expected < n);
        t_bytes += t1 - t0;
        t_parse += t2 - t1;
        fprintf(stderr, "  %-44s %6d/%d  bytes %7.1f ms (%.2f us/card)  parse+match %7.1f ms\n",
                names[q], expected, n, t1 - t0, (t1 - t0) * 1e3 / n, t2 - t1);
    }
    fprintf(stderr, "  %d cards, %.1f MB\n", n, total / 1e6);
    /* The point of the byte path: cheaper than building a model. */
    CHECK(t_bytes < t_parse);
    pool_free(pool);
    for (int i = 0; i < n; i++)
        free(cards[i]);
    free(cards);
    free(lens);
    free(truths);
    return check_summary();
}

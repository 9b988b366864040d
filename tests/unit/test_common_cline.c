/* common/cline.h: the content-line framing repairs shared by iCalendar and vCard. */
#include "check.h"
#include "common/cline.h"

static vpool *P;

/* cline_check, then cline_repair of what it found; NULL on failure. */
static const char *fix(const char *in, unsigned *need)
{
    size_t n = strlen(in);
    *need = cline_check(in, n);
    const char *out;
    size_t len;
    if (cline_repair(P, in, n, *need, 0, &out, &len) != CLINE_OK) return NULL;
    CHECK_INT(strlen(out), len);
    return out;
}

static void test_clean_text_needs_nothing(void)
{
    static const char *ok[] = {
        "",
        "BEGIN:VCARD\r\nEND:VCARD\r\n",
        "A:"
        "long line, seventy-six octets and more, is a SHOULD NOT, not a repair......\r\n",
        "A:folded\r\n  here\r\n\tand here\r\n",
        "A:Caf\xC3\xA9\r\n \xC3\xA9t\xC3\xA9\r\n", /* folds between characters */
        "A:bare\rCR\r\n",                          /* a lone CR is validation's business */
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        unsigned need = 1;
        CHECK_STR(fix(ok[i], &need), ok[i]);
        CHECK_INT(need, 0);
    }
}

static void test_bom(void)
{
    unsigned need;
    CHECK_STR(fix("\xEF\xBB\xBF"
                  "A:b\r\n",
                  &need),
              "A:b\r\n");
    CHECK_INT(need, CLINE_BOM);
    /* only at the start */
    CHECK_INT(cline_check("A:\xEF\xBB\xBF\r\n", 7), 0);
}

static void test_crlf(void)
{
    unsigned need;
    CHECK_STR(fix("A:b\nC:d\n", &need), "A:b\r\nC:d\r\n");
    CHECK_INT(need, CLINE_CRLF);
    /* folds keep their place, only the break changes */
    CHECK_STR(fix("A:b\n c\r\n\td\n", &need), "A:b\r\n c\r\n\td\r\n");
    /* no break after the last line; an old Mac CR at the end */
    CHECK_STR(fix("A:b\r\nC:d", &need), "A:b\r\nC:d\r\n");
    CHECK_INT(need, CLINE_CRLF);
    CHECK_STR(fix("A:b\r\nC:d\r", &need), "A:b\r\nC:d\r\n");
    /* blank lines are lines */
    CHECK_STR(fix("A:b\n\nC:d\r\n", &need), "A:b\r\n\r\nC:d\r\n");
}

static void test_fold_utf8(void)
{
    unsigned need;
    /* two-, three- and four-octet characters cut at every place */
    CHECK_STR(fix("A:Caf\xC3\r\n \xA9!\r\n", &need), "A:Caf\r\n \xC3\xA9!\r\n");
    CHECK_INT(need, CLINE_FOLD_UTF8);
    CHECK_STR(fix("A:\xE2\r\n \x82\xAC\r\n", &need), "A:\r\n \xE2\x82\xAC\r\n");
    CHECK_STR(fix("A:\xE2\x82\r\n\t\xAC\r\n", &need), "A:\r\n\t\xE2\x82\xAC\r\n");
    CHECK_STR(fix("A:x\xF0\x9F\x98\n \x80y\n", &need), "A:x\r\n \xF0\x9F\x98\x80y\r\n");
    CHECK_INT(need, CLINE_FOLD_UTF8 | CLINE_CRLF);
    /* a continuation that is itself cut at its end */
    CHECK_STR(fix("A:\xC3\r\n \xA9\xC3\r\n \xA9\r\n", &need), "A:\r\n \xC3\xA9\r\n \xC3\xA9\r\n");
    /* continuation octets with nothing to move stay: validation refuses them */
    CHECK_STR(fix("A:x\r\n \xA9\r\n", &need), "A:x\r\n \xA9\r\n");
}

static void test_cap(void)
{
    const char *out;
    size_t len;
    CHECK_INT(cline_repair(P, "A:b\nC:d\n", 8, CLINE_CRLF, 9, &out, &len), CLINE_TOO_LARGE);
    CHECK_INT(cline_repair(P, "A:b\nC:d\n", 8, CLINE_CRLF, 10, &out, &len), CLINE_OK);
    CHECK_STR(out, "A:b\r\nC:d\r\n");
    /* the worst case: every octet a line break */
    CHECK_INT(cline_repair(P, "\n\n\n\n", 4, CLINE_CRLF, 0, &out, &len), CLINE_OK);
    CHECK_INT(len, 8);
}

int main(void)
{
    P = pool_new();
    RUN(test_clean_text_needs_nothing);
    RUN(test_bom);
    RUN(test_crlf);
    RUN(test_fold_utf8);
    RUN(test_cap);
    pool_free(P);
    return check_summary();
}

/* ical/: UTC times, detection, the content-line lexer, collations. */
#include <libical/ical.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/buf.h"
#include "ical/collate.h"
#include "ical/ical.h"
#include "ical/lex.h"

static void test_parse_utc(void)
{
    int64_t t = 0;
    CHECK_INT(ical_parse_utc("19700101T000000Z", &t), 0);
    CHECK_INT(t, 0);
    CHECK_INT(ical_parse_utc("20060104T140000Z", &t), 0);
    CHECK_INT(t, 1136383200);
    CHECK_INT(ical_parse_utc("20240229T235959Z", &t), 0); /* leap day */
    CHECK_INT(t, 1709251199);
    CHECK_INT(ical_parse_utc("16010101T000000Z", &t), 0); /* before 1970 */
    CHECK_INT(t, -11644473600LL);
    CHECK_INT(ical_parse_utc("20230229T000000Z", &t), -1); /* no 29 Feb */
    CHECK_INT(ical_parse_utc("20060104T140000", &t), -1);  /* not UTC */
    CHECK_INT(ical_parse_utc("20060104", &t), -1);
    CHECK_INT(ical_parse_utc("2006010XT140000Z", &t), -1);
    CHECK_INT(ical_parse_utc("20061304T140000Z", &t), -1);
    CHECK_INT(ical_parse_utc("20060104T240000Z", &t), -1);
    CHECK_INT(ical_parse_utc("20060104T140000Z ", &t), -1);
    CHECK_INT(ical_parse_utc(NULL, &t), -1);
}

static void test_format_utc(void)
{
    char b[17];
    ical_format_utc(1136383200, b);
    CHECK_STR(b, "20060104T140000Z");
    ical_format_utc(-1, b);
    CHECK_STR(b, "19691231T235959Z");
    ical_format_utc(ICAL_TIME_MAX, b);
    CHECK_STR(b, "99991231T235959Z");
    int64_t t;
    ical_format_utc(4102444800LL + 86399, b); /* round trip in 2100 */
    CHECK_INT(ical_parse_utc(b, &t), 0);
    CHECK_INT(t, 4102444800LL + 86399);
}

static void test_looks_like(void)
{
    const char *a = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
    const char *b = "\xEF\xBB\xBF\r\n\r\nbegin:vcalendar\nend:vcalendar\n";
    CHECK(ical_looks_like(a, strlen(a)));
    CHECK(ical_looks_like(b, strlen(b)));
    CHECK(!ical_looks_like("BEGIN:VCARD\r\n", 13));
    CHECK(!ical_looks_like("<xml/>", 6));
    CHECK(!ical_looks_like("", 0));
}

static void test_status(void)
{
    CHECK_STR(ical_status_precondition(ICAL_ERR_DATA), "valid-calendar-data");
    CHECK_STR(ical_status_precondition(ICAL_ERR_OBJECT), "valid-calendar-object-resource");
    CHECK_STR(ical_status_precondition(ICAL_ERR_COMPONENT), "supported-calendar-component");
    CHECK_STR(ical_status_precondition(ICAL_ERR_MAX_INSTANCES), "max-instances");
    CHECK_STR(ical_status_precondition(ICAL_ERR_FILTER), "valid-filter");
    CHECK_STR(ical_status_precondition(ICAL_ERR_COLLATION), "supported-collation");
    CHECK(ical_status_precondition(ICAL_OK) == NULL);
    CHECK(ical_status_precondition(ICAL_ERR_LIMIT) == NULL);
    CHECK_STR(ical_kind_name(ICAL_KIND_VTODO), "VTODO");
    CHECK_INT(ical_kind_from_name("vjournal"), ICAL_KIND_VJOURNAL);
    CHECK_INT(ical_kind_from_name("VTIMEZONE"), 0);
}

static void test_lexer_folding(void)
{
    /* A name folded in the middle, an LF-only line, a tab continuation. */
    const char *s =
        "BEGIN:VCALENDAR\r\nSUM\r\n MARY;LANGUAGE=en:Hel\r\n\tlo\nX-A;P=\"a:b\";Q=c:v:w\r\n"
        "\r\nEND:VCALENDAR";
    ical_lexer lx;
    ical_line ln;
    ical_lex_init(&lx, s, strlen(s));
    CHECK_INT(ical_lex_next(&lx, &ln), 1);
    CHECK(ical_line_is(&ln, "begin") && ical_line_value_is(&ln, "vcalendar"));
    CHECK_INT(ln.crlf, 1);
    CHECK_INT(ical_lex_next(&lx, &ln), 1);
    CHECK(ical_line_is(&ln, "SUMMARY"));
    CHECK_INT((int)ln.len, (int)strlen("SUMMARY;LANGUAGE=en:Hello"));
    CHECK(memcmp(ln.text + ln.value_off, "Hello", 5) == 0);
    CHECK(ln.raw == s + 17); /* raw keeps the physical lines */
    CHECK_INT((int)ln.raw_len, (int)strlen("SUM\r\n MARY;LANGUAGE=en:Hel\r\n\tlo\n"));
    CHECK_INT(ical_lex_next(&lx, &ln), 1);
    CHECK(ical_line_is(&ln, "X-A"));
    CHECK(memcmp(ln.text + ln.value_off, "v:w", 3) == 0); /* quoted ':' skipped */
    const char *v;
    size_t vl;
    CHECK(ical_line_param(&ln, "p", &v, &vl) && vl == 3 && memcmp(v, "a:b", 3) == 0);
    CHECK(ical_line_param(&ln, "Q", &v, &vl) && vl == 1 && *v == 'c');
    CHECK(!ical_line_param(&ln, "R", &v, &vl));
    CHECK_INT(ical_lex_next(&lx, &ln), 1); /* blank line skipped */
    CHECK(ical_line_is(&ln, "END"));
    CHECK_INT(ln.crlf, 0);
    CHECK_INT(ical_lex_next(&lx, &ln), 0);
    CHECK_INT(lx.bare_lf, 1);
    ical_lex_done(&lx);
}

static void test_lexer_errors(void)
{
    const char *bad[] = {"SUMMARY:a\x01"
                         "b\r\n",
                         "SUMMARY:a\rb\r\n", "no colon here\r\n", ":novalue\r\n", "SUM MARY:x\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ical_lexer lx;
        ical_line ln;
        ical_lex_init(&lx, bad[i], strlen(bad[i]));
        CHECK_INT(ical_lex_next(&lx, &ln), -1);
        ical_lex_done(&lx);
    }
}

static void test_fold_append(void)
{
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    char line[200];
    memset(line, 'a', sizeof(line));
    memcpy(line + 73, "\xC3\xA9", 2); /* é straddles column 75 */
    ical_fold_append(&b, line, 160, 1);
    /* 73 a's + é = 75 octets on the first line, not split. */
    CHECK(memcmp(b.data + 73, "\xC3\xA9\r\n ", 5) == 0);
    CHECK(b.len == 160 + 3 * 2 + 2); /* two folds, one terminator */
    buf_free(&b);
}

static int contains(ical_collation c, const char *hay, const char *needle)
{
    char f[256];
    size_t n = ical_casemap_fold(needle, strlen(needle), f);
    return ical_collate_contains(c, hay, strlen(hay), needle, strlen(needle), f, n);
}

static void test_collations(void)
{
    ical_collation c;
    CHECK_INT(ical_collation_from_name(NULL, &c), 0);
    CHECK_INT(c, ICAL_COLL_ASCII_CASEMAP);
    CHECK_INT(ical_collation_from_name("i;octet", &c), 0);
    CHECK_INT(c, ICAL_COLL_OCTET);
    CHECK_INT(ical_collation_from_name("I;Unicode-Casemap", &c), 0);
    CHECK_INT(c, ICAL_COLL_UNICODE_CASEMAP);
    CHECK_INT(ical_collation_from_name("i;basic", &c), -1);

    CHECK(contains(ICAL_COLL_ASCII_CASEMAP, "Weekly Meeting", "MEET"));
    CHECK(!contains(ICAL_COLL_OCTET, "Weekly Meeting", "MEET"));
    CHECK(contains(ICAL_COLL_OCTET, "Weekly Meeting", "Meet"));
    CHECK(contains(ICAL_COLL_ASCII_CASEMAP, "anything", ""));
    /* i;ascii-casemap leaves non-ASCII alone: É is not é. */
    CHECK(!contains(ICAL_COLL_ASCII_CASEMAP, "CAFÉ", "café"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "CAFÉ", "café"));
    /* Composed and decomposed forms meet in NFKD. */
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "Cafe\xCC\x81", "CAFÉ"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "Grüße aus München", "MÜNCHEN"));
    /* Greek: final sigma, capital sigma and small sigma all meet. */
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "ΟΔΥΣΣΕΥΣ", "οδυσσευς"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "Αθήνα", "ΑΘΉΝΑ"));
    CHECK(!contains(ICAL_COLL_UNICODE_CASEMAP, "Αθήνα", "ΑΘΗΝΑ")); /* accents matter */
    /* Cyrillic, with Ё decomposing to Е + diaeresis. */
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "Встреча в Москве", "МОСКВЕ"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "ёлка", "ЁЛКА"));
    CHECK(!contains(ICAL_COLL_UNICODE_CASEMAP, "ёлка", "ЕЛКА")); /* the mark stays */
    /* Vietnamese (Latin Extended Additional), ligatures, fullwidth. */
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "Hà Nội", "HÀ NỘI"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP,
                   "of\xEF\xAC\x81"
                   "ce",
                   "OFFICE"));
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, "\xEF\xBC\xA1\xEF\xBC\xA2", "ab"));
    CHECK(!contains(ICAL_COLL_UNICODE_CASEMAP, "Straße", "STRASSE")); /* simple mapping only */
    /* Invalid UTF-8 matches only itself and does not crash. */
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP,
                   "a\xFF"
                   "b",
                   "\xFF"));
    CHECK(!contains(ICAL_COLL_UNICODE_CASEMAP,
                    "a\xFE"
                    "b",
                    "\xFF"));
    /* A haystack beyond the 1 KiB stack buffer. */
    char big[3000];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    memcpy(big + 2900, "Zürich", 7);
    CHECK(contains(ICAL_COLL_UNICODE_CASEMAP, big, "ZÜRICH"));
}

int main(void)
{
    RUN(test_parse_utc);
    RUN(test_format_utc);
    RUN(test_looks_like);
    RUN(test_status);
    RUN(test_lexer_folding);
    RUN(test_lexer_errors);
    RUN(test_fold_append);
    RUN(test_collations);
    ical_global_cleanup();
    return check_summary();
}

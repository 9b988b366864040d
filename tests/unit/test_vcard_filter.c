/* vcard/filter.h: addressbook-query filters, collations, case folding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/casemap.h"
#include "vcard/filter.h"

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

static char *APPLE, *DAVX5, *NEXTCLOUD, *GROUP3;
static size_t APPLE_N, DAVX5_N, NEXTCLOUD_N, GROUP3_N;

/* Evaluates f on data both from bytes and from a parsed card, checks that
 * the two agree, and returns the answer (-1 when f does not compile). */
static int eval_n(const vcard_filter *f, const char *data, size_t len)
{
    vpool *p = pool_new();
    vcard_matcher *m;
    int r = -1;
    if (vcard_filter_compile(p, f, &m, NULL) == VCARD_FILTER_OK) {
        r = vcard_matcher_match_bytes(m, data, len);
        vcard_doc *doc;
        if (vcard_parse(p, data, len, NULL, &doc, NULL) == VCARD_OK && doc->first) {
            int r2 = vcard_matcher_match_card(m, doc->first);
            if (r2 != r) fprintf(stderr, "bytes say %d, card says %d\n", r, r2);
            CHECK_INT(r2, r);
        }
    }
    pool_free(p);
    return r;
}

static int eval(const vcard_filter *f, const char *data)
{
    return eval_n(f, data, strlen(data));
}

/* One prop-filter with one text-match. */
static int text1(const char *prop, const char *text, const char *coll, vcard_match_type mt,
                 int negate, const char *data, size_t len)
{
    vcard_text_match tm = {text, coll, mt, negate};
    vcard_prop_filter pf = {prop, 0, 0, &tm, 1, NULL, 0};
    vcard_filter f = {0, &pf, 1};
    return eval_n(&f, data, len);
}

#define T(prop, text, mt, data) text1(prop, text, NULL, mt, 0, data, strlen(data))
#define C VCARD_MATCH_CONTAINS
#define EQ VCARD_MATCH_EQUALS
#define SW VCARD_MATCH_STARTS_WITH
#define EW VCARD_MATCH_ENDS_WITH

static void test_existence(void)
{
    vcard_filter empty = {0, NULL, 0};
    CHECK_INT(eval_n(&empty, APPLE, APPLE_N), 1);
    vcard_prop_filter photo = {"PHOTO", 0, 0, NULL, 0, NULL, 0};
    vcard_filter f = {0, &photo, 1};
    CHECK_INT(eval_n(&f, APPLE, APPLE_N), 1);
    CHECK_INT(eval_n(&f, NEXTCLOUD, NEXTCLOUD_N), 0);
    photo.is_not_defined = 1;
    CHECK_INT(eval_n(&f, APPLE, APPLE_N), 0);
    CHECK_INT(eval_n(&f, NEXTCLOUD, NEXTCLOUD_N), 1);
    /* Names are case-insensitive; only the first vCard counts. */
    vcard_prop_filter note = {"note", 0, 0, NULL, 0, NULL, 0};
    f.prop_filters = &note;
    CHECK_INT(eval(&f, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:a\r\nEND:VCARD\r\n"
                       "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:b\r\nEND:VCARD\r\n"),
              0);
    CHECK_INT(eval_n(&f, APPLE, APPLE_N), 1);
}

static void test_match_types(void)
{
    CHECK_INT(T("FN", "appleseed", C, APPLE), 1);
    CHECK_INT(T("FN", "Dr. Johnny Q. Appleseed Jr.", EQ, APPLE), 1);
    CHECK_INT(T("FN", "Dr. Johnny", EQ, APPLE), 0);
    CHECK_INT(T("FN", "dr. j", SW, APPLE), 1);
    CHECK_INT(T("FN", "johnny", SW, APPLE), 0);
    CHECK_INT(T("FN", "SEED JR.", EW, APPLE), 1);
    CHECK_INT(T("FN", "seed", EW, APPLE), 0);
    CHECK_INT(T("FN", "", C, APPLE), 1);
    CHECK_INT(T("FN", "", EQ, APPLE), 0);
    /* CalDAVTester reports.xml 30/31: UID starts-with / ends-with. */
    CHECK_INT(T("UID", "5ad380fd", SW, APPLE), 1);
    CHECK_INT(T("X-ABUID", "B:ABPerson", EW, APPLE), 0);
    CHECK_INT(T("X-ABUID", "E:ABPerson", EW, APPLE), 1);
    /* Escapes are undone before matching (RFC 6350 §3.4). */
    CHECK_INT(T("NOTE", "WWDC, 2019.\nLikes apples; hates", C, APPLE), 1);
    CHECK_INT(T("NOTE", "WWDC\\,", C, APPLE), 0);
    /* A text split by a fold still matches. */
    const char *folded =
        "BEGIN:VCARD\r\nVERSION:4.0\r\nNO\r\n TE:Long te\r\n xt here\r\nEND:VCARD\r\n";
    CHECK_INT(T("NOTE", "text", C, folded), 1);
    CHECK_INT(T("NOTE", "Long text here", EQ, folded), 1);
}

static void test_negate(void)
{
    const char *two = "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:a@apple.com\r\nEMAIL:b@example.com\r\n"
                      "END:VCARD\r\n";
    const char *one = "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:a@apple.com\r\nEND:VCARD\r\n";
    const char *none = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n";
    /* CalDAVTester basicquery/4: EMAIL does not contain "apple" — a card
     * matches when one of its EMAILs does not; no EMAIL, no match. */
    CHECK_INT(text1("EMAIL", "apple", NULL, C, 1, two, strlen(two)), 1);
    CHECK_INT(text1("EMAIL", "apple", NULL, C, 1, one, strlen(one)), 0);
    CHECK_INT(text1("EMAIL", "apple", NULL, C, 1, none, strlen(none)), 0);
    /* RFC 6352 §10.5.4's own example: CATEGORIES not set to PERSON. */
    const char *cat = "BEGIN:VCARD\r\nVERSION:3.0\r\nCATEGORIES:Friends,Person\r\nEND:VCARD\r\n";
    CHECK_INT(text1("CATEGORIES", "person", NULL, EQ, 1, cat, strlen(cat)), 0);
    CHECK_INT(text1("CATEGORIES", "work", NULL, EQ, 1, cat, strlen(cat)), 1);
}

static void test_structured(void)
{
    const char *c = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;Q.,R.;Dr.;\r\n"
                    "ADR;TYPE=WORK:;;1 Infinite Loop;Cupertino;CA;95014;USA\r\n"
                    "ORG:Apple\\, Inc.;Engineering\r\nCATEGORIES:Friends,Work\r\n"
                    "NICKNAME:Jo,Johnny\r\nNOTE:a;b\r\nEND:VCARD\r\n";
    CHECK_INT(T("N", "doe", EQ, c), 1);
    CHECK_INT(T("N", "R.", EQ, c), 1);
    CHECK_INT(T("N", "Doe;John;Q.,R.;Dr.;", EQ, c), 1);
    CHECK_INT(T("N", "Joh", SW, c), 1);
    CHECK_INT(T("ADR", "cupertino", EQ, c), 1);
    CHECK_INT(T("ADR", "Japan", C, c), 0);
    CHECK_INT(T("ORG", "Apple, Inc.", EQ, c), 1);
    CHECK_INT(T("ORG", "Apple", EQ, c), 0); /* an escaped comma does not split */
    CHECK_INT(T("CATEGORIES", "work", EQ, c), 1);
    CHECK_INT(T("CATEGORIES", "Fri", SW, c), 1);
    CHECK_INT(T("CATEGORIES", "ends", EW, c), 1);
    CHECK_INT(T("NICKNAME", "johnny", EQ, c), 1);
    CHECK_INT(T("NOTE", "b", EQ, c), 0); /* NOTE is not structured */
    /* Non-ASCII components (CalDAVTester nonascii and basicquery/9, 10). */
    CHECK_INT(T("CATEGORIES", "КНИГИ", EQ, DAVX5), 1);
    CHECK_INT(T("N", "аркадьевна", EQ, DAVX5), 1);
}

static void test_groups(void)
{
    CHECK_INT(T("EMAIL", "johnny@", SW, APPLE), 1);
    CHECK_INT(T("URL", "example.com", C, APPLE), 1); /* item2.URL */
    CHECK_INT(T("item2.URL", "example.com", C, APPLE), 1);
    CHECK_INT(T("ITEM2.url", "example.com", C, APPLE), 1);
    CHECK_INT(T("item1.URL", "example.com", C, APPLE), 0);
    CHECK_INT(T("X-ABLabel", "_$!<Spouse>!$_", EQ, APPLE), 1);
    CHECK_INT(T("item3.X-ABLabel", "Spouse", C, APPLE), 0);
    CHECK_INT(T("item4.X-ABLabel", "Spouse", C, APPLE), 1);
    /* Apple 3.0 groups are found by their X- kind, 4.0 ones by KIND. */
    CHECK_INT(text1("X-ADDRESSBOOKSERVER-KIND", "group", NULL, EQ, 0, GROUP3, GROUP3_N), 1);
    CHECK_INT(text1("X-ADDRESSBOOKSERVER-KIND", "group", NULL, EQ, 0, APPLE, APPLE_N), 0);
    CHECK_INT(text1("X-ADDRESSBOOKSERVER-MEMBER", "urn:uuid:fcba0fa3", NULL, SW, 0, GROUP3,
                    GROUP3_N),
              1);
}

static int param1(const char *prop, const char *param, const char *text, vcard_match_type mt,
                  int negate, int not_defined, const char *data, size_t len)
{
    vcard_text_match tm = {text, NULL, mt, negate};
    vcard_param_filter pf = {param, not_defined, text ? &tm : NULL};
    vcard_prop_filter f1 = {prop, 0, 0, NULL, 0, &pf, 1};
    vcard_filter f = {0, &f1, 1};
    return eval_n(&f, data, len);
}

static void test_param_filters(void)
{
    CHECK_INT(param1("EMAIL", "TYPE", "work", EQ, 0, 0, APPLE, APPLE_N), 1);
    CHECK_INT(param1("EMAIL", "type", "PREF", EQ, 0, 0, APPLE, APPLE_N), 1);
    CHECK_INT(param1("EMAIL", "TYPE", "other", EQ, 0, 0, APPLE, APPLE_N), 0);
    CHECK_INT(param1("EMAIL", "TYPE", "other", EQ, 1, 0, APPLE, APPLE_N), 1);
    CHECK_INT(param1("EMAIL", "TYPE", NULL, C, 0, 0, APPLE, APPLE_N), 1);
    CHECK_INT(param1("NOTE", "TYPE", NULL, C, 0, 0, APPLE, APPLE_N), 0);
    CHECK_INT(param1("NOTE", "TYPE", NULL, C, 0, 1, APPLE, APPLE_N), 1);
    CHECK_INT(param1("EMAIL", "TYPE", NULL, C, 0, 1, APPLE, APPLE_N), 0);
    CHECK_INT(param1("X-SOCIALPROFILE", "X-USER", "johnny", EQ, 0, 0, APPLE, APPLE_N), 1);
    /* TYPE="HOME,VOICE" (sabre) is two types; RFC 6868 is decoded. */
    CHECK_INT(param1("TEL", "TYPE", "voice", EQ, 0, 0, NEXTCLOUD, NEXTCLOUD_N), 1);
    CHECK_INT(
        param1("X-NEXTCLOUD-TEST", "X-PARAM", "^caret\nnewline", EQ, 0, 0, NEXTCLOUD, NEXTCLOUD_N),
        1);
    CHECK_INT(param1("ADR", "LABEL", "1\nМосква", EW, 0, 0, DAVX5, DAVX5_N), 1);
    /* vCard 2.1 bare parameters are TYPEs. */
    const char *v21 = "BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;WORK;VOICE:+1\r\nEND:VCARD\r\n";
    CHECK_INT(param1("TEL", "TYPE", "voice", EQ, 0, 0, v21, strlen(v21)), 1);
    CHECK_INT(param1("TEL", "TYPE", "home", EQ, 0, 0, v21, strlen(v21)), 0);
}

/* CalDAVTester basicquery/21, 23, 27 style combinations. */
static void test_combinations(void)
{
    vcard_text_match dotcom = {".com", "i;unicode-casemap", C, 0};
    vcard_text_match apple = {"apple", NULL, C, 0};
    vcard_text_match work = {"work", NULL, C, 0};
    vcard_text_match pref = {"pref", NULL, C, 0};
    vcard_text_match two[2] = {dotcom, apple};
    vcard_param_filter ptype = {"TYPE", 0, &work};
    vcard_param_filter pp[2] = {{"TYPE", 0, &work}, {"TYPE", 0, &pref}};
    const char *card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:John Anderson\r\n"
                       "EMAIL;type=INTERNET;type=WORK:john@apple.com\r\n"
                       "EMAIL;type=INTERNET;type=HOME;type=pref:john@example.org\r\nEND:VCARD\r\n";
    /* 21: one instance must satisfy .com AND apple AND TYPE~work. */
    vcard_prop_filter f21 = {"EMAIL", 1, 0, two, 2, &ptype, 1};
    vcard_filter f = {0, &f21, 1};
    CHECK_INT(eval(&f, card), 1);
    apple.text = "example";
    two[1] = apple;
    CHECK_INT(eval(&f, card), 0); /* example.org is HOME, the WORK one is apple */
    f21.test_allof = 0;
    CHECK_INT(eval(&f, card), 1);
    /* 23: TYPE work AND TYPE pref on the same EMAIL. */
    vcard_prop_filter f23 = {"EMAIL", 1, 0, NULL, 0, pp, 2};
    f.prop_filters = &f23;
    CHECK_INT(eval(&f, card), 0);
    CHECK_INT(eval_n(&f, APPLE, APPLE_N), 1);
    /* 27/22: filter-level allof / anyof over prop-filters. */
    vcard_text_match anderson = {"Anderson", NULL, C, 0}, ank = {"ank", NULL, C, 0};
    vcard_prop_filter pfs[2] = {{"FN", 0, 0, &anderson, 1, NULL, 0},
                                {"EMAIL", 0, 0, &ank, 1, NULL, 0}};
    vcard_filter both = {1, pfs, 2};
    CHECK_INT(eval(&both, card), 0);
    both.test_allof = 0;
    CHECK_INT(eval(&both, card), 1);
    pfs[1].param_filters = &ptype;
    pfs[1].nparam_filters = 1;
    both.test_allof = 1;
    CHECK_INT(eval(&both, card), 1); /* EMAIL anyof: TYPE work holds */
    /* is-not-defined inside allof, on both sides. */
    vcard_prop_filter nophoto = {"PHOTO", 0, 1, NULL, 0, NULL, 0};
    vcard_prop_filter pfs2[2] = {pfs[0], nophoto};
    vcard_filter f2 = {1, pfs2, 2};
    CHECK_INT(eval(&f2, card), 1);
    CHECK_INT(eval_n(&f2, APPLE, APPLE_N), 0);
    f2.test_allof = 0;
    CHECK_INT(eval_n(&f2, APPLE, APPLE_N), 0);
    CHECK_INT(eval_n(&f2, NEXTCLOUD, NEXTCLOUD_N), 1);
}

static void test_collations(void)
{
    const char *c = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Élodie Straße ΣΟΦΊΑ Анна\r\n"
                    "NOTE:ｆｕｌｌｗｉｄｔｈ ﬁne e\xCC\x81t\xC3\xA9 Kelvin \xE2\x84\xAA\r\n"
                    "ORG:ダブル バイト\r\nEND:VCARD\r\n";
    size_t n = strlen(c);
    CHECK_INT(text1("FN", "élodie", NULL, C, 0, c, n), 1);
    CHECK_INT(text1("FN", "élodie", "default", C, 0, c, n), 1);
    CHECK_INT(text1("FN", "élodie", "i;unicode-casemap", C, 0, c, n), 1);
    CHECK_INT(text1("FN", "élodie", "i;ascii-casemap", C, 0, c, n), 0);
    CHECK_INT(text1("FN", "Élodie", "i;ascii-casemap", C, 0, c, n), 1);
    CHECK_INT(text1("FN", "éLODIE", "i;ascii-casemap", C, 0, c, n), 0);
    CHECK_INT(text1("FN", "ÉLODIE", "i;ascii-casemap", C, 0, c, n), 1);
    CHECK_INT(text1("FN", "élodie", "i;octet", C, 0, c, n), 0);
    CHECK_INT(text1("FN", "Élodie", "i;octet", C, 0, c, n), 1);
    CHECK_INT(text1("FN", "straße", NULL, C, 0, c, n), 1);
    CHECK_INT(text1("FN", "STRASSE", NULL, C, 0, c, n), 0); /* RFC 5051: no full folding */
    CHECK_INT(text1("FN", "σοφία", NULL, C, 0, c, n), 1);   /* final sigma too */
    CHECK_INT(text1("FN", "σοφίας", NULL, C, 0, c, n), 0);
    CHECK_INT(text1("FN", "анна", NULL, EW, 0, c, n), 1);
    CHECK_INT(text1("NOTE", "FULLWIDTH", NULL, SW, 0, c, n), 1); /* NFKD */
    CHECK_INT(text1("NOTE", "fine", NULL, C, 0, c, n), 1);       /* ligature */
    CHECK_INT(text1("NOTE", "été", NULL, C, 0, c, n), 1);        /* NFD == NFC */
    CHECK_INT(text1("NOTE", "kelvin k", NULL, EW, 0, c, n), 1);
    CHECK_INT(text1("ORG", "ダ", NULL, C, 0, c, n), 1);
    CHECK_INT(text1("ORG", "タ", NULL, C, 0, c, n), 0);
    CHECK_INT(text1("FN", "x", "i;bogus", C, 0, c, n), -1);
    CHECK_INT(text1("FN", "x", "i;*", C, 0, c, n), -1);
}

static void fold_is(int coll, const char *in, const char *want)
{
    char out[256];
    size_t n = casemap_fold(coll, in, strlen(in), out);
    out[n] = '\0';
    CHECK_STR(out, want);
}

static void test_casemap(void)
{
    fold_is(CASEMAP_UNICODE, "abcXYZ09", "ABCXYZ09");
    fold_is(CASEMAP_UNICODE, "é", "E\xCC\x81");
    fold_is(CASEMAP_UNICODE, "É", "E\xCC\x81");
    fold_is(CASEMAP_UNICODE, "ǆ", "DZ\xCC\x8C");
    fold_is(CASEMAP_UNICODE, "ς", "Σ");
    fold_is(CASEMAP_UNICODE, "ё", "Е\xCC\x88");
    fold_is(CASEMAP_UNICODE, "ǻ", "A\xCC\x8A\xCC\x81");
    fold_is(CASEMAP_UNICODE, "ß", "ß");
    fold_is(CASEMAP_UNICODE, "ａ", "A");
    fold_is(CASEMAP_UNICODE, "Ⅻ", "XII");
    fold_is(CASEMAP_UNICODE, "\u2057", "\u2032\u2032\u2032\u2032"); /* the largest growth */
    fold_is(CASEMAP_UNICODE, "日本🎉", "日本🎉");
    fold_is(CASEMAP_UNICODE, "\xFF\xC3", "\xFF\xC3"); /* malformed bytes pass through */
    fold_is(CASEMAP_ASCII, "aé", "Aé");
    fold_is(CASEMAP_OCTET, "aé", "aé");
    /* The generated table is sorted (binary search relies on it). */
    int sorted = 1;
    for (size_t i = 1; i < casemap_count; i++)
        sorted &= casemap_table[i - 1].cp < casemap_table[i].cp;
    CHECK(sorted);
    CHECK(casemap_count > 1000);
}

static void test_supported(void)
{
    CHECK(vcard_collation_supported(NULL));
    CHECK(vcard_collation_supported("default"));
    CHECK(vcard_collation_supported("i;unicode-casemap"));
    CHECK(vcard_collation_supported("i;ascii-casemap"));
    CHECK(vcard_collation_supported("i;octet"));
    CHECK(!vcard_collation_supported("i;basic"));
    CHECK(!vcard_collation_supported("*"));
    int n = 0;
    for (const char *const *c = vcard_collations; *c; c++)
        n += vcard_collation_supported(*c);
    CHECK_INT(n, 3);
    vcard_match_type mt;
    CHECK_INT(vcard_match_type_parse("equals", &mt), 0);
    CHECK_INT(mt, VCARD_MATCH_EQUALS);
    CHECK_INT(vcard_match_type_parse("starts-with", &mt), 0);
    CHECK_INT(mt, VCARD_MATCH_STARTS_WITH);
    CHECK_INT(vcard_match_type_parse("ends-with", &mt), 0);
    CHECK_INT(mt, VCARD_MATCH_ENDS_WITH);
    CHECK_INT(vcard_match_type_parse(NULL, &mt), 0);
    CHECK_INT(mt, VCARD_MATCH_CONTAINS);
    CHECK_INT(vcard_match_type_parse("endswith", &mt), -1); /* CalDAVTester reports 28 */
    CHECK_INT(mt, VCARD_MATCH_CONTAINS);

    vcard_filter_problem pr;
    vcard_text_match ok = {"x", NULL, C, 0}, bad = {"x", "i;nope", C, 0}, none = {NULL, 0, C, 0};
    vcard_param_filter pbad = {"TY PE", 0, NULL}, pmix = {"TYPE", 1, &ok},
                       pcoll = {"TYPE", 0, &bad};
    static const struct {
        vcard_prop_filter pf;
        int code, qi;
    } cases[] = {
        {{"EMAIL", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_OK, -1},
        {{"X-ABC.TEL", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_OK, -1},
        {{"X-ANYTHING-1", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_OK, -1},
        {{"", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_UNSUPPORTED, -1},
        {{"a.b.c", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_UNSUPPORTED, -1},
        {{".TEL", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_UNSUPPORTED, -1},
        {{"EMAIL;X", 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_UNSUPPORTED, -1},
        {{NULL, 0, 0, NULL, 0, NULL, 0}, VCARD_FILTER_UNSUPPORTED, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vcard_filter f = {0, &cases[i].pf, 1};
        CHECK_INT(vcard_filter_supported(&f, &pr), cases[i].code == VCARD_FILTER_OK);
        CHECK_INT(pr.code, cases[i].code);
        CHECK_INT(pr.prop_index, cases[i].code == VCARD_FILTER_OK ? -1 : 0);
    }
    vcard_prop_filter mixed = {"EMAIL", 0, 1, &ok, 1, NULL, 0};
    vcard_prop_filter collp = {"EMAIL", 0, 0, &bad, 1, NULL, 0};
    vcard_prop_filter notext = {"EMAIL", 0, 0, &none, 1, NULL, 0};
    vcard_prop_filter withp[3] = {{"EMAIL", 0, 0, NULL, 0, &pbad, 1},
                                  {"EMAIL", 0, 0, NULL, 0, &pmix, 1},
                                  {"EMAIL", 0, 0, NULL, 0, &pcoll, 1}};
    vcard_filter f = {0, &mixed, 1};
    CHECK(!vcard_filter_supported(&f, &pr) && pr.code == VCARD_FILTER_UNSUPPORTED);
    f.prop_filters = &collp;
    CHECK(!vcard_filter_supported(&f, &pr) && pr.code == VCARD_FILTER_BAD_COLLATION);
    f.prop_filters = &notext;
    CHECK(!vcard_filter_supported(&f, &pr) && pr.code == VCARD_FILTER_UNSUPPORTED);
    for (int i = 0; i < 3; i++) {
        vcard_filter g = {0, withp, 3};
        g.prop_filters = &withp[i];
        g.nprop_filters = 1;
        CHECK(!vcard_filter_supported(&g, &pr));
        CHECK_INT(pr.code, i == 2 ? VCARD_FILTER_BAD_COLLATION : VCARD_FILTER_UNSUPPORTED);
        CHECK_INT(pr.param_index, 0);
    }
    /* compile reports the same problems */
    vpool *p = pool_new();
    vcard_matcher *m;
    f.prop_filters = &collp;
    CHECK_INT(vcard_filter_compile(p, &f, &m, &pr), VCARD_FILTER_BAD_COLLATION);
    CHECK_INT(vcard_filter_compile(p, &f, &m, NULL), VCARD_FILTER_BAD_COLLATION);
    pool_free(p);
}

static void test_text_match_test(void)
{
    vcard_text_match tm = {"MÜLLER", NULL, EQ, 0};
    CHECK_INT(vcard_text_match_test(&tm, "müller", 7), 1);
    tm.negate = 1;
    CHECK_INT(vcard_text_match_test(&tm, "müller", 7), 0);
    tm.collation = "i;octet";
    CHECK_INT(vcard_text_match_test(&tm, "müller", 7), 1);
    tm.collation = "x";
    CHECK_INT(vcard_text_match_test(&tm, "müller", 7), -1);
}

/* Lines the byte matcher cannot parse count as absent; it never fails. */
static void test_malformed_bytes(void)
{
    vpool *p = pool_new();
    vcard_matcher *m;
    vcard_text_match tm = {"x", NULL, C, 0};
    vcard_prop_filter pf = {"NOTE", 0, 0, &tm, 1, NULL, 0};
    vcard_filter f = {0, &pf, 1};
    CHECK_INT(vcard_filter_compile(p, &f, &m, NULL), VCARD_FILTER_OK);
    const char *bad = "BEGIN:VCARD\r\nNOTE;A=\"x:y\r\nNOTE:xx\r\nEND:VCARD\r\n";
    CHECK_INT(vcard_matcher_match_bytes(m, bad, strlen(bad)), 1);
    const char *bad2 = "BEGIN:VCARD\r\nNOTE;A=\"x:y\r\nEND:VCARD\r\n";
    CHECK_INT(vcard_matcher_match_bytes(m, bad2, strlen(bad2)), 0);
    CHECK_INT(vcard_matcher_match_bytes(m, "", 0), 0);
    CHECK_INT(vcard_matcher_match_bytes(m, "NOTE:x\r\n", 8), 0); /* outside a card */
    pool_free(p);
}

int main(void)
{
    APPLE = slurp("data/vcard/apple-3.0-photo.vcf", &APPLE_N);
    DAVX5 = slurp("data/vcard/davx5-4.0.vcf", &DAVX5_N);
    NEXTCLOUD = slurp("data/vcard/nextcloud-3.0.vcf", &NEXTCLOUD_N);
    GROUP3 = slurp("data/vcard/apple-group-3.0.vcf", &GROUP3_N);
    CHECK(APPLE && DAVX5 && NEXTCLOUD && GROUP3);
    RUN(test_existence);
    RUN(test_match_types);
    RUN(test_negate);
    RUN(test_structured);
    RUN(test_groups);
    RUN(test_param_filters);
    RUN(test_combinations);
    RUN(test_collations);
    RUN(test_casemap);
    RUN(test_supported);
    RUN(test_text_match_test);
    RUN(test_malformed_bytes);
    free(APPLE);
    free(DAVX5);
    free(NEXTCLOUD);
    free(GROUP3);
    return check_summary();
}

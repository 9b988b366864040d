/* vcard/ingest.h: the ingest policy for vCards.  Each repair of the table has a test here
 * with a client's card and what is stored; a valid card with REV is stored as sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vcard/ingest.h"

#define NOW 1704110400 /* 2024-01-01T12:00:00Z */
#define REV_NOW "REV:20240101T120000Z\r\n"

static vpool *P;

static char *load(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "data/vcard/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = pool_alloc(P, 1 << 17);
    size_t n = buf ? fread(buf, 1, (1 << 17) - 1, f) : 0;
    fclose(f);
    if (buf) buf[n] = 0;
    *len = n;
    return buf;
}

static vcard_invalid ingest_ex(const char *text, size_t len, const vcard_ingest_opts *opts,
                               vcard_ingest_result *res)
{
    vcard_ingest_opts o = {.now = NOW};
    vcard_invalid st = vcard_ingest(P, text, len, opts ? opts : &o, res);
    if (st == VCARD_VALID) {
        CHECK_INT(res->changed, res->body_len != len || memcmp(res->body, text, len) != 0);
        CHECK(res->fixes || (res->body == text && !res->changed));
        CHECK(!res->changed || res->fixes);
    } else {
        CHECK(res->chk.reason != NULL);
    }
    return st;
}

static const char *stored(const char *text, unsigned *fixes)
{
    vcard_ingest_result r;
    vcard_invalid st = ingest_ex(text, strlen(text), NULL, &r);
    if (st != VCARD_VALID) {
        fprintf(stderr, "ingest refused: %s\n", r.chk.reason ? r.chk.reason : "");
        return NULL;
    }
    if (fixes) *fixes = r.fixes;
    return pool_strndup(P, r.body, r.body_len);
}

static void test_cards_with_rev_are_stored_as_sent(void)
{
    static const char *files[] = {"apple-3.0-photo.vcf", "apple-group-3.0.vcf", "davx5-4.0.vcf",
                                  "davx5-group-4.0.vcf"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len = 0;
        char *card = load(files[i], &len);
        vcard_ingest_result r;
        CHECK_INT(ingest_ex(card, len, NULL, &r), VCARD_VALID);
        CHECK(r.body == card && r.body_len == len);
        CHECK_INT(r.fixes, 0);
    }
    /* a REV of any shape is the client's: kept, as is a 3.0 VERSION that is not first, long
     * lines, odd parameters */
    const char *odd = "BEGIN:VCARD\r\nUID:1\r\nFN:A\r\nVERSION:3.0\r\n"
                      "REV;VALUE=DATE-AND-OR-TIME:2020-01-01\r\n"
                      "NOTE:a note written on one line by a tool that never folds, seventy-six "
                      "octets and more\r\nitem1.EMAIL;type=INTERNET;TYPE=pref:a@example.com\r\n"
                      "END:VCARD\r\n";
    unsigned f = 1;
    CHECK_STR(stored(odd, &f), odd);
    CHECK_INT(f, 0);
}

static void test_rev_missing(void)
{
    unsigned f = 0;
    /* vdirsyncer copying a card from a source without REV */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nFN:A\r\nEND:VCARD\r\n", &f),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nFN:A\r\n" REV_NOW "END:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_NO_REV);
    /* the export in tests/unit/data without REV (and with a BOM): one line more */
    size_t len = 0;
    char *card = load("cjk-emoji-4.0.vcf", &len);
    vcard_ingest_result r;
    CHECK_INT(ingest_ex(card, len, NULL, &r), VCARD_VALID);
    CHECK_INT(r.fixes, VCARD_FIX_BOM | VCARD_FIX_NO_REV);
    CHECK_INT(r.body_len, len - 3 + strlen(REV_NOW));
    const char *end = strstr(card, "END:VCARD");
    CHECK_STR(pool_strndup(P, r.body, r.body_len),
              pool_printf(P, "%.*s" REV_NOW "%s", (int)(end - card - 3), card + 3, end));
}

static void test_rev_several(void)
{
    unsigned f = 0;
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:3.0\r\nREV;VALUE=DATE-AND-OR-TIME:2020-01-01\r\n"
                     "UID:1\r\nFN:A\r\nitem1.REV:x\r\nEND:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:3.0\r\n" REV_NOW "UID:1\r\nFN:A\r\nEND:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_REV_SEVERAL);
}

static void test_version_first(void)
{
    unsigned f = 0;
    /* RFC 6350 §6.7.9 in 4.0; an unusual fold and the REV stay as they were */
    CHECK_STR(stored("BEGIN:VCARD\r\nUID:1\r\nFN:A\r\n  B\r\nVERSION:4.0\r\n"
                     "REV:20230101T000000Z\r\nEND:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:A\r\n  B\r\n"
              "REV:20230101T000000Z\r\nEND:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_VERSION_FIRST);
    /* RFC 2426 sets no place for it in 3.0: kept */
    const char *v3 = "BEGIN:VCARD\r\nUID:1\r\nFN:A\r\nVERSION:3.0\r\nREV:20230101T000000Z\r\n"
                     "END:VCARD\r\n";
    CHECK_STR(stored(v3, &f), v3);
    CHECK_INT(f, 0);
}

static void test_framing(void)
{
    unsigned f = 0;
    /* BOM, from a Windows export */
    CHECK_STR(stored("\xEF\xBB\xBF"
                     "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:A\r\nREV:20230101T000000Z\r\n"
                     "END:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:A\r\nREV:20230101T000000Z\r\n"
              "END:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_BOM);
    /* Nextcloud's export as kept here: LF only, with REV */
    size_t len = 0;
    char *nc = load("nextcloud-3.0.vcf", &len);
    vcard_ingest_result r;
    CHECK_INT(ingest_ex(nc, len, NULL, &r), VCARD_VALID);
    CHECK_INT(r.fixes, VCARD_FIX_CRLF);
    CHECK_INT(r.body_len, len + 14);
    /* CalDAVTester CardDAV/errorcondition.xml PUT/8 (verrors/17.vcf): bare LF inside a folded
     * PHOTO, no REV; stored as verrors/18.vcf plus REV */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:123.17.vcf\r\nFN:John Smith\r\n"
                     "PHOTO;ENCODING=b:\r\n YWFh\n YWFh\n YQ==\r\nEND:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:123.17.vcf\r\nFN:John Smith\r\n"
              "PHOTO;ENCODING=b:\r\n YWFh\r\n YWFh\r\n YQ==\r\n" REV_NOW "END:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_CRLF | VCARD_FIX_NO_REV);
    /* no line break after END:VCARD */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:A\r\nREV:1\r\nEND:VCARD", &f),
              "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:A\r\nREV:1\r\nEND:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_CRLF);
    /* "Zoë" folded between the two octets of "ë" */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:Zo\xC3\r\n \xAB\r\nREV:1\r\n"
                     "END:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:1\r\nFN:Zo\r\n \xC3\xAB\r\nREV:1\r\n"
              "END:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_FOLD_UTF8);
}

static void test_member_duplicate(void)
{
    unsigned f = 0;
    /* Apple's AddressBook (CalDAVTester CardDAV/vcardput/16.vcf, shortened) */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:3.0\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:A\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:B:ABPerson\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:A:ABPerson\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:B:ABPerson\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:B:ABPerson\r\n"
                     "X-ADDRESSBOOKSERVER-MEMBER:user01@example.com\r\n"
                     "UID:g\r\nFN:Group\r\nREV:20120503T194243Z\r\nEND:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n"
              "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:A\r\n"
              "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:B:ABPerson\r\n"
              "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:A:ABPerson\r\n"
              "X-ADDRESSBOOKSERVER-MEMBER:user01@example.com\r\n"
              "UID:g\r\nFN:Group\r\nREV:20120503T194243Z\r\nEND:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_DUP_MEMBER);
    /* 4.0; the same value under both spellings is not a repeat */
    CHECK_STR(stored("BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nUID:g\r\nFN:G\r\nREV:1\r\n"
                     "MEMBER:urn:uuid:x\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:x\r\n"
                     "MEMBER;PREF=1:urn:uuid:x\r\nEND:VCARD\r\n",
                     &f),
              "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:group\r\nUID:g\r\nFN:G\r\nREV:1\r\n"
              "MEMBER:urn:uuid:x\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:x\r\nEND:VCARD\r\n");
    CHECK_INT(f, VCARD_FIX_DUP_MEMBER);
}

static void test_bounds(void)
{
    vcard_ingest_result r;
    const char *nor = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nFN:A\r\nEND:VCARD\r\n";
    vcard_ingest_opts o = {.now = NOW, .max_bytes = strlen(nor) + strlen(REV_NOW) - 1};
    CHECK_INT(ingest_ex(nor, strlen(nor), &o, &r), VCARD_INVALID_TOO_LARGE);
    CHECK_STR(vcard_invalid_precondition(VCARD_INVALID_TOO_LARGE), "max-resource-size");
    o.max_bytes++;
    CHECK_INT(ingest_ex(nor, strlen(nor), &o, &r), VCARD_VALID);
    const char *lf = "BEGIN:VCARD\nVERSION:3.0\nUID:1\nFN:A\nREV:1\nEND:VCARD\n";
    o.max_bytes = strlen(lf) + 5;
    CHECK_INT(ingest_ex(lf, strlen(lf), &o, &r), VCARD_INVALID_TOO_LARGE);
    o.max_bytes = 0;
    /* the added REV is one property too many */
    vcard_limits lim = {.max_props = 3};
    o.lim = &lim;
    CHECK_INT(ingest_ex(nor, strlen(nor), &o, &r), VCARD_INVALID_TOO_LARGE);
    lim.max_props = 4;
    CHECK_INT(ingest_ex(nor, strlen(nor), &o, &r), VCARD_VALID);
}

static void test_refused_as_before(void)
{
    vcard_ingest_result r;
    static const struct {
        const char *text;
        vcard_invalid code;
    } cases[] = {
        /* no VERSION: 3.0 or 4.0 would be a guess */
        {"BEGIN:VCARD\r\nUID:1\r\nFN:A\r\nEND:VCARD\r\n", VCARD_INVALID_NO_VERSION},
        {"BEGIN:VCARD\r\nVERSION:2.1\r\nUID:1\r\nFN:A\r\nEND:VCARD\r\n", VCARD_INVALID_VERSION},
        {"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n", VCARD_INVALID_NO_UID},
        {"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nEND:VCARD\r\n", VCARD_INVALID_NO_FN},
        {"BEGIN:VCARD\nVERSION:3.0\nUID:1\nFN:A\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nUID:2\n"
         "FN:B\nEND:VCARD\n",
         VCARD_INVALID_MULTIPLE},
        {"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nFN:A\x01\r\nEND:VCARD\r\n", VCARD_INVALID_SYNTAX},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK_INT(ingest_ex(cases[i].text, strlen(cases[i].text), NULL, &r), cases[i].code);
}

static void test_table_and_names(void)
{
    unsigned all = 0, n = 0;
    for (const vcard_repair *rp = vcard_repairs; rp->fix; rp++, n++) {
        CHECK(!(all & rp->fix));
        all |= rp->fix;
        CHECK(rp->name && rp->condition && rp->action && rp->rfc);
        CHECK(strstr(rp->rfc, "RFC ") != NULL);
    }
    CHECK_INT(n, 7);
    CHECK_STR(vcard_fix_names(P, 0), "");
    CHECK_STR(vcard_fix_names(P, VCARD_FIX_CRLF | VCARD_FIX_NO_REV), "crlf rev-missing");
}

int main(void)
{
    P = pool_new();
    RUN(test_cards_with_rev_are_stored_as_sent);
    RUN(test_rev_missing);
    RUN(test_rev_several);
    RUN(test_version_first);
    RUN(test_framing);
    RUN(test_member_duplicate);
    RUN(test_bounds);
    RUN(test_refused_as_before);
    RUN(test_table_and_names);
    pool_free(P);
    return check_summary();
}

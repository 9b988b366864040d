/* vcard/bundle.h: a file of many vCards cut into its cards. */
#include "check.h"
#include "vcard/bundle.h"

static void test_cards(void)
{
    vpool *p = pool_new();
    const char *file = "\xEF\xBB\xBF"
                       "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"
                       "\r\n  \r\n"
                       "begin:vcard\nVERSION:2.1\nAGENT:\nBEGIN:VCARD\nFN:inner\nEND:VCARD\n"
                       "NOTE:folded\n END:VCARD\nend:vcard \n"
                       "BEGIN:VCARD\r\nFN:last\r\nEND:VCARD";
    vcard_bundle_split_result sr;
    CHECK_INT(vcard_bundle_split(p, file, strlen(file), &sr), VCARD_BUNDLE_OK);
    CHECK_INT(sr.nitems, 3);
    if (sr.nitems == 3) {
        CHECK_INT(sr.items[0].line, 1);
        CHECK(sr.items[0].text == file + 3);
        CHECK_INT(sr.items[0].len, strlen("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n"));
        CHECK_INT(sr.items[1].line, 7);
        CHECK(memmem(sr.items[1].text, sr.items[1].len, "FN:inner", 8) != NULL);
        CHECK(memmem(sr.items[1].text, sr.items[1].len, "end:vcard \n", 11) != NULL);
        CHECK_INT(sr.items[2].line, 16);
        CHECK_INT(sr.items[2].len, strlen("BEGIN:VCARD\r\nFN:last\r\nEND:VCARD"));
    }
    static const struct {
        const char *text;
        size_t line;
    } bad[] = {{"FN:loose\r\nBEGIN:VCARD\r\nEND:VCARD\r\n", 1},
               {"BEGIN:VCARD\r\nFN:x\r\n\r\nBEGIN:VCARD\r\nEND:VCARD\r\n", 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(vcard_bundle_split(p, bad[i].text, strlen(bad[i].text), &sr), VCARD_BUNDLE_DATA);
        CHECK_INT(sr.bad_line, bad[i].line);
    }
    CHECK_INT(vcard_bundle_split(p, "", 0, &sr), VCARD_BUNDLE_OK);
    CHECK_INT(sr.nitems, 0);
    pool_free(p);
}

int main(void)
{
    RUN(test_cards);
    return check_summary();
}

/* vcard/select.h: address-data with CARDDAV:prop selection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vcard/select.h"

static const char *select_str(vpool *p, const char *card, const vcard_prop_sel *sel, int n)
{
    vcard_doc *doc;
    if (vcard_parse(p, card, strlen(card), NULL, &doc, NULL) != VCARD_OK) return "(parse)";
    vbuf b;
    buf_init(&b, 0);
    int rc = vcard_select(doc->first, sel, n, &b);
    char *r = rc == VCARD_OK ? pool_strdup(p, buf_cstr(&b)) : "(failed)";
    buf_free(&b);
    return r;
}

static const char *CARD = "BEGIN:VCARD\r\n"
                          "\r\n"
                          "VERSION:3.0\r\n"
                          "UID:34222-232@example.com\r\n"
                          "FN:Cyrus Daboo\r\n"
                          "NICKNAME:me\r\n"
                          "item1.EMAIL;type=INTERNET;type=pref:daboo@example.com\r\n"
                          "item1.X-ABLabel:_$!<Other>!$_\r\n"
                          "EMAIL;TYPE=\"work\":c\r\n"
                          " yrus@example.com\r\n"
                          "\r\n"
                          "TEL;TYPE=WORK,VOICE:412 605 0499\r\n"
                          "X-ABC.TEL:1\r\n"
                          "X-ABC-1.TEL:2\r\n"
                          "PHOTO;ENCODING=b;TYPE=JPEG:/9j/AAAA\r\n"
                          "END:VCARD\r\n";

static void test_rfc_example(void)
{
    vpool *p = pool_new();
    /* RFC 6352 §8.7.1: VERSION, UID, NICKNAME, EMAIL, FN — in card order,
     * lines byte for byte (the folded EMAIL stays folded). */
    vcard_prop_sel sel[] = {{"VERSION", 0}, {"UID", 0}, {"NICKNAME", 0}, {"EMAIL", 0}, {"FN", 0}};
    CHECK_STR(select_str(p, CARD, sel, 5),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:34222-232@example.com\r\nFN:Cyrus Daboo\r\n"
              "NICKNAME:me\r\nitem1.EMAIL;type=INTERNET;type=pref:daboo@example.com\r\n"
              "EMAIL;TYPE=\"work\":c\r\n yrus@example.com\r\nEND:VCARD\r\n");
    pool_free(p);
}

static void test_groups_and_novalue(void)
{
    vpool *p = pool_new();
    /* §10.4.2: "TEL" matches TEL, X-ABC.TEL and X-ABC-1.TEL; "X-ABC.TEL" only
     * that one.  VERSION is always there, UID only when asked for. */
    vcard_prop_sel tel[] = {{"tel", 0}};
    CHECK_STR(select_str(p, CARD, tel, 1),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL;TYPE=WORK,VOICE:412 605 0499\r\n"
              "X-ABC.TEL:1\r\nX-ABC-1.TEL:2\r\nEND:VCARD\r\n");
    vcard_prop_sel grouped[] = {{"X-ABC.TEL", 0}};
    CHECK_STR(select_str(p, CARD, grouped, 1),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nX-ABC.TEL:1\r\nEND:VCARD\r\n");
    /* novalue="yes": name and parameters and ':' — the photo is not sent. */
    vcard_prop_sel nov[] = {{"PHOTO", 1}, {"EMAIL", 1}};
    CHECK_STR(select_str(p, CARD, nov, 2),
              "BEGIN:VCARD\r\nVERSION:3.0\r\n"
              "item1.EMAIL;type=INTERNET;type=pref:\r\nEMAIL;TYPE=\"work\":\r\n"
              "PHOTO;ENCODING=b;TYPE=JPEG:\r\nEND:VCARD\r\n");
    /* Asked for both ways: the value wins. */
    vcard_prop_sel twice[] = {{"NICKNAME", 1}, {"NICKNAME", 0}, {"VERSION", 1}};
    CHECK_STR(select_str(p, CARD, twice, 3),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nNICKNAME:me\r\nEND:VCARD\r\n");
    /* Unknown names select nothing; non-standard ones work (§8.5). */
    vcard_prop_sel x[] = {{"X-ABLabel", 0}, {"NOPE", 0}, {NULL, 0}};
    CHECK_STR(select_str(p, CARD, x, 3),
              "BEGIN:VCARD\r\nVERSION:3.0\r\nitem1.X-ABLabel:_$!<Other>!$_\r\nEND:VCARD\r\n");
    pool_free(p);
}

static void test_allprop(void)
{
    vpool *p = pool_new();
    CHECK_STR(select_str(p, CARD, NULL, 0), CARD);
    /* LF-only cards stay LF, also for novalue lines. */
    const char *lf = "BEGIN:VCARD\nVERSION:4.0\nFN:x\nNOTE;LANGUAGE=en:y\nEND:VCARD\n";
    vcard_prop_sel nov[] = {{"NOTE", 1}};
    CHECK_STR(select_str(p, lf, nov, 1),
              "BEGIN:VCARD\nVERSION:4.0\nNOTE;LANGUAGE=en:\nEND:VCARD\n");
    /* The buffer cap is honoured. */
    vcard_doc *doc;
    CHECK_INT(vcard_parse(p, CARD, strlen(CARD), NULL, &doc, NULL), VCARD_OK);
    vbuf b;
    buf_init(&b, 16);
    vcard_prop_sel fn[] = {{"FN", 0}};
    CHECK_INT(vcard_select(doc->first, fn, 1, &b), VCARD_ENOMEM);
    buf_free(&b);
    pool_free(p);
}

int main(void)
{
    RUN(test_rfc_example);
    RUN(test_groups_and_novalue);
    RUN(test_allprop);
    return check_summary();
}

/* vcard/validate.h: PUT validation, media types (the repairs: test_vcard_ingest.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
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

static vcard_invalid check_str(const char *s, vcard_check *chk)
{
    vpool *p = pool_new();
    vcard_invalid r = vcard_validate(p, s, strlen(s), NULL, NULL, NULL, chk);
    /* reason may be pool memory: keep only static ones for the caller */
    pool_free(p);
    return r;
}

#define CARD(body) "BEGIN:VCARD\r\n" body "END:VCARD\r\n"

static void test_every_error(void)
{
    static const struct {
        const char *data;
        vcard_invalid code;
        int line;
        const char *pre;
    } cases[] = {
        {CARD("VERSION:3.0\r\nUID:1\r\nFN:A\r\n"), VCARD_VALID, 0, NULL},
        {CARD("VERSION:4.0\r\nUID:urn:uuid:1\r\nFN:\r\n"), VCARD_VALID, 0, NULL}, /* empty FN ok */
        {"BEGIN:VCARD\r\nVERSION:3.0\r\n", VCARD_INVALID_SYNTAX, 1, "valid-address-data"},
        {"<?xml version=\"1.0\"?><a/>", VCARD_INVALID_SYNTAX, 1, "valid-address-data"},
        {CARD("VERSION:3.0\r\nUID:1\r\nFN:\xFF\r\n"), VCARD_INVALID_UTF8, 4, "valid-address-data"},
        {"", VCARD_INVALID_EMPTY, 0, "valid-address-data"},
        {"\r\n", VCARD_INVALID_EMPTY, 0, "valid-address-data"},
        {CARD("VERSION:3.0\r\nUID:1\r\nFN:A\r\n") CARD("VERSION:3.0\r\nUID:2\r\nFN:B\r\n"),
         VCARD_INVALID_MULTIPLE, 6, "valid-addressbook-object-resource"},
        {CARD("UID:1\r\nFN:A\r\n"), VCARD_INVALID_NO_VERSION, 1, "valid-address-data"},
        {CARD("VERSION:3.0\r\nVERSION:3.0\r\nUID:1\r\nFN:A\r\n"), VCARD_INVALID_DUP_VERSION, 3,
         "valid-address-data"},
        {CARD("VERSION:2.1\r\nUID:1\r\nFN:A\r\n"), VCARD_INVALID_VERSION, 2,
         "supported-address-data"},
        {CARD("VERSION:5.0\r\nUID:1\r\nFN:A\r\n"), VCARD_INVALID_VERSION, 2,
         "supported-address-data"},
        {CARD("VERSION:3.0\r\nFN:A\r\n"), VCARD_INVALID_NO_UID, 1,
         "valid-addressbook-object-resource"},
        {CARD("VERSION:3.0\r\nUID: \r\nFN:A\r\n"), VCARD_INVALID_EMPTY_UID, 3,
         "valid-addressbook-object-resource"},
        {CARD("VERSION:3.0\r\nUID:1\r\nUID:2\r\nFN:A\r\n"), VCARD_INVALID_DUP_UID, 4,
         "valid-address-data"},
        {CARD("VERSION:4.0\r\nUID:1\r\nN:A;B;;;\r\n"), VCARD_INVALID_NO_FN, 1,
         "valid-address-data"},
        /* CalDAVTester CardDAV/errors.xml: "Illegal controls" */
        {CARD("VERSION:3.0\r\nUID:1\r\nFN:A\r\nNOTE:Illegal control here ->\a<-\r\n"),
         VCARD_INVALID_SYNTAX, 5, "valid-address-data"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        vcard_check chk;
        vcard_invalid r = check_str(cases[i].data, &chk);
        if (r != cases[i].code) fprintf(stderr, "case %zu\n", i);
        CHECK_INT(r, cases[i].code);
        CHECK_INT(chk.code, cases[i].code);
        CHECK_INT(chk.line, cases[i].line);
        CHECK((chk.reason == NULL) == (cases[i].code == VCARD_VALID));
        const char *pre = vcard_invalid_precondition(r);
        CHECK((pre == NULL) == (cases[i].pre == NULL));
        if (pre && cases[i].pre) CHECK_STR(pre, cases[i].pre);
    }
    CHECK_STR(vcard_invalid_precondition(VCARD_INVALID_TOO_LARGE), "max-resource-size");
    CHECK(vcard_invalid_precondition(VCARD_INVALID_NOMEM) == NULL);
}

static void test_limits_and_21(void)
{
    vpool *p = pool_new();
    vcard_check chk;
    const char *s = CARD("VERSION:3.0\r\nUID:1\r\nFN:A\r\n");
    vcard_limits lim = {0};
    lim.max_bytes = 10;
    CHECK_INT(vcard_validate(p, s, strlen(s), &lim, NULL, NULL, &chk), VCARD_INVALID_TOO_LARGE);
    /* Outlook's 2.1 export does not even parse (quoted-printable soft line
     * breaks); it is still refused for its version (CalDAVTester errors.xml
     * "PUT 2.1 version vcf"). */
    size_t len;
    char *data = slurp("data/vcard/outlook-2.1.vcf", &len);
    CHECK(data != NULL);
    CHECK_INT(vcard_validate(p, data, len, NULL, NULL, NULL, &chk), VCARD_INVALID_VERSION);
    CHECK(strstr(chk.reason, "2.1") != NULL);
    free(data);
    /* Google's export has two cards and no UID. */
    data = slurp("data/vcard/google-3.0.vcf", &len);
    CHECK_INT(vcard_validate(p, data, len, NULL, NULL, NULL, &chk), VCARD_INVALID_MULTIPLE);
    const char *one = strstr(data, "END:VCARD\r\n") + 11;
    CHECK_INT(vcard_validate(p, data, (size_t)(one - data), NULL, NULL, NULL, &chk),
              VCARD_INVALID_NO_UID);
    free(data);
    pool_free(p);
}

static void test_info(void)
{
    static const struct {
        const char *file;
        int version;
        const char *uid, *fn, *kind;
        int group, members;
    } files[] = {
        {"apple-3.0-photo.vcf", VCARD_V30, "5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE",
         "Dr. Johnny Q. Appleseed Jr.", NULL, 0, 0},
        {"apple-group-3.0.vcf", VCARD_V30, "760d9b28-5a13-4880-b7eb-5769e6688fa4", "Soccer Team",
         "group", 1, 2},
        {"davx5-4.0.vcf", VCARD_V40, "urn:uuid:3b9a2a4e-7d1c-4f0e-9a56-1b2c3d4e5f60",
         "Анна Каренина", NULL, 0, 0},
        {"davx5-group-4.0.vcf", VCARD_V40, "urn:uuid:group-1111", "Book club", "group", 1, 2},
        {"nextcloud-3.0.vcf", VCARD_V30, "9a87f3c1-1e4d-4c2b-8f4e-5d6c7b8a9f01", "Nextcloud User",
         NULL, 0, 0},
        {"cjk-emoji-4.0.vcf", VCARD_V40, "cjk-emoji-0001", "山田 太郎 🎌", NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "data/vcard/%s", files[i].file);
        char *data = slurp(path, &len);
        vpool *p = pool_new();
        vcard_check chk;
        vcard_info info;
        vcard_doc *doc;
        CHECK_INT(vcard_validate(p, data, len, NULL, &doc, &info, &chk), VCARD_VALID);
        CHECK(doc != NULL);
        CHECK_INT(info.version, files[i].version);
        CHECK_STR(info.uid, files[i].uid);
        CHECK_STR(info.fn, files[i].fn);
        if (files[i].kind)
            CHECK_STR(info.kind, files[i].kind);
        else
            CHECK(info.kind == NULL);
        CHECK_INT(info.is_group, files[i].group);
        CHECK_INT(info.nmembers, files[i].members);
        if (files[i].members) CHECK(strncmp(info.members[0], "urn:uuid:", 9) == 0);
        pool_free(p);
        free(data);
    }
    /* KIND is lower-cased and trimmed. */
    vpool *p = pool_new();
    vcard_check chk;
    vcard_info info;
    const char *s = CARD("VERSION:4.0\r\nUID:x\r\nFN:Acme\r\nKIND:Org \r\n");
    CHECK_INT(vcard_validate(p, s, strlen(s), NULL, NULL, &info, &chk), VCARD_VALID);
    CHECK_STR(info.kind, "org");
    CHECK_INT(info.is_group, 0);
    pool_free(p);
}

static void test_media_types(void)
{
    CHECK_INT(vcard_media_version("text/vcard", NULL, VCARD_V30), VCARD_V30);
    CHECK_INT(vcard_media_version("text/vcard", "4.0", VCARD_V30), VCARD_V40);
    CHECK_INT(vcard_media_version("Text/VCard; charset=utf-8", NULL, VCARD_V40), VCARD_V40);
    CHECK_INT(vcard_media_version("text/vcard;version=4.0", NULL, VCARD_V30), VCARD_V40);
    CHECK_INT(vcard_media_version("text/vcard; version=\"3.0\"; charset=\"UTF-8\"", NULL, 0),
              VCARD_V30);
    CHECK_INT(vcard_media_version("text/vcard; version=4.0", "3.0", 0), VCARD_V30);
    CHECK_INT(vcard_media_version("text/x-vcard", NULL, VCARD_V30), VCARD_V30);
    CHECK_INT(vcard_media_version("text/directory; profile=vCard", NULL, VCARD_V30), VCARD_V30);
    CHECK_INT(vcard_media_version("text/directory", NULL, VCARD_V30), 0);
    CHECK_INT(vcard_media_version("text/vcard; charset=iso-8859-1", NULL, VCARD_V30), 0);
    CHECK_INT(vcard_media_version("text/vcard; version=2.1", NULL, VCARD_V30), 0);
    CHECK_INT(vcard_media_version("text/vcard", "2.1", VCARD_V30), 0);
    CHECK_INT(vcard_media_version("text/xml", NULL, VCARD_V30), 0);
    CHECK_INT(vcard_media_version("application/vcard+json", NULL, VCARD_V40), 0);
    CHECK_INT(vcard_media_version("text/vcardx", NULL, VCARD_V30), 0);
    CHECK_INT(vcard_media_version(NULL, NULL, VCARD_V30), 0);
    CHECK_STR(vcard_supported_versions[0], "3.0");
    CHECK_STR(vcard_supported_versions[1], "4.0");
    CHECK(vcard_supported_versions[2] == NULL);
}

int main(void)
{
    RUN(test_every_error);
    RUN(test_limits_and_21);
    RUN(test_info);
    RUN(test_media_types);
    return check_summary();
}

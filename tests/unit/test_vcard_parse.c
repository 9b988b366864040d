/* vcard/: parser, lossless writer, folding, text helpers, editing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vcard/vcard.h"

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

/* Parses and writes back; returns 1 when the output equals the input. */
static int roundtrip(const char *data, size_t len)
{
    vpool *p = pool_new();
    vcard_doc *doc;
    int ok = 0;
    if (vcard_parse(p, data, len, NULL, &doc, NULL) == VCARD_OK) {
        size_t n;
        char *out = vcard_doc_write_pool(p, doc, &n);
        ok = out && n == len && memcmp(out, data, len) == 0;
    }
    pool_free(p);
    return ok;
}

static vcard_doc *parse(vpool *p, const char *s)
{
    vcard_doc *doc = NULL;
    vcard_error err;
    if (vcard_parse(p, s, strlen(s), NULL, &doc, &err) != VCARD_OK) {
        fprintf(stderr, "parse failed: line %d: %s\n", err.line, err.reason);
        return NULL;
    }
    return doc;
}

static void test_files_roundtrip(void)
{
    static const char *const files[] = {
        "apple-3.0-photo.vcf", "apple-group-3.0.vcf", "google-3.0.vcf",    "davx5-4.0.vcf",
        "davx5-group-4.0.vcf", "nextcloud-3.0.vcf",   "cjk-emoji-4.0.vcf",
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char path[256];
        size_t len;
        snprintf(path, sizeof path, "data/vcard/%s", files[i]);
        char *data = slurp(path, &len);
        CHECK(data != NULL);
        if (!data) continue;
        CHECK(roundtrip(data, len));
        free(data);
    }
}

static void test_apple_details(void)
{
    size_t len;
    char *data = slurp("data/vcard/apple-3.0-photo.vcf", &len);
    vpool *p = pool_new();
    vcard_doc *doc;
    CHECK_INT(vcard_parse(p, data, len, NULL, &doc, NULL), VCARD_OK);
    vcard *c = doc->first;
    CHECK_INT(doc->ncards, 1);
    CHECK_INT(c->version, VCARD_V30);
    CHECK_STR(c->eol, "\r\n");
    vcard_prop *email = vcard_find(c, NULL, "email");
    CHECK(email && email->nparams == 3);
    CHECK(vcard_prop_has_type(email, "PREF"));
    CHECK(vcard_prop_has_type(email, "work"));
    CHECK(!vcard_prop_has_type(email, "home"));
    vcard_prop *adr = vcard_find(c, NULL, "item1.ADR");
    CHECK(adr && adr->group && strcmp(adr->group, "item1") == 0);
    CHECK(vcard_find(c, NULL, "item2.ADR") == NULL);
    CHECK(vcard_find(c, NULL, "ADR") == adr);
    CHECK_INT(vcard_count(c, "X-ABLabel"), 3);
    vcard_prop *photo = vcard_find(c, NULL, "PHOTO");
    CHECK(photo && photo->raw_len > photo->value_len); /* folded in the input */
    CHECK(photo && strncmp(photo->value, "/9j/", 4) == 0 && !strchr(photo->value, '\n'));
    vcard_prop *note = vcard_find(c, NULL, "NOTE");
    CHECK_STR(vcard_prop_text(p, note), "Met at WWDC, 2019.\nLikes apples; hates pears.");
    CHECK_STR(note->value, "Met at WWDC\\, 2019.\\nLikes apples\\; hates pears.");
    const vcard_param *soc = vcard_param_find(vcard_find(c, NULL, "X-SOCIALPROFILE"), "X-USER");
    CHECK(soc && soc->nvalues == 1 && strcmp(soc->values[0], "johnny") == 0);
    pool_free(p);
    free(data);
}

static void test_params(void)
{
    vpool *p = pool_new();
    vcard_doc *doc = parse(p, "BEGIN:VCARD\r\nVERSION:4.0\r\n"
                              "ADR;TYPE=work,voice;LABEL=\"Main St. 1, ^nSpringfield; ^'HQ^'\";"
                              "GEO=\"geo:1,2\":;;Main St. 1;Springfield;;;\r\n"
                              "TEL;WORK;VOICE:+1 555\r\n"
                              "X-CUSTOM;X-EMPTY=;X-Q=\"\":v\r\n"
                              "END:VCARD\r\n");
    CHECK(doc != NULL);
    if (!doc) goto out;
    vcard_prop *adr = vcard_find(doc->first, NULL, "ADR");
    CHECK_INT(adr->nparams, 3);
    CHECK_INT(adr->params[0].nvalues, 2);
    CHECK_STR(adr->params[0].values[1], "voice");
    CHECK_INT(adr->params[0].quoted, 0);
    const vcard_param *label = vcard_param_find(adr, "label");
    CHECK(label && label->quoted && label->nvalues == 1);
    CHECK_STR(label->values[0], "Main St. 1, ^nSpringfield; ^'HQ^'"); /* RFC 6868 kept */
    CHECK_STR(vcard_param_decode(p, label->values[0]), "Main St. 1, \nSpringfield; \"HQ\"");
    CHECK_STR(vcard_param_find(adr, "GEO")->values[0], "geo:1,2");
    CHECK_STR(adr->value, ";;Main St. 1;Springfield;;;");
    vcard_prop *tel = vcard_find(doc->first, NULL, "TEL");
    CHECK_INT(tel->nparams, 2);
    CHECK_INT(tel->params[0].nvalues, 0); /* 2.1-style bare parameter */
    CHECK(vcard_prop_has_type(tel, "work") && vcard_prop_has_type(tel, "VOICE"));
    vcard_prop *x = vcard_find(doc->first, NULL, "X-CUSTOM");
    CHECK_INT(x->params[0].nvalues, 1);
    CHECK_STR(x->params[0].values[0], "");
    CHECK_STR(x->params[1].values[0], "");
out:
    pool_free(p);
}

static void test_unfolding(void)
{
    static const char *const forms[] = {
        "BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:abc\r\n def\r\n\tghi\r\nEND:VCARD\r\n",
        "BEGIN:VCARD\nVERSION:3.0\nNOTE:abc\n def\n\tghi\nEND:VCARD\n",
        "BEGIN:VCARD\r\nVERSION:3.0\nNOTE:abc\r\n def\n\tghi\r\nEND:VCARD",
        "BEGIN:VCARD\r\nVERSION:3.0\r\nNO\r\n TE:abc\r\n def\r\n \r\n\tghi\r\nEND:VCARD\r\n",
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        vpool *p = pool_new();
        vcard_doc *doc = parse(p, forms[i]);
        CHECK(doc != NULL);
        if (doc) {
            vcard_prop *n = vcard_find(doc->first, NULL, "NOTE");
            CHECK(n != NULL);
            if (n) CHECK_STR(n->value, "abcdefghi");
            CHECK(roundtrip(forms[i], strlen(forms[i])));
        }
        pool_free(p);
    }
    /* A lone LF file gets LF for new lines. */
    vpool *p = pool_new();
    vcard_doc *doc = parse(p, forms[1]);
    CHECK_STR(doc->first->eol, "\n");
    pool_free(p);
}

static void test_tolerated(void)
{
    const char *bom_ws = "\xEF\xBB\xBF\r\nbegin:vcard  \r\nVERSION:4.0 \r\n\r\nFN:A\r\n\r\n"
                         "End:VCard\t\r\n\r\n  \r\n";
    vpool *p = pool_new();
    vcard_doc *doc = parse(p, bom_ws);
    CHECK(doc != NULL);
    if (doc) {
        CHECK_INT(doc->ncards, 1);
        CHECK_INT(doc->first->version, VCARD_V40);
        CHECK_INT(doc->first->nprops, 2);
        CHECK_INT((int)doc->first->lead_len, 5);
        CHECK(roundtrip(bom_ws, strlen(bom_ws)));
    }
    /* Several cards; the Google export has two. */
    size_t len;
    char *g = slurp("data/vcard/google-3.0.vcf", &len);
    CHECK_INT(vcard_parse(p, g, len, NULL, &doc, NULL), VCARD_OK);
    CHECK_INT(doc->ncards, 2);
    CHECK(doc->first->next && doc->first->next->line == 16);
    CHECK_STR(vcard_prop_text(p, vcard_find(doc->first->next, NULL, "FN")), "Zoë Ångström");
    free(g);
    /* A writer that split a UTF-8 character across a fold: read, kept. */
    const char *split = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:\xE5\xB1\r\n \xB1\xE7\x94\xB0\r\n"
                        "END:VCARD\r\n";
    doc = parse(p, split);
    CHECK(doc != NULL);
    if (doc) CHECK_STR(vcard_find(doc->first, NULL, "FN")->value, "山田");
    CHECK(roundtrip(split, strlen(split)));
    /* No vCard at all is not an error for the parser. */
    doc = parse(p, "\r\n\r\n");
    CHECK(doc && doc->ncards == 0);
    pool_free(p);
}

static void expect_error(const char *s, size_t n, int code, int line, const char *reason)
{
    vpool *p = pool_new();
    vcard_doc *doc;
    vcard_error err;
    CHECK_INT(vcard_parse(p, s, n, NULL, &doc, &err), code);
    CHECK_INT(err.code, code);
    CHECK_INT(err.line, line);
    CHECK(err.reason && strstr(err.reason, reason) != NULL);
    pool_free(p);
}

static void test_errors(void)
{
#define E(s, code, line, why) expect_error(s, sizeof(s) - 1, code, line, why)
    E("--BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 1, "outside");
    E("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\n", VCARD_ESYNTAX, 1, "missing END");
    E("BEGIN:VCARD\r\nBEGIN:VCARD\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "BEGIN inside");
    E("BEGIN:VCARD\r\nFN x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "malformed property name");
    E("BEGIN:VCARD\r\nFN;TYPE=a\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "without ':'");
    E("BEGIN:VCARD\r\n:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "property name");
    E("BEGIN:VCARD\r\nitem1.:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "property name");
    E("BEGIN:VCARD\r\nFN;=a:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "parameter name");
    E("BEGIN:VCARD\r\nFN;A B=c:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "parameter name");
    E("BEGIN:VCARD\r\nFN;A=\"b:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "unterminated");
    E("BEGIN:VCARD\r\nFN;A=\"b\"c:x\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "after a quoted");
    E("BEGIN:VCARD\r\nNOTE:bell\a\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "control");
    E("BEGIN:VCARD\r\nNOTE:a\0b\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "control");
    E("BEGIN:VCARD\r\nNOTE:a\rb\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 2, "control");
    E("BEGIN:VCARD\r\nFN:\xC3\x28\r\nEND:VCARD\r\n", VCARD_EUTF8, 2, "UTF-8");
    E("BEGIN:VCARD\r\nFN:\xED\xA0\x80\r\nEND:VCARD\r\n", VCARD_EUTF8, 2, "UTF-8");
    E("BEGIN:VCARD\r\nFN:\xC0\xAF\r\nEND:VCARD\r\n", VCARD_EUTF8, 2, "UTF-8");
    E("BEGIN:VCARD\r\nEND:XCARD\r\n", VCARD_ESYNTAX, 2, "END does not close");
    E("BEGIN:XCARD\r\nEND:XCARD\r\n", VCARD_ESYNTAX, 1, "outside");
    E(" FN:x\r\nBEGIN:VCARD\r\nEND:VCARD\r\n", VCARD_ESYNTAX, 1, "continuation");
#undef E
    vpool *p = pool_new();
    vcard_doc *doc;
    CHECK_INT(vcard_parse(p, NULL, 5, NULL, &doc, NULL), VCARD_EINVAL);
    pool_free(p);
}

static void test_limits(void)
{
    const char *s = "BEGIN:VCARD\r\nTEL;A=1;B=2;C=3:x\r\nFN:y\r\nNOTE:0123456789\r\nEND:VCARD\r\n"
                    "BEGIN:VCARD\r\nEND:VCARD\r\n";
    size_t n = strlen(s);
    vpool *p = pool_new();
    vcard_doc *doc;
    vcard_error err;
    vcard_limits lim = {0};
    lim.max_bytes = n - 1;
    CHECK_INT(vcard_parse(p, s, n, &lim, &doc, &err), VCARD_ELIMIT);
    lim = (vcard_limits){0};
    lim.max_params = 2;
    CHECK_INT(vcard_parse(p, s, n, &lim, &doc, &err), VCARD_ELIMIT);
    CHECK_INT(err.line, 2);
    lim = (vcard_limits){0};
    lim.max_props = 2;
    CHECK_INT(vcard_parse(p, s, n, &lim, &doc, &err), VCARD_ELIMIT);
    CHECK_INT(err.line, 4);
    lim = (vcard_limits){0};
    lim.max_line = 10;
    CHECK_INT(vcard_parse(p, s, n, &lim, &doc, &err), VCARD_ELIMIT);
    CHECK(strstr(err.reason, "too long") != NULL);
    lim = (vcard_limits){0};
    lim.max_cards = 1;
    CHECK_INT(vcard_parse(p, s, n, &lim, &doc, &err), VCARD_ELIMIT);
    CHECK_INT(err.line, 6);
    CHECK_INT(vcard_parse(p, s, n, NULL, &doc, &err), VCARD_OK);
    pool_free(p);
}

static void test_text_helpers(void)
{
    vpool *p = pool_new();
    CHECK_STR(vcard_text_unescape(p, "a\\,b\\;c\\\\d\\ne\\Nf\\:g\\x", 21), "a,b;c\\d\ne\nf:g\\x");
    CHECK_STR(vcard_text_escape(p, "a,b;c\\d\r\ne\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
    char **parts;
    CHECK_INT(vcard_split(p, "Doe;John\\;Jr;;a\\,b,c", ';', &parts), 4);
    CHECK_STR(parts[1], "John\\;Jr");
    CHECK_STR(parts[2], "");
    CHECK_STR(parts[3], "a\\,b,c");
    CHECK_INT(vcard_split(p, "", ',', &parts), 1);
    CHECK_STR(vcard_param_decode(p, "a^nb^'c^^d^x"), "a\nb\"c^d^x");
    CHECK_STR(vcard_param_encode(p, "a\r\nb\"c^d"), "a^nb^'c^^d");
    CHECK_INT(vcard_version_parse(" 4.0 "), VCARD_V40);
    CHECK_INT(vcard_version_parse("3.0"), VCARD_V30);
    CHECK_INT(vcard_version_parse("2.1"), VCARD_V21);
    CHECK_INT(vcard_version_parse("5.0"), VCARD_VUNKNOWN);
    pool_free(p);
}

/* Every physical line of s is at most 75 octets and no line (after the
 * first) starts inside a UTF-8 sequence. */
static int folded_ok(const char *s)
{
    while (*s) {
        const char *e = strstr(s, "\r\n");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n > 75) return 0;
        if (((unsigned char)s[0] & 0xC0) == 0x80) return 0;
        if (n > 1 && s[0] == ' ' && ((unsigned char)s[1] & 0xC0) == 0x80) return 0;
        if (!e) break;
        s = e + 2;
    }
    return 1;
}

static void test_edit_and_fold(void)
{
    size_t len;
    char *data = slurp("data/vcard/cjk-emoji-4.0.vcf", &len);
    vpool *p = pool_new();
    vcard_doc *doc;
    CHECK_INT(vcard_parse(p, data, len, NULL, &doc, NULL), VCARD_OK);
    vcard *c = doc->first;
    vcard_prop *note = vcard_find(c, NULL, "NOTE");
    const char *orig = note->value;
    /* Re-serialise with a one-octet shift so the fold points move. */
    char *shifted = pool_printf(p, "x%s", orig);
    CHECK_INT(vcard_prop_set_value(p, note, shifted), VCARD_OK);
    CHECK(note->raw == NULL);
    size_t n;
    char *out = vcard_write_pool(p, c, &n);
    CHECK(out && folded_ok(out));
    /* Reading it back gives the same value. */
    vcard_doc *again;
    CHECK_INT(vcard_parse(p, out, n, NULL, &again, NULL), VCARD_OK);
    CHECK_STR(vcard_find(again->first, NULL, "NOTE")->value, shifted);
    /* Unchanged lines are still the original bytes. */
    vcard_prop *org = vcard_find(c, NULL, "ORG");
    CHECK(org->raw && strstr(out, "ORG:") && memmem(out, n, org->raw, org->raw_len));
    /* Parameters are re-quoted when they need it. */
    vcard_prop *np = vcard_prop_new(p, "item9", "X-TEST", "v");
    CHECK_INT(vcard_param_add(p, np, "X-A", "b:c", 0), VCARD_OK);
    CHECK_INT(vcard_param_add(p, np, "X-B", "plain", 1), VCARD_OK);
    CHECK_INT(vcard_param_add(p, np, "X-BARE", NULL, 0), VCARD_OK);
    const char *vals[] = {"one", "two"};
    CHECK_INT(vcard_param_add_values(p, np, "TYPE", vals, 2, 0), VCARD_OK);
    vcard_append(c, np);
    vbuf b;
    buf_init(&b, 0);
    vcard_write_prop(np, "\r\n", &b);
    CHECK_STR(buf_cstr(&b), "item9.X-TEST;X-A=\"b:c\";X-B=\"plain\";X-BARE;TYPE=one,two:v\r\n");
    buf_reset(&b);
    CHECK_INT(vcard_param_remove(np, "x-a"), 1);
    vcard_param_remove_value(np, 2, 0);
    vcard_write_prop(np, "\r\n", &b);
    CHECK_STR(buf_cstr(&b), "item9.X-TEST;X-B=\"plain\";X-BARE;TYPE=two:v\r\n");
    /* Edited text that the syntax cannot carry raw is escaped on output. */
    vcard_prop *raw = vcard_prop_new(p, NULL, "NOTE", "line1\r\nline2");
    CHECK_INT(vcard_param_add(p, raw, "X-Q", "say \"hi\"\n", 0), VCARD_OK);
    buf_reset(&b);
    vcard_write_prop(raw, "\r\n", &b);
    CHECK_STR(buf_cstr(&b), "NOTE;X-Q=say ^'hi^'^n:line1\\nline2\r\n");
    buf_free(&b);
    /* Insert at the front, remove, clone independence. */
    vcard_prop *first = vcard_prop_new(p, NULL, "X-FIRST", "1");
    vcard_insert_after(c, NULL, first);
    CHECK(c->head == first && first->next && vcard_prop_is(first->next, "VERSION"));
    vcard *cl = vcard_clone(p, c);
    vcard_remove(cl, cl->head);
    CHECK(c->head == first && cl->head && vcard_prop_is(cl->head, "VERSION"));
    CHECK_INT(cl->nprops, c->nprops - 1);
    vcard_param_remove(cl->tail, "X-B");
    CHECK(vcard_param_find(c->tail, "X-B") != NULL);
    vcard_remove(c, first);
    CHECK(vcard_prop_is(c->head, "VERSION"));
    pool_free(p);
    free(data);
}

static void test_long_lines(void)
{
    /* 4 KB of emoji and 1 KB of 2-octet letters, each written fresh. */
    vpool *p = pool_new();
    vcard_doc *doc = parse(p, "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n");
    vbuf v;
    buf_init(&v, 0);
    for (int i = 0; i < 1000; i++)
        buf_puts(&v, "\xF0\x9F\x98\x80");
    for (int i = 0; i < 500; i++)
        buf_puts(&v, "\xC3\xA9");
    vcard_prop *np = vcard_prop_new(p, NULL, "NOTE", buf_cstr(&v));
    vcard_append(doc->first, np);
    size_t n;
    char *out = vcard_write_pool(p, doc->first, &n);
    CHECK(out && folded_ok(out));
    vcard_doc *back;
    CHECK_INT(vcard_parse(p, out, n, NULL, &back, NULL), VCARD_OK);
    CHECK_STR(vcard_find(back->first, NULL, "NOTE")->value, buf_cstr(&v));
    buf_free(&v);
    pool_free(p);
}

int main(void)
{
    RUN(test_files_roundtrip);
    RUN(test_apple_details);
    RUN(test_params);
    RUN(test_unfolding);
    RUN(test_tolerated);
    RUN(test_errors);
    RUN(test_limits);
    RUN(test_text_helpers);
    RUN(test_edit_and_fold);
    RUN(test_long_lines);
    return check_summary();
}

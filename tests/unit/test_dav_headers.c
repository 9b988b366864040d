/* The small parsers of the DAV engine that take what a client sends as it is:
 * Timeout (RFC 4918 §10.7), Prefer (RFC 7240, RFC 8144), sync tokens
 * (RFC 6578: only as the server writes them), and the XML writer that must
 * stay well-formed whatever bytes it is given. */
#include <libxml/parser.h>

#include "dav/sync.h"
#include "dav/xml_out.h"
#include "tests/unit/check.h"

static void test_timeout(void)
{
    CHECK_INT(dav_timeout_parse(NULL, 604800), DAV_LOCK_DEFAULT_TIMEOUT);
    CHECK_INT(dav_timeout_parse(NULL, 60), 60);
    CHECK_INT(dav_timeout_parse("Second-600", 604800), 600);
    CHECK_INT(dav_timeout_parse("Infinite, Second-4100000000", 604800), 604800);
    CHECK_INT(dav_timeout_parse("Second-99999999999999999999999", 604800), 604800);
    CHECK_INT(dav_timeout_parse(" second-5 ,Infinite", 604800), 5);
    /* the first one understood wins; what is not a TimeType is skipped */
    CHECK_INT(dav_timeout_parse("Minute-5, Second-7", 604800), 7);
    CHECK_INT(dav_timeout_parse("Second-0, Second--4, Second-+4, Second- 4", 604800),
              DAV_LOCK_DEFAULT_TIMEOUT);
    CHECK_INT(dav_timeout_parse("Second-5x", 604800), DAV_LOCK_DEFAULT_TIMEOUT);
}

static void test_prefer(void)
{
    CHECK_INT(dav_prefer_parse(NULL, NULL), 0);
    CHECK_INT(dav_prefer_parse(NULL, "t"), DAV_PREFER_MINIMAL);
    CHECK_INT(dav_prefer_parse(NULL, "F"), 0);
    CHECK_INT(dav_prefer_parse("return=minimal", NULL), DAV_PREFER_MINIMAL);
    CHECK_INT(dav_prefer_parse("RETURN = \"minimal\"; foo=bar, depth-noroot", NULL),
              DAV_PREFER_MINIMAL | DAV_PREFER_NOROOT);
    CHECK_INT(dav_prefer_parse("return=representation", NULL), DAV_PREFER_REPRESENTATION);
    /* a preference is a token, not a substring */
    CHECK_INT(dav_prefer_parse("return=minimalist, x-depth-noroot, respond-async", NULL), 0);
}

static void test_sync_tokens(void)
{
    vpool *p = pool_new();
    store_node c;
    memset(&c, 0, sizeof c);
    c.resource_id[0] = 0xab;
    c.resource_id[3] = 0x01;
    int64_t rev;
    CHECK_INT(dav_sync_token_parse(&c, "urn:x-veil:sync:ab000001-42", &rev), 0);
    CHECK_INT(rev, 42);
    CHECK_INT(dav_sync_token_parse(&c, "urn:x-veil:sync:ab000001-0", &rev), 0);
    /* only what the server writes: no sign, blank, leading zero or overflow */
    static const char *bad[] = {
        "urn:x-veil:sync:ab000001-+42", "urn:x-veil:sync:ab000001- 42",
        "urn:x-veil:sync:ab000001-042", "urn:x-veil:sync:ab000001--1",
        "urn:x-veil:sync:ab000001-9999999999999999999", "urn:x-veil:sync:ab000001-",
        "urn:x-veil:sync:AB000001-4", "urn:x-veil:sync:ab00001-4", "urn:x-veil:sync:cd000001-4",
        "urn:x-veil:sync:ab000001-4x", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(dav_sync_token_parse(&c, bad[i], &rev), -1);
    dav_sync_child kids[2] = {{"0123abcd", 7, 0}, {"89abcdef", 3, 2}};
    const char *t = dav_home_token_format(p, &c, 5, kids, 2);
    CHECK_STR(t, "urn:x-veil:sync:ab000001-5;0123abcd-7,89abcdef-3.2");
    dav_sync_child *back;
    int n;
    CHECK_INT(dav_home_token_parse(p, &c, t, &rev, &back, &n), 0);
    CHECK_INT(rev, 5);
    CHECK_INT(n, 2);
    CHECK_STR(back[1].tag, "89abcdef");
    CHECK_INT(back[1].brev, 2);
    CHECK_INT(dav_home_token_parse(p, &c, "urn:x-veil:sync:ab000001-5", &rev, &back, &n), 0);
    CHECK_INT(n, 0);
    static const char *bad_home[] = {
        "urn:x-veil:sync:ab000001-5;0123abcd-7,", "urn:x-veil:sync:ab000001-5;0123abcd-7.0",
        "urn:x-veil:sync:ab000001-5;0123abcd-07", "urn:x-veil:sync:ab000001-5;0123abc-7",
        "urn:x-veil:sync:ab000001-5;,0123abcd-7", "urn:x-veil:sync:ab000001-5:0123abcd-7",
    };
    for (size_t i = 0; i < sizeof bad_home / sizeof bad_home[0]; i++)
        CHECK_INT(dav_home_token_parse(p, &c, bad_home[i], &rev, &back, &n), -1);
    pool_free(p);
}

static int well_formed(const char *xml)
{
    xmlDocPtr d = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                                XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NONET);
    xmlFreeDoc(d);
    return d != NULL;
}

/* XML 1.0 §2.2: whatever a stored object or a client's address holds, the
 * answer stays well-formed; what XML cannot carry becomes U+FFFD. */
static void test_xml_text(void)
{
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, "<a x=\"");
    xml_attr(&b, "q\"<&\n\t\x01\xff");
    buf_puts(&b, "\">");
    xml_text(&b, "caf\xc3\xa9 \xe2\x82\xac <&> \r\n\x01\x08\x0b\x1f\x7f \xff\xc3 \xed\xa0\x80 "
                 "\xef\xbf\xbe \xf0\x9f\x98\x80 \xc0\xaf");
    xml_text_n(&b, "z\0z", 3);
    buf_puts(&b, "</a>");
    CHECK(well_formed(buf_cstr(&b)));
    CHECK_STR(buf_cstr(&b),
              "<a x=\"q&quot;&lt;&amp;&#10;&#9;\xEF\xBF\xBD\xEF\xBF\xBD\">"
              "caf\xc3\xa9 \xe2\x82\xac &lt;&amp;&gt; &#13;\n"
              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
              "\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD "
              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xf0\x9f\x98\x80 \xEF\xBF\xBD\xEF\xBF\xBD"
              "z\xEF\xBF\xBDz</a>");
    buf_free(&b);
}

int main(void)
{
    RUN(test_timeout);
    RUN(test_prefer);
    RUN(test_sync_tokens);
    RUN(test_xml_text);
    return check_summary();
}

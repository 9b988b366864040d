/* The pre-scan of request XML (dav/xml_scan.c): counts, what it skips, and
 * that its time grows linearly with the body. */
#include <stdlib.h>
#include <time.h>

#include "common/buf.h"
#include "dav/xml_scan.h"
#include "tests/unit/check.h"

static const xml_in_limits lim = {.max_depth = 8, .max_nodes = 100, .max_attrs = 3,
                                  .max_ns = 2, .max_ns_total = 4};

static int scan(const char *s)
{
    return xml_scan(s, strlen(s), &lim);
}

static void test_real_bodies(void)
{
    CHECK_INT(scan("<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
                   "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                   "<D:prop><D:displayname/><C:calendar-data/></D:prop></D:propfind>"),
              XML_SCAN_OK);
    CHECK_INT(scan("<C:calendar-query xmlns:C='urn:ietf:params:xml:ns:caldav'><C:filter>"
                   "<C:comp-filter name=\"VCALENDAR\"><C:time-range start=\"20260101T000000Z\" "
                   "end=\"20270101T000000Z\"/></C:comp-filter></C:filter></C:calendar-query>"),
              XML_SCAN_OK);
    CHECK_INT(scan("\xEF\xBB\xBF  \n<a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<a>text with > and ' and \" in it</a>"), XML_SCAN_OK);
    CHECK_INT(scan("<a\n\tb = 'x'\r\n/>"), XML_SCAN_OK);
}

static void test_limits(void)
{
    CHECK_INT(scan("<a x='1' y='2' z='3'/>"), XML_SCAN_OK);
    CHECK_INT(scan("<a x='1' y='2' z='3' w='4'/>"), XML_SCAN_TOO_COMPLEX);
    /* per element, not per document */
    CHECK_INT(scan("<a x='1' y='2' z='3'><b x='1' y='2' z='3'/></a>"), XML_SCAN_OK);
    /* namespace declarations are counted apart from attributes */
    CHECK_INT(scan("<a xmlns='u:0' xmlns:p='u:1' x='1' y='2' z='3'/>"), XML_SCAN_OK);
    CHECK_INT(scan("<a xmlns='u:0' xmlns:p='u:1' xmlns:q='u:2'/>"), XML_SCAN_TOO_COMPLEX);
    CHECK_INT(scan("<a xmlns:p='u:1' xmlns:q='u:2'><b xmlns:r='u:3' xmlns:s='u:4'/></a>"),
              XML_SCAN_OK);
    CHECK_INT(scan("<a xmlns:p='u:1' xmlns:q='u:2'><b xmlns:r='u:3' xmlns:s='u:4'/>"
                   "<c xmlns:t='u:5'/></a>"),
              XML_SCAN_TOO_COMPLEX);
    /* names that only look like declarations are attributes */
    CHECK_INT(scan("<a xmlnsx='1' p:xmlns='2' xmlns:='3'/>"), XML_SCAN_OK);
    /* depth: the root is 1; an empty element closes itself */
    CHECK_INT(scan("<a><a><a><a><a><a><a><a/></a></a></a></a></a></a></a>"), XML_SCAN_OK);
    CHECK_INT(scan("<a><a><a><a><a><a><a><a><a/></a></a></a></a></a></a></a></a>"),
              XML_SCAN_TOO_COMPLEX);
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, "<r>");
    for (int i = 0; i < 8; i++) buf_puts(&b, "<a/><b/><c/><d/><e/><f/><g/><h/><i/><j/><k/><l/>");
    buf_puts(&b, "</r>");
    CHECK_INT(xml_scan(b.data, b.len, &lim), XML_SCAN_OK); /* 97 elements */
    buf_puts(&b, "<x y='1' z='2'/>");                     /* 98 + 2 attributes, 100 */
    CHECK_INT(xml_scan(b.data, b.len, &lim), XML_SCAN_OK);
    buf_puts(&b, "<x/>");
    CHECK_INT(xml_scan(b.data, b.len, &lim), XML_SCAN_TOO_COMPLEX);
    buf_free(&b);
}

/* Markup inside quotes, comments, CDATA and processing instructions is not
 * markup: none of it counts. */
static void test_skipped(void)
{
    CHECK_INT(scan("<a x='<b c=\"1\" d=\"2\" e=\"3\" f=\"4\">' y=\"a'b>c\"/>"), XML_SCAN_OK);
    CHECK_INT(scan("<a><!-- <b c='1' d='2' e='3' f='4'/> -- '\" --></a>"), XML_SCAN_OK);
    CHECK_INT(scan("<a><![CDATA[ <b c='1' d='2' e='3' f='4'/> ]] > ' ]]></a>"), XML_SCAN_OK);
    CHECK_INT(scan("<?pi <b c='1' d='2' e='3' f='4'/> ?><a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<a><?pi x='1' y='2' z='3' w='4'?></a>"), XML_SCAN_OK);
    /* the same markup outside them counts */
    CHECK_INT(scan("<a><!-- x --><b c='1' d='2' e='3' f='4'/></a>"), XML_SCAN_TOO_COMPLEX);
    CHECK_INT(scan("<a><![CDATA[x]]><b c='1' d='2' e='3' f='4'/></a>"), XML_SCAN_TOO_COMPLEX);
}

static void test_malformed(void)
{
    CHECK_INT(scan("<a x='1/>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a x=1/>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a x/>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a><!-- never closed </a>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a><![CDATA[ never closed </a>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a><?pi never closed </a>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("</a>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("< a/>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan("text<a/>"), XML_SCAN_MALFORMED);
    CHECK_INT(scan(""), XML_SCAN_MALFORMED);
    CHECK_INT(scan("<a><!ELEMENT x ANY></a>"), XML_SCAN_MALFORMED);
}

/* Only encodings whose bytes the scan reads as libxml2 does. */
static void test_encodings(void)
{
    CHECK_INT(scan("<?xml version='1.0' encoding='UTF-8'?><a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<?xml version='1.0' encoding=\"us-ascii\"?><a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<?xml version='1.0' encoding='ISO-8859-15'?><a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<?xml version='1.0' encoding='windows-1252'?><a/>"), XML_SCAN_OK);
    CHECK_INT(scan("<?xml version='1.0'?><a/>"), XML_SCAN_OK);
    /* UTF-7 writes '<' as "+ADw-": markup the scan would not see */
    CHECK_INT(scan("<?xml version='1.0' encoding='UTF-7'?>+ADw-a/+AD4-"), XML_SCAN_ENCODING);
    CHECK_INT(scan("<?xml version='1.0' encoding='ISO-2022-JP'?><a/>"), XML_SCAN_ENCODING);
    CHECK_INT(scan("<?xml version='1.0' encoding='EBCDIC-US'?><a/>"), XML_SCAN_ENCODING);
    CHECK_INT(scan("<?xml version='1.0' encoding='ISO-8859-'?><a/>"), XML_SCAN_ENCODING);
    /* EBCDIC "<?xm", which libxml2 detects without a declaration */
    CHECK_INT(scan("\x4C\x6F\xA7\x94\x40\xA5\x85\x99"), XML_SCAN_MALFORMED);
}

/* 100,000 attributes on one element, or spread over elements, or hidden in
 * comments: refused or skipped in time linear in the size. */
static double seconds_for(const char *unit, int n, const char *open, const char *close, int *rc)
{
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, open);
    const char *hash = strchr(unit, '#'); /* where the number goes */
    for (int i = 0; i < n; i++) {
        buf_append(&b, unit, (size_t)(hash - unit));
        buf_printf(&b, "%d", i);
        buf_puts(&b, hash + 1);
    }
    buf_puts(&b, close);
    xml_in_limits big = {64, 10000000, 64, 64, 256};
    clock_t t = clock();
    *rc = xml_scan(b.data, b.len, &big);
    double s = (double)(clock() - t) / CLOCKS_PER_SEC;
    buf_free(&b);
    return s;
}

static void test_linear(void)
{
    int rc;
    /* refused at the 65th attribute or declaration, whatever follows */
    CHECK(seconds_for(" a#='x'", 100000, "<D:propfind xmlns:D='DAV:'", "/>", &rc) < 0.05);
    CHECK_INT(rc, XML_SCAN_TOO_COMPLEX);
    CHECK(seconds_for(" xmlns:n#='urn:x'", 100000, "<a", "/>", &rc) < 0.05);
    CHECK_INT(rc, XML_SCAN_TOO_COMPLEX);
    /* four times the body, about four times the time (not sixteen): 4 and
     * 16 MB of comments full of markup, then of elements with attributes */
    double t = seconds_for("<!-- <a b#='1'/> -->", 200000, "<a>", "</a>", &rc);
    double t4 = seconds_for("<!-- <a b#='1'/> -->", 800000, "<a>", "</a>", &rc);
    CHECK_INT(rc, XML_SCAN_OK);
    CHECK(t4 < 8 * t + 0.02 && t4 < 2);
    t = seconds_for("<e a='#' b='1'/>", 200000, "<r>", "</r>", &rc);
    t4 = seconds_for("<e a='#' b='1'/>", 800000, "<r>", "</r>", &rc);
    CHECK_INT(rc, XML_SCAN_OK);
    CHECK(t4 < 8 * t + 0.02 && t4 < 2);
}

int main(void)
{
    RUN(test_real_bodies);
    RUN(test_limits);
    RUN(test_skipped);
    RUN(test_malformed);
    RUN(test_encodings);
    RUN(test_linear);
    return check_summary();
}

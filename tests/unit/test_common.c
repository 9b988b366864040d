#include "common/buf.h"
#include "common/pool.h"
#include "common/rand.h"
#include "common/range.h"
#include "common/timefmt.h"
#include "common/uri.h"
#include "tests/unit/check.h"

static void test_pool(void)
{
    vpool *p = pool_new();
    char *s = pool_printf(p, "%s-%d", "a", 42);
    CHECK_STR(s, "a-42");
    for (int i = 0; i < 1000; i++) CHECK(pool_alloc(p, (size_t)i * 7 + 1) != NULL);
    char *big = pool_alloc(p, 1 << 20);
    CHECK(big != NULL);
    CHECK(((unsigned long)big & 15) == 0);
    pool_free(p);
}

static void test_buf_limit(void)
{
    vbuf b;
    buf_init(&b, 10);
    CHECK_INT(buf_puts(&b, "0123456789"), 0);
    CHECK_INT(buf_puts(&b, "x"), -1);
    CHECK(buf_failed(&b));
    CHECK_INT(b.len, 10);
    buf_free(&b);
}

/* A buffer given no limit of its own stops at the process-wide default, and
 * so does one set up with VBUF_INIT; an explicit limit is kept as given. */
static void test_buf_default_limit(void)
{
    CHECK(buf_default_limit() == BUF_DEFAULT_LIMIT);
    buf_set_default_limit(16);
    vbuf a, b = VBUF_INIT, c;
    buf_init(&a, 0);
    buf_init(&c, 32);
    CHECK_INT(buf_puts(&a, "0123456789abcdef"), 0);
    CHECK_INT(buf_putc(&a, 'x'), -1);
    CHECK(buf_failed(&a));
    CHECK_INT(buf_printf(&b, "%s", "0123456789abcdefg"), -1);
    CHECK(buf_failed(&b));
    CHECK_INT(buf_puts(&c, "0123456789abcdef0123456789abcdef"), 0);
    CHECK(!buf_failed(&c));
    buf_reset(&a); /* a reset buffer may be written again, up to the cap */
    CHECK_INT(buf_puts(&a, "ok"), 0);
    CHECK_INT(a.len, 2);
    buf_free(&a);
    buf_free(&b);
    buf_free(&c);
    buf_set_default_limit(0); /* 0: back to BUF_DEFAULT_LIMIT */
    CHECK(buf_default_limit() == BUF_DEFAULT_LIMIT);
}

static void test_uri_paths(void)
{
    vpool *p = pool_new();
    uri_path up;
    CHECK_INT(uri_parse_path(p, "/files/a%20b/c/", &up), URI_OK);
    CHECK_INT(up.nseg, 3);
    CHECK_STR(up.seg[1], "a b");
    CHECK_INT(up.trailing_slash, 1);
    CHECK_INT(uri_parse_path(p, "/", &up), URI_OK);
    CHECK_INT(up.nseg, 0);
    CHECK_INT(uri_parse_path(p, "/a/../b", &up), URI_DOT_SEGMENT);
    CHECK_INT(uri_parse_path(p, "/a/%2e%2E/b", &up), URI_DOT_SEGMENT);
    CHECK_INT(uri_parse_path(p, "/a%2Fb", &up), URI_BAD_CHAR);
    CHECK_INT(uri_parse_path(p, "/a%00b", &up), URI_BAD_CHAR);
    CHECK_INT(uri_parse_path(p, "/a/%2e/b", &up), URI_DOT_SEGMENT);
    CHECK_INT(uri_parse_path(p, "/a%2fb", &up), URI_BAD_CHAR);
    /* names are bytes: any octet but '/' and NUL, escaped */
    CHECK_INT(uri_parse_path(p, "/a%ffb", &up), URI_OK);
    CHECK_STR(up.seg[0], "a\xff" "b");
    CHECK_INT(uri_parse_path(p, "/a%c0%afb", &up), URI_OK); /* an overlong '/' is two bytes */
    CHECK_STR(up.seg[0], "a\xc0\xaf" "b");
    CHECK_INT(uri_parse_path(p, "/x/-7kcfm%0A.ics", &up), URI_OK);
    CHECK_STR(up.seg[1], "-7kcfm\n.ics");
    CHECK_INT(uri_parse_path(p, "/%09%01%7F%25%23%3F%5C%20", &up), URI_OK);
    CHECK_STR(up.seg[0], "\t\x01\x7f%#?\\ ");
    CHECK_INT(uri_parse_path(p, "/%2e%2e%2e", &up), URI_OK); /* "..." is a name */
    CHECK_INT(uri_parse_path(p, "/a\nb", &up), URI_BAD_CHAR); /* raw controls are no URI */
    CHECK_INT(uri_parse_path(p, "/a\tb", &up), URI_BAD_CHAR);
    CHECK_INT(uri_parse_path(p, "/a\x7f", &up), URI_BAD_CHAR);
    CHECK_INT(uri_parse_path(p, "/a%4", &up), URI_BAD_ESCAPE);
    CHECK_INT(uri_parse_path(p, "/a//b", &up), URI_OK); /* empty segments collapse */
    CHECK_INT(up.nseg, 2);
    CHECK_STR(up.seg[1], "b");
    CHECK_INT(uri_parse_path(p, "/a//", &up), URI_OK);
    CHECK_INT(up.nseg, 1);
    CHECK_INT(up.trailing_slash, 1);
    CHECK_INT(uri_parse_path(p, "/%E2%82%AC", &up), URI_OK);
    CHECK_STR(up.seg[0], "\xE2\x82\xAC");
    char longseg[600];
    memset(longseg, 'x', sizeof longseg);
    longseg[0] = '/';
    longseg[599] = '\0';
    CHECK_INT(uri_parse_path(p, longseg, &up), URI_TOO_LONG);
    /* 255 bytes after decoding is the longest name, escaped or not */
    vbuf b;
    buf_init(&b, 0);
    buf_putc(&b, '/');
    for (int i = 0; i < 255; i++) buf_puts(&b, "%0A");
    CHECK_INT(uri_parse_path(p, buf_cstr(&b), &up), URI_OK);
    CHECK_INT(strlen(up.seg[0]), 255);
    buf_puts(&b, "x");
    CHECK_INT(uri_parse_path(p, buf_cstr(&b), &up), URI_TOO_LONG);
    buf_free(&b);
    /* every byte outside RFC 3986 unreserved and the harmless sub-delims goes
     * out escaped, and comes back the same */
    CHECK_STR(uri_encode_segment_pool(p, "a\n\t%#?\\\xff\x7f"), "a%0A%09%25%23%3F%5C%FF%7F");
    for (int c = 1; c < 256; c++) {
        char name[2] = {(char)c, 0};
        if (c == '/' || c == '.') continue;
        char *enc = uri_encode_segment_pool(p, name);
        char *back;
        CHECK_INT(uri_decode_segment(p, enc, strlen(enc), &back), URI_OK);
        CHECK_STR(back, name);
    }
    CHECK_STR(uri_encode_segment_pool(p, "a b/c%\xE2\x82\xAC"), "a%20b%2Fc%25%E2%82%AC");
    /* the longest path counts decoded bytes: every href the server writes for
     * one (a name escaped, three bytes for one) can be requested back */
    buf_init(&b, 0);
    for (int i = 0; i < 16; i++) {
        buf_putc(&b, '/');
        for (int j = 0; j < 250; j++) buf_puts(&b, "%FF");
    }
    CHECK_INT(uri_parse_path(p, buf_cstr(&b), &up), URI_OK); /* 4016 bytes decoded */
    CHECK_INT(up.nseg, 16);
    buf_puts(&b, "/");
    for (int j = 0; j < 80; j++) buf_putc(&b, 'x');
    CHECK_INT(uri_parse_path(p, buf_cstr(&b), &up), URI_TOO_LONG); /* 4097 */
    buf_free(&b);
    pool_free(p);
}

/* RFC 4918 §10.3: Destination is an absolute URI of this server or a
 * path-absolute; query and fragment are no part of the path. */
static void test_destination(void)
{
    vpool *p = pool_new();
    const char *path;
    CHECK_INT(uri_destination(p, "/files/a/b%20c", NULL, &path), URI_OK);
    CHECK_STR(path, "/files/a/b%20c");
    CHECK_INT(uri_destination(p, "http://dav.example:8008/files/x?y#z", "DAV.example:8008", &path),
              URI_OK);
    CHECK_STR(path, "/files/x");
    CHECK_INT(uri_destination(p, "HTTPS://dav.example", "dav.example", &path), URI_OK);
    CHECK_STR(path, "/");
    CHECK_INT(uri_destination(p, "http://other.example/files/x", "dav.example", &path),
              URI_OTHER_HOST);
    CHECK_INT(uri_destination(p, "ftp://dav.example/files/x", "dav.example", &path),
              URI_OTHER_HOST);
    /* a relative reference, a network-path one, nothing */
    CHECK_INT(uri_destination(p, "files/x", NULL, &path), URI_BAD_CHAR);
    CHECK_INT(uri_destination(p, "//dav.example/files/x", NULL, &path), URI_BAD_CHAR);
    CHECK_INT(uri_destination(p, "", NULL, &path), URI_BAD_CHAR);
    CHECK_INT(uri_destination(p, NULL, NULL, &path), URI_BAD_CHAR);
    /* "://" inside a path is no scheme: it was read as one, and the path
     * after its "authority" taken instead */
    CHECK_INT(uri_destination(p, "/files/a/b://c/d", "dav.example", &path), URI_OK);
    CHECK_STR(path, "/files/a/b://c/d");
    CHECK_INT(uri_destination(p, "a/b://c/d", NULL, &path), URI_BAD_CHAR);
    pool_free(p);
}

/* RFC 9110 §14.1-14.2: one satisfiable range is a 206, none a 416, a header
 * that is not a valid bytes ranges-specifier is ignored. */
static void test_ranges(void)
{
    http_range r;
#define RANGE(v, len, kind, f, l)                                      \
    do {                                                               \
        r.first = r.last = 12345;                                      \
        CHECK_INT(http_range_parse(v, len, &r), kind);                 \
        if ((kind) == HTTP_RANGE_ONE) {                                \
            CHECK_INT(r.first, f);                                     \
            CHECK_INT(r.last, l);                                      \
        }                                                              \
    } while (0)
    RANGE(NULL, 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=0-0", 100, HTTP_RANGE_ONE, 0, 0);
    RANGE("bytes=0-99", 100, HTTP_RANGE_ONE, 0, 99);
    RANGE("bytes=10-", 100, HTTP_RANGE_ONE, 10, 99);        /* rclone, gvfs: to the end */
    RANGE("bytes=1048576-2097151", 3000000, HTTP_RANGE_ONE, 1048576, 2097151);
    RANGE("bytes=50-1000", 100, HTTP_RANGE_ONE, 50, 99);    /* last-pos past the end */
    RANGE("bytes=-10", 100, HTTP_RANGE_ONE, 90, 99);        /* the last ten */
    RANGE("bytes=-1000", 100, HTTP_RANGE_ONE, 0, 99);
    RANGE("Bytes = 5-6", 100, HTTP_RANGE_ONE, 5, 6);        /* case and OWS */
    RANGE("bytes=5-6,", 100, HTTP_RANGE_ONE, 5, 6);         /* empty list elements */
    RANGE("bytes=,5-6", 100, HTTP_RANGE_ONE, 5, 6);
    RANGE("bytes=99999999999999999999999-", 100, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    RANGE("bytes=5-99999999999999999999999", 100, HTTP_RANGE_ONE, 5, 99);
    /* unsatisfiable: starts at or past the end, a zero suffix */
    RANGE("bytes=100-", 100, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    RANGE("bytes=100-200", 100, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    RANGE("bytes=-0", 100, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    RANGE("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    RANGE("bytes=-5", 0, HTTP_RANGE_NONE, 0, 0);            /* satisfied, but no byte to send */
    /* several: the one satisfiable among them, else whole */
    RANGE("bytes=0-9,200-300", 100, HTTP_RANGE_ONE, 0, 9);
    RANGE("bytes=200-300, -5", 100, HTTP_RANGE_ONE, 95, 99);
    RANGE("bytes=0-9,20-29", 100, HTTP_RANGE_MULTI, 0, 0);
    RANGE("bytes=200-,300-", 100, HTTP_RANGE_UNSATISFIABLE, 0, 0);
    /* not a valid bytes ranges-specifier: ignored */
    RANGE("bytes=9-5", 100, HTTP_RANGE_NONE, 0, 0);         /* last-pos before first-pos */
    RANGE("bytes=0-9,9-5", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=,", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=-", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=a-b", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=1-2-3", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes=+1-2", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytes 0-1", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("items=0-1", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("bytesx=0-1", 100, HTTP_RANGE_NONE, 0, 0);
    RANGE("", 100, HTTP_RANGE_NONE, 0, 0);
#undef RANGE
}

static void test_dates(void)
{
    char d[30];
    http_date_format(784111777, d);
    CHECK_STR(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK_INT(http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
    CHECK_INT(http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
    CHECK_INT(http_date_parse("Sun Nov  6 08:49:37 1994"), 784111777);
    CHECK_INT(http_date_parse("yesterday"), -1);
    CHECK_INT(iso8601_parse("1994-11-06"), 784080000);
    CHECK_INT(iso8601_parse("1994-11-06T08:49:37Z"), 784111777);
    CHECK_INT(iso8601_parse("1994-13-06"), -1);
}

static void test_ids(void)
{
    char a[RAND_ID_LEN + 1], b[RAND_ID_LEN + 1];
    CHECK_INT(rand_id(a), 0);
    CHECK_INT(rand_id(b), 0);
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(strlen(a), 26);
    unsigned char u[16], v[16];
    char s[37];
    CHECK_INT(rand_uuid(u), 0);
    uuid_format(u, s);
    CHECK_INT(uuid_parse(s, v), 0);
    CHECK(memcmp(u, v, 16) == 0);
    CHECK(s[14] == '4');
}

int main(void)
{
    RUN(test_pool);
    RUN(test_buf_limit);
    RUN(test_buf_default_limit);
    RUN(test_uri_paths);
    RUN(test_destination);
    RUN(test_ranges);
    RUN(test_dates);
    RUN(test_ids);
    return check_summary();
}

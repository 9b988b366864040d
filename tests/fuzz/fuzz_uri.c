/* Request paths and the Destination header (common/uri.c): percent-decoding
 * one segment at a time, the names-are-bytes rules, encoding for hrefs.
 *
 * An input is a request path (or a Destination header value: the same
 * bytes are read both ways).
 *
 * What must hold: no crash, leak or undefined behaviour; a path that
 * parses has at most URI_MAX_DEPTH segments of 1 to URI_MAX_SEGMENT bytes
 * without '/', NUL, ".", ".." or a raw control character; encoding its
 * segments gives an href of URI characters only that parses back to the
 * same segments; a Destination's path is a path-absolute without query or
 * fragment (and "//..." only after an authority). */
#include "common/uri.h"
#include "tests/fuzz/fuzz.h"

static int uri_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("\"<>\\^`{|}#?", c);
}

static void check_path(vpool *p, const char *raw)
{
    uri_path up;
    if (uri_parse_path(p, raw, &up) != URI_OK) return;
    FUZZ_ASSERT(up.nseg >= 0 && up.nseg <= URI_MAX_DEPTH);
    vbuf href;
    buf_init(&href, 0);
    for (int i = 0; i < up.nseg; i++) {
        const char *s = up.seg[i];
        size_t n = strlen(s);
        FUZZ_ASSERT(n >= 1 && n <= URI_MAX_SEGMENT);
        FUZZ_ASSERT(!strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
        buf_putc(&href, '/');
        uri_encode_segment(&href, s);
        char *pooled = uri_encode_segment_pool(p, s);
        FUZZ_ASSERT(pooled && strncmp(pooled, buf_cstr(&href) + href.len - strlen(pooled),
                                      strlen(pooled)) == 0);
    }
    if (up.trailing_slash || up.nseg == 0) buf_putc(&href, '/');
    for (const char *c = buf_cstr(&href); *c; c++) FUZZ_ASSERT(uri_char((unsigned char)*c));
    uri_path back;
    FUZZ_ASSERT(uri_parse_path(p, buf_cstr(&href), &back) == URI_OK);
    FUZZ_ASSERT(back.nseg == up.nseg && back.trailing_slash == up.trailing_slash);
    for (int i = 0; i < up.nseg; i++) FUZZ_ASSERT(strcmp(back.seg[i], up.seg[i]) == 0);
    buf_free(&href);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    vpool *p = pool_new();
    check_path(p, s);
    char *seg;
    uri_decode_segment(p, s, strlen(s), &seg);
    utf8_valid(s, size);
    for (int with_host = 0; with_host < 2; with_host++) {
        const char *path;
        int rc = uri_destination(p, s, with_host ? "dav.example:8443" : NULL, &path);
        if (rc == URI_OK) {
            /* "//" only after an authority (path-abempty), never as the whole reference */
            FUZZ_ASSERT(path && path[0] == '/' && (s[0] != '/' || path[1] != '/'));
            FUZZ_ASSERT(!strchr(path, '?') && !strchr(path, '#'));
            check_path(p, path);
        } else {
            FUZZ_ASSERT(rc == URI_BAD_CHAR || rc == URI_OTHER_HOST);
        }
    }
    pool_free(p);
    free(s);
    return 0;
}

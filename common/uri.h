/* Percent-encoding and the path rules every request path passes through.
 * Paths are decoded one segment at a time, so an encoded '/' (%2F) can be
 * refused instead of silently changing which resource is meant.
 *
 * Names are bytes: a decoded segment may hold any octet but '/' and NUL
 * (control characters, '%', '#', '?', bytes that are not UTF-8), and goes
 * back out percent-encoded wherever it is shown (hrefs, Location, the HTML
 * listing), so XML and HTML never carry a byte invalid in them.  "." and ".."
 * are refused. */
#ifndef VEIL_URI_H
#define VEIL_URI_H

#include <stddef.h>

#include "common/buf.h"
#include "common/pool.h"

enum {
    URI_OK = 0,
    URI_BAD_ESCAPE = -1,   /* '%' not followed by two hex digits */
    URI_BAD_CHAR = -3,     /* an encoded NUL or '/', or a raw control character */
    URI_DOT_SEGMENT = -4,  /* "." or ".." */
    URI_TOO_LONG = -5,
    URI_OTHER_HOST = -6    /* an absolute URI of another server */
};

#define URI_MAX_SEGMENT 255  /* bytes, after decoding */
/* bytes of a decoded path, its slashes included.  Encoded, a path takes at
 * most three times as many (every byte of a name as %XX), and that is what
 * a request may send: every href the server writes can be requested back. */
#define URI_MAX_PATH 4096
#define URI_MAX_DEPTH 64     /* segments */

typedef struct uri_path {
    char **seg;        /* decoded, NUL-terminated segments (pool-owned) */
    int nseg;
    int trailing_slash; /* the path ended with '/' */
} uri_path;

/* Splits an absolute, still-encoded path ("/a/b%20c/") into decoded segments.
 * Query strings must already be cut off.  Returns URI_OK or a negative URI_*. */
int uri_parse_path(vpool *pool, const char *raw, uri_path *out);

/* The path a Destination header names (RFC 4918 §10.3: an absolute URI or
 * a path-absolute, with an optional query): URI_OK with *path, still
 * encoded, query and fragment cut off (pool memory); URI_OTHER_HOST for an
 * absolute URI whose scheme is not http or https or whose authority is not
 * host (when host is not NULL: the request's Host); URI_BAD_CHAR for
 * anything else (empty, relative, "//" network-path). */
int uri_destination(vpool *pool, const char *dest, const char *host, const char **path);

/* Decodes one segment into a pool string (at most URI_MAX_SEGMENT bytes).
 * Returns URI_OK or a negative URI_*. */
int uri_decode_segment(vpool *pool, const char *s, size_t n, char **out);

/* Appends s percent-encoded for use as one path segment (everything except
 * RFC 3986 unreserved characters and a few safe sub-delims is encoded). */
void uri_encode_segment(vbuf *b, const char *s);
/* Same, into a pool string. */
char *uri_encode_segment_pool(vpool *pool, const char *s);

/* Nonzero if s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int utf8_valid(const char *s, size_t n);

#endif

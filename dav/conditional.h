/* Conditional requests (RFC 9110 §13) and the WebDAV If header and lock
 * checks (RFC 4918 §10.4, §7). */
#ifndef VEIL_CONDITIONAL_H
#define VEIL_CONDITIONAL_H

#include "dav/dav.h"

/* Evaluates If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since
 * in the order of RFC 9110 §13.2.2 for res (which may be unmapped).  Returns
 * 0 to go on, 304 (GET/HEAD only) or 412. */
int dav_conditional(dav_req *r, const dav_resource *res);

/* Range (RFC 9110 §14.2) and If-Range (§13.1.5) of a GET or HEAD of res,
 * whose selected representation is len bytes and has res's validators.
 * Returns 200 (send it whole: no Range, one that is ignored, several ranges,
 * an If-Range that does not match), 206 with *out set and Content-Range
 * added, or 416 with Content-Range: bytes * /len added. */
struct http_range;
int dav_range(dav_req *r, const dav_resource *res, uint64_t len, struct http_range *out);

/* Adds ETag and Last-Modified headers for a stored resource. */
void dav_validator_headers(dav_req *r, const dav_resource *res);

/* Quoted ETag of a resource (pool string) or NULL when it has none. */
const char *dav_res_etag(dav_req *r, const dav_resource *res);

/* Evaluates the If header, if any, for a request whose Request-URI is res:
 * 0 when absent or true, 412 when false, 400 when malformed. */
int dav_if_check(dav_req *r, const dav_resource *res);

/* What a change does to the URL space at path, for lock checks. */
typedef enum {
    DAV_CHANGE_CONTENT = 1,  /* modifies the resource at path (PUT over, PROPPATCH) */
    DAV_CHANGE_BIND = 2,     /* adds path to its parent collection (create) */
    DAV_CHANGE_UNBIND = 3    /* removes path and everything below it (DELETE, MOVE source) */
} dav_change;

/* 0 when every lock protecting path against that change had its token
 * submitted in the If header by its owner; else 423 with the
 * DAV:lock-token-submitted precondition naming the lock roots. */
int dav_lock_check(dav_req *r, const char *path, dav_change change);

/* Nonzero if token was submitted in the If header (as a positive condition). */
int dav_token_submitted(dav_req *r, const char *token);

/* Href of a decoded canonical path, with a trailing '/' when it names a
 * collection (pool string). */
const char *dav_href_for_path(dav_req *r, const char *path);

/* Parent path of a decoded canonical path (pool string); "/" for top level. */
const char *dav_parent_path(dav_req *r, const char *path);

#endif

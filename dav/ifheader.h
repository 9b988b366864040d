/* The WebDAV If header (RFC 4918 §10.4): parsing into lists of conditions.
 * Evaluation against resources and locks lives in dav/lockcheck.c. */
#ifndef VEIL_IFHEADER_H
#define VEIL_IFHEADER_H

#include "common/pool.h"

typedef struct dav_if_cond {
    int negate;         /* "Not" */
    int is_etag;        /* "[etag]" rather than "<state-token>" */
    const char *value;  /* the state token URI, or the entity-tag with its quotes (and W/) */
    struct dav_if_cond *next;
} dav_if_cond;

typedef struct dav_if_list {
    const char *tag;    /* Resource-Tag (as written, without <>), NULL for a No-tag-list */
    dav_if_cond *conds;
    struct dav_if_list *next;
} dav_if_list;

/* Parses an If header value.  Returns 0 and the lists in document order
 * (pool memory), or -1 when the header is malformed (400).  Mixing tagged
 * and untagged lists is malformed. */
int dav_if_parse(vpool *pool, const char *header, dav_if_list **out);

#endif

/* Storing a member into a collection: what PUT, COPY and MOVE share.  Typed
 * collections (calendars, address books) validate the data and extract what
 * their reports index; plain collections take any bytes. */
#ifndef VEIL_MEMBER_H
#define VEIL_MEMBER_H

#include "dav/dav.h"

typedef struct dav_member {
    store_content c;     /* what to store */
    int changed;         /* the stored bytes differ from the request's (RFC 4791 §5.3.4:
                          * then no ETag in the PUT response) */
    store_span *spans;   /* calendar objects: instance spans for the time-range index */
    int nspans;
    int indexed;         /* spans are meaningful (write them) */
} dav_member;

/* Checks `body` as a member named `name` of collection coll (href coll_href),
 * replacing `existing` (NULL when new).  Returns 0 with m filled, or an HTTP
 * status with the precondition recorded on r. */
int dav_member_prepare(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *existing, const char *body, size_t len,
                       const char *content_type, dav_member *m);

/* Inside the write transaction, after the node row exists: writes the
 * member's index entries. */
int dav_member_index(dav_req *r, int64_t node, int64_t coll, const dav_member *m);

/* Checks a member being copied or moved into coll (the same rules as PUT,
 * on its stored bytes).  0, or an HTTP status with the precondition set. */
int dav_member_accepts(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *src, const store_node *existing, dav_member *m);

/* CalDAV's part (dav/caldav_member.c). */
int caldav_prepare_member(dav_req *r, const store_node *coll, const char *coll_href,
                          const store_node *existing, const char *body, size_t len,
                          const char *content_type, dav_member *m);

#endif

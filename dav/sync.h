/* Sync tokens (RFC 6578) and CalendarServer's getctag, both from one
 * revision counter per collection. */
#ifndef VEIL_SYNC_H
#define VEIL_SYNC_H

#include "dav/dav.h"

/* Eight hex digits naming coll in its tokens (from its resource id). */
void dav_sync_tag(const store_node *coll, char out[9]);
/* "urn:x-veil:sync:<collection>-<revision>" (pool string) */
const char *dav_sync_token(dav_req *r, const store_node *coll, int64_t revision);
/* Parses a token for coll: 0 with the revision, -1 when it is not one of
 * this collection's tokens exactly as dav_sync_token writes them (no sign,
 * blank or leading zero in the revision, which fits an int64_t). */
int dav_sync_token_parse(const store_node *coll, const char *token, int64_t *revision);
/* Reads the head dav_sync_token writes at the start of token: 0 with the
 * revision and *used the characters it took (a home's token goes on, see
 * dav/report_sync_home.c), -1 when it is not coll's. */
int dav_sync_token_head(const store_node *coll, const char *token, int64_t *revision, int *used);

/* A home's token lists its children (dav/report_sync_home.c):
 * "<head>;<tag>-<rev>[.<brev>],..." with each child's tag, its collection's
 * revision (a binding: the shared collection's) and a binding's own
 * revision when it has one (brev > 0). */
typedef struct dav_sync_child {
    char tag[9];
    int64_t rev;
    int64_t brev; /* a binding's own revision, else 0 */
} dav_sync_child;
/* The token of home at home_rev with children c[0, n) (those with an empty
 * tag left out): a pool string, NULL when out of memory. */
const char *dav_home_token_format(vpool *pool, const store_node *home, int64_t home_rev,
                                  const dav_sync_child *c, int n);
/* Reads a home token: 0 with the home's revision and its children (pool
 * memory; none for a token from before homes listed them), -1 when it is
 * not one of home's tokens exactly as dav_home_token_format writes them. */
int dav_home_token_parse(vpool *pool, const store_node *home, const char *token,
                         int64_t *home_rev, dav_sync_child **out, int *n);
/* Ends a sync-collection multistatus in out: the 507 of a truncated answer
 * (RFC 6578 §3.6), the new token. */
void dav_sync_end(vbuf *out, const char *coll_href, int truncated, const char *token);

/* What a sync-collection REPORT asks (dav/report_sync.c reads it). */
typedef struct dav_sync_req {
    const char *token; /* "" for an initial sync */
    int infinite;      /* sync-level infinite */
    int limit;         /* DAV:limit/DAV:nresults, 0 = none */
} dav_sync_req;

/* Calendar and address book homes sync their children (and, at level
 * infinite, the children's members): dav/report_sync_home.c. */
int dav_sync_is_home(const store_node *n);
int dav_report_sync_home(dav_req *r, dav_resource *home, const xmlNode *root,
                         const dav_sync_req *q);
/* A home's current token (its DAV:sync-token property); NULL on error. */
const char *dav_home_sync_token(dav_req *r, const dav_resource *home);

#endif

/* Sync tokens (RFC 6578) and CalendarServer's getctag, both from one
 * revision counter per collection. */
#ifndef VEIL_SYNC_H
#define VEIL_SYNC_H

#include "dav/dav.h"

/* "urn:x-veil:sync:<collection>-<revision>" (pool string) */
const char *dav_sync_token(dav_req *r, const store_node *coll, int64_t revision);
/* Parses a token for coll: 0 with the revision, -1 when it is not one of
 * this collection's tokens. */
int dav_sync_token_parse(const store_node *coll, const char *token, int64_t *revision);



#endif

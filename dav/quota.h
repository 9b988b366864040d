/* Storage quota (RFC 4331) in the DAV engine.  The store counts what every
 * principal's data takes (storage/store.h); here are the two live properties
 * (dav_props_quota), and the guard around what the server writes for one
 * user into another's space.  The router refuses a change that grew its
 * writer's or anyone's usage past their quota, after every write of the
 * change and before it commits (dav/router.c). */
#ifndef VEIL_DAV_QUOTA_H
#define VEIL_DAV_QUOTA_H

#include "dav/ctx.h"

/* What the server stores for someone on another's behalf - a scheduling
 * delivery, a sharing notification - is all or nothing per recipient: when
 * it would take the recipient past their quota, it is undone and the caller
 * carries on without it.  No one can fill another's storage (an organizer
 * rewriting one event sends each attendee a new inbox item every time), and
 * the sender's own change never fails for the recipient's lack of space. */
typedef struct dav_quota_guard {
    int64_t principal; /* the recipient */
    int64_t before;    /* their usage when the unit began */
    dav_after *after;  /* the after-commit queue then: what the unit queues goes with it */
} dav_quota_guard;

/* Begins the unit (a savepoint of the caller's write transaction).  STORE_*;
 * on an error nothing was begun. */
int dav_quota_guard_begin(dav_ctx *c, int64_t principal, dav_quota_guard *g);
/* Ends it after the writes, whose outcome is rc: kept, or undone when rc is
 * an error (returned as it is) or when the recipient's usage grew past their
 * quota (*refused set, STORE_OK). */
int dav_quota_guard_end(dav_ctx *c, const dav_quota_guard *g, int rc, int *refused);

#endif

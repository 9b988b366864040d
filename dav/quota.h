/* Storage quota (RFC 4331) in the DAV engine.  The store counts what every
 * principal's data takes, in the transaction of every write, whoever writes
 * (storage/store.h: triggers).  Here: the two live properties
 * (dav_props_quota); the guard that makes a unit of writes all or nothing
 * against one principal's quota - every member write (PUT, import: 507 with
 * its refusal, dav/member.c) and what the server stores for one user in
 * another's space; and the check every write transaction passes before it
 * commits (the router, `veildav import`), which catches what no member
 * write carries: PROPPATCH, COPY, MOVE, MKCOL with properties. */
#ifndef VEIL_DAV_QUOTA_H
#define VEIL_DAV_QUOTA_H

#include "dav/ctx.h"
#include "dav/member.h"

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

/* The refusal of a change past a quota (RFC 4331 §6): 507 with
 * DAV:quota-not-exceeded.  It does not say whose quota: a sharee writing
 * into a shared collection learns only that it is full.  Returns 507. */
int dav_quota_refuse(dav_refusal *why);

/* Before a write transaction commits, whoever runs it: 0, 507 with *why
 * filled when the transaction grew someone's usage past their quota, or a
 * 5xx (*why filled) when that could not be told (fail closed). */
int dav_quota_commit_check(dav_ctx *c, dav_refusal *why);

#endif

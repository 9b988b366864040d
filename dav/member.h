/* One lifecycle for every member change (PUT, DELETE, COPY and MOVE at both
 * ends, collection deletes): a table of steps per kind of collection, so
 * what a change takes with it - validation, no-uid-conflict, the time-range
 * index, shares, locks, the provisioning cache, and later scheduling - is
 * wired once, here, and no handler can forget a step.
 *
 *   prepare   outside the write transaction: the body parsed, checked and
 *             indexed for the collection it goes into (the expensive part,
 *             which needs no lock)
 *   check     inside: what needs the store (no-uid-conflict), with the old
 *             member and the new one
 *   stored    inside, after the node row is written: its index rows
 *   removal   inside: what goes with a node (its shares revoked, its locks),
 *             and after the commit what must forget it (provisioning)
 *
 * A request's changes go through the dav_req functions, which record a
 * refusal on the request; the operator's import (`veildav import`) goes
 * through the same steps with an engine context (the _in functions), which
 * return the refusal instead. */
#ifndef VEIL_MEMBER_H
#define VEIL_MEMBER_H

#include "dav/dav.h"
#include "ical/ical.h"

typedef struct dav_member {
    store_content c;     /* what to store */
    int changed;         /* the stored bytes differ from the request's (RFC 4791 §5.3.4:
                          * then no ETag in the PUT response) */
    unsigned fixes;      /* the ingest policy's repairs (ICAL_FIX_* or VCARD_FIX_*, by the
                          * collection's kind) */
    store_span *spans;   /* calendar objects: instance spans for the time-range index */
    int nspans;
    int indexed;         /* spans are meaningful (write them) */
    const char *sched_tag; /* a scheduling object's schedule tag to store (dav/sched/) */
    int unscheduled;     /* an import: the owner's data restored, not a change to tell anyone
                          * about - the scheduling step does not run (no iTIP message) */
    /* the collection it was prepared for, as it was then */
    int64_t coll_id;
    int coll_kind;
    unsigned coll_mask;
    const char *coll_tz;
} dav_member;

/* Why a member was refused, for callers without a request: the status a PUT
 * would answer and its precondition (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1). */
typedef struct dav_refusal {
    int status;            /* 403, 409, 412, 5xx */
    const char *ns, *name; /* the precondition element, or NULL */
    const char *inner;     /* XML inside it (no-uid-conflict: the holder's href), or NULL */
    const char *text;      /* why, in words (the validator's detail), or NULL */
} dav_refusal;

/* Records a refusal on r as a handler would; returns its status. */
int dav_refuse(dav_req *r, const dav_refusal *why);

/* Prepares body as a member of coll (outside or inside the transaction).
 * 0 with m filled, or an HTTP status with the precondition recorded on r. */
int dav_member_prepare(dav_req *r, const store_node *coll, const char *body, size_t len,
                       const char *content_type, dav_member *m);
/* ...with an engine context: 0, or the status with *why filled. */
int dav_member_prepare_in(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                          const char *content_type, dav_member *m, dav_refusal *why);

/* Was m prepared for coll as it is now?  (Else prepare again, in the
 * transaction.) */
int dav_member_fits(const dav_member *m, const store_node *coll);

/* Inside the write transaction: stores m as member `name` of coll (href
 * coll_href), replacing old (NULL: new) only if old is still at the revision
 * the caller read.  Checks no-uid-conflict, writes the row, then its index
 * rows.  0 with *made the stored node, or an HTTP status (409
 * no-uid-conflict, 412 when old changed meanwhile, 5xx). */
int dav_member_write(dav_req *r, const store_node *coll, const char *coll_href, const char *name,
                     const store_node *old, dav_member *m, store_node *made);
/* ...with an engine context, for a member marked unscheduled (the scheduling
 * step needs a request): the same checks and rows.  0, or the status with
 * *why filled. */
int dav_member_write_in(dav_ctx *c, const store_node *coll, const char *coll_href,
                        const char *name, const store_node *old, dav_member *m, store_node *made,
                        dav_refusal *why);

/* 409 for a member the store refused as taken (STORE_EXISTS): its UID is
 * held in coll (no-uid-conflict naming the holder), or its name. */
int dav_member_taken(dav_req *r, const store_node *coll, const char *coll_href, const char *uid);

/* COPY and MOVE: may src's stored bytes become a member of coll (the same
 * rules as PUT, and no-uid-conflict against what stays there)?  0 with m
 * filled, or an HTTP status with the precondition set. */
int dav_member_accepts(dav_req *r, const store_node *coll, const char *coll_href,
                       const store_node *src, const store_node *overwritten, dav_member *m);
/* ...and once the node row has arrived in coll (copied or moved): its index
 * rows and, for a plain file becoming a typed member, its UID and kind; the
 * repaired bytes when the ingest policy repaired it (m->changed). */
int dav_member_arrived(dav_req *r, const store_node *arrived, const store_node *coll,
                       const dav_member *m);

/* Inside the write transaction: removes what res names (DELETE, an
 * overwritten COPY/MOVE destination).  A sharee's view goes alone and its
 * share is declined (the owner told); a node goes with everything below it,
 * its shares revoked (sharees told), its locks, and a default collection is
 * re-provisioned on its owner's next request once the change commits.
 * STORE_OK or a store error. */
int dav_member_remove(dav_req *r, const dav_resource *res);

/* MOVE: a node leaves its collection (and maybe its owner): shares below it
 * are revoked when it changes hands, locks stay behind (RFC 4918 §9.9.4),
 * the default collection it was is provisioned again.  STORE_*. */
int dav_member_leaving(dav_req *r, const dav_resource *src, int64_t new_owner);

/* CalDAV's prepare step (dav/caldav_member.c): 0, or the status with *why. */
int caldav_prepare_member(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                          const char *content_type, dav_member *m, dav_refusal *why);
/* CardDAV's (dav/carddav_member.c). */
int carddav_prepare_member(dav_ctx *c, const store_node *coll, const char *body, size_t len,
                           const char *content_type, dav_member *m, dav_refusal *why);
/* ...its indexing part: the instance spans of a parsed object, its floating
 * times in floating_tz (the collection's zone; NULL: UTC). */
ical_status caldav_index_object(vpool *pool, const icaltimezone *floating_tz, ical_object *obj,
                                dav_member *m);

/* A calendar object the server itself writes (a scheduling delivery) into
 * coll, inside the caller's transaction: indexed as any member, replacing
 * old (NULL: a new member named `name`) only at the revision read; no
 * scheduling of its own.  STORE_* (STORE_ERROR also for text that does not
 * parse). */
int dav_member_put_server(dav_ctx *c, const store_node *coll, const char *name,
                          const store_node *old, const char *text, size_t len, store_node *made);

#endif

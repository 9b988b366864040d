/* Implicit scheduling (RFC 6638) between the users of this server: a step of
 * a calendar object's lifecycle (dav/member.h), run inside the write
 * transaction of the change that causes it, so an invitation, a reply or a
 * cancellation is stored exactly when the change is and never without it.
 *
 *   sched/implicit.c  what a change of the organizer's or an attendee's copy
 *                     means (RFC 6638 §3.2), through ical/itip.h
 *   sched/deliver.c   delivering iTIP messages to local users: their copies
 *                     in their calendars, an item in their inbox
 *   sched/cua.c       calendar user addresses: who an address names
 *
 * Deliveries take an engine context (dav/ctx.h): the HTTP request's, later
 * `veildav deliver`'s for mail from outside (iMIP). */
#ifndef VEIL_DAV_SCHED_H
#define VEIL_DAV_SCHED_H

#include "dav/dav.h"
#include "dav/member.h"
#include "ical/itip.h"

/* ---- calendar user addresses (dav/sched/cua.c) ------------------------------- */

/* The local principal a calendar user address names: "urn:uuid:" of a
 * principal; "mailto:" any address of an active account, in any of its
 * domains, exposed or not (an invitation to any alias reaches its user;
 * only exposed ones are ever shown); a principal URL (absolute or a path).
 * STORE_OK, STORE_NOTFOUND (no local user), or a store error. */
int dav_sched_principal(dav_ctx *c, const char *cua, store_principal *out);

/* The iTIP engine's knowledge of who is who (ical/itip.h): every address of
 * one local user - aliases, urn:uuid, principal URL - is one calendar user.
 * Lives in c's pool.  0, or -1 out of memory. */
int dav_sched_keys(dav_ctx *c, ical_cua_keys *out);

/* ---- the mail service's blocking rules (dav/sched/policy.c) -------------------- */

/* Does the recipient `to` (addressed as to_cua) refuse a delivery from
 * `from` (written as from_cua; NULL when unknown)?  Their catch-all rules
 * on the address used, their block list on every address of the sender.
 * 1 blocked, 0 not, -1 on an error (refuse: fail closed).  A blocked
 * delivery must answer as an unknown address and leave nothing behind. */
int dav_sched_blocked(dav_ctx *c, const store_principal *from, const char *from_cua,
                      const store_principal *to, const char *to_cua);

/* ---- sending (dav/sched/send.c) ----------------------------------------------- */

/* Sends iTIP msg from `from` (who wrote themself as from_cua; may be NULL
 * when not known) to calendar user cua: delivered when it names a local
 * user whose rules let it in, queued as mail (iMIP) when it is an address
 * outside the mail system's domains.  *status is the SCHEDULE-STATUS to
 * record (RFC 6638 §3.2.9); a blocked delivery gets exactly what an unknown
 * address of the domains gets ("3.7").  *by_mail (may be NULL) says the
 * message went (or was to go) by mail.  STORE_*. */
int dav_sched_send(dav_ctx *c, const store_principal *from, const char *from_cua, const char *cua,
                   const char *msg, size_t len, const char **status, int *by_mail);

/* ---- delivery (dav/sched/deliver.c) --------------------------------------------- */

/* Delivers iTIP message msg (METHOD REQUEST, CANCEL or REPLY) to the local
 * principal `to`, inside the caller's write transaction.  REQUEST and CANCEL
 * update the recipient's copy (created in their default calendar for the
 * component, changed, or removed); a REPLY updates the organizer's copy and
 * tells the other attendees.  Unless quiet, the message is also left in the
 * recipient's scheduling inbox.  *status is the SCHEDULE-STATUS to record
 * (RFC 6638 §3.2.9: "1.2" delivered).  STORE_*. */
int dav_sched_deliver(dav_ctx *c, const store_principal *to, const char *msg, size_t len,
                      int quiet, const char **status);

/* Leaves msg in the scheduling inbox of the calendar home `home` (RFC 6638
 * §2.2), inside the caller's write transaction.  STORE_* (a home without an
 * inbox is fine: provisioning makes one). */
int dav_sched_inbox_item(dav_ctx *c, const store_node *home, const char *msg, size_t len);

/* ---- the lifecycle step (dav/sched/implicit.c) -------------------------------- */

/* Inside the write transaction, before the calendar object m is stored in
 * coll over old (NULL: new): the organizer's change delivered to its
 * attendees (their answers and delivery statuses recorded in what is
 * stored), or the attendee's change answered to the organizer.  May replace
 * m's body (then m->changed) and sets m->sched_tag.  0, or an HTTP status
 * with the precondition on r (403 unique-scheduling-object-resource). */
int dav_sched_on_write(dav_req *r, const store_node *coll, const store_node *old, dav_member *m);

/* Inside the write transaction, before the calendar object res is removed
 * (DELETE, overwritten): an organizer's removal cancels, an attendee's
 * declines - unless the client asked for no reply (Schedule-Reply: F,
 * RFC 6638 §8.1).  STORE_*. */
int dav_sched_on_remove(dav_req *r, const dav_resource *res);

/* ---- the outbox (dav/sched/outbox.c) ---------------------------------------- */

/* POST of a free-busy request to an outbox (RFC 6638 §5): a
 * CALDAV:schedule-response with each recipient's busy time, for those who
 * let the organizer see it. */
int dav_sched_post_outbox(dav_req *r, dav_resource *res);

/* A new schedule tag (RFC 6638 §3.2.10), or NULL out of memory. */
const char *dav_sched_new_tag(dav_ctx *c);

#endif

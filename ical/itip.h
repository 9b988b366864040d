/* iTIP (RFC 5546) as implicit scheduling (RFC 6638) uses it: what an
 * organizer's or an attendee's change means for each calendar user, the
 * messages that carry it, and how a recipient's copy takes one.  Pure: text
 * in, text out, nothing but libical; whoever stores and delivers is in
 * dav/sched/.
 *
 * Calendar user addresses are compared as RFC 6638 §3.2 / RFC 5545 §3.3.3
 * allow: "mailto:" case-insensitively in scheme and address, anything else
 * (urn:uuid:, http:) case-insensitively in scheme and exactly after it. */
#ifndef VEIL_ICAL_ITIP_H
#define VEIL_ICAL_ITIP_H

#include <stddef.h>

#include "ical/ical.h"

/* RFC 6638 §7.1 SCHEDULE-AGENT */
enum { ICAL_AGENT_SERVER = 0, ICAL_AGENT_CLIENT, ICAL_AGENT_NONE };

typedef struct ical_party {
    const char *cua;      /* the ORGANIZER or ATTENDEE value as written */
    int agent;            /* ICAL_AGENT_* (of its first occurrence) */
    int force_send;       /* SCHEDULE-FORCE-SEND: 1 REQUEST, 2 REPLY (RFC 6638 §7.2) */
    const char *cutype;   /* CUTYPE, NULL when absent (INDIVIDUAL) */
    const char *cn;       /* CN, or NULL */
    const char *status;   /* SCHEDULE-STATUS, or NULL */
} ical_party;

/* The scheduling view of one calendar object. */
typedef struct ical_sched {
    const char *uid;
    unsigned kind;             /* ICAL_KIND_* of its main components */
    ical_party organizer;      /* cua NULL: not a scheduling object */
    ical_party *attendees;     /* every attendee of any component, once each */
    int nattendees;
    int nmain;                 /* main components (master and overrides) */
    int sequence;              /* the highest SEQUENCE of its components */
} ical_sched;

/* How a caller tells calendar users apart beyond how their address is
 * written: key(arg, cua) gives the same string for every address of one
 * user (a local user's aliases, urn:uuid and principal URL), or NULL when
 * it knows none (then addresses compare as written).  Every function below
 * that takes one uses it to match attendees, so a user written two ways is
 * still one user.  NULL: ical_cua_equal. */
typedef struct ical_cua_keys {
    const char *(*key)(void *arg, const char *cua);
    void *arg;
} ical_cua_keys;

/* Reads the organizer and attendees of a stored object.  ICAL_ERR_DATA when
 * the text is not one calendar object, ICAL_ERR_OBJECT when its components
 * disagree on ORGANIZER (RFC 6638 §3.1: one organizer per object). */
ical_status ical_sched_read(vpool *pool, const char *text, size_t len, const ical_cua_keys *k,
                            ical_sched *out);

/* Do a and b name one calendar user (by keys when given)? */
int ical_cua_same(const ical_cua_keys *keys, const char *a, const char *b);
/* Are a and b the same calendar user address? */
int ical_cua_equal(const char *a, const char *b);
/* The address part of a "mailto:" CUA (pool copy), or NULL for others. */
const char *ical_cua_mailbox(vpool *pool, const char *cua);

/* ---- the organizer's side (RFC 6638 §3.2.1) ------------------------------- */

enum { ICAL_SEND_NONE = 0, ICAL_SEND_REQUEST, ICAL_SEND_CANCEL };

typedef struct ical_send {
    const char *cua;      /* the attendee, as written in the object */
    int what;             /* ICAL_SEND_* */
    /* ICAL_SEND_CANCEL of some instances only: their RECURRENCE-IDs (the
     * values as written), else the whole object is cancelled */
    const char **rids;
    int nrids;
    /* after a CANCEL of some instances: a REQUEST with the rest of the
     * series too, which changed for them (an EXDATE is part of the series) */
    int then_request;
    /* a CANCEL of the whole object because the organizer marked it
     * STATUS:CANCELLED (it is still there: the message comes from it) */
    int status_cancel;
    /* a REQUEST of some instances only (their keys, "TZID|RECURRENCE-ID"):
     * the series itself did not change for them; NULL: everything they
     * attend */
    const char **only;
    int nonly;
} ical_send;

typedef struct ical_org_plan {
    ical_send *sends;          /* one per attendee of the old or the new object */
    int nsends;
    const char *text;          /* what to store: PARTSTATs kept or reset, see below */
    size_t len;
    int changed;               /* text differs from the new text given */
} ical_org_plan;

/* The organizer changes old (NULL: new object; the new text NULL: deleted)
 * into new.  For every attendee but the organizer: a REQUEST when they are
 * new or what they attend changed (or SCHEDULE-FORCE-SEND=REQUEST), a
 * CANCEL for what they no longer attend, nothing otherwise; attendees whose
 * SCHEDULE-AGENT is CLIENT or NONE get nothing (RFC 6638 §7.1).  In the text
 * to store, each attendee keeps the PARTSTAT the server knows (their answer
 * is theirs, and a new attendee has given none) unless the component was
 * rescheduled - instances moved or added (RFC 6638 §3.2.8) - which resets it
 * to NEEDS-ACTION; the organizer may also ask again by writing NEEDS-ACTION,
 * except in a merge (ICAL_ORG_MERGE); the SCHEDULE-STATUS the server
 * recorded stays where the client left it out. */
ical_status ical_sched_organizer(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                 size_t newlen, const char *organizer, const ical_cua_keys *k,
                                 unsigned flags, ical_org_plan *out);
/* flags: the client wrote with If-Schedule-Tag-Match (RFC 6638 §3.2.10.1), so
 * its ATTENDEE values may be stale and the server's are merged in */
enum { ICAL_ORG_MERGE = 1 };

/* The iTIP message for one attendee: METHOD:REQUEST with the components
 * they attend, or METHOD:CANCEL (of rids, or of everything) at the revision
 * `sequence` (-1: the text's own), with the time zones used, without alarms
 * and without the SCHEDULE-* parameters (RFC 6638 §3.2: the server strips
 * them). */
ical_status ical_itip_request(vpool *pool, const char *text, size_t len, const char *attendee,
                              const ical_cua_keys *k, const char **msg, size_t *msglen);
/* The same REQUEST with only the components whose keys (see ical_send.only)
 * are listed. */
ical_status ical_itip_request_some(vpool *pool, const char *text, size_t len,
                                   const char *attendee, const char *const *only, int nonly,
                                   const ical_cua_keys *k, const char **msg, size_t *msglen);
ical_status ical_itip_cancel(vpool *pool, const char *text, size_t len, const char *attendee,
                             const char *const *rids, int nrids, int sequence,
                             const ical_cua_keys *k, const char **msg, size_t *msglen);

/* Sets SCHEDULE-STATUS on every occurrence of attendee in a stored
 * organizer's copy (RFC 6638 §3.2.9).  *out is text when nothing changed. */
ical_status ical_sched_set_status(vpool *pool, const char *text, size_t len, const char *attendee,
                                  const char *status, const ical_cua_keys *k, const char **out,
                                  size_t *outlen);

/* ---- the attendee's side (RFC 6638 §3.2.2) -------------------------------- */

/* RFC 6638 §3.2.2.1 item 8: an attendee removes an overridden instance with
 * an EXDATE.  The overrides of old that new_ (with its series) leaves out
 * without excluding them go back into it, as old has them: a client that
 * merely dropped one does not decline or lose it.  *out is new_ when none
 * was left out. */
ical_status ical_keep_dropped_instances(vpool *pool, const char *old, size_t oldlen,
                                        const char *new_, size_t newlen, const char **out,
                                        size_t *outlen);

/* The attendee `me` changes old into new (new NULL: deleted, which declines
 * everything).  *reply gets the METHOD:REPLY to send (NULL when their
 * participation did not change): a component for each instance whose
 * PARTSTAT changed, instances they removed (EXDATE, a deleted override)
 * declined - except instances the organizer cancelled or they had declined
 * already, which have nothing left to answer.  ICAL_ERR_OBJECT when they changed what only the organizer
 * may (CALDAV:allowed-attendee-scheduling-object-change). */
ical_status ical_sched_attendee(vpool *pool, const char *old, size_t oldlen, const char *new_,
                                size_t newlen, const char *me, const ical_cua_keys *k,
                                const char **reply, size_t *replylen);

/* ---- recipients ----------------------------------------------------------- */

/* The attendee `me` receives REQUEST msg: their new copy, from msg, keeping
 * of existing (NULL when new) their own alarms, TRANSP and the ORGANIZER's
 * SCHEDULE-STATUS where the component is still there, and the instances
 * they declined and took out (EXDATE) out while msg still has them
 * declined. */
ical_status ical_apply_request(vpool *pool, const char *existing, size_t existinglen,
                               const char *msg, size_t msglen, const char *me,
                               const ical_cua_keys *keys, const char **out, size_t *outlen);

/* Does REQUEST msg have `me` declined in every component they attend (and
 * attend one)?  The organizer's server knows they turned it down. */
int ical_declined_everything(vpool *pool, const char *msg, size_t len, const char *me,
                             const ical_cua_keys *keys);

/* The attendee receives CANCEL msg: *out is their copy with what it
 * cancels marked STATUS:CANCELLED (RFC 5546 §3.2.5) - every component, or
 * the instances named (an override made for one the master describes) -
 * at the message's SEQUENCE.  The copy stays for its owner to remove. */
ical_status ical_apply_cancel(vpool *pool, const char *existing, size_t existinglen,
                              const char *msg, size_t msglen, const char **out, size_t *outlen);

/* The organizer's copy takes REPLY msg from attendee: their PARTSTAT (and
 * the other parameters they may set) per instance, an override made for an
 * instance the master describes, SCHEDULE-STATUS 2.0.  *changed is 0 when
 * nothing changed (a repeated reply). */
ical_status ical_apply_reply(vpool *pool, const char *existing, size_t existinglen,
                             const char *msg, size_t msglen, const char *attendee,
                             const ical_cua_keys *k, const char **out, size_t *outlen,
                             int *changed);

/* ---- free-busy requests (RFC 6638 §5) ------------------------------------- */

typedef struct ical_fb_request {
    const char *uid;        /* of the VFREEBUSY, or NULL */
    const char *organizer;
    const char **attendees; /* the recipients */
    int nattendees;
    int64_t start, end;     /* UTC */
} ical_fb_request;

/* Reads what a POST to an outbox carries: METHOD:REQUEST with one
 * VFREEBUSY (ORGANIZER, ATTENDEEs, DTSTART, DTEND).  ICAL_ERR_DATA for
 * what is not iCalendar, ICAL_ERR_OBJECT (with *why) for what is not such a
 * message (CALDAV:valid-scheduling-message). */
ical_status ical_fb_request_read(vpool *pool, const char *text, size_t len, ical_fb_request *out,
                                 const char **why);
/* The METHOD:REPLY for one recipient: fb (ical_fb_finish's VCALENDAR) with
 * the request's UID and ORGANIZER and the recipient as ATTENDEE. */
ical_status ical_fb_reply(vpool *pool, const char *fb, size_t fblen, const ical_fb_request *req,
                          const char *attendee, const char **out, size_t *outlen);

/* The METHOD of an iTIP message, upper case, or NULL. */
const char *ical_itip_method(vpool *pool, const char *msg, size_t len);

#endif

/* iTIP messages that arrive from outside the server (iMIP, RFC 6047): what
 * must hold of one before anything of it is delivered.  Internal messages
 * are made from validated objects (ical/itip.h); these are anyone's text.
 * Pure: text in, verdict and text out. */
#ifndef VEIL_ICAL_ITIP_IN_H
#define VEIL_ICAL_ITIP_IN_H

#include "ical/ingest.h"
#include "ical/itip.h"

typedef struct ical_itip_in {
    const char *method; /* "REQUEST", "REPLY", ... as METHOD says, upper case */
    const char *text;   /* the message to deliver: framing repaired (BOM, line ends,
                         * folds), for a REQUEST also the ingest policy's repairs */
    size_t len;
    ical_sched s;    /* its UID, kind, ORGANIZER and ATTENDEEs */
    const char *why; /* on error: a short reason (static), never data */
} ical_itip_in;

/* Checks msg, an iTIP message for a local calendar user:
 *  - iCalendar at all: UTF-8, one VCALENDAR, well-formed content lines,
 *    within ical_limits (ICAL_ERR_DATA); one METHOD (RFC 5546 §1.4);
 *  - one UID over its VEVENTs or VTODOs, components of one kind
 *    (ICAL_ERR_OBJECT; other components: ICAL_ERR_COMPONENT);
 *  - per method (RFC 5546 §3.2): REQUEST has ORGANIZER and an ATTENDEE, and
 *    what it would make of the recipient's copy passes the ingest policy
 *    with opts (the bounds of a PUT); CANCEL has ORGANIZER; REPLY names one
 *    attendee, the one who answers (ORGANIZER may be missing: Outlook).
 *    CANCEL and REPLY carry nothing libical could not read: a RECURRENCE-ID
 *    it dropped would turn the cancellation of one instance into the
 *    cancellation of all;
 *  - a method other than those three: ICAL_ERR_COMPONENT with the method
 *    in out->method (the caller decides).
 * ICAL_ERR_SIZE past opts->max_bytes, ICAL_ERR_NOMEM. */
ical_status ical_itip_in_check(vpool *pool, const char *msg, size_t len,
                               const ical_ingest_opts *opts, ical_itip_in *out);

/* msg with ORGANIZER:organizer in each main component that has none: a
 * REPLY from Outlook, completed from the organizer's copy. */
ical_status ical_itip_set_organizer(vpool *pool, const char *msg, size_t len, const char *organizer,
                                    const char **out, size_t *outlen);

#endif

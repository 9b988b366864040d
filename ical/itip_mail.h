/* What mail delivery of iTIP (iMIP, RFC 6047) needs from the iCalendar
 * side: a summary people can read in the message's text part, the outcome
 * of a send recorded on the sender's copy, and the notice an organizer gets
 * when an invitation never went out.  Pure: text in, text out. */
#ifndef VEIL_ICAL_ITIP_MAIL_H
#define VEIL_ICAL_ITIP_MAIL_H

#include <stddef.h>

#include "ical/itip.h"

typedef struct ical_itip_summary {
    const char *method;       /* METHOD, upper case */
    const char *uid;
    unsigned kind;            /* ICAL_KIND_* of the main component */
    const char *summary;      /* SUMMARY of the master (else the first) component, or NULL */
    const char *location;
    const char *start;        /* "2027-01-05 10:00 UTC", "2027-01-05 10:00 (Europe/Berlin)",
                               * "2027-01-05 10:00" (floating), "2027-01-05" (a date) */
    const char *end;          /* DTEND or DUE the same way, or NULL */
    int recurring;            /* the master has RRULE or RDATE */
    int ninstances;           /* overrides (RECURRENCE-ID components) the message carries */
    const char *organizer;    /* ORGANIZER as written, and its CN (or NULL) */
    const char *organizer_cn;
    const char *attendee;     /* REPLY: the one who answers, their CN and PARTSTAT */
    const char *attendee_cn;
    const char *partstat;
    const char *comment;      /* COMMENT (an answer's note), or NULL */
} ical_itip_summary;

/* Reads what a message says, for people.  ICAL_ERR_DATA when it is not one
 * iTIP message. */
ical_status ical_itip_summarize(vpool *pool, const char *msg, size_t len, ical_itip_summary *out);

/* Records the outcome of a send on a stored copy (RFC 6638 §3.2.9): the
 * SCHEDULE-STATUS of cua - an ATTENDEE, or with on_organizer the ORGANIZER
 * (an attendee's copy after their reply) - set to status wherever it is now
 * only_if (NULL: whatever it is).  *out is text when nothing changed. */
ical_status ical_sched_mark(vpool *pool, const char *text, size_t len, const char *cua,
                            int on_organizer, const char *status, const char *only_if,
                            const ical_cua_keys *k, const char **out, size_t *outlen);

/* The notice for an organizer's inbox when a message to attendee could not
 * be delivered: METHOD:REPLY "from" the attendee, their PARTSTAT as the
 * organizer's copy text has it (nothing changes), with REQUEST-STATUS:5.1
 * (RFC 5546 §3.6: delivery failed) and a COMMENT saying so. */
ical_status ical_itip_undelivered(vpool *pool, const char *text, size_t len, const char *attendee,
                                  const ical_cua_keys *k, const char **out, size_t *outlen);

#endif

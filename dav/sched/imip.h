/* Outgoing iMIP (RFC 6047): scheduling messages for calendar users outside
 * the server travel as mail.  A message is composed and queued in the DAV
 * store inside the transaction of the change that sends it; a sender (the
 * server's mail worker, server/mail_worker.c) hands it to the mail system
 * after the commit and records the outcome on the sender's copy through
 * dav_imip_outcome.  Nothing here talks to the network. */
#ifndef VEIL_DAV_SCHED_IMIP_H
#define VEIL_DAV_SCHED_IMIP_H

#include <stdint.h>

#include "dav/ctx.h"

/* ---- composition (dav/sched/imip_compose.c) --------------------------------- */

typedef struct dav_imip_parts {
    const char *from, *from_cn; /* the sender's own mailbox (never a login) and name */
    const char *to, *to_cn;     /* the recipient's */
    const char *itip;           /* the iTIP message (METHOD ..., CRLF lines) */
    size_t itip_len;
    int64_t now;                /* the Date header */
} dav_imip_parts;

/* The whole RFC 5322 message: multipart/alternative with a plain-text
 * summary and text/calendar; method=...; charset=utf-8 (RFC 6047 §2.4), a
 * Date and a Message-ID, nothing about the client or the server's host.
 * CRLF line ends.  *summary (may be NULL) gets what the iTIP says.  0, or
 * -1 (out of memory, an address that is no plain mailbox, or an iTIP it
 * cannot read). */
struct ical_itip_summary;
int dav_imip_compose(vpool *pool, const dav_imip_parts *in, const char **out, size_t *outlen,
                     struct ical_itip_summary *summary);

/* ---- queueing and outcomes (dav/sched/imip_out.c) --------------------------- */

/* Is outgoing mail on (cfg mail_transport not "off", and a transport
 * there when "auto")? */
int dav_imip_enabled(const veil_config *cfg);

/* Sends msg (from `from`, who wrote themself as from_cua) to the outside
 * address to_cua by mail: queued in the caller's write transaction, with
 * what finds the sender's copy again (msg's UID; a REPLY's outcome goes on
 * the ORGANIZER of the attendee's copy).  *status is the SCHEDULE-STATUS to record now (RFC 6638 §3.2.9): "1.0"
 * queued (pending), "5.3" when mail is off or the sender has no address to
 * send from, "5.1" when the queue is full, "3.7" for a recipient that is no
 * mail address.  STORE_* (store errors only). */
int dav_imip_send(dav_ctx *c, const store_principal *from, const char *from_cua,
                  const char *to_cua, const char *msg, size_t len, const char **status);

/* After a send attempt, inside the caller's write transaction: the
 * message left (delivered: its SCHEDULE-STATUS goes from 1.0 to 1.1, "sent")
 * or never will (given up: 5.1, and the organizer finds a notice in their
 * inbox).  The queue row is removed.  STORE_*. */
int dav_imip_outcome(dav_ctx *c, const store_mail *m, int delivered);

/* Who to wake once a queued message is committed (the server's mail
 * worker); NULL: nobody, the next poll finds it. */
void dav_imip_set_wake(void (*wake)(void));

#endif

/* The server's mail sender: one thread that hands queued iMIP messages to
 * the mail system (server/mailer.h) and records each outcome on the
 * sender's copy (dav_imip_outcome).  Woken when a change that queued mail
 * commits, and every mail_poll interval in case another process queued it
 * (`veildav deliver`, a second server on the same store). */
#ifndef VEIL_MAIL_WORKER_H
#define VEIL_MAIL_WORKER_H

#include "server/config.h"

typedef struct mail_worker mail_worker;

/* Starts the thread with its own store and account connections.  0, or
 * -1 with a reason in err. */
int mail_worker_start(const veil_config *cfg, mail_worker **out, char *err, size_t errlen);
/* Stops it: a send in progress finishes (at most mail_timeout_seconds);
 * messages claimed but not tried are released for the next start. */
void mail_worker_stop(mail_worker *w);

#endif

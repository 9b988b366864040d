/* Handing a message to the mail system: a sendmail-compatible program (the
 * default on a mail host) or SMTP submission through libcurl.  One attempt,
 * bounded by mail_timeout_seconds; the caller decides about retries. */
#ifndef VEIL_MAILER_H
#define VEIL_MAILER_H

#include <stddef.h>

#include "server/config.h"

typedef enum {
    MAILER_SENT = 0,  /* the mail system took it */
    MAILER_RETRY = 1, /* a passing failure: try again later */
    MAILER_FAILED = 2 /* refused for good (a 5xx, sendmail's EX_NOUSER ...) */
} mailer_result;

/* Once, before threads start (libcurl's global state). */
int mailer_global_init(void);
void mailer_global_cleanup(void);

/* Sends msg (RFC 5322, CRLF lines) from envelope sender to recipient.
 * why gets a short reason on failure: never an address or message text. */
mailer_result mailer_send(const veil_config *cfg, const char *sender, const char *recipient,
                          const char *msg, size_t len, char *why, size_t whylen);

#endif

/* The server's housekeeping thread: the account sweep (dav_account_sweep:
 * the data of accounts the mail system deleted from accounts.db), once at
 * start and then every account_sweep_seconds; and, each minute, the log
 * files' day (log_maintain: a new file, old ones deleted). */
#ifndef VEIL_HOUSEKEEPING_H
#define VEIL_HOUSEKEEPING_H

#include "server/config.h"

typedef struct srv_housekeeping srv_housekeeping;

/* Starts the thread (cfg must outlive it).  0, or -1 with a one-line reason
 * in err. */
int srv_housekeeping_start(const veil_config *cfg, srv_housekeeping **out, char *err,
                           size_t errlen);
/* Stops it after the work in hand and frees it; NULL is fine. */
void srv_housekeeping_stop(srv_housekeeping *h);

#endif

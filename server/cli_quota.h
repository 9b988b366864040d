/* Storage quotas for the operator (RFC 4331): `veildav user quota` and the
 * quota lines of `veildav user show` (server/cli_quota.c). */
#ifndef VEIL_CLI_QUOTA_H
#define VEIL_CLI_QUOTA_H

#include "server/config.h"
#include "storage/store.h"

/* Sets the quota of the principal of account account_id (created when it
 * has none yet) from size: "default" (quota_default_bytes of veildav.conf),
 * "unlimited", or bytes with an optional k, M, G or T.  Prints what was set
 * on standard error; returns the exit status (0, 1 failed, 2 usage). */
int cli_quota_set(const char *prog, const veil_config *cfg, store *st, vpool *pool,
                  int64_t account_id, const char *display_name, const char *size);
/* Prints "quota: ..." and "used: ..." lines for q on standard output. */
void cli_quota_print(const veil_config *cfg, const store_quota *q);

#endif

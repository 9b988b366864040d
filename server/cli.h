/* Account administration subcommands: `veildav user|alias|app-password ...`.
 * argv[0] is the subcommand name; `--data` has already been removed and cfg
 * loaded.  Each returns the process exit status: 0 done, 1 failed, 2 usage. */
#ifndef VEIL_CLI_H
#define VEIL_CLI_H

#include "server/config.h"

int cli_user(const veil_config *cfg, int argc, char **argv);
int cli_alias(const veil_config *cfg, int argc, char **argv);
int cli_app_password(const veil_config *cfg, int argc, char **argv);
/* `veildav policy`: a user's block list and catch-all rules (server/cli_policy.c). */
int cli_policy(const veil_config *cfg, int argc, char **argv);

/* Prints "PROG: message" as one line on standard error and returns code,
 * so a subcommand can `return cli_fail(...)` with its exit status. */
int cli_fail(const char *prog, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Opens the account database and the DAV store of cfg's data directory for a
 * subcommand.  0 with both open (the caller closes them), or 1 after one
 * line on standard error, with neither open. */
struct accounts;
struct store;
int cli_open_databases(const char *prog, const veil_config *cfg, struct accounts **db,
                       struct store **st);

/* --collection calendars/NAME | addressbooks/NAME: *root is STORE_ROOT_CALENDARS or
 * STORE_ROOT_ADDRESSBOOKS and *name the segment (a trailing '/' dropped; pool memory).
 * 0, or 2 after one line on standard error. */
struct vpool;
int cli_collection_spec(const char *prog, struct vpool *pool, const char *spec, int *root,
                        const char **name);

#endif

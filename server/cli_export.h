/* `veildav export` and `veildav import`: a user's calendars and address books as files,
 * for the operator (a backup, a move to or from another server).  Same contract as
 * server/cli.h: argv[0] is the command; exit status 0 done, 1 failed, 2 usage (import: 3
 * stored with some items refused, under --skip-refused). */
#ifndef VEIL_CLI_EXPORT_H
#define VEIL_CLI_EXPORT_H

#include "server/config.h"

int cli_export(const veil_config *cfg, int argc, char **argv);
int cli_import(const veil_config *cfg, int argc, char **argv);

#endif

/* `veildav share add|list|remove`: operator shares of calendars and address
 * books (accepted at once, bound into each sharee's home).  Same contract as
 * server/cli.h: argv[0] is "share"; exit status 0 done, 1 failed, 2 usage. */
#ifndef VEIL_CLI_SHARE_H
#define VEIL_CLI_SHARE_H

#include "server/config.h"

int cli_share(const veil_config *cfg, int argc, char **argv);

#endif

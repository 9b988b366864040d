/* `veildav group ...` and `veildav resource ...`: group, resource and location
 * principals.  Same contract as server/cli.h: argv[0] is the family name; exit
 * status 0 done, 1 failed, 2 usage. */
#ifndef VEIL_CLI_GROUP_H
#define VEIL_CLI_GROUP_H

#include "server/config.h"

int cli_group(const veil_config *cfg, int argc, char **argv);
int cli_resource(const veil_config *cfg, int argc, char **argv);
int cli_delegate(const veil_config *cfg, int argc, char **argv);

#endif

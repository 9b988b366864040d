/* `veildav store check|scrub`: what the operator needs to know about the DAV
 * store itself, and its scrub.  Same contract as server/cli.h: argv[0] is
 * "store"; exit status 0 done, 1 failed (for check: also when it found
 * something), 2 usage. */
#ifndef VEIL_CLI_STORE_H
#define VEIL_CLI_STORE_H

#include "server/config.h"

int cli_store(const veil_config *cfg, int argc, char **argv);

#endif

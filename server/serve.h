/* The `init` and `serve` subcommands. */
#ifndef VEIL_SERVE_H
#define VEIL_SERVE_H

#include "server/config.h"

int cli_init(const veil_config *cfg, int argc, char **argv);
int cli_serve(const veil_config *cfg, int argc, char **argv);

#endif

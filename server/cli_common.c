/* Helpers shared by the administration subcommands. */
#include "server/cli.h"

#include <stdarg.h>
#include <stdio.h>

int cli_fail(const char *prog, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

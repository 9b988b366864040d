/* Helpers shared by the administration subcommands. */
#include "server/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "storage/accounts.h"
#include "storage/store.h"

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

int cli_open_databases(const char *prog, const veil_config *cfg, accounts **db, store **st)
{
    char *path = config_path(cfg, "accounts.db");
    int rc = path ? accounts_open(path, db) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return cli_fail(prog, 1, "cannot open the account database (run veildav init)");
    path = config_path(cfg, "dav.db");
    rc = path ? store_open(path, 0, cfg->sync_full, st) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) {
        accounts_close(*db);
        *db = NULL;
        return cli_fail(prog, 1, "cannot open the DAV store (run veildav init)");
    }
    return 0;
}

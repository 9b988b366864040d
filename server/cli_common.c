/* Helpers shared by the administration subcommands. */
#include "server/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cli_collection_spec(const char *prog, vpool *pool, const char *spec, int *root,
                        const char **name)
{
    static const struct {
        const char *prefix;
        int root;
    } spaces[] = {{"calendars/", STORE_ROOT_CALENDARS}, {"addressbooks/", STORE_ROOT_ADDRESSBOOKS}};
    while (*spec == '/') spec++;
    *root = 0;
    *name = NULL;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (!strncmp(spec, spaces[i].prefix, strlen(spaces[i].prefix))) {
            *root = spaces[i].root;
            *name = spec + strlen(spaces[i].prefix);
        }
    size_t n = *name ? strlen(*name) : 0;
    if (n && (*name)[n - 1] == '/') *name = pool_strndup(pool, *name, --n);
    if (!*root || !n || !*name || strchr(*name, '/'))
        return cli_fail(prog, 2, "--collection takes calendars/NAME or addressbooks/NAME");
    return 0;
}

/* `veildav policy`: the mail service's blocking rules of one user, as the
 * mail system keeps them in the shared account database (schema version 2,
 * storage/ACCOUNTS.md).  Scheduling deliveries obey them (dav/sched/). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/pool.h"
#include "privacy/mailpolicy.h"
#include "server/cli.h"
#include "storage/accounts.h"

#define USAGE                                                                                  \
    "usage:\n"                                                                                 \
    "  veildav policy block ENTRY --user LOGIN        block a sender: user@domain, domain.tld,\n" \
    "                                                 tld (no dot), server:NAME or server:*.dom\n" \
    "  veildav policy unblock ENTRY --user LOGIN\n"                                             \
    "  veildav policy catchall mode on|off --user LOGIN\n"                                     \
    "                                                 on: whitelist (only listed addresses\n"   \
    "                                                 receive); off: blacklist (listed ones do\n" \
    "                                                 not)\n"                                   \
    "  veildav policy catchall add ENTRY --user LOGIN  alias, alias@domain, @domain (domain\n"  \
    "                                                 exception), !alias@domain (alias exception)\n" \
    "  veildav policy catchall remove ENTRY --user LOGIN\n"                                    \
    "  veildav policy list --user LOGIN\n"

static int usage(int code)
{
    fputs(USAGE, code ? stderr : stdout);
    return code;
}

/* The --user value among argv, removed; the rest shifted down. */
static const char *take_user(int *argc, char **argv)
{
    for (int i = 0; i < *argc; i++)
        if (!strcmp(argv[i], "--user") && i + 1 < *argc) {
            const char *u = argv[i + 1];
            memmove(argv + i, argv + i + 2, sizeof(char *) * (size_t)(*argc - i - 2));
            *argc -= 2;
            return u;
        }
    return NULL;
}

static int list(const char *prog, accounts *db, vpool *pool, int64_t id)
{
    account_policy p;
    if (accounts_policy(db, pool, id, &p) != STORE_OK)
        return cli_fail(prog, 1, "cannot read the rules");
    printf("catch-all mode: %s\n", p.catchall_whitelist ? "whitelist" : "blacklist");
    for (size_t i = 0; i < p.ncatchall; i++) printf("catch-all\t%s\n", p.catchall[i]);
    for (size_t i = 0; i < p.nblocked; i++) printf("block\t%s\n", p.blocked[i]);
    return 0;
}

int cli_policy(const veil_config *cfg, int argc, char **argv)
{
    const char *prog = "veildav policy";
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return usage(argc < 2 ? 2 : 0);
    const char *login = take_user(&argc, argv);
    if (!login) return cli_fail(prog, 2, "--user LOGIN is required (see --help)");
    /* the command and its arguments: block X | unblock X | catchall mode on|off |
     * catchall add X | catchall remove X | list */
    const char *cmd = argv[1];
    int catchall = !strcmp(cmd, "catchall");
    const char *verb = catchall ? (argc > 2 ? argv[2] : NULL) : cmd;
    const char *arg = catchall ? (argc > 3 ? argv[3] : NULL) : (argc > 2 ? argv[2] : NULL);
    int want = (!strcmp(cmd, "list") ? 2 : catchall ? 4 : 3);
    if (!verb || argc != want) return usage(2);

    char *path = config_path(cfg, "accounts.db");
    accounts *db = NULL;
    int rc = path ? accounts_open(path, &db) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return cli_fail(prog, 1, "cannot open the account database (run veildav init)");
    vpool *pool = pool_new();
    account a;
    int ret = 0;
    if (!pool) {
        ret = cli_fail(prog, 1, "out of memory");
    } else if ((rc = accounts_by_login(db, pool, login, &a)) != STORE_OK) {
        ret = cli_fail(prog, 1, rc == STORE_NOTFOUND ? "no such user '%s'" : "cannot read '%s'",
                       login);
    } else if (!strcmp(cmd, "list")) {
        ret = list(prog, db, pool, a.id);
    } else if (catchall && !strcmp(verb, "mode")) {
        if (strcmp(arg, "on") && strcmp(arg, "off")) ret = usage(2);
        else if (accounts_catchall_mode(db, a.id, !strcmp(arg, "on")) != STORE_OK)
            ret = cli_fail(prog, 1, "cannot change the catch-all mode");
    } else {
        int which = catchall ? ACCOUNTS_CATCHALL : ACCOUNTS_BLOCK_LIST;
        int add = !strcmp(verb, catchall ? "add" : "block");
        int del = !strcmp(verb, catchall ? "remove" : "unblock");
        if (!add && !del) ret = usage(2);
        else if (add && !mp_entry_valid(arg, which == ACCOUNTS_CATCHALL ? 2 : 1))
            ret = cli_fail(prog, 2, "'%s' is not a valid %s entry (see --help)", arg,
                           catchall ? "catch-all" : "block list");
        else if (add && accounts_policy_add(db, a.id, which, arg) != STORE_OK)
            ret = cli_fail(prog, 1, "cannot add '%s'", arg);
        else if (del && (rc = accounts_policy_remove(db, a.id, which, arg)) != STORE_OK)
            ret = cli_fail(prog, 1, rc == STORE_NOTFOUND ? "'%s' is not listed" : "cannot remove '%s'",
                           arg);
    }
    pool_free(pool);
    accounts_close(db);
    return ret;
}

/* `veildav store check|scrub`: the DAV store's own consistency, for the
 * operator, and the scrub a removal runs (dav/account.h).
 * It lists the members that share a UID with an older member of their
 * collection: stores written before schema version 5 could hold them (two
 * writers raced past the no-uid-conflict check), and the migration keeps
 * them rather than deleting anyone's data.  The operator (or the user, told
 * which ones) deletes one or changes its UID; it then stops being listed.
 * It also recounts what each principal stores against the quota counter the
 * store keeps (storage/store_quota.c).  Names and URLs go to standard output
 * only, never to the log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/uri.h"
#include "dav/account.h"
#include "dav/resource.h"
#include "server/cli.h"
#include "server/cli_store.h"
#include "storage/accounts.h"
#include "storage/store.h"

#define LIST_MAX 100000

static const char *principal_href(store *st, dav_ctx *r, int64_t id)
{
    store_principal p;
    return store_principal_by_id(st, r->pool, id, &p) == STORE_OK ? dav_principal_href(r, p.pid)
                                                                   : "(no principal)";
}

static void usage(FILE *f)
{
    fprintf(f, "usage: veildav store check [--recount]\n       veildav store scrub\n\n"
               "check: the DAV store: SQLite's integrity check, then the members that share a\n"
               "UID with an older member of the same collection (stored before veildav refused\n"
               "them; kept, and set aside from the uniqueness rule until one of the two is\n"
               "deleted or takes another UID).  Prints each as its owner's principal URL, the\n"
               "collection, the member and the member holding the UID, as in URLs.  Then each\n"
               "principal whose storage counter (the quota's usage) differs from what its data\n"
               "takes: its URL, the counter and the bytes stored.  --recount sets every counter\n"
               "to what is stored.  Exit status 0 when there is nothing to report, 1 otherwise.\n\n"
               "scrub: rewrites both databases from their live rows and truncates their\n"
               "write-ahead logs, so that nothing deleted remains in their files.  `veildav user\n"
               "remove` and the server's account sweep do it after each removal; run it when\n"
               "one of them says it could not (a database was busy).\n");
}

/* Members sharing a UID with an older member of their collection.  0 none,
 * 1 listed or unreadable. */
static int uid_dups(const char *prog, store *st, dav_ctx *r)
{
    store_uid_dup *d;
    int n;
    if (store_uid_dups(st, r->pool, LIST_MAX, &d, &n) != STORE_OK)
        return cli_fail(prog, 1, "cannot read the store: %s", store_errmsg(st));
    if (n == 0) return 0;
    /* every field as it appears in URLs (percent-encoded): no spaces */
    printf("%-40s %-48s %-24s %s\n", "PRINCIPAL", "COLLECTION", "MEMBER", "SAME UID AS");
    for (int i = 0; i < n; i++) {
        printf("%-40s %-48s %-24s %s\n", principal_href(st, r, d[i].owner),
               dav_node_href(r, d[i].collection), uri_encode_segment_pool(r->pool, d[i].name),
               d[i].holder ? uri_encode_segment_pool(r->pool, d[i].holder) : "-");
    }
    int64_t total = n;
    store_uid_dups_count(st, &total);
    fprintf(stderr, "%s: %lld member%s share%s a UID with an older member of %s collection%s\n",
            prog, (long long)total, total == 1 ? "" : "s", total == 1 ? "s" : "",
            total == 1 ? "its" : "their", total > n ? " (the first listed)" : "");
    return 1;
}

/* Storage counters that differ from a recount (RFC 4331 quota usage: the
 * store keeps them in every write's transaction, so a difference means the
 * file was changed by something else).  0 none (or recounted), 1 listed or
 * unreadable. */
static int quota_drift(const char *prog, store *st, dav_ctx *r, int recount)
{
    store_quota_drift *d;
    int n;
    if (store_quota_drifts(st, r->pool, LIST_MAX, &d, &n) != STORE_OK)
        return cli_fail(prog, 1, "cannot recount the storage: %s", store_errmsg(st));
    if (n == 0) return 0;
    printf("%-40s %-16s %s\n", "PRINCIPAL", "COUNTED BYTES", "STORED BYTES");
    for (int i = 0; i < n; i++)
        printf("%-40s %-16lld %lld\n", principal_href(st, r, d[i].principal),
               (long long)d[i].counted, (long long)d[i].actual);
    if (recount) {
        if (store_quota_recount(st) != STORE_OK)
            return cli_fail(prog, 1, "cannot recount the storage: %s", store_errmsg(st));
        fprintf(stderr, "%s: %d storage counter%s set to what is stored\n", prog, n,
                n == 1 ? "" : "s");
        return 0;
    }
    fprintf(stderr, "%s: %d principal%s storage counter%s from what is stored "
                    "(--recount sets them)\n",
            prog, n, n == 1 ? "'s" : "s'", n == 1 ? " differs" : "s differ");
    return 1;
}

static int check(const char *prog, store *st, dav_ctx *r, int recount)
{
    int problems = 0;
    if (store_integrity_check(st) != STORE_OK) {
        fprintf(stderr, "%s: the integrity check failed: %s\n", prog, store_errmsg(st));
        problems = 1;
    }
    problems |= uid_dups(prog, st, r);
    problems |= quota_drift(prog, st, r, recount);
    if (!problems) fprintf(stderr, "%s: no problems found\n", prog);
    return problems;
}

static int scrub(const char *prog, store *st, dav_ctx *r, int recount)
{
    (void)recount;
    char *path = config_path(r->cfg, "accounts.db");
    int rc = path ? accounts_open(path, &r->acct) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return cli_fail(prog, 1, "cannot open the account database");
    rc = dav_account_scrub(r);
    accounts_close(r->acct);
    if (rc == STORE_BUSY) return cli_fail(prog, 1, "a database is busy: try again");
    if (rc != STORE_OK) return cli_fail(prog, 1, "cannot rewrite the databases: %s", store_errmsg(st));
    fprintf(stderr, "%s: rewrote dav.db and accounts.db\n", prog);
    return 0;
}

int cli_store(const veil_config *cfg, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int (*run)(const char *, store *, dav_ctx *, int) =
        !strcmp(argv[1], "check") ? check : !strcmp(argv[1], "scrub") ? scrub : NULL;
    if (!run) {
        fprintf(stderr, "veildav store: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    const char *prog = run == check ? "veildav store check" : "veildav store scrub";
    int recount = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (run == check && !strcmp(argv[i], "--recount")) {
            recount = 1;
            continue;
        }
        return cli_fail(prog, 2, "unexpected argument '%s'", argv[i]);
    }
    char *path = config_path(cfg, "dav.db");
    store *st = NULL;
    int rc = path ? store_open(path, 0, cfg->sync_full, &st) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return cli_fail(prog, 1, "cannot open the DAV store (run veildav init)");
    dav_ctx r;
    memset(&r, 0, sizeof r);
    r.pool = pool_new();
    r.cfg = cfg;
    r.st = st;
    rc = r.pool ? run(prog, st, &r, recount) : cli_fail(prog, 1, "out of memory");
    pool_free(r.pool);
    store_close(st);
    return rc;
}

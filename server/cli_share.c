/* `veildav share`: operators share a user's calendar or address book with
 * another user or a group.  The share is accepted at once: the ACE is
 * granted and the collection appears in each sharee's home (every member's,
 * for a group), through the same engine as the sharing protocol
 * (dav/sharing.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/uri.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "server/cli.h"
#include "server/cli_share.h"
#include "storage/accounts.h"
#include "storage/store.h"

typedef struct share_opts {
    const char *owner, *collection, *with, *name;
    int read_write, help;
} share_opts;

typedef struct share_ctx {
    const char *prog; /* "veildav share add" */
    accounts *db;
    store *st;
    dav_ctx ctx;      /* the engine context: pool, store, accounts; no one acts (operator) */
    share_opts o;
} share_ctx;

typedef struct share_cmd {
    const char *name;
    int (*run)(share_ctx *c);
    const char *usage;
    const char *help;
} share_cmd;

/* One line on standard error, prefixed with the command; returns code. */
#define fail(c, code, ...) cli_fail((c)->prog, (code), __VA_ARGS__)

static int parse_opts(share_ctx *c, int argc, char **argv)
{
    share_opts *o = &c->o;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) o->help = 1;
        else if (!strcmp(a, "--read-write")) o->read_write = 1;
        else if (!strcmp(a, "--owner")) slot = &o->owner;
        else if (!strcmp(a, "--collection")) slot = &o->collection;
        else if (!strcmp(a, "--with")) slot = &o->with;
        else if (!strcmp(a, "--name")) slot = &o->name;
        else if (a[0] == '-') return fail(c, 2, "unknown option '%s' (see --help)", a);
        else return fail(c, 2, "unexpected argument '%s'", a);
        if (slot) {
            if (i + 1 >= argc) return fail(c, 2, "%s needs a value", a);
            *slot = argv[++i];
        }
    }
    return 0;
}

/* The principal of a login (created if the account has none yet, as
 * `user show` does). */
static int user_principal(share_ctx *c, const char *login, store_principal *out)
{
    account a;
    int rc = accounts_by_login(c->db, c->ctx.pool, login, &a);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no such user '%s'", login);
    if (rc != STORE_OK) return fail(c, 1, "the account database is unavailable");
    rc = store_principal_ensure(c->st, c->ctx.pool, a.id, a.display_name, out);
    if (rc != STORE_OK) return fail(c, 1, "cannot read the principal of '%s'", login);
    return 0;
}

/* LOGIN or group:NAME */
static int sharee_principal(share_ctx *c, const char *with, store_principal *out)
{
    if (strncmp(with, "group:", 6) != 0) return user_principal(c, with, out);
    int rc = store_principal_by_name(c->st, c->ctx.pool, with + 6, out);
    if (rc == STORE_NOTFOUND || (rc == STORE_OK && out->kind != STORE_PRINCIPAL_GROUP))
        return fail(c, 1, "no such group '%s'", with + 6);
    if (rc != STORE_OK) return fail(c, 1, "cannot read group '%s'", with + 6);
    return 0;
}

/* How a principal is shown to the operator: a login or group:NAME. */
static const char *principal_label(share_ctx *c, int64_t id)
{
    store_principal p;
    account a;
    if (store_principal_by_id(c->st, c->ctx.pool, id, &p) != STORE_OK) return "(gone)";
    if (p.kind == STORE_PRINCIPAL_GROUP && p.name)
        return pool_printf(c->ctx.pool, "group:%s", p.name);
    if (p.account_id && accounts_by_id(c->db, c->ctx.pool, p.account_id, &a) == STORE_OK)
        return a.login;
    return dav_principal_href(&c->ctx, p.pid);
}

static const struct {
    const char *prefix;
    int root;
} spaces[] = {{"calendars/", STORE_ROOT_CALENDARS}, {"addressbooks/", STORE_ROOT_ADDRESSBOOKS}};

/* --collection calendars/NAME | addressbooks/NAME of owner */
static int find_collection(share_ctx *c, const store_principal *owner, store_node *out)
{
    const char *spec = c->o.collection;
    while (*spec == '/') spec++;
    int root = 0;
    const char *name = NULL;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (!strncmp(spec, spaces[i].prefix, strlen(spaces[i].prefix))) {
            root = spaces[i].root;
            name = spec + strlen(spaces[i].prefix);
        }
    size_t n = name ? strlen(name) : 0;
    if (n && name[n - 1] == '/') name = pool_strndup(c->ctx.pool, name, --n);
    if (!root || !n || strchr(name, '/'))
        return fail(c, 2, "--collection takes calendars/NAME or addressbooks/NAME");
    /* the owner may never have signed in: their homes come first */
    if (dav_share_provision(&c->ctx, owner))
        return fail(c, 1, "cannot prepare the homes of '%s'", c->o.owner);
    store_node home;
    int rc = store_node_child(c->st, c->ctx.pool, root, owner->pid, &home);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->ctx.pool, home.id, name, out);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "'%s' has no %s", c->o.owner, spec);
    if (rc != STORE_OK) return fail(c, 1, "the DAV store is unavailable");
    if (!dav_share_shareable(out))
        return fail(c, 1, "%s is not a calendar or address book of '%s'", spec, c->o.owner);
    return 0;
}

/* The users a share places the collection with: the sharee, or a group's
 * members. */
static int provision(share_ctx *c, const store_principal *sharee)
{
    if (sharee->kind == STORE_PRINCIPAL_USER)
        return dav_share_provision(&c->ctx, sharee) ? fail(c, 1, "cannot prepare the sharee's homes")
                                                  : 0;
    int64_t *m;
    int n;
    if (store_group_members(c->st, c->ctx.pool, sharee->id, &m, &n) != STORE_OK)
        return fail(c, 1, "the DAV store is unavailable");
    for (int i = 0; i < n; i++) {
        store_principal p;
        if (store_principal_by_id(c->st, c->ctx.pool, m[i], &p) == STORE_OK &&
            p.kind == STORE_PRINCIPAL_USER && dav_share_provision(&c->ctx, &p))
            return fail(c, 1, "cannot prepare the homes of a member");
    }
    return 0;
}

static int need(share_ctx *c, int with)
{
    if (!c->o.owner || !c->o.collection || (with && !c->o.with))
        return fail(c, 2, "--owner, --collection%s are required", with ? " and --with" : "");
    return 0;
}

static const char *access_name(int access)
{
    return access == DAV_SHARE_READ_WRITE ? "read-write" : "read";
}

static const char *state_name(int state)
{
    static const char *names[] = {"invited", "accepted", "declined"};
    return state >= 0 && state <= 2 ? names[state] : "?";
}

/* ---- add ----------------------------------------------------------------------- */

static int share_add(share_ctx *c)
{
    int rc = need(c, 1);
    if (rc) return rc;
    if (c->o.name && (!*c->o.name || strlen(c->o.name) > 256 ||
                      !utf8_valid(c->o.name, strlen(c->o.name))))
        return fail(c, 2, "invalid --name");
    store_principal owner, sharee;
    store_node coll;
    if ((rc = user_principal(c, c->o.owner, &owner))) return rc;
    if ((rc = find_collection(c, &owner, &coll))) return rc;
    if ((rc = sharee_principal(c, c->o.with, &sharee))) return rc;
    if (sharee.id == owner.id) return fail(c, 1, "'%s' owns %s already", c->o.with,
                                           c->o.collection);
    if ((rc = provision(c, &sharee))) return rc;
    int access = c->o.read_write ? DAV_SHARE_READ_WRITE : DAV_SHARE_READ;
    rc = dav_share_invite(&c->ctx, &coll, &sharee, access, NULL, 1, c->o.name);
    if (rc != STORE_OK) return fail(c, 1, "cannot share %s", c->o.collection);
    fprintf(stderr, "shared %s of %s with %s (%s)\n", c->o.collection, c->o.owner, c->o.with,
            access_name(access));
    /* where it appears: one line per sharee's view */
    store_share *rows;
    int n;
    if (store_shares_of_node(c->st, c->ctx.pool, coll.id, &rows, &n) == STORE_OK)
        for (int i = 0; i < n; i++)
            if (rows[i].binding &&
                (rows[i].sharee == sharee.id || sharee.kind == STORE_PRINCIPAL_GROUP))
                printf("%s\t%s\n", principal_label(c, rows[i].sharee),
                       dav_node_href(&c->ctx, rows[i].binding));
    return 0;
}

/* ---- list ---------------------------------------------------------------------- */

static void print_row(share_ctx *c, const store_node *coll, const store_share *sh)
{
    store_principal owner;
    const char *space = coll->kind == STORE_KIND_ADDRESSBOOK ? "addressbooks" : "calendars";
    const char *sharee = principal_label(c, sh->sharee);
    if (dav_share_is_member_row(sh)) {
        store_share group;
        const char *dot = strchr(sh->uid, '.');
        if (store_share_by_uid(c->st, c->ctx.pool, pool_strndup(c->ctx.pool, sh->uid,
                                                              (size_t)(dot - sh->uid)),
                               &group) == STORE_OK)
            sharee = pool_printf(c->ctx.pool, "%s(%s)", sharee, principal_label(c, group.sharee));
    }
    printf("%-20s %-30s %-28s %-10s %-9s %s\n",
           store_principal_by_id(c->st, c->ctx.pool, coll->owner, &owner) == STORE_OK
               ? principal_label(c, owner.id)
               : "(gone)",
           pool_printf(c->ctx.pool, "%s/%s", space, coll->name), sharee, access_name(sh->access),
           state_name(sh->state), sh->binding ? dav_node_href(&c->ctx, sh->binding) : "-");
}

static void list_node(share_ctx *c, const store_node *coll)
{
    store_share *rows;
    int n;
    if (!dav_share_shareable(coll) ||
        store_shares_of_node(c->st, c->ctx.pool, coll->id, &rows, &n) != STORE_OK)
        return;
    for (int i = 0; i < n; i++) print_row(c, coll, &rows[i]);
}

/* Every share of every collection in the owner's two homes. */
static int list_owner(share_ctx *c, const store_principal *owner)
{
    for (size_t s = 0; s < sizeof spaces / sizeof spaces[0]; s++) {
        store_node home;
        int rc = store_node_child(c->st, c->ctx.pool, spaces[s].root, owner->pid, &home);
        if (rc == STORE_NOTFOUND) continue;
        if (rc != STORE_OK) return fail(c, 1, "the DAV store is unavailable");
        const char *after = NULL;
        for (;;) {
            store_node *kids;
            int n;
            if (store_node_children(c->st, c->ctx.pool, home.id, after, 200, &kids, &n) != STORE_OK)
                return fail(c, 1, "the DAV store is unavailable");
            for (int i = 0; i < n; i++) list_node(c, &kids[i]);
            if (n < 200) break;
            after = kids[n - 1].name;
        }
    }
    return 0;
}

static int share_list(share_ctx *c)
{
    if (c->o.owner && c->o.with) return fail(c, 2, "give --owner or --with, not both");
    if (c->o.collection || c->o.read_write || c->o.name)
        return fail(c, 2, "list takes only --owner or --with");
    printf("%-20s %-30s %-28s %-10s %-9s %s\n", "OWNER", "COLLECTION", "SHAREE", "ACCESS",
           "STATE", "SHAREE'S VIEW");
    store_principal p;
    int rc;
    if (c->o.with) {
        if ((rc = sharee_principal(c, c->o.with, &p))) return rc;
        store_share *rows;
        int n;
        if (store_shares_of_sharee(c->st, c->ctx.pool, p.id, &rows, &n) != STORE_OK)
            return fail(c, 1, "the DAV store is unavailable");
        for (int i = 0; i < n; i++) {
            store_node coll;
            if (store_node_get(c->st, c->ctx.pool, rows[i].node, &coll) == STORE_OK)
                print_row(c, &coll, &rows[i]);
        }
        return 0;
    }
    if (c->o.owner) {
        if ((rc = user_principal(c, c->o.owner, &p))) return rc;
        return list_owner(c, &p);
    }
    account *all;
    int n;
    if (accounts_list(c->db, c->ctx.pool, &all, &n) != STORE_OK)
        return fail(c, 1, "the account database is unavailable");
    for (int i = 0; i < n; i++)
        if (store_principal_by_account(c->st, c->ctx.pool, all[i].id, &p) == STORE_OK &&
            (rc = list_owner(c, &p)))
            return rc;
    return 0;
}

/* ---- remove -------------------------------------------------------------------- */

static int share_remove(share_ctx *c)
{
    int rc = need(c, 1);
    if (rc) return rc;
    if (c->o.read_write || c->o.name) return fail(c, 2, "remove takes no --read-write or --name");
    store_principal owner, sharee;
    store_node coll;
    if ((rc = user_principal(c, c->o.owner, &owner))) return rc;
    if ((rc = find_collection(c, &owner, &coll))) return rc;
    if ((rc = sharee_principal(c, c->o.with, &sharee))) return rc;
    store_share sh;
    rc = store_share_get(c->st, c->ctx.pool, coll.id, sharee.id, &sh);
    if (rc == STORE_NOTFOUND)
        return fail(c, 1, "%s of %s is not shared with %s", c->o.collection, c->o.owner,
                    c->o.with);
    if (rc == STORE_OK) rc = dav_share_revoke(&c->ctx, &coll, &sh);
    if (rc != STORE_OK) return fail(c, 1, "cannot remove the share");
    fprintf(stderr, "%s of %s is no longer shared with %s\n", c->o.collection, c->o.owner,
            c->o.with);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

static const share_cmd cmds[] = {
    {"add", share_add,
     "--owner LOGIN --collection calendars/NAME|addressbooks/NAME --with LOGIN|group:NAME "
     "[--read-write] [--name DISPLAYNAME]",
     "Shares a calendar or address book of --owner, read-only unless --read-write.  The share\n"
     "is accepted at once: it appears in the sharee's home (in every member's, for a group),\n"
     "named --name there if given, and the sharee may rename, recolour or remove their view.\n"
     "A group's access follows its membership.  Running it again changes the access.\n"
     "Prints each sharee's view: LOGIN, a tab, the path."},
    {"list", share_list, "[--owner LOGIN | --with LOGIN|group:NAME]",
     "Lists shares: of one owner's collections, with one sharee, or all.  A group member's\n"
     "own view of a group share shows as LOGIN(group:NAME)."},
    {"remove", share_remove,
     "--owner LOGIN --collection calendars/NAME|addressbooks/NAME --with LOGIN|group:NAME",
     "Revokes a share at once: the sharee's access and their view (every member's, for a\n"
     "group) are gone.  The owner's data is untouched."},
};
#define N_CMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
    fprintf(f, "usage:\n");
    for (size_t i = 0; i < N_CMDS; i++) fprintf(f, "  veildav share %s %s\n", cmds[i].name,
                                                cmds[i].usage);
    fprintf(f, "\n`veildav share COMMAND --help` explains each.\n");
}

int cli_share(const veil_config *cfg, int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const share_cmd *cmd = NULL;
    for (size_t i = 0; i < N_CMDS; i++)
        if (!strcmp(argv[1], cmds[i].name)) cmd = &cmds[i];
    if (!cmd) {
        fprintf(stderr, "veildav share: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    share_ctx c = {0};
    char prog[64];
    snprintf(prog, sizeof prog, "veildav share %s", cmd->name);
    c.prog = prog;
    int rc = parse_opts(&c, argc - 2, argv + 2);
    if (rc) return rc;
    if (c.o.help) {
        printf("usage: veildav share %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->help);
        return 0;
    }
    rc = cli_open_databases(c.prog, cfg, &c.db, &c.st);
    if (rc) return rc;
    c.ctx.pool = pool_new();
    c.ctx.cfg = cfg;
    c.ctx.st = c.st;
    c.ctx.acct = c.db;
    /* the command is one transaction, the CLI's: the engines work inside it
     * and what they queue for after the commit runs only if it commits */
    if (!c.ctx.pool) rc = fail(&c, 1, "out of memory");
    else if (store_begin_write(c.st) != STORE_OK) rc = fail(&c, 1, "the DAV store is unavailable");
    else rc = cmd->run(&c);
    if (c.ctx.pool && rc == 0 && store_commit(c.st) != STORE_OK)
        rc = fail(&c, 1, "the change could not be stored");
    if (rc == 0) {
        dav_ctx_committed(&c.ctx);
    } else {
        store_rollback(c.st);
        dav_ctx_rolled_back(&c.ctx);
    }
    pool_free(c.ctx.pool);
    store_close(c.st);
    accounts_close(c.db);
    return rc;
}

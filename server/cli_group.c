/* `veildav group ...` and `veildav resource ...`: principals that are not
 * accounts.  Groups (a family, a team) collect users and other groups, so a
 * share or an ACE granted to the group reaches every member; resources and
 * rooms are bookable things with a calendar of their own (CUTYPE RESOURCE and
 * ROOM).  Each has an operator handle (NAME) that never leaves this CLI: DAV
 * clients see only the random principal URL and the display name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dav/resource.h"
#include "server/cli.h"
#include "server/cli_group.h"
#include "storage/accounts.h"
#include "storage/bookable.h"
#include "storage/store.h"

typedef struct group_ctx {
    const char *prog;   /* "veildav group add" */
    accounts *db;
    store *st;
    vpool *pool;
    dav_ctx r;          /* for dav_principal_href */
    const char *args[3];
    int nargs;
    const char *display, *type, *mode, *address;
    int help, write, remove;
} group_ctx;

typedef struct group_cmd {
    const char *name;
    int nargs;          /* positional arguments required */
    int (*run)(group_ctx *c);
    const char *usage, *help;
} group_cmd;

#define fail(c, code, ...) cli_fail((c)->prog, (code), __VA_ARGS__)

/* ---- lookups ---------------------------------------------------------------- */

static int named(group_ctx *c, const char *name, int kind, store_principal *out)
{
    int rc = store_principal_by_name(c->st, c->pool, name, out);
    if (rc == STORE_OK && (kind == 0 || out->kind == kind)) return 0;
    if (rc == STORE_OK || rc == STORE_NOTFOUND) return -1;
    return -2;
}

/* LOGIN or group:NAME, as in `veildav share` */
static int member_principal(group_ctx *c, const char *spec, store_principal *out)
{
    if (!strncmp(spec, "group:", 6)) {
        if (named(c, spec + 6, STORE_PRINCIPAL_GROUP, out) != 0)
            return fail(c, 1, "no such group '%s'", spec + 6);
        return 0;
    }
    account a;
    int rc = accounts_by_login(c->db, c->pool, spec, &a);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no such user '%s'", spec);
    if (rc != STORE_OK) return fail(c, 1, "the account database is unavailable");
    rc = store_principal_ensure(c->st, c->pool, a.id, a.display_name, out);
    if (rc != STORE_OK) return fail(c, 1, "cannot read the principal of '%s'", spec);
    return 0;
}

static const char *label(group_ctx *c, int64_t id)
{
    store_principal p;
    account a;
    if (store_principal_by_id(c->st, c->pool, id, &p) != STORE_OK) return "(gone)";
    if (p.kind == STORE_PRINCIPAL_GROUP && p.name) return pool_printf(c->pool, "group:%s", p.name);
    if (p.account_id && accounts_by_id(c->db, c->pool, p.account_id, &a) == STORE_OK) return a.login;
    return dav_principal_href(&c->r, p.pid);
}

/* ---- group ------------------------------------------------------------------ */

static int create_named(group_ctx *c, int kind, const char *what)
{
    const char *name = c->args[0];
    if (!*name || strchr(name, ':') || strchr(name, '/'))
        return fail(c, 2, "a %s name may not be empty or hold ':' or '/'", what);
    store_principal p;
    if (named(c, name, 0, &p) == 0) return fail(c, 1, "'%s' already exists", name);
    int rc = store_principal_create_named(c->st, c->pool, 0, kind,
                                          c->display ? c->display : name, name, &p);
    if (rc != STORE_OK) return fail(c, 1, "cannot create %s '%s'", what, name);
    printf("%s\n", dav_principal_href(&c->r, p.pid));
    fprintf(stderr, "created %s %s\n", what, name);
    return 0;
}

static int group_add(group_ctx *c) { return create_named(c, STORE_PRINCIPAL_GROUP, "group"); }

static int remove_named(group_ctx *c, int kind, const char *what)
{
    store_principal p;
    if (named(c, c->args[0], kind, &p) != 0) return fail(c, 1, "no such %s '%s'", what, c->args[0]);
    int rc = store_begin_write(c->st);
    if (rc == STORE_OK) rc = store_principal_delete(c->st, p.id);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        return fail(c, 1, "cannot remove %s '%s'", what, c->args[0]);
    }
    fprintf(stderr, "removed %s %s\n", what, c->args[0]);
    return 0;
}

static int group_remove(group_ctx *c) { return remove_named(c, STORE_PRINCIPAL_GROUP, "group"); }

static int list_named(group_ctx *c, int kind)
{
    int64_t *ids;
    int n;
    if (store_principals_named(c->st, c->pool, kind, &ids, &n) != STORE_OK)
        return fail(c, 1, "cannot read the DAV store");
    for (int i = 0; i < n; i++) {
        store_principal p;
        if (store_principal_by_id(c->st, c->pool, ids[i], &p) != STORE_OK) continue;
        int64_t *m;
        int nm = 0;
        if (kind == STORE_PRINCIPAL_GROUP) store_group_members(c->st, c->pool, p.id, &m, &nm);
        printf("%s\t%s\t%s", p.name, p.displayname ? p.displayname : "",
               dav_principal_href(&c->r, p.pid));
        if (kind == STORE_PRINCIPAL_GROUP) printf("\t%d member%s", nm, nm == 1 ? "" : "s");
        if (kind == STORE_PRINCIPAL_RESOURCE) printf("\tresource");
        if (kind == STORE_PRINCIPAL_ROOM) printf("\tlocation");
        if (kind == STORE_PRINCIPAL_RESOURCE || kind == STORE_PRINCIPAL_ROOM) {
            int mode;
            const char **addr;
            int na = 0;
            if (store_book_mode_get(c->st, p.id, &mode) != STORE_OK ||
                store_book_addresses(c->st, c->pool, p.id, &addr, &na) != STORE_OK)
                return fail(c, 1, "cannot read the DAV store");
            printf("\t%s\t", store_book_mode_name(mode));
            for (int k = 0; k < na; k++) printf("%s%s", k ? "," : "", addr[k]);
        }
        printf("\n");
    }
    return 0;
}

static int group_list(group_ctx *c) { return list_named(c, STORE_PRINCIPAL_GROUP); }

static int member_change(group_ctx *c, int add)
{
    store_principal g, m;
    if (named(c, c->args[0], STORE_PRINCIPAL_GROUP, &g) != 0)
        return fail(c, 1, "no such group '%s'", c->args[0]);
    int rc = member_principal(c, c->args[1], &m);
    if (rc) return rc;
    if (m.id == g.id) return fail(c, 1, "a group cannot contain itself");
    int64_t *ids;
    int n;
    if (add && m.kind == STORE_PRINCIPAL_GROUP) {
        /* m already holds g (perhaps through other groups): a cycle */
        if (store_principal_groups(c->st, c->pool, g.id, &ids, &n) != STORE_OK)
            return fail(c, 1, "cannot read the groups of '%s'", c->args[0]);
        for (int i = 0; i < n; i++)
            if (ids[i] == m.id) return fail(c, 1, "%s already contains %s", c->args[1], c->args[0]);
    }
    if (!add) {
        if (store_group_members(c->st, c->pool, g.id, &ids, &n) != STORE_OK)
            return fail(c, 1, "cannot read the members of '%s'", c->args[0]);
        int found = 0;
        for (int i = 0; i < n; i++) found |= ids[i] == m.id;
        if (!found) return fail(c, 1, "%s is not a member of %s", c->args[1], c->args[0]);
    }
    rc = store_begin_write(c->st);
    if (rc == STORE_OK)
        rc = add ? store_group_add_member(c->st, g.id, m.id) : store_group_remove_member(c->st, g.id, m.id);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        return fail(c, 1, "cannot change the members of '%s'", c->args[0]);
    }
    fprintf(stderr, "%s %s %s %s\n", add ? "added" : "removed", c->args[1], add ? "to" : "from",
            c->args[0]);
    return 0;
}

static int member_add(group_ctx *c) { return member_change(c, 1); }
static int member_remove(group_ctx *c) { return member_change(c, 0); }

static int member_list(group_ctx *c)
{
    store_principal g;
    if (named(c, c->args[0], STORE_PRINCIPAL_GROUP, &g) != 0)
        return fail(c, 1, "no such group '%s'", c->args[0]);
    int64_t *m;
    int n;
    if (store_group_members(c->st, c->pool, g.id, &m, &n) != STORE_OK)
        return fail(c, 1, "cannot read the members of '%s'", c->args[0]);
    for (int i = 0; i < n; i++) printf("%s\n", label(c, m[i]));
    return 0;
}

/* ---- resource ---------------------------------------------------------------- */

static int bookable(group_ctx *c, const char *name, store_principal *out)
{
    if (named(c, name, 0, out) != 0 ||
        (out->kind != STORE_PRINCIPAL_RESOURCE && out->kind != STORE_PRINCIPAL_ROOM))
        return fail(c, 1, "no such resource or location '%s'", name);
    return 0;
}

/* A calendar user address for a room: a bare mail address ("mailto:"
 * accepted), no user's alias (that names the user), no other's. */
static int address_change(group_ctx *c, const store_principal *p, const char *spec, int add)
{
    const char *a = !strncasecmp(spec, "mailto:", 7) ? spec + 7 : spec;
    const char *at = strchr(a, '@');
    if (!at || at == a || !at[1] || strchr(at + 1, '@') || strpbrk(a, " \t<>:,;\"") ||
        strlen(a) > 254)
        return fail(c, 2, "'%s' is not a mail address", spec);
    int rc;
    if (add) {
        int64_t owner;
        rc = accounts_address_owner(c->db, a, &owner, NULL);
        if (rc == STORE_OK) return fail(c, 1, "%s is a user's address", a);
        if (rc != STORE_NOTFOUND) return fail(c, 1, "the account database is unavailable");
    }
    rc = store_begin_write(c->st);
    if (rc == STORE_OK)
        rc = add ? store_book_address_add(c->st, p->id, a)
                 : store_book_address_remove(c->st, p->id, a);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        if (rc == STORE_EXISTS) return fail(c, 1, "%s is taken", a);
        if (rc == STORE_NOTFOUND) return fail(c, 1, "%s is not an address of '%s'", a, p->name);
        return fail(c, 1, "cannot change the addresses of '%s'", p->name);
    }
    fprintf(stderr, "%s %s %s %s\n", add ? "added" : "removed", a, add ? "to" : "from", p->name);
    return 0;
}

static int mode_set(group_ctx *c, const store_principal *p, const char *name)
{
    int mode = store_book_mode_parse(name);
    if (!mode)
        return fail(c, 2, "the mode is automatic, accept-if-free, decline-if-busy or none");
    int rc = store_begin_write(c->st);
    if (rc == STORE_OK) rc = store_book_mode_set(c->st, p->id, mode);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        return fail(c, 1, "cannot set the mode of '%s'", p->name);
    }
    fprintf(stderr, "%s books itself: %s\n", p->name, name);
    return 0;
}

/* Its calendar home and default calendar now, so its delegates can manage
 * it before anyone has invited it (and one made before this version gets
 * them when it is next changed). */
static int provision(group_ctx *c, const store_principal *p)
{
    int rc = store_begin_write(c->st);
    if (rc == STORE_OK) rc = dav_provision_homes(&c->r, p);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        dav_ctx_rolled_back(&c->r);
        return fail(c, 1, "cannot make the calendar home of '%s'", p->name);
    }
    dav_ctx_committed(&c->r);
    return 0;
}

static int resource_add(group_ctx *c)
{
    const char *t = c->type ? c->type : "resource";
    int kind = !strcmp(t, "resource")                          ? STORE_PRINCIPAL_RESOURCE
               : !strcmp(t, "location") || !strcmp(t, "room") ? STORE_PRINCIPAL_ROOM
                                                              : 0;
    if (!kind) return fail(c, 2, "--type is resource or location");
    if (c->mode && !store_book_mode_parse(c->mode))
        return fail(c, 2, "the mode is automatic, accept-if-free, decline-if-busy or none");
    int rc = create_named(c, kind, kind == STORE_PRINCIPAL_ROOM ? "location" : "resource");
    store_principal p;
    if (rc || (rc = bookable(c, c->args[0], &p)) != 0 || (rc = provision(c, &p)) != 0) return rc;
    if (c->mode && (rc = mode_set(c, &p, c->mode)) != 0) return rc;
    return c->address ? address_change(c, &p, c->address, 1) : 0;
}

static int resource_mode(group_ctx *c)
{
    store_principal p;
    int rc = bookable(c, c->args[0], &p);
    return rc ? rc : mode_set(c, &p, c->args[1]);
}

static int resource_address(group_ctx *c)
{
    store_principal p;
    int rc = bookable(c, c->args[0], &p);
    return rc ? rc : address_change(c, &p, c->args[1], !c->remove);
}

static int resource_remove(group_ctx *c)
{
    store_principal p;
    int rc = bookable(c, c->args[0], &p);
    if (rc) return rc;
    return remove_named(c, p.kind, p.kind == STORE_PRINCIPAL_ROOM ? "location" : "resource");
}

static int resource_list(group_ctx *c)
{
    int rc = list_named(c, STORE_PRINCIPAL_RESOURCE);
    return rc ? rc : list_named(c, STORE_PRINCIPAL_ROOM);
}

/* ---- delegate ----------------------------------------------------------------- */

/* LOGIN, or resource:NAME for a resource or location */
static int delegator(group_ctx *c, const char *spec, store_principal *out)
{
    if (strncmp(spec, "resource:", 9) != 0) {
        if (!strncmp(spec, "group:", 6)) return fail(c, 2, "groups have no delegates");
        return member_principal(c, spec, out);
    }
    return bookable(c, spec + 9, out);
}

static int proxy_group(group_ctx *c, const store_principal *owner, int write, store_principal *out)
{
    const char *pid = pool_printf(c->pool, "%s/%s", owner->pid,
                                  write ? STORE_PROXY_WRITE_SEGMENT : STORE_PROXY_READ_SEGMENT);
    if (store_principal_by_pid(c->st, c->pool, pid, out) != STORE_OK)
        return fail(c, 1, "'%s' has no delegation groups", c->args[0]);
    return 0;
}

static int delegate_change(group_ctx *c, int add)
{
    store_principal owner, who, g, other;
    int rc = delegator(c, c->args[0], &owner);
    if (!rc && owner.kind != STORE_PRINCIPAL_USER) rc = provision(c, &owner);
    if (!rc) rc = member_principal(c, c->args[1], &who);
    if (!rc) rc = proxy_group(c, &owner, c->write, &g);
    /* one delegate is either read or write: adding to one removes from the other */
    if (!rc) rc = proxy_group(c, &owner, !c->write, &other);
    if (rc) return rc;
    if (who.id == owner.id) return fail(c, 1, "a principal cannot be its own delegate");
    rc = store_begin_write(c->st);
    if (rc == STORE_OK) rc = store_group_remove_member(c->st, other.id, who.id);
    if (rc == STORE_OK)
        rc = add ? store_group_add_member(c->st, g.id, who.id) : store_group_remove_member(c->st, g.id, who.id);
    if (rc == STORE_OK) rc = store_commit(c->st);
    if (rc != STORE_OK) {
        store_rollback(c->st);
        return fail(c, 1, "cannot change the delegates of '%s'", c->args[0]);
    }
    fprintf(stderr, "%s %s %s %s delegate of %s\n", add ? "made" : "removed", c->args[1],
            add ? "a" : "as", c->write ? "write" : "read", c->args[0]);
    return 0;
}

static int delegate_add(group_ctx *c) { return delegate_change(c, 1); }

/* `resource delegate NAME DELEGATE`: `delegate add resource:NAME DELEGATE` */
static int resource_delegate(group_ctx *c)
{
    c->args[0] = pool_concat(c->pool, "resource:", c->args[0], "");
    return c->args[0] ? delegate_change(c, !c->remove) : fail(c, 1, "out of memory");
}
static int delegate_remove(group_ctx *c) { return delegate_change(c, 0); }

static int delegate_list(group_ctx *c)
{
    store_principal owner;
    int rc = delegator(c, c->args[0], &owner);
    if (rc) return rc;
    for (int write = 0; write < 2; write++) {
        store_principal g;
        if ((rc = proxy_group(c, &owner, write, &g)) != 0) return rc;
        int64_t *m;
        int n;
        if (store_group_members(c->st, c->pool, g.id, &m, &n) != STORE_OK)
            return fail(c, 1, "cannot read the delegates of '%s'", c->args[0]);
        for (int i = 0; i < n; i++) printf("%s\t%s\n", label(c, m[i]), write ? "write" : "read");
    }
    return 0;
}

/* ---- dispatch ---------------------------------------------------------------- */

static const group_cmd group_cmds[] = {
    {"add", 1, group_add, "NAME [--display-name TEXT]",
     "Creates a group principal and prints its URL.  NAME is the operator's handle; clients\n"
     "see only the URL and the display name (NAME when none is given)."},
    {"remove", 1, group_remove, "NAME",
     "Deletes a group: its memberships, the ACEs and shares naming it go with it."},
    {"list", 0, group_list, "", "Lists groups: NAME, display name, principal URL, member count."},
    {"member add", 2, member_add, "GROUP LOGIN|group:NAME",
     "Adds a user (or a group: groups nest) to GROUP; shares and grants to GROUP reach them."},
    {"member remove", 2, member_remove, "GROUP LOGIN|group:NAME", "Removes a member from GROUP."},
    {"member list", 1, member_list, "GROUP", "Lists GROUP's direct members."},
};

static const group_cmd resource_cmds[] = {
    {"add", 1, resource_add,
     "NAME [--type resource|location] [--display-name TEXT] [--address ADDR] [--mode MODE]",
     "Creates a resource (CUTYPE RESOURCE, the default) or a location (ROOM) principal and\n"
     "prints its URL.  --address gives it a calendar user address (more with `address`),\n"
     "--mode how it answers invitations (see `mode`; automatic when not given)."},
    {"mode", 2, resource_mode, "NAME automatic|accept-if-free|decline-if-busy|none",
     "How NAME answers invitations, at once and inside the organizer's change: automatic\n"
     "accepts when every instance is free and declines the busy ones; accept-if-free only\n"
     "accepts, decline-if-busy only declines, none answers nothing - then its write\n"
     "delegates answer for it from their clients."},
    {"address", 2, resource_address, "NAME ADDRESS [--remove]",
     "Gives NAME a calendar user address (shown in calendar-user-address-set; invitations\n"
     "to it reach NAME), or with --remove takes one away.  A user's address is refused."},
    {"delegate", 2, resource_delegate, "NAME DELEGATE [--write] [--remove]",
     "As `veildav delegate add resource:NAME DELEGATE`: write delegates manage NAME's\n"
     "calendar and answer for it; --remove takes DELEGATE away."},
    {"remove", 1, resource_remove, "NAME", "Deletes a resource or location and its calendar home."},
    {"list", 0, resource_list, "",
     "Lists resources and locations: NAME, display name, URL, type, mode, addresses."},
};

static const group_cmd delegate_cmds[] = {
    {"add", 2, delegate_add, "LOGIN|resource:NAME DELEGATE [--write]",
     "Makes DELEGATE (LOGIN or group:NAME) a read delegate of a user, resource or location, or\n"
     "with --write a write delegate (CalendarServer calendar-proxy; users manage their own\n"
     "delegates from their clients, operators those of resources and locations)."},
    {"remove", 2, delegate_remove, "LOGIN|resource:NAME DELEGATE",
     "Removes DELEGATE, read or write, from the delegates."},
    {"list", 1, delegate_list, "LOGIN|resource:NAME", "Lists delegates: LOGIN or group:NAME, a tab, read or write."},
};

static int parse(group_ctx *c, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            c->help = 1;
        } else if (!strcmp(a, "--write")) {
            c->write = 1;
        } else if (!strcmp(a, "--remove")) {
            c->remove = 1;
        } else if (!strcmp(a, "--display-name") || !strcmp(a, "--type") || !strcmp(a, "--mode") ||
                   !strcmp(a, "--address")) {
            if (i + 1 >= argc) return fail(c, 2, "%s needs a value", a);
            const char **slot = !strcmp(a, "--type")   ? &c->type
                                : !strcmp(a, "--mode") ? &c->mode
                                : !strcmp(a, "--address") ? &c->address
                                                          : &c->display;
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return fail(c, 2, "unknown option '%s' (see --help)", a);
        } else if (c->nargs < 3) {
            c->args[c->nargs++] = a;
        } else {
            return fail(c, 2, "unexpected argument '%s'", a);
        }
    }
    return 0;
}

static int run_table(const veil_config *cfg, const char *family, const group_cmd *cmds, size_t n,
                     int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        FILE *f = argc < 2 ? stderr : stdout;
        fprintf(f, "usage:\n");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "  veildav %s %s%s%s\n", family, cmds[i].name, *cmds[i].usage ? " " : "",
                    cmds[i].usage);
        return argc < 2 ? 2 : 0;
    }
    const group_cmd *cmd = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], cmds[i].name)) cmd = &cmds[i];
    if (!cmd) {
        fprintf(stderr, "veildav %s: unknown command '%s' (see --help)\n", family, argv[1]);
        return 2;
    }
    group_ctx c = {0};
    char prog[64];
    snprintf(prog, sizeof prog, "veildav %s %s", family, cmd->name);
    c.prog = prog;
    int rc = parse(&c, argc - 2, argv + 2);
    if (rc) return rc;
    if (c.help) {
        printf("usage: veildav %s %s %s\n\n%s\n", family, cmd->name, cmd->usage, cmd->help);
        return 0;
    }
    if (c.nargs != cmd->nargs)
        return fail(&c, 2, "expected %d argument%s: %s", cmd->nargs, cmd->nargs == 1 ? "" : "s",
                    cmd->usage);
    rc = cli_open_databases(c.prog, cfg, &c.db, &c.st);
    if (rc) return rc;
    c.pool = pool_new();
    c.r.pool = c.pool;
    c.r.cfg = cfg;
    c.r.st = c.st;
    rc = c.pool ? cmd->run(&c) : fail(&c, 1, "out of memory");
    pool_free(c.pool);
    store_close(c.st);
    accounts_close(c.db);
    return rc;
}

int cli_group(const veil_config *cfg, int argc, char **argv)
{
    /* "group member add G X" runs the table's "member add" */
    char joined[32];
    if (argc >= 2 && !strcmp(argv[1], "member")) {
        if (argc < 3 || argv[2][0] == '-') {
            FILE *f = argc < 3 ? stderr : stdout;
            fprintf(f, "usage:\n");
            for (size_t i = 0; i < sizeof group_cmds / sizeof group_cmds[0]; i++)
                if (!strncmp(group_cmds[i].name, "member ", 7))
                    fprintf(f, "  veildav group %s %s\n", group_cmds[i].name, group_cmds[i].usage);
            return argc < 3 ? 2 : 0;
        }
        snprintf(joined, sizeof joined, "member %.20s", argv[2]);
        argv[2] = joined;
        argv++;
        argc--;
    }
    return run_table(cfg, "group", group_cmds, sizeof group_cmds / sizeof group_cmds[0], argc, argv);
}

int cli_delegate(const veil_config *cfg, int argc, char **argv)
{
    return run_table(cfg, "delegate", delegate_cmds, sizeof delegate_cmds / sizeof delegate_cmds[0],
                     argc, argv);
}

int cli_resource(const veil_config *cfg, int argc, char **argv)
{
    return run_table(cfg, "resource", resource_cmds, sizeof resource_cmds / sizeof resource_cmds[0],
                     argc, argv);
}

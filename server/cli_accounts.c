/* `veildav user`, `veildav alias` and `veildav app-password`: the account
 * database's administration, one table row per subcommand. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"
#include "common/uri.h"
#include "dav/account.h"
#include "server/cli.h"
#include "server/cli_quota.h"
#include "server/passhash.h"
#include "server/secrets.h"
#include "storage/accounts.h"
#include "storage/store.h"

#define MAX_ALLOW 32

typedef struct cli_opts {
    const char *user, *name, *protocols, *expires, *display_name;
    int read_only, password_stdin, help, yes, expose;
    const char *allow[MAX_ALLOW];
    int nallow;
    const char *pos[4];
    int npos;
} cli_opts;

typedef struct cli_ctx {
    const veil_config *cfg;
    const char *prog; /* "veildav user add" */
    accounts *db;
    vpool *pool;
    cli_opts o;
} cli_ctx;

typedef struct cli_cmd {
    const char *name;
    int (*run)(cli_ctx *c);
    int npos;          /* positional arguments required (-1: 0 or 1) */
    const char *usage; /* after "veildav GROUP NAME " */
    const char *help;
} cli_cmd;

/* One line on standard error, prefixed with the command; returns code. */
#define fail(c, code, ...) cli_fail((c)->prog, (code), __VA_ARGS__)

/* Options may come in any order; values follow their option.  --allow takes
 * one or more CIDRs (repeat it or list them). */
static int parse_opts(cli_ctx *c, int argc, char **argv)
{
    cli_opts *o = &c->o;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            o->help = 1;
            continue;
        }
        if (!strcmp(a, "--read-only")) o->read_only = 1;
        else if (!strcmp(a, "--password-stdin")) o->password_stdin = 1;
        else if (!strcmp(a, "--yes")) o->yes = 1;
        else if (!strcmp(a, "--expose")) o->expose = 1;
        else if (!strcmp(a, "--user")) slot = &o->user;
        else if (!strcmp(a, "--name")) slot = &o->name;
        else if (!strcmp(a, "--protocols")) slot = &o->protocols;
        else if (!strcmp(a, "--expires")) slot = &o->expires;
        else if (!strcmp(a, "--display-name")) slot = &o->display_name;
        else if (!strcmp(a, "--allow")) {
            if (i + 1 >= argc || argv[i + 1][0] == '-')
                return fail(c, 2, "--allow needs at least one CIDR");
            while (i + 1 < argc && argv[i + 1][0] != '-') {
                if (o->nallow >= MAX_ALLOW) return fail(c, 2, "too many --allow ranges");
                o->allow[o->nallow++] = argv[++i];
            }
        } else if (a[0] == '-' && a[1]) {
            return fail(c, 2, "unknown option '%s' (see --help)", a);
        } else {
            if (o->npos >= 4) return fail(c, 2, "unexpected argument '%s'", a);
            o->pos[o->npos++] = a;
        }
        if (slot) {
            if (i + 1 >= argc) return fail(c, 2, "%s needs a value", a);
            *slot = argv[++i];
        }
    }
    return 0;
}

static int valid_login(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !isalnum((unsigned char)s[0])) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("._@+-", s[i])) return 0;
    return 1;
}

static int valid_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !utf8_valid(s, n)) return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) return 0;
    return 1;
}

static int valid_address(const char *s)
{
    const char *at = strchr(s, '@');
    size_t n = strlen(s);
    if (!at || at == s || strchr(at + 1, '@') || n > 254 || !at[1] || !strchr(at + 1, '.'))
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= 0x20 || strchr("<>()[]\\,;:\"", *p)) return 0;
    return 1;
}

static int find_account(cli_ctx *c, const char *login, account *out)
{
    int rc = accounts_by_login(c->db, c->pool, login, out);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no such user '%s'", login);
    if (rc != STORE_OK) return fail(c, 1, "the account database is unavailable");
    return 0;
}

static int with_store(cli_ctx *c, store **out)
{
    char *path = config_path(c->cfg, "dav.db");
    int rc = path ? store_open(path, 0, 1, out) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return fail(c, 1, "cannot open the DAV store (run veildav init)");
    return 0;
}

static void print_principal(cli_ctx *c, const char *pid)
{
    printf("%s/principals/%s/\n", c->cfg->public_url ? c->cfg->public_url : "", pid);
}

/* A new password from standard input (first line) or generated and printed. */
static int new_password(cli_ctx *c, char *buf, size_t size, int *generated)
{
    *generated = 0;
    if (!c->o.password_stdin) {
        if (secret_account_password(buf) < 0) return fail(c, 1, "no randomness available");
        *generated = 1;
        return 0;
    }
    if (!fgets(buf, (int)size, stdin)) return fail(c, 2, "no password on standard input");
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!buf[0]) return fail(c, 2, "the password is empty");
    if (strlen(buf) < 12)
        fprintf(stderr, "%s: warning: a password under 12 characters is easy to guess\n", c->prog);
    return 0;
}

/* ---- user ------------------------------------------------------------------ */

static int user_add(cli_ctx *c)
{
    const char *login = c->o.pos[0];
    if (!valid_login(login))
        return fail(c, 2, "invalid login '%s' (1-64 of A-Z a-z 0-9 . _ @ + -, starting "
                          "with a letter or digit)", login);
    if (c->o.display_name && !valid_text(c->o.display_name, 256))
        return fail(c, 2, "invalid display name");
    char pw[1100], hash[PASSHASH_MAX];
    int generated;
    int rc = new_password(c, pw, sizeof pw, &generated);
    if (rc) return rc;
    if (passhash_make(pw, strlen(pw), hash) < 0) return fail(c, 1, "cannot hash the password");
    store *st;
    if ((rc = with_store(c, &st))) return rc;
    int64_t id;
    rc = accounts_create(c->db, login, c->o.display_name, hash, &id);
    if (rc == STORE_EXISTS) {
        store_close(st);
        return fail(c, 1, "user '%s' already exists", login);
    }
    store_principal p;
    if (rc == STORE_OK) {
        /* a new account has no principal: one already there means its id was
         * used before (storage/ACCOUNTS.md forbids that), and taking it would
         * hand the new user someone else's data */
        int prc = store_principal_by_account(st, c->pool, id, &p);
        if (prc == STORE_NOTFOUND)
            prc = store_principal_ensure(st, c->pool, id, c->o.display_name, &p);
        else if (prc == STORE_OK)
            prc = STORE_EXISTS;
        if (prc != STORE_OK) {
            accounts_delete(c->db, id); /* no account without its principal */
            rc = STORE_ERROR;
        }
    }
    store_close(st);
    if (rc != STORE_OK) return fail(c, 1, "cannot create user '%s'", login);
    if (generated) printf("%s\n", pw);
    fprintf(stderr, "created user %s with principal /principals/%s/%s\n", login, p.pid,
            generated ? "; its password is above (shown once)" : "");
    return 0;
}

static int user_list(cli_ctx *c)
{
    account *list;
    int n;
    store *st;
    int rc = with_store(c, &st);
    if (rc) return rc;
    if (accounts_list(c->db, c->pool, &list, &n) != STORE_OK) {
        store_close(st);
        return fail(c, 1, "the account database is unavailable");
    }
    printf("%-24s %-9s %-44s %s\n", "LOGIN", "STATE", "PRINCIPAL", "DISPLAY NAME");
    for (int i = 0; i < n; i++) {
        store_principal p;
        const char *url = store_principal_by_account(st, c->pool, list[i].id, &p) == STORE_OK
                              ? pool_printf(c->pool, "/principals/%s/", p.pid)
                              : "(none yet)";
        printf("%-24s %-9s %-44s %s\n", list[i].login, list[i].locked ? "locked" : "active",
               url, list[i].display_name ? list[i].display_name : "");
    }
    store_close(st);
    return 0;
}

static int user_show(cli_ctx *c)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    store *st;
    if ((rc = with_store(c, &st))) return rc;
    store_principal p;
    store_quota q;
    rc = store_principal_ensure(st, c->pool, a.id, a.display_name, &p);
    if (rc == STORE_OK) rc = store_quota_get(st, p.id, &q);
    store_close(st);
    if (rc != STORE_OK) return fail(c, 1, "cannot read the principal of '%s'", a.login);
    print_principal(c, p.pid);
    printf("login: %s\nstate: %s\ndisplay name: %s\ncreated: %s\n", a.login,
           a.locked ? "locked" : "active", a.display_name ? a.display_name : "",
           a.created ? a.created : "");
    cli_quota_print(c->cfg, &q);
    account_alias *al;
    int n;
    if (accounts_alias_list(c->db, c->pool, a.id, &al, &n) == STORE_OK)
        for (int i = 0; i < n; i++) printf("alias: %s\n", al[i].address);
    app_password *ap;
    if (accounts_app_list(c->db, c->pool, a.id, &ap, &n) == STORE_OK)
        printf("app passwords: %d\n", n);
    return 0;
}

static int user_quota(cli_ctx *c)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    store *st;
    if ((rc = with_store(c, &st))) return rc;
    rc = cli_quota_set(c->prog, c->cfg, st, c->pool, a.id, a.display_name, c->o.pos[1]);
    store_close(st);
    return rc;
}

static int user_set_state(cli_ctx *c, int locked)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    if (accounts_set_locked(c->db, a.id, locked) != STORE_OK)
        return fail(c, 1, "cannot update '%s'", a.login);
    fprintf(stderr, "%s %s\n", locked ? "locked" : "unlocked", a.login);
    return 0;
}

static int user_lock(cli_ctx *c)
{
    return user_set_state(c, 1);
}

static int user_unlock(cli_ctx *c)
{
    return user_set_state(c, 0);
}

static int user_passwd(cli_ctx *c)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    char pw[1100], hash[PASSHASH_MAX];
    int generated;
    if ((rc = new_password(c, pw, sizeof pw, &generated))) return rc;
    if (passhash_make(pw, strlen(pw), hash) < 0) return fail(c, 1, "cannot hash the password");
    if (accounts_set_password(c->db, a.id, hash) != STORE_OK)
        return fail(c, 1, "cannot update '%s'", a.login);
    if (generated) printf("%s\n", pw);
    fprintf(stderr, "password of %s changed\n", a.login);
    return 0;
}

static int user_remove(cli_ctx *c)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    if (!c->o.yes)
        return fail(c, 2, "this removes '%s' and all their calendars, contacts and files for "
                          "good (no backup is kept); add --yes to confirm", a.login);
    store *st;
    if ((rc = with_store(c, &st))) return rc;
    store_principal p;
    int has = store_principal_by_account(st, c->pool, a.id, &p);
    /* the row first: logins stop at once, and DAV data a failure below
     * leaves is a principal without an account, which the server's sweep
     * removes */
    if ((has != STORE_OK && has != STORE_NOTFOUND) || accounts_delete(c->db, a.id) != STORE_OK) {
        store_close(st);
        return fail(c, 1, "cannot remove '%s'", a.login);
    }
    dav_ctx ctx = {.pool = c->pool, .cfg = c->cfg, .st = st, .acct = c->db};
    rc = has == STORE_OK ? dav_account_remove(&ctx, p.id) : STORE_OK;
    int scrub = rc == STORE_OK ? dav_account_scrub(&ctx) : STORE_OK;
    store_close(st);
    if (rc != STORE_OK)
        return fail(c, 1, "removed '%s' from the account database, but not their DAV data: "
                          "the server's sweep (or veildav user sweep) removes it", a.login);
    if (scrub != STORE_OK)
        return fail(c, 1, "removed '%s', but the database files could not be rewritten now "
                          "(busy): run veildav store scrub", a.login);
    fprintf(stderr, "removed %s\n", a.login);
    return 0;
}

static int user_sweep(cli_ctx *c)
{
    store *st;
    int rc = with_store(c, &st);
    if (rc) return rc;
    char *path = config_path(c->cfg, "accounts.db");
    dav_ctx ctx = {.pool = c->pool, .cfg = c->cfg, .st = st, .acct = c->db};
    int found = 0, removed = 0;
    int64_t *ids;
    if (!path) rc = STORE_ERROR;
    else if (!c->o.yes) rc = store_principals_orphaned(st, c->pool, path, 1000000, &ids, &found);
    else rc = dav_account_sweep(&ctx, path, 0, &found, &removed);
    free(path);
    store_close(st);
    if (rc != STORE_OK)
        return fail(c, 1, "%s the data of %d of %d deleted accounts (%s); run it again",
                    removed ? "removed" : "could not remove", removed, found,
                    rc == STORE_BUSY ? "a database is busy" : "a database error");
    if (!c->o.yes) {
        printf("%d\n", found);
        if (found) fprintf(stderr, "%s: add --yes to remove their data\n", c->prog);
        return 0;
    }
    fprintf(stderr, "removed the data of %d deleted account%s\n", removed, removed == 1 ? "" : "s");
    return 0;
}

/* ---- alias ------------------------------------------------------------------ */

static int alias_add(cli_ctx *c)
{
    account a;
    int rc = find_account(c, c->o.pos[0], &a);
    if (rc) return rc;
    char *addr = pool_strdup(c->pool, c->o.pos[1]);
    if (!valid_address(addr)) return fail(c, 2, "invalid address '%s'", addr);
    for (char *p = strchr(addr, '@'); *p; p++) *p = (char)tolower((unsigned char)*p);
    rc = accounts_alias_add(c->db, a.id, addr);
    if (rc == STORE_EXISTS) return fail(c, 1, "the address '%s' is already taken", addr);
    if (rc != STORE_OK) return fail(c, 1, "cannot add '%s'", addr);
    if (c->o.expose && accounts_alias_set_exposed(c->db, addr, 1) != STORE_OK)
        return fail(c, 1, "cannot expose '%s'", addr);
    fprintf(stderr, "added %s to %s%s\n", addr, a.login, c->o.expose ? " (exposed)" : "");
    return 0;
}

static int alias_set_exposed(cli_ctx *c, int exposed)
{
    int rc = accounts_alias_set_exposed(c->db, c->o.pos[0], exposed);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no such alias '%s'", c->o.pos[0]);
    if (rc != STORE_OK) return fail(c, 1, "cannot update '%s'", c->o.pos[0]);
    fprintf(stderr, "%s %s\n", exposed ? "exposed" : "hid", c->o.pos[0]);
    return 0;
}

static int alias_expose(cli_ctx *c)
{
    return alias_set_exposed(c, 1);
}

static int alias_hide(cli_ctx *c)
{
    return alias_set_exposed(c, 0);
}

static int alias_list(cli_ctx *c)
{
    int64_t id = 0;
    if (c->o.npos == 1) {
        account a;
        int rc = find_account(c, c->o.pos[0], &a);
        if (rc) return rc;
        id = a.id;
    }
    account_alias *al;
    int n;
    if (accounts_alias_list(c->db, c->pool, id, &al, &n) != STORE_OK)
        return fail(c, 1, "the account database is unavailable");
    for (int i = 0; i < n; i++)
        printf("%s\t%s\t%s\n", al[i].address, al[i].login, al[i].exposed ? "exposed" : "private");
    return 0;
}

static int alias_remove(cli_ctx *c)
{
    int rc = accounts_alias_remove(c->db, c->o.pos[0]);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no such alias '%s'", c->o.pos[0]);
    if (rc != STORE_OK) return fail(c, 1, "cannot remove '%s'", c->o.pos[0]);
    fprintf(stderr, "removed %s\n", c->o.pos[0]);
    return 0;
}

/* ---- app-password ------------------------------------------------------------ */

static const char *const known_protocols[] = {"dav", "imap", "pop", "smtp"};

/* "imap,dav" -> "dav,imap" (known names, each once, in a fixed order) */
static const char *normalize_protocols(cli_ctx *c, const char *in)
{
    int want[4] = {0};
    char buf[128];
    snprintf(buf, sizeof buf, "%s", in);
    for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int found = 0;
        for (int i = 0; i < 4; i++)
            if (!strcmp(t, known_protocols[i])) want[i] = found = 1;
        if (!found) return NULL;
    }
    char out[64] = "";
    for (int i = 0; i < 4; i++)
        if (want[i]) {
            if (out[0]) strcat(out, ",");
            strcat(out, known_protocols[i]);
        }
    return out[0] ? pool_strdup(c->pool, out) : NULL;
}

static int app_create(cli_ctx *c)
{
    if (!c->o.user || !c->o.name) return fail(c, 2, "--user and --name are required");
    account a;
    int rc = find_account(c, c->o.user, &a);
    if (rc) return rc;
    if (!valid_text(c->o.name, 64)) return fail(c, 2, "invalid name (1-64 printable characters)");
    const char *protocols = normalize_protocols(c, c->o.protocols ? c->o.protocols : "dav");
    if (!protocols) return fail(c, 2, "--protocols takes a list of dav, imap, pop, smtp");
    vbuf cidrs;
    buf_init(&cidrs, 0);
    for (int i = 0; i < c->o.nallow; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", c->o.allow[i]);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            cidr tmp;
            if (cidr_parse(t, &tmp) < 0) {
                buf_free(&cidrs);
                return fail(c, 2, "invalid CIDR '%s'", t);
            }
            if (cidrs.len) buf_putc(&cidrs, ' ');
            buf_puts(&cidrs, t);
        }
    }
    const char *allow = pool_strdup(c->pool, buf_cstr(&cidrs));
    buf_free(&cidrs);
    char expires[21];
    const char *exp = NULL;
    if (c->o.expires) {
        time_t t = iso8601_parse(c->o.expires);
        if (t == (time_t)-1)
            return fail(c, 2, "invalid --expires '%s' (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
                        c->o.expires);
        if (t <= time(NULL)) return fail(c, 2, "--expires '%s' is in the past", c->o.expires);
        iso8601_format(t, expires);
        exp = expires;
    }
    app_password *list;
    int n;
    if (accounts_app_list(c->db, c->pool, a.id, &list, &n) == STORE_OK)
        for (int i = 0; i < n; i++)
            if (!strcmp(list[i].name, c->o.name))
                return fail(c, 1, "an app password named '%s' already exists", c->o.name);
    /* the lookup id must be unique per account: draw again on a collision */
    for (int attempt = 0; attempt < 16; attempt++) {
        char pw[APP_PASSWORD_LEN + 1], lookup[APP_LOOKUP_LEN + 1], norm[APP_NORMALIZED_LEN + 1];
        char hash[PASSHASH_MAX];
        if (secret_app_password(pw, lookup) < 0 ||
            secret_parse_app_password(pw, norm, lookup) < 0 ||
            passhash_make(norm, strlen(norm), hash) < 0)
            return fail(c, 1, "cannot generate a password");
        app_password p = {.account_id = a.id, .name = c->o.name, .lookup = lookup,
                          .hash = hash, .protocols = protocols, .read_only = c->o.read_only,
                          .allow_cidrs = allow, .expires = exp};
        rc = accounts_app_create(c->db, &p, NULL);
        if (rc == STORE_EXISTS) continue;
        if (rc != STORE_OK) return fail(c, 1, "cannot store the app password");
        printf("%s\n", pw);
        fprintf(stderr, "app password '%s' for %s (%s%s%s%s%s%s): shown once, store it now\n",
                c->o.name, a.login, protocols, c->o.read_only ? ", read-only" : "",
                allow[0] ? ", from " : "", allow, exp ? ", until " : "", exp ? exp : "");
        return 0;
    }
    return fail(c, 1, "cannot store the app password");
}

static int app_list(cli_ctx *c)
{
    if (!c->o.user) return fail(c, 2, "--user is required");
    account a;
    int rc = find_account(c, c->o.user, &a);
    if (rc) return rc;
    app_password *list;
    int n;
    if (accounts_app_list(c->db, c->pool, a.id, &list, &n) != STORE_OK)
        return fail(c, 1, "the account database is unavailable");
    printf("%-20s %-16s %-9s %-20s %-20s %-20s %s\n", "NAME", "PROTOCOLS", "ACCESS", "EXPIRES",
           "CREATED", "LAST USED", "ALLOWED FROM");
    for (int i = 0; i < n; i++)
        printf("%-20s %-16s %-9s %-20s %-20s %-20s %s\n", list[i].name, list[i].protocols,
               list[i].read_only ? "read-only" : "read-write",
               list[i].expires ? list[i].expires : "never", list[i].created,
               list[i].last_used ? list[i].last_used : "never",
               list[i].allow_cidrs[0] ? list[i].allow_cidrs : "anywhere");
    return 0;
}

static int app_delete(cli_ctx *c)
{
    if (!c->o.user || !c->o.name) return fail(c, 2, "--user and --name are required");
    account a;
    int rc = find_account(c, c->o.user, &a);
    if (rc) return rc;
    rc = accounts_app_delete(c->db, a.id, c->o.name);
    if (rc == STORE_NOTFOUND) return fail(c, 1, "no app password named '%s'", c->o.name);
    if (rc != STORE_OK) return fail(c, 1, "cannot delete '%s'", c->o.name);
    fprintf(stderr, "deleted app password '%s' of %s\n", c->o.name, a.login);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------ */

static const cli_cmd user_cmds[] = {
    {"add", user_add, 1, "LOGIN [--display-name NAME] [--password-stdin]",
     "Creates an account and its random principal.  Without --password-stdin a password is\n"
     "generated and printed on standard output."},
    {"list", user_list, 0, "", "Lists accounts with their state and principal URL."},
    {"show", user_show, 1, "LOGIN", "Prints the principal URL, then the account's details."},
    {"lock", user_lock, 1, "LOGIN",
     "Locks the account (its subscription expired): every login is refused as a wrong\n"
     "password would be, deliveries to it are answered as to an unknown address, and its\n"
     "data is kept."},
    {"unlock", user_unlock, 1, "LOGIN", "Makes a locked account active again."},
    {"disable", user_lock, 1, "LOGIN", "The same as lock (its earlier name)."},
    {"enable", user_unlock, 1, "LOGIN", "The same as unlock (its earlier name)."},
    {"quota", user_quota, 2, "LOGIN SIZE|unlimited|default",
     "Sets the account's storage quota (RFC 4331): bytes with an optional k, M, G or T\n"
     "(1024-based), unlimited, or default (quota_default_bytes of veildav.conf).  Calendars,\n"
     "address books, files and properties count; a write past it gets 507."},
    {"passwd", user_passwd, 1, "LOGIN [--password-stdin]",
     "Sets the account password (generated and printed unless --password-stdin)."},
    {"remove", user_remove, 1, "LOGIN --yes",
     "Removes the account for good: its app passwords, aliases and rules, its principal\n"
     "and all its data (calendars, contacts, files, properties, shares it gave and\n"
     "received, locks, history), then rewrites both databases so that nothing of it\n"
     "remains in their files.  No backup or trash is kept."},
    {"delete", user_remove, 1, "LOGIN --yes", "The same as remove (its earlier name)."},
    {"sweep", user_sweep, 0, "[--yes]",
     "The server's account sweep, by hand and without its account_sweep_max: removes the\n"
     "DAV data of every account the mail system deleted from the account database, as\n"
     "remove does.  Without --yes it prints how many there are and removes nothing."},
};

static const cli_cmd alias_cmds[] = {
    {"add", alias_add, 2, "LOGIN ADDRESS [--expose]",
     "Adds an e-mail address to an account.  Addresses are private unless exposed: only an\n"
     "exposed address appears in the principal's calendar-user-address-set and lets other\n"
     "users find the principal by searching for that exact address."},
    {"expose", alias_expose, 1, "ADDRESS", "Shows the address through DAV (see add)."},
    {"hide", alias_hide, 1, "ADDRESS", "Stops showing the address through DAV."},
    {"list", alias_list, -1, "[LOGIN]", "Lists aliases (of one account, or all)."},
    {"remove", alias_remove, 1, "ADDRESS", "Removes an address."},
};

static const cli_cmd app_cmds[] = {
    {"create", app_create, 0,
     "--user LOGIN --name NAME [--protocols dav,imap,pop,smtp] [--read-only] [--allow CIDR ...] "
     "[--expires DATE]",
     "Creates an app password and prints it alone on standard output (it is never shown\n"
     "again).  Default protocols: dav.  --allow limits it to client addresses in the given\n"
     "ranges (IPv4 or IPv6); --expires takes YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)."},
    {"list", app_list, 0, "--user LOGIN", "Lists app passwords (never their secrets)."},
    {"delete", app_delete, 0, "--user LOGIN --name NAME", "Deletes an app password at once."},
};

static void group_usage(FILE *f, const char *group, const cli_cmd *cmds, size_t n)
{
    fprintf(f, "usage:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "  veildav %s %s %s\n", group, cmds[i].name, cmds[i].usage);
    fprintf(f, "\n`veildav %s COMMAND --help` explains each.\n", group);
}

static int run_group(const veil_config *cfg, int argc, char **argv, const cli_cmd *cmds,
                     size_t n)
{
    const char *group = argv[0];
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        group_usage(argc < 2 ? stderr : stdout, group, cmds, n);
        return argc < 2 ? 2 : 0;
    }
    const cli_cmd *cmd = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(argv[1], cmds[i].name)) cmd = &cmds[i];
    if (!cmd) {
        fprintf(stderr, "veildav %s: unknown command '%s'\n", group, argv[1]);
        group_usage(stderr, group, cmds, n);
        return 2;
    }
    cli_ctx c = {0};
    c.cfg = cfg;
    char prog[64];
    snprintf(prog, sizeof prog, "veildav %s %s", group, cmd->name);
    c.prog = prog;
    int rc = parse_opts(&c, argc - 2, argv + 2);
    if (rc) return rc;
    if (c.o.help) {
        printf("usage: veildav %s %s %s\n\n%s\n", group, cmd->name, cmd->usage, cmd->help);
        return 0;
    }
    int ok_count = cmd->npos < 0 ? c.o.npos <= 1 : c.o.npos == cmd->npos;
    if (!ok_count) {
        fprintf(stderr, "usage: veildav %s %s %s\n", group, cmd->name, cmd->usage);
        return 2;
    }
    char *path = config_path(cfg, "accounts.db");
    rc = path ? accounts_open(path, &c.db) : STORE_ERROR;
    free(path);
    if (rc != STORE_OK) return fail(&c, 1, "cannot open the account database (run veildav init)");
    c.pool = pool_new();
    rc = c.pool ? cmd->run(&c) : 1;
    pool_free(c.pool);
    accounts_close(c.db);
    return rc;
}

int cli_user(const veil_config *cfg, int argc, char **argv)
{
    return run_group(cfg, argc, argv, user_cmds, sizeof user_cmds / sizeof user_cmds[0]);
}

int cli_alias(const veil_config *cfg, int argc, char **argv)
{
    return run_group(cfg, argc, argv, alias_cmds, sizeof alias_cmds / sizeof alias_cmds[0]);
}

int cli_app_password(const veil_config *cfg, int argc, char **argv)
{
    return run_group(cfg, argc, argv, app_cmds, sizeof app_cmds / sizeof app_cmds[0]);
}

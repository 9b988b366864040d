/* The account database: schema, migrations and queries. */
#include "storage/accounts.h"
#include "storage/stmt_cache.h"
#include "storage/store_rows.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/timefmt.h"

struct accounts {
    sqlite3 *db;
    stmt_cache *stmts; /* every statement prep() hands out; done() gives them back */
};

/* Version 1.  ACCOUNTS.md documents every table and column. */
static const char schema_v1[] =
    "CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO schema_info VALUES('name','veil-accounts');"
    "CREATE TABLE domains("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  created TEXT NOT NULL);"
    "CREATE TABLE accounts("
    "  id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  display_name TEXT,"
    "  password_hash TEXT,"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','disabled')),"
    "  created TEXT NOT NULL,"
    "  updated TEXT NOT NULL);"
    "CREATE TABLE aliases("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  address TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  domain_id INTEGER NOT NULL REFERENCES domains(id),"
    "  exposed INTEGER NOT NULL DEFAULT 0 CHECK (exposed IN (0,1)),"
    "  created TEXT NOT NULL);"
    "CREATE INDEX aliases_account ON aliases(account_id);"
    "CREATE TABLE app_passwords("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  lookup TEXT NOT NULL,"
    "  hash TEXT NOT NULL,"
    "  protocols TEXT NOT NULL,"
    "  read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0,1)),"
    "  allow_cidrs TEXT NOT NULL DEFAULT '',"
    "  expires TEXT,"
    "  created TEXT NOT NULL,"
    "  last_used TEXT,"
    "  UNIQUE(account_id, name),"
    "  UNIQUE(account_id, lookup));";

/* Version 2: the mail service's blocking rules (ACCOUNTS.md): a user's
 * catch-all switch and rules, and their block list. */
static const char schema_v2[] =
    "ALTER TABLE accounts ADD COLUMN catchall_whitelist INTEGER NOT NULL DEFAULT 0 "
    "  CHECK (catchall_whitelist IN (0,1));"
    "CREATE TABLE catchall_rules("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  entry TEXT NOT NULL COLLATE NOCASE,"
    "  created TEXT NOT NULL,"
    "  UNIQUE(account_id, entry));"
    "CREATE TABLE block_list("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  entry TEXT NOT NULL COLLATE NOCASE,"
    "  created TEXT NOT NULL,"
    "  UNIQUE(account_id, entry));";

/* Brings the schema from version v to the current one (inside the caller's
 * transaction).  0 or -1. */
static int migrate(sqlite3 *db, int v)
{
    if (v == 0 && sqlite3_exec(db, schema_v1, NULL, NULL, NULL) != SQLITE_OK) return -1;
    if (v < 2 && sqlite3_exec(db, schema_v2, NULL, NULL, NULL) != SQLITE_OK) return -1;
    /* later versions migrate here: if (v < 3) { ... } */
    char q[64];
    snprintf(q, sizeof q, "PRAGMA user_version = %d", ACCOUNTS_SCHEMA_VERSION);
    return sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void now_iso(char out[21])
{
    iso8601_format(time(NULL), out);
}

static int pragma_int(sqlite3 *db, const char *q, int *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) return -1;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int configure(sqlite3 *db)
{
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 0);
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;"
                         "PRAGMA synchronous=FULL",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

int accounts_init(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int ret = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s", path);
        goto done;
    }
    if (configure(db) < 0) {
        snprintf(err, errlen, "cannot configure %s: %s", path, sqlite3_errmsg(db));
        goto done;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s is busy", path);
        goto done;
    }
    int v;
    if (pragma_int(db, "PRAGMA user_version", &v) < 0) goto fail;
    if (v > ACCOUNTS_SCHEMA_VERSION) {
        snprintf(err, errlen, "%s has schema version %d, newer than this veildav (%d)", path, v,
                 ACCOUNTS_SCHEMA_VERSION);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto done;
    }
    if (migrate(db, v) != 0 || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    ret = 0;
    goto done;
fail:
    snprintf(err, errlen, "cannot create the schema in %s: %s", path, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
done:
    sqlite3_close(db);
    return ret;
}

int accounts_open(const char *path, accounts **out)
{
    accounts *a = calloc(1, sizeof(*a));
    if (!a) return STORE_ERROR;
    int v;
    if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        configure(a->db) < 0 || pragma_int(a->db, "PRAGMA user_version", &v) < 0 || v < 1 ||
        v > ACCOUNTS_SCHEMA_VERSION) {
        accounts_close(a);
        return STORE_ERROR;
    }
    if (v < ACCOUNTS_SCHEMA_VERSION) {
        /* an older database (the mail system's, from before an upgrade) is
         * brought up to date once, in one transaction */
        if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
            pragma_int(a->db, "PRAGMA user_version", &v) < 0 ||
            (v < ACCOUNTS_SCHEMA_VERSION && migrate(a->db, v) != 0) ||
            sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
            accounts_close(a);
            return STORE_ERROR;
        }
    }
    if (!(a->stmts = stmt_cache_new(a->db))) {
        accounts_close(a);
        return STORE_ERROR;
    }
    *out = a;
    return STORE_OK;
}

void accounts_close(accounts *a)
{
    if (!a) return;
    stmt_cache_free(a->stmts);
    sqlite3_close_v2(a->db);
    free(a);
}

int accounts_begin(accounts *a)
{
    return store_rc(sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
}

int accounts_commit(accounts *a)
{
    return store_rc(sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL));
}

void accounts_rollback(accounts *a)
{
    if (!sqlite3_get_autocommit(a->db)) sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- small statement helpers ------------------------------------------------ */

/* Gives a statement from prep() back to the cache. */
static void done(accounts *a, sqlite3_stmt *st)
{
    stmt_cache_put(a->stmts, st);
}

/* Prepares q and binds args described by fmt: 'i' int64, 's' text (NULL ok). */
static sqlite3_stmt *prep(accounts *a, const char *q, const char *fmt, ...)
{
    sqlite3_stmt *st = stmt_cache_get(a->stmts, q);
    if (!st) return NULL;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i') {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else {
            const char *s = va_arg(ap, const char *);
            if (s) sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT);
            else sqlite3_bind_null(st, i + 1);
        }
    }
    va_end(ap);
    return st;
}

static int exec_done(accounts *a, sqlite3_stmt *st, int need_change)
{
    if (!st) return STORE_ERROR;
    int rc = store_rc(sqlite3_step(st));
    done(a, st);
    if (rc == STORE_OK && need_change && sqlite3_changes(a->db) == 0) return STORE_NOTFOUND;
    return rc;
}

static char *col(vpool *pool, sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_NULL) return NULL;
    return pool_memdup(pool, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
}

/* ---- accounts --------------------------------------------------------------- */

#define ACCOUNT_COLS "id,login,display_name,password_hash,state,created"

static void read_account(vpool *pool, sqlite3_stmt *st, account *out)
{
    out->id = sqlite3_column_int64(st, 0);
    out->login = col(pool, st, 1);
    out->display_name = col(pool, st, 2);
    out->password_hash = col(pool, st, 3);
    const char *state = (const char *)sqlite3_column_text(st, 4);
    out->disabled = !state || strcmp(state, "active") != 0;
    out->created = col(pool, st, 5);
}

static int one_account(accounts *a, vpool *pool, sqlite3_stmt *st, account *out)
{
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) read_account(pool, st, out);
    done(a, st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int accounts_by_login(accounts *a, vpool *pool, const char *login, account *out)
{
    return one_account(a, pool, prep(a, "SELECT " ACCOUNT_COLS " FROM accounts WHERE login=?", "s",
                                  login),
                       out);
}

int accounts_by_id(accounts *a, vpool *pool, int64_t id, account *out)
{
    return one_account(a, pool, prep(a, "SELECT " ACCOUNT_COLS " FROM accounts WHERE id=?", "i", id),
                       out);
}

int accounts_create(accounts *a, const char *login, const char *display_name,
                    const char *password_hash, int64_t *id)
{
    char now[21];
    now_iso(now);
    int rc = exec_done(a, prep(a,
                               "INSERT INTO accounts(login,display_name,password_hash,created,"
                               "updated) VALUES(?,?,?,?,?)",
                               "sssss", login, display_name, password_hash, now, now),
                       0);
    if (rc == STORE_OK && id) *id = sqlite3_last_insert_rowid(a->db);
    return rc;
}

int accounts_set_disabled(accounts *a, int64_t id, int disabled)
{
    char now[21];
    now_iso(now);
    return exec_done(a, prep(a, "UPDATE accounts SET state=?, updated=? WHERE id=?", "ssi",
                             disabled ? "disabled" : "active", now, id),
                     1);
}

int accounts_set_password(accounts *a, int64_t id, const char *password_hash)
{
    char now[21];
    now_iso(now);
    return exec_done(a, prep(a, "UPDATE accounts SET password_hash=?, updated=? WHERE id=?", "ssi",
                             password_hash, now, id),
                     1);
}

int accounts_delete(accounts *a, int64_t id)
{
    return exec_done(a, prep(a, "DELETE FROM accounts WHERE id=?", "i", id), 1);
}

static int account_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    read_account(pool, st, elem);
    return STORE_OK;
}

int accounts_list(accounts *a, vpool *pool, account **out, int *n)
{
    sqlite3_stmt *st = prep(a, "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY login", "");
    if (!st) return STORE_ERROR;
    static const store_rows how = {account_row, NULL, sizeof(account), 16, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    done(a, st);
    *out = arr;
    return rc;
}

int accounts_has_protocol(const char *protocols, const char *proto)
{
    size_t n = strlen(proto);
    for (const char *p = protocols; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, proto, n) == 0) return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int dav_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    if (accounts_has_protocol((const char *)sqlite3_column_text(st, 0), "dav")) *(int *)arg = 1;
    return STORE_OK;
}

int accounts_has_dav_app_password(accounts *a, int64_t id, int *yes)
{
    sqlite3_stmt *st = prep(a, "SELECT protocols FROM app_passwords WHERE account_id=?", "i", id);
    if (!st) return STORE_ERROR;
    *yes = 0;
    store_rows how = {dav_row, yes, 0, 0, -1};
    int count;
    int rc = store_collect(st, NULL, &how, NULL, &count);
    done(a, st);
    return rc;
}

/* ---- aliases ---------------------------------------------------------------- */

int accounts_alias_add(accounts *a, int64_t account_id, const char *address)
{
    const char *at = strrchr(address, '@');
    if (!at) return STORE_ERROR;
    char now[21];
    now_iso(now);
    int rc = exec_done(a, prep(a, "INSERT OR IGNORE INTO domains(name,created) VALUES(?,?)", "ss",
                               at + 1, now),
                       0);
    if (rc != STORE_OK) return rc;
    return exec_done(a, prep(a,
                             "INSERT INTO aliases(account_id,address,domain_id,created) "
                             "SELECT ?,?,id,? FROM domains WHERE name=?",
                             "isss", account_id, address, now, at + 1),
                     1);
}

int accounts_alias_set_exposed(accounts *a, const char *address, int exposed)
{
    return exec_done(a, prep(a, "UPDATE aliases SET exposed=? WHERE address=?", "is",
                             (int64_t)(exposed ? 1 : 0), address),
                     1);
}

int accounts_exposed_owner(accounts *a, const char *address, int64_t *account_id)
{
    sqlite3_stmt *st = prep(a, "SELECT al.account_id FROM aliases al JOIN accounts ac ON "
                               "ac.id=al.account_id WHERE al.address=? AND al.exposed=1 AND "
                               "ac.state='active'",
                            "s", address);
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *account_id = sqlite3_column_int64(st, 0);
    done(a, st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int accounts_address_owner(accounts *a, const char *address, int64_t *account_id, int *exposed)
{
    /* the address column is NOCASE: any case of the address names its owner */
    sqlite3_stmt *st = prep(a, "SELECT al.account_id, al.exposed FROM aliases al JOIN accounts ac "
                               "ON ac.id=al.account_id WHERE al.address=? AND ac.state='active'",
                            "s", address);
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *account_id = sqlite3_column_int64(st, 0);
        if (exposed) *exposed = sqlite3_column_int(st, 1);
    }
    done(a, st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int accounts_domain_served(accounts *a, const char *domain, int *yes)
{
    sqlite3_stmt *st = prep(a, "SELECT 1 FROM domains WHERE name=?", "s", domain);
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    done(a, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc(rc);
}

int accounts_alias_remove(accounts *a, const char *address)
{
    return exec_done(a, prep(a, "DELETE FROM aliases WHERE address=?", "s", address), 1);
}

static int alias_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    account_alias *al = elem;
    al->address = col(pool, st, 0);
    al->login = col(pool, st, 1);
    al->exposed = sqlite3_column_int(st, 2);
    return STORE_OK;
}

int accounts_alias_list(accounts *a, vpool *pool, int64_t account_id, account_alias **out, int *n)
{
    sqlite3_stmt *st =
        account_id ? prep(a,
                          "SELECT al.address, ac.login, al.exposed FROM aliases al JOIN accounts "
                          "ac ON ac.id=al.account_id WHERE al.account_id=? ORDER BY al.address",
                          "i", account_id)
                   : prep(a,
                          "SELECT al.address, ac.login, al.exposed FROM aliases al JOIN accounts "
                          "ac ON ac.id=al.account_id ORDER BY ac.login, al.address",
                          "");
    if (!st) return STORE_ERROR;
    static const store_rows how = {alias_row, NULL, sizeof(account_alias), 16, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    done(a, st);
    *out = arr;
    return rc;
}

/* ---- app passwords ---------------------------------------------------------- */

#define APP_COLS                                                                             \
    "id,account_id,name,lookup,hash,protocols,read_only,allow_cidrs,expires,created,last_used"

static void read_app(vpool *pool, sqlite3_stmt *st, app_password *p)
{
    p->id = sqlite3_column_int64(st, 0);
    p->account_id = sqlite3_column_int64(st, 1);
    p->name = col(pool, st, 2);
    p->lookup = col(pool, st, 3);
    p->hash = col(pool, st, 4);
    p->protocols = col(pool, st, 5);
    p->read_only = sqlite3_column_int(st, 6);
    p->allow_cidrs = col(pool, st, 7);
    if (!p->allow_cidrs) p->allow_cidrs = "";
    p->expires = col(pool, st, 8);
    p->created = col(pool, st, 9);
    p->last_used = col(pool, st, 10);
}

static int one_app(accounts *a, vpool *pool, sqlite3_stmt *st, app_password *out)
{
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) read_app(pool, st, out);
    done(a, st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int accounts_app_create(accounts *a, const app_password *p, int64_t *id)
{
    char now[21];
    now_iso(now);
    sqlite3_stmt *st = prep(a,
                            "INSERT INTO app_passwords(account_id,name,lookup,hash,protocols,"
                            "read_only,allow_cidrs,expires,created) VALUES(?,?,?,?,?,?,?,?,?)",
                            "issssisss", p->account_id, p->name, p->lookup, p->hash, p->protocols,
                            (int64_t)(p->read_only ? 1 : 0), p->allow_cidrs ? p->allow_cidrs : "",
                            p->expires, now);
    int rc = exec_done(a, st, 0);
    if (rc == STORE_OK && id) *id = sqlite3_last_insert_rowid(a->db);
    return rc;
}

int accounts_app_by_lookup(accounts *a, vpool *pool, int64_t account_id, const char *lookup,
                           app_password *out)
{
    return one_app(a, pool, prep(a,
                              "SELECT " APP_COLS " FROM app_passwords WHERE account_id=? AND "
                              "lookup=?",
                              "is", account_id, lookup),
                   out);
}

int accounts_app_by_id(accounts *a, vpool *pool, int64_t id, app_password *out)
{
    return one_app(a, pool, prep(a, "SELECT " APP_COLS " FROM app_passwords WHERE id=?", "i", id),
                   out);
}

static int app_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    read_app(pool, st, elem);
    return STORE_OK;
}

int accounts_app_list(accounts *a, vpool *pool, int64_t account_id, app_password **out, int *n)
{
    sqlite3_stmt *st = prep(a,
                            "SELECT " APP_COLS " FROM app_passwords WHERE account_id=? ORDER BY "
                            "name",
                            "i", account_id);
    if (!st) return STORE_ERROR;
    static const store_rows how = {app_row, NULL, sizeof(app_password), 8, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    done(a, st);
    *out = arr;
    return rc;
}

int accounts_app_delete(accounts *a, int64_t account_id, const char *name)
{
    return exec_done(a, prep(a, "DELETE FROM app_passwords WHERE account_id=? AND name=?", "is",
                             account_id, name),
                     1);
}

int accounts_app_touch(accounts *a, int64_t id, const char *when)
{
    return exec_done(a, prep(a, "UPDATE app_passwords SET last_used=? WHERE id=?", "si", when, id),
                     0);
}

/* ---- the mail service's blocking rules ---------------------------------------- */

static int entry_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    (void)arg;
    *(const char **)elem = col(pool, st, 0);
    return *(const char **)elem ? STORE_OK : STORE_ERROR;
}

static int entries(accounts *a, vpool *pool, const char *q, int64_t account_id, const char ***out,
                   size_t *n)
{
    sqlite3_stmt *st = prep(a, q, "i", account_id);
    if (!st) return STORE_ERROR;
    static const store_rows how = {entry_row, NULL, sizeof(const char *), 16, 100000};
    void *arr;
    int count = 0;
    int rc = store_collect(st, pool, &how, &arr, &count);
    done(a, st);
    *out = arr;
    *n = (size_t)count;
    return rc;
}

int accounts_policy(accounts *a, vpool *pool, int64_t account_id, account_policy *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st = prep(a, "SELECT catchall_whitelist FROM accounts WHERE id=?", "i",
                            account_id);
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) out->catchall_whitelist = sqlite3_column_int(st, 0);
    done(a, st);
    if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
    rc = entries(a, pool, "SELECT entry FROM catchall_rules WHERE account_id=? ORDER BY id",
                 account_id, &out->catchall, &out->ncatchall);
    if (rc == STORE_OK)
        rc = entries(a, pool, "SELECT entry FROM block_list WHERE account_id=? ORDER BY id",
                     account_id, &out->blocked, &out->nblocked);
    return rc;
}

int accounts_policy_add(accounts *a, int64_t account_id, int which, const char *entry)
{
    char now[21];
    now_iso(now);
    return exec_done(a, prep(a, which == ACCOUNTS_BLOCK_LIST
                                    ? "INSERT OR IGNORE INTO block_list(account_id,entry,created) "
                                      "VALUES(?,?,?)"
                                    : "INSERT OR IGNORE INTO catchall_rules(account_id,entry,"
                                      "created) VALUES(?,?,?)",
                             "iss", account_id, entry, now),
                     0);
}

int accounts_policy_remove(accounts *a, int64_t account_id, int which, const char *entry)
{
    return exec_done(a, prep(a, which == ACCOUNTS_BLOCK_LIST
                                    ? "DELETE FROM block_list WHERE account_id=? AND entry=?"
                                    : "DELETE FROM catchall_rules WHERE account_id=? AND entry=?",
                             "is", account_id, entry),
                     1);
}

int accounts_catchall_mode(accounts *a, int64_t account_id, int whitelist)
{
    return exec_done(a, prep(a, "UPDATE accounts SET catchall_whitelist=? WHERE id=?", "ii",
                             (int64_t)(whitelist ? 1 : 0), account_id),
                     1);
}

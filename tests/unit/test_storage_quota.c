/* The storage quota counter (storage/store_quota.c): every write the store
 * makes moves it by exactly what the rows take, whichever function makes it;
 * a write transaction learns whose usage it grew past a limit; a unit can be
 * undone alone; the version 8 migration and `store check` recount. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "tests/unit/check.h"
#include "tests/unit/store_downgrade.h"

static char dir[] = "/tmp/veil-quota-XXXXXX";
static char path[256];

static void remove_store(void)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s%s", path, sfx[i]);
        unlink(f);
    }
}

static store *open_new(void)
{
    remove_store();
    store *s = NULL;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    return s;
}

static int64_t user(store *s, vpool *p, int64_t account)
{
    store_principal pr;
    CHECK_INT(store_principal_create(s, p, account, STORE_PRINCIPAL_USER, NULL, &pr), STORE_OK);
    return pr.id;
}

static int64_t mk(store *s, vpool *p, int64_t parent, const char *name, int kind, int64_t owner,
                  const char *body)
{
    store_node n = {.parent = parent, .name = name, .kind = kind, .owner = owner};
    store_content c = {.body = body, .length = body ? strlen(body) : 0, .etag = "e"};
    store_node out;
    int rc = store_node_create(s, p, &n, body ? &c : NULL, &out);
    CHECK_INT(rc, STORE_OK);
    return rc == STORE_OK ? out.id : 0;
}

static int64_t used(store *s, int64_t principal)
{
    store_quota q = {-1, -1};
    CHECK_INT(store_quota_get(s, principal, &q), STORE_OK);
    return q.used;
}

/* The counters agree with a recount of the rows. */
static void no_drift(store *s, vpool *p)
{
    store_quota_drift *d;
    int n = -1;
    CHECK_INT(store_quota_drifts(s, p, 100, &d, &n), STORE_OK);
    CHECK_INT(n, 0);
    for (int i = 0; i < n; i++)
        fprintf(stderr, "  drift: principal %lld counted %lld, actual %lld\n",
                (long long)d[i].principal, (long long)d[i].counted, (long long)d[i].actual);
}

static void test_every_write(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t a = user(s, p, 1), b = user(s, p, 2);
    CHECK_INT(used(s, a), 0);
    int64_t home = mk(s, p, STORE_ROOT_FILES, "ha", STORE_KIND_HOME_FILES, a, NULL);
    int64_t bhome = mk(s, p, STORE_ROOT_FILES, "hb", STORE_KIND_HOME_FILES, b, NULL);
    int64_t dirn = mk(s, p, home, "d", STORE_KIND_COLLECTION, a, NULL);
    int64_t f = mk(s, p, dirn, "f", STORE_KIND_RESOURCE, a, "hello");
    CHECK_INT(used(s, a), 5);
    store_content c = {.body = "hey", .length = 3, .etag = "e2"};
    CHECK_INT(store_node_update(s, p, f, &c, NULL), STORE_OK);
    CHECK_INT(used(s, a), 3);
    /* a dead property as stored, in UTF-8 bytes */
    CHECK_INT(store_prop_set(s, f, "urn:x", "p", "<p>\xc3\xa9</p>"), STORE_OK); /* 9 bytes */
    CHECK_INT(used(s, a), 12);
    CHECK_INT(store_prop_set(s, f, "urn:x", "p", "<p/>"), STORE_OK); /* replaced: 4 */
    CHECK_INT(used(s, a), 7);
    CHECK_INT(store_prop_set(s, dirn, "urn:x", "q", "<q/>"), STORE_OK);
    CHECK_INT(used(s, a), 11);
    /* a per-user property is its principal's, whoever owns the node */
    CHECK_INT(store_userprop_set(s, dirn, b, "urn:x", "c", "<c>1</c>"), STORE_OK);
    CHECK_INT(used(s, b), 8);
    CHECK_INT(store_userprop_set(s, dirn, b, "urn:x", "c", "<c>12</c>"), STORE_OK);
    CHECK_INT(used(s, b), 9);
    CHECK_INT(used(s, a), 11);
    no_drift(s, p);

    /* a copy is charged to the owner it is given */
    store_node copy;
    CHECK_INT(store_node_copy(s, p, dirn, bhome, "d2", 1, b, &copy), STORE_OK);
    CHECK_INT(used(s, b), 9 + 11);
    CHECK_INT(used(s, a), 11);
    /* a move into someone else's space takes the bytes along */
    int64_t g = mk(s, p, dirn, "g", STORE_KIND_RESOURCE, a, "0123456789");
    CHECK_INT(used(s, a), 21);
    CHECK_INT(store_node_move(s, g, bhome, "g"), STORE_OK);
    CHECK_INT(store_node_set_owner(s, g, b), STORE_OK);
    CHECK_INT(used(s, a), 11);
    CHECK_INT(used(s, b), 30);
    no_drift(s, p);

    /* a property removed, a subtree deleted: credited at once */
    CHECK_INT(store_prop_remove(s, dirn, "urn:x", "q"), STORE_OK);
    CHECK_INT(used(s, a), 7);
    CHECK_INT(store_node_delete(s, dirn), STORE_OK);
    CHECK_INT(used(s, a), 0);
    CHECK_INT(used(s, b), 21); /* b's per-user property on the deleted node went too */
    CHECK_INT(store_userprop_remove(s, copy.id, b, "urn:x", "none"), STORE_OK);
    CHECK_INT(store_node_delete(s, copy.id), STORE_OK);
    CHECK_INT(used(s, b), 10);
    no_drift(s, p);

    /* a principal removed: what others set on its nodes goes with them */
    int64_t h2 = mk(s, p, STORE_ROOT_CALENDARS, "ha", STORE_KIND_HOME_CALENDARS, a, NULL);
    CHECK_INT(store_userprop_set(s, h2, b, "urn:x", "c", "<c/>"), STORE_OK);
    CHECK_INT(used(s, b), 14);
    CHECK_INT(store_principal_delete(s, a), STORE_OK);
    CHECK_INT(used(s, b), 10);
    no_drift(s, p);
    pool_free(p);
    store_close(s);
}

static void test_exceeded(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t a = user(s, p, 1), b = user(s, p, 2);
    int64_t home = mk(s, p, STORE_ROOT_FILES, "ha", STORE_KIND_HOME_FILES, a, NULL);
    int64_t bhome = mk(s, p, STORE_ROOT_FILES, "hb", STORE_KIND_HOME_FILES, b, NULL);
    CHECK_INT(store_quota_set_limit(s, a, 10), STORE_OK);
    CHECK_INT(store_quota_set_limit(s, 999, 10), STORE_NOTFOUND);
    store_quota q;
    CHECK_INT(store_quota_get(s, a, &q), STORE_OK);
    CHECK_INT(store_quota_limit(&q, 5), 10);
    CHECK_INT(store_quota_get(s, b, &q), STORE_OK);
    CHECK_INT(q.limit, STORE_QUOTA_DEFAULT);
    CHECK_INT(store_quota_limit(&q, 5), 5);

    int64_t over = -1;
    CHECK_INT(store_begin_write(s), STORE_OK);
    int64_t f = mk(s, p, home, "f", STORE_KIND_RESOURCE, a, "12345678");
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0); /* 8 of 10 */
    mk(s, p, home, "g", STORE_KIND_RESOURCE, a, "123");
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, a); /* 11 of 10 */
    store_rollback(s);
    CHECK_INT(used(s, a), 0);

    /* usage already above a limit lowered since: freeing space passes,
     * growing does not, and only the transaction's own changes count */
    CHECK_INT(store_begin_write(s), STORE_OK);
    f = mk(s, p, home, "f", STORE_KIND_RESOURCE, a, "123456789012");
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0);
    store_content c = {.body = "12345678901", .length = 11, .etag = "x"};
    CHECK_INT(store_node_update(s, p, f, &c, NULL), STORE_OK);
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0);
    store_rollback(s);
    CHECK_INT(store_begin_write(s), STORE_OK);
    /* down and up again within one transaction: judged against the start */
    CHECK_INT(store_node_delete(s, f), STORE_OK);
    mk(s, p, home, "h", STORE_KIND_RESOURCE, a, "123456789012");
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0);
    CHECK_INT(store_prop_set(s, home, "urn:x", "p", "<p/>"), STORE_OK);
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, a);
    store_rollback(s);

    /* the configuration's default applies to those on it; 0 is none */
    CHECK_INT(store_begin_write(s), STORE_OK);
    mk(s, p, bhome, "f", STORE_KIND_RESOURCE, b, "123456");
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0);
    CHECK_INT(store_quota_exceeded(s, 5, &over), STORE_OK);
    CHECK_INT(over, b);
    CHECK_INT(store_quota_set_limit(s, b, STORE_QUOTA_NONE), STORE_OK);
    CHECK_INT(store_quota_exceeded(s, 5, &over), STORE_OK);
    CHECK_INT(over, 0);
    store_rollback(s);
    pool_free(p);
    store_close(s);
}

static void test_savepoint(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t a = user(s, p, 1);
    int64_t home = mk(s, p, STORE_ROOT_FILES, "ha", STORE_KIND_HOME_FILES, a, NULL);
    CHECK_INT(store_savepoint(s), STORE_ERROR); /* only inside a write transaction */
    CHECK_INT(store_quota_set_limit(s, a, 10), STORE_OK);
    CHECK_INT(store_begin_write(s), STORE_OK);
    mk(s, p, home, "kept", STORE_KIND_RESOURCE, a, "1234");
    CHECK_INT(store_savepoint(s), STORE_OK);
    mk(s, p, home, "undone", STORE_KIND_RESOURCE, a, "1234567890");
    CHECK_INT(used(s, a), 14);
    CHECK_INT(store_savepoint(s), STORE_OK); /* nested, kept */
    CHECK_INT(store_prop_set(s, home, "urn:x", "p", "<p/>"), STORE_OK);
    CHECK_INT(store_savepoint_end(s, 0), STORE_OK);
    CHECK_INT(store_savepoint_end(s, 1), STORE_OK);
    CHECK_INT(used(s, a), 4);
    int64_t over = -1;
    CHECK_INT(store_quota_exceeded(s, 0, &over), STORE_OK);
    CHECK_INT(over, 0);
    store_node n;
    CHECK_INT(store_node_child(s, p, home, "undone", &n), STORE_NOTFOUND);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_INT(used(s, a), 4);
    no_drift(s, p);
    pool_free(p);
    store_close(s);
}

static void raw(const char *q)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int user_version(void)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v = -1;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

/* A store written by any earlier version has its counters computed when
 * opened, keeps working, and counts what is written after. */
static void test_migration_from_every_version(void)
{
    static const int versions[] = {7, 4, 3, 2, 1};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        int v = versions[i];
        store *s = open_new();
        vpool *p = pool_new();
        int64_t a = user(s, p, 1), b = user(s, p, 2);
        int64_t home = mk(s, p, STORE_ROOT_FILES, "ha", STORE_KIND_HOME_FILES, a, NULL);
        int64_t f = mk(s, p, home, "f", STORE_KIND_RESOURCE, a, "hello");
        CHECK_INT(store_prop_set(s, home, "urn:x", "p", "<p/>"), STORE_OK);
        CHECK_INT(store_userprop_set(s, home, b, "urn:x", "c", "<c/>"), STORE_OK);
        store_close(s);
        sqlite3 *db;
        CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
        CHECK_INT(store_downgrade(db, v), 0);
        sqlite3_close(db);
        s = NULL;
        CHECK_INT(store_open(path, 0, 0, &s), STORE_OK);
        CHECK_INT(user_version(), 10);
        CHECK_INT(used(s, a), 9);
        CHECK_INT(used(s, b), v <= 1 ? 0 : 4); /* version 1 had no per-user properties */
        no_drift(s, p);
        /* the migrated store works and counts: a write, a delete */
        mk(s, p, home, "g", STORE_KIND_RESOURCE, a, "0123456789");
        CHECK_INT(used(s, a), 19);
        CHECK_INT(store_node_delete(s, f), STORE_OK);
        CHECK_INT(used(s, a), 14);
        CHECK_INT(store_userprop_set(s, home, b, "urn:x", "d", "<dd/>"), STORE_OK);
        CHECK_INT(used(s, b), v <= 1 ? 5 : 9);
        no_drift(s, p);
        store_close(s);
        pool_free(p);
    }
}

/* A counter changed behind the store's back is found and recounted. */
static void test_migration_and_drift(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t a = user(s, p, 1), b = user(s, p, 2);
    int64_t home = mk(s, p, STORE_ROOT_FILES, "ha", STORE_KIND_HOME_FILES, a, NULL);
    mk(s, p, home, "f", STORE_KIND_RESOURCE, a, "hello");
    CHECK_INT(store_prop_set(s, home, "urn:x", "p", "<p/>"), STORE_OK);
    CHECK_INT(store_userprop_set(s, home, b, "urn:x", "c", "<c/>"), STORE_OK);
    store_close(s);

    /* what an operator's sqlite3 could do: the triggers still count its
     * writes, a counter set by hand is drift */
    raw("DELETE FROM props; UPDATE principals SET quota_used=quota_used+100 WHERE account_id=2");
    CHECK_INT(store_open(path, 0, 0, &s), STORE_OK);
    CHECK_INT(used(s, a), 5);
    store_quota_drift *d;
    int n = 0;
    CHECK_INT(store_quota_drifts(s, p, 100, &d, &n), STORE_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(d[0].principal, b);
        CHECK_INT(d[0].counted, 104);
        CHECK_INT(d[0].actual, 4);
    }
    CHECK_INT(store_quota_recount(s), STORE_OK);
    CHECK_INT(used(s, b), 4);
    no_drift(s, p);
    pool_free(p);
    store_close(s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_every_write);
    RUN(test_exceeded);
    RUN(test_savepoint);
    RUN(test_migration_from_every_version);
    RUN(test_migration_and_drift);
    remove_store();
    rmdir(dir);
    return check_summary();
}

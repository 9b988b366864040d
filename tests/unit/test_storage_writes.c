/* What the store enforces on writes, whoever calls it: conditional writes
 * (STORE_CONFLICT), one UID per collection (STORE_EXISTS) and the version 5
 * migration that keeps and marks older duplicates, and the race-safe
 * store_principal_ensure.  Against real SQLite files. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-writes-XXXXXX";
static char path[256];

/* Each test starts from an empty store. */
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

static store *open_again(void)
{
    store *s = NULL;
    CHECK_INT(store_open(path, 0, 0, &s), STORE_OK);
    return s;
}

static int64_t mk(store *s, vpool *p, int64_t parent, const char *name, int kind, const char *uid,
                  const char *body)
{
    store_node n = {.parent = parent, .name = name, .kind = kind, .owner = 1};
    store_content c = {.body = body, .length = body ? strlen(body) : 0, .etag = body, .uid = uid};
    store_node out;
    int rc = store_node_create(s, p, &n, body ? &c : NULL, &out);
    CHECK_INT(rc, STORE_OK);
    return rc == STORE_OK ? out.id : 0;
}

static store_content content(const char *body, const char *uid)
{
    return (store_content){.body = body, .length = strlen(body), .etag = body, .uid = uid};
}

static const char *body_of(store *s, vpool *p, int64_t id)
{
    const char *d;
    size_t len;
    return store_body_get(s, p, id, &d, &len) == STORE_OK ? d : "(none)";
}

/* ---- conditional writes ------------------------------------------------------ */

static void test_conditional(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "h", STORE_KIND_HOME_CALENDARS, NULL, NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t m = mk(s, p, cal, "m.ics", STORE_KIND_RESOURCE, "u1", "one");
    store_node read, now, col;
    CHECK_INT(store_node_get(s, p, m, &read), STORE_OK);

    /* the revision the caller read: the write happens */
    store_content two = content("two", "u1");
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &two, &now), STORE_OK);
    CHECK(now.revision > read.revision);
    CHECK_STR(body_of(s, p, m), "two");

    /* a stale one: STORE_CONFLICT and nothing changes, the collection's
     * revision and change log included */
    store_content three = content("three", "u1");
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    int64_t crev = col.revision;
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, read.revision), STORE_CONFLICT);
    CHECK_STR(body_of(s, p, m), "two");
    store_node after;
    CHECK_INT(store_node_get(s, p, m, &after), STORE_OK);
    CHECK_INT(after.revision, now.revision);
    CHECK_STR(after.etag, "two");
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    CHECK_INT(col.revision, crev);
    store_change *ch;
    int nc;
    CHECK_INT(store_changes_since(s, p, cal, crev - 1, 0, &ch, &nc), STORE_OK);
    CHECK_INT(nc, 1);

    /* inside the caller's transaction: the same, and the transaction goes on */
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, read.revision), STORE_CONFLICT);
    CHECK_INT(store_node_update_if(s, p, m, now.revision, &three, &after), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_STR(body_of(s, p, m), "three");

    /* another connection wrote after this one read: a conflict */
    store *other = open_again();
    store_node seen;
    CHECK_INT(store_node_get(s, p, m, &seen), STORE_OK);
    store_content four = content("four", "u1");
    CHECK_INT(store_node_update(other, p, m, &four, NULL), STORE_OK);
    CHECK_INT(store_node_update_if(s, p, m, seen.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_CONFLICT);
    CHECK_STR(body_of(s, p, m), "four");
    store_close(other);

    /* a delete with the current revision; then the node is gone, which is a
     * change too */
    CHECK_INT(store_node_get(s, p, m, &seen), STORE_OK);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_OK);
    CHECK_INT(store_node_get(s, p, m, &after), STORE_NOTFOUND);
    CHECK_INT(store_node_update_if(s, p, m, seen.revision, &four, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_CONFLICT);
    CHECK_INT(store_node_get(s, p, m, &after), STORE_NOTFOUND);

    /* collections: their revision is their change counter */
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    mk(s, p, cal, "n.ics", STORE_KIND_RESOURCE, "u2", "x");
    CHECK_INT(store_node_delete_if(s, cal, col.revision), STORE_CONFLICT);
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    CHECK_INT(store_node_delete_if(s, cal, col.revision), STORE_OK);
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_NOTFOUND);
    CHECK_INT(store_integrity_check(s), STORE_OK);
    pool_free(p);
    store_close(s);
}

/* ---- one UID per collection -------------------------------------------------- */

/* op in a write transaction, committed when it succeeds and rolled back when
 * not, as the DAV layer does */
#define IN_TX(s, op)                                                                               \
    ({                                                                                             \
        int in_tx_rc_ = store_begin_write(s);                                                      \
        if (in_tx_rc_ == STORE_OK) in_tx_rc_ = (op);                                               \
        if (in_tx_rc_ == STORE_OK)                                                                 \
            in_tx_rc_ = store_commit(s);                                                           \
        else                                                                                       \
            store_rollback(s);                                                                     \
        in_tx_rc_;                                                                                 \
    })

static int create_in(store *s, vpool *p, int64_t parent, const char *name, const char *uid)
{
    store_node n = {.parent = parent, .name = name, .kind = STORE_KIND_RESOURCE, .owner = 1};
    store_content c = content("body", uid);
    return store_node_create(s, p, &n, &c, NULL);
}

static void test_uid_unique(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "h", STORE_KIND_HOME_CALENDARS, NULL, NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t cal2 = mk(s, p, home, "cal2", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t a = mk(s, p, cal, "a.ics", STORE_KIND_RESOURCE, "U", "a");
    store_node n;

    /* create */
    CHECK_INT(IN_TX(s, create_in(s, p, cal, "b.ics", "U")), STORE_EXISTS);
    CHECK_INT(store_node_child(s, p, cal, "b.ics", &n), STORE_NOTFOUND);
    CHECK_INT(create_in(s, p, cal, "b2.ics", "U"), STORE_EXISTS); /* outside a transaction too */
    CHECK_INT(store_node_child(s, p, cal, "b2.ics", &n), STORE_NOTFOUND);
    int64_t b = mk(s, p, cal, "b.ics", STORE_KIND_RESOURCE, "V", "b");

    /* update to a taken UID; its own UID is fine */
    store_content cu = content("b2", "U"), cv = content("b3", "V");
    CHECK_INT(IN_TX(s, store_node_update(s, p, b, &cu, NULL)), STORE_EXISTS);
    CHECK_INT(IN_TX(s, store_node_update_if(s, p, b, 0, &cu, NULL)), STORE_CONFLICT);
    CHECK_INT(store_node_get(s, p, b, &n), STORE_OK);
    CHECK_INT(IN_TX(s, store_node_update_if(s, p, b, n.revision, &cu, NULL)), STORE_EXISTS);
    CHECK_INT(store_node_get(s, p, b, &n), STORE_OK);
    CHECK_STR(n.uid, "V");
    CHECK_INT(IN_TX(s, store_node_update(s, p, b, &cv, NULL)), STORE_OK);

    /* the same UID in another collection is another object */
    int64_t c = mk(s, p, cal2, "c.ics", STORE_KIND_RESOURCE, "U", "c");

    /* move and copy into the collection holding it */
    CHECK_INT(IN_TX(s, store_node_move(s, c, cal, "c.ics")), STORE_EXISTS);
    CHECK_INT(store_node_get(s, p, c, &n), STORE_OK);
    CHECK_INT(n.parent, cal2);
    store_node made;
    CHECK_INT(IN_TX(s, store_node_copy(s, p, c, cal, "d.ics", 0, 1, &made)), STORE_EXISTS);
    CHECK_INT(store_node_child(s, p, cal, "d.ics", &n), STORE_NOTFOUND);
    /* a collection copied whole: its members' UIDs are new to it */
    CHECK_INT(IN_TX(s, store_node_copy(s, p, cal, home, "cal3", 1, 1, &made)), STORE_OK);
    CHECK_INT(store_node_by_uid(s, p, made.id, "U", &n), STORE_OK);
    CHECK_STR(n.name, "a.ics");

    /* a member renamed in its collection keeps its UID */
    CHECK_INT(IN_TX(s, store_node_move(s, a, cal, "renamed.ics")), STORE_OK);
    CHECK_INT(store_node_by_uid(s, p, cal, "U", &n), STORE_OK);
    CHECK_INT(n.id, a);
    /* once it is gone, the UID is free */
    CHECK_INT(IN_TX(s, store_node_move(s, a, cal2, "elsewhere.ics")), STORE_EXISTS);
    CHECK_INT(IN_TX(s, store_node_delete(s, a)), STORE_OK);
    CHECK_INT(IN_TX(s, store_node_move(s, c, cal, "c.ics")), STORE_OK);

    /* members without a UID (plain files) are many */
    mk(s, p, cal, "f1", STORE_KIND_RESOURCE, NULL, "f");
    mk(s, p, cal, "f2", STORE_KIND_RESOURCE, NULL, "f");
    int64_t dups;
    CHECK_INT(store_uid_dups_count(s, &dups), STORE_OK);
    CHECK_INT(dups, 0);
    CHECK_INT(store_integrity_check(s), STORE_OK);
    pool_free(p);
    store_close(s);
}

/* ---- the version 5 migration ------------------------------------------------- */

/* Makes the store at path what version 4 wrote, with uid_dup and the unique
 * index gone, so that duplicates can be stored as the race did. */
static void downgrade_to_v4(void)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db,
                           "DROP INDEX nodes_uid_dup; DROP INDEX nodes_uid;"
                           "ALTER TABLE nodes DROP COLUMN uid_dup; ALTER TABLE nodes DROP COLUMN sched_tag;"
                           "DROP TABLE mail_queue;"
                           "CREATE INDEX nodes_uid ON nodes(parent, uid) WHERE uid IS NOT NULL;"
                           "PRAGMA user_version = 4",
                           NULL, NULL, NULL),
              SQLITE_OK);
    sqlite3_close(db);
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
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static void test_migrate_v5_duplicates(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "h", STORE_KIND_HOME_CALENDARS, NULL, NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t other = mk(s, p, home, "other", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t a = mk(s, p, cal, "a.ics", STORE_KIND_RESOURCE, "U", "a");
    int64_t b = mk(s, p, cal, "b.ics", STORE_KIND_RESOURCE, "V", "b");
    int64_t c = mk(s, p, cal, "c.ics", STORE_KIND_RESOURCE, "W", "c");
    int64_t d = mk(s, p, cal, "d.ics", STORE_KIND_RESOURCE, "X", "d");
    int64_t e = mk(s, p, other, "e.ics", STORE_KIND_RESOURCE, "U", "e");
    store_close(s);
    /* a version 4 store where three later members took a.ics's UID */
    downgrade_to_v4();
    raw("UPDATE nodes SET uid='U' WHERE name IN ('b.ics','c.ics','d.ics')");
    s = open_again();
    CHECK_INT(user_version(), 7); /* migrated to the current version */

    /* every row is kept; the later three are listed, the holder first */
    store_node n;
    CHECK_INT(store_node_get(s, p, a, &n), STORE_OK);
    CHECK_INT(store_node_get(s, p, b, &n), STORE_OK);
    CHECK_STR(body_of(s, p, d), "d");
    int64_t count;
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 3);
    store_uid_dup *l;
    int nl;
    CHECK_INT(store_uid_dups(s, p, 100, &l, &nl), STORE_OK);
    CHECK_INT(nl, 3);
    if (nl == 3) {
        CHECK_INT(l[0].node, b);
        CHECK_STR(l[0].name, "b.ics");
        CHECK_STR(l[0].holder, "a.ics");
        CHECK_INT(l[0].collection, cal);
        CHECK_INT(l[0].owner, 1);
        CHECK_STR(l[2].name, "d.ics");
    }
    CHECK_INT(store_uid_dups(s, p, 2, &l, &nl), STORE_OK);
    CHECK_INT(nl, 2);
    CHECK_INT(store_node_by_uid(s, p, cal, "U", &n), STORE_OK);
    CHECK_INT(n.id, a);
    CHECK_INT(store_node_by_uid(s, p, other, "U", &n), STORE_OK);
    CHECK_INT(n.id, e);

    /* the UID is still taken for anyone new */
    CHECK_INT(IN_TX(s, create_in(s, p, cal, "new.ics", "U")), STORE_EXISTS);
    /* a marked member still works: rewritten with its UID it stays marked */
    store_content cb = content("b2", "U");
    CHECK_INT(IN_TX(s, store_node_update(s, p, b, &cb, NULL)), STORE_OK);
    CHECK_STR(body_of(s, p, b), "b2");
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 3);
    /* given another UID, it is an ordinary member */
    store_content cc = content("c2", "Z");
    CHECK_INT(IN_TX(s, store_node_update(s, p, c, &cc, NULL)), STORE_OK);
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 2);
    /* moved into a collection where the UID is free, too */
    int64_t empty = mk(s, p, home, "empty", STORE_KIND_CALENDAR, NULL, NULL);
    CHECK_INT(IN_TX(s, store_node_move(s, d, empty, "d.ics")), STORE_OK);
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 1);
    /* the holder goes: the oldest marked member takes the UID over */
    CHECK_INT(IN_TX(s, store_node_delete(s, a)), STORE_OK);
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 0);
    CHECK_INT(store_node_by_uid(s, p, cal, "U", &n), STORE_OK);
    CHECK_INT(n.id, b);
    CHECK_INT(IN_TX(s, create_in(s, p, cal, "new.ics", "U")), STORE_EXISTS);
    CHECK_INT(store_integrity_check(s), STORE_OK);
    store_close(s);

    /* opened again, nothing migrates twice */
    s = open_again();
    CHECK_INT(user_version(), 7); /* migrated to the current version */
    CHECK_INT(store_uid_dups_count(s, &count), STORE_OK);
    CHECK_INT(count, 0);
    pool_free(p);
    store_close(s);
}

/* ---- store_principal_ensure ----------------------------------------------------- */

#define THREADS 8
#define ROUNDS 5

static pthread_barrier_t start;

typedef struct ensure_job {
    int64_t account;
    int rc;
    int64_t id;
} ensure_job;

static void *ensure_thread(void *arg)
{
    ensure_job *j = arg;
    store *s = NULL;
    j->rc = store_open(path, 0, 0, &s);
    pthread_barrier_wait(&start);
    if (j->rc != STORE_OK) return NULL;
    vpool *p = pool_new();
    store_principal pr;
    j->rc = store_principal_ensure(s, p, j->account, "Racer", &pr);
    if (j->rc == STORE_OK) j->id = pr.id;
    pool_free(p);
    store_close(s);
    return NULL;
}

static int64_t count_of(const char *q, int64_t arg)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, arg);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static void test_principal_ensure(void)
{
    store *s = open_new();
    vpool *p = pool_new();

    /* many connections at once: one principal, with one pair of proxy groups */
    for (int round = 0; round < ROUNDS; round++) {
        ensure_job jobs[THREADS];
        pthread_t th[THREADS];
        pthread_barrier_init(&start, NULL, THREADS);
        for (int i = 0; i < THREADS; i++) {
            jobs[i] = (ensure_job){.account = 500 + round};
            pthread_create(&th[i], NULL, ensure_thread, &jobs[i]);
        }
        for (int i = 0; i < THREADS; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&start);
        int same = 1;
        for (int i = 0; i < THREADS; i++) {
            CHECK_INT(jobs[i].rc, STORE_OK);
            same &= jobs[i].id == jobs[0].id && jobs[i].id > 0;
        }
        CHECK(same);
        CHECK_INT(count_of("SELECT count(*) FROM principals WHERE account_id=?", 500 + round), 1);
        CHECK_INT(count_of("SELECT count(*) FROM principals WHERE owner=?", jobs[0].id), 2);
    }

    /* an existing principal is returned as it is */
    store_principal made, got;
    CHECK_INT(store_principal_ensure(s, p, 600, "First", &made), STORE_OK);
    CHECK_INT(store_principal_ensure(s, p, 600, "Second", &got), STORE_OK);
    CHECK_INT(got.id, made.id);
    CHECK_STR(got.displayname, "First");
    CHECK_INT(got.kind, STORE_PRINCIPAL_USER);

    /* inside a write transaction it is part of it */
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_principal_ensure(s, p, 601, NULL, &made), STORE_OK);
    CHECK_INT(store_principal_ensure(s, p, 601, NULL, &got), STORE_OK);
    CHECK_INT(got.id, made.id);
    store_rollback(s);
    CHECK_INT(store_principal_by_account(s, p, 601, &got), STORE_NOTFOUND);
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_principal_ensure(s, p, 601, NULL, &made), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_INT(store_principal_by_account(s, p, 601, &got), STORE_OK);
    CHECK_INT(got.id, made.id);

    /* the race, step by step: this connection read in a snapshot that does
     * not have the principal another one created since; its insert collides
     * and it returns the other's */
    store *other = open_again();
    CHECK_INT(store_snapshot_begin(s), STORE_OK);
    CHECK_INT(store_principal_by_account(s, p, 602, &got), STORE_NOTFOUND);
    CHECK_INT(store_principal_ensure(other, p, 602, NULL, &made), STORE_OK);
    CHECK_INT(store_principal_ensure(s, p, 602, NULL, &got), STORE_OK);
    CHECK_INT(got.id, made.id);
    store_snapshot_end(s);
    CHECK_INT(count_of("SELECT count(*) FROM principals WHERE account_id=?", 602), 1);
    store_close(other);

    CHECK_INT(store_principal_ensure(s, p, 0, NULL, &got), STORE_ERROR);
    pool_free(p);
    store_close(s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_conditional);
    RUN(test_uid_unique);
    RUN(test_migrate_v5_duplicates);
    RUN(test_principal_ensure);
    remove_store();
    rmdir(dir);
    return check_summary();
}

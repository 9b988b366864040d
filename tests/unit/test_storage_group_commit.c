/* Group commit: writers on their own connections take turns at the gate,
 * commit under synchronous=NORMAL and share the WAL fsync; every commit is
 * reported durable, none is lost, and nobody waits forever. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "storage/group_commit.h"
#include "storage/store.h"
#include "tests/unit/check.h"

#define WRITERS 8
#define COMMITS 50

static char path[] = "/tmp/veil-gc-XXXXXX";
static char db_path[64];
static int failures;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static void *writer(void *arg)
{
    long n = (long)arg;
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) return NULL;
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    for (int i = 0; i < COMMITS; i++) {
        char q[128];
        snprintf(q, sizeof q, "BEGIN IMMEDIATE; INSERT INTO t VALUES(%ld, %d); COMMIT", n, i);
        group_commit_gate_enter();
        int ok = sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;
        group_commit_gate_leave();
        if (!ok || group_commit_sync(db) != 0) {
            pthread_mutex_lock(&count_lock);
            failures++;
            pthread_mutex_unlock(&count_lock);
        }
    }
    sqlite3_close(db);
    return NULL;
}

static void test_concurrent_commits(void)
{
    sqlite3 *db;
    CHECK(sqlite3_open(db_path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE t(w, i)", NULL, NULL, NULL) ==
          SQLITE_OK);
    pthread_t th[WRITERS];
    for (long n = 0; n < WRITERS; n++) pthread_create(&th[n], NULL, writer, (void *)n);
    for (int n = 0; n < WRITERS; n++) pthread_join(th[n], NULL);
    CHECK_INT(failures, 0);
    sqlite3_stmt *st;
    CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK);
    CHECK(sqlite3_step(st) == SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), WRITERS * COMMITS);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* A database that is not in WAL mode has no WAL to sync: an error, never a
 * silent success. */
static void test_no_wal_is_an_error(void)
{
    sqlite3 *db;
    CHECK(sqlite3_open(":memory:", &db) == SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE x(a); INSERT INTO x VALUES(1)", NULL, NULL, NULL);
    CHECK_INT(group_commit_sync(db), -1);
    sqlite3_close(db);
}

/* A failed fsync of the WAL (EIO, or ENOSPC on a filesystem that reports it
 * there) fails every writer it covered, and every later one: none is ever
 * told its change is on disk. */
static int sync_ok[WRITERS * COMMITS], sync_failed[WRITERS * COMMITS];

static void *failing_writer(void *arg)
{
    long n = (long)arg;
    sqlite3 *db;
    if (sqlite3_open(db_path, &db) != SQLITE_OK) return NULL;
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    for (int i = 0; i < COMMITS; i++) {
        char q[128];
        snprintf(q, sizeof q, "BEGIN IMMEDIATE; INSERT INTO t VALUES(%ld, %d); COMMIT", n, i);
        group_commit_gate_enter();
        int ok = sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;
        int failed_before = group_commit_failed();
        group_commit_gate_leave();
        if (!ok) continue;
        if (i == COMMITS / 2 && n == 0) group_commit_test_fail(1);
        int rc = group_commit_sync(db);
        (rc == 0 ? sync_ok : sync_failed)[n * COMMITS + i] = 1;
        /* committed after the failure was known: never reported durable */
        if (failed_before && rc == 0) sync_ok[n * COMMITS + i] = 2;
    }
    sqlite3_close(db);
    return NULL;
}

static void test_failed_sync(void)
{
    group_commit_test_reset();
    pthread_t th[WRITERS];
    for (long n = 0; n < WRITERS; n++) pthread_create(&th[n], NULL, failing_writer, (void *)n);
    for (int n = 0; n < WRITERS; n++) pthread_join(th[n], NULL);
    int ok = 0, failed = 0, late = 0;
    for (int i = 0; i < WRITERS * COMMITS; i++) {
        ok += sync_ok[i] != 0;
        failed += sync_failed[i];
        late += sync_ok[i] == 2;
    }
    CHECK(group_commit_failed());
    CHECK(ok >= COMMITS / 2); /* writer 0's first half at least */
    CHECK(failed >= COMMITS / 2); /* writer 0's second half at least */
    CHECK_INT(late, 0);
    CHECK_INT(ok + failed, WRITERS * COMMITS);
    group_commit_test_reset();
}

/* The store on top: the commit whose sync fails answers STORE_IOERR, later
 * writes are refused before they begin, reads go on. */
static void test_store_after_failed_sync(void)
{
    char p[128];
    snprintf(p, sizeof p, "%s/store.db", path);
    store *st;
    CHECK_INT(store_open(p, 1, 1, &st), STORE_OK);
    vpool *pool = pool_new();
    store_principal pr;
    CHECK_INT(store_begin_write(st), STORE_OK);
    CHECK_INT(store_principal_create(st, pool, 7, STORE_PRINCIPAL_USER, "A", &pr), STORE_OK);
    CHECK_INT(store_commit(st), STORE_OK);
    group_commit_test_fail(1);
    CHECK_INT(store_begin_write(st), STORE_OK);
    CHECK_INT(store_principal_create(st, pool, 8, STORE_PRINCIPAL_USER, "B", &pr), STORE_OK);
    CHECK_INT(store_commit(st), STORE_IOERR);
    store_rollback(st);
    CHECK_INT(store_begin_write(st), STORE_IOERR);
    store_principal again;
    CHECK_INT(store_principal_by_account(st, pool, 7, &again), STORE_OK);
    group_commit_test_reset();
    CHECK_INT(store_begin_write(st), STORE_OK);
    store_rollback(st);
    pool_free(pool);
    store_close(st);
}

int main(void)
{
    if (!mkdtemp(path)) return 1;
    snprintf(db_path, sizeof db_path, "%s/t.db", path);
    RUN(test_concurrent_commits);
    RUN(test_failed_sync);
    RUN(test_store_after_failed_sync);
    RUN(test_no_wal_is_an_error);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", path);
    if (system(cmd) != 0) return 1;
    return check_summary();
}

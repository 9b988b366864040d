/* Shared fsyncs of the WAL (group_commit.h). */
#include "storage/group_commit.h"

#include <pthread.h>
#include <stdint.h>

#include "common/log.h"

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    uint64_t committed; /* commits counted so far */
    uint64_t synced;    /* every commit up to this one is durable */
    int syncing;        /* an fsync is under way */
    int failed;         /* an fsync failed: nothing is durable any more */
    int test_failures;  /* group_commit_test_fail */
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, 0};

void group_commit_gate_enter(void)
{
    pthread_mutex_lock(&gate);
}

void group_commit_gate_leave(void)
{
    pthread_mutex_unlock(&gate);
}

/* fsync of the WAL through SQLite's own handle for it (every connection has
 * one on the same file) */
static int sync_wal(sqlite3 *db)
{
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK || !f ||
        !f->pMethods)
        return -1;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -1;
}

int group_commit_sync(sqlite3 *db)
{
    pthread_mutex_lock(&g.lock);
    uint64_t mine = ++g.committed; /* our frames are in the file by now */
    while (g.synced < mine && !g.failed) {
        if (g.syncing) {
            pthread_cond_wait(&g.done, &g.lock);
            continue;
        }
        /* lead: an fsync started now covers every commit counted so far */
        g.syncing = 1;
        uint64_t upto = g.committed;
        int inject = g.test_failures > 0 && g.test_failures--;
        pthread_mutex_unlock(&g.lock);
        int ok = !inject && sync_wal(db) == 0;
        pthread_mutex_lock(&g.lock);
        g.syncing = 0;
        if (ok && upto > g.synced) g.synced = upto;
        if (!ok && !g.failed) {
            /* Linux reports a failed writeback once, marks the pages clean
             * and lets the next fsync succeed: trying again would
             * acknowledge frames that may never reach the disk ("fsyncgate",
             * PostgreSQL 2018).  Every writer waiting fails, and so does
             * every later one, until the process starts again and SQLite
             * recovers the WAL from what the disk holds. */
            g.failed = 1;
            log_error("syncing the WAL of the DAV store failed: writes are refused until veildav "
                      "restarts");
        }
        pthread_cond_broadcast(&g.done);
    }
    /* a sync that failed after ours succeeded does not undo ours */
    int rc = g.synced >= mine ? 0 : -1;
    pthread_mutex_unlock(&g.lock);
    return rc;
}

int group_commit_failed(void)
{
    pthread_mutex_lock(&g.lock);
    int f = g.failed;
    pthread_mutex_unlock(&g.lock);
    return f;
}

void group_commit_test_fail(int n)
{
    pthread_mutex_lock(&g.lock);
    g.test_failures = n;
    pthread_mutex_unlock(&g.lock);
}

void group_commit_test_reset(void)
{
    pthread_mutex_lock(&g.lock);
    g.failed = 0;
    g.test_failures = 0;
    g.synced = g.committed;
    pthread_mutex_unlock(&g.lock);
}

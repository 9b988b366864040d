/* Shared fsyncs of the WAL (group_commit.h). */
#include "storage/group_commit.h"

#include <pthread.h>
#include <stdint.h>

static pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t done;
    uint64_t committed; /* commits counted so far */
    uint64_t synced;    /* every commit up to this one is durable */
    int syncing;        /* an fsync is under way */
} g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

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
    int rc = 0;
    pthread_mutex_lock(&g.lock);
    uint64_t mine = ++g.committed; /* our frames are in the file by now */
    while (g.synced < mine) {
        if (g.syncing) {
            pthread_cond_wait(&g.done, &g.lock);
            continue;
        }
        /* lead: an fsync started now covers every commit counted so far */
        g.syncing = 1;
        uint64_t upto = g.committed;
        pthread_mutex_unlock(&g.lock);
        int ok = sync_wal(db) == 0;
        pthread_mutex_lock(&g.lock);
        g.syncing = 0;
        if (ok && upto > g.synced) g.synced = upto;
        pthread_cond_broadcast(&g.done);
        if (!ok) {
            rc = -1; /* the waiters try again themselves */
            break;
        }
    }
    pthread_mutex_unlock(&g.lock);
    return rc;
}

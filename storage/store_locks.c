/* DAV store: WebDAV locks (RFC 4918 §6, §9.10), keyed by the decoded path of
 * their root so that depth-infinity coverage is a prefix test. */
#include <string.h>
#include <time.h>

#include "storage/store_internal.h"

static int lock_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_lock *l = elem;
    l->token = store_col_text(pool, st, 0);
    l->root = store_col_text(pool, st, 1);
    l->depth_infinity = sqlite3_column_int(st, 2);
    l->scope = sqlite3_column_int(st, 3);
    l->owner_xml = store_col_text(pool, st, 4);
    l->principal = sqlite3_column_int64(st, 5);
    l->expires = sqlite3_column_int64(st, 6);
    l->timeout = sqlite3_column_int64(st, 7);
    return STORE_OK;
}

/* A lock list cut short would let a write through a lock: whole, or an error. */
static int read_locks(vpool *pool, sqlite3_stmt *st, store_lock **out, int *n)
{
    static const store_rows how = {lock_row, NULL, sizeof(store_lock), 4, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    *out = arr;
    return rc;
}

int store_locks_covering(store *s, vpool *pool, const char *path, store_lock **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCKS_COVERING);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    return read_locks(pool, st, out, n);
}

int store_locks_below(store *s, vpool *pool, const char *path, store_lock **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCKS_BELOW);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    return read_locks(pool, st, out, n);
}

int store_lock_get(store *s, vpool *pool, const char *token, store_lock *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCK_GET);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    store_lock *arr;
    int n;
    int rc = read_locks(pool, st, &arr, &n);
    if (rc != STORE_OK) return rc;
    if (n == 0) return STORE_NOTFOUND;
    *out = arr[0];
    return STORE_OK;
}

int store_lock_create(store *s, const store_lock *l)
{
    /* expired locks are dropped whenever a new one is taken */
    sqlite3_stmt *st = store_stmt(s, Q_LOCKS_PURGE);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    int rc = store_step_done(st);
    if (rc != STORE_OK) return rc;
    st = store_stmt(s, Q_LOCK_INSERT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, l->token, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->root, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, l->depth_infinity);
    sqlite3_bind_int(st, 4, l->scope);
    if (l->owner_xml) sqlite3_bind_text(st, 5, l->owner_xml, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, l->principal);
    sqlite3_bind_int64(st, 7, l->expires);
    sqlite3_bind_int64(st, 8, l->timeout);
    return store_step_done(st);
}

int store_lock_refresh(store *s, const char *token, int64_t timeout, int64_t expires)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCK_REFRESH);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, timeout);
    sqlite3_bind_int64(st, 2, expires);
    sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
    return store_step_done(st);
}

int store_lock_delete(store *s, const char *token)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCK_DELETE);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, token, -1, SQLITE_STATIC);
    return store_step_done(st);
}

int store_locks_delete_below(store *s, const char *path)
{
    sqlite3_stmt *st = store_stmt(s, Q_LOCKS_DELETE_BELOW);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    return store_step_done(st);
}

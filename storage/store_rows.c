/* The one loop that collects rows (storage/store_rows.h). */
#include "storage/store_rows.h"

#include <limits.h>
#include <string.h>

#include "storage/store.h"

int store_rc(int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return STORE_BUSY;
    case SQLITE_CONSTRAINT:
        return STORE_EXISTS;
    case SQLITE_FULL:
        return STORE_FULL;
    case SQLITE_IOERR:
        return STORE_IOERR;
    default:
        return STORE_ERROR;
    }
}

int store_collect(sqlite3_stmt *st, vpool *pool, const store_rows *how, void **out, int *n)
{
    if (out) *out = NULL;
    *n = 0;
    size_t size = how->size;
    int cap = how->cap < 0 ? INT_MAX : how->cap;
    int room = 0, count = 0, status = STORE_OK, rc = SQLITE_DONE;
    char *arr = NULL;
    if (size) {
        room = how->first > 0 ? how->first : 1;
        if (room > cap && cap > 0) room = cap;
        if (!(arr = pool_alloc(pool, size * (size_t)room))) status = STORE_ERROR;
    }
    while (status == STORE_OK && count < cap && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *elem = NULL;
        if (size) {
            if (count == room) {
                char *bigger =
                    room <= INT_MAX / 2 ? pool_alloc(pool, size * (size_t)room * 2) : NULL;
                if (!bigger) {
                    status = STORE_ERROR;
                    break;
                }
                memcpy(bigger, arr, size * (size_t)count);
                arr = bigger;
                room *= 2;
            }
            elem = arr + size * (size_t)count;
        }
        status = how->row(how->arg, pool, st, elem);
        if (status == STORE_OK) count++;
    }
    /* SQLITE_ROW here means the cap stopped the loop; anything but that or
     * DONE is the error that cut the list short */
    if (status == STORE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE) {
        status = store_rc(rc);
        if (status == STORE_OK) status = STORE_ERROR;
    }
    sqlite3_reset(st);
    if (status != STORE_OK) return status;
    if (out) *out = arr;
    *n = count;
    return STORE_OK;
}

int store_row_int64(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    (void)arg;
    (void)pool;
    *(int64_t *)elem = sqlite3_column_int64(st, 0);
    return STORE_OK;
}

/* DAV store: the time-range index of calendar objects (an R*Tree over
 * (collection, [start, end]) in whole minutes), so a calendar-query touches
 * only candidates and then checks them exactly. */
#include <stdlib.h>
#include <string.h>

#include "storage/store_internal.h"

/* Seconds to minutes, rounding outward so the index stays a superset. */
static int32_t minute_floor(int64_t t)
{
    if (t <= (int64_t)INT32_MIN * 60) return INT32_MIN;
    int64_t m = t >= 0 ? t / 60 : -((-t + 59) / 60);
    return m >= INT32_MAX ? INT32_MAX : (int32_t)m;
}

static int32_t minute_ceil(int64_t t)
{
    if (t >= (int64_t)INT32_MAX * 60) return INT32_MAX;
    int64_t m = t >= 0 ? (t + 59) / 60 : -((-t) / 60);
    return m <= INT32_MIN ? INT32_MIN : (int32_t)m;
}

int store_tr_set(store *s, int64_t node, int64_t coll, const store_span *spans, int n)
{
    sqlite3_stmt *st = store_stmt(s, Q_TR_DELETE);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    int rc = store_step_done(st);
    if (n > STORE_TR_MAX_SPANS) n = STORE_TR_MAX_SPANS;
    for (int i = 0; rc == STORE_OK && i < n; i++) {
        st = store_stmt(s, Q_TR_INSERT);
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, node * STORE_TR_MAX_SPANS + i);
        sqlite3_bind_int64(st, 2, coll);
        sqlite3_bind_int64(st, 3, coll);
        sqlite3_bind_int(st, 4, minute_floor(spans[i].start));
        /* the last span of a truncated list must reach as far as the rest */
        int64_t end = spans[i].end;
        if (i == n - 1 && n == STORE_TR_MAX_SPANS) end = INT64_MAX;
        sqlite3_bind_int(st, 5, minute_ceil(end));
        sqlite3_bind_int64(st, 6, node);
        rc = store_step_done(st);
    }
    return rc;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int store_tr_query(store *s, vpool *pool, int64_t coll, int64_t start, int64_t end,
                   int64_t **ids, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_TR_QUERY);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_int(st, 2, minute_floor(start));
    sqlite3_bind_int(st, 3, minute_ceil(end));
    size_t cap = 256, count = 0;
    int64_t *arr = malloc(cap * sizeof(int64_t));
    int rc;
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int64_t *bigger = realloc(arr, cap * 2 * sizeof(int64_t));
            if (!bigger) {
                free(arr);
                arr = NULL;
                break;
            }
            arr = bigger;
            cap *= 2;
        }
        arr[count++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    if (!arr) return STORE_ERROR;
    qsort(arr, count, sizeof(int64_t), cmp_id);
    int64_t *out = pool_alloc(pool, sizeof(int64_t) * (count ? count : 1));
    if (!out) {
        free(arr);
        return STORE_ERROR;
    }
    memcpy(out, arr, count * sizeof(int64_t));
    free(arr);
    *ids = out;
    *n = (int)count;
    return STORE_OK;
}

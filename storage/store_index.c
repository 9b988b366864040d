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

int store_tr_walk(store *s, store_query q, int64_t node, int64_t to, int64_t coll)
{
    for (int64_t k = 0; k < STORE_TR_MAX_SPANS; k++) {
        sqlite3_stmt *st = store_stmt(s, q);
        if (!st) return STORE_ERROR;
        sqlite3_bind_int64(st, 1, node * STORE_TR_MAX_SPANS + k);
        sqlite3_bind_int64(st, 2, to * STORE_TR_MAX_SPANS + k);
        sqlite3_bind_int64(st, 3, coll);
        sqlite3_bind_int64(st, 4, to);
        int rc = store_step_done(st);
        if (rc != STORE_OK) return rc;
        if (sqlite3_changes(s->db) == 0) break; /* past the last span */
    }
    return STORE_OK;
}

int store_tr_set(store *s, int64_t node, int64_t coll, const store_span *spans, int n)
{
    int rc = store_tr_walk(s, Q_TR_DELETE, node, 0, 0);
    sqlite3_stmt *st;
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
        int exact = spans[i].exact;
        if (i == n - 1 && n == STORE_TR_MAX_SPANS) {
            end = INT64_MAX;
            exact = 0;
        }
        sqlite3_bind_int(st, 5, minute_ceil(end));
        sqlite3_bind_int64(st, 6, node);
        sqlite3_bind_int(st, 7, exact);
        rc = store_step_done(st);
    }
    return rc;
}

typedef struct tr_hit {
    int64_t node;
    int sure;
} tr_hit;

/* The hits, in memory of their own: 100,000 of them grow by realloc without
 * leaving every smaller copy behind in the pool. */
typedef struct tr_hits {
    tr_hit *arr;
    size_t count, cap;
} tr_hits;

static int hit_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    tr_hits *h = arg;
    if (h->count == h->cap) {
        tr_hit *bigger = realloc(h->arr, h->cap * 2 * sizeof(*bigger));
        if (!bigger) return STORE_ERROR;
        h->arr = bigger;
        h->cap *= 2;
    }
    h->arr[h->count].node = sqlite3_column_int64(st, 0);
    h->arr[h->count].sure = sqlite3_column_int(st, 1) != 0;
    h->count++;
    return STORE_OK;
}

static int cmp_hit(const void *a, const void *b)
{
    int64_t x = ((const tr_hit *)a)->node, y = ((const tr_hit *)b)->node;
    return x < y ? -1 : x > y;
}

int store_tr_query(store *s, vpool *pool, int64_t coll, int64_t start, int64_t end,
                   int64_t **ids, unsigned char **sure, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_TR_QUERY);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_int(st, 2, minute_floor(start));
    sqlite3_bind_int(st, 3, minute_ceil(end));
    /* a stored span [t0, t1] (floor and ceil of its times) overlaps the
     * range with positive length if t0 < floor(end) and t1 > ceil(start) */
    sqlite3_bind_int(st, 4, minute_ceil(start));
    sqlite3_bind_int(st, 5, minute_floor(end));
    tr_hits h = {.cap = 256};
    if (!(h.arr = malloc(h.cap * sizeof(*h.arr)))) {
        sqlite3_reset(st);
        return STORE_ERROR;
    }
    store_rows how = {hit_row, &h, 0, 0, -1};
    int got;
    int rc = store_collect(st, NULL, &how, NULL, &got);
    if (rc != STORE_OK) {
        free(h.arr);
        return rc;
    }
    tr_hit *arr = h.arr;
    size_t count = h.count;
    qsort(arr, count, sizeof(*arr), cmp_hit);
    int64_t *out = pool_alloc(pool, sizeof(int64_t) * (count ? count : 1));
    unsigned char *ok = sure ? pool_alloc(pool, count ? count : 1) : NULL;
    if (!out || (sure && !ok)) {
        free(arr);
        return STORE_ERROR;
    }
    for (size_t i = 0; i < count; i++) {
        out[i] = arr[i].node;
        if (ok) ok[i] = (unsigned char)arr[i].sure;
    }
    free(arr);
    *ids = out;
    if (sure) *sure = ok;
    *n = (int)count;
    return STORE_OK;
}

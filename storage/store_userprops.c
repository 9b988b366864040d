/* Per-user properties: the value one principal chose for a property of a
 * node someone else owns (a delegate's colour of the delegator's calendar).
 * The owner's value stays a dead property in props; these rows never show to
 * anyone but their principal. */
#include "storage/store_internal.h"

#include <string.h>

static void bind_key(sqlite3_stmt *st, int64_t node, int64_t principal, const char *ns,
                     const char *name)
{
    sqlite3_bind_int64(st, 1, node);
    sqlite3_bind_int64(st, 2, principal);
    if (ns) sqlite3_bind_text(st, 3, ns, -1, SQLITE_STATIC);
    if (name) sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
}

static void read_row(vpool *pool, sqlite3_stmt *st, store_prop *out)
{
    out->ns = store_col_text(pool, st, 0);
    out->name = store_col_text(pool, st, 1);
    out->xml = store_col_text(pool, st, 2);
}

int store_userprop_get(store *s, vpool *pool, int64_t node, int64_t principal, const char *ns,
                       const char *name, store_prop *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_UPROP_GET);
    if (!st) return STORE_ERROR;
    bind_key(st, node, principal, ns, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) read_row(pool, st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int store_userprop_list(store *s, vpool *pool, int64_t node, int64_t principal, store_prop **out,
                        int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_UPROP_LIST);
    if (!st) return STORE_ERROR;
    bind_key(st, node, principal, NULL, NULL);
    int cap = 4, count = 0, rc = SQLITE_DONE;
    store_prop *arr = pool_alloc(pool, sizeof(store_prop) * (size_t)cap);
    while (arr && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            store_prop *bigger = pool_alloc(pool, sizeof(store_prop) * (size_t)cap * 2);
            if (!bigger) {
                arr = NULL;
                break;
            }
            memcpy(bigger, arr, sizeof(store_prop) * (size_t)count);
            arr = bigger;
            cap *= 2;
        }
        read_row(pool, st, &arr[count++]);
    }
    sqlite3_reset(st);
    if (!arr) return STORE_ERROR;
    if (rc != SQLITE_DONE) return store_rc(rc);
    *out = arr;
    *n = count;
    return STORE_OK;
}

int store_userprop_set(store *s, int64_t node, int64_t principal, const char *ns, const char *name,
                       const char *xml)
{
    sqlite3_stmt *st = store_stmt(s, Q_UPROP_SET);
    if (!st) return STORE_ERROR;
    bind_key(st, node, principal, ns, name);
    sqlite3_bind_text(st, 5, xml, -1, SQLITE_STATIC);
    return store_step_done(st);
}

int store_userprop_remove(store *s, int64_t node, int64_t principal, const char *ns,
                          const char *name)
{
    sqlite3_stmt *st = store_stmt(s, Q_UPROP_REMOVE);
    if (!st) return STORE_ERROR;
    bind_key(st, node, principal, ns, name);
    return store_step_done(st);
}

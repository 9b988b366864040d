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

int store_userprop_get(store *s, vpool *pool, int64_t node, int64_t principal, const char *ns,
                       const char *name, store_prop *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_UPROP_GET);
    if (!st) return STORE_ERROR;
    bind_key(st, node, principal, ns, name);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) store_row_prop(NULL, pool, st, out);
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
    static const store_rows how = {store_row_prop, NULL, sizeof(store_prop), 4, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    *out = arr;
    return rc;
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

/* Rooms and resources that book themselves (storage/bookable.h). */
#include "storage/bookable.h"

#include <string.h>

#include "storage/store_internal.h"

static const char *const mode_names[] = {NULL, "automatic", "accept-if-free", "decline-if-busy",
                                         "none"};

const char *store_book_mode_name(int mode)
{
    return mode >= STORE_BOOK_AUTOMATIC && mode <= STORE_BOOK_NONE ? mode_names[mode] : NULL;
}

int store_book_mode_parse(const char *name)
{
    for (int m = STORE_BOOK_AUTOMATIC; name && m <= STORE_BOOK_NONE; m++)
        if (!strcmp(name, mode_names[m])) return m;
    return 0;
}

static int run(store *s, sqlite3_stmt *st)
{
    store_writable_check(s, st);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_book_mode_get(store *s, int64_t principal, int *mode)
{
    *mode = STORE_BOOK_AUTOMATIC;
    sqlite3_stmt *st = store_prepare(s, "SELECT mode FROM bookables WHERE principal=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && store_book_mode_name(sqlite3_column_int(st, 0)))
        *mode = sqlite3_column_int(st, 0);
    store_release(s, st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : store_rc(rc);
}

int store_book_mode_set(store *s, int64_t principal, int mode)
{
    if (!store_book_mode_name(mode)) return STORE_ERROR;
    sqlite3_stmt *st = store_prepare(s, "INSERT INTO bookables(principal,mode) VALUES(?,?) "
                                        "ON CONFLICT(principal) DO UPDATE SET mode=excluded.mode");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    sqlite3_bind_int(st, 2, mode);
    return run(s, st);
}

int store_book_address_add(store *s, int64_t principal, const char *address)
{
    sqlite3_stmt *st =
        store_prepare(s, "INSERT INTO bookable_addresses(address,principal) VALUES(?,?)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, principal);
    return run(s, st);
}

int store_book_address_remove(store *s, int64_t principal, const char *address)
{
    sqlite3_stmt *st =
        store_prepare(s, "DELETE FROM bookable_addresses WHERE address=? AND principal=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, principal);
    int rc = run(s, st);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0) return STORE_NOTFOUND;
    return rc;
}

int store_book_addresses(store *s, vpool *pool, int64_t principal, const char ***out, int *n)
{
    enum { MAX = 64 };
    *out = pool_alloc(pool, sizeof(**out) * MAX);
    *n = 0;
    if (!*out) return STORE_ERROR;
    sqlite3_stmt *st = store_prepare(
        s, "SELECT address FROM bookable_addresses WHERE principal=? ORDER BY rowid LIMIT 64");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < MAX) {
        char *a = store_col_text(pool, st, 0);
        if (!a) {
            rc = SQLITE_NOMEM;
            break;
        }
        (*out)[(*n)++] = a;
    }
    store_release(s, st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? STORE_OK : store_rc(rc);
}

int store_book_by_address(store *s, vpool *pool, const char *address, store_principal *out)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT principal FROM bookable_addresses WHERE address=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, address, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_release(s, st);
    if (rc == SQLITE_DONE) return STORE_NOTFOUND;
    if (rc != SQLITE_ROW) return store_rc(rc);
    return store_principal_by_id(s, pool, id, out);
}

/* Prepared statements of one SQLite connection, kept and found again by their
 * SQL text.  Preparing a statement costs more than running most of the small
 * lookups a request makes (the authentication re-check, group membership,
 * ACEs: a quarter of a small request's CPU went to the SQL parser), so code
 * that writes its SQL inline gets the same reuse as the store's fixed table.
 *
 * The cache owns every statement it hands out.  A statement taken by
 * stmt_cache_get is the caller's until stmt_cache_put, which resets it (so it
 * holds no lock or snapshot) and keeps it for the next caller.  Asking for a
 * statement that is already taken (nested use of the same SQL) or finding the
 * cache full gives a statement of its own that stmt_cache_put finalizes. */
#ifndef VEIL_STMT_CACHE_H
#define VEIL_STMT_CACHE_H

#include <sqlite3.h>

typedef struct stmt_cache stmt_cache;

stmt_cache *stmt_cache_new(sqlite3 *db);
/* Finalizes every statement; none may be taken. */
void stmt_cache_free(stmt_cache *c);

/* sql prepared, reset and without bindings; NULL when SQLite refuses it
 * (sqlite3_errmsg of the connection says why). */
sqlite3_stmt *stmt_cache_get(stmt_cache *c, const char *sql);
/* Gives st back (NULL is ignored). */
void stmt_cache_put(stmt_cache *c, sqlite3_stmt *st);

#endif

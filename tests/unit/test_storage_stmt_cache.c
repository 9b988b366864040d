/* The statement cache: reuse after put, fresh bindings, a statement of its
 * own for nested use of the same SQL, eviction when full, errors. */
#include <sqlite3.h>
#include <stdio.h>

#include "storage/stmt_cache.h"
#include "tests/unit/check.h"

static sqlite3 *db;

static long long one_value(sqlite3_stmt *st)
{
    return sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
}

static void test_reuse_and_bindings(void)
{
    stmt_cache *c = stmt_cache_new(db);
    const char *q = "SELECT ?1 + 1";
    sqlite3_stmt *a = stmt_cache_get(c, q);
    CHECK(a != NULL);
    sqlite3_bind_int(a, 1, 41);
    CHECK_INT(one_value(a), 42);
    stmt_cache_put(c, a);
    /* the same statement again, reset and with its binding cleared */
    sqlite3_stmt *b = stmt_cache_get(c, q);
    CHECK(a == b);
    CHECK(sqlite3_stmt_busy(b) == 0);
    CHECK(sqlite3_step(b) == SQLITE_ROW && sqlite3_column_type(b, 0) == SQLITE_NULL);
    /* nested use of the same text: a statement of its own */
    sqlite3_stmt *n = stmt_cache_get(c, q);
    CHECK(n != NULL && n != b);
    sqlite3_bind_int(n, 1, 1);
    CHECK_INT(one_value(n), 2);
    stmt_cache_put(c, n); /* finalized: not in the cache */
    stmt_cache_put(c, b);
    stmt_cache_put(c, NULL);
    stmt_cache_free(c);
}

static void test_errors_and_eviction(void)
{
    stmt_cache *c = stmt_cache_new(db);
    CHECK(stmt_cache_get(c, "SELECT FROM WHERE") == NULL);
    CHECK(stmt_cache_get(c, "SELECT * FROM no_such_table") == NULL);
    /* more distinct statements than the cache holds, each still correct */
    char q[64];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 120; i++) {
            snprintf(q, sizeof q, "SELECT %d", i);
            sqlite3_stmt *st = stmt_cache_get(c, q);
            CHECK(st != NULL);
            if (!st) continue;
            CHECK_INT(one_value(st), i);
            stmt_cache_put(c, st);
        }
    }
    stmt_cache_free(c);
}

int main(void)
{
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
    RUN(test_reuse_and_bindings);
    RUN(test_errors_and_eviction);
    sqlite3_close(db);
    return check_summary();
}

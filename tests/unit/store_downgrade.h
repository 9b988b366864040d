/* Shared by the storage unit tests that turn a store back into what an
 * older veildav wrote: removes what schema version 8 added (the quota
 * counter, its view and triggers), so opening the file runs that migration
 * again.  The caller sets user_version. */
#ifndef VEIL_TEST_STORE_DOWNGRADE_H
#define VEIL_TEST_STORE_DOWNGRADE_H

#include <sqlite3.h>
#include <stdio.h>

static inline int undo_quota_schema(sqlite3 *db)
{
    sqlite3_stmt *st;
    char names[16][64];
    int n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM sqlite_master WHERE type='trigger' AND "
                           "name LIKE 'quota%'",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    while (n < 16 && sqlite3_step(st) == SQLITE_ROW)
        snprintf(names[n++], sizeof names[0], "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        char q[sizeof names[0] + 16];
        snprintf(q, sizeof q, "DROP TRIGGER %.63s", names[i]);
        if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) return -1;
    }
    return sqlite3_exec(db,
                        "DROP VIEW quota_usage; ALTER TABLE principals DROP COLUMN quota_used;"
                        "ALTER TABLE principals DROP COLUMN quota_limit;",
                        NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : -1;
}

#endif

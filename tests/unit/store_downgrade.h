/* Shared by the storage unit tests that turn a store back into what an
 * older veildav wrote, so that opening the file runs the migrations again:
 * undo_quota_schema removes what schema version 8 added (the quota counter,
 * its view and triggers), undo_bookables_schema what version 10 added
 * (rooms' modes and addresses); store_downgrade the shape of version v
 * (version 9 added the text index of cards). */
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

static inline int undo_bookables_schema(sqlite3 *db)
{
    return sqlite3_exec(db,
                        "DROP TRIGGER bookables_gone; DROP TABLE bookables;"
                        "DROP TABLE bookable_addresses;",
                        NULL, NULL, NULL) == SQLITE_OK
               ? 0
               : -1;
}

/* The file at version v: 9 (no rooms), 8 (nor a text index), 7 (nor quota),
 * or 4, 3, 2 (neither what versions 5 to 7 added: the UID rules, schedule
 * tags, the mail queue) or 1 (nor the per-user properties, whose rows go).
 * 0 or -1. */
static inline int store_downgrade(sqlite3 *db, int v)
{
    char q[512];
    if (v > 9 || (v > 4 && v < 7)) return -1;
    if (undo_bookables_schema(db) < 0) return -1;
    if (v == 9) return sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    if (sqlite3_exec(db, "DROP TABLE text_index", NULL, NULL, NULL) != SQLITE_OK) return -1;
    if (v == 8) return sqlite3_exec(db, "PRAGMA user_version = 8", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
    if (undo_quota_schema(db) < 0) return -1;
    snprintf(q, sizeof q,
             "%s%sPRAGMA user_version = %d", v >= 7 ? "" :
             "DROP INDEX nodes_uid_dup; DROP INDEX nodes_uid; ALTER TABLE nodes DROP COLUMN uid_dup;"
             "ALTER TABLE nodes DROP COLUMN sched_tag; DROP TABLE mail_queue;"
             "CREATE INDEX nodes_uid ON nodes(parent, uid) WHERE uid IS NOT NULL;",
             v <= 1 ? "DROP TABLE user_props;" : "", v);
    return sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

#endif

/* Scrubbing a database file (storage/scrub.h).
 *
 * secure_delete (set on every connection) overwrites the cells SQLite frees,
 * but not every copy of them: when a page is rebuilt (a split or a merge of
 * b-tree pages), the bytes of cells that moved away stay in its unused
 * middle until something overwrites them, so a deleted row can survive
 * there after its live copy was zeroed (measured with SQLite 3.40: 6 to 9
 * remnants of about 1,000 rows deleted after 6,000 mixed writes).  VACUUM writes every page anew from the
 * live rows.  In WAL mode the pages it writes, and those of the deletions,
 * pass through the write-ahead log, which keeps older page images until a
 * checkpoint resets it; TRUNCATE copies the log into the file and cuts it to
 * zero bytes, so no old image remains in either file. */
#include "storage/scrub.h"

#include <stdio.h>

#include "storage/store.h"
#include "storage/store_rows.h"

static int temp_store(sqlite3 *db, int *mode)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA temp_store", -1, &st, NULL) != SQLITE_OK)
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *mode = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

int store_db_scrub(sqlite3 *db)
{
    if (!sqlite3_get_autocommit(db)) return STORE_ERROR; /* VACUUM runs outside transactions */
    int mode = 0;
    int rc = temp_store(db, &mode);
    if (rc != STORE_OK) return rc;
    /* VACUUM builds its copy as a temporary database: on disk (SQLITE_TMPDIR,
     * the data directory: server/main.c), not in memory as large as the
     * store (temp_store=MEMORY on the store's connections) */
    rc = store_rc(sqlite3_exec(db, "PRAGMA temp_store=FILE", NULL, NULL, NULL));
    if (rc == STORE_OK) rc = store_rc(sqlite3_exec(db, "VACUUM", NULL, NULL, NULL));
    char restore[32];
    snprintf(restore, sizeof restore, "PRAGMA temp_store=%d", mode);
    int rc2 = store_rc(sqlite3_exec(db, restore, NULL, NULL, NULL));
    if (rc != STORE_OK) return rc;
    if (rc2 != STORE_OK) return rc2;
    /* SQLITE_BUSY: a reader or writer kept it from finishing (after the busy
     * handler waited); the log was not cut */
    int log = 0, done = 0;
    rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done);
    return rc == SQLITE_OK ? STORE_OK : store_rc(rc);
}

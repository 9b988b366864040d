/* Scrubbing a database file after deletions, for both databases (the DAV
 * store's and the account database's).  Shared by storage/ only. */
#ifndef VEIL_SCRUB_H
#define VEIL_SCRUB_H

#include <sqlite3.h>

/* Rewrites db from its live rows (VACUUM), then copies the write-ahead log
 * into the file and truncates it to nothing (wal_checkpoint(TRUNCATE)).
 * Outside any transaction of db's.  STORE_OK, STORE_BUSY when another
 * connection held the database past the busy timeout (nothing is lost: the
 * deletions are committed; only their scrub waits for a later call), or
 * STORE_ERROR. */
int store_db_scrub(sqlite3 *db);

#endif

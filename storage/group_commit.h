/* Durable commits for the store's connections in one process.
 *
 * With synchronous=FULL every commit fsyncs the WAL while holding SQLite's
 * write lock, so concurrent writers pay one fsync each, in turn — and a
 * writer that finds the lock taken sleeps in SQLite's busy handler (1, 2,
 * 5, 10 ms ...) instead of queueing.  Here writers of one process queue on
 * a mutex (the write gate), commit under synchronous=NORMAL (frames written,
 * no fsync), leave the gate, and then wait until an fsync of the WAL issued
 * after their commit has completed; one fsync covers every commit made
 * before it started (fsync is per file, whichever descriptor wrote), so
 * concurrent writers share it.  A transaction is reported committed only
 * once it is on disk, as with FULL; recovery keeps the WAL's valid prefix, and
 * everything before an acknowledged commit was synced with it. */
#ifndef VEIL_GROUP_COMMIT_H
#define VEIL_GROUP_COMMIT_H

#include <sqlite3.h>

void group_commit_gate_enter(void);
void group_commit_gate_leave(void);

/* After a COMMIT on db under synchronous=NORMAL: returns 0 once that commit
 * is durable, -1 if syncing the WAL failed (the commit may be lost on a
 * power failure; the caller reports an error). */
int group_commit_sync(sqlite3 *db);

#endif

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
 * is durable, -1 if syncing the WAL failed - for this commit, one it waited
 * for, or any earlier one in the process: the caller reports an error, never
 * success.  The commit itself is in the WAL (readers of this process see it)
 * and may or may not survive a power failure. */
int group_commit_sync(sqlite3 *db);

/* Nonzero once a sync of the WAL failed in this process.  From then on no
 * commit is durable for sure (the kernel may have dropped frames that later
 * ones build on), so the store refuses writes (store_begin_write:
 * STORE_IOERR) until the process restarts. */
int group_commit_failed(void);

/* Tests only: the next n syncs fail as an fsync reporting EIO would; reset
 * forgets a failure. */
void group_commit_test_fail(int n);
void group_commit_test_reset(void);

#endif

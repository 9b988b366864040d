/* Shared by the storage/store*.c files only. */
#ifndef VEIL_STORE_INTERNAL_H
#define VEIL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "storage/stmt_cache.h"
#include "storage/store.h"
#include "storage/store_rows.h"

/* Every statement the store uses, prepared once per connection on first use
 * and reused (lighttpd mod_webdav's shape). */
typedef enum {
    Q_BEGIN_READ, Q_BEGIN_WRITE, Q_COMMIT, Q_ROLLBACK, Q_SYNC_NORMAL, Q_SYNC_FULL,
    Q_PRINCIPAL_BY_PID, Q_PRINCIPAL_BY_ID, Q_PRINCIPAL_BY_ACCOUNT, Q_PRINCIPAL_BY_NAME, Q_PRINCIPAL_INSERT,
    Q_PRINCIPAL_SET_NAME, Q_PRINCIPAL_DELETE,
    Q_NODE_GET, Q_NODE_CHILD, Q_NODE_CHILDREN_FIRST, Q_NODE_CHILDREN_AFTER, Q_NODE_COUNT,
    Q_NODE_INSERT, Q_NODE_UPDATE, Q_NODE_SET_KIND, Q_NODE_SET_MASK, Q_NODE_SET_TZ,
    Q_TR_DELETE, Q_TR_INSERT, Q_TR_MOVE, Q_TR_COPY, Q_TR_QUERY, Q_NODE_TOUCH, Q_NODE_BY_UID, Q_NODE_BY_UID_HOME,
    Q_NODE_MOVE, Q_NODE_UID_RELEASED, Q_NODE_BUMP, Q_NODE_SUBTREE_DELETE,
    Q_BODY_GET, Q_BODY_PUT, Q_BODY_COPY, Q_BODY_SAME,
    Q_PROP_GET, Q_PROP_LIST, Q_PROP_SET, Q_PROP_REMOVE, Q_PROP_COPY,
    Q_UPROP_GET, Q_UPROP_LIST, Q_UPROP_SET, Q_UPROP_REMOVE,
    Q_CHANGE_RECORD, Q_CHANGES_SINCE, Q_CHANGES_FLOOR,
    Q_LOCKS_COVERING, Q_LOCKS_BELOW, Q_LOCK_GET, Q_LOCK_INSERT, Q_LOCK_REFRESH, Q_LOCK_DELETE,
    Q_LOCKS_DELETE_BELOW, Q_LOCKS_PURGE,
    Q__COUNT
} store_query;

/* A principal whose counter the open write transaction changed, and the
 * counter's value when it first did (storage/store_quota.c). */
typedef struct store_quota_note {
    int64_t principal, before;
} store_quota_note;

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[Q__COUNT];
    stmt_cache *adhoc; /* statements written inline in the store's files */
    int in_tx;
    int in_read;   /* a read snapshot is open (store_snapshot_begin) */
    int sync_full; /* durable commits: FULL outside transactions, group commit inside */
    int in_gate;   /* holds the process's write gate (group_commit.h) */
    long test_steps, test_budget; /* store_test_fail_after */
    store_quota_note *notes; /* principals charged in the write transaction (malloc'd) */
    int nnotes, capnotes;
    int notes_lost;          /* one could not be kept: the quota check fails closed */
};

/* Returns the prepared statement for q, reset and with bindings cleared, or
 * NULL on error.  The statement belongs to the connection. */
sqlite3_stmt *store_stmt(store *s, store_query q);
/* An inline statement from the connection's cache, ready to bind, or NULL;
 * store_release gives it back.  A statement that writes still needs
 * store_snapshot_end (or store_writable_check) before it runs. */
sqlite3_stmt *store_prepare(store *s, const char *text);
void store_release(store *s, sqlite3_stmt *st);
/* Ends a read snapshot before st runs when st writes.  store_stmt does this
 * for the fixed statements; code that prepares a writing statement of its own
 * calls it before stepping. */
void store_writable_check(store *s, sqlite3_stmt *st);
/* Runs a statement that returns no rows; STORE_OK or an error. */
int store_step_done(sqlite3_stmt *st);
char *store_col_text(vpool *pool, sqlite3_stmt *st, int col);
/* store_collect decoder of (ns, name, xml) rows into store_prop elements. */
int store_row_prop(void *arg, vpool *pool, sqlite3_stmt *st, void *elem);

/* The spans of node are rowids node * STORE_TR_MAX_SPANS + 0, 1, 2 ... with
 * no gap (store_tr_set writes them so).  Deletes them (to = 0), moves them
 * to collection coll, or copies them to node `to` in coll, one rowid at a
 * time: an R-tree finds a rowid only by equality, and a rowid range scans
 * the whole index (every PUT of a new event used to read all of it). */
int store_tr_walk(store *s, store_query q, int64_t node, int64_t to, int64_t coll);

/* Schema v9: creates the text index and fills it for the cards already
 * stored (storage/store_text.c). */
int store_text_migrate_v9(store *s);
/* Removes node's text row; copies from's to `to` (a COPY of a member). */
int store_text_delete(store *s, int64_t node);
int store_text_copy(store *s, int64_t from, int64_t to);

/* A write that must be atomic: inside the caller's write transaction, or in
 * one of its own when none is open (*own set; a read snapshot is ended
 * first).  store_write_leave commits its own when rc is STORE_OK, else rolls
 * it back, and returns rc or the commit's failure. */
int store_write_enter(store *s, int *own);
int store_write_leave(store *s, int own, int rc);

/* Bumps a collection's revision and records member `name` as changed or
 * deleted; *rev receives the new revision. */
int store_record_change(store *s, int64_t coll, const char *name, int deleted, int64_t *rev);

/* Schema version 8: the quota counter and its triggers (store_quota.c). */
extern const char store_schema_quota[];
/* On each connection: the TEMP trigger that tells the connection which
 * counters its write transaction changed.  STORE_OK or an error. */
int store_quota_install(store *s);
/* A write transaction begins: no counter changed yet. */
void store_quota_forget(store *s);

/* Tests only: from now on counts the connection's progress checks (SQLite's
 * progress handler, called between virtual-machine steps); once more than
 * `budget` have passed, every statement fails (SQLITE_INTERRUPT) until the
 * next call.  A negative budget only counts.  Returns the count since the
 * previous call.  Deterministic for one database state: a test measures a
 * call with a negative budget, then makes it fail at every point inside. */
long store_test_fail_after(store *s, long budget);

/* Tests only (the fuzz harness, which restores one state before each input):
 * copies every page of src over dst with SQLite's backup API.  Neither may
 * have a transaction open.  STORE_OK or an error. */
int store_test_copy(store *dst, store *src);
/* Rows inserted, updated or deleted through s since it was opened. */
long long store_test_changes(store *s);
/* Nonzero when s has no transaction or snapshot open and holds no gate. */
int store_test_idle(store *s);

#endif

/* Storage quota (RFC 4331): what each principal's data takes, counted by the
 * store itself.  The counter is kept by triggers, so every statement that
 * adds or removes stored bytes - whichever function runs it, a migration or
 * an operator's sqlite3 - moves it in the same transaction, and SQLite's one
 * writer makes two changes at once add up.  A writer learns whether its own
 * change took someone past their limit before it commits
 * (store_quota_exceeded), from the counter's value when the transaction
 * first touched it. */
#include "storage/store_internal.h"

#include <stdlib.h>

/* Schema version 8 (run by store.c's migrate).  Counted, in bytes:
 * - bodies: each stored body (calendar objects, cards, files, scheduling
 *   inbox and notification items), against the owner of its node;
 * - props: each dead property as stored (its element, UTF-8), against the
 *   owner of its node (a sharee's on their binding are theirs);
 * - user_props: each per-user property, against the principal who set it.
 * Names, ETags, the change log, locks, ACEs and shares are not counted.
 *
 * principals.quota_used is the counter; principals.quota_limit is NULL for
 * the configuration's default (quota_default_bytes), 0 for no limit, else
 * bytes.  quota_usage recounts from the rows: the migration sets every
 * counter from it, and `veildav store check` compares the two.
 *
 * The triggers:
 * - a row inserted, changed or deleted charges or credits the owner its node
 *   has then; a row whose node is gone charges no one, because
 * - a node deleted credits its owner with the body and dead properties it
 *   still has (the store deletes those after the node: store_nodes.c), so
 *   either order counts each byte once;
 * - a node given to another owner (a MOVE into someone else's collection)
 *   takes its bytes along.
 * A write that replaces a row must be an upsert: a REPLACE deletes the old
 * row without firing delete triggers.  The old length of a body is read with
 * a subquery in a BEFORE trigger: length() of a column comes from the record
 * header, where OLD.data would read a body of megabytes. */
const char store_schema_quota[] =
    "ALTER TABLE principals ADD COLUMN quota_used INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE principals ADD COLUMN quota_limit INTEGER;"
    "CREATE VIEW quota_usage(principal, bytes) AS SELECT owner, sum(bytes) FROM ("
    "  SELECT n.owner AS owner, length(b.data) AS bytes FROM bodies b JOIN nodes n ON n.id=b.node"
    "  UNION ALL SELECT n.owner, length(CAST(p.xml AS BLOB)) FROM props p"
    "    JOIN nodes n ON n.id=p.node"
    "  UNION ALL SELECT principal, length(CAST(xml AS BLOB)) FROM user_props) GROUP BY owner;"
    "UPDATE principals SET quota_used=u.bytes FROM quota_usage u WHERE u.principal=principals.id;"
    /* bodies: the old length read by a subquery (from the record header) */
    "CREATE TRIGGER quota_body_insert AFTER INSERT ON bodies BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(NEW.data)"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=NEW.node); END;"
    "CREATE TRIGGER quota_body_update BEFORE UPDATE OF data ON bodies BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(NEW.data)"
    "    -(SELECT length(data) FROM bodies WHERE node=OLD.node)"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=OLD.node); END;"
    "CREATE TRIGGER quota_body_delete BEFORE DELETE ON bodies BEGIN"
    "  UPDATE principals SET quota_used=quota_used"
    "    -(SELECT length(data) FROM bodies WHERE node=OLD.node)"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=OLD.node); END;"
    /* dead properties */
    "CREATE TRIGGER quota_prop_insert AFTER INSERT ON props BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(CAST(NEW.xml AS BLOB))"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=NEW.node); END;"
    "CREATE TRIGGER quota_prop_update AFTER UPDATE OF xml ON props BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(CAST(NEW.xml AS BLOB))"
    "    -length(CAST(OLD.xml AS BLOB))"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=OLD.node); END;"
    "CREATE TRIGGER quota_prop_delete AFTER DELETE ON props BEGIN"
    "  UPDATE principals SET quota_used=quota_used-length(CAST(OLD.xml AS BLOB))"
    "  WHERE id=(SELECT owner FROM nodes WHERE id=OLD.node); END;"
    /* per-user properties */
    "CREATE TRIGGER quota_userprop_insert AFTER INSERT ON user_props BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(CAST(NEW.xml AS BLOB))"
    "  WHERE id=NEW.principal; END;"
    "CREATE TRIGGER quota_userprop_update AFTER UPDATE OF xml ON user_props BEGIN"
    "  UPDATE principals SET quota_used=quota_used+length(CAST(NEW.xml AS BLOB))"
    "    -length(CAST(OLD.xml AS BLOB)) WHERE id=OLD.principal; END;"
    "CREATE TRIGGER quota_userprop_delete AFTER DELETE ON user_props BEGIN"
    "  UPDATE principals SET quota_used=quota_used-length(CAST(OLD.xml AS BLOB))"
    "  WHERE id=OLD.principal; END;"
    /* nodes: deleted (what they still hold), given to another owner */
    "CREATE TRIGGER quota_node_delete AFTER DELETE ON nodes BEGIN"
    "  UPDATE principals SET quota_used=quota_used"
    "    -coalesce((SELECT length(data) FROM bodies WHERE node=OLD.id),0)"
    "    -coalesce((SELECT sum(length(CAST(xml AS BLOB))) FROM props WHERE node=OLD.id),0)"
    "  WHERE id=OLD.owner; END;"
    "CREATE TRIGGER quota_node_owner AFTER UPDATE OF owner ON nodes"
    "  WHEN NEW.owner IS NOT OLD.owner BEGIN"
    "  UPDATE principals SET quota_used=quota_used+(CASE id WHEN NEW.owner THEN 1 ELSE -1 END)*("
    "     coalesce((SELECT length(data) FROM bodies WHERE node=OLD.id),0)"
    "    +coalesce((SELECT sum(length(CAST(xml AS BLOB))) FROM props WHERE node=OLD.id),0))"
    "  WHERE id IN (OLD.owner, NEW.owner); END;";

/* ---- what a transaction grew ----------------------------------------------------- */

/* The most principals one transaction may charge (a delivery to every
 * attendee of a large meeting charges each); past it the check fails
 * closed. */
#define NOTES_MAX 65536

/* veil_quota_note(principal, used_before): called by this connection's
 * TEMP trigger on every change of a counter; keeps the first value each
 * principal had in the transaction. */
static void note_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    store *s = sqlite3_user_data(ctx);
    int64_t who = sqlite3_value_int64(argv[0]);
    for (int i = 0; i < s->nnotes; i++)
        if (s->notes[i].principal == who) return;
    if (s->nnotes == s->capnotes) {
        int cap = s->capnotes ? s->capnotes * 2 : 8;
        store_quota_note *grown =
            cap <= NOTES_MAX ? realloc(s->notes, (size_t)cap * sizeof *grown) : NULL;
        if (!grown) {
            s->notes_lost = 1;
            return;
        }
        s->notes = grown;
        s->capnotes = cap;
    }
    s->notes[s->nnotes].principal = who;
    s->notes[s->nnotes++].before = sqlite3_value_int64(argv[1]);
}

int store_quota_install(store *s)
{
    /* a TEMP trigger may call this connection's function; one in the main
     * schema would fail in every other program that opens the file */
    if (sqlite3_create_function(s->db, "veil_quota_note", 2, SQLITE_UTF8, s, note_fn, NULL, NULL) !=
        SQLITE_OK)
        return STORE_ERROR;
    return store_rc(sqlite3_exec(s->db,
                                 "CREATE TEMP TRIGGER IF NOT EXISTS quota_note AFTER UPDATE OF "
                                 "quota_used ON main.principals BEGIN "
                                 "SELECT veil_quota_note(OLD.id, OLD.quota_used); END",
                                 NULL, NULL, NULL));
}

void store_quota_forget(store *s)
{
    s->nnotes = 0;
    s->notes_lost = 0;
}

/* ---- reading and setting ---------------------------------------------------------- */

int store_quota_get(store *s, int64_t principal, store_quota *out)
{
    out->used = 0;
    out->limit = STORE_QUOTA_DEFAULT;
    sqlite3_stmt *st =
        store_prepare(s, "SELECT quota_used, quota_limit FROM principals WHERE id=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->used = sqlite3_column_int64(st, 0);
        out->limit = sqlite3_column_type(st, 1) == SQLITE_NULL ? STORE_QUOTA_DEFAULT
                                                               : sqlite3_column_int64(st, 1);
    }
    store_release(s, st);
    if (rc == SQLITE_ROW) return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int store_quota_set_limit(store *s, int64_t principal, int64_t limit)
{
    if (limit < STORE_QUOTA_DEFAULT) return STORE_ERROR;
    sqlite3_stmt *st = store_prepare(s, "UPDATE principals SET quota_limit=?2 WHERE id=?1");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, principal);
    if (limit != STORE_QUOTA_DEFAULT) sqlite3_bind_int64(st, 2, limit);
    int rc = store_step_done(st);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0) rc = STORE_NOTFOUND;
    store_release(s, st);
    return rc;
}

int store_quota_exceeded(store *s, int64_t default_limit, int64_t *over)
{
    *over = 0;
    if (s->notes_lost) return STORE_ERROR; /* fail closed: something was not followed */
    for (int i = 0; i < s->nnotes; i++) {
        store_quota q;
        int rc = store_quota_get(s, s->notes[i].principal, &q);
        if (rc == STORE_NOTFOUND) continue; /* the principal went in this transaction */
        if (rc != STORE_OK) return rc;
        /* only growth is refused: a change that frees space passes even
         * above a limit lowered since (RFC 4331 §6 is about exceeding) */
        int64_t limit = store_quota_limit(&q, default_limit);
        if (q.used > s->notes[i].before && limit > 0 && q.used > limit) {
            *over = s->notes[i].principal;
            return STORE_OK;
        }
    }
    return STORE_OK;
}

/* ---- savepoints -------------------------------------------------------------------- */

int store_savepoint(store *s)
{
    if (!s->in_tx) return STORE_ERROR; /* a unit of a write transaction, never one of its own */
    return store_rc(sqlite3_exec(s->db, "SAVEPOINT veil_unit", NULL, NULL, NULL));
}

int store_savepoint_end(store *s, int undo)
{
    if (undo && sqlite3_exec(s->db, "ROLLBACK TO veil_unit", NULL, NULL, NULL) != SQLITE_OK)
        return STORE_ERROR;
    return store_rc(sqlite3_exec(s->db, "RELEASE veil_unit", NULL, NULL, NULL));
}

/* ---- recounting -------------------------------------------------------------------- */

static int drift_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    (void)arg;
    (void)pool;
    store_quota_drift *d = elem;
    d->principal = sqlite3_column_int64(st, 0);
    d->counted = sqlite3_column_int64(st, 1);
    d->actual = sqlite3_column_int64(st, 2);
    return STORE_OK;
}

int store_quota_drifts(store *s, vpool *pool, int max, store_quota_drift **out, int *n)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT p.id, p.quota_used, coalesce(u.bytes,0) FROM principals p LEFT JOIN "
           "quota_usage u ON u.principal=p.id WHERE p.quota_used<>coalesce(u.bytes,0) "
           "ORDER BY p.id LIMIT ?");
    if (!st) return STORE_ERROR;
    int cap = max > 0 ? max : 0;
    sqlite3_bind_int(st, 1, cap);
    store_rows how = {drift_row, NULL, sizeof(store_quota_drift), 16, cap};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

int store_quota_recount(store *s)
{
    int own;
    int rc = store_write_enter(s, &own);
    if (rc != STORE_OK) return rc;
    /* one pass over the rows (UPDATE ... FROM evaluates the view once) */
    rc = store_rc(sqlite3_exec(s->db,
                               "UPDATE principals SET quota_used=d.actual FROM (SELECT p.id AS id, "
                               "coalesce(u.bytes,0) AS actual FROM principals p LEFT JOIN "
                               "quota_usage u ON u.principal=p.id WHERE "
                               "p.quota_used<>coalesce(u.bytes,0)) d WHERE d.id=principals.id",
                               NULL, NULL, NULL));
    return store_write_leave(s, own, rc);
}

/* DAV store: removing a principal with everything that is its or names it,
 * forgetting the change-log rows a removal leaves in others' collections, and
 * scrubbing the file afterwards (../shared/MAIL-POLICY.md §4: what is
 * deleted is irretrievably gone). */
#include <stdio.h>
#include <string.h>

#include "storage/group_commit.h"
#include "storage/scrub.h"
#include "storage/store_internal.h"

/* The principal and its two delegation groups (owner = the principal): what
 * the statements below name as ?1's own. */
#define OWN_SET "(SELECT ?1 UNION ALL SELECT id FROM principals WHERE owner=?1)"

/* Runs q bound to (a, b, text) where it has those parameters. */
static int run(store *s, const char *q, int64_t a, const char *text)
{
    sqlite3_stmt *st = store_prepare(s, q);
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) >= 2) sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_change_forget(store *s, int64_t coll, const char *name)
{
    /* RFC 6578 §3.7: a token from before the floor is answered with
     * DAV:valid-sync-token, and the client syncs the collection afresh, so
     * no client misses the change that is no longer listed */
    int rc = run(s, "DELETE FROM changes WHERE collection=?1 AND name=?2", coll, name);
    if (rc == STORE_OK) rc = run(s, "UPDATE nodes SET sync_floor=revision WHERE id=?1", coll, NULL);
    return rc;
}

/* One node the principal still owns, homes first (they take their subtrees
 * with them); STORE_NOTFOUND when none is left. */
static int next_owned(store *s, vpool *pool, int64_t principal, store_node *out)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT id FROM nodes WHERE owner=?1 "
                                        "ORDER BY parent IN (1,2,3) DESC, id LIMIT 1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_release(s, st);
    if (rc == SQLITE_DONE) return STORE_NOTFOUND;
    if (rc != SQLITE_ROW) return store_rc(rc);
    rc = store_node_get(s, pool, id, out);
    return rc == STORE_NOTFOUND ? STORE_ERROR : rc; /* it was there a statement ago */
}

static int count_owned(store *s, int64_t principal, int64_t *n)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM nodes WHERE owner=?1");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_release(s, st);
    return rc == SQLITE_ROW ? STORE_OK : rc == SQLITE_DONE ? STORE_ERROR : store_rc(rc);
}

/* Deletes node id and the change-log row naming it in its parent. */
static int delete_forgotten(store *s, vpool *pool, int64_t id)
{
    store_node n;
    int rc = store_node_get(s, pool, id, &n);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* went with a subtree deleted before */
    if (rc == STORE_OK) rc = store_node_delete(s, id);
    return rc == STORE_OK ? store_change_forget(s, n.parent, n.name) : rc;
}

/* Others' bindings of the principal's collections (sharees' views, named
 * after them), before their targets go. */
static int delete_views(store *s, vpool *pool, int64_t principal)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT id FROM nodes WHERE kind=8 AND owner<>?1 AND "
                                        "target IN (SELECT id FROM nodes WHERE owner=?1)");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, principal);
    static const store_rows how = {store_row_int64, NULL, sizeof(int64_t), 8, -1};
    void *arr;
    int n;
    int rc = store_collect(st, pool, &how, &arr, &n);
    store_release(s, st);
    for (int i = 0; rc == STORE_OK && i < n; i++) rc = delete_forgotten(s, pool, ((int64_t *)arr)[i]);
    return rc;
}

/* Deletes every node the principal owns: its three homes with all below
 * them (bodies, properties, change logs, time-range spans), and anything of
 * its elsewhere, which the store never holds (ownership follows the home a
 * node is in, schema_v4) but would otherwise outlive it.  Each deletion's
 * record in the parent's change log goes too: it names the node. */
static int delete_owned(store *s, vpool *pool, int64_t principal)
{
    int64_t left;
    int rc = delete_views(s, pool, principal);
    if (rc == STORE_OK) rc = count_owned(s, principal, &left);
    /* each round removes at least the node it found */
    for (int64_t round = 0; rc == STORE_OK && round <= left; round++) {
        store_node n;
        rc = next_owned(s, pool, principal, &n);
        if (rc == STORE_NOTFOUND) return STORE_OK;
        if (rc == STORE_OK) rc = delete_forgotten(s, pool, n.id);
    }
    return rc == STORE_OK ? STORE_ERROR : rc; /* still owning nodes after every round */
}

int store_principal_delete(store *s, int64_t id)
{
    store_snapshot_end(s); /* it writes (store.h) */
    vpool *pool = pool_new();
    if (!pool) return STORE_ERROR;
    store_principal p;
    int rc = store_principal_by_id(s, pool, id, &p);
    if (rc == STORE_OK) rc = delete_owned(s, pool, id);
    /* locks it took anywhere, and any lock left on its homes' paths */
    static const char *const spaces[] = {"files", "calendars", "addressbooks"};
    for (size_t i = 0; rc == STORE_OK && i < sizeof spaces / sizeof spaces[0]; i++)
        rc = store_locks_delete_below(s, pool_printf(pool, "/%s/%s", spaces[i], p.pid));
    /* everything naming it or its delegation groups: a later principal
     * given one of their ids must inherit nothing (ACEs, shares,
     * memberships, its values of others' properties) */
    static const char *const naming[] = {
        "DELETE FROM locks WHERE principal IN " OWN_SET,
        "UPDATE nodes SET has_acl=EXISTS(SELECT 1 FROM aces a WHERE a.node=nodes.id AND "
        "  a.principal NOT IN " OWN_SET ") "
        "WHERE id IN (SELECT node FROM aces WHERE principal IN " OWN_SET ")",
        "DELETE FROM aces WHERE principal IN " OWN_SET,
        "DELETE FROM shares WHERE sharee IN " OWN_SET,
        "DELETE FROM group_members WHERE group_id IN " OWN_SET " OR member IN " OWN_SET,
        "DELETE FROM user_props WHERE principal IN " OWN_SET,
        "DELETE FROM principals WHERE owner=?1",
    };
    for (size_t i = 0; rc == STORE_OK && i < sizeof naming / sizeof naming[0]; i++)
        rc = run(s, naming[i], id, NULL);
    /* the invitations and answers it sent that wait in the mail queue: they
     * hold its words and addresses (only a user sends mail, never its groups) */
    if (rc == STORE_OK) rc = store_mail_remove_owner(s, id);
    if (rc == STORE_OK) {
        sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_DELETE);
        if (!st) rc = STORE_ERROR;
        else {
            sqlite3_bind_int64(st, 1, id);
            rc = store_step_done(st);
        }
        if (rc == STORE_OK && sqlite3_changes(s->db) == 0) rc = STORE_NOTFOUND;
    }
    pool_free(pool);
    return rc;
}

int store_scrub(store *s)
{
    if (s->in_tx) return STORE_ERROR;
    store_snapshot_end(s);
    /* writers of this process wait at the gate meanwhile, rather than in
     * SQLite's busy handler (which would give up after its timeout) */
    group_commit_gate_enter();
    int rc = store_db_scrub(s->db);
    group_commit_gate_leave();
    return rc;
}

/* Runs one statement of the sweep's own (ATTACH, DETACH) bound to text. */
static int exec_text(store *s, const char *q, const char *text)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, q, -1, &st, NULL) != SQLITE_OK) return STORE_ERROR;
    if (text) sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    int rc = store_rc(sqlite3_step(st));
    sqlite3_finalize(st);
    return rc;
}

int store_principals_orphaned(store *s, vpool *pool, const char *accounts_path, int max,
                              int64_t **ids, int *n)
{
    *ids = NULL;
    *n = 0;
    if (s->in_tx || max <= 0) return STORE_ERROR; /* ATTACH runs outside transactions */
    store_snapshot_end(s);
    int rc = exec_text(s, "ATTACH ?1 AS acct", accounts_path);
    if (rc != STORE_OK) return rc;
    /* the account database it must be, or nothing is anyone's orphan: a
     * wrong file would make every principal look like one */
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(s->db, "SELECT value='veil-accounts' FROM acct.schema_info "
                                   "WHERE key='name'", -1, &st, NULL) == SQLITE_OK
             ? sqlite3_step(st)
             : SQLITE_ERROR;
    int ours = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    rc = ours ? STORE_OK : STORE_ERROR;
    /* one statement reads both files, each in one snapshot */
    if (rc == STORE_OK &&
        sqlite3_prepare_v2(s->db, "SELECT p.id FROM principals p WHERE p.kind=1 AND "
                                  "p.account_id>0 AND NOT EXISTS(SELECT 1 FROM acct.accounts a "
                                  "WHERE a.id=p.account_id) ORDER BY p.id LIMIT ?1",
                           -1, &st, NULL) != SQLITE_OK)
        rc = STORE_ERROR;
    if (rc == STORE_OK) {
        sqlite3_bind_int(st, 1, max);
        store_rows how = {store_row_int64, NULL, sizeof(int64_t), 8, max};
        void *arr;
        rc = store_collect(st, pool, &how, &arr, n);
        sqlite3_finalize(st);
        *ids = arr;
    }
    int rc2 = exec_text(s, "DETACH acct", NULL);
    return rc != STORE_OK ? rc : rc2;
}

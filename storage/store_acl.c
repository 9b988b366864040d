/* DAV store: group membership, access control entries and shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/store_internal.h"

static int run(store *s, const char *q, int64_t a, int64_t b)
{
    store_snapshot_end(s); /* it writes (store.h) */
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, q))) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = store_rc(sqlite3_step(st));
    store_release(s, st);
    return rc;
}

/* Collects the first column of q (bound to a) as int64s. */
static int ids(store *s, vpool *pool, const char *q, int64_t a, int64_t **out, int *n)
{
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, q))) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, a);
    /* a list cut short by an error is an error: a missing group could
     * hide a deny that names it */
    static const store_rows how = {store_row_int64, NULL, sizeof(int64_t), 8, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

int store_group_add_member(store *s, int64_t group, int64_t member)
{
    return run(s, "INSERT OR IGNORE INTO group_members(group_id, member) VALUES(?,?)", group,
               member);
}

int store_group_remove_member(store *s, int64_t group, int64_t member)
{
    return run(s, "DELETE FROM group_members WHERE group_id=? AND member=?", group, member);
}

int store_group_members(store *s, vpool *pool, int64_t group, int64_t **out, int *n)
{
    return ids(s, pool, "SELECT member FROM group_members WHERE group_id=? ORDER BY member",
               group, out, n);
}

int store_principal_groups(store *s, vpool *pool, int64_t principal, int64_t **out, int *n)
{
    return ids(s, pool,
               "WITH RECURSIVE g(id, depth) AS (SELECT group_id, 1 FROM group_members "
               "WHERE member=?1 UNION SELECT m.group_id, g.depth + 1 FROM group_members m "
               "JOIN g ON m.member=g.id WHERE g.depth < 8) SELECT DISTINCT id FROM g",
               principal, out, n);
}

/* ---- ACEs ------------------------------------------------------------------ */

static int ace_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_ace *a = elem;
    a->node = *(const int64_t *)arg;
    a->who = sqlite3_column_int(st, 0);
    a->principal = sqlite3_column_int64(st, 1);
    a->grant = (unsigned)sqlite3_column_int64(st, 2);
    a->deny = (unsigned)sqlite3_column_int64(st, 3);
    a->source = sqlite3_column_int(st, 4);
    return STORE_OK;
}

int store_aces_get(store *s, vpool *pool, int64_t node, store_ace **out, int *n)
{
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, "SELECT who, principal, grant_bits, deny_bits, source FROM aces "
                           "WHERE node=? ORDER BY pos")))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    /* a truncated ACE list could drop a deny: an error, never a shorter list */
    store_rows how = {ace_row, &node, sizeof(store_ace), 4, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

int store_aces_replace(store *s, int64_t node, int source, const store_ace *aces, int n)
{
    store_snapshot_end(s); /* it writes (store.h) */
    vpool *pool = pool_new();
    if (!pool) return STORE_ERROR;
    store_ace *old;
    int nold;
    int rc = store_aces_get(s, pool, node, &old, &nold);
    if (rc == STORE_OK) rc = run(s, "DELETE FROM aces WHERE node=?", node, 0);
    sqlite3_stmt *ins = NULL;
    if (rc == STORE_OK &&
        !(ins = store_prepare(s, "INSERT INTO aces(node,pos,who,principal,grant_bits,deny_bits,source) "
                           "VALUES(?,?,?,?,?,?,?)")))
        rc = STORE_ERROR;
    int pos = 0;
    /* share ACEs first (protected), then the ACL method's, in their order */
    for (int pass = 1; rc == STORE_OK && pass >= 0; pass--) {
        const store_ace *list = pass == source ? aces : old;
        int count = pass == source ? n : nold;
        for (int i = 0; rc == STORE_OK && i < count; i++) {
            if (list == old && old[i].source != pass) continue;
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, node);
            sqlite3_bind_int(ins, 2, pos++);
            sqlite3_bind_int(ins, 3, list[i].who);
            sqlite3_bind_int64(ins, 4, list[i].principal);
            sqlite3_bind_int64(ins, 5, list[i].grant);
            sqlite3_bind_int64(ins, 6, list[i].deny);
            sqlite3_bind_int(ins, 7, pass);
            rc = store_rc(sqlite3_step(ins));
        }
    }
    store_release(s, ins);
    if (rc == STORE_OK)
        rc = run(s, "UPDATE nodes SET has_acl=(SELECT count(*)>0 FROM aces WHERE node=?1) WHERE id=?1",
                 node, 0);
    pool_free(pool);
    return rc;
}

/* The groups a principal is in, itself first (d = 0), nested up to 8 deep:
 * the CTE both relationship queries start from. */
#define GROUPS_OF(name, param)                                                              \
    name "(id, d) AS (SELECT " param ", 0 UNION SELECT m.group_id, " name ".d + 1 "          \
         "FROM group_members m JOIN " name " ON m.member=" name ".id WHERE " name ".d < 8)"

int store_principals_related(store *s, int64_t a, int64_t b, int *yes)
{
    sqlite3_stmt *st;
    /* In either direction: an ACE (ACL grant or share) or a share on something
     * one owns naming the other or a group the other is in; one's delegation
     * group holding the other (directly or through a group); or a group both
     * are in, or one is in the other.  Written from both sides' (small) sets
     * of groups, so the check never lists a group's members. */
    if (!(st = store_prepare(s, "WITH RECURSIVE " GROUPS_OF("ga", "?1") ", " GROUPS_OF("gb", "?2") " "
            "SELECT EXISTS(SELECT 1 FROM aces x JOIN nodes n ON n.id=x.node WHERE x.who=1 AND "
            "  ((n.owner=?1 AND x.principal IN (SELECT id FROM gb)) OR "
            "   (n.owner=?2 AND x.principal IN (SELECT id FROM ga)))) "
            "OR EXISTS(SELECT 1 FROM shares sh JOIN nodes n ON n.id=sh.node WHERE "
            "  (n.owner=?1 AND sh.sharee IN (SELECT id FROM gb)) OR "
            "  (n.owner=?2 AND sh.sharee IN (SELECT id FROM ga))) "
            "OR EXISTS(SELECT 1 FROM principals p WHERE p.kind IN (5,6) AND "
            "  ((p.owner=?1 AND p.id IN (SELECT id FROM gb)) OR "
            "   (p.owner=?2 AND p.id IN (SELECT id FROM ga)))) "
            "OR EXISTS(SELECT 1 FROM ga JOIN gb ON ga.id=gb.id WHERE ga.d>0 OR gb.d>0)")))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
    store_release(s, st);
    return rc == SQLITE_ROW ? STORE_OK : store_rc(rc);
}

int store_principals_related_list(store *s, vpool *pool, int64_t a, int max, int64_t **out,
                                  int *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    /* the same relations as store_principals_related, read from a's side:
     * whatever a's ACEs and shares name, a's delegation groups, the groups a
     * is in and a itself, each with its members (nested groups followed
     * down); and the owners of what names a or a group a is in */
    if (!(st = store_prepare(s, "WITH RECURSIVE " GROUPS_OF("ga", "?1") ", "
            "seeds(id) AS ("
            " SELECT x.principal FROM aces x JOIN nodes n ON n.id=x.node WHERE n.owner=?1 AND x.who=1"
            " UNION SELECT sh.sharee FROM shares sh JOIN nodes n ON n.id=sh.node WHERE n.owner=?1"
            " UNION SELECT id FROM principals WHERE owner=?1 AND kind IN (5,6)"
            " UNION SELECT id FROM ga), "
            "down(id, d) AS (SELECT id, 0 FROM seeds UNION SELECT m.member, down.d + 1 "
            " FROM group_members m JOIN down ON m.group_id=down.id WHERE down.d < 8), "
            "rel(id) AS (SELECT id FROM down"
            " UNION SELECT n.owner FROM aces x JOIN nodes n ON n.id=x.node"
            "   WHERE x.who=1 AND x.principal IN (SELECT id FROM ga)"
            " UNION SELECT n.owner FROM shares sh JOIN nodes n ON n.id=sh.node"
            "   WHERE sh.sharee IN (SELECT id FROM ga)) "
            "SELECT DISTINCT CASE WHEN p.owner>0 AND p.kind IN (5,6) THEN p.owner ELSE p.id END "
            "AS who FROM principals p WHERE p.id IN (SELECT id FROM rel) "
            "AND who<>?1 ORDER BY who LIMIT ?2")))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int(st, 2, max);
    int cap = max > 0 ? max : 0;
    store_rows how = {store_row_int64, NULL, sizeof(int64_t), cap ? cap : 1, cap};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

/* ---- shares ------------------------------------------------------------------ */

#define SHARE_COLS "id,node,sharee,access,state,binding,uid,summary,created"

static int share_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_share *x = elem;
    x->id = sqlite3_column_int64(st, 0);
    x->node = sqlite3_column_int64(st, 1);
    x->sharee = sqlite3_column_int64(st, 2);
    x->access = sqlite3_column_int(st, 3);
    x->state = sqlite3_column_int(st, 4);
    x->binding = sqlite3_column_int64(st, 5);
    x->uid = store_col_text(pool, st, 6);
    x->summary = store_col_text(pool, st, 7);
    x->created = sqlite3_column_int64(st, 8);
    return STORE_OK;
}

static int read_shares(store *s, vpool *pool, sqlite3_stmt *st, store_share **out, int *n)
{
    static const store_rows how = {share_row, NULL, sizeof(store_share), 4, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

static int share_query(store *s, vpool *pool, const char *where, int64_t a, int64_t b,
                       const char *text, store_share **out, int *n)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT " SHARE_COLS " FROM shares WHERE %s ORDER BY id", where);
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, q))) return STORE_ERROR;
    if (text) {
        sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_int64(st, 1, a);
        sqlite3_bind_int64(st, 2, b);
    }
    return read_shares(s, pool, st, out, n);
}

static int one(int rc, store_share *arr, int n, store_share *out)
{
    if (rc != STORE_OK) return rc;
    if (n == 0) return STORE_NOTFOUND;
    *out = arr[0];
    return STORE_OK;
}

int store_share_get(store *s, vpool *pool, int64_t node, int64_t sharee, store_share *out)
{
    store_share *arr;
    int n = 0;
    int rc = share_query(s, pool, "node=?1 AND sharee=?2", node, sharee, NULL, &arr, &n);
    return one(rc, arr, n, out);
}

int store_share_by_uid(store *s, vpool *pool, const char *uid, store_share *out)
{
    store_share *arr;
    int n = 0;
    int rc = share_query(s, pool, "uid=?1", 0, 0, uid, &arr, &n);
    return one(rc, arr, n, out);
}

int store_share_by_binding(store *s, vpool *pool, int64_t binding, store_share *out)
{
    store_share *arr;
    int n = 0;
    int rc = share_query(s, pool, "binding=?1 AND ?2=?2", binding, 0, NULL, &arr, &n);
    return one(rc, arr, n, out);
}

int store_shares_of_node(store *s, vpool *pool, int64_t node, store_share **out, int *n)
{
    return share_query(s, pool, "node=?1 AND ?2=?2", node, 0, NULL, out, n);
}

int store_shared_nodes_below(store *s, vpool *pool, int64_t node, int64_t **out, int *n)
{
    return ids(s, pool,
               "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL "
               "  SELECT c.id FROM nodes c JOIN sub ON c.parent=sub.id) "
               "SELECT DISTINCT node FROM shares WHERE node IN sub ORDER BY node",
               node, out, n);
}

int store_shares_of_sharee(store *s, vpool *pool, int64_t sharee, store_share **out, int *n)
{
    return share_query(s, pool, "sharee=?1 AND ?2=?2", sharee, 0, NULL, out, n);
}

int store_shares_given(store *s, vpool *pool, int64_t owner, store_share **out, int *n)
{
    return share_query(s, pool, "node IN (SELECT id FROM nodes WHERE owner=?1) AND ?2=?2", owner,
                       0, NULL, out, n);
}

int store_share_put(store *s, vpool *pool, const store_share *in, store_share *out)
{
    store_snapshot_end(s); /* it writes (store.h) */
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, "INSERT INTO shares(node,sharee,access,state,binding,uid,summary,created) "
                           "VALUES(?,?,?,?,?,?,?,?) ON CONFLICT(node,sharee) DO UPDATE SET "
                           "access=excluded.access, state=excluded.state, "
                           "binding=excluded.binding, summary=excluded.summary, uid=excluded.uid")))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, in->node);
    sqlite3_bind_int64(st, 2, in->sharee);
    sqlite3_bind_int(st, 3, in->access);
    sqlite3_bind_int(st, 4, in->state);
    sqlite3_bind_int64(st, 5, in->binding);
    sqlite3_bind_text(st, 6, in->uid, -1, SQLITE_STATIC);
    if (in->summary) sqlite3_bind_text(st, 7, in->summary, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 7);
    sqlite3_bind_int64(st, 8, in->created ? in->created : (int64_t)time(NULL));
    int rc = store_rc(sqlite3_step(st));
    store_release(s, st);
    if (rc != STORE_OK || !out) return rc;
    return store_share_get(s, pool, in->node, in->sharee, out);
}

int store_share_delete(store *s, int64_t id)
{
    return run(s, "DELETE FROM shares WHERE id=? AND ?2=?2", id, 0);
}

int store_node_set_target(store *s, int64_t id, int64_t target)
{
    return run(s, "UPDATE nodes SET target=?2 WHERE id=?1", id, target);
}

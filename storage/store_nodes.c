/* DAV store: the node tree, bodies, dead properties and the change log. */
#include <string.h>
#include <time.h>

#include "common/rand.h"
#include "storage/store_internal.h"

/* Reads NODE_COLS starting at column c. */
static void read_node_at(vpool *pool, sqlite3_stmt *st, int c, store_node *n)
{
    memset(n, 0, sizeof(*n));
    n->id = sqlite3_column_int64(st, c + 0);
    n->parent = sqlite3_column_int64(st, c + 1);
    n->name = store_col_text(pool, st, c + 2);
    n->kind = sqlite3_column_int(st, c + 3);
    n->owner = sqlite3_column_int64(st, c + 4);
    if (sqlite3_column_bytes(st, c + 5) == 16) memcpy(n->resource_id, sqlite3_column_blob(st, c + 5), 16);
    n->etag = store_col_text(pool, st, c + 6);
    n->content_type = store_col_text(pool, st, c + 7);
    n->content_language = store_col_text(pool, st, c + 8);
    n->length = sqlite3_column_int64(st, c + 9);
    n->created = sqlite3_column_int64(st, c + 10);
    n->modified = sqlite3_column_int64(st, c + 11);
    n->revision = sqlite3_column_int64(st, c + 12);
    n->uid = store_col_text(pool, st, c + 13);
    n->component = store_col_text(pool, st, c + 14);
    n->comp_mask = (unsigned)sqlite3_column_int(st, c + 15);
    n->tz = store_col_text(pool, st, c + 16);
    n->target = sqlite3_column_int64(st, c + 17);
    n->has_acl = sqlite3_column_int(st, c + 18);
    n->sched_tag = store_col_text(pool, st, c + 19);
}

static void read_node(vpool *pool, sqlite3_stmt *st, store_node *n)
{
    read_node_at(pool, st, 0, n);
}

static int node_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    read_node(pool, st, elem);
    return STORE_OK;
}

static int one_node(vpool *pool, sqlite3_stmt *st, store_node *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (out) read_node(pool, st, out);
        sqlite3_reset(st);
        return STORE_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int store_node_get(store *s, vpool *pool, int64_t id, store_node *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_GET);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return one_node(pool, st, out);
}

int store_node_child(store *s, vpool *pool, int64_t parent, const char *name, store_node *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_CHILD);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, parent);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return one_node(pool, st, out);
}

int store_node_by_uid(store *s, vpool *pool, int64_t coll, const char *uid, store_node *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_BY_UID);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    return one_node(pool, st, out);
}

int store_node_by_uid_in_home(store *s, vpool *pool, int64_t home, const char *uid, int64_t except,
                              store_node *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_BY_UID_HOME);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, home);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, except);
    return one_node(pool, st, out);
}

int store_uid_dups_count(store *s, int64_t *n)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM nodes WHERE uid_dup<>0");
    if (!st) return STORE_ERROR;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    store_release(s, st);
    return rc == SQLITE_ROW ? STORE_OK : store_rc(rc) == STORE_OK ? STORE_ERROR : store_rc(rc);
}

static int dup_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_uid_dup *d = elem;
    d->node = sqlite3_column_int64(st, 0);
    d->collection = sqlite3_column_int64(st, 1);
    d->owner = sqlite3_column_int64(st, 2);
    d->name = store_col_text(pool, st, 3);
    d->holder = store_col_text(pool, st, 4);
    return STORE_OK;
}

int store_uid_dups(store *s, vpool *pool, int max, store_uid_dup **out, int *n)
{
    sqlite3_stmt *st = store_prepare(
        s, "SELECT d.id, d.parent, c.owner, d.name, (SELECT h.name FROM nodes h WHERE "
           "h.parent=d.parent AND h.uid=d.uid AND h.uid_dup=0) FROM nodes d "
           "JOIN nodes c ON c.id=d.parent WHERE d.uid_dup<>0 ORDER BY d.parent, d.uid, d.id "
           "LIMIT ?");
    if (!st) return STORE_ERROR;
    int cap = max > 0 ? max : 0;
    sqlite3_bind_int(st, 1, cap);
    store_rows how = {dup_row, NULL, sizeof(store_uid_dup), 16, cap};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *out = arr;
    return rc;
}

int store_node_children(store *s, vpool *pool, int64_t parent, const char *after, int limit,
                        store_node **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, after ? Q_NODE_CHILDREN_AFTER : Q_NODE_CHILDREN_FIRST);
    if (!st) return STORE_ERROR;
    int i = 1;
    sqlite3_bind_int64(st, i++, parent);
    if (after) sqlite3_bind_text(st, i++, after, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, i, limit);
    int cap = limit > 0 ? limit : 0;
    store_rows how = {node_row, NULL, sizeof(store_node), cap ? cap : 1, cap};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    *out = arr;
    return rc;
}

int store_node_count_children(store *s, int64_t parent, int64_t *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_COUNT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, parent);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : store_rc(rc);
}

int store_record_change(store *s, int64_t coll, const char *name, int deleted, int64_t *rev)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_BUMP);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(st, 2, coll);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
    }
    int64_t r = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    st = store_stmt(s, Q_CHANGE_RECORD);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r);
    sqlite3_bind_int(st, 4, deleted);
    rc = store_step_done(st);
    if (rev) *rev = r;
    return rc;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static int put_body(store *s, int64_t id, const store_content *c)
{
    sqlite3_stmt *st = store_stmt(s, Q_BODY_PUT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob64(st, 2, c->length ? c->body : "", c->length, SQLITE_STATIC);
    return store_step_done(st);
}

int store_node_create(store *s, vpool *pool, const store_node *n, const store_content *c,
                      store_node *out)
{
    int64_t rev = 0;
    int rc = store_record_change(s, n->parent, n->name, 0, &rev);
    if (rc != STORE_OK) return rc;
    unsigned char rid[16];
    if (rand_uuid(rid) < 0) return STORE_ERROR;
    int64_t now = (int64_t)time(NULL);
    sqlite3_stmt *st = store_stmt(s, Q_NODE_INSERT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, n->parent);
    sqlite3_bind_text(st, 2, n->name, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, n->kind);
    sqlite3_bind_int64(st, 4, n->owner);
    sqlite3_bind_blob(st, 5, rid, 16, SQLITE_TRANSIENT);
    bind_text_or_null(st, 6, c ? c->etag : NULL);
    bind_text_or_null(st, 7, c ? c->content_type : NULL);
    bind_text_or_null(st, 8, c ? c->content_language : NULL);
    sqlite3_bind_int64(st, 9, c ? (sqlite3_int64)c->length : 0);
    sqlite3_bind_int64(st, 10, now);
    sqlite3_bind_int64(st, 11, now);
    sqlite3_bind_int64(st, 12, store_kind_is_collection(n->kind) ? 0 : rev);
    bind_text_or_null(st, 13, c ? c->uid : NULL);
    bind_text_or_null(st, 14, c ? c->component : NULL);
    rc = store_step_done(st);
    if (rc != STORE_OK) return rc;
    int64_t id = sqlite3_last_insert_rowid(s->db);
    if (c && !store_kind_is_collection(n->kind)) {
        rc = put_body(s, id, c);
        if (rc != STORE_OK) return rc;
    }
    if (out) return store_node_get(s, pool, id, out);
    return STORE_OK;
}

/* The member that held uid in parent left it (deleted, moved away, given
 * another UID): a member marked as its duplicate takes it (schema_v5). */
static int uid_released(store *s, int64_t parent, const char *uid)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_UID_RELEASED);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, parent);
    sqlite3_bind_text(st, 2, uid, -1, SQLITE_STATIC);
    return store_step_done(st);
}

/* store_node_update; with expect, only while the node's revision is *expect
 * (inside a write transaction, so nobody changes it between the read and the
 * write). */
static int node_update(store *s, vpool *pool, int64_t id, const int64_t *expect,
                       const store_content *c, store_node *out)
{
    store_node cur;
    int rc = store_node_get(s, pool, id, &cur);
    if (expect && (rc == STORE_NOTFOUND || (rc == STORE_OK && cur.revision != *expect)))
        return STORE_CONFLICT;
    if (rc != STORE_OK) return rc;
    int64_t rev = 0;
    rc = store_record_change(s, cur.parent, cur.name, 0, &rev);
    if (rc != STORE_OK) return rc;
    sqlite3_stmt *st = store_stmt(s, Q_NODE_UPDATE);
    if (!st) return STORE_ERROR;
    bind_text_or_null(st, 1, c->etag);
    bind_text_or_null(st, 2, c->content_type);
    bind_text_or_null(st, 3, c->content_language);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)c->length);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(st, 6, rev);
    bind_text_or_null(st, 7, c->uid);
    bind_text_or_null(st, 8, c->component);
    sqlite3_bind_int64(st, 9, id);
    rc = store_step_done(st);
    if (rc != STORE_OK) return rc;
    if (cur.uid && (!c->uid || strcmp(cur.uid, c->uid) != 0)) {
        rc = uid_released(s, cur.parent, cur.uid);
        if (rc != STORE_OK) return rc;
    }
    rc = put_body(s, id, c);
    if (rc != STORE_OK) return rc;
    if (out) return store_node_get(s, pool, id, out);
    return STORE_OK;
}

int store_node_update(store *s, vpool *pool, int64_t id, const store_content *c, store_node *out)
{
    return node_update(s, pool, id, NULL, c, out);
}

int store_node_update_if(store *s, vpool *pool, int64_t id, int64_t expect_revision,
                         const store_content *c, store_node *out)
{
    int own;
    int rc = store_write_enter(s, &own);
    if (rc != STORE_OK) return rc;
    return store_write_leave(s, own, node_update(s, pool, id, &expect_revision, c, out));
}

int store_node_set_kind(store *s, int64_t id, int kind)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_SET_KIND);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_int64(st, 2, id);
    return store_step_done(st);
}

int store_node_set_sched_tag(store *s, int64_t id, const char *tag)
{
    sqlite3_stmt *st = store_prepare(s, "UPDATE nodes SET sched_tag=?2 WHERE id=?1");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, id);
    if (tag) sqlite3_bind_text(st, 2, tag, -1, SQLITE_STATIC);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_node_set_owner(store *s, int64_t id, int64_t owner)
{
    sqlite3_stmt *st = store_prepare(s, "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL "
                                        "SELECT n.id FROM nodes n JOIN sub ON n.parent=sub.id) "
                                        "UPDATE nodes SET owner=?2 WHERE id IN (SELECT id FROM sub)");
    if (!st) return STORE_ERROR;
    store_writable_check(s, st);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, owner);
    int rc = store_step_done(st);
    store_release(s, st);
    return rc;
}

int store_node_set_comp_mask(store *s, int64_t id, unsigned comp_mask)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_SET_MASK);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int(st, 1, (int)comp_mask);
    sqlite3_bind_int64(st, 2, id);
    return store_step_done(st);
}

int store_node_set_tz(store *s, int64_t id, const char *tz)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_SET_TZ);
    if (!st) return STORE_ERROR;
    bind_text_or_null(st, 1, tz);
    sqlite3_bind_int64(st, 2, id);
    return store_step_done(st);
}

int store_node_touch(store *s, int64_t id)
{
    sqlite3_stmt *st = store_stmt(s, Q_NODE_TOUCH);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(st, 2, id);
    return store_step_done(st);
}

static int unindex_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    int64_t id = sqlite3_column_int64(st, 0);
    int rc = store_tr_walk(arg, Q_TR_DELETE, id, 0, 0);
    /* by rowid, one at a time: an IN over FTS5 would read the whole index */
    return rc == STORE_OK ? store_text_delete(arg, id) : rc;
}

/* Deletes the rows keyed by node id in bodies, props, user_props and changes
 * for every id the subtree delete returned.  Done with one statement each
 * over a temporary list to keep big collections fast. */
static int delete_satellites(store *s)
{
    sqlite3_stmt *ids;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM temp.gone", -1, &ids, NULL) != SQLITE_OK)
        return STORE_ERROR;
    store_rows how = {unindex_row, s, 0, 0, -1};
    int n;
    int rc = store_collect(ids, NULL, &how, NULL, &n);
    sqlite3_finalize(ids);
    if (rc != STORE_OK) return rc;
    static const char *q[] = {
        /* sharees' bindings of what went (the sharing engine removes them
         * first; this keeps the store consistent whatever deletes) */
        ("INSERT OR IGNORE INTO temp.gone(id) SELECT id FROM nodes WHERE kind=8 AND target IN "
         "(SELECT id FROM temp.gone)"),
        "DELETE FROM nodes WHERE kind=8 AND id IN (SELECT id FROM temp.gone)",
        "DELETE FROM bodies WHERE node IN (SELECT id FROM temp.gone)",
        "DELETE FROM props WHERE node IN (SELECT id FROM temp.gone)",
        "DELETE FROM user_props WHERE node IN (SELECT id FROM temp.gone)",
        "DELETE FROM changes WHERE collection IN (SELECT id FROM temp.gone)",
        /* ACEs and shares never outlive their node: a later node given the
         * same id must not inherit them */
        "DELETE FROM aces WHERE node IN (SELECT id FROM temp.gone)",
        "DELETE FROM shares WHERE node IN (SELECT id FROM temp.gone)",
        "UPDATE shares SET binding=0 WHERE binding IN (SELECT id FROM temp.gone)",
        "DELETE FROM temp.gone",
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if (sqlite3_exec(s->db, q[i], NULL, NULL, NULL) != SQLITE_OK) return STORE_ERROR;
    return STORE_OK;
}

/* Puts each id the subtree delete returns into temp.gone. */
static int gone_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    sqlite3_stmt *ins = arg;
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, sqlite3_column_int64(st, 0));
    return store_rc(sqlite3_step(ins));
}

/* store_node_delete; with expect, only while the node's revision is *expect. */
static int node_delete(store *s, int64_t id, const int64_t *expect)
{
    store_snapshot_end(s); /* it writes (store.h) */
    vpool *pool = pool_new();
    if (!pool) return STORE_ERROR;
    store_node n;
    int rc = store_node_get(s, pool, id, &n);
    if (expect && (rc == STORE_NOTFOUND || (rc == STORE_OK && n.revision != *expect)))
        rc = STORE_CONFLICT;
    if (rc != STORE_OK) goto done;
    if (n.parent) {
        rc = store_record_change(s, n.parent, n.name, 1, NULL);
        if (rc != STORE_OK) goto done;
    }
    if (sqlite3_exec(s->db, "CREATE TEMP TABLE IF NOT EXISTS gone(id INTEGER PRIMARY KEY)", NULL,
                     NULL, NULL) != SQLITE_OK) {
        rc = STORE_ERROR;
        goto done;
    }
    sqlite3_stmt *ins;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO temp.gone(id) VALUES(?)", -1, &ins, NULL) !=
        SQLITE_OK) {
        rc = STORE_ERROR;
        goto done;
    }
    sqlite3_stmt *st = store_stmt(s, Q_NODE_SUBTREE_DELETE);
    if (!st) {
        sqlite3_finalize(ins);
        rc = STORE_ERROR;
        goto done;
    }
    sqlite3_bind_int64(st, 1, id);
    /* RETURNING rows are all computed before the first is handed out, so
     * inserting into another table while stepping is safe. */
    store_rows how = {gone_row, ins, 0, 0, -1};
    int count;
    rc = store_collect(st, NULL, &how, NULL, &count);
    sqlite3_finalize(ins);
    if (rc != STORE_OK) goto done;
    rc = delete_satellites(s);
    if (rc == STORE_OK && n.uid && n.parent) rc = uid_released(s, n.parent, n.uid);
done:
    pool_free(pool);
    return rc;
}

int store_node_delete(store *s, int64_t id)
{
    return node_delete(s, id, NULL);
}

int store_node_delete_if(store *s, int64_t id, int64_t expect_revision)
{
    int own;
    int rc = store_write_enter(s, &own);
    if (rc != STORE_OK) return rc;
    return store_write_leave(s, own, node_delete(s, id, &expect_revision));
}

int store_node_move(store *s, int64_t id, int64_t new_parent, const char *new_name)
{
    vpool *pool = pool_new();
    if (!pool) return STORE_ERROR;
    store_node n;
    int rc = store_node_get(s, pool, id, &n);
    if (rc == STORE_OK) rc = store_record_change(s, n.parent, n.name, 1, NULL);
    int64_t rev = 0;
    if (rc == STORE_OK) rc = store_record_change(s, new_parent, new_name, 0, &rev);
    if (rc == STORE_OK) {
        sqlite3_stmt *st = store_stmt(s, Q_NODE_MOVE);
        if (!st) {
            rc = STORE_ERROR;
        } else {
            sqlite3_bind_int64(st, 1, new_parent);
            sqlite3_bind_text(st, 2, new_name, -1, SQLITE_STATIC);
            /* collections keep their own counter (their sync tokens stay valid) */
            sqlite3_bind_int64(st, 3, store_kind_is_collection(n.kind) ? n.revision : rev);
            sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
            sqlite3_bind_int64(st, 5, id);
            rc = store_step_done(st);
        }
    }
    if (rc == STORE_OK && n.uid && n.parent != new_parent) rc = uid_released(s, n.parent, n.uid);
    if (rc == STORE_OK && !store_kind_is_collection(n.kind)) {
        rc = store_tr_walk(s, Q_TR_MOVE, id, 0, new_parent);
    }
    pool_free(pool);
    return rc;
}

static int copy_props_and_body(store *s, int64_t from, int64_t to, int with_body)
{
    sqlite3_stmt *st = store_stmt(s, Q_PROP_COPY);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, to);
    sqlite3_bind_int64(st, 2, from);
    int rc = store_step_done(st);
    if (rc != STORE_OK || !with_body) return rc;
    st = store_stmt(s, Q_BODY_COPY);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, to);
    sqlite3_bind_int64(st, 2, from);
    return store_step_done(st);
}

static int copy_tree(store *s, vpool *pool, const store_node *src, int64_t dst_parent,
                     const char *dst_name, int depth_infinity, int64_t owner, int level,
                     store_node *out)
{
    if (level > 128) return STORE_ERROR;
    store_snapshot_end(s); /* it writes (store.h) */
    store_node n = *src;
    n.parent = dst_parent;
    n.name = dst_name;
    n.owner = owner;
    store_content c = {.length = (size_t)src->length,
                       .content_type = src->content_type,
                       .content_language = src->content_language,
                       .etag = src->etag,
                       .uid = src->uid,
                       .component = src->component};
    store_node made;
    /* the body is copied inside SQLite below; create with an empty one */
    c.body = "";
    c.length = 0;
    int rc = store_node_create(s, pool, &n, store_kind_is_collection(n.kind) ? NULL : &c, &made);
    if (rc != STORE_OK) return rc;
    if (!store_kind_is_collection(n.kind)) {
        /* restore the real length alongside the copied body */
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(s->db, "UPDATE nodes SET length=? WHERE id=?", -1, &st, NULL) !=
            SQLITE_OK)
            return STORE_ERROR;
        sqlite3_bind_int64(st, 1, src->length);
        sqlite3_bind_int64(st, 2, made.id);
        rc = store_rc(sqlite3_step(st));
        sqlite3_finalize(st);
        if (rc != STORE_OK) return rc;
        made.length = src->length;
    }
    rc = copy_props_and_body(s, src->id, made.id, !store_kind_is_collection(n.kind));
    if (rc != STORE_OK) return rc;
    if (store_kind_is_collection(n.kind)) {
        rc = store_node_set_comp_mask(s, made.id, src->comp_mask);
        if (rc == STORE_OK) rc = store_node_set_tz(s, made.id, src->tz);
    } else {
        rc = store_tr_walk(s, Q_TR_COPY, src->id, made.id, dst_parent);
        if (rc == STORE_OK) rc = store_text_copy(s, src->id, made.id);
    }
    if (rc != STORE_OK) return rc;
    if (out) *out = made;
    if (!depth_infinity || !store_kind_is_collection(src->kind)) return STORE_OK;
    const char *after = NULL;
    for (;;) {
        vpool *page = pool_new();
        if (!page) return STORE_ERROR;
        store_node *kids;
        int nk;
        rc = store_node_children(s, page, src->id, after, 256, &kids, &nk);
        for (int i = 0; rc == STORE_OK && i < nk; i++)
            rc = copy_tree(s, page, &kids[i], made.id, kids[i].name, 1, owner, level + 1, NULL);
        after = (rc == STORE_OK && nk == 256) ? pool_strdup(pool, kids[nk - 1].name) : NULL;
        pool_free(page);
        if (rc != STORE_OK || !after) return rc;
    }
}

int store_node_copy(store *s, vpool *pool, int64_t src, int64_t dst_parent, const char *dst_name,
                    int depth_infinity, int64_t owner, store_node *out)
{
    store_node n;
    int rc = store_node_get(s, pool, src, &n);
    if (rc != STORE_OK) return rc;
    return copy_tree(s, pool, &n, dst_parent, dst_name, depth_infinity, owner, 0, out);
}

int store_body_get(store *s, vpool *pool, int64_t id, const char **data, size_t *len)
{
    sqlite3_stmt *st = store_stmt(s, Q_BODY_GET);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        if (rc == SQLITE_DONE) {
            *data = "";
            *len = 0;
            return STORE_NOTFOUND;
        }
        return store_rc(rc);
    }
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    char *d = pool_memdup(pool, sqlite3_column_blob(st, 0), n);
    sqlite3_reset(st);
    if (!d) return STORE_ERROR;
    *data = d;
    *len = n;
    return STORE_OK;
}

/* Checks that the node still has etag, then reads the range with SQLite's
 * incremental blob I/O (the pages of the range, and the overflow chain up to
 * it, never the whole body into memory); both in one read transaction. */
static int body_read(store *s, int64_t id, const char *etag, uint64_t offset, void *buf,
                     size_t len, size_t *got)
{
    sqlite3_stmt *st = store_stmt(s, Q_BODY_SAME);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    if (etag) sqlite3_bind_text(st, 2, etag, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, 2);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return STORE_CONFLICT;
    if (rc != SQLITE_ROW) return store_rc(rc);
    sqlite3_blob *blob;
    /* bodies.node is the table's rowid */
    rc = sqlite3_blob_open(s->db, "main", "bodies", "data", id, 0, &blob);
    if (rc == SQLITE_ERROR) return STORE_NOTFOUND; /* no body row: an empty body */
    if (rc != SQLITE_OK) return store_rc(rc);
    uint64_t size = (uint64_t)sqlite3_blob_bytes(blob);
    size_t n = offset >= size ? 0 : (size - offset < len ? (size_t)(size - offset) : len);
    /* (a blob's size is an int, so a range inside it is too) */
    rc = n ? sqlite3_blob_read(blob, buf, (int)n, (int)offset) : SQLITE_OK;
    sqlite3_blob_close(blob);
    if (rc != SQLITE_OK) return store_rc(rc);
    *got = n;
    return STORE_OK;
}

int store_body_read(store *s, int64_t id, const char *etag, uint64_t offset, void *buf,
                    size_t len, size_t *got)
{
    *got = 0;
    int own = !s->in_read && !s->in_tx && sqlite3_get_autocommit(s->db);
    if (own) {
        int rc = store_snapshot_begin(s);
        if (rc != STORE_OK) return rc;
    }
    int rc = body_read(s, id, etag, offset, buf, len, got);
    if (own) store_snapshot_end(s);
    return rc;
}

/* ---- dead properties ----------------------------------------------------- */

int store_prop_get(store *s, vpool *pool, int64_t node, const char *ns, const char *name,
                   store_prop *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_PROP_GET);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->ns = store_col_text(pool, st, 0);
        out->name = store_col_text(pool, st, 1);
        out->xml = store_col_text(pool, st, 2);
        sqlite3_reset(st);
        return STORE_OK;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

int store_row_prop(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_prop *p = elem;
    p->ns = store_col_text(pool, st, 0);
    p->name = store_col_text(pool, st, 1);
    p->xml = store_col_text(pool, st, 2);
    return STORE_OK;
}

int store_prop_list(store *s, vpool *pool, int64_t node, store_prop **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_PROP_LIST);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    static const store_rows how = {store_row_prop, NULL, sizeof(store_prop), 8, -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    *out = arr;
    return rc;
}

int store_prop_set(store *s, int64_t node, const char *ns, const char *name, const char *xml)
{
    sqlite3_stmt *st = store_stmt(s, Q_PROP_SET);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, xml, -1, SQLITE_STATIC);
    return store_step_done(st);
}

int store_prop_remove(store *s, int64_t node, const char *ns, const char *name)
{
    sqlite3_stmt *st = store_stmt(s, Q_PROP_REMOVE);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    return store_step_done(st);
}

int store_prop_count(store *s, int64_t node, int *n)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT count(*) FROM props WHERE node=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *n = sqlite3_column_int(st, 0);
    store_release(s, st);
    return rc == SQLITE_ROW ? STORE_OK : store_rc(rc);
}

int store_prop_exists(store *s, int64_t node, const char *ns, const char *name)
{
    sqlite3_stmt *st = store_prepare(s, "SELECT 1 FROM props WHERE node=? AND ns=? AND name=?");
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, node);
    sqlite3_bind_text(st, 2, ns, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    store_release(s, st);
    if (rc == SQLITE_ROW) return STORE_OK;
    return rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc);
}

/* ---- change log ---------------------------------------------------------- */

static int change_row(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    store_change *c = elem;
    c->name = store_col_text(pool, st, 0);
    c->revision = sqlite3_column_int64(st, 1);
    c->deleted = sqlite3_column_int(st, 2);
    c->has_node = sqlite3_column_type(st, 3) != SQLITE_NULL;
    if (c->has_node) read_node_at(pool, st, 3, &c->node);
    else memset(&c->node, 0, sizeof c->node);
    return STORE_OK;
}

int store_changes_since(store *s, vpool *pool, int64_t coll, int64_t since, int limit,
                        store_change **out, int *n)
{
    sqlite3_stmt *st = store_stmt(s, Q_CHANGES_SINCE);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    sqlite3_bind_int64(st, 2, since);
    sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
    store_rows how = {change_row, NULL, sizeof(store_change), 16, limit > 0 ? limit : -1};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    *out = arr;
    return rc;
}

int store_changes_floor(store *s, int64_t coll, int64_t *floor)
{
    sqlite3_stmt *st = store_stmt(s, Q_CHANGES_FLOOR);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, coll);
    int rc = sqlite3_step(st);
    *floor = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? STORE_OK : (rc == SQLITE_DONE ? STORE_NOTFOUND : store_rc(rc));
}

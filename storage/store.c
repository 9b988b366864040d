/* DAV store: connection, schema and migrations, transactions, principals. */
#include "storage/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rand.h"
#include "storage/group_commit.h"

#define STORE_SCHEMA_VERSION 10
#define STR_(x) #x
#define STR(x) STR_(x)

/* The schema.  Comments here are the documentation of the DAV store's
 * on-disk format (the account database is documented in ACCOUNTS.md). */
static const char schema_v1[] =
    "CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO schema_info VALUES('name','veil-dav-store');"
    /* principals: random opaque pid <-> account id in the account database */
    /* kind: 1 user, 2 group, 3 resource, 4 room, 5/6 a user's calendar-proxy
     * read/write group (owner = the user, pid = "<user pid>/calendar-proxy-...");
     * name: the operator's handle of a group/resource/room (never shown) */
    "CREATE TABLE principals("
    "  id INTEGER PRIMARY KEY,"
    "  pid TEXT NOT NULL UNIQUE,"
    "  account_id INTEGER UNIQUE,"
    "  kind INTEGER NOT NULL,"
    "  displayname TEXT,"
    "  name TEXT UNIQUE,"
    "  owner INTEGER NOT NULL DEFAULT 0,"
    "  uuid BLOB NOT NULL,"
    "  created INTEGER NOT NULL);"
    /* group principals' members (users or groups) */
    "CREATE TABLE group_members("
    "  group_id INTEGER NOT NULL, member INTEGER NOT NULL,"
    "  PRIMARY KEY(group_id, member)) WITHOUT ROWID;"
    "CREATE INDEX group_members_member ON group_members(member);"
    /* access control entries (RFC 3744) on nodes, in order; who: 1 principal,
     * 2 all, 3 authenticated, 4 unauthenticated, 5 self, 6 property owner;
     * source: 0 the ACL method, 1 a share (protected, managed by sharing) */
    "CREATE TABLE aces("
    "  node INTEGER NOT NULL, pos INTEGER NOT NULL, who INTEGER NOT NULL,"
    "  principal INTEGER NOT NULL DEFAULT 0, grant_bits INTEGER NOT NULL,"
    "  deny_bits INTEGER NOT NULL, source INTEGER NOT NULL,"
    "  PRIMARY KEY(node, pos)) WITHOUT ROWID;"
    "CREATE INDEX aces_principal ON aces(principal);"
    /* shares of collections: who was invited, how, and where it is bound in
     * the sharee's home (state: 0 invited, 1 accepted, 2 declined) */
    "CREATE TABLE shares("
    "  id INTEGER PRIMARY KEY, node INTEGER NOT NULL, sharee INTEGER NOT NULL,"
    "  access INTEGER NOT NULL, state INTEGER NOT NULL, binding INTEGER NOT NULL DEFAULT 0,"
    "  uid TEXT NOT NULL UNIQUE, summary TEXT, created INTEGER NOT NULL,"
    "  UNIQUE(node, sharee));"
    "CREATE INDEX shares_sharee ON shares(sharee);"
    /* nodes: the URL tree below the three space roots */
    "CREATE TABLE nodes("
    "  id INTEGER PRIMARY KEY,"
    "  parent INTEGER NOT NULL,"
    "  name TEXT NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  owner INTEGER NOT NULL,"
    "  resource_id BLOB NOT NULL UNIQUE,"
    "  etag TEXT,"
    "  content_type TEXT,"
    "  content_language TEXT,"
    "  length INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  modified INTEGER NOT NULL,"
    "  revision INTEGER NOT NULL DEFAULT 0,"
    "  sync_floor INTEGER NOT NULL DEFAULT 0,"
    "  uid TEXT,"
    "  component TEXT,"
    /* calendar collections: supported components (ICAL_KIND_* bits, 0 = all)
     * and calendar-timezone (a VCALENDAR with one VTIMEZONE; NULL = UTC) */
    "  comp_mask INTEGER NOT NULL DEFAULT 0,"
    "  tz TEXT,"
    /* a binding (kind 8): the collection it shows; has_acl: ACEs exist here */
    "  target INTEGER NOT NULL DEFAULT 0,"
    "  has_acl INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(parent, name));"
    "CREATE INDEX nodes_uid ON nodes(parent, uid) WHERE uid IS NOT NULL;"
    "CREATE INDEX nodes_owner ON nodes(owner);"
    /* bodies apart from metadata, so listings never page through content */
    "CREATE TABLE bodies(node INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    /* dead properties, each the serialised element with its namespaces */
    "CREATE TABLE props("
    "  node INTEGER NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL, xml TEXT NOT NULL,"
    "  PRIMARY KEY(node, ns, name)) WITHOUT ROWID;"
    /* change log: latest revision per member name, tombstones included */
    "CREATE TABLE changes("
    "  collection INTEGER NOT NULL, name TEXT NOT NULL,"
    "  revision INTEGER NOT NULL, deleted INTEGER NOT NULL,"
    "  PRIMARY KEY(collection, name)) WITHOUT ROWID;"
    "CREATE INDEX changes_rev ON changes(collection, revision);"
    /* WebDAV locks, by decoded canonical path of their root */
    "CREATE TABLE locks("
    "  token TEXT PRIMARY KEY, root TEXT NOT NULL, depth_infinity INTEGER NOT NULL,"
    "  scope INTEGER NOT NULL, owner_xml TEXT, principal INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL, timeout INTEGER NOT NULL);"
    "CREATE INDEX locks_root ON locks(root);"
    /* time-range index: instance spans of calendar objects, in minutes,
     * rowid = node * 1024 + k (so a node's spans are one rowid range) */
    "CREATE VIRTUAL TABLE tr_index USING rtree_i32(id, c0, c1, t0, t1, +node);";

/* Version 2.  Per-user properties: the value one principal chose for a
 * property of a node it does not own (a delegate's own colour of the
 * delegator's calendar); the owner's stays in props. */
static const char schema_v2[] =
    "CREATE TABLE user_props("
    "  node INTEGER NOT NULL, principal INTEGER NOT NULL,"
    "  ns TEXT NOT NULL, name TEXT NOT NULL, xml TEXT NOT NULL,"
    "  PRIMARY KEY(node, principal, ns, name)) WITHOUT ROWID;"
    "CREATE INDEX user_props_principal ON user_props(principal);";

/* Version 3.  The time-range index says which spans are exact (a
 * positive-length overlap is a match), so a plain time-range query needs
 * no parse of the objects it finds.  R-tree tables take no new columns:
 * the index is rebuilt with every span marked inexact, which is always
 * correct; objects written from now on get their exact spans. */
static const char schema_v3[] =
    "CREATE VIRTUAL TABLE tr_index_v3 USING rtree_i32(id, c0, c1, t0, t1, +node, +exact);"
    "INSERT INTO tr_index_v3(id,c0,c1,t0,t1,node,exact) "
    "  SELECT id, c0, c1, t0, t1, node, 0 FROM tr_index;"
    "DROP TABLE tr_index;"
    "ALTER TABLE tr_index_v3 RENAME TO tr_index;";

/* Version 4.  Ownership follows nodes: everything below a home belongs to
 * the home's owner (a sharee's view included, which lives in their home).
 * Before, a member moved into someone else's collection kept its old owner,
 * who could then still reach it after losing access; this repairs such
 * rows once. */
static const char schema_v4[] =
    "WITH RECURSIVE owned(id, owner) AS ("
    "  SELECT id, owner FROM nodes WHERE parent IN (1,2,3)"
    "  UNION ALL SELECT n.id, owned.owner FROM nodes n JOIN owned ON n.parent=owned.id) "
    "UPDATE nodes SET owner=(SELECT owner FROM owned WHERE owned.id=nodes.id) "
    "WHERE id IN (SELECT o.id FROM owned o JOIN nodes m ON m.id=o.id WHERE m.owner<>o.owner);";

/* Version 5.  One UID per collection (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1
 * no-uid-conflict), enforced by a unique index for every writer: a second
 * member with a taken UID fails with STORE_EXISTS however it arrives (PUT,
 * MOVE, COPY).  Older stores may hold duplicates (two writers passed the
 * check before either wrote).  They are kept, not deleted: every member but
 * the oldest of each (collection, UID) gets uid_dup = its own id (0 for every
 * other row), which sets it aside from the index's uniqueness.  serve logs
 * how many there are, `veildav store check` lists them.  A marked member
 * stops being special once it is deleted, changes its UID or leaves the
 * collection, and when the member holding the UID goes, the oldest marked one
 * takes the UID over (store_nodes.c: uid_released). */
static const char schema_v5[] =
    "ALTER TABLE nodes ADD COLUMN uid_dup INTEGER NOT NULL DEFAULT 0;"
    "UPDATE nodes SET uid_dup=id WHERE uid IS NOT NULL AND EXISTS(SELECT 1 FROM nodes o "
    "  WHERE o.parent=nodes.parent AND o.uid=nodes.uid AND o.id<nodes.id);"
    "DROP INDEX nodes_uid;"
    "CREATE UNIQUE INDEX nodes_uid ON nodes(parent, uid, uid_dup) WHERE uid IS NOT NULL;"
    "CREATE INDEX nodes_uid_dup ON nodes(uid_dup) WHERE uid_dup<>0;";

/* Version 6.  Scheduling objects carry a schedule tag (RFC 6638 §3.2.10):
 * it changes when the organizer's side changes them, not when an attendee
 * only answers, so If-Schedule-Tag-Match lets an attendee's client write
 * over a reply the server merged.  NULL for everything else. */
static const char schema_v6[] = "ALTER TABLE nodes ADD COLUMN sched_tag TEXT;";

/* Version 7.  Outgoing mail (iMIP, RFC 6047): each message queued in the
 * transaction of the change that sends it, so a commit never loses one; a
 * sender process claims due rows (next_attempt) for a lease and removes
 * each once the mail system took it, or gives up.  `owner`, `uid` and
 * `cua` say where the outcome shows (SCHEDULE-STATUS on cua in the owner's
 * copy of uid); `reply` marks a message the attendee sent. */
static const char schema_v7[] =
    "CREATE TABLE mail_queue("
    "  id INTEGER PRIMARY KEY,"
    "  owner INTEGER NOT NULL,"
    "  uid TEXT NOT NULL,"
    "  cua TEXT NOT NULL,"
    "  reply INTEGER NOT NULL DEFAULT 0,"
    "  sender TEXT NOT NULL,"
    "  recipient TEXT NOT NULL,"
    "  message BLOB NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  next_attempt INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX mail_queue_due ON mail_queue(next_attempt);"
    "CREATE INDEX mail_queue_owner ON mail_queue(owner);";

/* Version 10.  Rooms and resources that book themselves (RFC 6638 §2.4.2
 * calendar-user-type ROOM/RESOURCE): `bookables` holds a room's or
 * resource's auto-schedule mode (1 automatic, 2 accept-if-free,
 * 3 decline-if-busy, 4 none; no row: automatic), `bookable_addresses` the
 * calendar user addresses the operator gave it (mailto: addresses, unique,
 * compared without case).  Both go with their principal. */
static const char schema_v10[] =
    "CREATE TABLE bookables(principal INTEGER PRIMARY KEY, mode INTEGER NOT NULL);"
    "CREATE TABLE bookable_addresses("
    "  address TEXT PRIMARY KEY COLLATE NOCASE,"
    "  principal INTEGER NOT NULL);"
    "CREATE INDEX bookable_addresses_principal ON bookable_addresses(principal);"
    "CREATE TRIGGER bookables_gone AFTER DELETE ON principals BEGIN"
    "  DELETE FROM bookables WHERE principal=old.id;"
    "  DELETE FROM bookable_addresses WHERE principal=old.id;"
    "END;";

static const char *const sql[Q__COUNT] = {
    [Q_BEGIN_READ] = "BEGIN",
    [Q_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SYNC_NORMAL] = "PRAGMA synchronous=NORMAL",
    [Q_SYNC_FULL] = "PRAGMA synchronous=FULL",
#define PRINCIPAL_COLS "id,pid,account_id,kind,displayname,name,owner,uuid"
    [Q_PRINCIPAL_BY_PID] = "SELECT " PRINCIPAL_COLS " FROM principals WHERE pid=?",
    [Q_PRINCIPAL_BY_ID] = "SELECT " PRINCIPAL_COLS " FROM principals WHERE id=?",
    [Q_PRINCIPAL_BY_ACCOUNT] = "SELECT " PRINCIPAL_COLS " FROM principals WHERE account_id=?",
    [Q_PRINCIPAL_BY_NAME] = "SELECT " PRINCIPAL_COLS " FROM principals WHERE name=?",
    [Q_PRINCIPAL_INSERT] = "INSERT INTO principals(pid,account_id,kind,displayname,name,owner,"
                           "uuid,created) VALUES(?,?,?,?,?,?,?,?)",
    [Q_PRINCIPAL_SET_NAME] = "UPDATE principals SET displayname=? WHERE id=?",
    [Q_PRINCIPAL_DELETE] = "DELETE FROM principals WHERE id=?",
#define NODE_COLS                                                                            \
    "id,parent,name,kind,owner,resource_id,etag,content_type,content_language,length,"      \
    "created,modified,revision,uid,component,comp_mask,tz,target,has_acl,sched_tag"
    [Q_NODE_GET] = "SELECT " NODE_COLS " FROM nodes WHERE id=?",
    [Q_NODE_CHILD] = "SELECT " NODE_COLS " FROM nodes WHERE parent=? AND name=?",
    [Q_NODE_CHILDREN_FIRST] =
        "SELECT " NODE_COLS " FROM nodes WHERE parent=? ORDER BY name LIMIT ?",
    [Q_NODE_CHILDREN_AFTER] =
        "SELECT " NODE_COLS " FROM nodes WHERE parent=? AND name>? ORDER BY name LIMIT ?",
    [Q_NODE_COUNT] = "SELECT count(*) FROM nodes WHERE parent=?",
    [Q_NODE_INSERT] =
        "INSERT INTO nodes(parent,name,kind,owner,resource_id,etag,content_type,"
        "content_language,length,created,modified,revision,uid,component) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    /* a member marked as a duplicate UID (schema_v5) that takes another UID
     * is an ordinary member again */
    [Q_NODE_UPDATE] = "UPDATE nodes SET etag=?1,content_type=?2,content_language=?3,length=?4,"
                      "modified=?5,revision=?6,uid_dup=CASE WHEN uid=?7 THEN uid_dup ELSE 0 END,"
                      "uid=?7,component=?8 WHERE id=?9",
    [Q_NODE_SET_KIND] = "UPDATE nodes SET kind=? WHERE id=?",
    [Q_NODE_SET_MASK] = "UPDATE nodes SET comp_mask=? WHERE id=?",
    [Q_NODE_SET_TZ] = "UPDATE nodes SET tz=? WHERE id=?",
    /* one span by rowid (store_tr_walk: an R-tree finds rowids only by equality) */
    [Q_TR_DELETE] = "DELETE FROM tr_index WHERE id=?1",
    [Q_TR_INSERT] = "INSERT INTO tr_index(id,c0,c1,t0,t1,node,exact) VALUES(?,?,?,?,?,?,?)",
    [Q_TR_MOVE] = "UPDATE tr_index SET c0=?3, c1=?3 WHERE id=?1",
    [Q_TR_COPY] = "INSERT INTO tr_index(id,c0,c1,t0,t1,node,exact) SELECT ?2, ?3, ?3, t0, t1, ?4, exact "
                  "FROM tr_index WHERE id=?1",
    /* ?4, ?5: the range's whole minutes (ceil of start, floor of end) */
    [Q_TR_QUERY] = "SELECT node, max(exact AND t0 < ?5 AND t1 > ?4) FROM tr_index "
                   "WHERE c0<=?1 AND c1>=?1 AND t0<=?3 AND t1>=?2 GROUP BY node",
    [Q_NODE_TOUCH] = "UPDATE nodes SET revision=revision+1, modified=? WHERE id=?",
    /* the holder of the UID before any member marked as its duplicate */
    /* a scheduling object's UID among the calendars of one home (RFC 6638 §3.2.4.1) */
    [Q_NODE_BY_UID_HOME] = "SELECT " NODE_COLS " FROM nodes WHERE uid=?2 AND id<>?3 AND parent IN "
                           "(SELECT id FROM nodes WHERE parent=?1 AND kind=3) LIMIT 1",
    [Q_NODE_BY_UID] = "SELECT " NODE_COLS " FROM nodes WHERE parent=? AND uid=? "
                      "ORDER BY uid_dup LIMIT 1",
    /* ... and one moved into another collection is judged there afresh */
    [Q_NODE_MOVE] = "UPDATE nodes SET uid_dup=CASE WHEN parent=?1 THEN uid_dup ELSE 0 END,"
                    "parent=?1, name=?2, revision=?3, modified=?4 WHERE id=?5",
    /* the member holding a UID left: the oldest marked duplicate takes it */
    [Q_NODE_UID_RELEASED] = "UPDATE nodes SET uid_dup=0 WHERE id=(SELECT min(id) FROM nodes "
                            "WHERE parent=?1 AND uid=?2 AND uid_dup<>0) AND NOT EXISTS("
                            "SELECT 1 FROM nodes WHERE parent=?1 AND uid=?2 AND uid_dup=0)",
    [Q_NODE_BUMP] = "UPDATE nodes SET revision=revision+1, modified=? WHERE id=? "
                    "RETURNING revision",
    [Q_NODE_SUBTREE_DELETE] =
        "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION ALL "
        "  SELECT n.id FROM nodes n JOIN sub ON n.parent=sub.id) "
        "DELETE FROM nodes WHERE id IN sub RETURNING id",
    [Q_BODY_GET] = "SELECT data FROM bodies WHERE node=?",
    /* rows that replace others are upserts, so the quota triggers see the
     * old row go (a REPLACE deletes it without firing them: store_quota.c) */
    [Q_BODY_PUT] = "INSERT INTO bodies(node,data) VALUES(?,?) "
                   "ON CONFLICT(node) DO UPDATE SET data=excluded.data",
    [Q_BODY_COPY] = "INSERT INTO bodies(node,data) SELECT ?,data FROM bodies WHERE node=? "
                    "ON CONFLICT(node) DO UPDATE SET data=excluded.data",
    /* the node still has the body a reader started on (store_body_read) */
    [Q_BODY_SAME] = "SELECT 1 FROM nodes WHERE id=?1 AND etag IS ?2",
    [Q_PROP_GET] = "SELECT ns,name,xml FROM props WHERE node=? AND ns=? AND name=?",
    [Q_PROP_LIST] = "SELECT ns,name,xml FROM props WHERE node=? ORDER BY ns,name",
    [Q_PROP_SET] = "INSERT INTO props(node,ns,name,xml) VALUES(?,?,?,?) "
                   "ON CONFLICT(node,ns,name) DO UPDATE SET xml=excluded.xml",
    [Q_PROP_REMOVE] = "DELETE FROM props WHERE node=? AND ns=? AND name=?",
    [Q_PROP_COPY] = "INSERT INTO props(node,ns,name,xml) SELECT ?,ns,name,xml FROM props "
                    "WHERE node=? ON CONFLICT(node,ns,name) DO UPDATE SET xml=excluded.xml",
    [Q_UPROP_GET] = "SELECT ns,name,xml FROM user_props WHERE node=? AND principal=? AND ns=? "
                    "AND name=?",
    [Q_UPROP_LIST] = "SELECT ns,name,xml FROM user_props WHERE node=? AND principal=? "
                     "ORDER BY ns,name",
    [Q_UPROP_SET] = "INSERT INTO user_props(node,principal,ns,name,xml) VALUES(?,?,?,?,?) "
                    "ON CONFLICT(node,principal,ns,name) DO UPDATE SET xml=excluded.xml",
    [Q_UPROP_REMOVE] = "DELETE FROM user_props WHERE node=? AND principal=? AND ns=? AND name=?",
    [Q_CHANGE_RECORD] = "INSERT OR REPLACE INTO changes(collection,name,revision,deleted) "
                        "VALUES(?,?,?,?)",
    /* each change with its member as it is now (NULLs when gone); ?3 = -1: all */
    [Q_CHANGES_SINCE] = "SELECT ch_name, ch_rev, ch_del, " NODE_COLS " FROM ("
                        "SELECT name AS ch_name, revision AS ch_rev, deleted AS ch_del FROM changes "
                        "WHERE collection=?1 AND revision>?2 ORDER BY revision LIMIT ?3) "
                        "LEFT JOIN nodes ON parent=?1 AND name=ch_name ORDER BY ch_rev",
    [Q_CHANGES_FLOOR] = "SELECT sync_floor FROM nodes WHERE id=?",
#define LOCK_COLS "token,root,depth_infinity,scope,owner_xml,principal,expires,timeout"
    /* ?1 = path: the lock root is the path itself, or an ancestor holding a
     * depth-infinity lock (root + '/' is a prefix of the path). */
    [Q_LOCKS_COVERING] =
        "SELECT " LOCK_COLS " FROM locks WHERE (expires=0 OR expires>?2) AND (root=?1 OR "
        "(depth_infinity AND substr(?1,1,length(root)+1)=root||'/'))",
    [Q_LOCKS_BELOW] = "SELECT " LOCK_COLS " FROM locks WHERE (expires=0 OR expires>?2) AND "
                      "(root=?1 OR substr(root,1,length(?1)+1)=?1||'/')",
    [Q_LOCK_GET] = "SELECT " LOCK_COLS " FROM locks WHERE token=? AND (expires=0 OR expires>?)",
    [Q_LOCK_INSERT] = "INSERT INTO locks(" LOCK_COLS ") VALUES(?,?,?,?,?,?,?,?)",
    [Q_LOCK_REFRESH] = "UPDATE locks SET timeout=?, expires=? WHERE token=?",
    [Q_LOCK_DELETE] = "DELETE FROM locks WHERE token=?",
    [Q_LOCKS_DELETE_BELOW] =
        "DELETE FROM locks WHERE root=?1 OR substr(root,1,length(?1)+1)=?1||'/'",
    [Q_LOCKS_PURGE] = "DELETE FROM locks WHERE expires<>0 AND expires<=?",
};

sqlite3_stmt *store_stmt(store *s, store_query q)
{
    sqlite3_stmt *st = s->stmt[q];
    if (!st) {
        if (sqlite3_prepare_v3(s->db, sql[q], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[q], NULL) !=
            SQLITE_OK)
            return NULL;
        st = s->stmt[q];
    } else {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    store_writable_check(s, st);
    return st;
}

void store_writable_check(store *s, sqlite3_stmt *st)
{
    /* a write inside a read snapshot would upgrade it, and fail with
     * SQLITE_BUSY_SNAPSHOT when another connection wrote meanwhile: end the
     * snapshot, so the write runs on its own as it would without one */
    if (s->in_read && !sqlite3_stmt_readonly(st)) store_snapshot_end(s);
}

int store_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    int r = store_rc(rc == SQLITE_ROW ? SQLITE_DONE : rc);
    sqlite3_reset(st);
    return r;
}

char *store_col_text(vpool *pool, sqlite3_stmt *st, int col)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) return NULL;
    const unsigned char *t = sqlite3_column_text(st, col);
    return pool_memdup(pool, t, (size_t)sqlite3_column_bytes(st, col));
}

static int exec(store *s, const char *q)
{
    return store_rc(sqlite3_exec(s->db, q, NULL, NULL, NULL));
}

static int user_version(store *s, int *v)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return STORE_ERROR;
    int rc = sqlite3_step(st);
    *v = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : STORE_ERROR;
}

static int migrate(store *s)
{
    int v;
    if (user_version(s, &v) != STORE_OK) return STORE_ERROR;
    if (v == STORE_SCHEMA_VERSION) return STORE_OK;
    if (v > STORE_SCHEMA_VERSION) return STORE_ERROR; /* written by a newer veildav */
    if (exec(s, "BEGIN IMMEDIATE") != STORE_OK) return STORE_ERROR;
    if (user_version(s, &v) != STORE_OK) goto fail;
    if (v < 1) {
        if (exec(s, schema_v1) != STORE_OK) goto fail;
        /* the three space roots, owned by nobody (principal 0) */
        static const char *roots[] = {"files", "calendars", "addressbooks"};
        for (int i = 0; i < 3; i++) {
            sqlite3_stmt *st;
            unsigned char rid[16];
            if (rand_uuid(rid) < 0) goto fail;
            if (sqlite3_prepare_v2(s->db,
                                   "INSERT INTO nodes(id,parent,name,kind,owner,resource_id,"
                                   "created,modified) VALUES(?,0,?,?,0,?,?,?)",
                                   -1, &st, NULL) != SQLITE_OK)
                goto fail;
            sqlite3_bind_int(st, 1, i + 1);
            sqlite3_bind_text(st, 2, roots[i], -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 3, STORE_KIND_SPACE_ROOT);
            sqlite3_bind_blob(st, 4, rid, 16, SQLITE_TRANSIENT);
            sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
            sqlite3_bind_int64(st, 6, (sqlite3_int64)time(NULL));
            int rc = sqlite3_step(st);
            sqlite3_finalize(st);
            if (rc != SQLITE_DONE) goto fail;
        }
    }
    if (v < 2 && exec(s, schema_v2) != STORE_OK) goto fail;
    if (v < 3 && exec(s, schema_v3) != STORE_OK) goto fail;
    if (v < 4 && exec(s, schema_v4) != STORE_OK) goto fail;
    if (v < 5 && exec(s, schema_v5) != STORE_OK) goto fail;
    if (v < 6 && exec(s, schema_v6) != STORE_OK) goto fail;
    if (v < 7 && exec(s, schema_v7) != STORE_OK) goto fail;
    /* version 8: each principal's storage quota (its schema and what it
     * counts are documented in store_quota.c) */
    if (v < 8 && exec(s, store_schema_quota) != STORE_OK) goto fail;
    /* version 9: the text index of cards (store_text.c) */
    if (v < 9 && store_text_migrate_v9(s) != STORE_OK) goto fail;
    /* version 10: rooms and resources that book themselves */
    if (v < 10 && exec(s, schema_v10) != STORE_OK) goto fail;
    /* future migrations: if (v < 11) { ... } */
    if (exec(s, "PRAGMA user_version = " STR(STORE_SCHEMA_VERSION)) != STORE_OK) goto fail;
    if (exec(s, "COMMIT") != STORE_OK) goto fail;
    return STORE_OK;
fail:
    exec(s, "ROLLBACK");
    return STORE_ERROR;
}

int store_open(const char *path, int create, int sync_full, store **out)
{
    store *s = calloc(1, sizeof(*s));
    if (!s) return STORE_ERROR;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) goto fail;
    sqlite3_busy_timeout(s->db, 10000);
    sqlite3_extended_result_codes(s->db, 0);
    if (exec(s, "PRAGMA journal_mode=WAL") != STORE_OK) goto fail;
    if (exec(s, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL") != STORE_OK)
        goto fail;
    s->sync_full = sync_full;
    exec(s, "PRAGMA foreign_keys=OFF");
    exec(s, "PRAGMA temp_store=MEMORY");
    /* what is deleted is overwritten with zeros, not left in free space
     * (../shared/MAIL-POLICY.md §4: deleted data is irretrievably gone; what
     * this leaves, store_scrub rewrites) */
    if (exec(s, "PRAGMA secure_delete=ON") != STORE_OK) goto fail;
    if (!(s->adhoc = stmt_cache_new(s->db))) goto fail;
    if (migrate(s) != STORE_OK) goto fail;
    if (store_quota_install(s) != STORE_OK) goto fail;
    *out = s;
    return STORE_OK;
fail:
    store_close(s);
    return STORE_ERROR;
}

void store_close(store *s)
{
    if (!s) return;
    if (s->in_tx || s->in_gate) store_rollback(s);
    for (int i = 0; i < Q__COUNT; i++) sqlite3_finalize(s->stmt[i]);
    stmt_cache_free(s->adhoc);
    sqlite3_close(s->db);
    free(s->notes);
    free(s);
}

void store_set_busy_timeout(store *s, int ms)
{
    sqlite3_busy_timeout(s->db, ms);
}

const char *store_errmsg(store *s)
{
    return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

int store_integrity_check(store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK)
        return STORE_ERROR;
    int ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    sqlite3_finalize(st);
    return ok ? STORE_OK : STORE_ERROR;
}

static int tx(store *s, store_query q)
{
    sqlite3_stmt *st = store_stmt(s, q);
    if (!st) return STORE_ERROR;
    int rc = store_step_done(st);
    return rc;
}

int store_snapshot_begin(store *s)
{
    if (s->in_read || s->in_tx || !sqlite3_get_autocommit(s->db)) return STORE_OK;
    int rc = tx(s, Q_BEGIN_READ);
    if (rc == STORE_OK) s->in_read = 1;
    return rc;
}

void store_snapshot_end(store *s)
{
    if (!s->in_read) return;
    s->in_read = 0;
    /* a read-only transaction: COMMIT only drops the read lock */
    if (!sqlite3_get_autocommit(s->db) && tx(s, Q_COMMIT) != STORE_OK) tx(s, Q_ROLLBACK);
}

/* Writers of this process take turns at the gate; with sync_full their
 * transactions commit under NORMAL and are made durable together, after
 * the gate is left (group_commit.h).  Statements outside transactions keep
 * FULL. */
static void leave_gate(store *s)
{
    if (s->sync_full) tx(s, Q_SYNC_FULL);
    if (s->in_gate) group_commit_gate_leave();
    s->in_gate = 0;
}

int store_begin_write(store *s)
{
    store_snapshot_end(s);
    if (s->in_tx) return STORE_ERROR; /* no nesting (SQLite has none either) */
    /* a WAL whose sync failed may have lost frames every later commit
     * builds on: nothing is written until the process starts again */
    if (s->sync_full && group_commit_failed()) return STORE_IOERR;
    if (!s->in_gate) {
        group_commit_gate_enter();
        s->in_gate = 1;
        if (s->sync_full) tx(s, Q_SYNC_NORMAL);
    }
    int rc = tx(s, Q_BEGIN_WRITE);
    if (rc == STORE_OK) {
        s->in_tx = 1;
        store_quota_forget(s);
    } else {
        leave_gate(s);
    }
    return rc;
}

int store_commit(store *s)
{
    int rc = tx(s, Q_COMMIT);
    if (rc != STORE_OK) return rc; /* still open: the caller rolls back */
    s->in_tx = 0;
    leave_gate(s);
    /* committed, but not known to be on disk: the writer is told it failed
     * (RFC 4918 §11.5, 507), never that it succeeded */
    if (s->sync_full && group_commit_sync(s->db) != 0) return STORE_IOERR;
    return STORE_OK;
}

void store_rollback(store *s)
{
    if (!sqlite3_get_autocommit(s->db)) tx(s, Q_ROLLBACK);
    s->in_tx = 0;
    s->in_read = 0;
    if (s->in_gate) leave_gate(s);
}

int store_write_enter(store *s, int *own)
{
    *own = s->in_read || sqlite3_get_autocommit(s->db);
    return *own ? store_begin_write(s) : STORE_OK;
}

int store_write_leave(store *s, int own, int rc)
{
    if (!own) return rc;
    if (rc == STORE_OK) rc = store_commit(s);
    if (rc != STORE_OK) store_rollback(s);
    return rc;
}

/* ---- principals ---------------------------------------------------------- */

static int read_principal(vpool *pool, sqlite3_stmt *st, store_principal *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        return STORE_NOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return store_rc(rc);
    }
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(st, 0);
    const char *pid = (const char *)sqlite3_column_text(st, 1);
    snprintf(out->pid, sizeof out->pid, "%s", pid ? pid : "");
    out->account_id = sqlite3_column_int64(st, 2);
    out->kind = sqlite3_column_int(st, 3);
    out->displayname = store_col_text(pool, st, 4);
    out->name = store_col_text(pool, st, 5);
    out->owner = sqlite3_column_int64(st, 6);
    if (sqlite3_column_bytes(st, 7) == 16) memcpy(out->uuid, sqlite3_column_blob(st, 7), 16);
    sqlite3_reset(st);
    return STORE_OK;
}

int store_principal_by_pid(store *s, vpool *pool, const char *pid, store_principal *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_BY_PID);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_STATIC);
    return read_principal(pool, st, out);
}

int store_principal_by_id(store *s, vpool *pool, int64_t id, store_principal *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_BY_ID);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, id);
    return read_principal(pool, st, out);
}

int store_principal_by_account(store *s, vpool *pool, int64_t account_id, store_principal *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_BY_ACCOUNT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_int64(st, 1, account_id);
    return read_principal(pool, st, out);
}

static int insert_principal(store *s, const char *pid, int64_t account_id, int kind,
                            const char *displayname, const char *name, int64_t owner)
{
    unsigned char uuid[16];
    if (rand_uuid(uuid) < 0) return STORE_ERROR;
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_INSERT);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, pid, -1, SQLITE_TRANSIENT);
    if (account_id) sqlite3_bind_int64(st, 2, account_id);
    else sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, kind);
    if (displayname) sqlite3_bind_text(st, 4, displayname, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 4);
    if (name) sqlite3_bind_text(st, 5, name, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, owner);
    sqlite3_bind_blob(st, 7, uuid, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
    return store_step_done(st);
}

int store_principal_create_named(store *s, vpool *pool, int64_t account_id, int kind,
                                 const char *displayname, const char *name,
                                 store_principal *out)
{
    char pid[RAND_ID_LEN + 1];
    if (rand_id(pid) < 0) return STORE_ERROR;
    int own_tx;
    int rc = store_write_enter(s, &own_tx);
    if (rc != STORE_OK) return rc;
    rc = insert_principal(s, pid, account_id, kind, displayname, name, 0);
    /* users, resources and rooms have delegates (CalendarServer calendar-proxy) */
    if (rc == STORE_OK && (kind == STORE_PRINCIPAL_USER || kind == STORE_PRINCIPAL_RESOURCE ||
                           kind == STORE_PRINCIPAL_ROOM)) {
        /* every user has two delegation groups (CalendarServer calendar-proxy) */
        int64_t uid = sqlite3_last_insert_rowid(s->db);
        static const struct {
            const char *suffix;
            int kind;
        } proxies[] = {{STORE_PROXY_READ_SEGMENT, STORE_PRINCIPAL_PROXY_READ},
                       {STORE_PROXY_WRITE_SEGMENT, STORE_PRINCIPAL_PROXY_WRITE}};
        for (int i = 0; rc == STORE_OK && i < 2; i++) {
            char ppid[64];
            snprintf(ppid, sizeof ppid, "%s/%s", pid, proxies[i].suffix);
            rc = insert_principal(s, ppid, 0, proxies[i].kind, NULL, NULL, uid);
        }
    }
    rc = store_write_leave(s, own_tx, rc);
    if (rc != STORE_OK || !out) return rc;
    return store_principal_by_pid(s, pool, pid, out);
}

int store_principal_create(store *s, vpool *pool, int64_t account_id, int kind,
                           const char *displayname, store_principal *out)
{
    return store_principal_create_named(s, pool, account_id, kind, displayname, NULL, out);
}

int store_principal_ensure(store *s, vpool *pool, int64_t account_id, const char *displayname,
                           store_principal *out)
{
    if (account_id <= 0) return STORE_ERROR;
    store_principal mine;
    if (!out) out = &mine;
    int rc = store_principal_by_account(s, pool, account_id, out);
    if (rc != STORE_NOTFOUND) return rc;
    rc = store_principal_create(s, pool, account_id, STORE_PRINCIPAL_USER, displayname, out);
    /* UNIQUE(account_id): another connection created it after our read (in
     * a write transaction nobody can, so this is the read outside one, or in
     * a snapshot that has ended since); theirs is the principal */
    if (rc == STORE_EXISTS) rc = store_principal_by_account(s, pool, account_id, out);
    return rc;
}

int store_principal_by_name(store *s, vpool *pool, const char *name, store_principal *out)
{
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_BY_NAME);
    if (!st) return STORE_ERROR;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    return read_principal(pool, st, out);
}

int store_principal_by_uuid(store *s, vpool *pool, const unsigned char u[16], store_principal *out)
{
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, "SELECT " PRINCIPAL_COLS " FROM principals WHERE uuid=?")))
        return STORE_ERROR;
    sqlite3_bind_blob(st, 1, u, 16, SQLITE_STATIC);
    int rc = read_principal(pool, st, out);
    store_release(s, st);
    return rc;
}

int store_principals_named(store *s, vpool *pool, int kind, int64_t **ids, int *n)
{
    *ids = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (!(st = store_prepare(s, "SELECT id FROM principals WHERE name IS NOT NULL AND kind=? "
                           "ORDER BY name LIMIT 10000")))
        return STORE_ERROR;
    sqlite3_bind_int(st, 1, kind);
    static const store_rows how = {store_row_int64, NULL, sizeof(int64_t), 16, 10000};
    void *arr;
    int rc = store_collect(st, pool, &how, &arr, n);
    store_release(s, st);
    *ids = arr;
    return rc;
}

int store_principal_set_displayname(store *s, int64_t id, const char *displayname)
{
    sqlite3_stmt *st = store_stmt(s, Q_PRINCIPAL_SET_NAME);
    if (!st) return STORE_ERROR;
    if (displayname) sqlite3_bind_text(st, 1, displayname, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 1);
    sqlite3_bind_int64(st, 2, id);
    int rc = store_step_done(st);
    if (rc == STORE_OK && sqlite3_changes(s->db) == 0) rc = STORE_NOTFOUND;
    return rc;
}

sqlite3_stmt *store_prepare(store *s, const char *text)
{
    return stmt_cache_get(s->adhoc, text);
}

void store_release(store *s, sqlite3_stmt *st)
{
    stmt_cache_put(s->adhoc, st);
}

static int test_progress(void *arg)
{
    store *s = arg;
    s->test_steps++;
    return s->test_budget >= 0 && s->test_steps > s->test_budget;
}

long store_test_fail_after(store *s, long budget)
{
    long used = s->test_steps;
    s->test_steps = 0;
    s->test_budget = budget;
    sqlite3_progress_handler(s->db, 1, test_progress, s);
    return used;
}

int store_test_copy(store *dst, store *src)
{
    sqlite3_backup *b = sqlite3_backup_init(dst->db, "main", src->db, "main");
    if (!b) return store_rc(sqlite3_errcode(dst->db));
    int rc = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    return rc == SQLITE_DONE ? store_rc(fin) : store_rc(rc);
}

long long store_test_changes(store *s)
{
    return (long long)sqlite3_total_changes64(s->db);
}

int store_test_idle(store *s)
{
    return !s->in_tx && !s->in_read && !s->in_gate && sqlite3_get_autocommit(s->db);
}

void store_set_cache_kib(store *s, int kib)
{
    char q[64];
    snprintf(q, sizeof q, "PRAGMA cache_size=-%d", kib);
    exec(s, q);
}

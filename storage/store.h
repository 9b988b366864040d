/* The DAV store: the only code that speaks SQL to the DAV database.
 *
 * One `store` is one SQLite connection; the server keeps one per worker
 * thread.  Every function returns STORE_OK, STORE_NOTFOUND, STORE_EXISTS,
 * STORE_CONFLICT, STORE_BUSY, STORE_FULL, STORE_IOERR or STORE_ERROR (the
 * errors are negative); strings handed out live in the
 * caller's pool.  Writes happen inside store_begin_write() ... store_commit(),
 * so a 2xx is sent only after the commit has reached the WAL; a write that
 * fails leaves the transaction for the caller to roll back.
 *
 * What the store guarantees whoever calls it:
 * - a list is whole or the call fails: a read error halfway through never
 *   comes back as a shorter list;
 * - one UID per collection (RFC 4791 §5.3.2.1, RFC 6352 §6.3.2.1): a member
 *   whose UID another member of the collection holds is refused with
 *   STORE_EXISTS, whether created, updated, moved or copied there;
 * - conditional writes (store_node_update_if, store_node_delete_if) act only
 *   on the revision the caller read, else STORE_CONFLICT.
 *
 * The URL space is a tree of nodes.  Three fixed space roots (files,
 * calendars, addressbooks) hold one home per principal, named by the
 * principal's random id; everything below a home is the user's data. */
#ifndef VEIL_STORE_H
#define VEIL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/pool.h"

enum {
    STORE_OK = 0,
    STORE_NOTFOUND = 1,
    STORE_EXISTS = 2,  /* unique name or UID already taken */
    STORE_BUSY = 3,    /* the database stayed locked past the busy timeout */
    STORE_CONFLICT = 4, /* the row changed since the caller read it (a conditional write) */
    STORE_ERROR = -1,
    STORE_FULL = -2,   /* the disk is full: a file of the store could not grow (SQLITE_FULL) */
    STORE_IOERR = -3   /* the disk failed a write or a sync (SQLITE_IOERR, a failed WAL
                        * fsync); after a failed sync every write fails (group_commit.h) */
};

/* Node kinds.  Values are stored on disk: only append. */
typedef enum {
    STORE_KIND_RESOURCE = 1,      /* a non-collection resource (file, event, card) */
    STORE_KIND_COLLECTION = 2,    /* plain WebDAV collection */
    STORE_KIND_CALENDAR = 3,
    STORE_KIND_ADDRESSBOOK = 4,
    STORE_KIND_SCHED_INBOX = 5,
    STORE_KIND_SCHED_OUTBOX = 6,
    STORE_KIND_NOTIFICATIONS = 7,
    STORE_KIND_BINDING = 8,       /* a sharee's view of someone's collection (target) */
    STORE_KIND_HOME_FILES = 10,
    STORE_KIND_HOME_CALENDARS = 11,
    STORE_KIND_HOME_ADDRESSBOOKS = 12,
    STORE_KIND_SPACE_ROOT = 20
} store_kind;

/* Fixed ids of the space roots, created with the schema. */
enum { STORE_ROOT_FILES = 1, STORE_ROOT_CALENDARS = 2, STORE_ROOT_ADDRESSBOOKS = 3 };

static inline int store_kind_is_collection(int kind)
{
    return kind != STORE_KIND_RESOURCE;
}

typedef struct store store;

typedef struct store_node {
    int64_t id;
    int64_t parent;       /* 0 for space roots */
    int kind;             /* store_kind */
    const char *name;     /* decoded path segment */
    int64_t owner;        /* principals.id */
    unsigned char resource_id[16];
    const char *etag;     /* without quotes; NULL for collections */
    const char *content_type;
    const char *content_language;
    int64_t length;       /* body bytes */
    int64_t created;      /* unix seconds */
    int64_t modified;
    int64_t revision;     /* collections: change counter; members: revision of last change */
    const char *uid;      /* calendar/address object UID, or NULL */
    const char *component; /* "VEVENT", "VTODO", "VCARD", ... or NULL */
    unsigned comp_mask;   /* calendars: supported component kinds (bits), 0 = all */
    const char *tz;       /* calendars: calendar-timezone VCALENDAR, NULL = UTC */
    int64_t target;       /* bindings: the collection shown */
    int has_acl;          /* ACEs are set on this node */
    const char *sched_tag; /* scheduling objects: the schedule tag (RFC 6638 §3.2.10), or NULL */
} store_node;

/* What a write puts in a resource.  Fields other than body may be NULL. */
typedef struct store_content {
    const void *body;
    size_t length;
    const char *content_type;
    const char *content_language;
    const char *etag;      /* computed by the caller (dav_etag) */
    const char *uid;
    const char *component;
} store_content;

typedef struct store_prop {
    const char *ns;    /* namespace URI, "" for none */
    const char *name;  /* local name */
    const char *xml;   /* the whole element, serialised with its namespace declarations */
} store_prop;

typedef enum { STORE_LOCK_EXCLUSIVE = 1, STORE_LOCK_SHARED = 2 } store_lock_scope;

typedef struct store_lock {
    const char *token;   /* "urn:uuid:..." */
    const char *root;    /* decoded canonical path of the lock root, no trailing slash */
    int depth_infinity;
    int scope;           /* store_lock_scope */
    const char *owner_xml; /* the DAV:owner element as sent, or NULL */
    int64_t principal;   /* who took it */
    int64_t expires;     /* unix seconds; 0 = infinite */
    int64_t timeout;     /* seconds granted; 0 = infinite */
} store_lock;

typedef struct store_principal {
    int64_t id;
    char pid[64];        /* random opaque id used in URLs ("<pid>/calendar-proxy-read" for
                          * proxy groups) */
    int64_t account_id;  /* id in the account database; 0 for non-account principals */
    int kind;            /* store_principal_kind */
    const char *displayname; /* pool string, may be NULL */
    const char *name;    /* operator's handle of a group/resource/room, or NULL */
    int64_t owner;       /* proxy groups: the user they belong to */
    unsigned char uuid[16]; /* for urn:uuid: calendar user addresses */
} store_principal;

typedef enum {
    STORE_PRINCIPAL_USER = 1,
    STORE_PRINCIPAL_GROUP = 2,
    STORE_PRINCIPAL_RESOURCE = 3,
    STORE_PRINCIPAL_ROOM = 4,
    STORE_PRINCIPAL_PROXY_READ = 5,
    STORE_PRINCIPAL_PROXY_WRITE = 6
} store_principal_kind;

#define STORE_PROXY_READ_SEGMENT "calendar-proxy-read"
#define STORE_PROXY_WRITE_SEGMENT "calendar-proxy-write"

/* ---- connection ---------------------------------------------------------- */

/* Opens (and with create, creates and migrates) the store at path.  sync_full
 * selects synchronous=FULL (durable across power loss) instead of NORMAL
 * (durable across process crashes).  On success *out is owned by the caller. */
int store_open(const char *path, int create, int sync_full, store **out);
/* Sets the connection's page cache (SQLite's own default is about 2 MiB). */
void store_set_cache_kib(store *s, int kib);
void store_close(store *s);
/* How long a statement waits for another connection's lock before
 * STORE_BUSY (store_open sets 10 s; `veildav deliver` takes its own, so the
 * MTA retries instead of waiting). */
void store_set_busy_timeout(store *s, int ms);
/* The last SQLite error message, for logs (never shown to clients). */
const char *store_errmsg(store *s);
/* PRAGMA integrity_check; STORE_OK when "ok". */
int store_integrity_check(store *s);

/* A read snapshot: the statements that follow share one read transaction, so
 * they see one state and take SQLite's WAL read lock (two fcntl() calls) once
 * instead of once per statement.  Whatever writes ends the snapshot first
 * (store_begin_write, or any writing statement), so writes behave exactly as
 * without one.  A no-op inside a transaction; end it before the thread serves
 * another connection, and soon (an open snapshot holds back checkpoints). */
int store_snapshot_begin(store *s);
void store_snapshot_end(store *s);
int store_begin_write(store *s);  /* BEGIN IMMEDIATE; ends a read snapshot first */
int store_commit(store *s);
void store_rollback(store *s);     /* safe to call when no transaction is open */

/* ---- principals ---------------------------------------------------------- */

int store_principal_by_pid(store *s, vpool *pool, const char *pid, store_principal *out);
int store_principal_by_id(store *s, vpool *pool, int64_t id, store_principal *out);
int store_principal_by_account(store *s, vpool *pool, int64_t account_id, store_principal *out);
/* Creates a principal with a fresh random pid (a user also gets its two
 * calendar-proxy groups).  Runs its own transaction unless one is open. */
int store_principal_create(store *s, vpool *pool, int64_t account_id, int kind,
                           const char *displayname, store_principal *out);
/* Same, with an operator handle (groups, resources, rooms). */
int store_principal_create_named(store *s, vpool *pool, int64_t account_id, int kind,
                                 const char *displayname, const char *name,
                                 store_principal *out);
/* The user principal of an account (account_id > 0), created with its two
 * calendar-proxy groups and displayname when it has none: the one way to get
 * an account's principal.  Race-safe: connections doing it at once (threads
 * or processes) all end up with the same principal.  Inside an open write
 * transaction it is part of it; outside one it commits its own. */
int store_principal_ensure(store *s, vpool *pool, int64_t account_id, const char *displayname,
                           store_principal *out);
int store_principal_by_name(store *s, vpool *pool, const char *name, store_principal *out);
/* The principal whose urn:uuid calendar user address is u. */
int store_principal_by_uuid(store *s, vpool *pool, const unsigned char u[16], store_principal *out);
/* Ids of the named principals of one kind (groups, resources, rooms), by name
 * (pool array, at most 10000). */
int store_principals_named(store *s, vpool *pool, int kind, int64_t **ids, int *n);
int store_principal_set_displayname(store *s, int64_t id, const char *displayname);

/* ---- removal (storage/store_purge.c) ---------------------------------------- */

/* Deletes the principal, its delegation groups and everything it owns or
 * that names them: homes with all below them, any other node it owns, locks
 * it took or on its homes, ACEs, share rows and memberships naming it, its
 * own values of others' properties.  The change-log rows of its homes go
 * too.  Inside the caller's write transaction; share rows are deleted as
 * rows only (dav_account_remove lets the sharing engine undo each first). */
int store_principal_delete(store *s, int64_t id);
/* Forgets coll's change-log row for member `name` (a removed account's
 * binding or notification in someone else's collection: the row names it)
 * and raises the collection's sync floor to its revision, so every older
 * sync token is refused and its clients sync afresh (RFC 6578 §3.7). */
int store_change_forget(store *s, int64_t coll, const char *name);
/* Rewrites the database file from its live rows and truncates its
 * write-ahead log (storage/scrub.h), so nothing deleted survives in free
 * space or old page images.  Outside a write transaction; takes the
 * process's write gate meanwhile.  About as long as copying dav.db: other
 * processes' writers wait (up to their busy timeout).  STORE_OK, STORE_BUSY
 * (another connection held the file past the busy timeout: scrub again
 * later), STORE_ERROR. */
int store_scrub(store *s);
/* Up to max user principals whose account is gone from the account database
 * at accounts_path (the mail system deleted the row), in id order (pool
 * array).  Outside a transaction.  STORE_ERROR when that file is not a
 * Veil account database: then nobody is an orphan. */
int store_principals_orphaned(store *s, vpool *pool, const char *accounts_path, int max,
                              int64_t **ids, int *n);

/* ---- nodes --------------------------------------------------------------- */

int store_node_get(store *s, vpool *pool, int64_t id, store_node *out);
int store_node_child(store *s, vpool *pool, int64_t parent, const char *name, store_node *out);
/* Up to `limit` children of parent with name > after (NULL = from the start),
 * ordered by name: keyset pages, so a listing never holds the whole set. */
int store_node_children(store *s, vpool *pool, int64_t parent, const char *after, int limit,
                        store_node **out, int *n);
int store_node_count_children(store *s, int64_t parent, int64_t *n);

/* Creates a node.  n->parent, kind, name, owner are read; content may be NULL
 * for collections.  Records the change in the parent collection.  On success
 * out (if not NULL) holds the new row. */
int store_node_create(store *s, vpool *pool, const store_node *n, const store_content *c,
                      store_node *out);
/* Replaces a resource's body and metadata; bumps its revision. */
int store_node_update(store *s, vpool *pool, int64_t id, const store_content *c, store_node *out);
/* Deletes a node and, for collections, everything below it (bodies, dead
 * properties); records the deletion in the parent's change log. */
int store_node_delete(store *s, int64_t id);
/* The same, only while the node's revision (store_node.revision) is still
 * expect_revision: STORE_CONFLICT, with nothing changed, when it is not or
 * the node is gone.  Check and write are one: inside the caller's write
 * transaction, or in one of their own when none is open. */
int store_node_update_if(store *s, vpool *pool, int64_t id, int64_t expect_revision,
                         const store_content *c, store_node *out);
int store_node_delete_if(store *s, int64_t id, int64_t expect_revision);
/* Moves a node (and its subtree) under new_parent with new_name; keeps its
 * resource id and dead properties. */
int store_node_move(store *s, int64_t id, int64_t new_parent, const char *new_name);
/* Copies src (with depth_infinity, its whole subtree) to a new node under
 * dst_parent named dst_name, with fresh resource ids and the same dead
 * properties, owned by owner. */
int store_node_copy(store *s, vpool *pool, int64_t src, int64_t dst_parent, const char *dst_name,
                    int depth_infinity, int64_t owner, store_node *out);
/* Sets (NULL: clears) a scheduling object's schedule tag. */
int store_node_set_sched_tag(store *s, int64_t id, const char *tag);
/* Gives node id and everything below it to owner (a MOVE into someone
 * else's collection: ownership follows the node). */
int store_node_set_owner(store *s, int64_t id, int64_t owner);
/* Changes a collection's kind (for MKCALENDAR over a fresh node and similar). */
int store_node_set_kind(store *s, int64_t id, int kind);
/* A calendar collection's supported components / time zone. */
int store_node_set_comp_mask(store *s, int64_t id, unsigned comp_mask);
int store_node_set_tz(store *s, int64_t id, const char *tz);
/* Marks a collection modified (dead property change): bumps revision and mtime. */
int store_node_touch(store *s, int64_t id);

/* Reads a body into pool memory (NUL-terminated for convenience). */
int store_body_get(store *s, vpool *pool, int64_t id, const char **data, size_t *len);
/* Reads up to len bytes of node id's body from offset into buf (owned by the
 * caller), never the whole body: a large file is sent a piece at a time.
 * (SQLite reaches the offset by walking the body's overflow pages, so a read
 * costs its length plus about offset / 4 KiB page reads: read big pieces.)  *got is len, or less at the end of the body (0 at
 * or past it).  The node must still have the ETag etag (the body's hash, so
 * the same bytes), checked in the same read as the bytes: STORE_CONFLICT
 * when the body changed or went away since the caller read it, so pieces of
 * two versions are never sent as one.  Outside a transaction or snapshot it
 * takes one of its own; inside one it reads that. */
int store_body_read(store *s, int64_t id, const char *etag, uint64_t offset, void *buf,
                    size_t len, size_t *got);

/* A member with UID uid in any calendar of calendar home `home`, other than
 * node `except` (RFC 6638 §3.2.4.1: a scheduling object's UID is unique in
 * its owner's home; delivery finds the copy to update). */
int store_node_by_uid_in_home(store *s, vpool *pool, int64_t home, const char *uid, int64_t except,
                              store_node *out);
/* Finds the member of collection `coll` whose UID is uid (for no-uid-conflict). */
int store_node_by_uid(store *s, vpool *pool, int64_t coll, const char *uid, store_node *out);

/* Members that share a UID with an older member of their collection: stored
 * before the store enforced one UID per collection (schema version 5), kept
 * and set aside rather than deleted.  One stops being listed once it is
 * deleted, takes another UID or leaves the collection (and takes the UID
 * over if the older member goes first). */
typedef struct store_uid_dup {
    int64_t node;         /* the later member */
    int64_t collection;
    int64_t owner;        /* the collection's owner (principals.id) */
    const char *name;     /* the later member's name */
    const char *holder;   /* name of the member holding the UID, NULL if none */
} store_uid_dup;

int store_uid_dups_count(store *s, int64_t *n);
/* At most max of them, by collection (pool array). */
int store_uid_dups(store *s, vpool *pool, int max, store_uid_dup **out, int *n);

/* ---- time-range index (calendar objects) ----------------------------------- */

/* Instance spans of one calendar object, UTC seconds; INT64_MIN / INT64_MAX
 * for open ends.  At most STORE_TR_MAX_SPANS per object. */
#define STORE_TR_MAX_SPANS 1024
typedef struct store_span {
    int64_t start, end;
    int exact; /* ical_span.exact: a positive-length overlap is a match */
} store_span;

/* Replaces the spans of node (a member of coll). */
int store_tr_set(store *s, int64_t node, int64_t coll, const store_span *spans, int n);
/* Ids of members of coll with a span overlapping [start, end], ascending
 * (pool array; ids only, so even 100,000 matches take 800 KB).  With sure,
 * (*sure)[i] is nonzero when an exact span of ids[i] overlaps (start, end)
 * with positive length, whole minutes inside: that member matches a
 * component time-range without a second look (store_span.exact). */
int store_tr_query(store *s, vpool *pool, int64_t coll, int64_t start, int64_t end,
                   int64_t **ids, unsigned char **sure, int *n);

/* The text index of address objects (storage/store_text.c, schema v9): one
 * row per member, the columns of vcard/textindex.h (FN, N, EMAIL, TEL,
 * NICKNAME, ORG, UID, CATEGORIES).  The DAV layer writes a member's row in
 * the member's transaction; deleting a node deletes it, copying copies it. */
#define STORE_TEXT_NCOLS 8
/* What the version 9 migration calls for each stored card: 0 with cols set
 * (pool strings), or -1.  Registered once at start-up, before store_open. */
typedef int (*store_text_fn)(vpool *pool, const char *data, size_t len, const char **cols);
void store_text_source(store_text_fn fn);
int store_text_set(store *s, int64_t node, const char *const cols[STORE_TEXT_NCOLS]);
/* Ids of the members of coll whose row matches expr (an FTS5 query), in
 * name order (pool array).  An error (a query FTS5 refuses included) means
 * the caller scans. */
int store_text_candidates(store *s, vpool *pool, int64_t coll, const char *expr, int64_t **ids,
                          int *n);

/* ---- dead properties ----------------------------------------------------- */

int store_prop_get(store *s, vpool *pool, int64_t node, const char *ns, const char *name,
                   store_prop *out);
/* All dead properties of a node (pool array). */
int store_prop_list(store *s, vpool *pool, int64_t node, store_prop **out, int *n);
int store_prop_set(store *s, int64_t node, const char *ns, const char *name, const char *xml);
int store_prop_remove(store *s, int64_t node, const char *ns, const char *name);
/* How many dead properties node has, without reading them. */
int store_prop_count(store *s, int64_t node, int *n);
/* STORE_OK when node has the dead property, STORE_NOTFOUND when not
 * (without reading its value). */
int store_prop_exists(store *s, int64_t node, const char *ns, const char *name);

/* ---- per-user properties (storage/store_userprops.c) ------------------------
 * One principal's own value of a property on a node it does not own (a
 * delegate's colour of the delegator's calendar).  Deleted with the node and
 * with the principal. */

int store_userprop_get(store *s, vpool *pool, int64_t node, int64_t principal, const char *ns,
                       const char *name, store_prop *out);
/* All of one principal's properties on node (pool array). */
int store_userprop_list(store *s, vpool *pool, int64_t node, int64_t principal, store_prop **out,
                        int *n);
int store_userprop_set(store *s, int64_t node, int64_t principal, const char *ns,
                       const char *name, const char *xml);
int store_userprop_remove(store *s, int64_t node, int64_t principal, const char *ns,
                          const char *name);

/* ---- groups, ACEs, shares (storage/store_acl.c) ----------------------------- */

int store_group_add_member(store *s, int64_t group, int64_t member);
int store_group_remove_member(store *s, int64_t group, int64_t member);
/* Members of a group (pool array of principal ids). */
int store_group_members(store *s, vpool *pool, int64_t group, int64_t **out, int *n);
/* Every group principal holds, directly or through nested groups (depth <= 8). */
int store_principal_groups(store *s, vpool *pool, int64_t principal, int64_t **out, int *n);

typedef enum {
    STORE_ACE_PRINCIPAL = 1,
    STORE_ACE_ALL = 2,
    STORE_ACE_AUTHENTICATED = 3,
    STORE_ACE_UNAUTHENTICATED = 4,
    STORE_ACE_SELF = 5,
    STORE_ACE_OWNER = 6
} store_ace_who;

typedef struct store_ace {
    int64_t node;
    int who;             /* store_ace_who */
    int64_t principal;   /* STORE_ACE_PRINCIPAL */
    unsigned grant, deny; /* privacy/acl.h privilege bits */
    int source;          /* 0 set by the ACL method, 1 made by a share */
} store_ace;

/* ACEs of one node in order (pool array). */
int store_aces_get(store *s, vpool *pool, int64_t node, store_ace **out, int *n);
/* Replaces the ACEs of `source` on node with the given ones (other sources'
 * ACEs keep their places first). */
int store_aces_replace(store *s, int64_t node, int source, const store_ace *aces, int n);
/* Principals with an ACE naming them on nodes owned by owner, and owners of
 * nodes with ACEs naming principal: the relationships that make principals
 * visible to each other.  Nonzero in *yes when a and b are related. */
int store_principals_related(store *s, int64_t a, int64_t b, int *yes);
/* Every principal related to a in that sense (not a itself; proxy groups map
 * to their owner), at most max of them, in id order (pool array). */
int store_principals_related_list(store *s, vpool *pool, int64_t a, int max, int64_t **out,
                                  int *n);

typedef struct store_share {
    int64_t id, node, sharee;
    int access;          /* 1 read, 2 read-write */
    int state;           /* 0 invited, 1 accepted, 2 declined */
    int64_t binding;
    const char *uid, *summary;
    int64_t created;
} store_share;

int store_share_put(store *s, vpool *pool, const store_share *in, store_share *out);
int store_share_get(store *s, vpool *pool, int64_t node, int64_t sharee, store_share *out);
int store_share_by_uid(store *s, vpool *pool, const char *uid, store_share *out);
int store_share_by_binding(store *s, vpool *pool, int64_t binding, store_share *out);
int store_shares_of_node(store *s, vpool *pool, int64_t node, store_share **out, int *n);
/* The nodes in the subtree at node (itself included) that have share rows. */
int store_shared_nodes_below(store *s, vpool *pool, int64_t node, int64_t **out, int *n);
int store_shares_of_sharee(store *s, vpool *pool, int64_t sharee, store_share **out, int *n);
/* Share rows of every collection owner owns. */
int store_shares_given(store *s, vpool *pool, int64_t owner, store_share **out, int *n);
int store_share_delete(store *s, int64_t id);
/* Points a binding node at its target. */
int store_node_set_target(store *s, int64_t id, int64_t target);

/* ---- locks --------------------------------------------------------------- */

/* Locks that apply to path: rooted at it, or at an ancestor with depth
 * infinity, or (for members) a depth-0 lock on the direct parent collection
 * when include_parent is set.  Expired locks are ignored. */
int store_locks_covering(store *s, vpool *pool, const char *path, store_lock **out, int *n);
/* Locks rooted at path or anywhere below it. */
int store_locks_below(store *s, vpool *pool, const char *path, store_lock **out, int *n);
int store_lock_get(store *s, vpool *pool, const char *token, store_lock *out);
int store_lock_create(store *s, const store_lock *l);
int store_lock_refresh(store *s, const char *token, int64_t timeout, int64_t expires);
int store_lock_delete(store *s, const char *token);
/* Deletes locks rooted at path or below (after DELETE/MOVE of that path). */
int store_locks_delete_below(store *s, const char *path);

/* ---- change log (sync-collection, getctag) -------------------------------- */

typedef struct store_change {
    const char *name;
    int64_t revision;
    int deleted;
    int has_node;    /* the member exists now, as node */
    store_node node;
} store_change;

/* Changes to members of coll with revision > since, oldest first, up to limit
 * (limit <= 0: all), each with the member as it is now: one statement for a
 * page of a sync-collection instead of one lookup per member. */
int store_changes_since(store *s, vpool *pool, int64_t coll, int64_t since, int limit,
                        store_change **out, int *n);
/* The oldest revision the change log can still answer from (older sync tokens
 * are invalid). */
int store_changes_floor(store *s, int64_t coll, int64_t *floor);

/* ---- storage quota (storage/store_quota.c; RFC 4331) ------------------------
 * What a principal's data takes: the bytes of the bodies and dead properties
 * of the nodes it owns and of the per-user properties it set, counted by the
 * store inside the transaction of every write, whoever writes.  A principal's
 * own limit is STORE_QUOTA_DEFAULT (the configuration's), STORE_QUOTA_NONE or
 * a number of bytes. */

#define STORE_QUOTA_DEFAULT (-1)
#define STORE_QUOTA_NONE 0

typedef struct store_quota {
    int64_t used;  /* bytes counted against the principal */
    int64_t limit; /* its own setting (STORE_QUOTA_DEFAULT, STORE_QUOTA_NONE, bytes) */
} store_quota;

/* The limit that applies: default_limit for a principal on the default;
 * STORE_QUOTA_NONE (0) for none. */
static inline int64_t store_quota_limit(const store_quota *q, int64_t default_limit)
{
    return q->limit == STORE_QUOTA_DEFAULT ? default_limit : q->limit;
}

int store_quota_get(store *s, int64_t principal, store_quota *out);
/* Sets a principal's own limit (STORE_NOTFOUND: no such principal). */
int store_quota_set_limit(store *s, int64_t principal, int64_t limit);
/* Inside a write transaction, before it commits: *over is a principal whose
 * usage this transaction grew and which is now above its limit (default_limit
 * for those on the default), else 0.  A change that frees space is never
 * refused, even above a limit.  STORE_ERROR (fail closed) when the
 * transaction charged more principals than could be followed. */
int store_quota_exceeded(store *s, int64_t default_limit, int64_t *over);

/* A unit inside the open write transaction that can be undone alone (an SQL
 * savepoint; units nest): store_savepoint_end keeps it, or with undo rolls
 * back everything it wrote.  STORE_ERROR outside a write transaction. */
int store_savepoint(store *s);
int store_savepoint_end(store *s, int undo);

/* Counters that differ from a recount of the rows (a store changed outside
 * veildav, or a bug): at most max, by principal (pool array). */
typedef struct store_quota_drift {
    int64_t principal;
    int64_t counted; /* the counter */
    int64_t actual;  /* what the rows take */
} store_quota_drift;

int store_quota_drifts(store *s, vpool *pool, int max, store_quota_drift **out, int *n);
/* Sets every counter to its recount (in a transaction of its own unless one
 * is open). */
int store_quota_recount(store *s);

/* ---- outgoing mail (storage/store_mail.c) -----------------------------------
 * iMIP messages (RFC 6047) waiting for the mail system: queued inside the
 * write transaction of the change that sends them, claimed by a sender for
 * a lease, removed once taken or given up.  Times are UTC seconds. */

typedef struct store_mail {
    int64_t id;
    int64_t owner;         /* the sender's principal: their copy shows the outcome */
    const char *uid;       /* ... of this calendar object */
    const char *cua;       /* ... on this calendar user (the recipient as written) */
    int reply;             /* an attendee's answer (the outcome goes on ORGANIZER) */
    const char *sender;    /* envelope sender: the sender's own address */
    const char *recipient; /* envelope recipient */
    const void *message;   /* the whole RFC 5322 message */
    size_t length;
    int64_t created;
    int attempts;
} store_mail;

/* Queues m (id, attempts ignored) due at `due`.  Inside a write
 * transaction.  STORE_EXISTS when `max` messages already wait (the queue is
 * full: the caller records the failure). */
int store_mail_queue(store *s, const store_mail *m, int64_t due, int64_t max);
/* In a write transaction of its own: up to max messages due by now, each
 * then hidden from other senders until now + lease (pool array; a sender
 * that dies leaves them to be claimed again after the lease). */
int store_mail_claim(store *s, vpool *pool, int64_t now, int64_t lease, int max, store_mail **out,
                     int *n);
/* Removes a message (sent or given up).  STORE_NOTFOUND when it is gone
 * already (its owner was removed meanwhile). */
int store_mail_remove(store *s, int64_t id);
/* A failed attempt: tried again at `next`. */
int store_mail_retry(store *s, int64_t id, int attempts, int64_t next);
/* When the next message is due (STORE_NOTFOUND: the queue is empty). */
int store_mail_next_due(store *s, int64_t *when);
/* Removes every message a principal sent (the account goes). */
int store_mail_remove_owner(store *s, int64_t owner);

#endif

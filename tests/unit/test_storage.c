/* The DAV store against a real SQLite file in a temporary directory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-store-XXXXXX";
static char path[256];

static store *open_fresh(void)
{
    store *s = NULL;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    return s;
}

/* Turns the store at path back into what version 4 wrote (no uid_dup
 * column, a plain index on (parent, uid)) and sets user_version to v, so
 * opening it runs the migrations from v + 1 as on a store an older veildav
 * left behind. */
static void downgrade(int v)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    char q[512];
    snprintf(q, sizeof q,
             "DROP INDEX nodes_uid_dup; DROP INDEX nodes_uid; ALTER TABLE nodes DROP COLUMN uid_dup; ALTER TABLE nodes DROP COLUMN sched_tag;"
             "DROP TABLE mail_queue;"
             "CREATE INDEX nodes_uid ON nodes(parent, uid) WHERE uid IS NOT NULL;"
             "PRAGMA user_version = %d",
             v);
    CHECK_INT(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int64_t mk(store *s, vpool *p, int64_t parent, const char *name, int kind, int64_t owner,
                  const char *body)
{
    store_node n = {.parent = parent, .name = name, .kind = kind, .owner = owner};
    store_content c = {.body = body, .length = body ? strlen(body) : 0, .etag = "e"};
    store_node out;
    int rc = store_node_create(s, p, &n, body ? &c : NULL, &out);
    CHECK_INT(rc, STORE_OK);
    return rc == STORE_OK ? out.id : 0;
}

static void test_principals(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    store_principal a, b, c;
    CHECK_INT(store_principal_create(s, p, 7, STORE_PRINCIPAL_USER, "Seven", &a), STORE_OK);
    CHECK_INT(strlen(a.pid), 26);
    CHECK_INT(store_principal_by_account(s, p, 7, &b), STORE_OK);
    CHECK_STR(b.pid, a.pid);
    CHECK_STR(b.displayname, "Seven");
    CHECK_INT(store_principal_create(s, p, 7, STORE_PRINCIPAL_USER, NULL, &c), STORE_EXISTS);
    CHECK_INT(store_principal_by_pid(s, p, "nope", &c), STORE_NOTFOUND);
    pool_free(p);
    store_close(s);
}

static void test_tree_and_changes(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_FILES, "home1", STORE_KIND_HOME_FILES, 1, NULL);
    int64_t coll = mk(s, p, home, "coll", STORE_KIND_COLLECTION, 1, NULL);
    mk(s, p, coll, "a.txt", STORE_KIND_RESOURCE, 1, "alpha");
    mk(s, p, coll, "b.txt", STORE_KIND_RESOURCE, 1, "beta");
    int64_t sub = mk(s, p, coll, "sub", STORE_KIND_COLLECTION, 1, NULL);
    mk(s, p, sub, "c.txt", STORE_KIND_RESOURCE, 1, "gamma");

    store_node n;
    CHECK_INT(store_node_child(s, p, coll, "b.txt", &n), STORE_OK);
    const char *data;
    size_t len;
    CHECK_INT(store_body_get(s, p, n.id, &data, &len), STORE_OK);
    CHECK_INT(len, 4);
    CHECK(memcmp(data, "beta", 4) == 0);

    /* keyset pages */
    store_node *kids;
    int nk;
    CHECK_INT(store_node_children(s, p, coll, NULL, 2, &kids, &nk), STORE_OK);
    CHECK_INT(nk, 2);
    CHECK_STR(kids[1].name, "b.txt");
    CHECK_INT(store_node_children(s, p, coll, "b.txt", 2, &kids, &nk), STORE_OK);
    CHECK_INT(nk, 1);
    CHECK_STR(kids[0].name, "sub");

    /* change log: 3 members created */
    store_change *ch;
    int nc;
    CHECK_INT(store_changes_since(s, p, coll, 0, 0, &ch, &nc), STORE_OK);
    CHECK_INT(nc, 3);
    int64_t rev = ch[nc - 1].revision;

    /* copy the subtree: fresh resource ids, same bodies */
    store_node copy;
    CHECK_INT(store_node_copy(s, p, coll, home, "copy", 1, 1, &copy), STORE_OK);
    CHECK(memcmp(copy.resource_id, (store_node){0}.resource_id, 16) != 0);
    store_node csub, cc;
    CHECK_INT(store_node_child(s, p, copy.id, "sub", &csub), STORE_OK);
    CHECK_INT(store_node_child(s, p, csub.id, "c.txt", &cc), STORE_OK);
    CHECK_INT(cc.length, 5);
    CHECK_INT(store_body_get(s, p, cc.id, &data, &len), STORE_OK);
    CHECK_INT(len, 5);

    /* move keeps the resource id; the change log shows a delete and a create */
    store_node before, after;
    CHECK_INT(store_node_child(s, p, coll, "a.txt", &before), STORE_OK);
    CHECK_INT(store_node_move(s, before.id, sub, "moved.txt"), STORE_OK);
    CHECK_INT(store_node_child(s, p, sub, "moved.txt", &after), STORE_OK);
    CHECK(memcmp(before.resource_id, after.resource_id, 16) == 0);
    CHECK_INT(store_changes_since(s, p, coll, rev, 0, &ch, &nc), STORE_OK);
    CHECK_INT(nc, 1);
    CHECK_STR(ch[0].name, "a.txt");
    CHECK_INT(ch[0].deleted, 1);

    /* dead properties travel with copies and vanish with deletes */
    CHECK_INT(store_prop_set(s, sub, "urn:x", "p", "<p xmlns=\"urn:x\">1</p>"), STORE_OK);
    store_prop pr;
    CHECK_INT(store_prop_get(s, p, sub, "urn:x", "p", &pr), STORE_OK);
    CHECK_STR(pr.xml, "<p xmlns=\"urn:x\">1</p>");

    /* recursive delete */
    CHECK_INT(store_node_delete(s, coll), STORE_OK);
    CHECK_INT(store_node_get(s, p, sub, &n), STORE_NOTFOUND);
    CHECK_INT(store_prop_get(s, p, sub, "urn:x", "p", &pr), STORE_NOTFOUND);
    CHECK_INT(store_node_child(s, p, copy.id, "sub", &n), STORE_OK);
    CHECK_INT(store_integrity_check(s), STORE_OK);
    pool_free(p);
    store_close(s);
}

static void test_locks(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    store_lock l = {.token = "urn:uuid:1", .root = "/files/x/dir", .depth_infinity = 1,
                    .scope = STORE_LOCK_EXCLUSIVE, .principal = 1, .expires = 0, .timeout = 0};
    CHECK_INT(store_lock_create(s, &l), STORE_OK);
    store_lock l2 = {.token = "urn:uuid:2", .root = "/files/x/dirty", .depth_infinity = 0,
                     .scope = STORE_LOCK_SHARED, .principal = 1, .expires = 1, .timeout = 1};
    CHECK_INT(store_lock_create(s, &l2), STORE_OK); /* already expired */
    store_lock *locks;
    int n;
    CHECK_INT(store_locks_covering(s, p, "/files/x/dir/a/b", &locks, &n), STORE_OK);
    CHECK_INT(n, 1);
    /* a name that merely shares a prefix is not covered */
    CHECK_INT(store_locks_covering(s, p, "/files/x/dirty", &locks, &n), STORE_OK);
    CHECK_INT(n, 0);
    CHECK_INT(store_locks_below(s, p, "/files/x", &locks, &n), STORE_OK);
    CHECK_INT(n, 1);
    CHECK_INT(store_locks_delete_below(s, "/files/x/dir"), STORE_OK);
    CHECK_INT(store_locks_covering(s, p, "/files/x/dir", &locks, &n), STORE_OK);
    CHECK_INT(n, 0);
    pool_free(p);
    store_close(s);
}

static void test_userprops(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    store_principal owner, other;
    CHECK_INT(store_principal_create(s, p, 21, STORE_PRINCIPAL_USER, NULL, &owner), STORE_OK);
    CHECK_INT(store_principal_create(s, p, 22, STORE_PRINCIPAL_USER, NULL, &other), STORE_OK);
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "uphome", STORE_KIND_HOME_CALENDARS, owner.id,
                      NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, owner.id, NULL);
    const char *ns = "http://apple.com/ns/ical/";
    CHECK_INT(store_prop_set(s, cal, ns, "calendar-color", "<c>owner</c>"), STORE_OK);
    CHECK_INT(store_userprop_set(s, cal, other.id, ns, "calendar-color", "<c>mine</c>"), STORE_OK);
    CHECK_INT(store_userprop_set(s, cal, other.id, ns, "calendar-order", "<o>2</o>"), STORE_OK);
    store_prop got;
    CHECK_INT(store_userprop_get(s, p, cal, other.id, ns, "calendar-color", &got), STORE_OK);
    CHECK_STR(got.xml, "<c>mine</c>");
    /* the owner's value is untouched, and the owner has no per-user row */
    CHECK_INT(store_prop_get(s, p, cal, ns, "calendar-color", &got), STORE_OK);
    CHECK_STR(got.xml, "<c>owner</c>");
    CHECK_INT(store_userprop_get(s, p, cal, owner.id, ns, "calendar-color", &got), STORE_NOTFOUND);
    store_prop *list;
    int n;
    CHECK_INT(store_userprop_list(s, p, cal, other.id, &list, &n), STORE_OK);
    CHECK_INT(n, 2);
    CHECK_STR(list[0].name, "calendar-color");
    CHECK_INT(store_userprop_remove(s, cal, other.id, ns, "calendar-order"), STORE_OK);
    CHECK_INT(store_userprop_list(s, p, cal, other.id, &list, &n), STORE_OK);
    CHECK_INT(n, 1);
    /* deleting the principal removes its rows */
    CHECK_INT(store_principal_delete(s, other.id), STORE_OK);
    CHECK_INT(store_userprop_get(s, p, cal, other.id, ns, "calendar-color", &got), STORE_NOTFOUND);
    /* deleting the collection removes everyone's rows on it */
    CHECK_INT(store_userprop_set(s, cal, 99, ns, "calendar-color", "<c>x</c>"), STORE_OK);
    CHECK_INT(store_node_delete(s, cal), STORE_OK);
    CHECK_INT(store_userprop_get(s, p, cal, 99, ns, "calendar-color", &got), STORE_NOTFOUND);
    pool_free(p);
    store_close(s);
}

/* A store written by an older veildav (schema version 1) gains the per-user
 * properties table when opened. */
static void test_migrate_v1(void)
{
    store *s = open_fresh();
    store_close(s);
    downgrade(1);
    sqlite3 *db;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "DROP TABLE user_props", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    s = open_fresh();
    CHECK_INT(store_userprop_set(s, 1, 2, "DAV:", "x", "<x/>"), STORE_OK);
    CHECK_INT(store_userprop_remove(s, 1, 2, "DAV:", "x"), STORE_OK);
    store_close(s);
}

/* Version 4 gives everything below a home to the home's owner: a member
 * moved into someone else's collection by an older veildav kept its old
 * owner (who could then still reach it after losing access). */
static void test_migrate_v4_owners(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "ownerhome", STORE_KIND_HOME_CALENDARS, 41, NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, 41, NULL);
    int64_t stray = mk(s, p, cal, "moved.ics", STORE_KIND_RESOURCE, 42, "x");
    int64_t fine = mk(s, p, cal, "own.ics", STORE_KIND_RESOURCE, 41, "y");
    int64_t other = mk(s, p, STORE_ROOT_FILES, "otherhome", STORE_KIND_HOME_FILES, 42, NULL);
    int64_t f = mk(s, p, other, "f.txt", STORE_KIND_RESOURCE, 42, "z");
    store_close(s);
    downgrade(3);
    s = open_fresh();
    store_node n;
    CHECK_INT(store_node_get(s, p, stray, &n), STORE_OK);
    CHECK_INT(n.owner, 41);
    CHECK_INT(store_node_get(s, p, fine, &n), STORE_OK);
    CHECK_INT(n.owner, 41);
    CHECK_INT(store_node_get(s, p, f, &n), STORE_OK);
    CHECK_INT(n.owner, 42);
    /* and a MOVE hands a subtree over the same way */
    int64_t sub = mk(s, p, other, "sub", STORE_KIND_COLLECTION, 42, NULL);
    int64_t inner = mk(s, p, sub, "in.txt", STORE_KIND_RESOURCE, 42, "w");
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_node_set_owner(s, sub, 41), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_INT(store_node_get(s, p, inner, &n), STORE_OK);
    CHECK_INT(n.owner, 41);
    CHECK_INT(store_node_get(s, p, f, &n), STORE_OK);
    CHECK_INT(n.owner, 42);
    pool_free(p);
    store_close(s);
}

/* store_body_read: a piece of a body at a time, from the version the
 * reader started on or not at all. */
static void test_body_read(void)
{
    store *s = open_fresh();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_FILES, "readhome", STORE_KIND_HOME_FILES, 51, NULL);
    enum { SIZE = 300000 }; /* many pages: overflow pages read one by one */
    char *big = malloc(SIZE);
    for (int i = 0; i < SIZE; i++) big[i] = (char)(i * 7 + i / 251);
    store_node n = {.parent = home, .name = "big.bin", .kind = STORE_KIND_RESOURCE, .owner = 51};
    store_content c = {.body = big, .length = SIZE, .etag = "v1"};
    store_node made;
    CHECK_INT(store_node_create(s, p, &n, &c, &made), STORE_OK);
    char buf[70000];
    size_t got;
    CHECK_INT(store_body_read(s, made.id, "v1", 0, buf, 10, &got), STORE_OK);
    CHECK_INT(got, 10);
    CHECK(memcmp(buf, big, 10) == 0);
    CHECK_INT(store_body_read(s, made.id, "v1", 123457, buf, sizeof buf, &got), STORE_OK);
    CHECK_INT(got, sizeof buf);
    CHECK(memcmp(buf, big + 123457, sizeof buf) == 0);
    /* the end: what is left, then nothing */
    CHECK_INT(store_body_read(s, made.id, "v1", SIZE - 5, buf, sizeof buf, &got), STORE_OK);
    CHECK_INT(got, 5);
    CHECK(memcmp(buf, big + SIZE - 5, 5) == 0);
    CHECK_INT(store_body_read(s, made.id, "v1", SIZE, buf, sizeof buf, &got), STORE_OK);
    CHECK_INT(got, 0);
    CHECK_INT(store_body_read(s, made.id, "v1", (uint64_t)1 << 40, buf, sizeof buf, &got), STORE_OK);
    CHECK_INT(got, 0);
    /* inside a snapshot it reads the snapshot's version */
    CHECK_INT(store_snapshot_begin(s), STORE_OK);
    CHECK_INT(store_body_read(s, made.id, "v1", 1, buf, 3, &got), STORE_OK);
    CHECK(memcmp(buf, big + 1, 3) == 0);
    store_snapshot_end(s);
    /* another version: a reader of the first gets nothing of it */
    store_content c2 = {.body = "new", .length = 3, .etag = "v2"};
    CHECK_INT(store_node_update(s, p, made.id, &c2, NULL), STORE_OK);
    CHECK_INT(store_body_read(s, made.id, "v1", 0, buf, 10, &got), STORE_CONFLICT);
    CHECK_INT(got, 0);
    CHECK_INT(store_body_read(s, made.id, "v2", 0, buf, 10, &got), STORE_OK);
    CHECK_INT(got, 3);
    CHECK(memcmp(buf, "new", 3) == 0);
    /* gone */
    CHECK_INT(store_node_delete(s, made.id), STORE_OK);
    CHECK_INT(store_body_read(s, made.id, "v2", 0, buf, 10, &got), STORE_CONFLICT);
    /* an empty body */
    int64_t empty = mk(s, p, home, "empty", STORE_KIND_RESOURCE, 51, "");
    CHECK_INT(store_body_read(s, empty, "e", 0, buf, 10, &got), STORE_OK);
    CHECK_INT(got, 0);
    free(big);
    pool_free(p);
    store_close(s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_principals);
    RUN(test_tree_and_changes);
    RUN(test_locks);
    RUN(test_userprops);
    RUN(test_migrate_v1);
    RUN(test_migrate_v4_owners);
    RUN(test_body_read);
    unlink(path);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    rmdir(dir);
    return check_summary();
}

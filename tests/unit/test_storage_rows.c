/* Lists are whole or an error: the one row-collecting loop (store_collect)
 * and the store's lists built on it, made to fail at every point of their
 * statements (SQLite's progress handler interrupts the step), against a real
 * SQLite file. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "storage/store_internal.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-rows-XXXXXX";
static char path[256];

/* ---- the helper alone -------------------------------------------------------- */

static long progress_left; /* < 0: never interrupt */
static int progress(void *arg)
{
    (void)arg;
    return progress_left >= 0 && progress_left-- == 0;
}

typedef struct seen {
    int rows;    /* rows handed to the decoder */
    int fail_at; /* the decoder fails on this row (0: never) */
} seen;

static int decode(void *arg, vpool *pool, sqlite3_stmt *st, void *elem)
{
    seen *s = arg;
    s->rows++;
    if (s->fail_at && s->rows == s->fail_at) return STORE_BUSY;
    if (elem) *(int64_t *)elem = sqlite3_column_int64(st, 0);
    return STORE_OK;
}

static void test_collect(void)
{
    sqlite3 *db;
    CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
    CHECK_INT(
        sqlite3_exec(db,
                     "CREATE TABLE t(v INTEGER);"
                     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<1000)"
                     " INSERT INTO t SELECT i FROM c",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_stmt *st;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT v FROM t", -1, &st, NULL), SQLITE_OK);
    vpool *p = pool_new();
    seen sn = {0, 0};
    store_rows how = {decode, &sn, sizeof(int64_t), 1, -1};
    void *out;
    int n;

    /* every row, through nine doublings of a one-element start */
    CHECK_INT(store_collect(st, p, &how, &out, &n), STORE_OK);
    CHECK_INT(n, 1000);
    int in_order = 1;
    for (int i = 0; i < n; i++)
        in_order &= ((int64_t *)out)[i] == i + 1;
    CHECK(in_order);

    /* the cap stops the loop without an error; 0 reads nothing */
    how.cap = 10;
    CHECK_INT(store_collect(st, p, &how, &out, &n), STORE_OK);
    CHECK_INT(n, 10);
    CHECK_INT(((int64_t *)out)[9], 10);
    how.cap = 0;
    sn.rows = 0;
    CHECK_INT(store_collect(st, p, &how, &out, &n), STORE_OK);
    CHECK_INT(n, 0);
    CHECK(out != NULL);
    CHECK_INT(sn.rows, 0);
    how.cap = -1;

    /* a decoder's failure stops the loop and is the result */
    sn = (seen){0, 7};
    CHECK_INT(store_collect(st, p, &how, &out, &n), STORE_BUSY);
    CHECK(out == NULL);
    CHECK_INT(n, 0);
    CHECK_INT(sn.rows, 7);

    /* a step that fails after some rows: an error, not the rows so far.
     * Measure the progress calls of a whole run, then fail at each. */
    sqlite3_progress_handler(db, 1, progress, NULL);
    progress_left = LONG_MAX;
    sn = (seen){0, 0};
    CHECK_INT(store_collect(st, p, &how, &out, &n), STORE_OK);
    long total = LONG_MAX - progress_left;
    CHECK(total > 1000);
    int wrong = 0, midway = 0;
    for (long b = 0; b < total; b += 7) {
        progress_left = b;
        sn = (seen){0, 0};
        int rc = store_collect(st, p, &how, &out, &n);
        if (rc != STORE_ERROR || out != NULL || n != 0) wrong++;
        if (sn.rows > 0 && sn.rows < 1000) midway++;
    }
    CHECK_INT(wrong, 0);
    CHECK(midway > 100); /* most of those failures came between two rows */
    progress_left = -1;

    /* without an array: the decoder sees each row, and errors the same */
    how.size = 0;
    sn = (seen){0, 0};
    CHECK_INT(store_collect(st, p, &how, NULL, &n), STORE_OK);
    CHECK_INT(n, 1000);
    CHECK_INT(sn.rows, 1000);
    progress_left = total / 2;
    sn = (seen){0, 0};
    CHECK_INT(store_collect(st, NULL, &how, NULL, &n), STORE_ERROR);
    CHECK(sn.rows > 0 && sn.rows < 1000);
    progress_left = -1;

    /* the statement was reset each time: it runs again from the start */
    CHECK_INT(sqlite3_step(st), SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    pool_free(p);
}

/* ---- the store's lists ---------------------------------------------------------- */

typedef struct fixture {
    store *s;
    int64_t home, cal, sub, group, user;
} fixture;

static fixture fx;

typedef int (*list_fn)(vpool *p, int *n);

static void rollback(void)
{
    store_rollback(fx.s);
}

/* Calls f once to prepare its statements, measures a whole call, then makes
 * it fail at every progress check inside it: each must be an error.  after
 * (when not NULL) runs after each call, outside the measure. */
static void whole_or_error_then(const char *what, list_fn f, int want, void (*after)(void))
{
    vpool *p = pool_new();
    int n = -1;
    CHECK_INT(f(p, &n), STORE_OK);
    CHECK_INT(n, want);
    if (after) after();
    store_test_fail_after(fx.s, -1);
    CHECK_INT(f(p, &n), STORE_OK);
    long total = store_test_fail_after(fx.s, -1);
    if (after) after();
    CHECK(total > want);
    int wrong = 0;
    for (long b = 0; b < total; b++) {
        store_test_fail_after(fx.s, b);
        n = -1;
        int rc = f(p, &n);
        store_test_fail_after(fx.s, -1);
        if (after) after();
        if (rc == STORE_OK) {
            if (!wrong)
                fprintf(stderr, "%s: a failure after %ld of %ld checks gave %d rows\n", what, b,
                        total, n);
            wrong++;
        }
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(f(p, &n), STORE_OK);
    CHECK_INT(n, want);
    if (after) after();
    pool_free(p);
}

static void whole_or_error(const char *what, list_fn f, int want)
{
    whole_or_error_then(what, f, want, NULL);
}

static int props(vpool *p, int *n)
{
    store_prop *l;
    return store_prop_list(fx.s, p, fx.cal, &l, n);
}

static int userprops(vpool *p, int *n)
{
    store_prop *l;
    return store_userprop_list(fx.s, p, fx.cal, fx.user, &l, n);
}

static int children(vpool *p, int *n)
{
    store_node *l;
    return store_node_children(fx.s, p, fx.cal, NULL, 1000, &l, n);
}

static int changes(vpool *p, int *n)
{
    store_change *l;
    return store_changes_since(fx.s, p, fx.cal, 0, 0, &l, n);
}

static int locks_covering(vpool *p, int *n)
{
    store_lock *l;
    return store_locks_covering(fx.s, p, "/calendars/h/cal/x.ics", &l, n);
}

static int locks_below(vpool *p, int *n)
{
    store_lock *l;
    return store_locks_below(fx.s, p, "/calendars/h", &l, n);
}

static int aces(vpool *p, int *n)
{
    store_ace *l;
    return store_aces_get(fx.s, p, fx.cal, &l, n);
}

static int members(vpool *p, int *n)
{
    int64_t *l;
    return store_group_members(fx.s, p, fx.group, &l, n);
}

static int groups(vpool *p, int *n)
{
    int64_t *l;
    return store_principal_groups(fx.s, p, fx.user, &l, n);
}

static int shares(vpool *p, int *n)
{
    store_share *l;
    return store_shares_of_node(fx.s, p, fx.cal, &l, n);
}

static int shared_below(vpool *p, int *n)
{
    int64_t *l;
    return store_shared_nodes_below(fx.s, p, fx.home, &l, n);
}

static int named(vpool *p, int *n)
{
    int64_t *l;
    return store_principals_named(fx.s, p, STORE_PRINCIPAL_GROUP, &l, n);
}

static int related(vpool *p, int *n)
{
    int64_t *l;
    return store_principals_related_list(fx.s, p, fx.user, 100, &l, n);
}

static int tr(vpool *p, int *n)
{
    int64_t *l;
    unsigned char *sure;
    return store_tr_query(fx.s, p, fx.cal, 0, 100000, &l, &sure, n);
}

/* A delete walks the ids its RETURNING clause gives and the time-range rows
 * of each: a failure anywhere fails the delete (rolled back after). */
static int delete_sub(vpool *p, int *n)
{
    int rc = store_begin_write(fx.s);
    if (rc == STORE_OK) rc = store_node_delete(fx.s, fx.sub);
    *n = 0;
    return rc;
}

static void test_store_lists(void)
{
    CHECK_INT(store_open(path, 1, 0, &fx.s), STORE_OK);
    store *s = fx.s;
    vpool *p = pool_new();
    store_principal u, g, o;
    CHECK_INT(store_principal_create(s, p, 1, STORE_PRINCIPAL_USER, NULL, &u), STORE_OK);
    CHECK_INT(store_principal_create(s, p, 2, STORE_PRINCIPAL_USER, NULL, &o), STORE_OK);
    fx.user = u.id;
    CHECK_INT(store_begin_write(s), STORE_OK);
    store_node n = {.parent = STORE_ROOT_CALENDARS,
                    .name = "h",
                    .kind = STORE_KIND_HOME_CALENDARS,
                    .owner = o.id};
    store_node made;
    CHECK_INT(store_node_create(s, p, &n, NULL, &made), STORE_OK);
    fx.home = made.id;
    n = (store_node){.parent = fx.home, .name = "cal", .kind = STORE_KIND_CALENDAR, .owner = o.id};
    CHECK_INT(store_node_create(s, p, &n, NULL, &made), STORE_OK);
    fx.cal = made.id;
    n = (store_node){.parent = fx.home, .name = "sub", .kind = STORE_KIND_CALENDAR, .owner = o.id};
    CHECK_INT(store_node_create(s, p, &n, NULL, &made), STORE_OK);
    fx.sub = made.id;
    store_ace acl[40];
    for (int i = 0; i < 40; i++) {
        char name[32], uid[32], xml[64];
        snprintf(name, sizeof name, "m%02d.ics", i);
        snprintf(uid, sizeof uid, "uid-%02d", i);
        store_content c = {.body = "x", .length = 1, .etag = "e", .uid = uid};
        n = (store_node){
            .parent = fx.cal, .name = name, .kind = STORE_KIND_RESOURCE, .owner = o.id};
        CHECK_INT(store_node_create(s, p, &n, &c, &made), STORE_OK);
        store_span sp = {60 * i, 60 * i + 3600, 1};
        CHECK_INT(store_tr_set(s, made.id, fx.cal, &sp, 1), STORE_OK);
        n.parent = fx.sub;
        if (i < 8) {
            CHECK_INT(store_node_create(s, p, &n, &c, &made), STORE_OK);
            CHECK_INT(store_tr_set(s, made.id, fx.sub, &sp, 1), STORE_OK);
        }
        snprintf(name, sizeof name, "p%02d", i);
        snprintf(xml, sizeof xml, "<p%02d xmlns=\"urn:x\"/>", i);
        CHECK_INT(store_prop_set(s, fx.cal, "urn:x", name, xml), STORE_OK);
        CHECK_INT(store_userprop_set(s, fx.cal, fx.user, "urn:x", name, xml), STORE_OK);
        char token[64], root[64];
        snprintf(token, sizeof token, "urn:uuid:%d", i);
        snprintf(root, sizeof root, i % 2 ? "/calendars/h/cal" : "/calendars/h/cal/x.ics");
        store_lock l = {.token = token,
                        .root = root,
                        .depth_infinity = 1,
                        .scope = STORE_LOCK_SHARED,
                        .principal = u.id};
        CHECK_INT(store_lock_create(s, &l), STORE_OK);
        snprintf(name, sizeof name, "group-%02d", i);
        CHECK_INT(store_principal_create_named(s, p, 0, STORE_PRINCIPAL_GROUP, NULL, name, &g),
                  STORE_OK);
        if (i == 0) fx.group = g.id;
        CHECK_INT(store_group_add_member(s, g.id, u.id), STORE_OK);
        CHECK_INT(store_group_add_member(s, fx.group, 1000 + i), STORE_OK);
        acl[i] = (store_ace){.who = STORE_ACE_PRINCIPAL, .principal = g.id, .grant = 1};
        store_share sh = {.node = fx.cal, .sharee = g.id, .access = 1, .uid = token};
        CHECK_INT(store_share_put(s, p, &sh, NULL), STORE_OK);
    }
    CHECK_INT(store_aces_replace(s, fx.cal, 0, acl, 40), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    pool_free(p);

    whole_or_error("store_prop_list", props, 40);
    whole_or_error("store_userprop_list", userprops, 40);
    whole_or_error("store_node_children", children, 40);
    whole_or_error("store_changes_since", changes, 40);
    whole_or_error("store_locks_covering", locks_covering, 40);
    whole_or_error("store_locks_below", locks_below, 40);
    whole_or_error("store_aces_get", aces, 40);
    whole_or_error("store_group_members", members, 41);
    whole_or_error("store_principal_groups", groups, 40);
    whole_or_error("store_shares_of_node", shares, 40);
    whole_or_error("store_shared_nodes_below", shared_below, 1);
    whole_or_error("store_principals_named", named, 40);
    whole_or_error("store_principals_related_list", related, 41);
    whole_or_error("store_tr_query", tr, 40);
    whole_or_error_then("store_node_delete", delete_sub, 0, rollback);
    store_close(fx.s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_collect);
    RUN(test_store_lists);
    static const char *const files[] = {"dav.db", "dav.db-wal", "dav.db-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s/%s", dir, files[i]);
        unlink(f);
    }
    rmdir(dir);
    return check_summary();
}

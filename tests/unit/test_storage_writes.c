/* What the store enforces on writes, whoever calls it: conditional writes
 * (STORE_CONFLICT).  Against real SQLite files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-writes-XXXXXX";
static char path[256];

/* Each test starts from an empty store. */
static void remove_store(void)
{
    static const char *const sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s%s", path, sfx[i]);
        unlink(f);
    }
}

static store *open_new(void)
{
    remove_store();
    store *s = NULL;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    return s;
}

static store *open_again(void)
{
    store *s = NULL;
    CHECK_INT(store_open(path, 0, 0, &s), STORE_OK);
    return s;
}

static int64_t mk(store *s, vpool *p, int64_t parent, const char *name, int kind, const char *uid,
                  const char *body)
{
    store_node n = {.parent = parent, .name = name, .kind = kind, .owner = 1};
    store_content c = {.body = body, .length = body ? strlen(body) : 0, .etag = body, .uid = uid};
    store_node out;
    int rc = store_node_create(s, p, &n, body ? &c : NULL, &out);
    CHECK_INT(rc, STORE_OK);
    return rc == STORE_OK ? out.id : 0;
}

static store_content content(const char *body, const char *uid)
{
    return (store_content){.body = body, .length = strlen(body), .etag = body, .uid = uid};
}

static const char *body_of(store *s, vpool *p, int64_t id)
{
    const char *d;
    size_t len;
    return store_body_get(s, p, id, &d, &len) == STORE_OK ? d : "(none)";
}

/* ---- conditional writes ------------------------------------------------------ */

static void test_conditional(void)
{
    store *s = open_new();
    vpool *p = pool_new();
    int64_t home = mk(s, p, STORE_ROOT_CALENDARS, "h", STORE_KIND_HOME_CALENDARS, NULL, NULL);
    int64_t cal = mk(s, p, home, "cal", STORE_KIND_CALENDAR, NULL, NULL);
    int64_t m = mk(s, p, cal, "m.ics", STORE_KIND_RESOURCE, "u1", "one");
    store_node read, now, col;
    CHECK_INT(store_node_get(s, p, m, &read), STORE_OK);

    /* the revision the caller read: the write happens */
    store_content two = content("two", "u1");
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &two, &now), STORE_OK);
    CHECK(now.revision > read.revision);
    CHECK_STR(body_of(s, p, m), "two");

    /* a stale one: STORE_CONFLICT and nothing changes, the collection's
     * revision and change log included */
    store_content three = content("three", "u1");
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    int64_t crev = col.revision;
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, read.revision), STORE_CONFLICT);
    CHECK_STR(body_of(s, p, m), "two");
    store_node after;
    CHECK_INT(store_node_get(s, p, m, &after), STORE_OK);
    CHECK_INT(after.revision, now.revision);
    CHECK_STR(after.etag, "two");
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    CHECK_INT(col.revision, crev);
    store_change *ch;
    int nc;
    CHECK_INT(store_changes_since(s, p, cal, crev - 1, 0, &ch, &nc), STORE_OK);
    CHECK_INT(nc, 1);

    /* inside the caller's transaction: the same, and the transaction goes on */
    CHECK_INT(store_begin_write(s), STORE_OK);
    CHECK_INT(store_node_update_if(s, p, m, read.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, read.revision), STORE_CONFLICT);
    CHECK_INT(store_node_update_if(s, p, m, now.revision, &three, &after), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
    CHECK_STR(body_of(s, p, m), "three");

    /* another connection wrote after this one read: a conflict */
    store *other = open_again();
    store_node seen;
    CHECK_INT(store_node_get(s, p, m, &seen), STORE_OK);
    store_content four = content("four", "u1");
    CHECK_INT(store_node_update(other, p, m, &four, NULL), STORE_OK);
    CHECK_INT(store_node_update_if(s, p, m, seen.revision, &three, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_CONFLICT);
    CHECK_STR(body_of(s, p, m), "four");
    store_close(other);

    /* a delete with the current revision; then the node is gone, which is a
     * change too */
    CHECK_INT(store_node_get(s, p, m, &seen), STORE_OK);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_OK);
    CHECK_INT(store_node_get(s, p, m, &after), STORE_NOTFOUND);
    CHECK_INT(store_node_update_if(s, p, m, seen.revision, &four, NULL), STORE_CONFLICT);
    CHECK_INT(store_node_delete_if(s, m, seen.revision), STORE_CONFLICT);
    CHECK_INT(store_node_get(s, p, m, &after), STORE_NOTFOUND);

    /* collections: their revision is their change counter */
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    mk(s, p, cal, "n.ics", STORE_KIND_RESOURCE, "u2", "x");
    CHECK_INT(store_node_delete_if(s, cal, col.revision), STORE_CONFLICT);
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_OK);
    CHECK_INT(store_node_delete_if(s, cal, col.revision), STORE_OK);
    CHECK_INT(store_node_get(s, p, cal, &col), STORE_NOTFOUND);
    CHECK_INT(store_integrity_check(s), STORE_OK);
    pool_free(p);
    store_close(s);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_conditional);
    remove_store();
    rmdir(dir);
    return check_summary();
}

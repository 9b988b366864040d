/* Removing a principal from the DAV store (storage/store_purge.c): every row
 * that is its own or names it goes, others' rows stay, a failure at any
 * point is an error with nothing half done, the change log forgets a name
 * with the sync floor raised, and a scrub leaves no deleted byte in the file
 * or its write-ahead log. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storage/store_internal.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-purge-XXXXXX";
static char path[256];

typedef struct fixture {
    store *s;
    vpool *p;
    store_principal a, b, group;
    int64_t a_cal, a_event, b_cal, b_event, b_home, binding;
} fixture;

static void remove_files(void)
{
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char f[300];
        snprintf(f, sizeof f, "%s%s", path, ext[i]);
        unlink(f);
    }
}

static int64_t mk(fixture *fx, int64_t parent, const char *name, int kind, int64_t owner,
                  const char *body)
{
    store_node n = {.parent = parent, .name = name, .kind = kind, .owner = owner};
    store_content c = {.body = body, .length = body ? strlen(body) : 0, .etag = "e"};
    store_node out;
    int rc = store_node_create(fx->s, fx->p, &n, body ? &c : NULL, &out);
    CHECK_INT(rc, STORE_OK);
    return rc == STORE_OK ? out.id : 0;
}

/* Two users, a and b, who have everything to do with each other: a's homes
 * and objects, b's calendar with a's ACE, share, binding, lock and per-user
 * value on it, a group both are in, b as a's write delegate. */
static void setup(fixture *fx)
{
    remove_files();
    memset(fx, 0, sizeof *fx);
    CHECK_INT(store_open(path, 1, 0, &fx->s), STORE_OK);
    fx->p = pool_new();
    store *s = fx->s;
    CHECK_INT(store_principal_create(s, fx->p, 1, STORE_PRINCIPAL_USER, "Ann Secret", &fx->a),
              STORE_OK);
    CHECK_INT(store_principal_create(s, fx->p, 2, STORE_PRINCIPAL_USER, "Bo", &fx->b), STORE_OK);
    CHECK_INT(store_principal_create_named(s, fx->p, 0, STORE_PRINCIPAL_GROUP, "G", "g",
                                           &fx->group),
              STORE_OK);
    CHECK_INT(store_begin_write(s), STORE_OK);
    int64_t homes[3];
    for (int i = 0; i < 3; i++)
        homes[i] = mk(fx, STORE_ROOT_FILES + i, fx->a.pid, STORE_KIND_HOME_FILES + i, fx->a.id,
                      NULL);
    fx->a_cal = mk(fx, homes[1], "secret-cal", STORE_KIND_CALENDAR, fx->a.id, NULL);
    fx->a_event = mk(fx, fx->a_cal, "secret-event.ics", STORE_KIND_RESOURCE, fx->a.id,
                     "BEGIN:VCALENDAR secret-body END:VCALENDAR");
    mk(fx, homes[0], "secret-file", STORE_KIND_RESOURCE, fx->a.id, "secret-file-body");
    CHECK_INT(store_prop_set(s, fx->a_cal, "urn:x", "note", "<x:note>secret-prop</x:note>"),
              STORE_OK);
    store_span span = {1000000, 1003600, 1};
    CHECK_INT(store_tr_set(s, fx->a_event, fx->a_cal, &span, 1), STORE_OK);
    fx->b_home = mk(fx, STORE_ROOT_CALENDARS, fx->b.pid, STORE_KIND_HOME_CALENDARS, fx->b.id,
                    NULL);
    fx->b_cal = mk(fx, fx->b_home, "bo-cal", STORE_KIND_CALENDAR, fx->b.id, NULL);
    fx->b_event = mk(fx, fx->b_cal, "bo.ics", STORE_KIND_RESOURCE, fx->b.id, "bo-body");
    /* b's view of a's calendar */
    fx->binding = mk(fx, fx->b_home, "secret-cal", STORE_KIND_BINDING, fx->b.id, NULL);
    CHECK_INT(store_node_set_target(s, fx->binding, fx->a_cal), STORE_OK);
    /* a is granted b's calendar (an ACE of the ACL method, and a share), and
     * so is a's write-delegation group */
    store_principal proxy;
    CHECK_INT(store_principal_by_pid(s, fx->p,
                                     pool_printf(fx->p, "%s/" STORE_PROXY_WRITE_SEGMENT, fx->a.pid),
                                     &proxy),
              STORE_OK);
    store_ace aces[2] = {{.node = fx->b_cal, .who = STORE_ACE_PRINCIPAL, .principal = fx->a.id,
                          .grant = 1},
                         {.node = fx->b_cal, .who = STORE_ACE_PRINCIPAL, .principal = proxy.id,
                          .grant = 1}};
    CHECK_INT(store_aces_replace(s, fx->b_cal, 0, aces, 2), STORE_OK);
    store_share sh = {.node = fx->b_cal, .sharee = fx->a.id, .access = 2, .state = 1,
                      .uid = "share-1", .summary = "secret-share"};
    CHECK_INT(store_share_put(s, fx->p, &sh, NULL), STORE_OK);
    CHECK_INT(store_group_add_member(s, fx->group.id, fx->a.id), STORE_OK);
    CHECK_INT(store_group_add_member(s, fx->group.id, fx->b.id), STORE_OK);
    CHECK_INT(store_group_add_member(s, proxy.id, fx->b.id), STORE_OK);
    CHECK_INT(store_userprop_set(s, fx->b_cal, fx->a.id, "urn:x", "c", "<x:c>secret-own</x:c>"),
              STORE_OK);
    store_lock on_b = {.token = "urn:uuid:l1", .root = pool_printf(fx->p, "/calendars/%s/bo-cal/bo.ics",
                                                                   fx->b.pid),
                       .scope = STORE_LOCK_EXCLUSIVE, .owner_xml = "secret-lock", .principal = fx->a.id};
    store_lock on_a = {.token = "urn:uuid:l2",
                       .root = pool_printf(fx->p, "/files/%s/secret-file", fx->a.pid),
                       .scope = STORE_LOCK_EXCLUSIVE, .principal = fx->b.id};
    CHECK_INT(store_lock_create(s, &on_b), STORE_OK);
    CHECK_INT(store_lock_create(s, &on_a), STORE_OK);
    /* an invitation each sent to someone outside, waiting in the mail queue */
    store_mail mail = {.owner = fx->a.id, .uid = "secret-uid", .cua = "mailto:x@out.example",
                       .sender = "secret@local.example", .recipient = "x@out.example",
                       .message = "secret-mail", .length = 11, .created = 1};
    CHECK_INT(store_mail_queue(s, &mail, 1, 100), STORE_OK);
    mail.owner = fx->b.id;
    mail.uid = mail.sender = mail.message = "bo-mail";
    mail.length = 7;
    CHECK_INT(store_mail_queue(s, &mail, 1, 100), STORE_OK);
    CHECK_INT(store_commit(s), STORE_OK);
}

static void teardown(fixture *fx)
{
    pool_free(fx->p);
    store_close(fx->s);
    remove_files();
}

static long long count(const char *q)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

/* Rows naming a (its id or its delegation groups' ids, or its pid). */
static long long naming_a(fixture *fx)
{
    const char *set = pool_printf(fx->p, "(SELECT %lld UNION SELECT id FROM principals WHERE "
                                         "owner=%lld)",
                                  (long long)fx->a.id, (long long)fx->a.id);
    const char *q = pool_printf(
        fx->p,
        "SELECT (SELECT count(*) FROM principals WHERE id IN %s OR pid LIKE '%s%%')"
        " + (SELECT count(*) FROM nodes WHERE owner=%lld OR name='%s' OR name LIKE 'secret%%')"
        " + (SELECT count(*) FROM aces WHERE principal IN %s)"
        " + (SELECT count(*) FROM shares WHERE sharee IN %s)"
        " + (SELECT count(*) FROM group_members WHERE group_id IN %s OR member IN %s)"
        " + (SELECT count(*) FROM user_props WHERE principal IN %s)"
        " + (SELECT count(*) FROM locks WHERE principal IN %s OR root LIKE '%%%s%%')"
        " + (SELECT count(*) FROM changes WHERE name='%s' OR name LIKE 'secret%%')"
        " + (SELECT count(*) FROM props WHERE xml LIKE '%%secret%%')"
        " + (SELECT count(*) FROM bodies WHERE CAST(data AS TEXT) LIKE '%%secret%%')"
        " + (SELECT count(*) FROM tr_index WHERE node=%lld)"
        " + (SELECT count(*) FROM mail_queue WHERE owner IN %s OR CAST(message AS TEXT) LIKE "
        "'%%secret%%')",
        set, fx->a.pid, (long long)fx->a.id, fx->a.pid, set, set, set, set, set, set, fx->a.pid,
        fx->a.pid, (long long)fx->a_event, set);
    return count(q);
}

static void test_everything_of_it_goes(void)
{
    fixture fx;
    setup(&fx);
    CHECK(naming_a(&fx) > 20);
    long long others = count("SELECT count(*) FROM nodes");
    CHECK_INT(store_begin_write(fx.s), STORE_OK);
    /* b's view of a's calendar goes, and the change-log row naming it */
    CHECK_INT(store_principal_delete(fx.s, fx.a.id), STORE_OK);
    CHECK_INT(store_commit(fx.s), STORE_OK);
    CHECK_INT(naming_a(&fx), 0);
    /* b keeps its own: home, calendar, event, its membership of the group */
    CHECK_INT(count("SELECT count(*) FROM nodes"), others - 7);
    store_node n;
    CHECK_INT(store_node_get(fx.s, fx.p, fx.b_event, &n), STORE_OK);
    CHECK_INT(store_node_get(fx.s, fx.p, fx.b_cal, &n), STORE_OK);
    CHECK_INT(n.has_acl, 0); /* its only ACEs named a */
    CHECK_INT(count("SELECT count(*) FROM group_members"), 1);
    CHECK_INT(count("SELECT count(*) FROM locks"), 0);
    CHECK_INT(count("SELECT count(*) FROM mail_queue"), 1); /* b's */
    store_principal gone;
    CHECK_INT(store_principal_by_id(fx.s, fx.p, fx.a.id, &gone), STORE_NOTFOUND);
    CHECK_INT(store_principal_delete(fx.s, fx.a.id), STORE_NOTFOUND);
    teardown(&fx);
}

/* A failure at any step of the removal is an error (never STORE_OK with
 * rows left), and rolled back it leaves everything as it was. */
static void test_all_or_nothing(void)
{
    fixture fx;
    setup(&fx);
    long long before = naming_a(&fx);
    CHECK_INT(store_begin_write(fx.s), STORE_OK);
    store_test_fail_after(fx.s, -1);
    CHECK_INT(store_principal_delete(fx.s, fx.a.id), STORE_OK);
    long total = store_test_fail_after(fx.s, -1);
    store_rollback(fx.s);
    CHECK(total > 100);
    int wrong = 0;
    for (long b = 0; b < total; b++) {
        CHECK_INT(store_begin_write(fx.s), STORE_OK);
        store_test_fail_after(fx.s, b);
        int rc = store_principal_delete(fx.s, fx.a.id);
        store_test_fail_after(fx.s, -1);
        store_rollback(fx.s);
        if (rc == STORE_OK) {
            if (!wrong) fprintf(stderr, "a failure after %ld of %ld checks gave STORE_OK\n", b, total);
            wrong++;
        }
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(naming_a(&fx), before);
    teardown(&fx);
}

static void test_change_forget(void)
{
    fixture fx;
    setup(&fx);
    CHECK_INT(store_begin_write(fx.s), STORE_OK);
    CHECK_INT(store_node_delete(fx.s, fx.binding), STORE_OK);
    CHECK_INT(store_change_forget(fx.s, fx.b_home, "secret-cal"), STORE_OK);
    CHECK_INT(store_commit(fx.s), STORE_OK);
    CHECK_INT(count(pool_printf(fx.p, "SELECT count(*) FROM changes WHERE collection=%lld AND "
                                      "name='secret-cal'", (long long)fx.b_home)),
              0);
    store_node home;
    int64_t floor = -1;
    CHECK_INT(store_node_get(fx.s, fx.p, fx.b_home, &home), STORE_OK);
    CHECK_INT(store_changes_floor(fx.s, fx.b_home, &floor), STORE_OK);
    CHECK_INT(floor, home.revision); /* every token from before is refused */
    store_change *ch;
    int n;
    CHECK_INT(store_changes_since(fx.s, fx.p, fx.b_home, 0, 0, &ch, &n), STORE_OK);
    for (int i = 0; i < n; i++) CHECK(strcmp(ch[i].name, "secret-cal") != 0);
    teardown(&fx);
}

static int file_holds(const char *file, const char *needle, long long *size)
{
    FILE *f = fopen(file, "rb");
    *size = 0;
    if (!f) return 0;
    size_t cap = 1 << 20, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) break;
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    *size = (long long)len;
    int found = buf && memmem(buf, len, needle, strlen(needle)) != NULL;
    free(buf);
    return found;
}

static void test_scrub(void)
{
    fixture fx;
    setup(&fx);
    CHECK_INT(store_begin_write(fx.s), STORE_OK);
    CHECK_INT(store_principal_delete(fx.s, fx.a.id), STORE_OK);
    CHECK_INT(store_commit(fx.s), STORE_OK);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    long long size;
    file_holds(wal, "secret", &size);
    CHECK(size > 0); /* the deletions are in the log, with the pages before them */
    CHECK_INT(store_begin_write(fx.s), STORE_OK);
    CHECK_INT(store_scrub(fx.s), STORE_ERROR); /* not inside a transaction */
    store_rollback(fx.s);
    CHECK_INT(store_scrub(fx.s), STORE_OK);
    CHECK(!file_holds(wal, "secret", &size));
    CHECK_INT(size, 0);
    CHECK(!file_holds(path, "secret", &size));
    CHECK(size > 0);
    CHECK(file_holds(path, "bo-body", &size)); /* what is not a's is all there */
    teardown(&fx);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/dav.db", dir);
    RUN(test_everything_of_it_goes);
    RUN(test_all_or_nothing);
    RUN(test_change_forget);
    RUN(test_scrub);
    remove_files();
    rmdir(dir);
    return check_summary();
}

/* The permission engine over a real store: owner, ordered grant/deny ACEs,
 * inheritance, groups, delegation and read-only app passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "privacy/acl.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-acl-XXXXXX";

static unsigned eval(store *s, vpool *p, int64_t who, int ro, const int64_t *groups, int ng,
                     int64_t owner, const int64_t *nodes, int nn, int calendar)
{
    priv_subject sub = {who, ro, groups, ng};
    priv_target t = {owner, 0, nodes, nn, calendar};
    return priv_evaluate(s, p, &sub, &t);
}

static void test_engine(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/dav.db", dir);
    store *s;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    vpool *p = pool_new();
    store_principal alice, bob, carol, family;
    CHECK_INT(store_principal_create(s, p, 1, STORE_PRINCIPAL_USER, "A", &alice), STORE_OK);
    CHECK_INT(store_principal_create(s, p, 2, STORE_PRINCIPAL_USER, "B", &bob), STORE_OK);
    CHECK_INT(store_principal_create(s, p, 3, STORE_PRINCIPAL_USER, "C", &carol), STORE_OK);
    CHECK_INT(store_principal_create_named(s, p, 0, STORE_PRINCIPAL_GROUP, "Family", "family",
                                           &family), STORE_OK);
    CHECK_INT(store_group_add_member(s, family.id, carol.id), STORE_OK);

    /* the owner holds everything; a stranger nothing; read-only strips writes */
    CHECK_INT(eval(s, p, alice.id, 0, NULL, 0, alice.id, NULL, 0, 0), PRIV_ALL);
    CHECK_INT(eval(s, p, bob.id, 0, NULL, 0, alice.id, NULL, 0, 0), 0);
    CHECK_INT(eval(s, p, alice.id, 1, NULL, 0, alice.id, NULL, 0, 0) & PRIV_WRITE, 0);
    CHECK(eval(s, p, alice.id, 1, NULL, 0, alice.id, NULL, 0, 0) & PRIV_READ);

    /* a parent collection grants the group read and denies bob; the child
     * grants bob write: first match per privilege wins, child before parent */
    int64_t parent = 100, child = 101;
    store_ace pa[] = {
        {.who = STORE_ACE_PRINCIPAL, .principal = bob.id, .deny = PRIV_READ_ALL},
        {.who = STORE_ACE_PRINCIPAL, .principal = family.id, .grant = PRIV_READ_ALL},
        {.who = STORE_ACE_AUTHENTICATED, .grant = PRIV_READ_FREE_BUSY},
    };
    CHECK_INT(store_aces_replace(s, parent, 0, pa, 3), STORE_OK);
    store_ace ca[] = {{.who = STORE_ACE_PRINCIPAL, .principal = bob.id,
                       .grant = PRIV_WRITE_CONTENT | PRIV_READ}};
    CHECK_INT(store_aces_replace(s, child, 0, ca, 1), STORE_OK);
    int64_t chain[] = {child, parent};
    int64_t *groups;
    int ng;
    CHECK_INT(store_principal_groups(s, p, carol.id, &groups, &ng), STORE_OK);
    CHECK_INT(ng, 1);
    CHECK_INT(eval(s, p, carol.id, 0, groups, ng, alice.id, chain, 2, 0), PRIV_READ_ALL);
    unsigned b = eval(s, p, bob.id, 0, NULL, 0, alice.id, chain, 2, 0);
    CHECK_INT(b, PRIV_WRITE_CONTENT | PRIV_READ); /* read-free-busy stays denied */
    CHECK_INT(eval(s, p, bob.id, 0, NULL, 0, alice.id, chain + 1, 1, 0), 0);
    /* any authenticated stranger gets only free-busy on the parent */
    CHECK_INT(eval(s, p, 999, 0, NULL, 0, alice.id, chain + 1, 1, 0), PRIV_READ_FREE_BUSY);

    /* share ACEs (source 1) stay in front when the ACL method replaces its own */
    store_ace share[] = {{.who = STORE_ACE_PRINCIPAL, .principal = carol.id, .grant = PRIV_WRITE}};
    CHECK_INT(store_aces_replace(s, parent, 1, share, 1), STORE_OK);
    store_ace *got;
    int n;
    CHECK_INT(store_aces_get(s, p, parent, &got, &n), STORE_OK);
    CHECK_INT(n, 4);
    CHECK_INT(got[0].source, 1);
    CHECK_INT(store_aces_replace(s, parent, 0, NULL, 0), STORE_OK);
    CHECK_INT(store_aces_get(s, p, parent, &got, &n), STORE_OK);
    CHECK_INT(n, 1);

    /* delegation: bob in alice's proxy-write group may write her calendars */
    store_principal pw;
    char pid[128];
    snprintf(pid, sizeof pid, "%s/%s", alice.pid, STORE_PROXY_WRITE_SEGMENT);
    CHECK_INT(store_principal_by_pid(s, p, pid, &pw), STORE_OK);
    CHECK_INT(pw.owner, alice.id);
    CHECK_INT(store_group_add_member(s, pw.id, bob.id), STORE_OK);
    CHECK_INT(store_principal_groups(s, p, bob.id, &groups, &ng), STORE_OK);
    b = eval(s, p, bob.id, 0, groups, ng, alice.id, NULL, 0, 1);
    CHECK((b & PRIV_WRITE) == PRIV_WRITE);
    CHECK(!(b & PRIV_WRITE_ACL));
    CHECK_INT(eval(s, p, bob.id, 0, groups, ng, alice.id, NULL, 0, 0), 0); /* files: no */
    int related = 0;
    CHECK_INT(store_principals_related(s, alice.id, bob.id, &related), STORE_OK);
    CHECK(related);
    CHECK_INT(store_principals_related(s, bob.id, carol.id, &related), STORE_OK);
    CHECK(!related);

    /* deleting a principal removes its proxy groups and memberships */
    CHECK_INT(store_principal_delete(s, alice.id), STORE_OK);
    CHECK_INT(store_principal_by_pid(s, p, pid, &pw), STORE_NOTFOUND);
    CHECK_INT(store_principal_groups(s, p, bob.id, &groups, &ng), STORE_OK);
    CHECK_INT(ng, 0);
    pool_free(p);
    store_close(s);
    char f[300];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(test_engine);
    rmdir(dir);
    return check_summary();
}

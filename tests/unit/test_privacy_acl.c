/* The permission engine over a real store: owner, ordered grant/deny ACEs,
 * inheritance, groups, delegation and read-only app passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "privacy/acl.h"
#include "privacy/authority.h"
#include "tests/unit/check.h"

static char dir[] = "/tmp/veil-acl-XXXXXX";

/* The store file and its WAL companions. */
static void remove_db(const char *path)
{
    char f[300];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

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
    remove_db(path);
}

/* The authority: actions decided on the right node, views that lend
 * nothing, chains of any length, and fail-closed defaults. */
static void test_authority(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/auth.db", dir);
    store *s;
    CHECK_INT(store_open(path, 1, 0, &s), STORE_OK);
    vpool *p = pool_new();
    store_principal alice, bob;
    CHECK_INT(store_principal_create(s, p, 11, STORE_PRINCIPAL_USER, "A", &alice), STORE_OK);
    CHECK_INT(store_principal_create(s, p, 12, STORE_PRINCIPAL_USER, "B", &bob), STORE_OK);
    priv_subject as_bob = {bob.id, 0, NULL, 0};
    priv_subject bob_ro = {bob.id, 1, NULL, 0};

    /* alice's calendar (node 200) shared read-write with bob by a share ACE;
     * her home (199) has no ACEs; bob's home (300) has his own grant of
     * everything to himself */
    store_ace share[] = {{.who = STORE_ACE_PRINCIPAL, .principal = bob.id,
                          .grant = PRIV_READ_ALL | PRIV_READ_CUPS | PRIV_WRITE}};
    CHECK_INT(store_aces_replace(s, 200, 1, share, 1), STORE_OK);
    store_ace mine[] = {{.who = STORE_ACE_PRINCIPAL, .principal = bob.id, .grant = PRIV_ALL}};
    CHECK_INT(store_aces_replace(s, 300, 0, mine, 1), STORE_OK);
    int64_t cal_chain[] = {200}, bob_home_chain[] = {300};
    priv_node cal = {alice.id, {cal_chain, 1, 1}, 1};
    priv_node alice_home = {alice.id, {NULL, 0, 1}, 1};
    priv_node bob_home = {bob.id, {bob_home_chain, 1, 1}, 1};

    /* the calendar at its own URL: bob writes members but may not remove it */
    priv_object at_own = {.kind = PRIV_OBJ_NODE, .node = cal, .has_parent = 1,
                          .parent = alice_home};
    priv_verdict v = priv_decide(s, p, &as_bob, &at_own, PRIV_ACT_REMOVE);
    CHECK(v.visible && !v.allowed && v.on_parent && v.missing == PRIV_UNBIND);
    CHECK(priv_decide(s, p, &as_bob, &at_own, PRIV_ACT_WRITE).allowed);
    v = priv_decide(s, p, &as_bob, &at_own, PRIV_ACT_WRITE_ACL);
    CHECK(!v.allowed && !v.on_parent && v.missing == PRIV_WRITE_ACL);

    /* through bob's view: his home's ACEs lend nothing to alice's calendar;
     * removing or renaming the view is his (unbind in his own home) */
    priv_node view = {bob.id, {bob_home_chain, 1, 1}, 1};
    priv_object via = {.kind = PRIV_OBJ_NODE, .node = cal, .via_view = 1, .view = view,
                       .has_parent = 1, .parent = bob_home};
    CHECK(!priv_decide(s, p, &as_bob, &via, PRIV_ACT_WRITE_ACL).allowed);
    CHECK(!(priv_current(s, p, &as_bob, &via) & PRIV_WRITE_ACL));
    CHECK(priv_decide(s, p, &as_bob, &via, PRIV_ACT_REMOVE).allowed);
    CHECK(priv_decide(s, p, &as_bob, &via, PRIV_ACT_VIEW_PROPS).allowed);
    /* ...but not with a read-only app password */
    v = priv_decide(s, p, &bob_ro, &via, PRIV_ACT_REMOVE);
    CHECK(v.visible && !v.allowed);
    CHECK(priv_decide(s, p, &bob_ro, &via, PRIV_ACT_SEE).allowed);

    /* a deny however far up the chain: 20 ACL-bearing ancestors */
    int64_t deep[21];
    for (int i = 0; i < 20; i++) {
        deep[i] = 400 + i;
        store_ace g = {.who = STORE_ACE_PRINCIPAL, .principal = bob.id, .grant = PRIV_READ_ALL};
        store_ace d = {.who = STORE_ACE_PRINCIPAL, .principal = bob.id, .deny = PRIV_READ_ALL};
        /* the nearest (index 0) denies, all the others grant */
        CHECK_INT(store_aces_replace(s, deep[i], 0, i == 0 ? &d : &g, 1), STORE_OK);
    }
    priv_object deep_obj = {.kind = PRIV_OBJ_NODE,
                            .node = {alice.id, {deep, 20, 1}, 0}};
    v = priv_decide(s, p, &as_bob, &deep_obj, PRIV_ACT_SEE);
    CHECK(!v.visible && !v.allowed);
    deep_obj.node.chain.ids = deep + 1; /* without the deny: readable */
    deep_obj.node.chain.n = 19;
    CHECK(priv_decide(s, p, &as_bob, &deep_obj, PRIV_ACT_SEE).allowed);

    /* fail closed: an unknown chain, an unknown action, no parent, nobody */
    priv_object unknown = {.kind = PRIV_OBJ_NODE, .node = {alice.id, {NULL, 0, 0}, 0}};
    CHECK(!priv_decide(s, p, &as_bob, &unknown, PRIV_ACT_SEE).visible);
    priv_subject owner = {alice.id, 0, NULL, 0};
    CHECK(!priv_decide(s, p, &owner, &unknown, PRIV_ACT_SEE).visible);
    CHECK(!priv_decide(s, p, &owner, &at_own, (priv_action)999).allowed);
    priv_object orphan = {.kind = PRIV_OBJ_NODE, .node = cal};
    CHECK(!priv_decide(s, p, &owner, &orphan, PRIV_ACT_REMOVE).allowed);
    priv_subject nobody = {0, 0, NULL, 0};
    CHECK(!priv_decide(s, p, &nobody, &at_own, PRIV_ACT_SEE).visible);
    priv_object unmapped = {.kind = PRIV_OBJ_UNMAPPED};
    CHECK(!priv_decide(s, p, &owner, &unmapped, PRIV_ACT_WRITE).visible);

    /* principals: self holds everything, a stranger nothing, a delegation
     * group is managed by its owner */
    priv_object pa = {.kind = PRIV_OBJ_PRINCIPAL, .principal = &alice};
    CHECK_INT(priv_current(s, p, &owner, &pa), PRIV_ALL);
    CHECK_INT(priv_current(s, p, &as_bob, &pa) & PRIV_WRITE_PROPERTIES, 0);
    store_principal pr;
    char pid[128];
    snprintf(pid, sizeof pid, "%s/%s", alice.pid, STORE_PROXY_READ_SEGMENT);
    CHECK_INT(store_principal_by_pid(s, p, pid, &pr), STORE_OK);
    priv_object proxy = {.kind = PRIV_OBJ_PRINCIPAL, .principal = &pr};
    CHECK(priv_decide(s, p, &owner, &proxy, PRIV_ACT_PROPS).allowed);
    CHECK(!priv_decide(s, p, &as_bob, &proxy, PRIV_ACT_PROPS).allowed);
    pool_free(p);
    store_close(s);
    remove_db(path);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(test_engine);
    RUN(test_authority);
    rmdir(dir);
    return check_summary();
}

/* Home provisioning: a principal's homes and default collections exist
 * before its first request is served. */
#include <pthread.h>

#include "common/log.h"
#include "dav/caldav.h"
#include "dav/carddav.h"
#include "dav/resource.h"

/* Principals whose homes were seen to exist: a small open-addressed set, so
 * the check costs three lookups once per principal per process. */
#define PROVISIONED_SLOTS 4096
static int64_t provisioned[PROVISIONED_SLOTS];
static pthread_mutex_t provisioned_lock = PTHREAD_MUTEX_INITIALIZER;

static int provisioned_has(int64_t id)
{
    pthread_mutex_lock(&provisioned_lock);
    int found = 0;
    for (unsigned i = 0, h = (unsigned)(id * 2654435761u) % PROVISIONED_SLOTS; i < 16;
         i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h] == id) {
            found = 1;
            break;
        }
        if (provisioned[h] == 0) break;
    }
    pthread_mutex_unlock(&provisioned_lock);
    return found;
}

static void provisioned_add(int64_t id)
{
    pthread_mutex_lock(&provisioned_lock);
    unsigned h = (unsigned)(id * 2654435761u) % PROVISIONED_SLOTS;
    for (unsigned i = 0; i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h] == 0 || provisioned[h] == id) {
            provisioned[h] = id;
            break;
        }
    }
    /* a full neighbourhood only means the check runs again next time */
    pthread_mutex_unlock(&provisioned_lock);
}

void dav_provision_forget(int64_t id)
{
    pthread_mutex_lock(&provisioned_lock);
    unsigned h = (unsigned)(id * 2654435761u) % PROVISIONED_SLOTS;
    for (unsigned i = 0; i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h] == 0) break;
        /* -1 keeps the probe chain of later entries intact */
        if (provisioned[h] == id) provisioned[h] = -1;
    }
    pthread_mutex_unlock(&provisioned_lock);
}

static const struct {
    int root;
    int kind;
} homes[] = {
    {STORE_ROOT_FILES, STORE_KIND_HOME_FILES},
    {STORE_ROOT_CALENDARS, STORE_KIND_HOME_CALENDARS},
    {STORE_ROOT_ADDRESSBOOKS, STORE_KIND_HOME_ADDRESSBOOKS},
};

static void now_provisioned(void *id)
{
    provisioned_add(*(int64_t *)id);
}

int dav_provision_homes(dav_ctx *c, const store_principal *p)
{
    if (provisioned_has(p->id)) return STORE_OK;
    int rc = STORE_OK;
    for (size_t i = 0; rc == STORE_OK && i < sizeof homes / sizeof homes[0]; i++) {
        store_node home;
        rc = store_node_child(c->st, c->pool, homes[i].root, p->pid, &home);
        if (rc == STORE_NOTFOUND) {
            store_node n = {.parent = homes[i].root, .name = p->pid, .kind = homes[i].kind,
                            .owner = p->id};
            rc = store_node_create(c->st, c->pool, &n, NULL, &home);
        }
        /* a new home comes with its default collections, and an existing one
         * gets back any it lost */
        if (rc == STORE_OK && homes[i].kind == STORE_KIND_HOME_CALENDARS)
            rc = caldav_provision_home(c, home.id, p->id);
        if (rc == STORE_OK && homes[i].kind == STORE_KIND_HOME_ADDRESSBOOKS)
            rc = carddav_provision_home(c, home.id, p->id);
    }
    if (rc != STORE_OK) return rc;
    /* the process remembers it only once it is committed */
    int64_t *id = pool_alloc(c->pool, sizeof(*id));
    if (!id) return STORE_ERROR;
    *id = p->id;
    return dav_after_commit(c, now_provisioned, id) == 0 ? STORE_OK : STORE_ERROR;
}

int dav_provision(dav_req *r)
{
    const store_principal *p = &r->session->principal;
    if (provisioned_has(p->id)) return 0;
    /* before the request's own work, in a transaction of its own */
    int rc = store_begin_write(r->st);
    if (rc == STORE_OK) rc = dav_provision_homes(&r->ctx, p);
    if (rc == STORE_OK) rc = store_commit(r->st);
    if (rc != STORE_OK) {
        log_error("provisioning homes failed: %s", store_errmsg(r->st));
        store_rollback(r->st);
        dav_ctx_rolled_back(&r->ctx);
        return dav_store_status(rc);
    }
    dav_ctx_committed(&r->ctx);
    return 0;
}

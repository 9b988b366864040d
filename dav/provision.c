/* Home provisioning: a principal's homes and default collections exist
 * before its first request is served. */
#include <pthread.h>
#include <stdint.h>

#include "common/log.h"
#include "dav/caldav.h"
#include "dav/carddav.h"
#include "dav/resource.h"

/* Principals whose homes were seen to exist: a small open-addressed set, so
 * the check costs three lookups once per principal per process.  An entry
 * holds the principal's id and a hash of its random pid: a principal removed
 * by another process (veildav user remove) may see its id given to a new
 * one, whose homes this entry must not vouch for. */
#define PROVISIONED_SLOTS 4096
static struct {
    int64_t id; /* 0 empty, -1 forgotten */
    uint64_t tag;
} provisioned[PROVISIONED_SLOTS];
static pthread_mutex_t provisioned_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t pid_tag(const char *pid)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *c = pid; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211u;
    return h;
}

static unsigned slot_of(int64_t id)
{
    return (unsigned)(id * 2654435761u) % PROVISIONED_SLOTS;
}

static int provisioned_has(const store_principal *p)
{
    uint64_t tag = pid_tag(p->pid);
    pthread_mutex_lock(&provisioned_lock);
    int found = 0;
    for (unsigned i = 0, h = slot_of(p->id); i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h].id == p->id) {
            found = provisioned[h].tag == tag;
            break;
        }
        if (provisioned[h].id == 0) break;
    }
    pthread_mutex_unlock(&provisioned_lock);
    return found;
}

static void provisioned_add(const store_principal *p)
{
    uint64_t tag = pid_tag(p->pid);
    pthread_mutex_lock(&provisioned_lock);
    unsigned h = slot_of(p->id);
    for (unsigned i = 0; i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h].id == 0 || provisioned[h].id == p->id) {
            provisioned[h].id = p->id;
            provisioned[h].tag = tag;
            break;
        }
    }
    /* a full neighbourhood only means the check runs again next time */
    pthread_mutex_unlock(&provisioned_lock);
}

void dav_provision_forget(int64_t id)
{
    pthread_mutex_lock(&provisioned_lock);
    unsigned h = slot_of(id);
    for (unsigned i = 0; i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS) {
        if (provisioned[h].id == 0) break;
        /* -1 keeps the probe chain of later entries intact */
        if (provisioned[h].id == id) provisioned[h].id = -1;
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

static void now_provisioned(void *p)
{
    provisioned_add(p);
}

int dav_provision_homes(dav_ctx *c, const store_principal *p)
{
    if (provisioned_has(p)) return STORE_OK;
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
    store_principal *copy = pool_alloc(c->pool, sizeof(*copy));
    if (!copy) return STORE_ERROR;
    *copy = *p;
    return dav_after_commit(c, now_provisioned, copy) == 0 ? STORE_OK : STORE_ERROR;
}

int dav_provision(dav_req *r)
{
    const store_principal *p = &r->session->principal;
    if (provisioned_has(p)) return 0;
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

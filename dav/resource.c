#include "dav/resource.h"

#include <pthread.h>
#include <string.h>

#include "common/log.h"
#include "dav/caldav.h"
#include "privacy/acl.h"

static const struct {
    const char *name;
    int root_id;
} spaces[] = {
    {"files", STORE_ROOT_FILES},
    {"calendars", STORE_ROOT_CALENDARS},
    {"addressbooks", STORE_ROOT_ADDRESSBOOKS},
};

int dav_store_status(int rc)
{
    return rc == STORE_BUSY ? 503 : 500;
}

static void build_paths(dav_req *r, const uri_path *p, int nseg, int collection,
                        dav_resource *out)
{
    vbuf path, href;
    buf_init(&path, 0);
    buf_init(&href, 0);
    for (int i = 0; i < nseg; i++) {
        buf_putc(&path, '/');
        buf_puts(&path, p->seg[i]);
        buf_putc(&href, '/');
        uri_encode_segment(&href, p->seg[i]);
    }
    if (nseg == 0) buf_putc(&path, '/');
    if (collection || nseg == 0) buf_putc(&href, '/');
    out->path = pool_memdup(r->pool, buf_cstr(&path), path.len);
    out->href = pool_memdup(r->pool, buf_cstr(&href), href.len);
    out->name = nseg ? p->seg[nseg - 1] : "";
    buf_free(&path);
    buf_free(&href);
}

const char *dav_principal_href(dav_req *r, const char *pid)
{
    return pool_printf(r->pool, "/principals/%s/", pid);
}

const char *dav_parent_href(dav_req *r, const char *href)
{
    size_t n = strlen(href);
    if (n && href[n - 1] == '/') n--;
    while (n && href[n - 1] != '/') n--;
    return pool_strndup(r->pool, href, n ? n : 1);
}

const char *dav_absolute_url(dav_req *r, const char *href)
{
    return pool_printf(r->pool, "%s%s", r->base_url ? r->base_url : "", href);
}

int dav_resolve(dav_req *r, const uri_path *p, dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->trailing_slash = p->trailing_slash;
    if (p->nseg == 0) {
        out->type = DAV_RES_ROOT;
        build_paths(r, p, 0, 1, out);
        return 0;
    }
    const char *pid = r->session ? r->session->principal.pid : NULL;
    if (strcmp(p->seg[0], "principals") == 0) {
        if (p->nseg == 1) {
            out->type = DAV_RES_PRINCIPALS;
            build_paths(r, p, 1, 1, out);
            return 0;
        }
        /* only the caller's own principal is visible (no enumeration) */
        if (p->nseg != 2 || !pid || strcmp(p->seg[1], pid) != 0) return 404;
        out->type = DAV_RES_PRINCIPAL;
        out->principal = r->session->principal;
        build_paths(r, p, 2, 1, out);
        return 0;
    }
    int root = 0;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (strcmp(p->seg[0], spaces[i].name) == 0) root = spaces[i].root_id;
    if (!root) return 404;
    out->space = root;
    /* Below a space root only the caller's own home exists as far as the
     * caller can tell: another principal's id and an unknown id both 404. */
    if (p->nseg >= 2 && (!pid || strcmp(p->seg[1], pid) != 0)) return 404;

    store_node cur;
    int rc = store_node_get(r->st, r->pool, root, &cur);
    if (rc != STORE_OK) return rc == STORE_NOTFOUND ? 404 : dav_store_status(rc);
    store_node parent = {0};
    int have_parent = 0;
    if (p->nseg >= 2) out->home_owner = r->session->principal.id;
    for (int i = 1; i < p->nseg; i++) {
        store_node child;
        rc = store_node_child(r->st, r->pool, cur.id, p->seg[i], &child);
        if (rc == STORE_NOTFOUND) {
            out->type = DAV_RES_UNMAPPED;
            if (i == p->nseg - 1) {
                out->has_parent = 1;
                out->parent = cur;
            }
            build_paths(r, p, p->nseg, p->trailing_slash, out);
            return 0;
        }
        if (rc != STORE_OK) return dav_store_status(rc);
        if (!store_kind_is_collection(child.kind) && i < p->nseg - 1) {
            /* a path through a non-collection: nothing can exist there */
            out->type = DAV_RES_UNMAPPED;
            build_paths(r, p, p->nseg, p->trailing_slash, out);
            return 0;
        }
        parent = cur;
        have_parent = 1;
        cur = child;
    }
    if (!store_kind_is_collection(cur.kind) && p->trailing_slash) {
        /* "/file/" names a collection that does not exist */
        out->type = DAV_RES_UNMAPPED;
        build_paths(r, p, p->nseg, 1, out);
        return 0;
    }
    out->type = DAV_RES_NODE;
    out->node = cur;
    out->has_parent = have_parent;
    out->parent = parent;
    build_paths(r, p, p->nseg, store_kind_is_collection(cur.kind), out);
    return 0;
}

int dav_resolve_raw(dav_req *r, const char *raw, dav_resource *out)
{
    uri_path p;
    if (uri_parse_path(r->pool, raw, &p) != URI_OK) return 400;
    return dav_resolve(r, &p, out);
}

void dav_child_resource(dav_req *r, const dav_resource *parent, const store_node *child,
                        dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DAV_RES_NODE;
    out->node = *child;
    out->space = parent->space ? parent->space : (int)child->id;
    out->has_parent = parent->type == DAV_RES_NODE;
    if (out->has_parent) out->parent = parent->node;
    out->name = child->name;
    int pl = (int)strlen(parent->path);
    out->path = pool_printf(r->pool, "%s%s%s", parent->path,
                            pl && parent->path[pl - 1] == '/' ? "" : "/", child->name);
    const char *enc = uri_encode_segment_pool(r->pool, child->name);
    out->href = pool_printf(r->pool, "%s%s%s", parent->href, enc,
                            store_kind_is_collection(child->kind) ? "/" : "");
}

int64_t dav_res_owner(const dav_resource *res)
{
    switch (res->type) {
    case DAV_RES_NODE:
        return res->node.owner;
    case DAV_RES_PRINCIPAL:
        return res->principal.id;
    case DAV_RES_UNMAPPED:
        return res->has_parent ? res->parent.owner : res->home_owner;
    default:
        return 0;
    }
}

unsigned dav_privileges(dav_req *r, const dav_resource *res)
{
    if (!r->session) return 0;
    priv_subject who = {r->session->principal.id, r->session->read_only};
    return priv_granted(&who, dav_res_owner(res));
}

/* ---- home provisioning ----------------------------------------------------- */

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

void dav_provision_forget(int64_t principal_id);
void dav_provision_forget(int64_t principal_id)
{
    pthread_mutex_lock(&provisioned_lock);
    unsigned h = (unsigned)(principal_id * 2654435761u) % PROVISIONED_SLOTS;
    for (unsigned i = 0; i < 16; i++, h = (h + 1) % PROVISIONED_SLOTS)
        if (provisioned[h] == principal_id) provisioned[h] = -1;
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

int dav_provision(dav_req *r)
{
    const store_principal *p = &r->session->principal;
    if (provisioned_has(p->id)) return 0;
    int rc = store_begin_write(r->st);
    if (rc != STORE_OK) return dav_store_status(rc);
    for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++) {
        rc = store_node_child(r->st, r->pool, homes[i].root, p->pid, NULL);
        if (rc == STORE_NOTFOUND) {
            store_node n = {.parent = homes[i].root, .name = p->pid, .kind = homes[i].kind,
                            .owner = p->id};
            store_node made;
            rc = store_node_create(r->st, r->pool, &n, NULL, &made);
            /* a new home comes with its default collections */
            if (rc == STORE_OK && homes[i].kind == STORE_KIND_HOME_CALENDARS)
                rc = caldav_provision_home(r, made.id, p->id);
        }
        if (rc != STORE_OK) break;
    }
    if (rc == STORE_OK) rc = store_commit(r->st);
    if (rc != STORE_OK) {
        log_error("provisioning homes failed: %s", store_errmsg(r->st));
        store_rollback(r->st);
        return dav_store_status(rc);
    }
    provisioned_add(p->id);
    return 0;
}

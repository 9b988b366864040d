#include "dav/resource.h"
#include "common/rand.h"

#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "common/log.h"
#include "dav/conditional.h"
#include "dav/xml_out.h"
#include "dav/caldav.h"
#include "dav/carddav.h"
#include "privacy/acl.h"
#include "storage/accounts.h"

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

int dav_principal_named(dav_req *r, const char *href, store_principal *out)
{
    if (strncasecmp(href, "mailto:", 7) == 0) {
        /* only an address its owner exposed names them; the same two lookups
         * run whether the address is exposed, hidden or unknown, so neither
         * the answer nor its timing tells them apart */
        int64_t owner_account = -1;
        int exposed =
            r->acct && accounts_exposed_owner(r->acct, href + 7, &owner_account) == STORE_OK;
        store_principal p;
        int rc = store_principal_by_account(r->st, r->pool, exposed ? owner_account : -1, &p);
        if (!exposed || rc != STORE_OK) return -1;
        *out = p;
        return 0;
    }
    if (strncasecmp(href, "urn:uuid:", 9) == 0) {
        /* 122 random bits, shown only to those who may read the principal:
         * like its URL, knowing it is the capability */
        unsigned char u[16];
        static const unsigned char none[16];
        if (uuid_parse(href + 9, u) != 0 || !memcmp(u, none, sizeof none)) return -1;
        return store_principal_by_uuid(r->st, r->pool, u, out) == STORE_OK ? 0 : -1;
    }
    const char *path = dav_href_path(href);
    /* a principal URL holds 130 random bits: knowing it is the capability,
     * so naming it reveals nothing that was not already known */
    dav_resource res;
    if (dav_resolve_raw(r, path, &res) != 0 || res.type != DAV_RES_PRINCIPAL) return -1;
    *out = res.principal;
    return 0;
}

const char *dav_node_href(dav_req *r, int64_t id)
{
    static const char *const roots[] = {"", "files", "calendars", "addressbooks"};
    const char *segs[URI_MAX_DEPTH];
    int n = 0, collection = 1;
    store_node node;
    while (n < URI_MAX_DEPTH && store_node_get(r->st, r->pool, id, &node) == STORE_OK) {
        if (n == 0) collection = store_kind_is_collection(node.kind);
        if (node.parent == 0) {
            segs[n++] = node.id <= 3 ? roots[node.id] : node.name;
            break;
        }
        segs[n++] = node.name;
        id = node.parent;
    }
    vbuf b;
    buf_init(&b, 0);
    for (int i = n - 1; i >= 0; i--) {
        buf_putc(&b, '/');
        uri_encode_segment(&b, segs[i]);
    }
    if (collection || b.len == 0) buf_putc(&b, '/');
    const char *out = pool_memdup(r->pool, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
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

static void note_acl(dav_resource *res, const store_node *n)
{
    if (n->has_acl && res->nacl < (int)(sizeof res->acl_nodes / sizeof res->acl_nodes[0])) {
        memmove(res->acl_nodes + 1, res->acl_nodes, sizeof(int64_t) * (size_t)res->nacl);
        res->acl_nodes[0] = n->id;
        res->nacl++;
    }
}

/* A binding stands for the collection it shows: that node's content,
 * members, owner and ACEs, under the sharee's name. */
static int follow_binding(dav_req *r, store_node *n, store_node *binding, int *has_binding)
{
    if (n->kind != STORE_KIND_BINDING) return 0;
    *binding = *n;
    *has_binding = 1;
    int rc = store_node_get(r->st, r->pool, n->target, n);
    if (rc == STORE_NOTFOUND) return 404; /* the owner deleted it */
    return rc == STORE_OK ? 0 : dav_store_status(rc);
}

/* Where a walk down a space path has got to. */
typedef struct walk {
    store_node cur, parent;
    int have_parent;
} walk;

#define WALK_DONE 1 /* walk_step: *out is final (an unmapped path) */

/* Steps from w->cur to its child p->seg[i]: 0 to go on, WALK_DONE, or an
 * HTTP status. */
static int walk_step(dav_req *r, const uri_path *p, int i, walk *w, dav_resource *out)
{
    store_node child;
    int rc = store_node_child(r->st, r->pool, w->cur.id, p->seg[i], &child);
    /* a notification is also reachable by its bare uid, without the
     * ".xml" of its name, as CalendarServer has it (clients delete an
     * invitation by the CS:uid they read in it) */
    if (rc == STORE_NOTFOUND && w->cur.kind == STORE_KIND_NOTIFICATIONS && i == p->nseg - 1 &&
        !strchr(p->seg[i], '.'))
        rc = store_node_child(r->st, r->pool, w->cur.id,
                              pool_printf(r->pool, "%s.xml", p->seg[i]), &child);
    /* no such home: exactly what someone else's home looks like */
    if (rc == STORE_NOTFOUND && i == 1) return 404;
    if (rc == STORE_NOTFOUND) {
        out->type = DAV_RES_UNMAPPED;
        if (i == p->nseg - 1) {
            out->has_parent = 1;
            out->parent = w->cur;
        }
        if (i > 1) out->home_owner = w->cur.owner;
        build_paths(r, p, p->nseg, p->trailing_slash, out);
        return WALK_DONE;
    }
    if (rc != STORE_OK) return dav_store_status(rc);
    if (i == 1) out->home_owner = child.owner;
    store_node binding;
    int bound = 0;
    rc = follow_binding(r, &child, &binding, &bound);
    if (rc) return rc;
    if (!store_kind_is_collection(child.kind) && i < p->nseg - 1) {
        /* a path through a non-collection: nothing can exist there */
        out->type = DAV_RES_UNMAPPED;
        build_paths(r, p, p->nseg, p->trailing_slash, out);
        return WALK_DONE;
    }
    note_acl(out, &child);
    w->parent = w->cur;
    w->have_parent = 1;
    w->cur = child;
    if (i == p->nseg - 1 && bound) {
        out->has_binding = 1;
        out->binding = binding;
    }
    return 0;
}

static int walk_finish(dav_req *r, const uri_path *p, walk *w, dav_resource *out)
{
    if (!store_kind_is_collection(w->cur.kind) && p->trailing_slash) {
        /* "/file/" names a collection that does not exist */
        out->type = DAV_RES_UNMAPPED;
        build_paths(r, p, p->nseg, 1, out);
        return 0;
    }
    out->type = DAV_RES_NODE;
    out->node = w->cur;
    out->has_parent = w->have_parent;
    out->parent = w->parent;
    build_paths(r, p, p->nseg, store_kind_is_collection(w->cur.kind), out);
    return 0;
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
    if (strcmp(p->seg[0], "principals") == 0) {
        if (p->nseg == 1) {
            out->type = DAV_RES_PRINCIPALS;
            build_paths(r, p, 1, 1, out);
            return 0;
        }
        /* /principals/<pid>/ and its proxy groups /principals/<pid>/calendar-proxy-xxx/ */
        const char *pid = p->seg[1];
        if (p->nseg == 3) {
            if (strcmp(p->seg[2], STORE_PROXY_READ_SEGMENT) != 0 &&
                strcmp(p->seg[2], STORE_PROXY_WRITE_SEGMENT) != 0)
                return 404;
            pid = pool_printf(r->pool, "%s/%s", p->seg[1], p->seg[2]);
        } else if (p->nseg != 2) {
            return 404;
        }
        int rc = store_principal_by_pid(r->st, r->pool, pid, &out->principal);
        if (rc != STORE_OK) return rc == STORE_NOTFOUND ? 404 : dav_store_status(rc);
        out->type = DAV_RES_PRINCIPAL;
        build_paths(r, p, p->nseg, 1, out);
        return 0;
    }
    int root = 0;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++)
        if (strcmp(p->seg[0], spaces[i].name) == 0) root = spaces[i].root_id;
    if (!root) return 404;
    out->space = root;

    walk w = {0};
    int rc = store_node_get(r->st, r->pool, root, &w.cur);
    if (rc != STORE_OK) return rc == STORE_NOTFOUND ? 404 : dav_store_status(rc);
    for (int i = 1; i < p->nseg; i++) {
        int st = walk_step(r, p, i, &w, out);
        if (st == WALK_DONE) return 0;
        if (st) return st;
    }
    return walk_finish(r, p, &w, out);
}

const char *dav_href_path(const char *href)
{
    const char *p = strstr(href, "://");
    if (!p) return href;
    p = strchr(p + 3, '/');
    return p ? p : "/";
}

int dav_resolve_raw(dav_req *r, const char *raw, dav_resource *out)
{
    uri_path p;
    if (uri_parse_path(r->pool, raw, &p) != URI_OK) return 400;
    return dav_resolve(r, &p, out);
}

/* The walk down a path's parent is what every member of one collection
 * shares: remembered once, each further member is one child lookup. */
int dav_resolve_member(dav_req *r, dav_resolve_memo *m, const char *raw, dav_resource *out)
{
    uri_path p;
    if (uri_parse_path(r->pool, raw, &p) != URI_OK) return 400;
    int space = p.nseg >= 3 && strcmp(p.seg[0], "principals") != 0;
    int same = space && m->valid && m->nseg == p.nseg - 1;
    for (int i = 0; same && i < m->nseg; i++) same = strcmp(m->seg[i], p.seg[i]) == 0;
    if (!same) {
        m->valid = 0;
        if (!space) return dav_resolve(r, &p, out);
        /* the parent's walk, then the last step as dav_resolve takes it */
        uri_path parent = {p.seg, p.nseg - 1, 1};
        dav_resource at;
        int st = dav_resolve(r, &parent, &at);
        /* (a binding was followed like any step: at.node is what it shows) */
        if (st || at.type != DAV_RES_NODE || !store_kind_is_collection(at.node.kind))
            return dav_resolve(r, &p, out);
        m->seg = p.seg;
        m->nseg = p.nseg - 1;
        m->at = at;
        m->valid = 1;
    }
    /* dav_resolve's state after the walk to the parent: its ACL nodes,
     * space and home owner; the last step and the finish as there */
    memset(out, 0, sizeof(*out));
    out->trailing_slash = p.trailing_slash;
    out->space = m->at.space;
    out->home_owner = m->at.home_owner;
    memcpy(out->acl_nodes, m->at.acl_nodes, sizeof out->acl_nodes);
    out->nacl = m->at.nacl;
    walk w = {m->at.node, m->at.parent, m->at.has_parent};
    int st = walk_step(r, &p, p.nseg - 1, &w, out);
    if (st == WALK_DONE) return 0;
    if (st) return st;
    return walk_finish(r, &p, &w, out);
}

void dav_child_resource(dav_req *r, const dav_resource *parent, const store_node *child,
                        dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DAV_RES_NODE;
    out->node = *child;
    memcpy(out->acl_nodes, parent->acl_nodes, sizeof out->acl_nodes);
    out->nacl = parent->nacl;
    out->home_owner = parent->home_owner ? parent->home_owner : child->owner;
    if (follow_binding(r, &out->node, &out->binding, &out->has_binding) != 0) {
        /* a binding whose collection is gone shows as an empty collection */
        out->node = *child;
        out->node.kind = STORE_KIND_COLLECTION;
        out->has_binding = 0;
    }
    note_acl(out, &out->node);
    out->space = parent->space ? parent->space : (int)child->id;
    out->has_parent = parent->type == DAV_RES_NODE;
    if (out->has_parent) out->parent = parent->node;
    out->name = child->name;
    out->node.name = child->name; /* a binding keeps the sharee's name */
    int pl = (int)strlen(parent->path);
    out->path = pool_concat(r->pool, parent->path,
                            pl && parent->path[pl - 1] == '/' ? "" : "/", child->name);
    const char *enc = uri_encode_segment_pool(r->pool, child->name);
    out->href = pool_concat(r->pool, parent->href, enc ? enc : "",
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
        return res->has_parent && res->parent.kind != STORE_KIND_SPACE_ROOT ? res->parent.owner
                                                                             : res->home_owner;
    default:
        return 0;
    }
}

static void load_groups(dav_req *r)
{
    if (r->groups_loaded) return;
    r->groups_loaded = 1;
    int64_t *g = NULL;
    int n = 0;
    if (r->session && store_principal_groups(r->st, r->pool, r->session->principal.id, &g, &n) ==
                          STORE_OK) {
        r->groups = g;
        r->ngroups = n;
    }
}

/* Principals see themselves, the groups they are in and the principals
 * they have a relationship with (shares, grants, delegation, groups);
 * everyone else does not exist for them.  Resources and rooms are public. */
static unsigned principal_privileges(dav_req *r, const dav_resource *res)
{
    const store_principal *p = &res->principal;
    int64_t me = r->session ? r->session->principal.id : 0;
    if (!me) return 0;
    unsigned readonly = PRIV_READ | PRIV_READ_CUPS;
    if (p->id == me) return PRIV_ALL & ~(r->session->read_only ? PRIV_MODIFYING : 0u);
    if (p->kind == STORE_PRINCIPAL_PROXY_READ || p->kind == STORE_PRINCIPAL_PROXY_WRITE) {
        /* the user manages their delegates (PROPPATCH of group-member-set) */
        if (p->owner == me) return PRIV_ALL & ~(r->session->read_only ? PRIV_MODIFYING : 0u);
    }
    if (p->kind == STORE_PRINCIPAL_RESOURCE || p->kind == STORE_PRINCIPAL_ROOM) return readonly;
    load_groups(r);
    for (int i = 0; i < r->ngroups; i++)
        if (r->groups[i] == p->id) return readonly;
    int related = 0;
    int64_t other = p->owner ? p->owner : p->id;
    if (store_principals_related(r->st, me, other, &related) != STORE_OK) return 0;
    return related ? readonly : 0;
}

unsigned dav_privileges(dav_req *r, const dav_resource *res)
{
    if (!r->session) return 0;
    if (res->type == DAV_RES_PRINCIPAL) return principal_privileges(r, res);
    load_groups(r);
    priv_subject who = {r->session->principal.id, r->session->read_only, r->groups, r->ngroups};
    priv_target what = {0};
    what.owner = dav_res_owner(res);
    what.acl_nodes = res->acl_nodes;
    what.nacl = res->nacl;
    what.calendar_space = res->space == STORE_ROOT_CALENDARS;
    return priv_evaluate(r->st, r->pool, &who, &what);
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

int dav_provision(dav_req *r)
{
    const store_principal *p = &r->session->principal;
    if (provisioned_has(p->id)) return 0;
    int rc = store_begin_write(r->st);
    if (rc != STORE_OK) return dav_store_status(rc);
    for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++) {
        store_node home;
        rc = store_node_child(r->st, r->pool, homes[i].root, p->pid, &home);
        if (rc == STORE_OK) {
            /* an existing home gets back any default collection it lost */
            if (homes[i].kind == STORE_KIND_HOME_CALENDARS)
                rc = caldav_provision_home(r, home.id, p->id);
            if (homes[i].kind == STORE_KIND_HOME_ADDRESSBOOKS)
                rc = carddav_provision_home(r, home.id, p->id);
        } else if (rc == STORE_NOTFOUND) {
            store_node n = {.parent = homes[i].root, .name = p->pid, .kind = homes[i].kind,
                            .owner = p->id};
            store_node made;
            rc = store_node_create(r->st, r->pool, &n, NULL, &made);
            /* a new home comes with its default collections */
            if (rc == STORE_OK && homes[i].kind == STORE_KIND_HOME_CALENDARS)
                rc = caldav_provision_home(r, made.id, p->id);
            if (rc == STORE_OK && homes[i].kind == STORE_KIND_HOME_ADDRESSBOOKS)
                rc = carddav_provision_home(r, made.id, p->id);
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

int dav_need_privilege(dav_req *r, const dav_resource *res, unsigned bits)
{
    /* RFC 3744 §7.1.1: name the resource and the (smallest) missing privilege */
    const char *ns = "DAV:", *name = "write";
    int best = -1;
    for (int i = 0; i < priv_names_count; i++) {
        unsigned b = priv_names[i].bits;
        if ((b & bits) == bits && (best < 0 || __builtin_popcount(b) <
                                                   __builtin_popcount(priv_names[best].bits)))
            best = i;
    }
    if (best >= 0) {
        ns = priv_names[best].ns;
        name = priv_names[best].name;
    }
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, "<D:resource><D:href>");
    xml_text(&b, res->href);
    buf_puts(&b, "</D:href><D:privilege>");
    xml_empty(&b, ns, name);
    buf_puts(&b, "</D:privilege></D:resource>");
    const char *inner = pool_memdup(r->pool, buf_cstr(&b), b.len);
    buf_free(&b);
    return dav_error_inner(r, 403, NS_DAV, "need-privileges", inner);
}

void dav_parent_resource(dav_req *r, const dav_resource *res, dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DAV_RES_NODE;
    out->node = res->parent;
    out->space = res->space;
    out->home_owner = res->home_owner;
    out->href = dav_parent_href(r, res->href);
    out->path = dav_parent_path(r, res->path);
    /* the ancestors' ACEs; the resource's own do not apply to its parent */
    int skip = res->type == DAV_RES_NODE && res->nacl && res->acl_nodes[0] == res->node.id;
    for (int i = skip; i < res->nacl; i++) out->acl_nodes[out->nacl++] = res->acl_nodes[i];
}

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
    switch (rc) {
    case STORE_BUSY:
        return 503;
    case STORE_CONFLICT:
        /* the row changed since it was read: the precondition the client
         * wrote against no longer holds (RFC 9110 §13.1) */
        return 412;
    case STORE_FULL:
    case STORE_IOERR:
        /* RFC 4918 §11.5: the server is unable to store what the request
         * needs; the change is rolled back, and reads go on */
        return 507;
    default:
        return 500;
    }
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

const char *dav_principal_href(dav_ctx *c, const char *pid)
{
    return pool_printf(c->pool, "/principals/%s/", pid);
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

const char *dav_node_href(dav_ctx *c, int64_t id)
{
    static const char *const roots[] = {"", "files", "calendars", "addressbooks"};
    const char *segs[URI_MAX_DEPTH];
    int n = 0, collection = 1;
    store_node node;
    while (n < URI_MAX_DEPTH && store_node_get(c->st, c->pool, id, &node) == STORE_OK) {
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
    const char *out = pool_memdup(c->pool, buf_cstr(&b), b.len);
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

/* ---- chains: what the authority decides on ---------------------------------- */

static const priv_chain unknown_chain = {NULL, 0, 0};

/* base with n in front when n carries ACEs (a new pool array: chains are
 * shared between resources, never changed in place).  Out of memory gives an
 * unknown chain, which grants nothing. */
static priv_chain chain_with(vpool *pool, priv_chain base, const store_node *n)
{
    if (!n->has_acl || !base.known) return base;
    int64_t *ids = pool_alloc(pool, sizeof(int64_t) * (size_t)(base.n + 1));
    if (!ids) return unknown_chain;
    ids[0] = n->id;
    if (base.n) memcpy(ids + 1, base.ids, sizeof(int64_t) * (size_t)base.n);
    return (priv_chain){ids, base.n + 1, 1};
}

/* The chain and the own path of a node, read up through its real ancestors
 * (a binding's collection: its owner's home, not the sharee's).  0, or an
 * HTTP status: a store error or a tree deeper than any path is an error,
 * never a shorter chain. */
static int node_ancestry(dav_req *r, const store_node *n, priv_chain *chain, const char **canon)
{
    static const char *const roots[] = {"", "files", "calendars", "addressbooks"};
    enum { MAX_UP = 2 * URI_MAX_DEPTH };
    int64_t acl[MAX_UP];
    const char *segs[MAX_UP];
    int nacl = 0, nseg = 0;
    store_node cur = *n;
    for (;;) {
        if (nseg == MAX_UP) return 500;
        if (cur.has_acl) acl[nacl++] = cur.id;
        if (cur.parent == 0) {
            segs[nseg++] = cur.id >= 1 && cur.id <= 3 ? roots[cur.id] : cur.name;
            break;
        }
        segs[nseg++] = cur.name;
        int rc = store_node_get(r->st, r->pool, cur.parent, &cur);
        if (rc != STORE_OK) return rc == STORE_NOTFOUND ? 500 : dav_store_status(rc);
    }
    int64_t *ids = pool_alloc(r->pool, sizeof(int64_t) * (size_t)(nacl ? nacl : 1));
    if (!ids) return 500;
    memcpy(ids, acl, sizeof(int64_t) * (size_t)nacl);
    *chain = (priv_chain){ids, nacl, 1};
    vbuf b;
    buf_init(&b, 0);
    for (int i = nseg - 1; i >= 0; i--) {
        buf_putc(&b, '/');
        buf_puts(&b, segs[i]);
    }
    *canon = pool_memdup(r->pool, buf_cstr(&b), b.len);
    buf_free(&b);
    return *canon ? 0 : 500;
}

/* A binding stands for the collection it shows: that node's content,
 * members, owner and chain, under the sharee's name. */
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
    priv_chain chain, parent_chain; /* of cur and of its parent */
    /* the own path of the first base_seg segments is base_canon: the
     * request path until a binding is crossed, the shown collection's own
     * path after it */
    const char *base_canon;
    int base_seg;
} walk;

/* The own path (through owners' homes) of the first n segments of p. */
static const char *canon_upto(dav_req *r, const uri_path *p, const walk *w, int n)
{
    if (n == 0) return "/";
    vbuf b;
    buf_init(&b, 0);
    buf_puts(&b, w->base_canon);
    for (int i = w->base_seg; i < n; i++) {
        buf_putc(&b, '/');
        buf_puts(&b, p->seg[i]);
    }
    const char *out = pool_memdup(r->pool, buf_cstr(&b), b.len);
    buf_free(&b);
    return out;
}

#define WALK_DONE 1 /* walk_step: *out is final (an unmapped path) */

/* An unmapped URL below w->cur (its parent when direct). */
static int walk_unmapped(dav_req *r, const uri_path *p, int i, walk *w, int direct,
                         dav_resource *out)
{
    out->type = DAV_RES_UNMAPPED;
    if (direct) {
        out->has_parent = 1;
        out->parent = w->cur;
    }
    /* the nearest existing ancestor decides who may know about it */
    out->parent_chain = w->chain;
    if (i > 1) out->home_owner = w->cur.owner;
    out->canon = canon_upto(r, p, w, p->nseg);
    build_paths(r, p, p->nseg, p->trailing_slash, out);
    return out->canon ? WALK_DONE : 500;
}

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
    if (rc == STORE_NOTFOUND) return walk_unmapped(r, p, i, w, i == p->nseg - 1, out);
    if (rc != STORE_OK) return dav_store_status(rc);
    if (i == 1) out->home_owner = child.owner;
    store_node binding;
    int bound = 0;
    rc = follow_binding(r, &child, &binding, &bound);
    if (rc) return rc;
    if (!store_kind_is_collection(child.kind) && i < p->nseg - 1)
        /* a path through a non-collection: nothing can exist there */
        return walk_unmapped(r, p, i, w, 0, out);
    w->parent_chain = w->chain;
    if (bound) {
        /* from here on the chain and the path are the shown collection's
         * own: the sharee's home lends it nothing */
        if (i == p->nseg - 1) {
            out->has_binding = 1;
            out->binding = binding;
            out->view_canon = canon_upto(r, p, w, i + 1);
            if (!out->view_canon) return 500;
        }
        int st = node_ancestry(r, &child, &w->chain, &w->base_canon);
        if (st) return st;
        w->base_seg = i + 1;
    } else {
        w->chain = chain_with(r->pool, w->chain, &child);
    }
    w->parent = w->cur;
    w->have_parent = 1;
    w->cur = child;
    return 0;
}

static int walk_finish(dav_req *r, const uri_path *p, walk *w, dav_resource *out)
{
    if (!store_kind_is_collection(w->cur.kind) && p->trailing_slash) {
        /* "/file/" names a collection that does not exist */
        out->type = DAV_RES_UNMAPPED;
        out->parent_chain = w->parent_chain;
        out->canon = canon_upto(r, p, w, p->nseg);
        build_paths(r, p, p->nseg, 1, out);
        return out->canon ? 0 : 500;
    }
    out->type = DAV_RES_NODE;
    out->node = w->cur;
    out->has_parent = w->have_parent;
    out->parent = w->parent;
    out->chain = w->chain;
    out->parent_chain = w->have_parent ? w->parent_chain : unknown_chain;
    out->canon = canon_upto(r, p, w, p->nseg);
    build_paths(r, p, p->nseg, store_kind_is_collection(w->cur.kind), out);
    return out->canon ? 0 : 500;
}

int dav_resolve(dav_req *r, const uri_path *p, dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->trailing_slash = p->trailing_slash;
    if (p->nseg == 0) {
        out->type = DAV_RES_ROOT;
        out->canon = "/";
        build_paths(r, p, 0, 1, out);
        return 0;
    }
    if (strcmp(p->seg[0], "principals") == 0) {
        if (p->nseg == 1) {
            out->type = DAV_RES_PRINCIPALS;
            out->canon = "/principals";
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
        out->canon = out->path;
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
    w.chain = chain_with(r->pool, (priv_chain){NULL, 0, 1}, &w.cur);
    w.parent_chain = unknown_chain;
    w.base_canon = "";
    w.base_seg = 0;
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
    /* dav_resolve's state after the walk to the parent: its chains, own
     * path, space and home owner; the last step and the finish as there */
    memset(out, 0, sizeof(*out));
    out->trailing_slash = p.trailing_slash;
    out->space = m->at.space;
    out->home_owner = m->at.home_owner;
    walk w = {m->at.node, m->at.parent, m->at.has_parent, m->at.chain, m->at.parent_chain,
              m->at.canon, p.nseg - 1};
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
    out->home_owner = parent->home_owner ? parent->home_owner : child->owner;
    const char *own = pool_concat(r->pool, parent->canon,
                                  strcmp(parent->canon, "/") ? "/" : "", child->name);
    out->canon = own;
    out->parent_chain = parent->chain;
    if (follow_binding(r, &out->node, &out->binding, &out->has_binding) != 0) {
        /* a binding whose collection is gone shows as an empty collection */
        out->node = *child;
        out->node.kind = STORE_KIND_COLLECTION;
        out->has_binding = 0;
        out->chain = chain_with(r->pool, parent->chain, child);
    } else if (out->has_binding) {
        out->view_canon = own;
        if (node_ancestry(r, &out->node, &out->chain, &out->canon) != 0) {
            /* fail closed: a view whose chain cannot be read grants nothing */
            out->chain = unknown_chain;
            out->canon = own;
        }
    } else {
        out->chain = chain_with(r->pool, parent->chain, child);
    }
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

void dav_parent_resource(dav_req *r, const dav_resource *res, dav_resource *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DAV_RES_NODE;
    out->node = res->parent;
    out->space = res->space;
    out->home_owner = res->home_owner;
    out->href = dav_parent_href(r, res->href);
    out->path = dav_parent_path(r, res->path);
    /* the parent's own chain; its parent's is not known here (nothing that
     * needs it is granted on it) */
    out->chain = res->parent_chain;
    out->parent_chain = unknown_chain;
    out->canon = dav_parent_path(r, res->has_binding ? res->view_canon : res->canon);
}

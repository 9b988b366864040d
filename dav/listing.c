#include "dav/listing.h"

#include <string.h>

#include "dav/resource.h"

void dav_resource_copy(vpool *pool, const dav_resource *src, dav_resource *dst)
{
    *dst = *src;
    dst->path = pool_strdup(pool, src->path);
    dst->href = pool_strdup(pool, src->href);
    dst->name = pool_strdup(pool, src->name);
    store_node *nodes[3] = {&dst->node, &dst->parent, &dst->binding};
    for (int i = 0; i < 3; i++) {
        store_node *n = nodes[i];
        n->name = pool_strdup(pool, n->name);
        n->etag = pool_strdup(pool, n->etag);
        n->content_type = pool_strdup(pool, n->content_type);
        n->content_language = pool_strdup(pool, n->content_language);
        n->uid = pool_strdup(pool, n->uid);
        n->component = pool_strdup(pool, n->component);
    }
    dst->principal.displayname = pool_strdup(pool, src->principal.displayname);
    dst->canon = pool_strdup(pool, src->canon);
    dst->view_canon = pool_strdup(pool, src->view_canon);
    priv_chain *chains[2] = {&dst->chain, &dst->parent_chain};
    for (int i = 0; i < 2; i++) {
        priv_chain *c = chains[i];
        if (!c->n) continue;
        int64_t *ids = pool_alloc(pool, sizeof(int64_t) * (size_t)c->n);
        if (ids) memcpy(ids, c->ids, sizeof(int64_t) * (size_t)c->n);
        else c->known = 0; /* out of memory: a chain that grants nothing */
        c->ids = ids;
    }
}

static int virtual_children(dav_req *r, const char *const *paths, int count, dav_resource **out,
                            int *n)
{
    dav_resource *arr = pool_calloc(r->pool, sizeof(*arr) * (size_t)count);
    if (!arr) return 500;
    int k = 0;
    for (int i = 0; i < count; i++) {
        if (!paths[i]) continue;
        int st = dav_resolve_raw(r, paths[i], &arr[k]);
        if (st == 0 && arr[k].type != DAV_RES_UNMAPPED) k++;
    }
    *out = arr;
    *n = k;
    return 0;
}

int dav_list_children(dav_req *r, const dav_resource *parent, const char *after, int limit,
                      dav_resource **out, int *n, const char **next)
{
    *next = NULL;
    *n = 0;
    const char *pid = r->session ? r->session->principal.pid : NULL;
    if (parent->type == DAV_RES_ROOT) {
        if (after) return 0;
        static const char *const top[] = {"/principals/", "/calendars/", "/addressbooks/",
                                          "/files/"};
        return virtual_children(r, top, 4, out, n);
    }
    if (parent->type == DAV_RES_PRINCIPALS) {
        /* the caller, their groups and the principals they are related to
         * (shares, grants, delegation, groups): never a directory of users */
        if (after || !pid) return 0;
        int64_t me = r->session->principal.id, *rel = NULL, *grp = NULL;
        int nrel = 0, ngrp = 0;
        int rc = store_principals_related_list(r->st, r->pool, me, 500, &rel, &nrel);
        if (rc == STORE_OK) rc = store_principal_groups(r->st, r->pool, me, &grp, &ngrp);
        if (rc != STORE_OK) return dav_store_status(rc);
        const char **paths = pool_alloc(r->pool, sizeof(char *) * (size_t)(1 + nrel + ngrp));
        if (!paths) return 500;
        int k = 0;
        paths[k++] = dav_principal_href(&r->ctx, pid);
        for (int i = 0; i < nrel + ngrp; i++) {
            store_principal p;
            int64_t id = i < nrel ? rel[i] : grp[i - nrel];
            int dup = 0;
            for (int j = 0; j < i && !dup; j++) dup = (j < nrel ? rel[j] : grp[j - nrel]) == id;
            if (!dup && store_principal_by_id(r->st, r->pool, id, &p) == STORE_OK &&
                p.kind != STORE_PRINCIPAL_PROXY_READ && p.kind != STORE_PRINCIPAL_PROXY_WRITE)
                paths[k++] = dav_principal_href(&r->ctx, p.pid);
        }
        return virtual_children(r, paths, k, out, n);
    }
    if (parent->type == DAV_RES_PRINCIPAL) {
        /* a user's two delegation groups, listed to the user who manages them */
        const store_principal *p = &parent->principal;
        if (after || p->kind != STORE_PRINCIPAL_USER || !r->session ||
            r->session->principal.id != p->id)
            return 0;
        const char *groups[] = {pool_printf(r->pool, "%s" STORE_PROXY_READ_SEGMENT "/", parent->href),
                                pool_printf(r->pool, "%s" STORE_PROXY_WRITE_SEGMENT "/", parent->href)};
        return virtual_children(r, groups, 2, out, n);
    }
    if (parent->type != DAV_RES_NODE || !store_kind_is_collection(parent->node.kind)) return 0;
    if (parent->node.kind == STORE_KIND_SPACE_ROOT) {
        /* only the caller's own home: listing a space never enumerates users */
        if (after || !pid) return 0;
        const char *mine[] = {pool_printf(r->pool, "%s%s/", parent->href, pid)};
        return virtual_children(r, mine, 1, out, n);
    }
    store_node *kids;
    int nk;
    int rc = store_node_children(r->st, r->pool, parent->node.id, after, limit, &kids, &nk);
    if (rc != STORE_OK) return dav_store_status(rc);
    dav_resource *arr = pool_calloc(r->pool, sizeof(*arr) * (size_t)(nk ? nk : 1));
    if (!arr) return 500;
    int k = 0;
    for (int i = 0; i < nk; i++) {
        dav_child_resource(r, parent, &kids[i], &arr[k]);
        /* what the caller may not see is not listed (it does not exist for them) */
        if (!dav_child_hidden(r, parent, &arr[k])) k++;
    }
    *out = arr;
    *n = k;
    if (nk == limit) *next = kids[nk - 1].name;
    return 0;
}

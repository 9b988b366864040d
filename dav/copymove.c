/* COPY and MOVE (RFC 4918 §9.8, §9.9).  Both run in one transaction, so a
 * collection is copied or moved whole or not at all. */
#include <string.h>
#include <strings.h>

#include "dav/conditional.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/resource.h"
#include "privacy/acl.h"

/* Destination header -> raw path.  Absolute URIs must name this server
 * (RFC 4918 §9.8.5: 502 for another one). */
static int destination_path(dav_req *r, const char **out)
{
    const char *d = dav_header(r, "Destination");
    if (!d || !*d) return 400;
    const char *path = d;
    const char *scheme = strstr(d, "://");
    if (scheme) {
        const char *auth = scheme + 3;
        const char *slash = strchr(auth, '/');
        size_t alen = slash ? (size_t)(slash - auth) : strlen(auth);
        const char *host = dav_header(r, "Host");
        if (host && (strlen(host) != alen || strncasecmp(host, auth, alen) != 0)) return 502;
        path = slash ? slash : "/";
    } else if (d[0] != '/') {
        return 400;
    }
    /* a query or fragment is not part of the path */
    size_t n = strcspn(path, "?#");
    *out = pool_strndup(r->pool, path, n);
    return 0;
}

static int is_home_or_root(const dav_resource *res)
{
    if (res->type != DAV_RES_NODE) return 1;
    switch (res->node.kind) {
    case STORE_KIND_SPACE_ROOT:
    case STORE_KIND_HOME_FILES:
    case STORE_KIND_HOME_CALENDARS:
    case STORE_KIND_HOME_ADDRESSBOOKS:
        return 1;
    default:
        return 0;
    }
}

static int copy_or_move(dav_req *r, dav_resource *src, int move)
{
    if (is_home_or_root(src)) return dav_error_text(r, 403, "This resource cannot be copied or moved");
    const char *raw;
    int st = destination_path(r, &raw);
    if (st == 502) return dav_error_text(r, 502, "Destination is on another server");
    if (st) return dav_error_text(r, 400, "Missing or invalid Destination header");
    dav_resource dst;
    st = dav_resolve_raw(r, raw, &dst);
    /* another user's space looks exactly like a missing parent */
    if (st == 404) return dav_error_text(r, 409, "The destination's parent collection does not exist");
    if (st == 400) return dav_error_text(r, 400, "Invalid Destination path");
    if (st) return st;

    const char *ow = dav_header(r, "Overwrite");
    int overwrite = 1;
    if (ow) {
        if (strcasecmp(ow, "F") == 0) overwrite = 0;
        else if (strcasecmp(ow, "T") != 0) return dav_error_text(r, 400, "Invalid Overwrite header");
    }
    int depth = dav_depth(r, DAV_DEPTH_INFINITY);
    int coll = store_kind_is_collection(src->node.kind);
    if (coll && (depth == 1 || depth < 0 || (move && depth != DAV_DEPTH_INFINITY)))
        return dav_error_text(r, 400, "Invalid Depth header for a collection");

    if (strcmp(src->path, dst.path) == 0)
        return dav_error_text(r, 403, "Source and destination are the same");
    size_t sl = strlen(src->path);
    if (coll && strncmp(dst.path, src->path, sl) == 0 && dst.path[sl] == '/')
        return dav_error_text(r, 409, "Cannot copy or move a collection into itself");
    if (dst.type == DAV_RES_UNMAPPED && !dst.has_parent)
        return dav_error_text(r, 409, "The destination's parent collection does not exist");
    if (dst.type == DAV_RES_NODE && is_home_or_root(&dst))
        return dav_error_text(r, 403, "The destination cannot be replaced");
    int exists = dst.type == DAV_RES_NODE;
    if (exists && !overwrite) return 412;
    if (dst.type != DAV_RES_NODE && dst.type != DAV_RES_UNMAPPED)
        return dav_error_text(r, 403, "The destination cannot be written");

    /* privileges on the destination side: bind in its parent, unbind of an
     * existing destination */
    dav_resource dparent;
    dav_parent_resource(r, &dst, &dparent);
    unsigned need = PRIV_BIND | (exists ? PRIV_UNBIND : 0);
    if ((dav_privileges(r, &dparent) & need) != need)
        return dav_need_privilege(r, &dparent, (dav_privileges(r, &dparent) & PRIV_BIND)
                                                   ? PRIV_UNBIND : PRIV_BIND);
    if (!store_kind_is_collection(dst.parent.kind)) return 409;

    /* a calendar or address book takes only valid objects (RFC 4791 §5.3.2) */
    dav_member m;
    if (move) r->moving_node = src->node.id;
    st = dav_member_accepts(r, &dst.parent, dav_parent_href(r, dst.href), &src->node,
                            exists ? &dst.node : NULL, &m);
    if (st) return st;
    st = dav_conditional(r, src);
    if (st) return st;
    if (move) {
        st = dav_lock_check(r, src->path, DAV_CHANGE_UNBIND);
        if (st) return st;
    }
    st = dav_lock_check(r, dst.path, exists ? DAV_CHANGE_UNBIND : DAV_CHANGE_BIND);
    if (st) return st;

    int rc = store_begin_write(r->st);
    if (rc == STORE_OK && exists) {
        rc = store_node_delete(r->st, dst.node.id);
        if (rc == STORE_OK) rc = store_locks_delete_below(r->st, dst.path);
    }
    if (rc == STORE_OK) {
        store_node made;
        if (move) {
            rc = store_node_move(r->st, src->node.id, dst.parent.id, dst.name);
            made = src->node;
            /* RFC 4918 §9.9.4: locks do not move with the resource */
            if (rc == STORE_OK) rc = store_locks_delete_below(r->st, src->path);
        } else {
            rc = store_node_copy(r->st, r->pool, src->node.id, dst.parent.id, dst.name,
                                 depth == DAV_DEPTH_INFINITY, dst.parent.owner, &made);
        }
        /* into a typed collection: the member's own index rows and UID */
        if (rc == STORE_OK && m.indexed) rc = dav_member_index(r, made.id, dst.parent.id, &m);
        /* a plain file becoming a calendar object gets its UID and type */
        if (rc == STORE_OK && m.c.uid && !src->node.uid)
            rc = store_node_update(r->st, r->pool, made.id, &m.c, NULL);
    }
    if (rc == STORE_OK) rc = store_commit(r->st);
    if (rc != STORE_OK) {
        store_rollback(r->st);
        return rc == STORE_EXISTS ? 409 : dav_store_status(rc);
    }
    if (!exists) dav_add_header(r, "Location", dav_absolute_url(r, dst.href));
    return exists ? 204 : 201;
}

int dav_method_copy(dav_req *r, dav_resource *res)
{
    return copy_or_move(r, res, 0);
}

int dav_method_move(dav_req *r, dav_resource *res)
{
    return copy_or_move(r, res, 1);
}

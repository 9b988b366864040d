/* COPY and MOVE (RFC 4918 §9.8, §9.9).  Both run in one transaction, so a
 * collection is copied or moved whole or not at all. */
#include <string.h>
#include <strings.h>

#include "dav/conditional.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/sharing.h"
#include "privacy/acl.h"

/* Destination header -> raw path (common/uri.c).  Absolute URIs must name
 * this server (RFC 4918 §9.8.5: 502 for another one). */
static int destination_path(dav_req *r, const char **out)
{
    int rc = uri_destination(r->pool, dav_header(r, "Destination"), dav_header(r, "Host"), out);
    return rc == URI_OK ? 0 : rc == URI_OTHER_HOST ? 502 : 400;
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

/* The path a resource has in its own parent: a view's in the sharee's home,
 * anything else's own path (what locks are keyed by). */
static const char *own_path(const dav_resource *res)
{
    return res->has_binding ? res->view_canon : res->canon;
}

static int under(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && path[n] == '/';
}

#define NO_PARENT "The destination's parent collection does not exist"

static int copy_or_move(dav_req *r, dav_resource *src, int move)
{
    if (is_home_or_root(src) && !src->has_binding)
        return dav_error_text(r, 403, "This resource cannot be copied or moved");
    const char *raw;
    int st = destination_path(r, &raw);
    if (st == 502) return dav_error_text(r, 502, "Destination is on another server");
    if (st) return dav_error_text(r, 400, "Missing or invalid Destination header");
    dav_resource dst;
    st = dav_resolve_raw(r, raw, &dst);
    if (st == 400) return dav_error_text(r, 400, "Invalid Destination path");
    /* privileges before existence: a destination the caller may not see -
     * another user's home, a folder or file they may not read, a home that
     * does not exist - answers exactly like one whose parent is missing */
    if (st == 404 || (st == 0 && !dav_may_see(r, &dst))) return dav_error_text(r, 409, NO_PARENT);
    if (st) return st;
    if (dst.type == DAV_RES_UNMAPPED && !dst.has_parent) return dav_error_text(r, 409, NO_PARENT);

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

    /* the same node, or a collection into itself, whatever URLs name them */
    const char *src_own = own_path(src), *dst_own = own_path(&dst);
    if (strcmp(src_own, dst_own) == 0 || strcmp(src->canon, dst.canon) == 0)
        return dav_error_text(r, 403, "Source and destination are the same");
    if (coll && (under(dst.canon, src->canon) || under(dst_own, src_own)))
        return dav_error_text(r, 409, "Cannot copy or move a collection into itself");
    if (dst.type == DAV_RES_NODE && is_home_or_root(&dst) && !dst.has_binding)
        return dav_error_text(r, 403, "The destination cannot be replaced");
    if (dst.type != DAV_RES_NODE && dst.type != DAV_RES_UNMAPPED)
        return dav_error_text(r, 403, "The destination cannot be written");
    int exists = dst.type == DAV_RES_NODE;
    if (exists && !overwrite) return 412;

    /* a view is the sharee's name for someone else's collection: it can be
     * renamed in the sharee's home, never taken elsewhere (the collection
     * would leave its owner) */
    int view = move && src->has_binding;
    if (view && dst.parent.id != src->parent.id)
        return dav_error_text(r, 403, "A shared collection stays in its sharee's home");
    /* the destination side: bind in its parent, and unbind there of what is
     * overwritten (RFC 3744 §3.9, §3.10) */
    st = dav_authorize(r, &dst, PRIV_ACT_CREATE);
    if (st == 0 && exists) st = dav_authorize(r, &dst, PRIV_ACT_REMOVE);
    if (st) return st == 404 ? dav_error_text(r, 409, NO_PARENT) : st;
    if (!store_kind_is_collection(dst.parent.kind)) return 409;

    /* a calendar or address book takes only valid objects (RFC 4791 §5.3.2) */
    dav_member m;
    memset(&m, 0, sizeof m);
    if (move) r->moving_node = src->node.id;
    if (!view) {
        st = dav_member_accepts(r, &dst.parent, dav_parent_href(r, dst.href), &src->node,
                                exists ? &dst.node : NULL, &m);
        if (st) return st;
    }
    st = dav_conditional(r, src);
    if (st) return st;
    if (move) {
        st = dav_lock_check(r, src_own, DAV_CHANGE_UNBIND);
        if (st) return st;
    }
    st = dav_lock_check(r, dst_own, exists ? DAV_CHANGE_UNBIND : DAV_CHANGE_BIND);
    if (st) return st;

    /* (in the router's write transaction: every check above still holds) */
    int64_t owner = dst.parent.owner;
    /* what is overwritten goes as a DELETE would take it: its shares revoked,
     * a view declined, its locks gone */
    int rc = exists ? dav_member_remove(r, &dst) : STORE_OK;
    store_node made;
    if (rc == STORE_OK && move) rc = dav_member_leaving(r, src, owner);
    /* a default calendar moved within its home stays the default */
    if (rc == STORE_OK && move && !view && owner == src->node.owner)
        rc = dav_sched_calendar_moving(r, src, dst.href);
    if (rc == STORE_OK) {
        if (view) {
            rc = store_node_move(r->st, src->binding.id, dst.parent.id, dst.name);
            made = src->binding;
        } else if (move) {
            rc = store_node_move(r->st, src->node.id, dst.parent.id, dst.name);
            /* ownership follows the node: what lands in someone's collection
             * is theirs (RFC 3744 §5.1: DAV:owner) */
            if (rc == STORE_OK && owner != src->node.owner)
                rc = store_node_set_owner(r->st, src->node.id, owner);
            made = src->node;
        } else {
            rc = store_node_copy(r->st, r->pool, src->node.id, dst.parent.id, dst.name,
                                 depth == DAV_DEPTH_INFINITY, owner, &made);
        }
    }
    /* into a typed collection: the member's own index rows and UID */
    if (rc == STORE_OK && !view) rc = dav_member_arrived(r, &made, &dst.parent, &m);
    if (rc == STORE_EXISTS)
        return dav_member_taken(r, &dst.parent, dav_parent_href(r, dst.href), src->node.uid);
    if (rc != STORE_OK) return dav_store_status(rc);
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

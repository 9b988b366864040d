/* LOCK and UNLOCK (RFC 4918 §9.10, §9.11): exclusive and shared write locks,
 * depth 0 and infinity, refresh, and locks on unmapped URLs (which create an
 * empty resource, §7.3). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/rand.h"
#include "dav/conditional.h"
#include "dav/lockdisc.h"
#include "dav/member.h"
#include "dav/methods.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"


void dav_write_activelock(dav_req *r, const store_lock *l, vbuf *out)
{
    buf_puts(out, "<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>");
    buf_puts(out, l->scope == STORE_LOCK_EXCLUSIVE ? "<D:exclusive/>" : "<D:shared/>");
    buf_puts(out, "</D:lockscope><D:depth>");
    buf_puts(out, l->depth_infinity ? "infinity" : "0");
    buf_puts(out, "</D:depth>");
    if (l->owner_xml) buf_puts(out, l->owner_xml);
    if (l->expires == 0) {
        buf_puts(out, "<D:timeout>Infinite</D:timeout>");
    } else {
        long long left = (long long)(l->expires - (int64_t)time(NULL));
        buf_printf(out, "<D:timeout>Second-%lld</D:timeout>", left > 0 ? left : 0);
    }
    buf_puts(out, "<D:locktoken><D:href>");
    xml_text(out, l->token);
    buf_puts(out, "</D:href></D:locktoken><D:lockroot><D:href>");
    xml_text(out, dav_href_for_path(r, l->root));
    buf_puts(out, "</D:href></D:lockroot></D:activelock>");
}

void dav_write_lockdiscovery(dav_req *r, const char *path, vbuf *out)
{
    store_lock *locks;
    int n;
    if (store_locks_covering(r->st, r->pool, path, &locks, &n) != STORE_OK) return;
    for (int i = 0; i < n; i++) dav_write_activelock(r, &locks[i], out);
}

static int64_t parse_timeout(dav_req *r)
{
    return dav_timeout_parse(dav_header(r, "Timeout"), r->cfg->lock_timeout_max);
}

static void lock_response(dav_req *r, const store_lock *l)
{
    buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop");
    buf_puts(&r->out, xml_root_ns_decls);
    buf_puts(&r->out, "><D:lockdiscovery>");
    dav_write_activelock(r, l, &r->out);
    buf_puts(&r->out, "</D:lockdiscovery></D:prop>\n");
    r->out_type = "application/xml; charset=utf-8";
}

/* A refresh: the If header names the lock (RFC 4918 §9.10.2). */
static int refresh(dav_req *r, dav_resource *res)
{
    store_lock *locks;
    int n;
    int rc = store_locks_covering(r->st, r->pool, res->canon, &locks, &n);
    if (rc != STORE_OK) return dav_store_status(rc);
    for (int i = 0; i < n; i++) {
        if (!dav_token_submitted(r, locks[i].token)) continue;
        if (!r->session || locks[i].principal != r->session->principal.id) return 403;
        int64_t t = parse_timeout(r);
        locks[i].timeout = t;
        locks[i].expires = (int64_t)time(NULL) + t;
        rc = store_lock_refresh(r->st, locks[i].token, t, locks[i].expires);
        if (rc != STORE_OK) return dav_store_status(rc);
        lock_response(r, &locks[i]);
        return 200;
    }
    return dav_error(r, 412, NS_DAV, "lock-token-matches-request-uri");
}

/* Any lock that conflicts with a new one of `scope` at res (RFC 4918 §6.1,
 * §7: exclusive conflicts with everything, shared only with exclusive). */
static int conflicting(dav_req *r, const dav_resource *res, int scope, int depth_infinity,
                       const char **root)
{
    store_lock *locks;
    int n;
    if (store_locks_covering(r->st, r->pool, res->canon, &locks, &n) != STORE_OK) return -1;
    for (int i = 0; i < n; i++)
        if (scope == STORE_LOCK_EXCLUSIVE || locks[i].scope == STORE_LOCK_EXCLUSIVE) {
            *root = locks[i].root;
            return 1;
        }
    if (!depth_infinity) return 0;
    if (store_locks_below(r->st, r->pool, res->canon, &locks, &n) != STORE_OK) return -1;
    for (int i = 0; i < n; i++)
        if (scope == STORE_LOCK_EXCLUSIVE || locks[i].scope == STORE_LOCK_EXCLUSIVE) {
            *root = locks[i].root;
            return 1;
        }
    return 0;
}

int dav_method_lock(dav_req *r, dav_resource *res)
{
    int depth = dav_depth(r, DAV_DEPTH_INFINITY);
    if (depth != 0 && depth != DAV_DEPTH_INFINITY)
        return dav_error_text(r, 400, "LOCK Depth must be 0 or infinity");
    xmlNode *info;
    int st = dav_body_xml(r, NS_DAV, "lockinfo", 1, &info);
    if (st) return st;
    if (!info) {
        if (res->type == DAV_RES_UNMAPPED) return 404;
        return refresh(r, res);
    }
    xmlNode *scope_el = xml_child(info, NS_DAV, "lockscope");
    xmlNode *type_el = xml_child(info, NS_DAV, "locktype");
    xmlNode *owner_el = xml_child(info, NS_DAV, "owner");
    int scope = 0;
    xmlNode *s = scope_el ? xml_first_elem(scope_el) : NULL;
    if (xml_is(s, NS_DAV, "exclusive")) scope = STORE_LOCK_EXCLUSIVE;
    else if (xml_is(s, NS_DAV, "shared")) scope = STORE_LOCK_SHARED;
    if (!scope || !type_el || !xml_is(xml_first_elem(type_el), NS_DAV, "write"))
        return dav_error_text(r, 400, "Only exclusive or shared write locks exist");

    /* (write-content, or bind in the parent of an unmapped URL, was decided
     * by the router) */
    int creating = res->type == DAV_RES_UNMAPPED;
    if (creating) {
        if (!res->has_parent || res->trailing_slash)
            return dav_error_text(r, 409, "The parent collection does not exist");
        /* RFC 4918 §7.3 makes an empty resource, which a calendar or an address
         * book cannot hold: every member is a valid object (RFC 4791 §5.3.2,
         * RFC 6352 §5.1); scheduling and notification collections take none */
        switch (res->parent.kind) {
        case STORE_KIND_CALENDAR:
            return dav_error(r, 403, NS_CALDAV, "valid-calendar-data");
        case STORE_KIND_ADDRESSBOOK:
            return dav_error(r, 403, NS_CARDDAV, "valid-address-data");
        case STORE_KIND_SCHED_INBOX:
        case STORE_KIND_SCHED_OUTBOX:
        case STORE_KIND_NOTIFICATIONS:
            return dav_error_text(r, 403, "Resources cannot be stored here");
        default:
            break;
        }
    } else if (res->type != DAV_RES_NODE || res->node.kind == STORE_KIND_SPACE_ROOT) {
        return dav_error_text(r, 403, "This resource cannot be locked");
    }
    st = dav_conditional(r, res);
    if (st) return st;
    int infinity = depth == DAV_DEPTH_INFINITY;
    const char *root = NULL;
    int c = conflicting(r, res, scope, infinity && dav_res_is_collection(res), &root);
    if (c < 0) return 503;
    if (c) {
        const char *inner = pool_printf(r->pool, "<D:href>%s</D:href>", dav_href_for_path(r, root));
        return dav_error_inner(r, 423, NS_DAV, "no-conflicting-lock", inner);
    }
    if (creating) {
        /* creating the locked empty resource changes the parent's membership */
        st = dav_lock_check(r, res->canon, DAV_CHANGE_BIND);
        if (st) return st;
    }

    unsigned char u[16];
    char us[37];
    if (rand_uuid(u) < 0) return 500;
    uuid_format(u, us);
    store_lock l = {0};
    l.token = pool_printf(r->pool, "urn:uuid:%s", us);
    l.root = res->canon; /* the node's own path: it covers every URL of it */
    l.depth_infinity = infinity;
    l.scope = scope;
    l.owner_xml = owner_el ? xml_fragment(r->pool, owner_el) : NULL;
    l.principal = r->session->principal.id;
    l.timeout = parse_timeout(r);
    l.expires = (int64_t)time(NULL) + l.timeout;

    /* the conflict check above and this grant are one transaction (the
     * router's): two exclusive locks can never both be granted */
    if (creating) {
        /* the empty resource is a member like any other (dav/member.h) */
        dav_member m;
        store_node made;
        st = dav_member_prepare(r, &res->parent, "", 0, NULL, &m);
        if (!st) st = dav_member_write(r, &res->parent, dav_parent_href(r, res->href), res->name,
                                       NULL, &m, &made);
        if (st) return st;
    }
    int rc = store_lock_create(r->st, &l);
    if (rc != STORE_OK) return dav_store_status(rc);
    dav_add_header(r, "Lock-Token", pool_printf(r->pool, "<%s>", l.token));
    lock_response(r, &l);
    return creating ? 201 : 200;
}

int dav_method_unlock(dav_req *r, dav_resource *res)
{
    const char *h = dav_header(r, "Lock-Token");
    size_t n = h ? strlen(h) : 0;
    if (n < 3 || h[0] != '<' || h[n - 1] != '>')
        return dav_error_text(r, 400, "Missing or malformed Lock-Token header");
    const char *token = pool_strndup(r->pool, h + 1, n - 2);
    store_lock *locks;
    int count;
    int rc = store_locks_covering(r->st, r->pool, res->canon, &locks, &count);
    if (rc != STORE_OK) return dav_store_status(rc);
    for (int i = 0; i < count; i++) {
        if (strcmp(locks[i].token, token) != 0) continue;
        /* one's own lock, or with DAV:unlock someone else's (RFC 3744 §3.5) */
        if (!r->session || locks[i].principal != r->session->principal.id) {
            int st = dav_authorize(r, res, PRIV_ACT_UNLOCK);
            if (st) return st;
        }
        rc = store_lock_delete(r->st, token);
        return rc == STORE_OK ? 204 : dav_store_status(rc);
    }
    /* RFC 4918 §9.11.1 */
    return dav_error(r, 409, NS_DAV, "lock-token-matches-request-uri");
}

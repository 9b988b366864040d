/* POST of CalendarServer sharing documents (doc/Extensions/caldav-sharing):
 * CS:share on a calendar or address book (the owner invites and removes
 * sharees), CS:invite-reply on the sharee's home (accept or decline). */
#include <string.h>
#include <strings.h>

#include "dav/propfind.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/sharing.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

/* Upper bound on sharees in one CS:share request. */
#define SHARE_MAX_ITEMS 256

static int invalid_request(dav_req *r)
{
    return dav_error(r, 403, NS_CS, "valid-request");
}

static int invalid_share(dav_req *r)
{
    return dav_error(r, 403, NS_CS, "invalid-share");
}

/* ---- CS:share ------------------------------------------------------------------ */

typedef struct share_item {
    int remove;
    const char *href;
    int access;           /* set: DAV_SHARE_READ or DAV_SHARE_READ_WRITE */
    const char *summary;
    int ok;               /* names a principal that may be a sharee */
    store_principal who;
} share_item;

/* "urn:uuid:..." among the collection's sharees (the href CS:invite shows). */
static int sharee_by_urn(dav_req *r, const store_node *coll, const char *href,
                         store_principal *out)
{
    store_share *rows;
    int n;
    if (store_shares_of_node(r->st, r->pool, coll->id, &rows, &n) != STORE_OK) return -1;
    for (int i = 0; i < n; i++) {
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, rows[i].sharee, &p) != STORE_OK) continue;
        if (strcasecmp(dav_share_principal_urn(&r->ctx, &p), href) == 0) {
            *out = p;
            return 0;
        }
    }
    return -1;
}

/* The principal an href names, if it may share this collection: a user or a
 * group, never the owner.  A principal URL or exposed address names them
 * (dav_principal_named); an address nobody exposed names no one, exactly as
 * one that does not exist. */
static int resolve_sharee(dav_req *r, const store_node *coll, const char *href,
                          store_principal *out)
{
    int found = dav_principal_named(r, href, out) == 0;
    if (!found && strncasecmp(href, "urn:uuid:", 9) == 0)
        found = sharee_by_urn(r, coll, href, out) == 0;
    return found && out->id != coll->owner &&
           (out->kind == STORE_PRINCIPAL_USER || out->kind == STORE_PRINCIPAL_GROUP);
}

static int parse_item(dav_req *r, const xmlNode *el, share_item *it)
{
    memset(it, 0, sizeof(*it));
    it->remove = xml_is(el, NS_CS, "remove");
    for (xmlNode *c = xml_first_elem(el); c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_DAV, "href")) it->href = xml_content(r->pool, c);
        else if (xml_is(c, NS_CS, "summary")) it->summary = xml_content(r->pool, c);
        else if (xml_is(c, NS_CS, "read")) it->access = DAV_SHARE_READ;
        else if (xml_is(c, NS_CS, "read-write")) it->access = DAV_SHARE_READ_WRITE;
    }
    if (it->href) {
        /* clients send hrefs with surrounding white space now and then */
        while (*it->href == ' ' || *it->href == '\n' || *it->href == '\t') it->href++;
        size_t n = strlen(it->href);
        while (n && strchr(" \n\t\r", it->href[n - 1])) n--;
        it->href = pool_strndup(r->pool, it->href, n);
    }
    if (!it->href || !*it->href || (!it->remove && !it->access)) return -1;
    return 0;
}

/* Some sets name no possible sharee: nothing changes, and the multistatus
 * says which (403) and that the others waited on them (424). */
static int refuse_all(dav_req *r, const share_item *items, int n)
{
    dav_multistatus_begin(&r->out);
    for (int i = 0; i < n; i++)
        dav_write_status_response(&r->out, items[i].href, items[i].ok ? 424 : 403);
    dav_multistatus_end(&r->out);
    r->out_type = "application/xml; charset=utf-8";
    return 207;
}

/* Every sharee's homes exist before the share writes into them (in the
 * same transaction).  STORE_*. */
static int provision_sharees(dav_req *r, const share_item *items, int n)
{
    for (int i = 0; i < n; i++) {
        if (items[i].remove || !items[i].ok) continue;
        const store_principal *p = &items[i].who;
        if (p->kind == STORE_PRINCIPAL_USER) {
            int rc = dav_share_provision(&r->ctx, p);
            if (rc != STORE_OK) return rc;
            continue;
        }
        int64_t *m;
        int count;
        int rc = store_group_members(r->st, r->pool, p->id, &m, &count);
        if (rc != STORE_OK) return rc;
        for (int k = 0; k < count; k++) {
            store_principal u;
            rc = store_principal_by_id(r->st, r->pool, m[k], &u);
            if (rc == STORE_NOTFOUND || (rc == STORE_OK && u.kind != STORE_PRINCIPAL_USER))
                continue;
            if (rc == STORE_OK) rc = dav_share_provision(&r->ctx, &u);
            if (rc != STORE_OK) return rc;
        }
    }
    return STORE_OK;
}

static int post_share(dav_req *r, dav_resource *res, const xmlNode *root)
{
    if (res->type != DAV_RES_NODE || !dav_share_shareable(&res->node) || res->has_binding)
        return invalid_request(r); /* only the owner's calendars and address books */
    /* sharing decides who has access: the authority's share rule */
    int st0 = dav_authorize(r, res, PRIV_ACT_SHARE);
    if (st0) return st0;
    const store_node *coll = &res->node;
    share_item *items = pool_calloc(r->pool, sizeof(*items) * SHARE_MAX_ITEMS);
    if (!items) return 500;
    int n = 0, bad = 0;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) {
        if (!xml_is(c, NS_CS, "set") && !xml_is(c, NS_CS, "remove")) continue;
        if (n == SHARE_MAX_ITEMS) return dav_error_text(r, 413, "Too many sharees at once");
        if (parse_item(r, c, &items[n]) < 0) return invalid_request(r);
        items[n].ok = resolve_sharee(r, coll, items[n].href, &items[n].who);
        /* removing someone who is not (or no longer) a sharee is not an error */
        if (items[n].remove && !items[n].ok) items[n].ok = -1;
        bad |= !items[n].ok;
        n++;
    }
    if (bad) return refuse_all(r, items, n);
    /* (in the router's write transaction) */
    int rc = provision_sharees(r, items, n);
    /* removals first, so that removing and setting one sharee re-invites them */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; rc == STORE_OK && i < n; i++) {
            share_item *it = &items[i];
            if (it->remove != (pass == 0) || it->ok < 0) continue;
            if (it->remove) {
                store_share sh;
                rc = store_share_get(r->st, r->pool, coll->id, it->who.id, &sh);
                if (rc == STORE_OK) rc = dav_share_revoke(&r->ctx, coll, &sh);
                else if (rc == STORE_NOTFOUND) rc = STORE_OK;
            } else {
                rc = dav_share_invite(&r->ctx, coll, &it->who, it->access, it->summary, 0,
                                      NULL);
            }
        }
    return rc == STORE_OK ? 200 : dav_store_status(rc);
}

/* ---- CS:invite-reply ------------------------------------------------------------- */

static int post_reply(dav_req *r, dav_resource *res, const xmlNode *root)
{
    int64_t me = r->session->principal.id;
    if (res->type != DAV_RES_NODE || res->has_binding || res->node.owner != me ||
        (res->node.kind != STORE_KIND_HOME_CALENDARS &&
         res->node.kind != STORE_KIND_HOME_ADDRESSBOOKS))
        return invalid_request(r); /* replies go to one's own home */
    int accepted = -1;
    /* CS:hosturl is informative: the uid alone says which invitation this
     * answers (as at CalendarServer, which does not check it either) */
    const char *uid = NULL, *summary = NULL, *href = NULL;
    for (xmlNode *c = xml_first_elem(root); c; c = xml_next_elem(c)) {
        if (xml_is(c, NS_CS, "invite-accepted")) accepted = 1;
        else if (xml_is(c, NS_CS, "invite-declined")) accepted = 0;
        else if (xml_is(c, NS_CS, "in-reply-to")) uid = xml_content(r->pool, c);
        else if (xml_is(c, NS_CS, "summary")) summary = xml_content(r->pool, c);
        else if (xml_is(c, NS_DAV, "href")) href = xml_content(r->pool, c);
    }
    if (accepted < 0 || !uid || !*uid) return invalid_request(r);
    /* a uid that is not one of the caller's invitations: the same answer
     * whether it exists or not */
    store_share sh;
    store_node coll;
    int rc = store_share_by_uid(r->st, r->pool, uid, &sh);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    if (rc == STORE_NOTFOUND || sh.sharee != me) return invalid_share(r);
    rc = store_node_get(r->st, r->pool, sh.node, &coll);
    if (rc != STORE_OK) return rc == STORE_NOTFOUND ? invalid_share(r) : dav_store_status(rc);
    /* the owner is told who replied by the href the sharee gave when it
     * names them publicly (principal URL, exposed address), else urn:uuid */
    store_principal named;
    if (href && (dav_principal_named(r, href, &named) != 0 || named.id != me)) href = NULL;

    /* (in the router's write transaction) */
    int64_t binding = 0;
    if (accepted) {
        rc = dav_share_accept(&r->ctx, &coll, &sh, summary, &binding);
        if (rc == STORE_NOTFOUND) return invalid_share(r);
    } else {
        rc = dav_share_decline(&r->ctx, &coll, &sh);
    }
    if (rc == STORE_OK) rc = dav_share_notify_reply(&r->ctx, &coll, &sh, href, summary);
    if (rc != STORE_OK) return dav_store_status(rc);
    if (!accepted) return 204;
    buf_puts(&r->out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CS:shared-as");
    buf_puts(&r->out, xml_root_ns_decls);
    buf_puts(&r->out, ">\n  ");
    /* CalendarServer's form and layout, without the final '/' (clients
     * append one) */
    const char *view = dav_node_href(&r->ctx, binding);
    dav_put_href(&r->out, pool_strndup(r->pool, view, strlen(view) - 1));
    buf_puts(&r->out, "\n</CS:shared-as>\n");
    r->out_type = "application/xml; charset=utf-8";
    return 200;
}

/* ---- dispatch --------------------------------------------------------------------- */

static const struct {
    const char *ns, *name;
    int (*run)(dav_req *r, dav_resource *res, const xmlNode *root);
} documents[] = {
    {NS_CS, "share", post_share},
    {NS_CS, "invite-reply", post_reply},
};

int dav_method_post(dav_req *r, dav_resource *res)
{
    if (!r->session) return 404;
    /* RFC 6638 §5: free-busy requests to a scheduling outbox */
    if (res->type == DAV_RES_NODE && !res->has_binding && res->node.kind == STORE_KIND_SCHED_OUTBOX)
        return dav_sched_post_outbox(r, res);
    /* the server alone puts messages in an inbox (RFC 6638 §2.2) */
    if (res->type == DAV_RES_NODE && res->node.kind == STORE_KIND_SCHED_INBOX)
        return dav_error_text(r, 403, "Nothing can be posted to a scheduling inbox");
    xmlNode *root;
    int st = dav_body_xml(r, NULL, NULL, 0, &root);
    if (st) return st;
    for (size_t i = 0; i < sizeof documents / sizeof documents[0]; i++)
        if (xml_is(root, documents[i].ns, documents[i].name)) return documents[i].run(r, res, root);
    return invalid_request(r);
}

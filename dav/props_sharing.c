/* CalendarServer sharing properties (doc/Extensions/caldav-sharing):
 * CS:invite, CS:allowed-sharing-modes, CS:shared-url, CS:notificationtype,
 * and the CS:shared-owner / CS:shared resource types. */
#include <string.h>

#include "dav/props.h"
#include "dav/resource.h"
#include "dav/sharing.h"
#include "dav/xml_out.h"

static int is_shareable(const dav_resource *res)
{
    return res->type == DAV_RES_NODE && dav_share_shareable(&res->node);
}

static int64_t me(dav_req *r)
{
    return r->session ? r->session->principal.id : 0;
}

/* Shares of the collection res shows (pool array), or n = 0. */
static void shares_of(dav_req *r, const dav_resource *res, store_share **rows, int *n)
{
    *n = 0;
    if (is_shareable(res) && store_shares_of_node(r->st, r->pool, res->node.id, rows, n) != STORE_OK)
        *n = 0;
}

void dav_share_resourcetype(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_shareable(res)) return;
    if (res->has_binding) {
        buf_puts(out, "<CS:shared/>");
        return;
    }
    store_share *rows;
    int n;
    shares_of(r, res, &rows, &n);
    /* someone reaching the owner's URL directly sees a shared calendar too */
    if (n) buf_puts(out, res->node.owner == me(r) ? "<CS:shared-owner/>" : "<CS:shared/>");
}

static const char *status_name(int state)
{
    switch (state) {
    case DAV_SHARE_ACCEPTED:
        return "invite-accepted";
    case DAV_SHARE_DECLINED:
        return "invite-declined";
    default:
        return "invite-noresponse";
    }
}

/* One CS:user: the sharee's urn:uuid and chosen display name, never more. */
static void put_user(dav_req *r, const store_share *sh, int with_uid, vbuf *out)
{
    store_principal p;
    if (store_principal_by_id(r->st, r->pool, sh->sharee, &p) != STORE_OK) return;
    buf_puts(out, "<CS:user>");
    if (with_uid) xml_text_element(out, NS_CS, "uid", sh->uid);
    dav_put_href(out, dav_share_principal_urn(&r->ctx, &p));
    if (p.displayname) xml_text_element(out, NS_CS, "common-name", p.displayname);
    buf_puts(out, sh->access == DAV_SHARE_READ_WRITE ? "<CS:access><CS:read-write/></CS:access>"
                                                     : "<CS:access><CS:read/></CS:access>");
    buf_printf(out, "<CS:%s/></CS:user>", status_name(sh->state));
}

/* The owner sees every sharee they named (a group as one entry).  Anyone
 * else sees the organizer and their own entry: sharees of the same
 * collection learn nothing about each other. */
static int get_invite(dav_req *r, const dav_resource *res, vbuf *out)
{
    store_share *rows;
    int n;
    shares_of(r, res, &rows, &n);
    if (!n) return 404;
    int owner = !res->has_binding && res->node.owner == me(r);
    if (!owner) {
        store_principal o;
        if (store_principal_by_id(r->st, r->pool, res->node.owner, &o) != STORE_OK) return 404;
        buf_puts(out, "<CS:organizer>");
        dav_put_href(out, dav_principal_href(&r->ctx, o.pid));
        if (o.displayname) xml_text_element(out, NS_CS, "common-name", o.displayname);
        buf_puts(out, "</CS:organizer>");
    }
    for (int i = 0; i < n; i++) {
        if (owner ? dav_share_is_member_row(&rows[i]) : rows[i].sharee != me(r)) continue;
        put_user(r, &rows[i], owner, out);
    }
    return 200;
}

static int get_allowed_sharing_modes(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_shareable(res)) return 404;
    /* a sharee's view cannot be shared on: sharing is the owner's */
    if (!res->has_binding && res->node.owner == me(r)) buf_puts(out, "<CS:can-be-shared/>");
    return 200;
}

static int get_shared_url(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_shareable(res) || !res->has_binding) return 404;
    dav_put_href(out, dav_node_href(&r->ctx, res->node.id));
    return 200;
}

/* Stored with each notification when it is written. */
static int get_notificationtype(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (res->type != DAV_RES_NODE || res->node.kind != STORE_KIND_RESOURCE || !res->has_parent ||
        res->parent.kind != STORE_KIND_NOTIFICATIONS)
        return 404;
    return DAV_PROP_DEAD;
}

static const dav_prop_def defs[] = {
    {NS_CS, "invite", DAV_PF_PROTECTED, get_invite, NULL},
    {NS_CS, "allowed-sharing-modes", DAV_PF_PROTECTED, get_allowed_sharing_modes, NULL},
    {NS_CS, "shared-url", DAV_PF_PROTECTED, get_shared_url, NULL},
    {NS_CS, "notificationtype", DAV_PF_PROTECTED, get_notificationtype, NULL},
};

const dav_prop_table dav_props_sharing = {defs, sizeof defs / sizeof defs[0]};

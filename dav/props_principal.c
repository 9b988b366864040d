/* Principal properties (RFC 3744 §4, RFC 4791 §6.2.1, RFC 6638 §2, and
 * CalendarServer's): what a principal shows is only what its owner chose -
 * the display name and the addresses they exposed - never the login. */
#include <string.h>

#include "common/rand.h"
#include "dav/props.h"
#include "dav/propset.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "storage/accounts.h"
#include "storage/bookable.h"

static int is_principal(const dav_resource *res)
{
    return res->type == DAV_RES_PRINCIPAL;
}

static int is_user(const dav_resource *res)
{
    return is_principal(res) && res->principal.kind == STORE_PRINCIPAL_USER;
}

static const char *principal_href(dav_req *r, const store_principal *p)
{
    return dav_principal_href(&r->ctx, p->pid);
}

static void put_principal_href(dav_req *r, vbuf *out, int64_t id)
{
    store_principal p;
    if (store_principal_by_id(r->st, r->pool, id, &p) == STORE_OK)
        dav_put_href(out, principal_href(r, &p));
}

static void put_address(dav_req *r, vbuf *out, const char *address, int mailto)
{
    if (mailto) {
        dav_put_href(out, pool_printf(r->pool, "mailto:%s", address));
    } else {
        buf_puts(out, "<D:href>");
        xml_text(out, address);
        buf_puts(out, "</D:href>");
    }
}

/* The addresses the owner exposed (account database), as "mailto:" hrefs
 * or plain addresses; a room's or resource's, those the operator gave it. */
static void exposed_addresses(dav_req *r, const store_principal *p, vbuf *out, int mailto)
{
    if (p->kind == STORE_PRINCIPAL_ROOM || p->kind == STORE_PRINCIPAL_RESOURCE) {
        /* the addresses the operator gave it, all public */
        const char **addr;
        int n;
        if (store_book_addresses(r->st, r->pool, p->id, &addr, &n) != STORE_OK) return;
        for (int i = 0; i < n; i++) put_address(r, out, addr[i], mailto);
        return;
    }
    if (!p->account_id || !r->acct) return;
    account_alias *al;
    int n;
    if (accounts_alias_list(r->acct, r->pool, p->account_id, &al, &n) != STORE_OK) return;
    for (int i = 0; i < n; i++) {
        if (al[i].exposed) put_address(r, out, al[i].address, mailto);
    }
}

static void uuid_href(dav_req *r, const store_principal *p, vbuf *out)
{
    char u[37];
    uuid_format(p->uuid, u);
    dav_put_href(out, pool_printf(r->pool, "urn:uuid:%s", u));
}

static int get_alternate_uri_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_principal(res)) return 404;
    exposed_addresses(r, &res->principal, out, 1);
    uuid_href(r, &res->principal, out);
    return 200;
}

static int get_cuaddr_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_principal(res) || res->principal.kind >= STORE_PRINCIPAL_PROXY_READ) return 404;
    exposed_addresses(r, &res->principal, out, 1);
    uuid_href(r, &res->principal, out);
    return 200;
}

static int get_email_address_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_user(res)) return 404;
    exposed_addresses(r, &res->principal, out, 0);
    return 200;
}

static int get_cutype(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_principal(res)) return 404;
    static const char *types[] = {"", "INDIVIDUAL", "GROUP", "RESOURCE", "ROOM", "GROUP", "GROUP"};
    int k = res->principal.kind;
    buf_puts(out, k >= 1 && k <= 6 ? types[k] : "UNKNOWN");
    return 200;
}

/* Groups the principal is in that the caller may see (its own, for itself). */
static int get_group_membership(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_principal(res)) return 404;
    int64_t *groups;
    int n;
    if (store_principal_groups(r->st, r->pool, res->principal.id, &groups, &n) != STORE_OK)
        return 404;
    int self = r->session && r->session->principal.id == res->principal.id;
    for (int i = 0; i < n; i++) {
        store_principal g;
        if (store_principal_by_id(r->st, r->pool, groups[i], &g) != STORE_OK) continue;
        if (!self) {
            dav_resource gr = {.type = DAV_RES_PRINCIPAL, .principal = g};
            if (!(dav_privileges(r, &gr) & 1)) continue;
        }
        dav_put_href(out, principal_href(r, &g));
    }
    return 200;
}

static int is_group(const dav_resource *res)
{
    int k = res->principal.kind;
    return is_principal(res) &&
           (k == STORE_PRINCIPAL_GROUP || k == STORE_PRINCIPAL_PROXY_READ ||
            k == STORE_PRINCIPAL_PROXY_WRITE);
}

static int get_group_member_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!is_group(res)) return 404;
    int64_t *m;
    int n;
    if (store_group_members(r->st, r->pool, res->principal.id, &m, &n) != STORE_OK) return 404;
    for (int i = 0; i < n; i++) put_principal_href(r, out, m[i]);
    return 200;
}

static int principal_from_href(dav_req *r, const char *href, store_principal *out)
{
    return dav_principal_named(r, href, out);
}

/* Delegation as macOS and iOS manage it: PROPPATCH of the proxy group's
 * group-member-set by the user it belongs to. */
static int set_group_member_set(dav_req *r, const dav_resource *res, const xmlNode *el,
                                int apply)
{
    int k = res->principal.kind;
    if (!is_principal(res) || (k != STORE_PRINCIPAL_PROXY_READ && k != STORE_PRINCIPAL_PROXY_WRITE))
        return dav_error(r, 403, NS_DAV, "cannot-modify-protected-property");
    int count = 0;
    for (xmlNode *c = el ? xml_first_elem(el) : NULL; c; c = xml_next_elem(c)) {
        store_principal m;
        if (!xml_is(c, NS_DAV, "href") ||
            principal_from_href(r, xml_content(r->pool, c), &m) < 0 ||
            m.id == res->principal.owner || m.kind >= STORE_PRINCIPAL_PROXY_READ)
            return dav_error(r, 403, NS_DAV, "recognized-principal");
        count++;
    }
    if (!apply) return 200;
    int64_t *old;
    int n;
    if (store_group_members(r->st, r->pool, res->principal.id, &old, &n) != STORE_OK) return 500;
    for (int i = 0; i < n; i++)
        if (store_group_remove_member(r->st, res->principal.id, old[i]) != STORE_OK) return 500;
    for (xmlNode *c = el ? xml_first_elem(el) : NULL; c; c = xml_next_elem(c)) {
        store_principal m;
        if (principal_from_href(r, xml_content(r->pool, c), &m) < 0) return 500;
        if (store_group_add_member(r->st, res->principal.id, m.id) != STORE_OK) return 500;
    }
    (void)count;
    return 200;
}

/* CalendarServer calendar-proxy-read-for / -write-for: the users whose
 * proxy groups hold this principal. */
static int proxy_for(dav_req *r, const dav_resource *res, vbuf *out, int kind)
{
    if (!is_user(res)) return 404;
    int64_t *groups;
    int n;
    if (store_principal_groups(r->st, r->pool, res->principal.id, &groups, &n) != STORE_OK)
        return 404;
    for (int i = 0; i < n; i++) {
        store_principal g;
        if (store_principal_by_id(r->st, r->pool, groups[i], &g) != STORE_OK || g.kind != kind)
            continue;
        put_principal_href(r, out, g.owner);
    }
    return 200;
}

static int get_proxy_read_for(dav_req *r, const dav_resource *res, vbuf *out)
{
    return proxy_for(r, res, out, STORE_PRINCIPAL_PROXY_READ);
}

static int get_proxy_write_for(dav_req *r, const dav_resource *res, vbuf *out)
{
    return proxy_for(r, res, out, STORE_PRINCIPAL_PROXY_WRITE);
}

/* "/<space>/<pid>/<tail>" of a user */
static int user_url(dav_req *r, const dav_resource *res, vbuf *out, const char *space,
                    const char *tail)
{
    if (!is_user(res)) return 404;
    dav_put_href(out, pool_printf(r->pool, "/%s/%s/%s", space, res->principal.pid, tail));
    return 200;
}

static int get_inbox_url(dav_req *r, const dav_resource *res, vbuf *out)
{
    return user_url(r, res, out, "calendars", "inbox/");
}

static int get_outbox_url(dav_req *r, const dav_resource *res, vbuf *out)
{
    return user_url(r, res, out, "calendars", "outbox/");
}

static int get_notification_url(dav_req *r, const dav_resource *res, vbuf *out)
{
    return user_url(r, res, out, "calendars", "notification/");
}

/* Apple's attachment dropbox lives in the user's plain file space. */
static int get_dropbox_home(dav_req *r, const dav_resource *res, vbuf *out)
{
    return user_url(r, res, out, "files", "");
}

static int get_addressbook_home(dav_req *r, const dav_resource *res, vbuf *out)
{
    return user_url(r, res, out, "addressbooks", "");
}

/* CalendarServer's CS:record-type, which it shows on the calendar-proxy
 * groups only: Apple's clients read it to tell the two delegate groups apart
 * (the same facts as their resourcetype, nothing about anyone). */
static int get_record_type(dav_req *r, const dav_resource *res, vbuf *out)
{
    (void)r;
    if (!is_principal(res)) return 404;
    switch (res->principal.kind) {
    case STORE_PRINCIPAL_PROXY_READ:
        buf_puts(out, "read-delegate-group");
        return 200;
    case STORE_PRINCIPAL_PROXY_WRITE:
        buf_puts(out, "write-delegate-group");
        return 200;
    default:
        return 404;
    }
}

static const dav_prop_def defs[] = {
    {NS_DAV, "alternate-URI-set", DAV_PF_PROTECTED, get_alternate_uri_set, NULL},
    {NS_DAV, "group-membership", DAV_PF_PROTECTED, get_group_membership, NULL},
    {NS_DAV, "group-member-set", 0, get_group_member_set, set_group_member_set},
    {NS_CALDAV, "calendar-user-address-set", DAV_PF_PROTECTED, get_cuaddr_set, NULL},
    {NS_CALDAV, "calendar-user-type", DAV_PF_PROTECTED, get_cutype, NULL},
    {NS_CALDAV, "schedule-inbox-URL", DAV_PF_PROTECTED, get_inbox_url, NULL},
    {NS_CALDAV, "schedule-outbox-URL", DAV_PF_PROTECTED, get_outbox_url, NULL},
    {NS_CS, "email-address-set", DAV_PF_PROTECTED, get_email_address_set, NULL},
    {NS_CS, "notification-URL", DAV_PF_PROTECTED, get_notification_url, NULL},
    {NS_CS, "dropbox-home-URL", DAV_PF_PROTECTED, get_dropbox_home, NULL},
    {NS_CS, "calendar-proxy-read-for", DAV_PF_PROTECTED, get_proxy_read_for, NULL},
    {NS_CS, "calendar-proxy-write-for", DAV_PF_PROTECTED, get_proxy_write_for, NULL},
    {NS_CS, "record-type", DAV_PF_PROTECTED, get_record_type, NULL},
    {NS_CARDDAV, "addressbook-home-set", DAV_PF_PROTECTED, get_addressbook_home, NULL},
};

const dav_prop_table dav_props_principal = {defs, sizeof defs / sizeof defs[0]};

/* The ACL method (RFC 3744 §8.1) with its preconditions, and the acl,
 * supported-privilege-set, acl-restrictions, inherited-acl-set and
 * current-user-privilege-set properties. */
#include <string.h>

#include "dav/acl.h"
#include "dav/conditional.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/xml_in.h"
#include "dav/xml_out.h"
#include "privacy/acl.h"

#define ACL_MAX_ACES 64

void dav_write_privileges(vbuf *out, unsigned bits)
{
    unsigned covered = 0;
    /* the table lists parents before children: an aggregate that is fully
     * granted stands for everything below it */
    for (int i = 0; i < priv_names_count; i++) {
        unsigned b = priv_names[i].bits;
        if ((bits & b) != b || (covered & b) == b) continue;
        buf_puts(out, "<D:privilege>");
        xml_empty(out, priv_names[i].ns, priv_names[i].name);
        buf_puts(out, "</D:privilege>");
        covered |= b;
    }
}

static void write_tree(vbuf *out, int idx)
{
    const priv_name *p = &priv_names[idx];
    buf_puts(out, "<D:supported-privilege><D:privilege>");
    xml_empty(out, p->ns, p->name);
    buf_puts(out, "</D:privilege><D:description xml:lang=\"en\">");
    xml_text(out, p->description);
    buf_puts(out, "</D:description>");
    for (int i = 0; i < priv_names_count; i++)
        if (priv_names[i].parent == idx) write_tree(out, i);
    buf_puts(out, "</D:supported-privilege>");
}

static int get_supported_privilege_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    write_tree(out, 0);
    return 200;
}

static int get_cups(dav_req *r, const dav_resource *res, vbuf *out)
{
    unsigned bits = dav_privileges(r, res);
    /* each privilege held, aggregates and their parts (RFC 3744 §5.4) */
    for (int i = 0; i < priv_names_count; i++) {
        if ((bits & priv_names[i].bits) != priv_names[i].bits) continue;
        buf_puts(out, "<D:privilege>");
        xml_empty(out, priv_names[i].ns, priv_names[i].name);
        buf_puts(out, "</D:privilege>");
    }
    return 200;
}

static int get_acl_restrictions(dav_req *r, const dav_resource *res, vbuf *out)
{
    buf_puts(out, "<D:no-invert/>");
    return 200;
}

static void write_principal(dav_req *r, vbuf *out, const store_ace *a)
{
    buf_puts(out, "<D:principal>");
    switch (a->who) {
    case STORE_ACE_ALL: buf_puts(out, "<D:all/>"); break;
    case STORE_ACE_AUTHENTICATED: buf_puts(out, "<D:authenticated/>"); break;
    case STORE_ACE_UNAUTHENTICATED: buf_puts(out, "<D:unauthenticated/>"); break;
    case STORE_ACE_SELF: buf_puts(out, "<D:self/>"); break;
    case STORE_ACE_OWNER: buf_puts(out, "<D:property><D:owner/></D:property>"); break;
    default: {
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, a->principal, &p) == STORE_OK)
            dav_put_href(out, dav_principal_href(&r->ctx, p.pid));
    }
    }
    buf_puts(out, "</D:principal>");
}

static void write_ace(dav_req *r, vbuf *out, const store_ace *a, int protected_,
                      const char *inherited)
{
    buf_puts(out, "<D:ace>");
    write_principal(r, out, a);
    if (a->grant) {
        buf_puts(out, "<D:grant>");
        dav_write_privileges(out, a->grant);
        buf_puts(out, "</D:grant>");
    }
    if (a->deny) {
        buf_puts(out, "<D:deny>");
        dav_write_privileges(out, a->deny);
        buf_puts(out, "</D:deny>");
    }
    if (protected_) buf_puts(out, "<D:protected/>");
    if (inherited) {
        buf_puts(out, "<D:inherited>");
        dav_put_href(out, inherited);
        buf_puts(out, "</D:inherited>");
    }
    buf_puts(out, "</D:ace>");
}

/* RFC 3744 §5.5: readable with read-acl. */
static int get_acl(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (!(dav_privileges(r, res) & PRIV_READ_ACL)) return 403;
    int64_t owner = dav_res_owner(res);
    if (owner) {
        store_ace own = {.who = STORE_ACE_OWNER, .grant = PRIV_ALL};
        write_ace(r, out, &own, 1, NULL);
    }
    /* the node's own chain: the ACEs that decide, in the order they do */
    if (res->type == DAV_RES_NODE && !res->chain.known) return 500;
    for (int i = 0; res->type == DAV_RES_NODE && i < res->chain.n; i++) {
        store_ace *aces;
        int n;
        int64_t id = res->chain.ids[i];
        if (store_aces_get(r->st, r->pool, id, &aces, &n) != STORE_OK) return 500;
        const char *inherited = id != res->node.id ? dav_node_href(&r->ctx, id) : NULL;
        for (int k = 0; k < n; k++) write_ace(r, out, &aces[k], aces[k].source == 1, inherited);
    }
    if (res->space == STORE_ROOT_CALENDARS && owner) {
        /* the owner's delegates, inherited from the calendar home */
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, owner, &p) == STORE_OK) {
            static const struct {
                const char *seg;
                unsigned bits;
            } proxies[] = {
                {STORE_PROXY_READ_SEGMENT, PRIV_PROXY_READ_GRANT},
                {STORE_PROXY_WRITE_SEGMENT, PRIV_PROXY_WRITE_GRANT},
            };
            const char *home = pool_printf(r->pool, "/calendars/%s/", p.pid);
            for (int i = 0; i < 2; i++) {
                store_principal g;
                const char *gpid = pool_printf(r->pool, "%s/%s", p.pid, proxies[i].seg);
                if (store_principal_by_pid(r->st, r->pool, gpid, &g) != STORE_OK) continue;
                store_ace a = {.who = STORE_ACE_PRINCIPAL, .principal = g.id,
                               .grant = proxies[i].bits};
                write_ace(r, out, &a, 1, strcmp(home, res->href) ? home : NULL);
            }
        }
    }
    return 200;
}

static int get_inherited_acl_set(dav_req *r, const dav_resource *res, vbuf *out)
{
    if (res->space == STORE_ROOT_CALENDARS && res->home_owner) {
        store_principal p;
        if (store_principal_by_id(r->st, r->pool, res->home_owner, &p) == STORE_OK)
            dav_put_href(out, pool_printf(r->pool, "/calendars/%s/", p.pid));
    }
    return 200;
}

static const dav_prop_def defs[] = {
    {NS_DAV, "supported-privilege-set", DAV_PF_PROTECTED, get_supported_privilege_set, NULL},
    {NS_DAV, "current-user-privilege-set", DAV_PF_PROTECTED, get_cups, NULL},
    {NS_DAV, "acl", DAV_PF_PROTECTED, get_acl, NULL},
    {NS_DAV, "acl-restrictions", DAV_PF_PROTECTED, get_acl_restrictions, NULL},
    {NS_DAV, "inherited-acl-set", DAV_PF_PROTECTED, get_inherited_acl_set, NULL},
};

const dav_prop_table dav_props_acl = {defs, sizeof defs / sizeof defs[0]};

/* ---- the ACL method ----------------------------------------------------------- */

static int acl_error(dav_req *r, const char *name)
{
    return dav_error(r, 403, NS_DAV, name);
}

/* Privilege elements inside grant/deny -> bits.  0 with an error set. */
static int parse_privileges(dav_req *r, const xmlNode *list, unsigned *bits)
{
    *bits = 0;
    for (xmlNode *p = xml_first_elem(list); p; p = xml_next_elem(p)) {
        if (!xml_is(p, NS_DAV, "privilege")) return acl_error(r, "not-supported-privilege");
        /* one privilege per DAV:privilege (RFC 3744 §5.1), but every one counts */
        for (xmlNode *which = xml_first_elem(p); which; which = xml_next_elem(which)) {
            const priv_name *pn = priv_find(xml_ns(which), (const char *)which->name);
            if (!pn) return acl_error(r, "not-supported-privilege");
            *bits |= pn->bits;
        }
    }
    if (!*bits) return acl_error(r, "not-supported-privilege");
    return 0;
}

static int parse_principal(dav_req *r, const xmlNode *el, store_ace *a)
{
    xmlNode *w = xml_first_elem(el);
    if (!w || xml_next_elem(w)) return acl_error(r, "recognized-principal");
    if (xml_is(w, NS_DAV, "all")) a->who = STORE_ACE_ALL;
    else if (xml_is(w, NS_DAV, "authenticated")) a->who = STORE_ACE_AUTHENTICATED;
    /* RFC 3744 §5.5.1: DAV:self matches only on a principal resource, the
     * principal it is; on a stored resource it could never match */
    else if (xml_is(w, NS_DAV, "self")) return acl_error(r, "allowed-principal");
    else if (xml_is(w, NS_DAV, "unauthenticated"))
        return acl_error(r, "allowed-principal"); /* every request is authenticated */
    else if (xml_is(w, NS_DAV, "property")) {
        xmlNode *p = xml_first_elem(w);
        if (!xml_is(p, NS_DAV, "owner") || xml_next_elem(p))
            return acl_error(r, "allowed-principal");
        a->who = STORE_ACE_OWNER;
    } else if (xml_is(w, NS_DAV, "href")) {
        store_principal p;
        if (dav_principal_named(r, xml_content(r->pool, w), &p) < 0)
            return acl_error(r, "recognized-principal");
        a->who = STORE_ACE_PRINCIPAL;
        a->principal = p.id;
    } else {
        return acl_error(r, "recognized-principal");
    }
    return 0;
}

/* RFC 3744 §8.1.1 DAV:no-protected-ace-conflict: a deny naming a principal
 * that a protected ACE grants the same privilege - the owner (who holds
 * everything), a sharee (the share's ACE) or, in a calendar home, one of the
 * owner's delegation groups. */
static int denies_protected(dav_req *r, const dav_resource *res, const store_ace *a)
{
    if (!a->deny) return 0;
    int64_t owner = dav_res_owner(res);
    if (a->who == STORE_ACE_OWNER) return 1;
    if (a->who != STORE_ACE_PRINCIPAL) return 0;
    if (a->principal == owner) return 1;
    store_ace *aces;
    int n;
    if (store_aces_get(r->st, r->pool, res->node.id, &aces, &n) == STORE_OK)
        for (int i = 0; i < n; i++)
            if (aces[i].source == 1 && aces[i].who == STORE_ACE_PRINCIPAL &&
                aces[i].principal == a->principal && (aces[i].grant & a->deny))
                return 1;
    store_principal g;
    return res->space == STORE_ROOT_CALENDARS &&
           store_principal_by_id(r->st, r->pool, a->principal, &g) == STORE_OK &&
           (g.kind == STORE_PRINCIPAL_PROXY_READ || g.kind == STORE_PRINCIPAL_PROXY_WRITE) &&
           g.owner == owner;
}

/* RFC 3744 §8.1.1 preconditions that never arise here: deny-before-grant and
 * grant-only (DAV:acl-restrictions lists only no-invert: ACEs are evaluated in
 * the order given, grants and denies mixed), no-abstract (no privilege is
 * abstract) and missing-required-principal (no required-principal). */
int dav_method_acl(dav_req *r, dav_resource *res)
{
    if (res->type != DAV_RES_NODE || res->node.kind == STORE_KIND_SPACE_ROOT)
        return dav_error_text(r, 403, "Access control lists apply to stored resources");
    xmlNode *root;
    int st = dav_body_xml(r, NS_DAV, "acl", 0, &root);
    if (st) return st;
    store_ace aces[ACL_MAX_ACES];
    int n = 0;
    for (xmlNode *ace = xml_first_elem(root); ace; ace = xml_next_elem(ace)) {
        if (!xml_is(ace, NS_DAV, "ace")) return dav_error_text(r, 400, "DAV:acl holds DAV:ace");
        if (n == ACL_MAX_ACES) return acl_error(r, "limited-number-of-aces");
        store_ace *a = &aces[n];
        memset(a, 0, sizeof(*a));
        int have_principal = 0, have_rights = 0;
        for (xmlNode *c = xml_first_elem(ace); c; c = xml_next_elem(c)) {
            if (xml_is(c, NS_DAV, "principal")) {
                st = parse_principal(r, c, a);
                have_principal = 1;
            } else if (xml_is(c, NS_DAV, "invert")) {
                st = acl_error(r, "no-invert");
            } else if (xml_is(c, NS_DAV, "grant")) {
                st = parse_privileges(r, c, &a->grant);
                have_rights = 1;
            } else if (xml_is(c, NS_DAV, "deny")) {
                st = parse_privileges(r, c, &a->deny);
                have_rights = 1;
            } else if (xml_is(c, NS_DAV, "protected")) {
                st = acl_error(r, "no-protected-ace-conflict");
            } else if (xml_is(c, NS_DAV, "inherited")) {
                st = acl_error(r, "no-inherited-ace-conflict");
            }
            if (st) return st;
        }
        if (!have_principal || !have_rights)
            return dav_error_text(r, 400, "Each DAV:ace needs a principal and grant or deny");
        /* granting and denying the same privilege in one ACE contradicts itself */
        if (a->grant & a->deny) return acl_error(r, "no-ace-conflict");
        if (denies_protected(r, res, a)) return acl_error(r, "no-protected-ace-conflict");
        n++;
    }
    st = dav_lock_check(r, res->canon, DAV_CHANGE_CONTENT);
    if (st) return st;
    /* (in the router's write transaction) */
    int rc = store_aces_replace(r->st, res->node.id, 0, aces, n);
    return rc == STORE_OK ? 200 : dav_store_status(rc);
}

/* The DAV side of the authority: what a resolved resource is to
 * privacy/authority.h, and its verdicts as HTTP answers.  No privilege is
 * decided here. */
#include <string.h>

#include "dav/resource.h"
#include "dav/xml_out.h"

/* Who asks.  Their groups are loaded once per request; if they cannot be
 * read, the caller is nobody (a deny naming a group must never be missed). */
static int subject(dav_req *r, priv_subject *who)
{
    memset(who, 0, sizeof(*who));
    if (!r->session) return -1;
    if (!r->groups_loaded) {
        int64_t *g = NULL;
        int n = 0;
        if (store_principal_groups(r->st, r->pool, r->session->principal.id, &g, &n) != STORE_OK)
            return -1;
        r->groups = g;
        r->ngroups = n;
        r->groups_loaded = 1;
    }
    who->principal = r->session->principal.id;
    who->read_only = r->session->read_only;
    who->groups = r->groups;
    who->ngroups = r->ngroups;
    return 0;
}

static priv_node node_of(const dav_resource *res, const store_node *n, priv_chain chain)
{
    return (priv_node){n->owner, chain, res->space == STORE_ROOT_CALENDARS};
}

void dav_priv_object(const dav_resource *res, priv_object *o)
{
    memset(o, 0, sizeof(*o));
    switch (res->type) {
    case DAV_RES_ROOT:
    case DAV_RES_PRINCIPALS:
        o->kind = PRIV_OBJ_VIRTUAL;
        return;
    case DAV_RES_PRINCIPAL:
        o->kind = PRIV_OBJ_PRINCIPAL;
        o->principal = &res->principal;
        return;
    case DAV_RES_NODE:
        o->kind = PRIV_OBJ_NODE;
        o->node = node_of(res, &res->node, res->chain);
        if (res->has_binding) {
            o->via_view = 1;
            /* the view is the sharee's node: its parent's chain, and its own
             * ACEs if it had any */
            priv_chain vc = res->parent_chain;
            if (res->binding.has_acl) vc.known = 0; /* never set on a view: refuse */
            o->view = node_of(res, &res->binding, vc);
        }
        if (res->has_parent) {
            o->has_parent = 1;
            o->parent = node_of(res, &res->parent, res->parent_chain);
        }
        return;
    case DAV_RES_UNMAPPED:
        o->kind = PRIV_OBJ_UNMAPPED;
        /* the direct parent, or the nearest existing ancestor (which decides
         * only whether the caller may know; nothing is granted below a
         * missing collection) */
        o->has_parent = res->parent_chain.known;
        o->parent = (priv_node){res->has_parent ? res->parent.owner : res->home_owner,
                                res->parent_chain, res->space == STORE_ROOT_CALENDARS};
        return;
    default:
        o->kind = 0;
    }
}

unsigned dav_privileges(dav_req *r, const dav_resource *res)
{
    priv_subject who;
    if (subject(r, &who) != 0) return 0;
    priv_object o;
    dav_priv_object(res, &o);
    return priv_current(r->st, r->pool, &who, &o);
}

unsigned dav_privileges_of(dav_req *r, const store_principal *p, const dav_resource *res)
{
    int64_t *g = NULL;
    int n = 0;
    if (store_principal_groups(r->st, r->pool, p->id, &g, &n) != STORE_OK) return 0;
    priv_subject who = {p->id, 0, g, n};
    priv_object o;
    dav_priv_object(res, &o);
    return priv_current(r->st, r->pool, &who, &o);
}

int dav_may_see(dav_req *r, const dav_resource *res)
{
    priv_subject who;
    if (subject(r, &who) != 0) return 0;
    priv_object o;
    dav_priv_object(res, &o);
    return priv_decide(r->st, r->pool, &who, &o, PRIV_ACT_SEE).visible;
}

int dav_child_hidden(dav_req *r, const dav_resource *parent, const dav_resource *child)
{
    /* nothing of its own can change what its parent's answer was: same
     * owner, no ACEs of its own, not a view of something else */
    if (parent->type == DAV_RES_NODE && child->type == DAV_RES_NODE && !child->has_binding &&
        !child->node.has_acl && child->node.owner == parent->node.owner)
        return 0;
    return !dav_may_see(r, child);
}

int dav_may_modify(dav_req *r)
{
    priv_subject who;
    return subject(r, &who) == 0 && priv_may_modify(&who);
}

int dav_authorize(dav_req *r, const dav_resource *res, priv_action act)
{
    priv_subject who;
    if (subject(r, &who) != 0) return 404;
    priv_object o;
    r->log_reason = "not visible to the caller, or missing";
    dav_priv_object(res, &o);
    priv_verdict v = priv_decide(r->st, r->pool, &who, &o, act);
    if (!v.visible) return 404;
    r->log_reason = NULL;
    if (v.allowed) return 0;
    if (v.on_parent && res->has_parent) {
        dav_resource parent;
        dav_parent_resource(r, res, &parent);
        return dav_need_privilege(r, &parent, v.missing);
    }
    return dav_need_privilege(r, res, v.missing);
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
    r->log_reason = name; /* the privilege's name */
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


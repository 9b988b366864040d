/* The one authority over privileges (privacy/authority.h). */
#include "privacy/authority.h"

int priv_may_modify(const priv_subject *who)
{
    return who->principal && !who->read_only;
}

unsigned priv_on_node(store *st, vpool *pool, const priv_subject *who, const priv_node *n)
{
    if (!who->principal || !n->chain.known) return 0;
    priv_target what = {.owner = n->owner,
                        .acl_nodes = n->chain.ids,
                        .nacl = n->chain.n,
                        .calendar_space = n->calendar_space};
    return priv_evaluate(st, pool, who, &what);
}

static int member_of(const priv_subject *who, int64_t group)
{
    for (int i = 0; i < who->ngroups; i++)
        if (who->groups[i] == group) return 1;
    return 0;
}

unsigned priv_on_principal(store *st, vpool *pool, const priv_subject *who,
                           const store_principal *p)
{
    if (!who->principal) return 0;
    unsigned strip = who->read_only ? (unsigned)PRIV_MODIFYING : 0u;
    /* RFC 3744 §5.5.1: DAV:self - the principal the resource is - and, for
     * a delegation group, the user it belongs to (DAV:owner), who manages
     * its members: both protected ACEs granting everything */
    store_ace builtin[] = {
        {.who = STORE_ACE_SELF, .grant = PRIV_ALL},
        {.who = STORE_ACE_OWNER, .grant = PRIV_ALL},
    };
    priv_target self = {.self = p->id,
                        .owner = (p->kind == STORE_PRINCIPAL_PROXY_READ ||
                                  p->kind == STORE_PRINCIPAL_PROXY_WRITE)
                                     ? p->owner : 0};
    unsigned decided = 0, granted = 0;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        priv_apply(who, &self, &builtin[i], &decided, &granted);
    if (granted) return granted & ~strip;
    /* everyone else reads it or does not know it exists */
    unsigned readonly = PRIV_READ | PRIV_READ_CUPS;
    if (p->kind == STORE_PRINCIPAL_RESOURCE || p->kind == STORE_PRINCIPAL_ROOM) return readonly;
    if (member_of(who, p->id)) return readonly;
    int related = 0;
    int64_t other = p->owner ? p->owner : p->id;
    if (store_principals_related(st, who->principal, other, &related) != STORE_OK) return 0;
    (void)pool;
    return related ? readonly : 0;
}

/* Privileges on the object itself (what its URL shows). */
static unsigned on_object(store *st, vpool *pool, const priv_subject *who, const priv_object *o)
{
    switch (o->kind) {
    case PRIV_OBJ_VIRTUAL:
        /* server-owned virtual resources: every user may look */
        return who->principal ? PRIV_READ | PRIV_READ_CUPS : 0;
    case PRIV_OBJ_NODE:
        return priv_on_node(st, pool, who, &o->node);
    case PRIV_OBJ_PRINCIPAL:
        return o->principal ? priv_on_principal(st, pool, who, o->principal) : 0;
    default:
        return 0; /* an unmapped URL holds nothing */
    }
}

unsigned priv_current(store *st, vpool *pool, const priv_subject *who, const priv_object *what)
{
    return on_object(st, pool, who, what);
}

static int visible(store *st, vpool *pool, const priv_subject *who, const priv_object *o)
{
    if (o->kind == PRIV_OBJ_UNMAPPED)
        return o->has_parent && (priv_on_node(st, pool, who, &o->parent) & PRIV_READ);
    return (on_object(st, pool, who, o) & PRIV_READ) != 0;
}

/* The privilege an action needs, and whether on the parent collection. */
static int requirement(const priv_object *o, priv_action act, unsigned *need, int *on_parent,
                       int *on_view)
{
    *on_parent = *on_view = 0;
    switch (act) {
    case PRIV_ACT_SEE:
        *need = PRIV_READ;
        *on_parent = o->kind == PRIV_OBJ_UNMAPPED;
        return 0;
    case PRIV_ACT_WRITE:
        /* RFC 3744 §3.3 write-content; a new member binds in its parent (§3.9) */
        *need = o->kind == PRIV_OBJ_UNMAPPED ? PRIV_BIND : PRIV_WRITE_CONTENT;
        *on_parent = o->kind == PRIV_OBJ_UNMAPPED;
        return 0;
    case PRIV_ACT_CREATE:
        *need = PRIV_BIND;
        *on_parent = 1;
        return 0;
    case PRIV_ACT_REMOVE:
        /* RFC 3744 §3.10: unbind is the parent's; a view's parent is the
         * sharee's own home, so removing a view never touches the owner's */
        *need = PRIV_UNBIND;
        *on_parent = 1;
        return 0;
    case PRIV_ACT_PROPS:
        *need = PRIV_WRITE_PROPERTIES;
        return 0;
    case PRIV_ACT_VIEW_PROPS:
        *need = PRIV_WRITE_PROPERTIES;
        *on_view = o->kind == PRIV_OBJ_NODE && o->via_view;
        return 0;
    case PRIV_ACT_OWN_PROPS:
        *need = PRIV_READ;
        return 0;
    case PRIV_ACT_READ_ACL:
        *need = PRIV_READ_ACL;
        return 0;
    case PRIV_ACT_WRITE_ACL:
    case PRIV_ACT_SHARE:
        /* sharing changes who may do what: it takes what changing the ACL
         * takes */
        *need = PRIV_WRITE_ACL;
        return 0;
    case PRIV_ACT_UNLOCK:
        *need = PRIV_UNLOCK;
        return 0;
    case PRIV_ACT_QUERY_FREEBUSY:
        *need = PRIV_SCHED_SEND_FREEBUSY;
        return 0;
    }
    return -1;
}

static int modifies(priv_action act)
{
    return act != PRIV_ACT_SEE && act != PRIV_ACT_READ_ACL && act != PRIV_ACT_QUERY_FREEBUSY;
}

priv_verdict priv_decide(store *st, vpool *pool, const priv_subject *who, const priv_object *what,
                         priv_action act)
{
    priv_verdict v = {0, 0, PRIV_READ, 0};
    if (!who->principal) return v;
    /* anything the caller may not read does not exist for them */
    if (!visible(st, pool, who, what)) return v;
    v.visible = 1;
    unsigned need;
    int on_parent, on_view;
    if (requirement(what, act, &need, &on_parent, &on_view) != 0) return v;
    v.missing = need;
    v.on_parent = on_parent;
    /* a read-only app password modifies nothing, whatever the ACEs say */
    if (modifies(act) && !priv_may_modify(who)) return v;
    unsigned held;
    if (on_parent) {
        if (!what->has_parent) return v; /* nothing to bind in: denied */
        held = priv_on_node(st, pool, who, &what->parent);
    } else if (on_view) {
        held = priv_on_node(st, pool, who, &what->view);
    } else {
        held = on_object(st, pool, who, what);
    }
    v.allowed = (held & need) == need;
    return v;
}

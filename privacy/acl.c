#include "privacy/acl.h"

#include <string.h>

/* RFC 3744 §3.12 aggregation: every privilege's bits are its own plus its
 * descendants'. */
const priv_name priv_names[] = {
    {"DAV:", "all", PRIV_ALL, -1, "Any operation"},
    {"DAV:", "read", PRIV_READ_ALL, 0, "Read resources and their properties"},
    {"urn:ietf:params:xml:ns:caldav", "read-free-busy", PRIV_READ_FREE_BUSY, 1,
     "Read free-busy information"},
    {"DAV:", "write", PRIV_WRITE, 0, "Write resources, properties and members"},
    {"DAV:", "write-properties", PRIV_WRITE_PROPERTIES, 3, "Write properties"},
    {"DAV:", "write-content", PRIV_WRITE_CONTENT, 3, "Write resource content"},
    {"DAV:", "bind", PRIV_BIND, 3, "Add members to a collection"},
    {"DAV:", "unbind", PRIV_UNBIND, 3, "Remove members from a collection"},
    {"DAV:", "unlock", PRIV_UNLOCK, 0, "Remove locks others hold"},
    {"DAV:", "read-acl", PRIV_READ_ACL, 0, "Read access control lists"},
    {"DAV:", "read-current-user-privilege-set", PRIV_READ_CUPS, 0,
     "Read one's own privileges"},
    {"DAV:", "write-acl", PRIV_WRITE_ACL, 0, "Change access control lists"},
    /* RFC 6638 §6.1, §6.2 (rows 12 to 19: each parent before its children) */
    {"urn:ietf:params:xml:ns:caldav", "schedule-deliver", PRIV_SCHED_DELIVER, 0,
     "Deliver scheduling messages"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-deliver-invite", PRIV_SCHED_DELIVER_INVITE, 12,
     "Deliver scheduling invitations"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-deliver-reply", PRIV_SCHED_DELIVER_REPLY, 12,
     "Deliver scheduling replies"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-query-freebusy", PRIV_SCHED_QUERY_FREEBUSY, 12,
     "Query free-busy time"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-send", PRIV_SCHED_SEND, 0,
     "Send scheduling messages"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-send-invite", PRIV_SCHED_SEND_INVITE, 16,
     "Send scheduling invitations"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-send-reply", PRIV_SCHED_SEND_REPLY, 16,
     "Send scheduling replies"},
    {"urn:ietf:params:xml:ns:caldav", "schedule-send-freebusy", PRIV_SCHED_SEND_FREEBUSY, 16,
     "Send free-busy requests"},
};
const int priv_names_count = sizeof priv_names / sizeof priv_names[0];

const priv_name *priv_find(const char *ns, const char *name)
{
    for (int i = 0; i < priv_names_count; i++)
        if (!strcmp(priv_names[i].name, name) && !strcmp(priv_names[i].ns, ns))
            return &priv_names[i];
    return NULL;
}

static int member_of(const priv_subject *who, int64_t group)
{
    for (int i = 0; i < who->ngroups; i++)
        if (who->groups[i] == group) return 1;
    return 0;
}

static int ace_matches(const priv_subject *who, const priv_target *what, const store_ace *a)
{
    switch (a->who) {
    case STORE_ACE_ALL:
        return 1;
    case STORE_ACE_AUTHENTICATED:
        return who->principal != 0;
    case STORE_ACE_UNAUTHENTICATED:
        return who->principal == 0;
    case STORE_ACE_SELF:
        return who->principal && what->self == who->principal;
    case STORE_ACE_OWNER:
        return who->principal && what->owner == who->principal;
    case STORE_ACE_PRINCIPAL:
        return who->principal && (a->principal == who->principal || member_of(who, a->principal));
    default:
        return 0;
    }
}

/* RFC 3744 §6: ACEs are read in order and, for each privilege, the first
 * matching ACE that grants or denies it decides. */
void priv_apply(const priv_subject *who, const priv_target *what, const store_ace *a,
                unsigned *decided, unsigned *granted)
{
    if (!ace_matches(who, what, a)) return;
    unsigned deny = a->deny & ~*decided;
    unsigned grant = a->grant & ~*decided & ~a->deny;
    *granted |= grant;
    *decided |= deny | grant;
}

unsigned priv_evaluate(store *st, vpool *pool, const priv_subject *who, const priv_target *what)
{
    unsigned decided = 0, granted = 0;
    if (who->principal && what->owner == who->principal) {
        /* the owner's own protected ACE: everything */
        granted = PRIV_ALL;
        decided = PRIV_ALL;
    } else if (what->owner == 0) {
        /* server-owned virtual resources ("/", space roots): anyone
         * authenticated may look */
        if (who->principal) granted = PRIV_READ | PRIV_READ_CUPS;
        decided = PRIV_ALL;
    }
    for (int i = 0; i < what->nacl && decided != PRIV_ALL; i++) {
        store_ace *aces;
        int n;
        if (store_aces_get(st, pool, what->acl_nodes[i], &aces, &n) != STORE_OK) return 0;
        for (int k = 0; k < n; k++) priv_apply(who, what, &aces[k], &decided, &granted);
    }
    if (decided != PRIV_ALL && what->calendar_space && what->owner && who->principal) {
        /* delegation (CalendarServer calendar-proxy): the owner's proxy
         * groups, as protected ACEs inherited from the calendar home */
        for (int i = 0; i < who->ngroups; i++) {
            store_principal g;
            if (store_principal_by_id(st, pool, who->groups[i], &g) != STORE_OK) continue;
            if (g.owner != what->owner) continue;
            store_ace a = {.who = STORE_ACE_PRINCIPAL, .principal = g.id};
            if (g.kind == STORE_PRINCIPAL_PROXY_WRITE)
                a.grant = PRIV_PROXY_WRITE_GRANT;
            else if (g.kind == STORE_PRINCIPAL_PROXY_READ)
                a.grant = PRIV_PROXY_READ_GRANT;
            priv_apply(who, what, &a, &decided, &granted);
        }
    }
    if (who->read_only) granted &= ~(unsigned)PRIV_MODIFYING;
    return granted;
}

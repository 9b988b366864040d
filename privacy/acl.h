/* ACE evaluation, the engine of the authority (privacy/authority.h, which
 * is what the rest of the server asks).  Permissions are computed per request from who is
 * asking and what they touch: ownership, ACEs (the ACL method's and those a
 * share creates), delegation (a user's calendar-proxy groups), group
 * membership and the app password's read-only flag.  They are reported as
 * RFC 3744 privileges. */
#ifndef VEIL_ACL_H
#define VEIL_ACL_H

#include <stdint.h>

#include "common/pool.h"
#include "storage/store.h"

/* RFC 3744 §3 privileges (and CalDAV's read-free-busy, RFC 4791 §6.1.1) as
 * bits; aggregates are unions of bits. */
typedef enum {
    PRIV_READ = 1 << 0,
    PRIV_WRITE_CONTENT = 1 << 1,
    PRIV_WRITE_PROPERTIES = 1 << 2,
    PRIV_BIND = 1 << 3,
    PRIV_UNBIND = 1 << 4,
    PRIV_UNLOCK = 1 << 5,
    PRIV_READ_ACL = 1 << 6,
    PRIV_WRITE_ACL = 1 << 7,
    PRIV_READ_CUPS = 1 << 8, /* read-current-user-privilege-set */
    PRIV_READ_FREE_BUSY = 1 << 9,
    /* RFC 6638 §6: scheduling privileges - deliver on an inbox, send on an
     * outbox */
    PRIV_SCHED_DELIVER_INVITE = 1 << 10,
    PRIV_SCHED_DELIVER_REPLY = 1 << 11,
    PRIV_SCHED_QUERY_FREEBUSY = 1 << 12,
    PRIV_SCHED_SEND_INVITE = 1 << 13,
    PRIV_SCHED_SEND_REPLY = 1 << 14,
    PRIV_SCHED_SEND_FREEBUSY = 1 << 15,
} priv_bits;

#define PRIV_SCHED_DELIVER \
    (PRIV_SCHED_DELIVER_INVITE | PRIV_SCHED_DELIVER_REPLY | PRIV_SCHED_QUERY_FREEBUSY)
#define PRIV_SCHED_SEND (PRIV_SCHED_SEND_INVITE | PRIV_SCHED_SEND_REPLY | PRIV_SCHED_SEND_FREEBUSY)

#define PRIV_WRITE (PRIV_WRITE_CONTENT | PRIV_WRITE_PROPERTIES | PRIV_BIND | PRIV_UNBIND)
#define PRIV_READ_ALL (PRIV_READ | PRIV_READ_FREE_BUSY)
#define PRIV_ALL                                                                             \
    (PRIV_READ_ALL | PRIV_WRITE | PRIV_UNLOCK | PRIV_READ_ACL | PRIV_WRITE_ACL | PRIV_READ_CUPS | \
     PRIV_SCHED_DELIVER | PRIV_SCHED_SEND)
/* What a user's delegation groups (CalendarServer calendar-proxy) hold on
 * their calendar space: read delegates read, write delegates also write and
 * schedule for the delegator (RFC 6638 §6.2). */
#define PRIV_PROXY_READ_GRANT (PRIV_READ_ALL | PRIV_READ_CUPS)
#define PRIV_PROXY_WRITE_GRANT \
    (PRIV_READ_ALL | PRIV_WRITE | PRIV_READ_CUPS | PRIV_UNLOCK | PRIV_SCHED_SEND)
/* What a read-only app password can never exercise. */
#define PRIV_MODIFYING \
    (PRIV_WRITE | PRIV_WRITE_ACL | PRIV_UNLOCK | PRIV_SCHED_SEND_INVITE | PRIV_SCHED_SEND_REPLY)

typedef struct priv_subject {
    int64_t principal;      /* 0: unauthenticated */
    int read_only;          /* read-only app password */
    const int64_t *groups;  /* every group the principal is in (proxy groups included) */
    int ngroups;
} priv_subject;

/* What is being touched. */
typedef struct priv_target {
    int64_t owner;          /* principal owning it (0: the server) */
    int64_t self;           /* a principal resource: that principal, else 0 */
    const int64_t *acl_nodes; /* nodes carrying ACEs: the node, then its own ancestors */
    int nacl;
    int calendar_space;     /* inside a calendar home: the owner's delegates count */
} priv_target;

/* RFC 3744 §6: applies one ACE to the privileges not yet decided (the first
 * matching ACE that grants or denies a privilege decides it). */
void priv_apply(const priv_subject *who, const priv_target *what, const store_ace *a,
                unsigned *decided, unsigned *granted);

/* The privileges `who` holds on `what`.  Reads ACEs and the owner's proxy
 * groups from the store; 0 on any store error (fail closed). */
unsigned priv_evaluate(store *st, vpool *pool, const priv_subject *who, const priv_target *what);

/* The supported-privilege tree (RFC 3744 §5.3), one row per privilege with
 * its parent's index (-1 for the root).  None is abstract: every privilege
 * can be granted or denied on its own. */
typedef struct priv_name {
    const char *ns, *name;
    unsigned bits;
    int parent;
    const char *description;
} priv_name;
extern const priv_name priv_names[];
extern const int priv_names_count;

/* The row for (ns, name), or NULL. */
const priv_name *priv_find(const char *ns, const char *name);

#endif

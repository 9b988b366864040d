/* The one authority over privileges.  Every decision about what a caller may
 * do or see is made here, from three things only:
 *
 *   - who asks: the principal, its groups and the credential's flags
 *     (priv_subject, privacy/acl.h);
 *   - the node's own chain: the ACL-bearing nodes from the node up through
 *     its real ancestors to its space root - never the path the caller used,
 *     so a binding (a sharee's view) never lends its ancestors' ACEs to the
 *     collection it shows;
 *   - what is asked: an action (priv_action), which names the node it needs
 *     a privilege on - the resource itself, or the collection its URL segment
 *     is bound in (RFC 3744 §3.9/§3.10: bind and unbind are privileges of the
 *     parent).
 *
 * Everything fails closed: an unknown chain, an unknown action or a store
 * error grants nothing. */
#ifndef VEIL_AUTHORITY_H
#define VEIL_AUTHORITY_H

#include <stdint.h>

#include "common/pool.h"
#include "privacy/acl.h"
#include "storage/store.h"

/* The ACL-bearing nodes of one node's own ancestry, the node first.  The
 * array belongs to whoever built the chain (a request pool). */
typedef struct priv_chain {
    const int64_t *ids;
    int n;
    int known; /* 0: never resolved - nothing is granted on it */
} priv_chain;

/* A node as the authority sees it. */
typedef struct priv_node {
    int64_t owner;      /* the principal owning it (0: the server) */
    priv_chain chain;
    int calendar_space; /* in the calendar space: the owner's delegates count */
} priv_node;

typedef enum {
    PRIV_OBJ_VIRTUAL = 1, /* "/", "/principals/": the server's, readable by every user */
    PRIV_OBJ_NODE,        /* a stored node */
    PRIV_OBJ_UNMAPPED,    /* nothing at the URL (yet) */
    PRIV_OBJ_PRINCIPAL    /* a principal resource */
} priv_object_kind;

/* What a URL designates. */
typedef struct priv_object {
    int kind;                          /* priv_object_kind */
    priv_node node;                    /* NODE: what the URL shows (a binding's collection) */
    int via_view;                      /* NODE: the last URL segment is a sharee's binding */
    priv_node view;                    /*   the binding itself */
    int has_parent;                    /* the collection the last segment is bound in is known */
    priv_node parent;                  /*   (a view's: the sharee's home; an unmapped URL's:
                                        *   its nearest existing ancestor) */
    const store_principal *principal;  /* PRINCIPAL */
} priv_object;

/* What a request asks to do with the object. */
typedef enum {
    PRIV_ACT_SEE = 1,      /* know it exists and read it (GET, PROPFIND, REPORT, COPY's
                            * source, a Destination, a tagged If list) */
    PRIV_ACT_WRITE,        /* PUT, LOCK: write-content; of an unmapped URL, bind in the parent */
    PRIV_ACT_CREATE,       /* MKCOL, MKCALENDAR: bind in the parent */
    PRIV_ACT_REMOVE,       /* DELETE, MOVE's source, an overwritten destination: unbind
                            * in the parent (a view's parent is the sharee's home) */
    PRIV_ACT_PROPS,        /* PROPPATCH of the resource's own properties */
    PRIV_ACT_VIEW_PROPS,   /* PROPPATCH of what a view keeps (a sharee's name, colour) */
    PRIV_ACT_OWN_PROPS,    /* PROPPATCH of the caller's own presentation of a calendar
                            * someone else owns (per-user colour, order, description):
                            * whoever sees it may choose their own */
    PRIV_ACT_READ_ACL,
    PRIV_ACT_WRITE_ACL,
    PRIV_ACT_UNLOCK,       /* remove a lock someone else holds (RFC 3744 §3.5) */
    PRIV_ACT_SHARE,        /* invite sharees, change or withdraw their access */
    PRIV_ACT_QUERY_FREEBUSY /* POST a free-busy request to an outbox (RFC 6638 §5):
                             * schedule-send-freebusy on it */
} priv_action;

typedef struct priv_verdict {
    int allowed;
    int visible;        /* the caller may know the object exists (else: answer 404) */
    unsigned missing;   /* when not allowed: the privilege that was missing */
    int on_parent;      /* ...on the parent collection rather than the object */
} priv_verdict;

/* The authority's decision on one action.  Reads ACEs, groups and
 * relationships from the store; a store error denies. */
priv_verdict priv_decide(store *st, vpool *pool, const priv_subject *who, const priv_object *what,
                         priv_action act);

/* Every RFC 3744 privilege `who` holds on the object (the
 * current-user-privilege-set; for an unmapped URL, nothing). */
unsigned priv_current(store *st, vpool *pool, const priv_subject *who, const priv_object *what);

/* Privileges on one node from its chain (ownership, ACEs nearest first,
 * delegation); an unknown chain gives nothing. */
unsigned priv_on_node(store *st, vpool *pool, const priv_subject *who, const priv_node *n);

/* A principal resource: its own principal holds everything (DAV:self), the
 * user who owns a delegation group manages it, and principals related to the
 * caller (shares, grants, delegation, groups), rooms and resources may be
 * read; everyone else does not exist for the caller. */
unsigned priv_on_principal(store *st, vpool *pool, const priv_subject *who,
                           const store_principal *p);

/* May this credential modify anything at all?  (A read-only app password may
 * not, whatever the ACEs say.) */
int priv_may_modify(const priv_subject *who);

#endif

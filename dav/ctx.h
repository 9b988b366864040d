/* The engine context: what the engines - sharing, provisioning, notification
 * delivery, and later scheduling - need to act: memory, the stores, the
 * configuration and who acts.  An HTTP request embeds one (its first fields,
 * also reachable as r->ctx); the CLI and mail delivery build one without
 * HTTP.  Whoever owns the context's write transaction runs its after-commit
 * queue once the commit is on disk (dav_ctx_committed), or drops it on a
 * rollback (dav_ctx_rolled_back). */
#ifndef VEIL_DAV_CTX_H
#define VEIL_DAV_CTX_H

#include <stdint.h>

#include "common/pool.h"
#include "server/config.h"
#include "storage/store.h"

struct accounts;

/* Who is asking.  Built by the HTTP layer after authentication. */
typedef struct dav_session {
    store_principal principal; /* the authenticated user's principal */
    int64_t account_id;
    int read_only;             /* a read-only app password */
} dav_session;

/* Something to do only once the write transaction has committed (a cache to
 * update, later a message to send): never for a change that was rolled back. */
typedef struct dav_after {
    void (*fn)(void *arg);
    void *arg;
    struct dav_after *next;
} dav_after;

#define DAV_CTX_FIELDS                                                                    \
    vpool *pool;                /* everything of this request lives here */               \
    const veil_config *cfg;                                                                \
    store *st;                  /* this thread's store connection */                       \
    struct accounts *acct;      /* the account database (may be NULL) */                   \
    const dav_session *session; /* who acts; NULL for the operator (CLI) and for paths   \
                                 * that need no authentication */                          \
    dav_after *after;           /* the after-commit queue, newest first */                \
    struct dav_sched_answer *answers; /* rooms' answers waiting for the organizer's change \
                                       * (dav/sched/autoschedule.c) */

typedef struct dav_ctx {
    DAV_CTX_FIELDS
} dav_ctx;

/* Queues fn(arg) to run after the commit.  0, or -1 out of memory (then the
 * caller fails its change). */
int dav_after_commit(dav_ctx *c, void (*fn)(void *), void *arg);
/* The owner of the transaction: it committed - run the queue, oldest first. */
void dav_ctx_committed(dav_ctx *c);
/* ...it rolled back: nothing queued happens. */
void dav_ctx_rolled_back(dav_ctx *c);

#endif

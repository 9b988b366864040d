/* The engine context's after-commit queue (dav/ctx.h). */
#include "dav/ctx.h"

int dav_after_commit(dav_ctx *c, void (*fn)(void *), void *arg)
{
    dav_after *a = pool_alloc(c->pool, sizeof(*a));
    if (!a) return -1;
    a->fn = fn;
    a->arg = arg;
    a->next = c->after;
    c->after = a;
    return 0;
}

static void run(dav_after *a)
{
    if (!a) return;
    run(a->next); /* oldest first; the queue is short */
    a->fn(a->arg);
}

void dav_ctx_committed(dav_ctx *c)
{
    dav_after *a = c->after;
    c->after = NULL;
    run(a);
}

void dav_ctx_rolled_back(dav_ctx *c)
{
    c->after = NULL;
}

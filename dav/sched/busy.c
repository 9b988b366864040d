/* The objects that make a calendar user busy (RFC 6638 §9.1): those of the
 * calendars of their home that count for free-busy, in a time range.  Shared
 * by free-busy requests (outbox.c) and rooms that book themselves
 * (autoschedule.c). */
#include <string.h>

#include "dav/xml_out.h"
#include "dav/sched/sched.h"

/* RFC 6638 §9.1 schedule-calendar-transp: a transparent calendar counts for
 * no one's busy time. */
static int is_transparent(dav_ctx *c, const store_node *cal)
{
    store_prop p;
    return store_prop_get(c->st, c->pool, cal->id, NS_CALDAV, "schedule-calendar-transp", &p) ==
               STORE_OK &&
           strstr(p.xml, "transparent") != NULL;
}

int dav_sched_each_busy(dav_ctx *c, const store_node *home, int64_t start, int64_t end,
                        int (*fn)(void *arg, const char *data, size_t len), void *arg)
{
    const char *after = NULL;
    for (;;) {
        store_node *kids;
        int n;
        int rc = store_node_children(c->st, c->pool, home->id, after, 64, &kids, &n);
        if (rc != STORE_OK) return rc;
        for (int i = 0; i < n; i++) {
            if (kids[i].kind != STORE_KIND_CALENDAR || is_transparent(c, &kids[i])) continue;
            int64_t *ids;
            int nids;
            rc = store_tr_query(c->st, c->pool, kids[i].id, start, end, &ids, NULL, &nids);
            if (rc != STORE_OK) return rc;
            for (int k = 0; k < nids; k++) {
                /* one object at a time in a pool of its own: memory stays flat */
                vpool *page = pool_new();
                if (!page) return STORE_ERROR;
                const char *data;
                size_t len;
                rc = store_body_get(c->st, page, ids[k], &data, &len);
                if (rc == STORE_OK) rc = fn(arg, data, len);
                pool_free(page);
                if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
            }
        }
        if (n < 64) return STORE_OK;
        after = pool_strdup(c->pool, kids[n - 1].name);
    }
}

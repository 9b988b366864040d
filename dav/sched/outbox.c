/* POST to a scheduling outbox (RFC 6638 §5): free-busy requests, answered at
 * once for local users.  Everything else is scheduled implicitly. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dav/caldav.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/xml_out.h"
#include "ical/freebusy.h"
#include "ical/itip.h"
#include "privacy/acl.h"

static int calendar_media_type(const char *ct)
{
    size_t n = ct ? strcspn(ct, ";") : 0;
    while (n && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return n == 13 && strncasecmp(ct, "text/calendar", 13) == 0;
}

/* May `who` learn `to`'s busy time?  Their own, or with
 * schedule-query-freebusy on the recipient's inbox or read-free-busy on
 * their calendar home (an ACE the recipient set, or delegation).  Nobody
 * else: a stranger's request answers as for an unknown address. */
static int may_query(dav_req *r, const store_principal *who, const store_principal *to,
                     dav_resource *home)
{
    if (who->id == to->id) return 1;
    dav_resource inbox;
    const char *hpath = pool_printf(r->pool, "/calendars/%s/", to->pid);
    if (dav_resolve_raw(r, hpath, home) != 0 || home->type != DAV_RES_NODE) return 0;
    if (dav_privileges_of(r, who, home) & PRIV_READ_FREE_BUSY) return 1;
    const char *ipath = pool_concat(r->pool, hpath, "inbox/", "");
    return dav_resolve_raw(r, ipath, &inbox) == 0 && inbox.type == DAV_RES_NODE &&
           (dav_privileges_of(r, who, &inbox) & PRIV_SCHED_QUERY_FREEBUSY);
}

static int is_transparent(dav_req *r, const store_node *cal)
{
    store_prop p;
    return store_prop_get(r->st, r->pool, cal->id, NS_CALDAV, "schedule-calendar-transp", &p) ==
               STORE_OK &&
           strstr(p.xml, "transparent") != NULL;
}

/* busy_time: the VFREEBUSY would pass max_buffer_bytes (not a store code) */
#define FB_TOO_BIG 100

/* The recipient's busy time in [start, end): their own calendars that count
 * for it (RFC 6638 §9.1 schedule-calendar-transp), as a VFREEBUSY. */
static int busy_time(dav_req *r, const store_node *home, const ical_fb_request *req,
                     const char **fb, size_t *fblen)
{
    ical_fb *acc = ical_fb_new(r->pool, req->start, req->end, NULL);
    if (!acc) return STORE_ERROR;
    const char *after = NULL;
    for (;;) {
        store_node *kids;
        int n;
        int rc = store_node_children(r->st, r->pool, home->id, after, 64, &kids, &n);
        if (rc != STORE_OK) return rc;
        for (int i = 0; i < n; i++) {
            if (kids[i].kind != STORE_KIND_CALENDAR || is_transparent(r, &kids[i])) continue;
            int64_t *ids;
            int nids;
            rc =
                store_tr_query(r->st, r->pool, kids[i].id, req->start, req->end, &ids, NULL, &nids);
            if (rc != STORE_OK) return rc;
            for (int k = 0; k < nids; k++) {
                vpool *page = pool_new();
                if (!page) return STORE_ERROR;
                const char *data;
                size_t len;
                rc = store_body_get(r->st, page, ids[k], &data, &len);
                if (rc == STORE_OK) ical_fb_add_text(acc, data, len);
                pool_free(page);
                if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
            }
        }
        if (n < 64) break;
        after = pool_strdup(r->pool, kids[n - 1].name);
    }
    ical_status st = ical_fb_finish(acc, (int64_t)time(NULL), NULL, fb, fblen);
    return st == ICAL_OK ? STORE_OK : st == ICAL_ERR_LIMIT ? FB_TOO_BIG : STORE_ERROR;
}

static void response(vbuf *out, const char *cua, const char *status, const char *data, size_t len)
{
    buf_puts(out, "<C:response><C:recipient><D:href>");
    xml_text(out, cua);
    buf_puts(out, "</D:href></C:recipient><C:request-status>");
    xml_text(out, status);
    buf_puts(out, "</C:request-status>");
    if (data) {
        buf_puts(out, "<C:calendar-data>");
        xml_text_n(out, data, len);
        buf_puts(out, "</C:calendar-data>");
    }
    buf_puts(out, "</C:response>");
}

int dav_sched_post_outbox(dav_req *r, dav_resource *res)
{
    /* RFC 6638 §6.2: schedule-send-freebusy on the outbox (its owner, write
     * delegates) */
    int st = dav_authorize(r, res, PRIV_ACT_QUERY_FREEBUSY);
    if (st) return st;
    /* RFC 6638 §5.1 preconditions */
    if (!calendar_media_type(dav_header(r, "Content-Type")))
        return dav_error(r, 403, NS_CALDAV, "supported-calendar-data");
    ical_fb_request req;
    const char *why;
    ical_status is = ical_fb_request_read(r->pool, r->body, r->body_len, &req, &why);
    if (is == ICAL_ERR_NOMEM) return 500;
    if (is == ICAL_ERR_DATA) return dav_error(r, 403, NS_CALDAV, "valid-calendar-data");
    if (is != ICAL_OK) {
        r->err_text = why;
        return dav_error(r, 403, NS_CALDAV, "valid-scheduling-message");
    }
    store_principal owner, org;
    int rc = store_principal_by_id(r->st, r->pool, res->node.owner, &owner);
    if (rc != STORE_OK) return dav_store_status(rc);
    rc = dav_sched_principal(&r->ctx, req.organizer, &org);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    if (rc == STORE_NOTFOUND || org.id != owner.id)
        return dav_error(r, 403, NS_CALDAV, "organizer-allowed");
    if (req.nattendees > r->cfg->max_attendees)
        return dav_error(r, 403, NS_CALDAV, "max-attendees-per-instance");

    vbuf *out = &r->out;
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<C:schedule-response");
    buf_puts(out, xml_root_ns_decls);
    buf_puts(out, ">");
    st = 0;
    for (int i = 0; i < req.nattendees; i++) {
        store_principal to;
        dav_resource home;
        rc = dav_sched_principal(&r->ctx, req.attendees[i], &to);
        if (rc != STORE_OK && rc != STORE_NOTFOUND) {
            st = dav_store_status(rc);
            break;
        }
        /* someone unknown, outside, who does not let the organizer see, or
         * whose mail rules block the organizer: one answer for all four */
        if (rc == STORE_NOTFOUND || to.kind == STORE_PRINCIPAL_GROUP ||
            !may_query(r, &owner, &to, &home) ||
            (to.id != owner.id &&
             dav_sched_blocked(&r->ctx, &owner, req.organizer, &to, req.attendees[i]))) {
            response(out, req.attendees[i], "3.7;Invalid calendar user", NULL, 0);
            continue;
        }
        if (to.id == owner.id) {
            const char *hpath = pool_printf(r->pool, "/calendars/%s/", to.pid);
            if (dav_resolve_raw(r, hpath, &home) != 0 || home.type != DAV_RES_NODE) {
                response(out, req.attendees[i], "3.7;Invalid calendar user", NULL, 0);
                continue;
            }
        }
        const char *fb, *reply;
        size_t fblen, rlen;
        rc = busy_time(r, &home.node, &req, &fb, &fblen);
        if (rc == FB_TOO_BIG) {
            st = dav_error_text(r, 507, "The free-busy answer is larger than the server builds");
            break;
        }
        if (rc != STORE_OK) {
            st = dav_store_status(rc);
            break;
        }
        if (ical_fb_reply(r->pool, fb, fblen, &req, req.attendees[i], &reply, &rlen) != ICAL_OK) {
            st = 500;
            break;
        }
        response(out, req.attendees[i], "2.0;Success", reply, rlen);
    }
    if (st) {
        buf_reset(out); /* no half of the answer goes with the failure */
        return st;
    }
    buf_puts(out, "</C:schedule-response>\n");
    if (buf_failed(out)) return 500;
    r->out_type = "application/xml; charset=utf-8";
    return 200;
}

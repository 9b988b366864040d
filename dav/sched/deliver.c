/* Delivering iTIP messages to local users (RFC 6638 §3.2.1.2, §3.2.2.2): the
 * recipient's copy in their calendar home and an item in their scheduling
 * inbox, inside the write transaction of the change that sent them. */
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/props.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/xml_out.h"
#include "ical/itip.h"

static const char *fresh_name(dav_ctx *c, const char *suffix)
{
    unsigned char u[16];
    char s[37];
    if (rand_uuid(u) < 0) return NULL;
    uuid_format(u, s);
    return pool_concat(c->pool, s, suffix, "");
}

/* A new schedule tag (RFC 6638 §3.2.10): opaque, never reused. */
const char *dav_sched_new_tag(dav_ctx *c)
{
    unsigned char b[12];
    char hex[25];
    if (rand_bytes(b, sizeof b) < 0) return NULL;
    hex_encode(b, sizeof b, hex);
    return pool_strdup(c->pool, hex);
}

static int calendar_home(dav_ctx *c, const store_principal *p, store_node *home)
{
    /* someone invited before they ever signed in has homes from now on */
    int rc = dav_provision_homes(c, p);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, p->pid, home);
    return rc;
}

static int takes(const store_node *cal, unsigned kind)
{
    return cal->kind == STORE_KIND_CALENDAR && (!cal->comp_mask || (cal->comp_mask & kind));
}

/* Where a new copy goes: the inbox's schedule-default-calendar-URL (RFC 6638
 * §9.2) when it takes the component, else "calendar", else the first of the
 * recipient's calendars that does (tasks go to a task list). */
static int target_calendar(dav_ctx *c, const store_node *home, unsigned kind, store_node *out)
{
    store_node inbox;
    int rc = store_node_child(c->st, c->pool, home->id, "inbox", &inbox);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
    const char *href =
        rc == STORE_OK ? dav_stored_href(c, inbox.id, NS_CALDAV, "schedule-default-calendar-URL")
                       : NULL;
    uri_path p;
    if (href && uri_parse_path(c->pool, dav_href_path(href), &p) == URI_OK && p.nseg == 3) {
        rc = store_node_child(c->st, c->pool, home->id, p.seg[2], out);
        if (rc == STORE_OK && takes(out, kind)) return STORE_OK;
        if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
    }
    rc = store_node_child(c->st, c->pool, home->id, "calendar", out);
    if (rc == STORE_OK && takes(out, kind)) return STORE_OK;
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
    const char *after = NULL;
    for (;;) {
        store_node *kids;
        int n;
        rc = store_node_children(c->st, c->pool, home->id, after, 64, &kids, &n);
        if (rc != STORE_OK) return rc;
        for (int i = 0; i < n; i++)
            if (takes(&kids[i], kind)) {
                *out = kids[i];
                return STORE_OK;
            }
        if (n < 64) return STORE_NOTFOUND;
        after = kids[n - 1].name;
    }
}

/* The message in the recipient's scheduling inbox (RFC 6638 §2.2). */
int dav_sched_inbox_item(dav_ctx *c, const store_node *home, const char *msg, size_t len)
{
    store_node inbox;
    int rc = store_node_child(c->st, c->pool, home->id, "inbox", &inbox);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* (provisioning makes one) */
    if (rc != STORE_OK) return rc;
    const char *name = fresh_name(c, ".ics");
    if (!name) return STORE_ERROR;
    store_content content = {.body = msg,
                             .length = len,
                             .content_type = "text/calendar; charset=utf-8",
                             .etag = dav_etag_for(c->pool, msg, len)};
    store_node n = {
        .parent = inbox.id, .name = name, .kind = STORE_KIND_RESOURCE, .owner = home->owner};
    return store_node_create(c->st, c->pool, &n, &content, NULL);
}

/* The recipient's copy: msg applied (REQUEST, CANCEL), with a new schedule
 * tag, since the organizer's side changed it. */
static int update_copy(dav_ctx *c, const store_node *home, const ical_sched *s, int have,
                       const store_node *existing, const char *body, size_t blen,
                       const char *method, const char *msg, size_t len)
{
    const char *text = NULL;
    size_t tlen = 0;
    ical_status st;
    if (!strcmp(method, "CANCEL")) {
        if (!have) return STORE_OK; /* nothing to cancel here: the inbox says it */
        st = ical_apply_cancel(c->pool, body, blen, msg, len, &text, &tlen);
        if (st != ICAL_OK) return STORE_ERROR;
        if (!text) return store_node_delete_if(c->st, existing->id, existing->revision);
    } else {
        st = ical_apply_request(c->pool, have ? body : NULL, blen, msg, len, &text, &tlen);
        if (st != ICAL_OK) return STORE_ERROR;
    }
    store_node coll, made;
    int rc;
    if (have) {
        rc = store_node_get(c->st, c->pool, existing->parent, &coll);
        if (rc == STORE_OK) rc = dav_member_put_server(c, &coll, NULL, existing, text, tlen, &made);
    } else {
        rc = target_calendar(c, home, s->kind, &coll);
        if (rc == STORE_NOTFOUND) return STORE_OK; /* no calendar takes it: the inbox has it */
        const char *name = fresh_name(c, ".ics");
        if (rc == STORE_OK && !name) rc = STORE_ERROR;
        if (rc == STORE_OK) rc = dav_member_put_server(c, &coll, name, NULL, text, tlen, &made);
    }
    const char *tag = dav_sched_new_tag(c);
    if (rc == STORE_OK && !tag) rc = STORE_ERROR;
    return rc == STORE_OK ? store_node_set_sched_tag(c->st, made.id, tag) : rc;
}

/* The organizer's copy takes a reply; the other attendees see the answer
 * (RFC 6638 §3.2.2.2: the organizer's server updates them). */
static int take_reply(dav_ctx *c, const ical_sched *s, int have, const store_node *existing,
                      const char *body, size_t blen, const char *msg, size_t len)
{
    if (!have || s->nattendees < 1) return STORE_OK;
    const char *from = s->attendees[0].cua;
    const char *text;
    size_t tlen;
    int changed;
    ical_cua_keys keys;
    if (dav_sched_keys(c, &keys) != 0) return STORE_ERROR;
    if (ical_apply_reply(c->pool, body, blen, msg, len, from, &keys, &text, &tlen, &changed) !=
        ICAL_OK)
        return STORE_ERROR;
    if (!changed) return STORE_OK;
    store_node coll, made;
    int rc = store_node_get(c->st, c->pool, existing->parent, &coll);
    /* (the schedule tag stays: an answer is not the organizer's change) */
    if (rc == STORE_OK) rc = dav_member_put_server(c, &coll, NULL, existing, text, tlen, &made);
    ical_sched now;
    if (rc != STORE_OK || ical_sched_read(c->pool, text, tlen, &keys, &now) != ICAL_OK) return rc;
    for (int i = 0; rc == STORE_OK && i < now.nattendees; i++) {
        const ical_party *a = &now.attendees[i];
        if (a->agent != ICAL_AGENT_SERVER || ical_cua_same(&keys, a->cua, from) ||
            ical_cua_same(&keys, a->cua, now.organizer.cua))
            continue;
        store_principal p;
        int found = dav_sched_principal(c, a->cua, &p);
        if (found == STORE_NOTFOUND) continue; /* outside: mail goes when the organizer
                                                 * changes the event, not per answer */
        if (found != STORE_OK) return found;
        /* the organizer's update, under the attendee's rules as any delivery */
        store_principal org;
        int has_org = dav_sched_principal(c, now.organizer.cua, &org) == STORE_OK;
        if (dav_sched_blocked(c, has_org ? &org : NULL, now.organizer.cua, &p, a->cua)) continue;
        const char *update;
        size_t ulen;
        if (ical_itip_request(c->pool, text, tlen, a->cua, &keys, &update, &ulen) != ICAL_OK)
            return STORE_ERROR;
        const char *ignored;
        rc = dav_sched_deliver(c, &p, update, ulen, 1, &ignored);
    }
    return rc;
}

int dav_sched_deliver(dav_ctx *c, const store_principal *to, const char *msg, size_t len, int quiet,
                      const char **status)
{
    *status = "5.1"; /* could not be delivered */
    ical_sched s;
    const char *method = ical_itip_method(c->pool, msg, len);
    if (!method || ical_sched_read(c->pool, msg, len, NULL, &s) != ICAL_OK || !s.uid)
        return STORE_ERROR;
    store_node home, existing;
    int rc = calendar_home(c, to, &home);
    if (rc != STORE_OK) return rc;
    rc = store_node_by_uid_in_home(c->st, c->pool, home.id, s.uid, 0, &existing);
    if (rc != STORE_OK && rc != STORE_NOTFOUND) return rc;
    int have = rc == STORE_OK;
    const char *body = NULL;
    size_t blen = 0;
    if (have && (rc = store_body_get(c->st, c->pool, existing.id, &body, &blen)) != STORE_OK)
        return rc;
    if (!strcmp(method, "REPLY"))
        rc = take_reply(c, &s, have, &existing, body, blen, msg, len);
    else if (!strcmp(method, "REQUEST") || !strcmp(method, "CANCEL"))
        rc = update_copy(c, &home, &s, have, &existing, body, blen, method, msg, len);
    else
        return STORE_ERROR;
    if (rc == STORE_OK && !quiet) rc = dav_sched_inbox_item(c, &home, msg, len);
    if (rc == STORE_OK) *status = "1.2"; /* RFC 6638 §3.2.9: delivered */
    return rc;
}

/* Delivering iTIP messages to local users (RFC 6638 §3.2.1.2, §3.2.2.2): the
 * recipient's copy in their calendar home and an item in their scheduling
 * inbox, inside the write transaction of the change that sent them. */
#include <openssl/sha.h>
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/props.h"
#include "dav/quota.h"
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

int dav_sched_calendar_moving(dav_req *r, const dav_resource *src, const char *dst_href)
{
    if (src->type != DAV_RES_NODE || src->has_binding || src->node.kind != STORE_KIND_CALENDAR ||
        !src->has_parent || src->parent.kind != STORE_KIND_HOME_CALENDARS)
        return STORE_OK;
    store_node inbox;
    int rc = store_node_child(r->st, r->pool, src->parent.id, "inbox", &inbox);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc != STORE_OK) return rc;
    /* the default is the calendar chosen, else the provisioned "calendar" */
    const char *chosen = dav_stored_href(&r->ctx, inbox.id, NS_CALDAV, "schedule-default-calendar-URL");
    int is_default;
    if (chosen) {
        const char *a = dav_href_path(chosen), *b = dav_node_href(&r->ctx, src->node.id);
        size_t na = strlen(a), nb = strlen(b);
        while (na && a[na - 1] == '/')
            na--;
        while (nb && b[nb - 1] == '/')
            nb--;
        is_default = na == nb && !strncmp(a, b, na);
    } else {
        is_default = !strcmp(src->node.name, "calendar");
    }
    /* RFC 6638 §9.2: the default follows its calendar to the new name */
    if (!is_default) return STORE_OK;
    return dav_store_href(r, inbox.id, NS_CALDAV, "schedule-default-calendar-URL", dst_href);
}

/* The name prefix of the inbox items that carry the local organizer org's
 * messages about uid: a digest, so the name tells nothing of either, and a
 * later change finds the items it supersedes by their prefix. */
static const char *item_prefix(dav_ctx *c, const store_principal *org, const char *uid)
{
    char u[37], hex[33];
    uuid_format(org->uuid, u);
    const char *key = pool_concat(c->pool, u, "\n", uid);
    if (!key) return NULL;
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)key, strlen(key), md);
    hex_encode(md, 16, hex);
    return pool_concat(c->pool, "m", hex, "-");
}

/* The message in the scheduling inbox (RFC 6638 §2.2), named prefix + a
 * fresh uuid. */
static int inbox_item_named(dav_ctx *c, const store_node *home, const char *prefix,
                            const char *msg, size_t len, const char *component)
{
    store_node inbox;
    int rc = store_node_child(c->st, c->pool, home->id, "inbox", &inbox);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* (provisioning makes one) */
    if (rc != STORE_OK) return rc;
    const char *name = fresh_name(c, ".ics");
    if (name && prefix) name = pool_concat(c->pool, prefix, name, "");
    if (!name) return STORE_ERROR;
    store_content content = {.body = msg,
                             .length = len,
                             .content_type = "text/calendar;charset=utf-8",
                             .etag = dav_etag_for(c->pool, msg, len),
                             /* (no UID: messages about one meeting share it,
                              * RFC 6638 §2.2) */
                             .component = component};
    store_node n = {
        .parent = inbox.id, .name = name, .kind = STORE_KIND_RESOURCE, .owner = home->owner};
    return store_node_create(c->st, c->pool, &n, &content, NULL);
}

int dav_sched_inbox_item(dav_ctx *c, const store_node *home, const char *msg, size_t len,
                         const char *component)
{
    return inbox_item_named(c, home, NULL, msg, len, component);
}

int dav_sched_inbox_supersede(dav_ctx *c, const store_principal *org, const char *cua,
                              const char *uid)
{
    store_principal to;
    int rc = dav_sched_principal(c, cua, &to);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* no inbox here */
    store_node home, inbox;
    if (rc == STORE_OK)
        rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, to.pid, &home);
    if (rc == STORE_OK) rc = store_node_child(c->st, c->pool, home.id, "inbox", &inbox);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc != STORE_OK) return rc;
    const char *prefix = item_prefix(c, org, uid);
    if (!prefix) return STORE_ERROR;
    size_t plen = strlen(prefix);
    /* names sort after the bare prefix and before anything else, so the
     * pages stop at the first name without it */
    for (;;) {
        store_node *kids;
        int n;
        rc = store_node_children(c->st, c->pool, inbox.id, prefix, 64, &kids, &n);
        if (rc != STORE_OK) return rc;
        int gone = 0;
        for (int i = 0; i < n && !strncmp(kids[i].name, prefix, plen); i++, gone++)
            if ((rc = store_node_delete(c->st, kids[i].id)) != STORE_OK) return rc;
        if (gone < n || n < 64) return STORE_OK;
    }
}

/* The recipient's copy: msg applied (REQUEST, CANCEL), with a new schedule
 * tag, since the organizer's side changed it - unless answers_only: an
 * update that only brings other attendees' answers keeps it (RFC 6638
 * §3.2.10, attendee rule 2). */
static int update_copy(dav_ctx *c, const store_node *home, const ical_sched *s, int have,
                       const store_node *existing, const char *body, size_t blen,
                       const char *method, const char *msg, size_t len, const char *me,
                       const ical_cua_keys *keys, int answers_only)
{
    const char *text = NULL;
    size_t tlen = 0;
    ical_status st;
    if (!strcmp(method, "CANCEL")) {
        st = ical_apply_cancel(c->pool, body, blen, msg, len, &text, &tlen);
    } else {
        st = ical_apply_request(c->pool, have ? body : NULL, blen, msg, len, me, keys, &text,
                                &tlen);
    }
    if (st != ICAL_OK) return STORE_ERROR;
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
    if (rc != STORE_OK || (have && answers_only && existing->sched_tag)) return rc;
    const char *tag = dav_sched_new_tag(c);
    return tag ? store_node_set_sched_tag(c->st, made.id, tag) : STORE_ERROR;
}

/* The organizer's copy takes a reply; the other attendees see the answer
 * (RFC 6638 §3.2.2.2: the organizer's server updates them). */
static int take_reply(dav_ctx *c, const ical_sched *s, int have, const store_node *existing,
                      const char *body, size_t blen, const char *msg, size_t len,
                      const ical_cua_keys *kp)
{
    if (!have || s->nattendees < 1) return STORE_OK;
    const char *from = s->attendees[0].cua;
    const char *text;
    size_t tlen;
    int changed;
    ical_cua_keys keys = *kp;
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
        if (dav_sched_blocked(c, has_org ? &org : NULL, now.organizer.cua, NULL, &p, a->cua)) continue;
        const char *update;
        size_t ulen;
        if (ical_itip_request(c->pool, text, tlen, a->cua, &keys, &update, &ulen) != ICAL_OK)
            return STORE_ERROR;
        const char *ignored;
        rc = dav_sched_deliver(c, &p, update, ulen, 1, &ignored);
    }
    return rc;
}

static int deliver(dav_ctx *c, const store_principal *to, const char *msg, size_t len, int quiet,
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
    ical_cua_keys keys;
    if (dav_sched_keys(c, &keys) != 0) return STORE_ERROR;
    char u[37];
    uuid_format(to->uuid, u);
    const char *me = pool_concat(c->pool, "urn:uuid:", u, "");
    if (have) {
        /* the copy they hold must be this organizer's meeting: a message
         * from someone else about the same UID (a forgery, or a clash) is
         * refused, and so is a REPLY to anyone but its organizer
         * (RFC 6638 §3.2.9: 5.3, delivery refused) */
        ical_sched es;
        if (ical_sched_read(c->pool, body, blen, &keys, &es) != ICAL_OK || !es.organizer.cua ||
            !ical_cua_same(&keys, es.organizer.cua, s.organizer.cua) ||
            (!strcmp(method, "REPLY") ? !ical_cua_same(&keys, es.organizer.cua, me)
                                      : ical_cua_same(&keys, es.organizer.cua, me))) {
            *status = "5.3";
            return STORE_OK;
        }
    }
    if (!have && !strcmp(method, "CANCEL")) {
        /* nothing of theirs to cancel (never had it, or removed it): no
         * news for them */
        *status = "1.2";
        return STORE_OK;
    }
    if (!have && !strcmp(method, "REQUEST") &&
        ical_declined_everything(c->pool, msg, len, me, &keys)) {
        /* an update of a meeting they declined and removed: it stays
         * removed, until the organizer reschedules it (their answer is reset
         * then) - delivered, and taken as they left it */
        *status = "1.2";
        return STORE_OK;
    }
    if (!strcmp(method, "REPLY"))
        rc = take_reply(c, &s, have, &existing, body, blen, msg, len, &keys);
    else if (!strcmp(method, "REQUEST") || !strcmp(method, "CANCEL"))
        rc = update_copy(c, &home, &s, have, &existing, body, blen, method, msg, len, me, &keys,
                         quiet);
    else
        return STORE_ERROR;
    /* a room or resource answers at once (an update to the other attendees,
     * quiet, asks nothing new) */
    if (rc == STORE_OK && !quiet && !strcmp(method, "REQUEST"))
        rc = dav_sched_autoschedule(c, to, &home, s.uid);
    if (rc == STORE_OK && !quiet) {
        /* a local organizer's messages are named for superseding (RFC 5546
         * §2.1.5: the newer revision is what holds) */
        store_principal org;
        const char *prefix = NULL;
        int found = strcmp(method, "REPLY") ? dav_sched_principal(c, s.organizer.cua, &org)
                                            : STORE_NOTFOUND;
        if (found == STORE_OK && !(prefix = item_prefix(c, &org, s.uid))) found = STORE_ERROR;
        rc = found == STORE_OK || found == STORE_NOTFOUND
                 ? inbox_item_named(c, &home, prefix, msg, len, ical_kind_name(s.kind))
                 : found;
    }
    if (rc == STORE_OK) *status = "1.2"; /* RFC 6638 §3.2.9: delivered */
    return rc;
}

int dav_sched_deliver(dav_ctx *c, const store_principal *to, const char *msg, size_t len, int quiet,
                      const char **status)
{
    /* what a delivery stores counts against the recipient (RFC 4331); one
     * that would take them past their quota is not stored at all, and the
     * sender sees 5.1 as for any message that could not be delivered - not
     * why (dav/quota.h) */
    dav_quota_guard g;
    int refused;
    int rc = dav_quota_guard_begin(c, to->id, &g);
    if (rc != STORE_OK) return rc;
    rc = dav_quota_guard_end(c, &g, deliver(c, to, msg, len, quiet, status), &refused);
    if (refused) *status = "5.1";
    return rc;
}

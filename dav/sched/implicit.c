/* Implicit scheduling (RFC 6638 §3.2): what a change of a calendar object
 * means for the other calendar users, as a step of the member lifecycle. */
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/caldav.h"
#include "dav/member.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/xml_out.h"
#include "ical/itip.h"
#include "ical/itip_mail.h"
#include "ical/object.h"
#include "storage/accounts.h"

enum { ROLE_NONE = 0, ROLE_ORGANIZER, ROLE_ATTENDEE };

/* A principal's urn:uuid address (pool copy). */
static const char *urn_of(dav_ctx *c, const store_principal *p)
{
    char u[37];
    uuid_format(p->uuid, u);
    return pool_concat(c->pool, "urn:uuid:", u, "");
}

/* What is stored becomes text, when it differs from what the client sent
 * (RFC 4791 §5.3.4: then no ETag in the answer). */
static void take_text(dav_req *r, dav_member *m, const char *text, size_t tlen)
{
    if (text == m->c.body) return;
    m->c.body = text;
    m->c.length = tlen;
    m->c.etag = dav_etag_for(r->pool, text, tlen);
    m->changed = 1;
}

/* Is cua one of owner's addresses?  Their urn:uuid first (no lookup), then
 * whatever the address names.  1, 0, or -1 on a store error. */
static int is_owner(dav_ctx *c, const char *cua, const store_principal *owner)
{
    if (ical_cua_equal(cua, urn_of(c, owner))) return 1;
    store_principal p;
    int rc = dav_sched_principal(c, cua, &p);
    if (rc == STORE_NOTFOUND) return 0;
    return rc == STORE_OK ? p.id == owner->id : -1;
}

/* The owner's part in the object: its organizer, one of its attendees, or
 * neither; *me is the owner's address as the object writes it. */
static int role_of(dav_ctx *c, const ical_sched *s, const store_principal *owner, const char **me)
{
    *me = NULL;
    if (!s->organizer.cua) return ROLE_NONE;
    int yes = is_owner(c, s->organizer.cua, owner);
    if (yes < 0) return -1;
    if (yes) {
        *me = s->organizer.cua;
        return ROLE_ORGANIZER;
    }
    for (int i = 0; i < s->nattendees; i++) {
        yes = is_owner(c, s->attendees[i].cua, owner);
        if (yes < 0) return -1;
        if (yes) {
            *me = s->attendees[i].cua;
            return ROLE_ATTENDEE;
        }
    }
    return ROLE_NONE;
}

static int organizer_change(dav_req *r, const store_principal *owner, const char *old,
                            size_t oldlen, const char *new_, size_t newlen, const char *me,
                            const char **out, size_t *outlen)
{
    ical_org_plan plan;
    ical_cua_keys keys;
    if (dav_sched_keys(&r->ctx, &keys) != 0) return STORE_ERROR;
    /* RFC 6638 §3.2.10.1: a client writing with If-Schedule-Tag-Match may
     * hold other attendees' stale values, which the server's replace */
    unsigned flags = dav_header(r, "If-Schedule-Tag-Match") ? ICAL_ORG_MERGE : 0;
    if (ical_sched_organizer(r->pool, old, oldlen, new_, newlen, me, &keys, flags, &plan) !=
        ICAL_OK)
        return STORE_ERROR;
    const char *text = plan.text;
    size_t tlen = plan.len;
    /* RFC 5546 §2.1.4: a CANCEL is a revision too - the one stored, or for a
     * deleted object the next one */
    ical_sched now;
    int seq = -1;
    if (text && ical_sched_read(r->pool, text, tlen, &keys, &now) == ICAL_OK)
        seq = now.sequence;
    else if (!text && ical_sched_read(r->pool, old, oldlen, &keys, &now) == ICAL_OK)
        seq = now.sequence + 1;
    const char *uid = seq >= 0 ? now.uid : NULL;
    for (int i = 0; i < plan.nsends; i++) {
        const ical_send *s = &plan.sends[i];
        if (s->what != ICAL_SEND_NONE && uid) {
            int rc = dav_sched_inbox_supersede(&r->ctx, owner, s->cua, uid);
            if (rc != STORE_OK) return rc;
        }
        /* a CANCEL of instances may be followed by the series itself */
        for (int step = 0; step < 2; step++) {
            int what = step == 0 ? s->what : s->then_request ? ICAL_SEND_REQUEST : ICAL_SEND_NONE;
            if (what == ICAL_SEND_NONE) break;
            const char *msg;
            size_t mlen;
            ical_status st;
            if (what == ICAL_SEND_REQUEST)
                st = ical_itip_request_some(r->pool, text, tlen, s->cua, s->only, s->nonly, &keys,
                                            &msg, &mlen);
            else if (s->nrids || !old || s->status_cancel)
                st = ical_itip_cancel(r->pool, text ? text : old, text ? tlen : oldlen, s->cua,
                                      s->rids, s->nrids, seq, &keys, &msg, &mlen);
            else /* removed from the object, or the object deleted: as they knew it */
                st = ical_itip_cancel(r->pool, old, oldlen, s->cua, NULL, 0, seq, &keys, &msg,
                                      &mlen);
            if (st != ICAL_OK) return STORE_ERROR;
            const char *status;
            int rc = dav_sched_send(&r->ctx, owner, me, s->cua, msg, mlen, &status, NULL);
            if (rc != STORE_OK) return rc;
            /* RFC 6638 §3.2.9: the outcome, on the attendee in the organizer's copy */
            if (text && (what == ICAL_SEND_REQUEST || s->nrids || s->status_cancel) &&
                ical_sched_set_status(r->pool, text, tlen, s->cua, status, &keys, &text, &tlen) !=
                    ICAL_OK)
                return STORE_ERROR;
            /* a room or resource that answered at once (dav/sched/autoschedule.c) */
            if ((rc = dav_sched_take_answers(&r->ctx, owner, me, &text, &tlen)) != STORE_OK)
                return rc;
        }
    }
    *out = text;
    *outlen = tlen;
    return STORE_OK;
}

/* The attendee's change answered to the organizer.  m: what is stored (NULL
 * when the object goes), which then records the outcome of the reply on its
 * ORGANIZER (RFC 6638 §3.2.9) - delivered, refused, or queued for mail. */
static int attendee_change(dav_req *r, const store_principal *owner, const ical_sched *s,
                           const char *old, size_t oldlen, dav_member *m, const char *me)
{
    /* RFC 6638 §8.1 Schedule-Reply: F - the client answers by itself, or not */
    const char *sr = dav_header(r, "Schedule-Reply");
    if (sr && !strcasecmp(sr, "F")) return STORE_OK;
    if (s->organizer.agent != ICAL_AGENT_SERVER) return STORE_OK; /* §7.1 */
    const char *reply;
    size_t rlen;
    ical_cua_keys keys;
    if (dav_sched_keys(&r->ctx, &keys) != 0) return STORE_ERROR;
    if (ical_sched_attendee(r->pool, old, oldlen, m ? m->c.body : NULL, m ? m->c.length : 0, me,
                            &keys, &reply, &rlen) != ICAL_OK)
        return STORE_ERROR;
    if (!reply) return STORE_OK;
    const char *status;
    int rc = dav_sched_send(&r->ctx, owner, me, s->organizer.cua, reply, rlen, &status, NULL);
    if (rc != STORE_OK || !m) return rc;
    const char *text;
    size_t tlen;
    if (ical_sched_mark(r->pool, m->c.body, m->c.length, s->organizer.cua, 1, status, NULL, &keys,
                        &text, &tlen) != ICAL_OK)
        return STORE_ERROR;
    take_text(r, m, text, tlen);
    return STORE_OK;
}

/* Does the organizer's copy of uid (organizer a local user) invite owner?
 * 1, 0 (no copy, or not among its attendees), -1 on a store error. */
static int organizer_invites(dav_req *r, const store_principal *org, const char *uid,
                             const store_principal *owner, const ical_cua_keys *keys)
{
    store_node home, copy;
    int rc = store_node_child(r->st, r->pool, STORE_ROOT_CALENDARS, org->pid, &home);
    if (rc == STORE_OK) rc = store_node_by_uid_in_home(r->st, r->pool, home.id, uid, 0, &copy);
    if (rc == STORE_NOTFOUND) return 0;
    const char *text;
    size_t len;
    if (rc == STORE_OK) rc = store_body_get(r->st, r->pool, copy.id, &text, &len);
    if (rc != STORE_OK) return -1;
    ical_sched s;
    if (ical_sched_read(r->pool, text, len, keys, &s) != ICAL_OK || !s.organizer.cua) return 0;
    const char *me = urn_of(&r->ctx, owner);
    if (!ical_cua_same(keys, s.organizer.cua, urn_of(&r->ctx, org))) return 0;
    for (int i = 0; i < s.nattendees; i++)
        if (ical_cua_same(keys, s.attendees[i].cua, me)) return 1;
    return 0;
}

/* What the owner may not do to a scheduling object (RFC 6638 §3.1, §3.2.2.1):
 * change its ORGANIZER; as its organizer, take the ORGANIZER out and leave
 * attendees; as an attendee, take themselves or the ORGANIZER out; create
 * an attendee's copy of a local organizer's meeting that does not invite
 * them (a copy the organizer would never answer, or a forged one).
 * 0, or an HTTP status with the precondition on r. */
static int check_change(dav_req *r, const ical_sched *so, int orole, const ical_sched *sn,
                        int nrole, const store_principal *owner)
{
    ical_cua_keys keys;
    if (dav_sched_keys(&r->ctx, &keys) != 0) return 500;
    if (orole != ROLE_NONE) {
        const char *cond = orole == ROLE_ORGANIZER ? "allowed-organizer-scheduling-object-change"
                                                   : "allowed-attendee-scheduling-object-change";
        /* (an attendee does not decide who sends their answers either: the
         * ORGANIZER's SCHEDULE-AGENT is the organizer's, §3.2.2.1, §7.1) */
        int bad = sn->organizer.cua ? !ical_cua_same(&keys, so->organizer.cua, sn->organizer.cua) ||
                                          (orole == ROLE_ATTENDEE &&
                                           (nrole != ROLE_ATTENDEE ||
                                            sn->organizer.agent != so->organizer.agent))
                                    : orole == ROLE_ATTENDEE || sn->nattendees > 0;
        return bad ? dav_error(r, 403, NS_CALDAV, cond) : 0;
    }
    /* RFC 6638 §7.1: a copy whose organizer's client schedules by itself is
     * none of the server's business */
    if (nrole != ROLE_ATTENDEE || sn->organizer.agent != ICAL_AGENT_SERVER) return 0;
    store_principal org;
    int rc = dav_sched_principal(&r->ctx, sn->organizer.cua, &org);
    if (rc == STORE_NOTFOUND) return 0; /* someone elsewhere: their server decides */
    if (rc != STORE_OK) return dav_store_status(rc);
    int yes = organizer_invites(r, &org, sn->uid, owner, &keys);
    if (yes < 0) return 503;
    return yes ? 0 : dav_error(r, 403, NS_CALDAV, "allowed-attendee-scheduling-object-change");
}

static int load_text(dav_req *r, const store_node *n, const char **text, size_t *len)
{
    *text = NULL;
    *len = 0;
    if (!n) return STORE_OK;
    int rc = store_body_get(r->st, r->pool, n->id, text, len);
    return rc == STORE_NOTFOUND ? STORE_OK : rc;
}

int dav_sched_on_write(dav_req *r, const store_node *coll, const store_node *old, dav_member *m)
{
    m->sched_tag = NULL;
    if (coll->kind != STORE_KIND_CALENDAR) return 0;
    store_principal owner;
    int rc = store_principal_by_id(r->st, r->pool, coll->owner, &owner);
    if (rc != STORE_OK) return dav_store_status(rc);
    const char *oldtext;
    size_t oldlen;
    if ((rc = load_text(r, old, &oldtext, &oldlen)) != STORE_OK) return dav_store_status(rc);
    ical_sched sn, so;
    if (ical_sched_read(r->pool, m->c.body, m->c.length, NULL, &sn) != ICAL_OK) return 0;
    if (!oldtext || ical_sched_read(r->pool, oldtext, oldlen, NULL, &so) != ICAL_OK)
        memset(&so, 0, sizeof so);
    const char *me, *ome;
    int orole = role_of(&r->ctx, &so, &owner, &ome), nrole = role_of(&r->ctx, &sn, &owner, &me);
    if (orole < 0 || nrole < 0) return 503;
    int st = check_change(r, &so, orole, &sn, nrole, &owner);
    if (st) return st;
    /* the owner's part: in what is written, else in what was there (an
     * organizer who took the last attendee and ORGANIZER out) */
    int role = sn.organizer.cua ? nrole : orole;
    if (!sn.organizer.cua) me = ome;
    if (role == ROLE_NONE) return 0;
    if (sn.organizer.cua) {
        /* RFC 6638 §3.2.4.1: one scheduling object per UID in a home */
        store_node other;
        rc = store_node_by_uid_in_home(r->st, r->pool, coll->parent, sn.uid,
                                       old ? old->id : r->moving_node, &other);
        if (rc == STORE_OK && (!old || other.id != old->id) && other.id != r->moving_node)
            return dav_error(r, 403, NS_CALDAV, "unique-scheduling-object-resource");
        if (rc != STORE_OK && rc != STORE_NOTFOUND) return dav_store_status(rc);
    }
    if (role == ROLE_ORGANIZER) {
        const char *text;
        size_t tlen;
        rc = organizer_change(r, &owner, oldtext, oldlen, m->c.body, m->c.length, me, &text,
                              &tlen);
        if (rc != STORE_OK) return dav_store_status(rc);
        take_text(r, m, text, tlen); /* answers and statuses recorded */
        /* RFC 6638 §3.2.10: the organizer's change is a new schedule tag;
         * what is no longer a scheduling object has none */
        if (!sn.organizer.cua) return 0;
        m->sched_tag = dav_sched_new_tag(&r->ctx);
        return m->sched_tag ? 0 : 500;
    }
    /* RFC 6638 §3.2.2.1 item 8: an overridden instance goes with an EXDATE;
     * one their client merely left out stays, as they last answered it (and
     * the time-range index follows what is stored) */
    if (orole == ROLE_ATTENDEE) {
        const char *text;
        size_t tlen;
        if (ical_keep_dropped_instances(r->pool, oldtext, oldlen, m->c.body, m->c.length, &text,
                                        &tlen) != ICAL_OK)
            return 500;
        if (text != m->c.body) {
            ical_object *obj;
            if (ical_object_parse(r->pool, text, tlen, &obj) != ICAL_OK ||
                caldav_index_object(r->pool, caldav_collection_tz(r, coll), obj, m) != ICAL_OK)
                return 500;
            take_text(r, m, text, tlen);
        }
    }
    /* RFC 6638 §3.2.9: the outcome of their last reply stays recorded where
     * their client left it out */
    if (so.organizer.status && !sn.organizer.status && sn.organizer.cua) {
        ical_cua_keys keys;
        const char *text;
        size_t tlen;
        if (dav_sched_keys(&r->ctx, &keys) != 0 ||
            ical_sched_mark(r->pool, m->c.body, m->c.length, sn.organizer.cua, 1,
                            so.organizer.status, NULL, &keys, &text, &tlen) != ICAL_OK)
            return 500;
        take_text(r, m, text, tlen);
    }
    rc = attendee_change(r, &owner, sn.organizer.cua ? &sn : &so, oldtext, oldlen, m, me);
    if (rc != STORE_OK) return dav_store_status(rc);
    /* RFC 6638 §3.2.10, attendee rule 3: a change made by an HTTP request is
     * a new schedule tag (the ones that stay are the organizer's updates of
     * other attendees' answers) */
    m->sched_tag = dav_sched_new_tag(&r->ctx);
    return m->sched_tag ? 0 : 500;
}

/* The Remove operation (RFC 6638 §3.2.1.3, §3.2.2.3) for node, an object of
 * the calendar cal. */
static int remove_object(dav_req *r, const store_node *cal, const store_node *node)
{
    const char *text;
    size_t len;
    int rc = load_text(r, node, &text, &len);
    if (rc != STORE_OK) return rc;
    ical_sched s;
    if (!text || ical_sched_read(r->pool, text, len, NULL, &s) != ICAL_OK || !s.organizer.cua)
        return STORE_OK;
    store_principal owner;
    rc = store_principal_by_id(r->st, r->pool, cal->owner, &owner);
    if (rc != STORE_OK) return rc;
    const char *me;
    int role = role_of(&r->ctx, &s, &owner, &me);
    if (role < 0) return STORE_ERROR;
    if (role == ROLE_ORGANIZER) {
        const char *ignored;
        size_t ilen;
        rc = organizer_change(r, &owner, text, len, NULL, 0, me, &ignored, &ilen);
    } else if (role == ROLE_ATTENDEE) {
        rc = attendee_change(r, &owner, &s, text, len, NULL, me);
    }
    return rc;
}

/* Every scheduling object below the collection coll (calendars nested in
 * plain collections included, depth levels at most) is removed. */
static int remove_below(dav_req *r, const store_node *coll, int depth)
{
    if (depth <= 0) return STORE_OK;
    const char *after = NULL;
    for (;;) {
        store_node *kids;
        int n;
        int rc = store_node_children(r->st, r->pool, coll->id, after, 64, &kids, &n);
        if (rc != STORE_OK) return rc;
        for (int i = 0; i < n; i++) {
            if (store_kind_is_collection(kids[i].kind))
                rc = remove_below(r, &kids[i], depth - 1);
            else if (coll->kind == STORE_KIND_CALENDAR)
                rc = remove_object(r, coll, &kids[i]);
            if (rc != STORE_OK) return rc;
        }
        if (n < 64) return STORE_OK;
        after = kids[n - 1].name;
    }
}

int dav_sched_on_remove(dav_req *r, const dav_resource *res)
{
    if (res->type != DAV_RES_NODE || res->has_binding) return STORE_OK;
    /* RFC 6638 §3.2.3.2: a calendar that goes removes each of its scheduling
     * objects (the calendar home and the inbox are not deleted this way) */
    if (store_kind_is_collection(res->node.kind)) {
        int holds = res->node.kind == STORE_KIND_CALENDAR ||
                    (res->node.kind == STORE_KIND_COLLECTION && res->has_parent &&
                     res->parent.kind == STORE_KIND_HOME_CALENDARS);
        return holds ? remove_below(r, &res->node, 8) : STORE_OK;
    }
    if (!res->has_parent || res->parent.kind != STORE_KIND_CALENDAR) return STORE_OK;
    return remove_object(r, &res->parent, &res->node);
}

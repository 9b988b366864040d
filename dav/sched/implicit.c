/* Implicit scheduling (RFC 6638 §3.2): what a change of a calendar object
 * means for the other calendar users, as a step of the member lifecycle. */
#include <string.h>
#include <strings.h>

#include "common/rand.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "dav/xml_out.h"
#include "ical/itip.h"
#include "ical/itip_mail.h"
#include "storage/accounts.h"

enum { ROLE_NONE = 0, ROLE_ORGANIZER, ROLE_ATTENDEE };

/* Is cua one of owner's addresses?  Their urn:uuid first (no lookup), then
 * whatever the address names.  1, 0, or -1 on a store error. */
static int is_owner(dav_ctx *c, const char *cua, const store_principal *owner)
{
    char u[37];
    uuid_format(owner->uuid, u);
    if (ical_cua_equal(cua, pool_concat(c->pool, "urn:uuid:", u, ""))) return 1;
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
    if (ical_sched_organizer(r->pool, old, oldlen, new_, newlen, me, &keys, &plan) != ICAL_OK)
        return STORE_ERROR;
    const char *text = plan.text;
    size_t tlen = plan.len;
    for (int i = 0; i < plan.nsends; i++) {
        const ical_send *s = &plan.sends[i];
        if (s->what == ICAL_SEND_NONE) continue;
        const char *msg;
        size_t mlen;
        ical_status st;
        if (s->what == ICAL_SEND_REQUEST)
            st = ical_itip_request(r->pool, text, tlen, s->cua, &keys, &msg, &mlen);
        else if (s->nrids || !old)
            st = ical_itip_cancel(r->pool, text ? text : old, text ? tlen : oldlen, s->cua, s->rids,
                                  s->nrids, &keys, &msg, &mlen);
        else /* removed from the object, or the object deleted: as they knew it */
            st = ical_itip_cancel(r->pool, old, oldlen, s->cua, NULL, 0, &keys, &msg, &mlen);
        if (st != ICAL_OK) return STORE_ERROR;
        const char *status;
        int rc = dav_sched_send(&r->ctx, owner, me, s->cua, msg, mlen, &status, NULL);
        if (rc != STORE_OK) return rc;
        /* RFC 6638 §3.2.9: the outcome, on the attendee in the organizer's copy */
        if (text && (s->what == ICAL_SEND_REQUEST || s->nrids) &&
            ical_sched_set_status(r->pool, text, tlen, s->cua, status, &keys, &text, &tlen) !=
                ICAL_OK)
            return STORE_ERROR;
    }
    *out = text;
    *outlen = tlen;
    return STORE_OK;
}

/* *mail_status: the SCHEDULE-STATUS of a reply that went by mail (iMIP),
 * which the attendee's copy records on its ORGANIZER (RFC 6638 §3.2.9) until
 * the outcome is known; NULL otherwise. */
static int attendee_change(dav_req *r, const store_principal *owner, const ical_sched *s,
                           const char *old, size_t oldlen, const char *new_, size_t newlen,
                           const char *me, const char **mail_status)
{
    *mail_status = NULL;
    /* RFC 6638 §8.1 Schedule-Reply: F - the client answers by itself, or not */
    const char *sr = dav_header(r, "Schedule-Reply");
    if (sr && !strcasecmp(sr, "F")) return STORE_OK;
    if (s->organizer.agent != ICAL_AGENT_SERVER) return STORE_OK; /* §7.1 */
    const char *reply;
    size_t rlen;
    ical_cua_keys keys;
    if (dav_sched_keys(&r->ctx, &keys) != 0) return STORE_ERROR;
    if (ical_sched_attendee(r->pool, old, oldlen, new_, newlen, me, &keys, &reply, &rlen) !=
        ICAL_OK)
        return STORE_ERROR;
    if (!reply) return STORE_OK;
    const char *status;
    int by_mail = 0;
    int rc = dav_sched_send(&r->ctx, owner, me, s->organizer.cua, reply, rlen, &status, &by_mail);
    if (rc == STORE_OK && by_mail) *mail_status = status;
    return rc;
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
    const char *me;
    /* the owner's part: in what is written, else in what was there (an
     * organizer who took the last attendee and ORGANIZER out) */
    int role = role_of(&r->ctx, sn.organizer.cua ? &sn : &so, &owner, &me);
    if (role < 0) return 503;
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
        if (text != m->c.body) {
            /* answers and statuses recorded: not the bytes the client sent
             * (RFC 4791 §5.3.4: then no ETag in the answer) */
            m->c.body = text;
            m->c.length = tlen;
            m->c.etag = dav_etag_for(r->pool, text, tlen);
            m->changed = 1;
        }
        /* RFC 6638 §3.2.10: the organizer's change is a new schedule tag */
        m->sched_tag = dav_sched_new_tag(&r->ctx);
        return m->sched_tag ? 0 : 500;
    }
    const char *mail_status;
    rc = attendee_change(r, &owner, sn.organizer.cua ? &sn : &so, oldtext, oldlen, m->c.body,
                         m->c.length, me, &mail_status);
    if (rc != STORE_OK) return dav_store_status(rc);
    if (mail_status && sn.organizer.cua) {
        ical_cua_keys keys;
        const char *text;
        size_t tlen;
        if (dav_sched_keys(&r->ctx, &keys) != 0 ||
            ical_sched_mark(r->pool, m->c.body, m->c.length, sn.organizer.cua, 1, mail_status,
                            NULL, &keys, &text, &tlen) != ICAL_OK)
            return 500;
        if (text != m->c.body) {
            m->c.body = text;
            m->c.length = tlen;
            m->c.etag = dav_etag_for(r->pool, text, tlen);
            m->changed = 1;
        }
    }
    /* an attendee's own answer keeps the tag the organizer's side gave */
    m->sched_tag = old && old->sched_tag ? old->sched_tag : dav_sched_new_tag(&r->ctx);
    return m->sched_tag ? 0 : 500;
}

int dav_sched_on_remove(dav_req *r, const dav_resource *res)
{
    if (res->type != DAV_RES_NODE || res->has_binding || !res->has_parent ||
        res->parent.kind != STORE_KIND_CALENDAR || store_kind_is_collection(res->node.kind))
        return STORE_OK;
    const char *text;
    size_t len;
    int rc = load_text(r, &res->node, &text, &len);
    if (rc != STORE_OK) return rc;
    ical_sched s;
    if (!text || ical_sched_read(r->pool, text, len, NULL, &s) != ICAL_OK || !s.organizer.cua)
        return STORE_OK;
    store_principal owner;
    rc = store_principal_by_id(r->st, r->pool, res->parent.owner, &owner);
    if (rc != STORE_OK) return rc;
    const char *me;
    int role = role_of(&r->ctx, &s, &owner, &me);
    if (role < 0) return STORE_ERROR;
    if (role == ROLE_ORGANIZER) {
        const char *ignored;
        size_t ilen;
        rc = organizer_change(r, &owner, text, len, NULL, 0, me, &ignored, &ilen);
    } else if (role == ROLE_ATTENDEE) {
        const char *ignored;
        rc = attendee_change(r, &owner, &s, text, len, NULL, 0, me, &ignored);
    }
    return rc;
}

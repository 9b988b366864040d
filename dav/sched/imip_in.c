/* Incoming iMIP (RFC 6047): an iTIP message from a calendar user outside the
 * server, delivered to a local user as RFC 6638 delivers internal ones
 * (dav_sched_deliver), once three things hold:
 *
 *   - the recipient exists and their rules let it in: the mail service's
 *     catch-all rules on the address used, its block list on every address
 *     the message comes from (envelope, From, the iTIP sender) and on the
 *     sending server.  Otherwise the answer is "User Unknown", whatever the
 *     reason, and nothing is left behind (the caller rolls back);
 *   - the message is valid iTIP (ical/itip_in.h);
 *   - whoever sent it may make the change (RFC 5546 §6.1: spoofing the
 *     organizer, spoofing an attendee): the organizer of the recipient's copy
 *     updates or cancels it, the attendee who answers replies.  Proof is the
 *     sender's address and, where trusted_mta is set, DKIM or DMARC as the
 *     trusted MTA found them (common/authres.h).
 *
 * Why "not entitled" is answered with success and nothing applied: the
 * envelope sender of a forged message is usually an innocent party's, so a
 * bounce (EX_NOPERM) would be backscatter to them, and it would tell the
 * forger that the recipient holds a copy with that UID - a probe of someone
 * else's calendar.  The genuine sender of a message that does not qualify
 * learns nothing either way; the recipient still has the mail itself. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/authres.h"
#include "common/log.h"
#include "dav/caldav.h"
#include "dav/sched/sched.h"
#include "ical/itip_in.h"

/* Store errors of every kind (busy, I/O, a concurrent change) answer
 * DAV_IMIP_TEMPFAIL: the message stays in the MTA's queue and nothing is
 * lost, where a bounce would lose it. */
typedef struct imip {
    dav_ctx *c;
    const dav_imip_in *m;
    ical_itip_in in;
    store_principal to; /* the recipient */
    const char *to_cua; /* mailto: the address used */
    const char *why;
    const char *copy; /* the recipient's copy of the UID, when they have one */
    size_t copylen;
} imip;

/* Nothing applied, on purpose; the operator sees why at debug level (never
 * who). */
static int ignore(imip *im, const char *why)
{
    im->why = why;
    log_debug("iMIP message not applied: %s", why);
    return DAV_IMIP_IGNORED;
}

static const char *mailto(imip *im, const char *addr)
{
    return addr && *addr ? pool_concat(im->c->pool, "mailto:", addr, "") : NULL;
}

/* ---- the message ------------------------------------------------------------------- */

static int validate(imip *im)
{
    /* what becomes the recipient's copy must be what a PUT may store */
    ical_ingest_opts o;
    caldav_ingest_opts(im->c, &o);
    ical_status st = ical_itip_in_check(im->c->pool, im->m->itip, im->m->len, &o, &im->in);
    /* RFC 6047 §2.4: the part's method parameter MUST be the METHOD - a
     * mail client showing one thing while another is applied is refused */
    const char *pm = im->m->part_method;
    if (st == ICAL_OK && pm && strcasecmp(pm, im->in.method) != 0) {
        st = ICAL_ERR_OBJECT;
        im->in.why = "the part's method parameter is not the METHOD";
    }
    if (st == ICAL_OK) return 0;
    if (st == ICAL_ERR_NOMEM) return DAV_IMIP_TEMPFAIL;
    /* COUNTER, REFRESH, DECLINECOUNTER, PUBLISH, ADD: dav_sched_deliver
     * takes none of them, and answering them needs outgoing iMIP; a bounce
     * tells the sender plainly that this server does not */
    im->why = im->in.why ? im->in.why : "invalid iTIP";
    return DAV_IMIP_INVALID;
}

/* ---- the recipient and their rules ------------------------------------------------ */

static int recipient(imip *im)
{
    im->to_cua = mailto(im, im->m->recipient);
    if (!im->to_cua) return DAV_IMIP_NO_USER;
    int rc = dav_sched_principal(im->c, im->to_cua, &im->to);
    if (rc == STORE_NOTFOUND) return DAV_IMIP_NO_USER;
    return rc == STORE_OK ? 0 : DAV_IMIP_TEMPFAIL;
}

/* The recipient's rules (dav_sched_blocked): the catch-all rules on the
 * address used, the block list on each address the message comes from and
 * its server: rules on the sending server.  A blocked message is answered as
 * an unknown recipient; an error refuses too (fail closed), as a temporary
 * failure. */
static int blocked(imip *im)
{
    const dav_imip_in *m = im->m;
    const ical_sched *s = &im->in.s;
    const char *server = m->server && *m->server ? m->server : NULL;
    const char *from[] = {NULL, /* no sender: the recipient side and the server */
                          mailto(im, m->sender), mailto(im, m->from),
                          !strcmp(im->in.method, "REPLY") ? s->attendees[0].cua : s->organizer.cua};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        if (i && !from[i]) continue;
        int b = dav_sched_blocked(im->c, NULL, from[i], server, &im->to, im->to_cua);
        if (b) return b > 0 ? DAV_IMIP_NO_USER : DAV_IMIP_TEMPFAIL;
    }
    return 0;
}

/* ---- who is who --------------------------------------------------------------------- */

/* Does cua name a local user (1), or the recipient (2 when `me`)?  0 no, <0
 * store error. */
static int local(imip *im, const char *cua, int me)
{
    store_principal p;
    int rc = dav_sched_principal(im->c, cua, &p);
    if (rc == STORE_NOTFOUND) return 0;
    if (rc != STORE_OK) return -1;
    return me ? (p.id == im->to.id ? 2 : 0) : 1;
}

/* Did cua's owner send the message?  Their mailbox is the envelope sender
 * or the From: field's - Google Calendar sends with an envelope sender of
 * its own (a bounce address) and the organizer or attendee in From - and,
 * with trusted_mta set, a trusted MTA found DKIM or DMARC passing for it.
 * Mailboxes compare without case, as ical_cua_equal does. */
static int sent_by(imip *im, const char *cua)
{
    const char *mb = ical_cua_mailbox(im->c->pool, cua);
    const dav_imip_in *m = im->m;
    if (!mb) return 0;
    if (!(m->sender && !strcasecmp(m->sender, mb)) && !(m->from && !strcasecmp(m->from, mb)))
        return 0;
    const char *trusted = im->c->cfg->trusted_mta;
    if (!trusted || !*trusted) return 1;
    return authres_vouch(im->c->pool, m->auth, m->nauth, trusted, mb);
}

/* The recipient's copy of the message's UID (its text in im->copy): *have 0
 * when there is none. */
static int the_copy(imip *im, store_node *node, ical_sched *s, int *have)
{
    dav_ctx *c = im->c;
    store_node home;
    *have = 0;
    int rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, im->to.pid, &home);
    if (rc == STORE_OK)
        rc = store_node_by_uid_in_home(c->st, c->pool, home.id, im->in.s.uid, 0, node);
    if (rc == STORE_NOTFOUND) return 0;
    const char *body;
    size_t blen;
    if (rc == STORE_OK) rc = store_body_get(c->st, c->pool, node->id, &body, &blen);
    if (rc != STORE_OK) return DAV_IMIP_TEMPFAIL;
    im->copy = body;
    im->copylen = blen;
    /* a copy that is not a scheduling object has no organizer to match */
    if (ical_sched_read(c->pool, body, blen, NULL, s) != ICAL_OK) memset(s, 0, sizeof(*s));
    *have = 1;
    return 0;
}

/* ---- the methods ------------------------------------------------------------------ */

static int deliver(imip *im)
{
    const char *status;
    int rc = dav_sched_deliver(im->c, &im->to, im->in.text, im->in.len, 0, &status);
    return rc == STORE_OK ? DAV_IMIP_DELIVERED : DAV_IMIP_TEMPFAIL;
}

/* An update keeps the answers the recipient's copy holds - theirs and the
 * other attendees' - unless it reschedules (RFC 6638 §3.2.8), as an update
 * from an organizer inside the server does: the same step
 * (ical_sched_organizer), with the copy standing for what the server knew.
 * An organizer's client outside may send NEEDS-ACTION for everyone on a
 * change of the description alone. */
static int keep_answers(imip *im)
{
    ical_cua_keys k;
    ical_org_plan plan;
    if (dav_sched_keys(im->c, &k) != 0) return DAV_IMIP_TEMPFAIL;
    ical_status st = ical_sched_organizer(im->c->pool, im->copy, im->copylen, im->in.text,
                                          im->in.len, im->in.s.organizer.cua, &k, ICAL_ORG_MERGE, &plan);
    if (st == ICAL_ERR_NOMEM) return DAV_IMIP_TEMPFAIL;
    /* a copy the step cannot read gives way to the message as it came */
    if (st == ICAL_OK && plan.changed && plan.text) {
        im->in.text = plan.text;
        im->in.len = plan.len;
    }
    return 0;
}

/* REQUEST and CANCEL (RFC 5546 §3.2.2, §3.2.5) from an outside organizer. */
static int from_organizer(imip *im)
{
    const ical_sched *s = &im->in.s;
    int yes = local(im, s->organizer.cua, 0);
    if (yes < 0) return DAV_IMIP_TEMPFAIL;
    /* a local organizer's changes are scheduled inside the server */
    if (yes) return ignore(im, "the organizer is a local user");
    int attends = 0;
    for (int i = 0; i < s->nattendees && !attends; i++) {
        if ((yes = local(im, s->attendees[i].cua, 1)) < 0) return DAV_IMIP_TEMPFAIL;
        attends = yes == 2;
    }
    if (!attends) return ignore(im, "the recipient is not an attendee");
    store_node node;
    ical_sched stored;
    int have, rc = the_copy(im, &node, &stored, &have);
    if (rc) return rc;
    if (!have) {
        /* a new invitation; a cancellation of nothing says nothing */
        if (!strcmp(im->in.method, "CANCEL")) return ignore(im, "no copy to cancel");
        return deliver(im);
    }
    /* only the organizer of the copy changes it, and not into someone
     * else's meeting */
    if (!stored.organizer.cua || !ical_cua_equal(stored.organizer.cua, s->organizer.cua))
        return ignore(im, "the copy has another organizer");
    if (!sent_by(im, s->organizer.cua)) return ignore(im, "not sent by the organizer");
    if (!strcmp(im->in.method, "REQUEST") && im->copy && (rc = keep_answers(im))) return rc;
    return deliver(im);
}

/* REPLY (RFC 5546 §3.2.3) from an outside attendee to a local organizer. */
static int from_attendee(imip *im)
{
    const char *who = im->in.s.attendees[0].cua;
    int yes = local(im, who, 0);
    if (yes < 0) return DAV_IMIP_TEMPFAIL;
    if (yes) return ignore(im, "the attendee is a local user");
    store_node node;
    ical_sched stored;
    int have, rc = the_copy(im, &node, &stored, &have);
    if (rc) return rc;
    if (!have || !stored.organizer.cua) return ignore(im, "no copy to answer");
    if ((yes = local(im, stored.organizer.cua, 1)) < 0) return DAV_IMIP_TEMPFAIL;
    if (yes != 2) return ignore(im, "the recipient does not organize it");
    /* the message's ORGANIZER, when it has one, is the recipient too */
    const char *org = im->in.s.organizer.cua;
    if (org && !ical_cua_equal(org, stored.organizer.cua)) {
        if ((yes = local(im, org, 1)) < 0) return DAV_IMIP_TEMPFAIL;
        if (yes != 2) return ignore(im, "the reply names another organizer");
    }
    int invited = 0;
    for (int i = 0; i < stored.nattendees && !invited; i++)
        invited = ical_cua_equal(stored.attendees[i].cua, who);
    if (!invited) return ignore(im, "the attendee is not invited");
    if (!sent_by(im, who)) return ignore(im, "not sent by the attendee");
    if (!org) {
        /* Outlook answers without ORGANIZER: the one of the copy, so the
         * REPLY left in the inbox is whole */
        ical_status st = ical_itip_set_organizer(im->c->pool, im->in.text, im->in.len,
                                                 stored.organizer.cua, &im->in.text, &im->in.len);
        if (st != ICAL_OK) return st == ICAL_ERR_NOMEM ? DAV_IMIP_TEMPFAIL : DAV_IMIP_ERROR;
    }
    return deliver(im);
}

int dav_imip_deliver(dav_ctx *c, const dav_imip_in *m, const char **why)
{
    imip im;
    memset(&im, 0, sizeof im);
    im.c = c;
    im.m = m;
    int rc = validate(&im);
    if (!rc) rc = recipient(&im);
    if (!rc) rc = blocked(&im);
    if (!rc) rc = !strcmp(im.in.method, "REPLY") ? from_attendee(&im) : from_organizer(&im);
    *why = im.why;
    return rc;
}

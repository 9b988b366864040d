/* Rooms and resources that book themselves (RFC 6638 §2.4.2 calendar-user-
 * type ROOM / RESOURCE; CalendarServer's auto-schedule modes): when an
 * organizer's change delivers a REQUEST to one, the server answers for it in
 * the same transaction - each instance accepted when its calendars are free
 * then, declined when busy, as its mode says - and the answer reaches the
 * organizer's copy as any REPLY does.  The decision is ical/booking.c's;
 * this module feeds it the room's busy time and carries the answer.
 *
 * Privacy: the organizer learns the room's PARTSTAT per instance and
 * nothing else - not what it is busy with, nor whose. */
#include <string.h>
#include <time.h>

#include "common/rand.h"
#include "dav/caldav.h"
#include "dav/resource.h"
#include "dav/sched/sched.h"
#include "ical/booking.h"
#include "ical/itip.h"
#include "storage/bookable.h"

/* at most this many answers wait for one organizer's change (one per room
 * invited: max_attendees bounds them already) */
static int max_answers(const dav_ctx *c)
{
    return c->cfg && c->cfg->max_attendees > 0 ? c->cfg->max_attendees + 1 : 101;
}

typedef struct dav_sched_answer {
    const char *from; /* the room, as the organizer's copy writes it */
    const store_principal *who;
    const char *msg; /* the REPLY */
    size_t len;
    struct dav_sched_answer *next;
} dav_sched_answer;

static int add_busy(void *arg, const char *data, size_t len)
{
    return ical_book_add_busy(arg, data, len) == ICAL_OK ? STORE_OK : STORE_ERROR;
}

static int queue_answer(dav_ctx *c, const store_principal *to, const char *reply, size_t rlen)
{
    int n = 0;
    for (dav_sched_answer *a = c->answers; a; a = a->next)
        n++;
    if (n >= max_answers(c)) return STORE_OK; /* (cannot happen: one per attendee) */
    ical_sched s;
    dav_sched_answer *a = pool_calloc(c->pool, sizeof(*a));
    store_principal *who = pool_alloc(c->pool, sizeof(*who));
    if (!a || !who || ical_sched_read(c->pool, reply, rlen, NULL, &s) != ICAL_OK ||
        s.nattendees < 1)
        return STORE_ERROR;
    *who = *to;
    *a = (dav_sched_answer){s.attendees[0].cua, who, reply, rlen, c->answers};
    c->answers = a;
    return STORE_OK;
}

int dav_sched_autoschedule(dav_ctx *c, const store_principal *to, const store_node *home,
                           const char *uid)
{
    if (to->kind != STORE_PRINCIPAL_ROOM && to->kind != STORE_PRINCIPAL_RESOURCE) return STORE_OK;
    int mode;
    int rc = store_book_mode_get(c->st, to->id, &mode);
    if (rc != STORE_OK || mode == STORE_BOOK_NONE) return rc; /* its delegates answer */
    store_node copy;
    rc = store_node_by_uid_in_home(c->st, c->pool, home->id, uid, 0, &copy);
    if (rc == STORE_NOTFOUND) return STORE_OK; /* no calendar took it: the inbox has it */
    const char *body;
    size_t blen;
    if (rc == STORE_OK) rc = store_body_get(c->st, c->pool, copy.id, &body, &blen);
    if (rc != STORE_OK) return rc;
    /* only a local organizer's invitation: one from outside (iMIP) waits for
     * a delegate, since the room has no mail address of its own to answer from */
    ical_sched sc;
    store_principal org;
    if (ical_sched_read(c->pool, body, blen, NULL, &sc) != ICAL_OK || !sc.organizer.cua)
        return STORE_OK;
    rc = dav_sched_principal(c, sc.organizer.cua, &org);
    if (rc == STORE_NOTFOUND) return STORE_OK;
    if (rc != STORE_OK) return rc;

    /* the room as itself: its urn:uuid, which the keys match to however the
     * organizer wrote it (an address of it, its principal URL) */
    char u[37];
    uuid_format(to->uuid, u);
    const char *me = pool_concat(c->pool, "urn:uuid:", u, "");
    ical_cua_keys keys;
    if (!me || dav_sched_keys(c, &keys) != 0) return STORE_ERROR;
    ical_booking *b;
    ical_status st =
        ical_book_open(c->pool, body, blen, me, &keys, (int64_t)time(NULL) + CALDAV_HORIZON_SECONDS,
                       c->cfg ? (unsigned)c->cfg->expand_max_instances : 0, &b);
    if (st != ICAL_OK) return STORE_ERROR;
    if (!b) return STORE_OK; /* nothing left to answer */
    int64_t lo, hi;
    ical_book_window(b, &lo, &hi);
    rc = dav_sched_each_busy(c, home, lo, hi, add_busy, b);
    if (rc != STORE_OK) return rc;
    const char *text;
    size_t tlen;
    int changed;
    if (ical_book_answer(b, mode != STORE_BOOK_DECLINE_IF_BUSY, mode != STORE_BOOK_ACCEPT_IF_FREE,
                         &text, &tlen, &changed) != ICAL_OK)
        return STORE_ERROR;
    if (!changed) return STORE_OK;

    /* the REPLY a human attendee's change would send (RFC 6638 §3.2.2); an
     * answer the iTIP rules would not take from a person is not given
     * (the invitation waits for a delegate): the organizer's change goes on */
    const char *reply;
    size_t rlen;
    st = ical_sched_attendee(c->pool, body, blen, text, tlen, me, &keys, &reply, &rlen);
    if (st == ICAL_ERR_NOMEM) return STORE_ERROR;
    if (st != ICAL_OK || !reply) return STORE_OK;
    /* its copy answered (the schedule tag stays: the organizer's side set it) */
    store_node coll, made;
    rc = store_node_get(c->st, c->pool, copy.parent, &coll);
    if (rc == STORE_OK) rc = dav_member_put_server(c, &coll, NULL, &copy, text, tlen, &made);
    return rc == STORE_OK ? queue_answer(c, to, reply, rlen) : rc;
}

int dav_sched_take_answers(dav_ctx *c, const store_principal *organizer, const char *organizer_cua,
                           const char **text, size_t *len)
{
    dav_sched_answer *list = c->answers;
    c->answers = NULL;
    if (!list || !*text) return STORE_OK;
    ical_cua_keys keys;
    if (dav_sched_keys(c, &keys) != 0) return STORE_ERROR;
    store_node home;
    int rc = store_node_child(c->st, c->pool, STORE_ROOT_CALENDARS, organizer->pid, &home);
    if (rc != STORE_OK) return rc;
    for (dav_sched_answer *a = list; a; a = a->next) {
        /* under the organizer's mail rules, as any delivery to them */
        if (dav_sched_blocked(c, a->who, a->from, NULL, organizer, organizer_cua)) continue;
        const char *out;
        size_t olen;
        int changed;
        if (ical_apply_reply(c->pool, *text, *len, a->msg, a->len, a->from, &keys, &out, &olen,
                             &changed) != ICAL_OK)
            return STORE_ERROR;
        *text = out;
        *len = olen;
        if ((rc = dav_sched_inbox_item(c, &home, a->msg, a->len, "VEVENT")) != STORE_OK) return rc;
    }
    return STORE_OK;
}

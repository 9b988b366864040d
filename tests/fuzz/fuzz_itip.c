/* iTIP as implicit scheduling uses it (ical/itip.h): the organizer's plan
 * for a change, the messages it sends, how attendees' copies take them, an
 * attendee's REPLY and how the organizer's copy takes it, SCHEDULE-STATUS,
 * and free-busy requests to an outbox.
 *
 * An input is
 *   byte 0      bit 0: match calendar users through the caller's keys (the
 *               way dav/sched/ does: a user's addresses are one user)
 *   the rest    the old object, a NUL, the new object (no NUL: a new object
 *               with nothing before it)
 * The organizer is the new object's ORGANIZER, the attendee who answers its
 * first ATTENDEE.
 *
 * What must hold: no crash, leak, hang or undefined behaviour; every message
 * produced is iCalendar with the METHOD it should have, and every copy a
 * recipient would store parses as a calendar object. */
#include "ical/itip.h"
#include "ical/object.h"
#include <libical/ical.h>

#include "tests/fuzz/fuzz.h"

/* alice writes herself as mailto:alice@..., urn:uuid:a11ce or her
 * principal URL, as dav/sched/cua.c resolves them */
static const char *keys_of(void *arg, const char *cua)
{
    (void)arg;
    if (ical_cua_equal(cua, "mailto:alice@fuzz.example") || ical_cua_equal(cua, "urn:uuid:a11ce") ||
        ical_cua_equal(cua, "/principals/alice/"))
        return "alice";
    return NULL;
}

static void is_message(vpool *p, const char *msg, size_t len, const char *method)
{
    FUZZ_ASSERT(msg != NULL);
    const char *m = ical_itip_method(p, msg, len);
    if (!m || strcmp(m, method) != 0) {
        fprintf(stderr, "expected METHOD:%s, got %s:\n%.*s\n", method, m ? m : "none", (int)len,
                msg);
        FUZZ_FAIL("wrong iTIP method");
    }
}

/* A copy made from a stored object (one that parses) parses too: garbage
 * in may give garbage out, a stored object may not. */
static void is_object(vpool *p, const char *text, size_t len, int from_object)
{
    ical_object *o;
    if (!from_object) {
        ical_object_parse(p, text, len, &o);
        return;
    }
    if (ical_object_parse(p, text, len, &o) != ICAL_OK) {
        fprintf(stderr, "a stored copy that does not parse:\n%.*s\n", (int)len, text);
        FUZZ_FAIL("unparseable copy");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const ical_cua_keys keys = {keys_of, NULL};
    const ical_cua_keys *k = data[0] & 1 ? &keys : NULL;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    const char *nul = memchr(text, '\0', len);
    const char *old = nul ? text : NULL, *new_ = nul ? nul + 1 : text;
    size_t oldlen = nul ? (size_t)(nul - text) : 0, newlen = nul ? len - oldlen - 1 : len;
    vpool *p = pool_new();

    ical_sched ns, os;
    int have_new = ical_sched_read(p, new_, newlen, k, &ns) == ICAL_OK;
    int have_old = old && ical_sched_read(p, old, oldlen, k, &os) == ICAL_OK;
    const char *msg, *out;
    size_t msglen, outlen;
    ical_object *obj;
    int old_obj = old && ical_object_parse(p, old, oldlen, &obj) == ICAL_OK;
    int new_obj = ical_object_parse(p, new_, newlen, &obj) == ICAL_OK;

    /* the organizer's side */
    if (have_new && ns.organizer.cua) {
        ical_org_plan pl;
        /* both ways of writing: plain, and merging under If-Schedule-Tag-Match */
        unsigned flags = newlen % 2 ? ICAL_ORG_MERGE : 0;
        if (ical_sched_organizer(p, old, oldlen, new_, newlen, ns.organizer.cua, k, flags, &pl) ==
            ICAL_OK) {
            FUZZ_ASSERT(pl.text != NULL);
            for (int i = 0; i < pl.nsends && i < 8; i++) {
                const ical_send *s = &pl.sends[i];
                if (s->what == ICAL_SEND_REQUEST &&
                    ical_itip_request(p, pl.text, pl.len, s->cua, k, &msg, &msglen) == ICAL_OK) {
                    is_message(p, msg, msglen, "REQUEST");
                    if (ical_apply_request(p, have_old ? old : NULL, have_old ? oldlen : 0, msg,
                                           msglen, s->cua, k, &out, &outlen) == ICAL_OK)
                        is_object(p, out, outlen, new_obj && (!have_old || old_obj));
                } else if (s->what == ICAL_SEND_CANCEL && old &&
                           ical_itip_cancel(p, old, oldlen, s->cua, s->rids, s->nrids, -1, k,
                                            &msg, &msglen) == ICAL_OK) {
                    is_message(p, msg, msglen, "CANCEL");
                    if (have_old &&
                        ical_apply_cancel(p, old, oldlen, msg, msglen, &out, &outlen) == ICAL_OK &&
                        out)
                        is_object(p, out, outlen, old_obj);
                }
            }
            if (ns.nattendees > 0 &&
                ical_sched_set_status(p, pl.text, pl.len, ns.attendees[0].cua, "1.2", k, &out,
                                      &outlen) == ICAL_OK)
                is_object(p, out, outlen, ical_object_parse(p, pl.text, pl.len, &obj) == ICAL_OK);
        }
    }
    /* the attendee's side: the first attendee changes old into new */
    if (have_old && os.nattendees > 0) {
        const char *me = os.attendees[0].cua;
        const char *reply = NULL;
        size_t replylen = 0;
        if (ical_sched_attendee(p, old, oldlen, have_new ? new_ : NULL, have_new ? newlen : 0, me,
                                k, &reply, &replylen) == ICAL_OK &&
            reply) {
            is_message(p, reply, replylen, "REPLY");
            int changed;
            if (ical_apply_reply(p, old, oldlen, reply, replylen, me, k, &out, &outlen,
                                 &changed) == ICAL_OK)
                is_object(p, out, outlen, old_obj);
        }
    }
    /* a message as it arrives: whatever its method, applied to the old copy */
    const char *method = ical_itip_method(p, new_, newlen);
    if (method && have_old) {
        if (!strcmp(method, "REQUEST") && os.nattendees > 0 &&
            ical_apply_request(p, old, oldlen, new_, newlen, os.attendees[0].cua, k, &out,
                               &outlen) == ICAL_OK)
            is_object(p, out, outlen, old_obj);
        if (!strcmp(method, "CANCEL") &&
            ical_apply_cancel(p, old, oldlen, new_, newlen, &out, &outlen) == ICAL_OK && out)
            is_object(p, out, outlen, old_obj);
        if (!strcmp(method, "REPLY") && os.nattendees > 0) {
            int changed;
            if (ical_apply_reply(p, old, oldlen, new_, newlen, os.attendees[0].cua, k, &out,
                                 &outlen, &changed) == ICAL_OK)
                is_object(p, out, outlen, old_obj);
        }
    }
    /* a free-busy request POSTed to an outbox */
    ical_fb_request fr;
    const char *why;
    if (ical_fb_request_read(p, new_, newlen, &fr, &why) == ICAL_OK) {
        FUZZ_ASSERT(fr.organizer && fr.nattendees > 0 && fr.start < fr.end);
        static const char fb[] = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
                                 "BEGIN:VFREEBUSY\r\nDTSTAMP:20260101T000000Z\r\n"
                                 "DTSTART:20260101T000000Z\r\nDTEND:20260108T000000Z\r\n"
                                 "FREEBUSY:20260102T100000Z/PT1H\r\nEND:VFREEBUSY\r\n"
                                 "END:VCALENDAR\r\n";
        if (ical_fb_reply(p, fb, sizeof fb - 1, &fr, fr.attendees[0], &out, &outlen) == ICAL_OK)
            is_message(p, out, outlen, "REPLY");
    }
    pool_free(p);
    /* libical keeps its temporary strings in a ring per thread: emptied, so
     * that an input frees what it allocated and the leak check (which runs
     * whenever the counts differ) stays rare */
    icalmemory_free_ring();
    return 0;
}

/* iTIP for implicit scheduling (ical/itip.h): what an organizer's or an
 * attendee's change sends, and how recipients' copies take the messages. */
#include <string.h>

#include "ical/itip.h"
#include "ical/itip_mail.h"
#include "tests/unit/check.h"

#define ORG "mailto:org@example.com"
#define BOB "mailto:bob@example.com"
#define CAROL "mailto:carol@example.com"

static const char *event(vpool *p, const char *start, const char *summary, const char *bob_ps,
                         const char *extra_attendee, const char *extra)
{
    return pool_printf(p,
                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                       "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n"
                       "DTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:%s\r\n"
                       "ORGANIZER:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=%s:" BOB "\r\n%s%s"
                       "END:VEVENT\r\nEND:VCALENDAR\r\n",
                       start, summary, bob_ps, extra_attendee ? extra_attendee : "",
                       extra ? extra : "");
}

/* The caller's keys: bob is also urn:uuid:b0b. */
static const char *same_user(void *arg, const char *cua)
{
    (void)arg;
    if (ical_cua_equal(cua, BOB) || ical_cua_equal(cua, "urn:uuid:b0b")) return "bob";
    return NULL;
}

static const ical_send *send_to(const ical_org_plan *pl, const char *cua)
{
    for (int i = 0; i < pl->nsends; i++)
        if (ical_cua_equal(pl->sends[i].cua, cua)) return &pl->sends[i];
    return NULL;
}

static void test_addresses(void)
{
    CHECK(ical_cua_equal("mailto:Bob@Example.COM", "MAILTO:bob@example.com"));
    CHECK(ical_cua_equal("urn:uuid:ABC", "URN:uuid:abc"));
    CHECK(!ical_cua_equal("mailto:bob@example.com", "mailto:bobby@example.com"));
    CHECK(!ical_cua_equal("http://x/A", "http://x/a"));
    vpool *p = pool_new();
    CHECK_STR(ical_cua_mailbox(p, "MAILTO:bob@example.com"), "bob@example.com");
    CHECK(ical_cua_mailbox(p, "urn:uuid:1") == NULL);
    pool_free(p);
}

static void test_read(void)
{
    vpool *p = pool_new();
    const char *e = event(p, "20270105T100000Z", "s", "NEEDS-ACTION",
                          "ATTENDEE;SCHEDULE-AGENT=CLIENT:" CAROL "\r\n", NULL);
    ical_sched s;
    CHECK_INT(ical_sched_read(p, e, strlen(e), NULL, &s), ICAL_OK);
    CHECK_STR(s.uid, "u1");
    CHECK_STR(s.organizer.cua, ORG);
    CHECK_INT(s.nattendees, 3);
    CHECK_INT(s.attendees[2].agent, ICAL_AGENT_CLIENT);
    pool_free(p);
}

static void test_organizer(void)
{
    vpool *p = pool_new();
    ical_org_plan pl;
    const char *v1 = event(p, "20270105T100000Z", "one", "NEEDS-ACTION",
                           "ATTENDEE;SCHEDULE-AGENT=CLIENT:" CAROL "\r\n", NULL);
    /* a new invitation: everyone but the organizer, the CLIENT one nothing */
    CHECK_INT(ical_sched_organizer(p, NULL, 0, v1, strlen(v1), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK(send_to(&pl, ORG) == NULL);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_REQUEST);
    CHECK_INT(send_to(&pl, CAROL)->what, ICAL_SEND_NONE);
    CHECK_INT(pl.changed, 0);

    /* bob accepted (the server knows); the organizer's client, writing with
     * If-Schedule-Tag-Match, still says NEEDS-ACTION and changes only an
     * alarm: nothing to send, bob's answer merged in (RFC 6638 §3.2.10.1) */
    const char *v2 = event(p, "20270105T100000Z", "one", "ACCEPTED", NULL, NULL);
    const char *v3 = event(p, "20270105T100000Z", "one", "NEEDS-ACTION", NULL,
                           "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\n"
                           "DESCRIPTION:x\r\nEND:VALARM\r\n");
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v3, strlen(v3), ORG, NULL, ICAL_ORG_MERGE,
                                   &pl),
              ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_NONE);
    CHECK_INT(pl.changed, 1);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:bob") != NULL);

    /* a new summary: a REQUEST, the answer kept */
    const char *v4 = event(p, "20270105T100000Z", "two", "NEEDS-ACTION", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v4, strlen(v4), ORG, NULL, ICAL_ORG_MERGE,
                                   &pl),
              ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_REQUEST);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:bob") != NULL);
    /* without a merge, NEEDS-ACTION is the organizer asking again (RFC 6638
     * §3.2.8); any other value is bob's to give */
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v4, strlen(v4), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK(strstr(pl.text, "PARTSTAT=NEEDS-ACTION:mailto:bob") != NULL);
    const char *v4d = event(p, "20270105T100000Z", "two", "DECLINED", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v4d, strlen(v4d), ORG, NULL, 0, &pl),
              ICAL_OK);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:bob") != NULL);
    /* RFC 5546 §2.1.4: a revision sent out has a higher SEQUENCE */
    CHECK(strstr(pl.text, "SEQUENCE:1") != NULL);

    /* one user written two ways (mailto:, then urn:uuid:) is one user: with
     * the caller's keys nothing is cancelled */
    ical_cua_keys k = {same_user, NULL};
    const char *v7 = pool_printf(p, "%s", v2);
    char *m = strstr((char *)v7, "ATTENDEE;PARTSTAT=ACCEPTED:" BOB);
    CHECK(m != NULL);
    const char *v8 = m ? pool_printf(p, "%.*sATTENDEE;PARTSTAT=ACCEPTED:urn:uuid:b0b%s",
                                     (int)(m - v7), v7, m + strlen("ATTENDEE;PARTSTAT=ACCEPTED:" BOB))
                       : v7;
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v8, strlen(v8), ORG, &k, 0, &pl), ICAL_OK);
    CHECK(send_to(&pl, BOB) == NULL); /* one entry for bob, under the address written now */
    CHECK_INT(send_to(&pl, "urn:uuid:b0b")->what, ICAL_SEND_NONE);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v8, strlen(v8), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_CANCEL); /* without keys: two people */

    /* moved to another time: RFC 6638 §3.2.8, the answer back to NEEDS-ACTION */
    const char *v5 = event(p, "20270106T100000Z", "one", "ACCEPTED", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v5, strlen(v5), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_REQUEST);
    CHECK(strstr(pl.text, "PARTSTAT=NEEDS-ACTION:mailto:bob") != NULL);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:org") != NULL);

    /* bob removed: CANCEL; the object deleted: CANCEL */
    const char *v6 = pool_printf(p, "%s", v2);
    char *at = strstr(v6, "ATTENDEE;PARTSTAT=ACCEPTED:" BOB "\r\n");
    CHECK(at != NULL);
    if (at) memmove(at, at + strlen("ATTENDEE;PARTSTAT=ACCEPTED:" BOB "\r\n"),
                    strlen(at + strlen("ATTENDEE;PARTSTAT=ACCEPTED:" BOB "\r\n")) + 1);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), v6, strlen(v6), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_CANCEL);
    CHECK_INT(send_to(&pl, BOB)->nrids, 0);
    CHECK_INT(ical_sched_organizer(p, v2, strlen(v2), NULL, 0, ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_CANCEL);
    pool_free(p);
}

static const char *series(vpool *p, const char *exdate)
{
    return pool_printf(p,
                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                       "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n"
                       "DTSTART:20270105T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=DAILY;COUNT=5\r\n%s"
                       "SUMMARY:daily\r\nORGANIZER:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:" BOB "\r\n"
                       "END:VEVENT\r\nEND:VCALENDAR\r\n",
                       exdate ? exdate : "");
}

static void test_instances(void)
{
    vpool *p = pool_new();
    ical_org_plan pl;
    /* the organizer cancels one occurrence: a CANCEL of that instance only */
    const char *a = series(p, NULL), *b = series(p, "EXDATE:20270107T100000Z\r\n");
    CHECK_INT(ical_sched_organizer(p, a, strlen(a), b, strlen(b), ORG, NULL, 0, &pl), ICAL_OK);
    const ical_send *s = send_to(&pl, BOB);
    CHECK_INT(s->what, ICAL_SEND_CANCEL);
    CHECK_INT(s->nrids, 1);
    CHECK(s->then_request); /* and the series at its new revision */
    if (s->nrids == 1) CHECK_STR(s->rids[0], "20270107T100000Z");
    const char *msg;
    size_t len;
    CHECK_INT(ical_itip_cancel(p, b, strlen(b), BOB, s->rids, s->nrids, -1, NULL, &msg, &len), ICAL_OK);
    CHECK(strstr(msg, "METHOD:CANCEL") && strstr(msg, "RECURRENCE-ID:20270107T100000Z"));

    /* the attendee's copy takes it: that instance cancelled (an override
     * saying so), the rest of the series as it was */
    const char *copy;
    size_t clen;
    CHECK_INT(ical_apply_cancel(p, a, strlen(a), msg, len, &copy, &clen), ICAL_OK);
    CHECK(copy && strstr(copy, "RECURRENCE-ID:20270107T100000Z"));
    CHECK(copy && strstr(copy, "STATUS:CANCELLED"));
    CHECK(copy && !strstr(copy, "EXDATE"));
    /* the series that follows (with the EXDATE) leaves it shown cancelled */
    const char *req;
    size_t qlen;
    CHECK_INT(ical_itip_request(p, b, strlen(b), BOB, NULL, &req, &qlen), ICAL_OK);
    const char *after;
    size_t alen;
    CHECK_INT(ical_apply_request(p, copy, clen, req, qlen, BOB, NULL, &after, &alen), ICAL_OK);
    CHECK(strstr(after, "STATUS:CANCELLED") && !strstr(after, "EXDATE"));
    /* ... and taking the cancelled instance out answers nothing */
    const char *gone;
    size_t glen;
    CHECK_INT(ical_sched_attendee(p, copy, clen, b, strlen(b), BOB, NULL, &gone, &glen), ICAL_OK);
    CHECK(gone == NULL);

    /* the attendee declines one occurrence by taking it out: a REPLY, DECLINED */
    const char *reply;
    size_t rlen;
    CHECK_INT(ical_sched_attendee(p, a, strlen(a), b, strlen(b), BOB, NULL, &reply, &rlen), ICAL_OK);
    CHECK(reply && strstr(reply, "METHOD:REPLY") && strstr(reply, "RECURRENCE-ID:20270107T100000Z"));
    CHECK(reply && strstr(reply, "PARTSTAT=DECLINED"));
    CHECK(reply && !strstr(reply, "mailto:org@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:org"));

    /* the organizer's copy takes that reply: an override for the instance */
    const char *org;
    size_t olen;
    int changed;
    CHECK_INT(ical_apply_reply(p, a, strlen(a), reply, rlen, BOB, NULL, &org, &olen, &changed), ICAL_OK);
    CHECK(changed);
    CHECK(strstr(org, "RECURRENCE-ID:20270107T100000Z") != NULL);
    CHECK(strstr(org, "DTSTART:20270107T100000Z") != NULL);
    CHECK(strstr(org, "SCHEDULE-STATUS=2.0") != NULL);
    /* the same reply again changes nothing */
    const char *org2;
    CHECK_INT(ical_apply_reply(p, org, olen, reply, rlen, BOB, NULL, &org2, &olen, &changed), ICAL_OK);
    CHECK(!changed);
    pool_free(p);
}

static void test_attendee_and_messages(void)
{
    vpool *p = pool_new();
    const char *inv = event(p, "20270105T100000Z", "one", "NEEDS-ACTION", NULL,
                            "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\n"
                            "DESCRIPTION:x\r\nEND:VALARM\r\n");
    const char *req;
    size_t rlen;
    CHECK_INT(ical_itip_request(p, inv, strlen(inv), BOB, NULL, &req, &rlen), ICAL_OK);
    CHECK(strstr(req, "METHOD:REQUEST") != NULL);
    CHECK(strstr(req, "VALARM") == NULL); /* the organizer's alarms stay home */
    CHECK_STR(ical_itip_method(p, req, rlen), "REQUEST");

    /* bob's copy: from the message; his alarm survives the next update */
    const char *copy;
    size_t clen;
    CHECK_INT(ical_apply_request(p, NULL, 0, req, rlen, BOB, NULL, &copy, &clen), ICAL_OK);
    CHECK(strstr(copy, "METHOD") == NULL);
    const char *with_alarm = event(p, "20270105T100000Z", "one", "ACCEPTED", NULL,
                                   "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT9M\r\n"
                                   "DESCRIPTION:mine\r\nEND:VALARM\r\n");
    CHECK_INT(ical_apply_request(p, with_alarm, strlen(with_alarm), req, rlen, BOB, NULL, &copy,
                                 &clen),
              ICAL_OK);
    CHECK(strstr(copy, "TRIGGER:-PT9M") != NULL);

    /* bob accepts: a REPLY with his attendee only; nothing changed: none */
    const char *acc = event(p, "20270105T100000Z", "one", "ACCEPTED", NULL, NULL);
    const char *na = event(p, "20270105T100000Z", "one", "NEEDS-ACTION", NULL, NULL);
    const char *reply;
    size_t len;
    CHECK_INT(ical_sched_attendee(p, na, strlen(na), acc, strlen(acc), BOB, NULL, &reply, &len), ICAL_OK);
    CHECK(reply && strstr(reply, "PARTSTAT=ACCEPTED:mailto:bob") && !strstr(reply, "ATTENDEE;PARTSTAT=ACCEPTED:mailto:org"));
    CHECK_INT(ical_sched_attendee(p, acc, strlen(acc), acc, strlen(acc), BOB, NULL, &reply, &len), ICAL_OK);
    CHECK(reply == NULL);
    /* bob deletes his copy: declined */
    CHECK_INT(ical_sched_attendee(p, acc, strlen(acc), NULL, 0, BOB, NULL, &reply, &len), ICAL_OK);
    CHECK(reply && strstr(reply, "PARTSTAT=DECLINED"));

    /* a whole cancel: the copy stays, cancelled (RFC 5546 §3.2.5), for bob
     * to remove - which declines nothing */
    const char *cancel;
    CHECK_INT(ical_itip_cancel(p, acc, strlen(acc), BOB, NULL, 0, 3, NULL, &cancel, &len), ICAL_OK);
    CHECK(strstr(cancel, "STATUS:CANCELLED") != NULL);
    CHECK(strstr(cancel, "SEQUENCE:3") != NULL); /* the revision it is */
    const char *left;
    size_t llen;
    CHECK_INT(ical_apply_cancel(p, acc, strlen(acc), cancel, len, &left, &llen), ICAL_OK);
    CHECK(left && strstr(left, "STATUS:CANCELLED") && strstr(left, "SUMMARY:one"));
    CHECK_INT(ical_sched_attendee(p, left, llen, NULL, 0, BOB, NULL, &reply, &len), ICAL_OK);
    CHECK(reply == NULL);
    /* a declined meeting deleted: nothing more to say either */
    const char *dec = event(p, "20270105T100000Z", "one", "DECLINED", NULL, NULL);
    CHECK_INT(ical_sched_attendee(p, dec, strlen(dec), NULL, 0, BOB, NULL, &reply, &len), ICAL_OK);
    CHECK(reply == NULL);

    /* the outcome of bob's reply, on the ORGANIZER of his copy */
    const char *os;
    CHECK_INT(ical_sched_mark(p, acc, strlen(acc), ORG, 1, "1.2", NULL, NULL, &os, &len), ICAL_OK);
    CHECK(strstr(os, "ORGANIZER;SCHEDULE-STATUS=1.2:" ORG) != NULL);
    /* and the organizer's next update keeps it */
    CHECK_INT(ical_apply_request(p, os, len, req, rlen, BOB, NULL, &copy, &clen), ICAL_OK);
    CHECK(strstr(copy, "ORGANIZER;SCHEDULE-STATUS=1.2:" ORG) != NULL);

    /* SCHEDULE-STATUS on the organizer's copy */
    const char *st;
    CHECK_INT(ical_sched_set_status(p, acc, strlen(acc), BOB, "1.2", NULL, &st, &len), ICAL_OK);
    CHECK(strstr(st, "SCHEDULE-STATUS=1.2") != NULL);
    pool_free(p);
}

/* Rules found by Apple's CalDAVTester scheduling files (issue 16). */
static void test_organizer_rules(void)
{
    vpool *p = pool_new();
    ical_org_plan pl;
    /* implicitpartstatchange: an invitation the organizer's client wrote as
     * already accepted - no answer has been given, so NEEDS-ACTION */
    const char *acc = event(p, "20270105T100000Z", "one", "ACCEPTED", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, NULL, 0, acc, strlen(acc), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK(pl.changed && strstr(pl.text, "PARTSTAT=NEEDS-ACTION:mailto:bob"));
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:org") != NULL);
    /* ... and so is a new attendee of an existing meeting */
    const char *more = event(p, "20270105T100000Z", "one", "ACCEPTED",
                             "ATTENDEE;PARTSTAT=ACCEPTED:" CAROL "\r\n", NULL);
    CHECK_INT(ical_sched_organizer(p, acc, strlen(acc), more, strlen(more), ORG, NULL, 0, &pl),
              ICAL_OK);
    CHECK(strstr(pl.text, "PARTSTAT=NEEDS-ACTION:mailto:carol") != NULL);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:bob") != NULL);

    /* implicitscenario3: an EXDATE is no reschedule - bob's answer stays and
     * only that instance is cancelled for him */
    const char *a = series(p, NULL), *b = series(p, "EXDATE:20270107T100000Z\r\n");
    CHECK_INT(ical_sched_organizer(p, a, strlen(a), b, strlen(b), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK(strstr(pl.text, "PARTSTAT=ACCEPTED:mailto:bob") != NULL);
    CHECK(strstr(pl.text, "SEQUENCE:1") != NULL);

    /* implicitsequence: a client sending SEQUENCE:0 again after 1 does not
     * take the meeting back to an older revision */
    const char *s1 = event(p, "20270105T100000Z", "one", "NEEDS-ACTION", NULL, "SEQUENCE:1\r\n");
    const char *s0 = event(p, "20270105T100000Z", "one", "NEEDS-ACTION", NULL, "SEQUENCE:0\r\n");
    CHECK_INT(ical_sched_organizer(p, s1, strlen(s1), s0, strlen(s0), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK(pl.changed && strstr(pl.text, "SEQUENCE:1"));
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_NONE);

    /* implicitattendeedelete: bob declined; the update of a new summary says
     * so (his server leaves a removed copy removed), a new time asks again */
    const char *dec = event(p, "20270105T100000Z", "one", "DECLINED", NULL, NULL);
    const char *ren = event(p, "20270105T100000Z", "two", "DECLINED", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, dec, strlen(dec), ren, strlen(ren), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_REQUEST);
    const char *msg;
    size_t mlen;
    CHECK_INT(ical_itip_request(p, pl.text, pl.len, BOB, NULL, &msg, &mlen), ICAL_OK);
    CHECK(ical_declined_everything(p, msg, mlen, BOB, NULL));
    const char *mov = event(p, "20270106T100000Z", "one", "DECLINED", NULL, NULL);
    CHECK_INT(ical_sched_organizer(p, dec, strlen(dec), mov, strlen(mov), ORG, NULL, 0, &pl), ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_REQUEST);
    CHECK(strstr(pl.text, "PARTSTAT=NEEDS-ACTION:mailto:bob") != NULL);
    CHECK_INT(ical_itip_request(p, pl.text, pl.len, BOB, NULL, &msg, &mlen), ICAL_OK);
    CHECK(!ical_declined_everything(p, msg, mlen, BOB, NULL));

    /* implicitcancels: STATUS:CANCELLED is a CANCEL (RFC 5546 §3.2.5), with
     * no REQUEST when nothing else changed */
    const char *can = event(p, "20270105T100000Z", "one", "ACCEPTED", NULL,
                            "STATUS:CANCELLED\r\n");
    CHECK_INT(ical_sched_organizer(p, acc, strlen(acc), can, strlen(can), ORG, NULL, 0, &pl),
              ICAL_OK);
    CHECK_INT(send_to(&pl, BOB)->what, ICAL_SEND_CANCEL);
    CHECK(send_to(&pl, BOB)->status_cancel && !send_to(&pl, BOB)->then_request);
    const char *can2 = event(p, "20270105T100000Z", "two", "ACCEPTED", NULL,
                             "STATUS:CANCELLED\r\n");
    CHECK_INT(ical_sched_organizer(p, acc, strlen(acc), can2, strlen(can2), ORG, NULL, 0, &pl),
              ICAL_OK);
    CHECK(send_to(&pl, BOB)->status_cancel && send_to(&pl, BOB)->then_request);
    pool_free(p);
}

/* implicitattendeedelete: an instance bob declined and took out of his copy
 * stays out when the organizer updates the series. */
static void test_declined_instance_stays_out(void)
{
    vpool *p = pool_new();
    const char *over = "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n"
                       "RECURRENCE-ID:20270107T100000Z\r\nDTSTART:20270107T100000Z\r\n"
                       "DURATION:PT1H\r\nSUMMARY:daily\r\nORGANIZER:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:" ORG "\r\n"
                       "ATTENDEE;PARTSTAT=DECLINED:" BOB "\r\nEND:VEVENT\r\n";
    const char *org = series(p, NULL);
    const char *end = strstr(org, "END:VCALENDAR");
    const char *with = pool_printf(p, "%.*s%sEND:VCALENDAR\r\n", (int)(end - org), org, over);
    const char *req;
    size_t rlen;
    CHECK_INT(ical_itip_request(p, with, strlen(with), BOB, NULL, &req, &rlen), ICAL_OK);
    /* impliciterrors: one SEQUENCE for the object - a forgotten raise of the
     * master raises the override with it */
    const char *end2 = strstr(with, "END:VCALENDAR");
    const char *renamed = pool_printf(p, "%.*s", (int)(end2 - with), with);
    char *sum = strstr((char *)renamed, "SUMMARY:daily");
    if (sum) memcpy(sum, "SUMMARY:DAILY", 13);
    renamed = pool_printf(p, "%sEND:VCALENDAR\r\n", renamed);
    ical_org_plan pl;
    CHECK_INT(ical_sched_organizer(p, with, strlen(with), renamed, strlen(renamed), ORG, NULL, 0, &pl),
              ICAL_OK);
    const char *seq1 = strstr(pl.text, "SEQUENCE:1");
    CHECK(seq1 && strstr(seq1 + 1, "SEQUENCE:1"));

    const char *mine = series(p, "EXDATE:20270107T100000Z\r\n");
    const char *copy;
    size_t clen;
    CHECK_INT(ical_apply_request(p, mine, strlen(mine), req, rlen, BOB, NULL, &copy, &clen),
              ICAL_OK);
    CHECK(strstr(copy, "EXDATE:20270107T100000Z") != NULL);
    CHECK(strstr(copy, "RECURRENCE-ID") == NULL);
    pool_free(p);
}

/* implicitrecur1: a change of one instance is a REQUEST of that instance
 * only (RFC 5546 §3.2.2), and the attendee's copy takes it without losing
 * the rest of the series. */
static void test_partial_update(void)
{
    vpool *p = pool_new();
#define OVER(summary)                                                                      \
    "BEGIN:VEVENT\r\nUID:s1\r\nDTSTAMP:20260101T000000Z\r\n"                              \
    "RECURRENCE-ID:20270107T100000Z\r\nDTSTART:20270107T110000Z\r\n"                       \
    "DURATION:PT1H\r\nSUMMARY:" summary "\r\nORGANIZER:" ORG "\r\n"                        \
    "ATTENDEE;PARTSTAT=ACCEPTED:" ORG "\r\n"                                               \
    "ATTENDEE;PARTSTAT=ACCEPTED:" BOB "\r\nEND:VEVENT\r\n"
    const char *base = series(p, NULL);
    const char *end = strstr(base, "END:VCALENDAR");
    const char *a = pool_printf(p, "%.*s", (int)(end - base), base);
    const char *v1 = pool_printf(p, "%s" OVER("one") "END:VCALENDAR\r\n", a);
    const char *v2 = pool_printf(p, "%s" OVER("two") "END:VCALENDAR\r\n", a);
    ical_org_plan pl;
    CHECK_INT(ical_sched_organizer(p, v1, strlen(v1), v2, strlen(v2), ORG, NULL, 0, &pl), ICAL_OK);
    const ical_send *s = send_to(&pl, BOB);
    CHECK_INT(s->what, ICAL_SEND_REQUEST);
    CHECK_INT(s->nonly, 1);
    const char *msg;
    size_t mlen;
    CHECK_INT(ical_itip_request_some(p, pl.text, pl.len, BOB, s->only, s->nonly, NULL, &msg,
                                     &mlen),
              ICAL_OK);
    CHECK(strstr(msg, "RRULE") == NULL && strstr(msg, "SUMMARY:two"));
    const char *copy;
    size_t clen;
    CHECK_INT(ical_apply_request(p, v1, strlen(v1), msg, mlen, BOB, NULL, &copy, &clen), ICAL_OK);
    CHECK(strstr(copy, "RRULE:FREQ=DAILY") && strstr(copy, "SUMMARY:two"));
    CHECK(!strstr(copy, "SUMMARY:one"));
    pool_free(p);
}

int main(void)
{
    RUN(test_addresses);
    RUN(test_read);
    RUN(test_organizer);
    RUN(test_instances);
    RUN(test_attendee_and_messages);
    RUN(test_organizer_rules);
    RUN(test_declined_instance_stays_out);
    RUN(test_partial_update);
    return check_summary();
}

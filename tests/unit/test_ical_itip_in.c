/* ical/itip_in.h: what must hold of an iTIP message from outside before it
 * is delivered - one row per rule, the message and the verdict. */
#include <string.h>

#include "ical/itip_in.h"
#include "tests/unit/check.h"

#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
#define TAIL "END:VCALENDAR\r\n"
#define EV(body) "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n" body "END:VEVENT\r\n"
#define WHEN "DTSTART:20270105T100000Z\r\nDURATION:PT1H\r\n"
#define ORG "ORGANIZER:mailto:org@outside.example\r\n"
#define BOB "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@veil.example\r\n"
#define ANA "ATTENDEE;PARTSTAT=ACCEPTED:mailto:ana@outside.example\r\n"

static vpool *P;

static ical_status check(const char *msg, ical_itip_in *out)
{
    ical_ingest_opts o;
    ical_ingest_opts_init(&o);
    o.max_bytes = 4096;
    o.v.max_attendees = 3;
    return ical_itip_in_check(P, msg, strlen(msg), &o, out);
}

static void test_table(void)
{
    static const struct {
        const char *msg;
        ical_status want;
        const char *method;
    } rows[] = {
        /* what is taken */
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB) TAIL, ICAL_OK, "REQUEST"},
        {HEAD "METHOD:request\r\n" EV(WHEN ORG BOB) TAIL, ICAL_OK, "REQUEST"},
        {HEAD "METHOD:CANCEL\r\n" EV(ORG BOB "SEQUENCE:1\r\n") TAIL, ICAL_OK, "CANCEL"},
        {HEAD "METHOD:CANCEL\r\n" EV(ORG) TAIL, ICAL_OK, "CANCEL"}, /* everyone cancelled */
        {HEAD "METHOD:REPLY\r\n" EV(ORG ANA) TAIL, ICAL_OK, "REPLY"},
        {HEAD "METHOD:REPLY\r\n" EV(ANA) TAIL, ICAL_OK, "REPLY"}, /* Outlook: no ORGANIZER */
        {HEAD "METHOD:REPLY\r\n" EV(ANA "RECURRENCE-ID:20270112T100000Z\r\n") EV(ANA) TAIL, ICAL_OK,
         "REPLY"},
        {HEAD "METHOD:REQUEST\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20260101T000000Z\r\n" ORG BOB
              "END:VTODO\r\n" TAIL,
         ICAL_OK, "REQUEST"},
        /* not iCalendar, or not within bounds */
        {"hello", ICAL_ERR_DATA, NULL},
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB), ICAL_ERR_DATA, NULL}, /* no END */
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB "SUMMARY:\xC3(\r\n") TAIL, ICAL_ERR_DATA, NULL},
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB "SUMMARY:a\x01z\r\n") TAIL, ICAL_ERR_DATA, NULL},
        /* METHOD: one, and one this server takes */
        {HEAD EV(WHEN ORG BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REQUEST\r\nMETHOD:CANCEL\r\n" EV(WHEN ORG BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:COUNTER\r\n" EV(WHEN ORG ANA) TAIL, ICAL_ERR_COMPONENT, "COUNTER"},
        {HEAD "METHOD:REFRESH\r\n" EV(ORG ANA) TAIL, ICAL_ERR_COMPONENT, "REFRESH"},
        {HEAD "METHOD:PUBLISH\r\n" EV(WHEN ORG) TAIL, ICAL_ERR_COMPONENT, "PUBLISH"},
        {HEAD "METHOD:DECLINECOUNTER\r\n" EV(ORG ANA) TAIL, ICAL_ERR_COMPONENT, "DECLINECOUNTER"},
        {HEAD "METHOD:ADD\r\n" EV(WHEN ORG BOB) TAIL, ICAL_ERR_COMPONENT, "ADD"},
        /* the components */
        {HEAD "METHOD:REQUEST\r\n" TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REQUEST\r\nBEGIN:VJOURNAL\r\nUID:j\r\n" ORG BOB "END:VJOURNAL\r\n" TAIL,
         ICAL_ERR_COMPONENT, NULL},
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB) "BEGIN:VEVENT\r\nUID:u2\r\n" WHEN ORG BOB
                                                    "RECURRENCE-ID:20270105T100000Z\r\n"
                                                    "END:VEVENT\r\n" TAIL,
         ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REQUEST\r\nBEGIN:VEVENT\r\n" WHEN ORG BOB "END:VEVENT\r\n" TAIL,
         ICAL_ERR_OBJECT, NULL}, /* no UID */
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG BOB "RECURRENCE-ID:20270105T100000Z\r\n")
             EV(WHEN "ORGANIZER:mailto:other@outside.example\r\n" BOB) TAIL,
         ICAL_ERR_OBJECT, NULL}, /* two organizers */
        /* per method */
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REQUEST\r\n" EV(WHEN ORG) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:CANCEL\r\n" EV(BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REPLY\r\n" EV(ORG) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REPLY\r\n" EV(ORG ANA BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        /* a REQUEST is what a PUT would store: DTSTART, the attendee bound */
        {HEAD "METHOD:REQUEST\r\n" EV("DURATION:PT1H\r\n" ORG BOB) TAIL, ICAL_ERR_OBJECT, NULL},
        {HEAD "METHOD:REQUEST\r\n" EV(
             WHEN ORG BOB ANA "ATTENDEE:mailto:c@x.example\r\nATTENDEE:mailto:d@x.example\r\n")
             TAIL,
         ICAL_ERR_MAX_ATTENDEES, NULL},
        /* a RECURRENCE-ID libical drops would cancel every instance */
        {HEAD "METHOD:CANCEL\r\n" EV(ORG BOB "RECURRENCE-ID:20271305T100000Z\r\n") TAIL,
         ICAL_ERR_DATA, NULL},
        {HEAD "METHOD:REPLY\r\n" EV(ANA "RECURRENCE-ID:garbage\r\n") TAIL, ICAL_ERR_DATA, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ical_itip_in in;
        ical_status st = check(rows[i].msg, &in);
        if (st != rows[i].want) fprintf(stderr, "  row %zu (%s)\n", i, in.why ? in.why : "");
        CHECK_INT(st, rows[i].want);
        if (rows[i].method) CHECK_STR(in.method, rows[i].method);
        if (st == ICAL_OK) CHECK(in.s.uid != NULL && in.why == NULL);
        if (st != ICAL_OK && st != ICAL_ERR_NOMEM) CHECK(in.why != NULL);
    }
}

static void test_repairs_and_size(void)
{
    ical_itip_in in;
    /* LF line ends from a mail transport: CRLF again, METHOD kept */
    const char *lf = "BEGIN:VCALENDAR\nVERSION:2.0\nMETHOD:REQUEST\nBEGIN:VEVENT\nUID:u1\n"
                     "DTSTART:20270105T100000Z\nORGANIZER:mailto:o@x.example\n"
                     "ATTENDEE:mailto:bob@veil.example\nEND:VEVENT\nEND:VCALENDAR\n";
    CHECK_INT(check(lf, &in), ICAL_OK);
    CHECK(strstr(in.text, "\r\nMETHOD:REQUEST\r\n") != NULL);
    CHECK(strstr(in.text, "PRODID:") != NULL); /* the ingest's repair */
    CHECK(strstr(in.text, "DTSTAMP:") != NULL);
    CHECK(strstr(in.text, "\n\n") == NULL && strstr(in.text, "BEGIN:VEVENT\r\n") != NULL);
    /* a REPLY keeps its bytes when nothing needs repair */
    const char *r = HEAD "METHOD:REPLY\r\n" EV(ANA) TAIL;
    CHECK_INT(check(r, &in), ICAL_OK);
    CHECK(in.text == r);
    CHECK_STR(in.s.attendees[0].cua, "mailto:ana@outside.example");
    /* bounds */
    char big[6000];
    size_t n = (size_t)snprintf(big, sizeof big, "%s",
                                HEAD "METHOD:REQUEST\r\n"
                                     "BEGIN:VEVENT\r\nUID:u1\r\n" WHEN ORG BOB);
    while (n < 5000)
        n += (size_t)snprintf(big + n, sizeof big - n, "COMMENT:padding padding\r\n");
    snprintf(big + n, sizeof big - n, "END:VEVENT\r\n" TAIL);
    CHECK_INT(check(big, &in), ICAL_ERR_SIZE);
}

static void test_set_organizer(void)
{
    const char *r = HEAD "METHOD:REPLY\r\n" EV(ANA) TAIL;
    const char *out;
    size_t len;
    CHECK_INT(ical_itip_set_organizer(P, r, strlen(r), "mailto:alice@veil.example", &out, &len),
              ICAL_OK);
    ical_sched s;
    CHECK_INT(ical_sched_read(P, out, len, NULL, &s), ICAL_OK);
    CHECK_STR(s.organizer.cua, "mailto:alice@veil.example");
    CHECK(strstr(out, "METHOD:REPLY") != NULL);
    /* one that has it keeps it */
    r = HEAD "METHOD:REPLY\r\n" EV(ORG ANA) TAIL;
    CHECK_INT(ical_itip_set_organizer(P, r, strlen(r), "mailto:alice@veil.example", &out, &len),
              ICAL_OK);
    CHECK_INT(ical_sched_read(P, out, len, NULL, &s), ICAL_OK);
    CHECK_STR(s.organizer.cua, "mailto:org@outside.example");
}

int main(void)
{
    P = pool_new();
    RUN(test_table);
    RUN(test_repairs_and_size);
    RUN(test_set_organizer);
    pool_free(P);
    return check_summary();
}

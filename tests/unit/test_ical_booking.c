/* A room's answer to an invitation (ical/booking.h): which instances its
 * other bookings make busy, and the PARTSTATs each mode gives. */
#include <stdio.h>
#include <string.h>

#include "ical/booking.h"
#include "tests/unit/check.h"

#define ROOM "mailto:room@example.com"
#define UNTIL 4102444800LL /* 2100-01-01 */

static vpool *P;

/* The invitation as the room's copy holds it. */
static const char *invite(const char *uid, const char *start, const char *extra)
{
    return pool_printf(P,
                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                       "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\n"
                       "DTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:Invite\r\n"
                       "ORGANIZER:mailto:org@example.com\r\n"
                       "ATTENDEE;PARTSTAT=ACCEPTED:mailto:org@example.com\r\n"
                       "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" ROOM "\r\n%s"
                       "END:VEVENT\r\nEND:VCALENDAR\r\n",
                       uid, start, extra ? extra : "");
}

/* Something else in the room's calendar. */
static const char *other(const char *start, const char *end, const char *extra)
{
    return pool_printf(P,
                       "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                       "BEGIN:VEVENT\r\nUID:other\r\nDTSTAMP:20260101T000000Z\r\n"
                       "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Other\r\n%s"
                       "END:VEVENT\r\nEND:VCALENDAR\r\n",
                       start, end, extra ? extra : "");
}

/* The answer of mode (accept_if_free, decline_if_busy) given the others. */
static const char *answer(const char *copy, const char *const *others, int n, int accept,
                          int decline, int *changed)
{
    ical_booking *b;
    CHECK_INT(ical_book_open(P, copy, strlen(copy), ROOM, NULL, UNTIL, 0, &b), ICAL_OK);
    if (!b) {
        *changed = -1;
        return copy;
    }
    for (int i = 0; i < n; i++)
        CHECK_INT(ical_book_add_busy(b, others[i], strlen(others[i])), ICAL_OK);
    const char *out;
    size_t len;
    CHECK_INT(ical_book_answer(b, accept, decline, &out, &len, changed), ICAL_OK);
    return out;
}

static int has(const char *text, const char *s)
{
    return strstr(text, s) != NULL;
}

static void test_free_and_busy(void)
{
    int changed;
    const char *copy = invite("u1", "20270105T100000Z", NULL);
    const char *none[] = {NULL};
    const char *out = answer(copy, none, 0, 1, 1, &changed);
    CHECK_INT(changed, 1);
    CHECK(has(out, "PARTSTAT=ACCEPTED:" ROOM));
    CHECK(!has(out, "RSVP=TRUE")); /* answered */

    /* overlapping by a minute is busy; touching is not */
    const char *busy[] = {other("20270105T105900Z", "20270105T120000Z", NULL)};
    out = answer(copy, busy, 1, 1, 1, &changed);
    CHECK(has(out, "PARTSTAT=DECLINED:" ROOM));
    const char *touching[] = {other("20270105T110000Z", "20270105T120000Z", NULL)};
    out = answer(copy, touching, 1, 1, 1, &changed);
    CHECK(has(out, "PARTSTAT=ACCEPTED:" ROOM));

    /* accept-if-free leaves a busy one, decline-if-busy a free one */
    out = answer(copy, busy, 1, 1, 0, &changed);
    CHECK_INT(changed, 0);
    CHECK_STR(out, copy);
    out = answer(copy, touching, 1, 0, 1, &changed);
    CHECK_INT(changed, 0);
}

static void test_what_takes_no_time(void)
{
    int changed;
    const char *copy = invite("u1", "20270105T100000Z", NULL);
    const char *free_ones[] = {
        other("20270105T100000Z", "20270105T110000Z", "TRANSP:TRANSPARENT\r\n"),
        other("20270105T100000Z", "20270105T110000Z", "STATUS:CANCELLED\r\n"),
        /* the room declined it */
        other("20270105T100000Z", "20270105T110000Z",
              "ATTENDEE;CUTYPE=ROOM;PARTSTAT=DECLINED:" ROOM "\r\n"),
        /* its own copy (the same UID) */
        invite("u1", "20270105T100000Z", NULL),
    };
    const char *out = answer(copy, free_ones, 4, 1, 1, &changed);
    CHECK(has(out, "PARTSTAT=ACCEPTED:" ROOM));
    /* ...while one it accepted is busy */
    const char *taken[] = {other("20270105T100000Z", "20270105T110000Z",
                                 "ATTENDEE;CUTYPE=ROOM;PARTSTAT=ACCEPTED:" ROOM "\r\n")};
    out = answer(copy, taken, 1, 1, 1, &changed);
    CHECK(has(out, "PARTSTAT=DECLINED:" ROOM));
}

static void test_answered_stays(void)
{
    int changed;
    const char *copy = invite("u1", "20270105T100000Z", NULL);
    char *answered = pool_strdup(P, copy);
    char *at = strstr(answered, "NEEDS-ACTION;RSVP");
    memcpy(at, "ACCEPTED    ", 12);
    const char *busy[] = {other("20270105T100000Z", "20270105T110000Z", NULL)};
    answer(answered, busy, 1, 1, 1, &changed);
    CHECK_INT(changed, -1); /* nothing to decide */
}

static void test_series_with_one_busy_instance(void)
{
    int changed;
    const char *copy = invite("s1", "20270105T100000Z", "RRULE:FREQ=DAILY;COUNT=5\r\n");
    const char *busy[] = {other("20270107T100000Z", "20270107T103000Z", NULL)};
    const char *out = answer(copy, busy, 1, 1, 1, &changed);
    CHECK_INT(changed, 1);
    /* the master accepted, one override declining the 7th */
    CHECK(has(out, "RECURRENCE-ID:20270107T100000Z\r\n"));
    CHECK(has(out, "DTSTART:20270107T100000Z\r\n"));
    const char *ovr = strstr(strstr(out, "END:VEVENT"), "BEGIN:VEVENT");
    if (!(ovr && has(ovr, "PARTSTAT=DECLINED"))) fprintf(stderr, "%s", out);
    CHECK(ovr && has(ovr, "PARTSTAT=DECLINED"));
    CHECK(has(out, "RRULE:FREQ=DAILY;COUNT=5"));
    size_t master_end = (size_t)(strstr(out, "END:VEVENT") - out);
    const char *acc = strstr(out, "PARTSTAT=ACCEPTED:" ROOM);
    CHECK(acc && (size_t)(acc - out) < master_end);

    /* every instance busy: the whole series declined, no override */
    const char *all[] = {other("20270101T000000Z", "20270201T000000Z", NULL)};
    out = answer(copy, all, 1, 1, 1, &changed);
    CHECK(has(out, "PARTSTAT=DECLINED:" ROOM));
    CHECK(!has(out, "RECURRENCE-ID"));

    /* accept-if-free: the busy one stays NEEDS-ACTION in an override */
    out = answer(copy, busy, 1, 1, 0, &changed);
    ovr = strstr(strstr(out, "END:VEVENT"), "BEGIN:VEVENT");
    CHECK(ovr && has(ovr, "PARTSTAT=NEEDS-ACTION"));
    CHECK(has(out, "PARTSTAT=ACCEPTED:" ROOM));
}

static void test_not_mine(void)
{
    int changed;
    const char *copy = invite("u1", "20270105T100000Z", NULL);
    ical_booking *b;
    CHECK_INT(
        ical_book_open(P, copy, strlen(copy), "mailto:other-room@example.com", NULL, UNTIL, 0, &b),
        ICAL_OK);
    CHECK(b == NULL);
    /* instances past `until` are not decided */
    CHECK_INT(ical_book_open(P, copy, strlen(copy), ROOM, NULL, 1700000000, 0, &b), ICAL_OK);
    CHECK(b == NULL);
    (void)changed;
}

int main(void)
{
    ical_global_init();
    P = pool_new();
    RUN(test_free_and_busy);
    RUN(test_what_takes_no_time);
    RUN(test_answered_stays);
    RUN(test_series_with_one_busy_instance);
    RUN(test_not_mine);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

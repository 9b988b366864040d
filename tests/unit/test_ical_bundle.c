/* ical/bundle.h: a whole calendar in one VCALENDAR (export) and back into calendar objects
 * by UID (import). */
#include "check.h"
#include "ical/bundle.h"

static vpool *P;

#define ZONE(id)                                                                                   \
    "BEGIN:VTIMEZONE\r\nTZID:" id "\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"              \
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
#define HEAD "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
#define TAIL "END:VCALENDAR\r\n"
#define EV(uid, extra)                                                                             \
    "BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTAMP:20260101T000000Z\r\n" extra "END:VEVENT\r\n"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_export_zones_once(void)
{
    ical_bundle b;
    vbuf out;
    buf_init(&out, 0);
    ical_bundle_begin(&b, P, "Work; and, play", &out);
    const char *one = HEAD ZONE("Z1") EV("a", "DTSTART;TZID=Z1:20270101T100000\r\n") TAIL;
    const char *two = HEAD ZONE("Z1") ZONE("Z2")
        EV("b", "DTSTART;TZID=Z2:20270101T100000\r\n") "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:"
                                                       "20260101T000000Z\r\nRECURRENCE-ID:"
                                                       "20270102T100000Z\r\n"
                                                       "DTSTART:20270102T110000Z\r\n "
                                                       "BEGIN:VALARM-not-a-line-of-its-own\r\nEND:"
                                                       "VEVENT\r\n" TAIL;
    CHECK_INT(ical_bundle_add(&b, one, strlen(one), &out), ICAL_OK);
    CHECK_INT(ical_bundle_add(&b, two, strlen(two), &out), ICAL_OK);
    /* not a VCALENDAR: nothing of it written */
    size_t before = out.len;
    CHECK_INT(ical_bundle_add(&b, "BEGIN:VEVENT\r\nEND:VEVENT\r\n", 26, &out), ICAL_ERR_DATA);
    CHECK_INT(out.len, before);
    ical_bundle_end(&out);
    const char *s = buf_cstr(&out);
    CHECK(strncmp(s, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil//veildav//EN\r\n", 58) == 0);
    CHECK(strstr(s, "X-WR-CALNAME:Work\\; and\\, play\r\n") != NULL);
    CHECK_INT(count(s, "BEGIN:VCALENDAR"), 1);
    CHECK_INT(count(s, "END:VCALENDAR"), 1);
    CHECK_INT(count(s, "TZID:Z1\r\n"), 1);
    CHECK_INT(count(s, "TZID:Z2\r\n"), 1);
    CHECK_INT(count(s, "BEGIN:VEVENT"), 3);
    CHECK_INT(count(s, "PRODID"), 1); /* the objects' own properties are left out */
    /* every zone comes before the first component that names it */
    CHECK(strstr(s, "TZID:Z2\r\n") < strstr(s, "TZID=Z2"));
    /* a folded line travels as it was */
    CHECK(strstr(s, "\r\n BEGIN:VALARM-not-a-line-of-its-own\r\n") != NULL);
    buf_free(&out);
}

static void test_split_by_uid(void)
{
    /* LF line ends, METHOD, calendar properties, a master and its override apart, a zone
     * used by one object and one used by none, a component without UID, two VCALENDARs */
    const char *file =
        "\xEF\xBB\xBF"
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nMETHOD:PUBLISH\nX-WR-CALNAME:C\n"
        "BEGIN:VTIMEZONE\nTZID:Z1\nBEGIN:STANDARD\nDTSTART:19700101T000000\nTZOFFSETFROM:+0100\n"
        "TZOFFSETTO:+0100\nEND:STANDARD\nEND:VTIMEZONE\n"
        "BEGIN:VTIMEZONE\nTZID:Unused\nEND:VTIMEZONE\n"
        "BEGIN:VEVENT\nUID:r\nDTSTART;TZID=Z1:20270101T100000\nRRULE:FREQ=DAILY\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:s\nDTSTART:20270101T100000Z\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nRECURRENCE-ID;TZID=Z1:20270102T100000\nDTSTART:20270102T120000Z\n"
        "BEGIN:VALARM\nUID:alarm-uid-is-not-the-event's\nTRIGGER:-PT5M\nEND:VALARM\n"
        "END:VEVENT\n"
        "BEGIN:VTODO\nSUMMARY:no uid\nEND:VTODO\n"
        "END:VCALENDAR\n"
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:y\n"
        "BEGIN:VEVENT\nUID:t\nDTSTART:20270101T100000Z\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nRECURRENCE-ID;TZID=Z1:20270103T100000\nDTSTART:20270103T120000Z\n"
        "END:VEVENT\nEND:VCALENDAR";
    ical_bundle_split_result sr;
    CHECK_INT(ical_bundle_split(P, file, strlen(file), &sr), ICAL_OK);
    CHECK_INT(sr.nitems, 4);
    CHECK(sr.dropped & ICAL_BUNDLE_DROPPED_METHOD);
    CHECK(sr.dropped & ICAL_BUNDLE_DROPPED_CALPROPS);
    CHECK(sr.dropped & ICAL_BUNDLE_DROPPED_ZONES);
    if (sr.nitems != 4) return;
    /* in the order of their first component */
    CHECK_STR(sr.items[0].uid, "r");
    CHECK_STR(sr.items[1].uid, "s");
    CHECK(sr.items[2].uid == NULL);
    CHECK_STR(sr.items[3].uid, "t");
    CHECK_INT(sr.items[0].line, 17);
    CHECK_INT(sr.items[0].components, 3);
    const char *r = sr.items[0].text;
    CHECK_INT(strlen(r), sr.items[0].len);
    CHECK(strncmp(r, "BEGIN:VCALENDAR\r\nVERSION:2.0\nPRODID:x\nBEGIN:VTIMEZONE\nTZID:Z1\n", 61) ==
          0);
    CHECK_INT(count(r, "BEGIN:VEVENT"), 3);
    CHECK_INT(count(r, "METHOD"), 0);
    CHECK_INT(count(r, "X-WR"), 0);
    CHECK_INT(count(r, "Unused"), 0);
    /* line ends stay as the file has them; the lines the split adds are CRLF */
    CHECK(strstr(r, "DTSTART:20270103T120000Z\nEND:VEVENT\nEND:VCALENDAR\r\n") != NULL);
    CHECK_INT(count(sr.items[1].text, "VTIMEZONE"), 0);
    CHECK(strstr(sr.items[3].text, "PRODID:y") != NULL);
}

static void test_split_refuses_what_is_not_icalendar(void)
{
    static const struct {
        const char *text;
        size_t line;
    } bad[] = {
        {"BEGIN:VCARD\r\nEND:VCARD\r\n", 1},
        {"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", 5},
        {"BEGIN:VCALENDAR\r\nno colon here\r\nEND:VCALENDAR\r\n", 2},
        {"", 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ical_bundle_split_result sr;
        CHECK_INT(ical_bundle_split(P, bad[i].text, strlen(bad[i].text), &sr), ICAL_ERR_DATA);
        CHECK_INT(sr.bad_line, bad[i].line);
        CHECK(sr.detail != NULL);
    }
    /* a bad line inside a component goes with it: that object alone is refused later */
    const char *inside = HEAD "BEGIN:VEVENT\r\nUID:x\r\nno colon\r\nEND:VEVENT\r\n" EV(
        "y", "DTSTART:20270101T100000Z\r\n") TAIL;
    ical_bundle_split_result sr;
    CHECK_INT(ical_bundle_split(P, inside, strlen(inside), &sr), ICAL_OK);
    CHECK_INT(sr.nitems, 2);
}

int main(void)
{
    P = pool_new();
    RUN(test_export_zones_once);
    RUN(test_split_by_uid);
    RUN(test_split_refuses_what_is_not_icalendar);
    pool_free(P);
    return check_summary();
}

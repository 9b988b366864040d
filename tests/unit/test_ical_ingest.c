/* ical/ingest.h: the ingest policy for calendar data.  Each repair of the table has a test
 * here with a client's text and what is stored; valid data is stored as sent. */
#include <libical/ical.h>
#include <strings.h>

#include "check.h"
#include "ical/index.h"
#include "ical/ingest.h"
#include "ical/object.h"
#include "ical/winzones.h"
#include "test_ical_util.h"

#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

static vpool *P;

/* Ingests text; on ICAL_OK *stored is what would be stored (pool memory). */
static ical_status ingest_ex(const char *text, size_t len, const ical_ingest_opts *opts,
                             ical_ingest_result *res)
{
    ical_ingest_opts o;
    if (!opts) {
        ical_ingest_opts_init(&o);
        o.now = NOW;
        opts = &o;
    }
    ical_status st = ical_ingest(P, text, len, opts, res);
    if (st == ICAL_OK) {
        /* the result is consistent: changed says whether the bytes differ, and valid
         * data is never rewritten */
        CHECK_INT(res->changed, res->body_len != len || memcmp(res->body, text, len) != 0);
        CHECK(res->fixes || (res->body == text && !res->changed));
        CHECK(!res->changed || res->fixes);
    }
    return st;
}

static const char *stored(const char *text, unsigned *fixes)
{
    ical_ingest_result r;
    ical_status st = ingest_ex(text, strlen(text), NULL, &r);
    if (st != ICAL_OK) {
        fprintf(stderr, "ingest failed: %s (%s)\n", ical_status_name(st),
                r.v.detail ? r.v.detail : "");
        return NULL;
    }
    if (fixes) *fixes = r.fixes;
    return pool_strndup(P, r.body, r.body_len);
}

#define CAL(body)                                                                                  \
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Client//EN\r\n" body "END:VCALENDAR\r\n"
#define EVENT(extra)                                                                               \
    "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\nDTSTART:20260301T100000Z\r\n" extra     \
    "END:VEVENT\r\n"

static void test_valid_data_is_stored_as_sent(void)
{
    static const char *files[] = {"allday_birthday.ics", "apple_weekly_ny.ics", "google_berlin.ics",
                                  "outlook_folded.ics"};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        size_t len = 0;
        char *ics = tu_load(P, files[i], &len);
        ical_ingest_result r;
        CHECK_INT(ingest_ex(ics, len, NULL, &r), ICAL_OK);
        CHECK(r.body == ics && r.body_len == len);
        CHECK_INT(r.fixes, 0);
        CHECK_INT(r.changed, 0);
    }
    /* long lines, unknown properties, blank lines, odd escapes: understood, kept */
    const char *odd = CAL(EVENT("DESCRIPTION:"
                                "A description written on one line by a client "
                                "that never folds, well past seventy-five octets\r\n"
                                "X-UNKNOWN;X-P=\"a;b\":value\\\"\r\n"
                                "\r\n"));
    unsigned f = 1;
    CHECK_STR(stored(odd, &f), odd);
    CHECK_INT(f, 0);
}

static void test_bom(void)
{
    unsigned f = 0;
    CHECK_STR(stored("\xEF\xBB\xBF" CAL(EVENT("")), &f), CAL(EVENT("")));
    CHECK_INT(f, ICAL_FIX_BOM);
}

static void test_crlf(void)
{
    unsigned f = 0;
    /* curl --data-binary @event.ics from an editor that writes LF */
    const char *lf = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Example//Client//EN\n"
                     "BEGIN:VEVENT\nUID:u1\nDTSTAMP:20251201T000000Z\n"
                     "DTSTART:20260301T100000Z\nSUMMARY:Folded\n  summary\nEND:VEVENT\n"
                     "END:VCALENDAR\n";
    CHECK_STR(stored(lf, &f), CAL(EVENT("SUMMARY:Folded\r\n  summary\r\n")));
    CHECK_INT(f, ICAL_FIX_CRLF);
    /* no line break after END:VCALENDAR */
    const char *cut = CAL(EVENT(""));
    char *nobreak = pool_strndup(P, cut, strlen(cut) - 2);
    CHECK_STR(stored(nobreak, &f), cut);
    CHECK_INT(f, ICAL_FIX_CRLF);
    /* one LF among CRLFs */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART:20260301T100000Z\r\nEND:VEVENT\r\n"),
                     &f),
              CAL(EVENT("")));
    CHECK_INT(f, ICAL_FIX_CRLF);
    /* Thunderbird's task as this test suite keeps it (LF only) */
    size_t len = 0;
    char *todo = tu_load(P, "thunderbird_todo.ics", &len);
    ical_ingest_result r;
    CHECK_INT(ingest_ex(todo, len, NULL, &r), ICAL_OK);
    CHECK_INT(r.fixes, ICAL_FIX_CRLF);
    CHECK_INT(r.body_len, len + 41); /* one CR per line, nothing else */
}

static void test_fold_utf8(void)
{
    unsigned f = 0;
    /* "Café" folded between the two octets of "é" */
    CHECK_STR(stored(CAL(EVENT("SUMMARY:Caf\xC3\r\n \xA9 au lait\r\n")), &f),
              CAL(EVENT("SUMMARY:Caf\r\n \xC3\xA9 au lait\r\n")));
    CHECK_INT(f, ICAL_FIX_FOLD_UTF8);
    /* a three-octet character cut after its second octet, with LF breaks */
    CHECK_STR(stored("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:u1\n"
                     "DTSTAMP:20251201T000000Z\nDTSTART:20260301T100000Z\n"
                     "SUMMARY:\xE2\x82\n \xAC 5\nEND:VEVENT\nEND:VCALENDAR\n",
                     &f),
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
              "DTSTAMP:20251201T000000Z\r\nDTSTART:20260301T100000Z\r\n"
              "SUMMARY:\r\n \xE2\x82\xAC 5\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    CHECK_INT(f, ICAL_FIX_FOLD_UTF8 | ICAL_FIX_CRLF);
}

static void test_datetime_space(void)
{
    unsigned f = 0;
    /* CalDAVTester errors.xml PUT/23 (CalDAV/errors/47.ics and 48.ics) */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:u4\r\nDTSTART;VALUE=DATE:20270427\r\n"
                         "DURATION:P1DT\r\nCREATED:   51222T205954Z\r\n"
                         "DTSTAMP:20051222T205953Z\r\nSUMMARY:event 1\r\nEND:VEVENT\r\n"),
                     &f),
              CAL("BEGIN:VEVENT\r\nUID:u4\r\nDTSTART;VALUE=DATE:20270427\r\n"
                  "DURATION:P1DT\r\nCREATED:00051222T205954Z\r\n"
                  "DTSTAMP:20051222T205953Z\r\nSUMMARY:event 1\r\nEND:VEVENT\r\n"));
    CHECK_INT(f, ICAL_FIX_DATETIME_SPACE);
    /* a leading space, a trailing tab */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART: 20260301T100000Z\t\r\nCREATED: 20060102T030405Z\r\n"
                         "END:VEVENT\r\n"),
                     &f),
              CAL(EVENT("CREATED:20060102T030405Z\r\n")));
    CHECK_INT(f, ICAL_FIX_DATETIME_SPACE);
    /* lists: blanks after the commas */
    CHECK_STR(stored(CAL(EVENT("RRULE:FREQ=DAILY;COUNT=5\r\n"
                               "EXDATE:20260302T100000Z, 20260303T100000Z\r\n")),
                     &f),
              CAL(EVENT("RRULE:FREQ=DAILY;COUNT=5\r\n"
                        "EXDATE:20260302T100000Z,20260303T100000Z\r\n")));
    CHECK_INT(f, ICAL_FIX_DATETIME_SPACE);
    /* a DATE value */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART;VALUE=DATE: 20260301\r\nEND:VEVENT\r\n"),
                     &f),
              CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                  "DTSTART;VALUE=DATE:20260301\r\nEND:VEVENT\r\n"));
    /* a blank inside the value is not stray: refused as before */
    ical_ingest_result r;
    const char *inside = CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                             "DTSTART:20260301 T100000Z\r\nEND:VEVENT\r\n");
    CHECK_INT(ingest_ex(inside, strlen(inside), NULL, &r), ICAL_ERR_DATA);
    /* blanks in a value the server does not read as a date are none of its business */
    const char *other = CAL(EVENT("SUMMARY: 20260301T100000Z \r\n"));
    CHECK_STR(stored(other, &f), other);
    CHECK_INT(f, 0);
}

static void test_utc_tzid(void)
{
    unsigned f = 0;
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART;TZID=Europe/Berlin:20260301T100000Z\r\nEND:VEVENT\r\n"),
                     &f),
              CAL(EVENT("")));
    CHECK_INT(f, ICAL_FIX_UTC_TZID);
    /* an Outlook zone name without its VTIMEZONE: the Z decides, nothing is unknown */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART;X-A=1;TZID=\"Eastern Standard Time\";X-B=2:20260301T100000Z\r\n"
                         "END:VEVENT\r\n"),
                     &f),
              CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                  "DTSTART;X-A=1;X-B=2:20260301T100000Z\r\nEND:VEVENT\r\n"));
    CHECK_INT(f, ICAL_FIX_UTC_TZID);
    /* a list that is not all UTC keeps its TZID */
    const char *mixed =
        CAL(EVENT("RRULE:FREQ=DAILY;COUNT=5\r\n"
                  "EXDATE;TZID=Europe/Berlin:20260302T110000,20260303T100000Z\r\n"));
    CHECK_STR(stored(mixed, &f), mixed);
    CHECK_INT(f, 0);
    /* without the repair the unknown zone would be refused: the same line, local time
     * (a name that is no Windows zone: those are windows-tzid's, below) */
    ical_ingest_result r;
    const char *local = CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20251201T000000Z\r\n"
                            "DTSTART;TZID=Eastern Atlantis Time:20260301T100000\r\n"
                            "END:VEVENT\r\n");
    CHECK_INT(ingest_ex(local, strlen(local), NULL, &r), ICAL_ERR_UNKNOWN_TZID);
}

static void test_missing_version_prodid_dtstamp(void)
{
    unsigned f = 0;
    /* a hand-written object: no VERSION, no PRODID, no DTSTAMP */
    CHECK_STR(stored("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
                     "DTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                     &f),
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:" ICAL_INGEST_PRODID "\r\n"
              "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nUID:u1\r\n"
              "DTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    CHECK_INT(f, ICAL_FIX_NO_VERSION | ICAL_FIX_NO_PRODID | ICAL_FIX_NO_DTSTAMP);
    /* each alone; a DTSTAMP in a VALARM is not the component's */
    CHECK_STR(stored("BEGIN:VCALENDAR\r\nPRODID:x\r\n" EVENT("") "END:VCALENDAR\r\n", &f),
              "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" EVENT("") "END:VCALENDAR\r\n");
    CHECK_INT(f, ICAL_FIX_NO_VERSION);
    CHECK_STR(stored("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" EVENT("") "END:VCALENDAR\r\n", &f),
              "BEGIN:VCALENDAR\r\nPRODID:" ICAL_INGEST_PRODID
              "\r\nVERSION:2.0\r\n" EVENT("") "END:VCALENDAR\r\n");
    CHECK_INT(f, ICAL_FIX_NO_PRODID);
    CHECK_STR(stored(CAL("BEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Task\r\nBEGIN:VALARM\r\n"
                         "ACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDTSTAMP:20251201T000000Z\r\n"
                         "END:VALARM\r\nEND:VTODO\r\n"),
                     &f),
              CAL("BEGIN:VTODO\r\nDTSTAMP:20260101T000000Z\r\nUID:t1\r\nSUMMARY:Task\r\n"
                  "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\n"
                  "DTSTAMP:20251201T000000Z\r\nEND:VALARM\r\nEND:VTODO\r\n"));
    CHECK_INT(f, ICAL_FIX_NO_DTSTAMP);
    /* every component of a series that lacks one gets one */
    CHECK_STR(stored(CAL("BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20251201T000000Z\r\n"
                         "DTSTART:20260301T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n"
                         "BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID:20260302T100000Z\r\n"
                         "DTSTART:20260302T120000Z\r\nEND:VEVENT\r\n"),
                     &f),
              CAL("BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20251201T000000Z\r\n"
                  "DTSTART:20260301T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nUID:s\r\n"
                  "RECURRENCE-ID:20260302T100000Z\r\nDTSTART:20260302T120000Z\r\nEND:VEVENT\r\n"));
}

/* python caldav 1.x editing the occurrence of 12 January twice: the whole series with the
 * first edit still in it and the second appended. */
#define SERIES                                                                                     \
    "BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTART:20260105T090000Z\r\n"                      \
    "DTEND:20260105T093000Z\r\nDTSTAMP:20260101T120000Z\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\n"         \
    "SUMMARY:Standup\r\nEND:VEVENT\r\n"
#define EDIT1                                                                                      \
    "BEGIN:VEVENT\r\nUID:standup@example.com\r\nRECURRENCE-ID:20260112T090000Z\r\n"                \
    "DTSTART:20260112T100000Z\r\nDTEND:20260112T103000Z\r\nDTSTAMP:20260102T120000Z\r\n"           \
    "SUMMARY:Standup (moved)\r\nEND:VEVENT\r\n"
#define EDIT2                                                                                      \
    "BEGIN:VEVENT\r\nUID:standup@example.com\r\nRECURRENCE-ID:20260112T090000Z\r\n"                \
    "DTSTART:20260112T110000Z\r\nDTEND:20260112T113000Z\r\nDTSTAMP:20260103T120000Z\r\n"           \
    "SUMMARY:Standup (moved again)\r\nEND:VEVENT\r\n"
#define OTHER                                                                                      \
    "BEGIN:VEVENT\r\nUID:standup@example.com\r\nRECURRENCE-ID:20260119T090000Z\r\n"                \
    "DTSTART:20260119T100000Z\r\nDTSTAMP:20260102T120000Z\r\nSUMMARY:Later\r\nEND:VEVENT\r\n"
#define PYCALDAV(body)                                                                             \
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav//caldav//en_DK\r\n" body            \
    "END:VCALENDAR\r\n"

static void test_duplicate_overrides(void)
{
    unsigned f = 0;
    CHECK_STR(stored(PYCALDAV(SERIES EDIT1 EDIT2), &f), PYCALDAV(SERIES EDIT2));
    CHECK_INT(f, ICAL_FIX_DUP_OVERRIDE);
    /* three of one instance among others: the last stays, the others keep their places */
    CHECK_STR(stored(PYCALDAV(SERIES EDIT1 OTHER EDIT1 EDIT2), &f), PYCALDAV(SERIES OTHER EDIT2));
    /* the same instance written in another zone is the same RECURRENCE-ID */
    const char *berlin = "BEGIN:VEVENT\r\nUID:standup@example.com\r\n"
                         "RECURRENCE-ID;TZID=Europe/Berlin:20260112T100000\r\n"
                         "DTSTART:20260112T120000Z\r\nDTSTAMP:20260104T120000Z\r\nEND:VEVENT\r\n";
    CHECK_STR(stored(pool_printf(P, PYCALDAV(SERIES EDIT1 "%s"), berlin), &f),
              pool_printf(P, PYCALDAV(SERIES "%s"), berlin));
    /* repairs in a removed override do not count; those in the kept one do */
    CHECK_STR(
        stored(PYCALDAV(SERIES "BEGIN:VEVENT\r\nUID:standup@example.com\r\n"
                               "RECURRENCE-ID:20260112T090000Z\r\nDTSTART:20260112T100000Z\r\n"
                               "END:VEVENT\r\n" EDIT2),
               &f),
        PYCALDAV(SERIES EDIT2));
    CHECK_INT(f, ICAL_FIX_DUP_OVERRIDE);
    /* two masters are not two edits of one occurrence: refused as before */
    ical_ingest_result r;
    const char *two = PYCALDAV(SERIES SERIES);
    CHECK_INT(ingest_ex(two, strlen(two), NULL, &r), ICAL_ERR_OBJECT);
}

static void test_bounds(void)
{
    ical_ingest_result r;
    ical_ingest_opts o;
    ical_ingest_opts_init(&o);
    o.now = NOW;
    /* max_resource_size: CRLF makes a body that fits one that does not */
    const char *lf = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VEVENT\nUID:u1\n"
                     "DTSTAMP:20251201T000000Z\nDTSTART:20260301T100000Z\nEND:VEVENT\n"
                     "END:VCALENDAR\n";
    o.max_bytes = strlen(lf);
    CHECK_INT(ingest_ex(lf, strlen(lf), &o, &r), ICAL_ERR_SIZE);
    CHECK_STR(ical_status_precondition(ICAL_ERR_SIZE), "max-resource-size");
    o.max_bytes = strlen(lf) + 9;
    CHECK_INT(ingest_ex(lf, strlen(lf), &o, &r), ICAL_OK);
    /* ... and so does an added DTSTAMP */
    const char *nostamp = CAL("BEGIN:VEVENT\r\nUID:u1\r\nDTSTART:20260301T100000Z\r\n"
                              "END:VEVENT\r\n");
    o.max_bytes = strlen(nostamp) + 10;
    CHECK_INT(ingest_ex(nostamp, strlen(nostamp), &o, &r), ICAL_ERR_SIZE);
    o.max_bytes = 0;
    /* ical_max_properties: the added DTSTAMP is one property too many */
    ical_limits lim = {.max_properties = 8};
    ical_set_limits(&lim);
    CHECK_INT(ingest_ex(nostamp, strlen(nostamp), &o, &r), ICAL_ERR_DATA);
    lim.max_properties = 9;
    ical_set_limits(&lim);
    CHECK_INT(ingest_ex(nostamp, strlen(nostamp), &o, &r), ICAL_OK);
    ical_set_limits(NULL);
}

static void test_refused_as_before(void)
{
    ical_ingest_result r;
    static const struct {
        const char *text;
        ical_status st;
    } cases[] = {
        {"BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n", ICAL_ERR_DATA},
        {CAL("BEGIN:VEVENT\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\n"), ICAL_ERR_OBJECT},
        {"BEGIN:VCALENDAR\r\nVERSION:1.0\r\n" EVENT("") "END:VCALENDAR\r\n", ICAL_ERR_DATA},
        {CAL(EVENT("SUMMARY:a\x01b\r\n")), ICAL_ERR_DATA},
        {CAL(EVENT("")) "BEGIN:VCALENDAR\r\n", ICAL_ERR_DATA},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ical_status st = ingest_ex(cases[i].text, strlen(cases[i].text), NULL, &r);
        CHECK_INT(st, cases[i].st);
        CHECK(r.v.detail != NULL);
    }
}

/* The UTC start of the first instance of what would be stored. */
static int64_t first_start(const char *text)
{
    ical_object *o;
    ical_index idx;
    if (ical_object_parse(P, text, strlen(text), &o) != ICAL_OK) return -1;
    if (ical_index_build(P, o, NULL, NOW + 86400LL * 800, &idx) != ICAL_OK || !idx.nspans)
        return -1;
    return idx.spans[0].start;
}

#define OUTLOOK_TZ(id, body)                                                                      \
    "BEGIN:VTIMEZONE\r\nTZID:" id "\r\n" body "END:VTIMEZONE\r\n"
#define W_EUROPE_RULES                                                                            \
    "BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"      \
    "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\n"                                  \
    "BEGIN:DAYLIGHT\r\nDTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"       \
    "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\n"

static void test_windows_tzid(void)
{
    unsigned fixes = 0;
    /* no VTIMEZONE at all: refused before (unknown TZID); now Berlin, by reference.
     * 1 July 2026 10:00 in Berlin (CEST, +02:00) is 08:00 UTC. */
    const char *no_vtz =
        CAL("BEGIN:VEVENT\r\nUID:w1\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=W. Europe Standard Time:20260701T100000\r\n"
            "DTEND;TZID=\"W. Europe Standard Time\":20260701T110000\r\nEND:VEVENT\r\n");
    const char *s = stored(no_vtz, &fixes);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(fixes, ICAL_FIX_WINDOWS_TZID);
    CHECK(strstr(s, "DTSTART;TZID=Europe/Berlin:20260701T100000\r\n") != NULL);
    CHECK(strstr(s, "DTEND;TZID=Europe/Berlin:20260701T110000\r\n") != NULL);
    CHECK(strstr(s, "Standard Time") == NULL);
    CHECK_INT(first_start(s), 1782892800); /* 2026-07-01T08:00:00Z */

    /* a VTIMEZONE with the Windows name and nothing in it (no STANDARD or DAYLIGHT):
     * refused before; now the IANA zone, that VTIMEZONE gone.  Pacific Standard Time in
     * January is -08:00: 09:00 there is 17:00 UTC. */
    const char *empty_vtz =
        CAL(OUTLOOK_TZ("Pacific Standard Time", "")
            "BEGIN:VEVENT\r\nUID:w2\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=Pacific Standard Time:20270105T090000\r\nDURATION:PT1H\r\n"
            "EXDATE;TZID=Pacific Standard Time:20270112T090000\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n");
    s = stored(empty_vtz, &fixes);
    CHECK(s != NULL);
    if (!s) return;
    CHECK_INT(fixes, ICAL_FIX_WINDOWS_TZID);
    CHECK(strstr(s, "BEGIN:VTIMEZONE") == NULL);
    CHECK(strstr(s, "DTSTART;TZID=America/Los_Angeles:20270105T090000\r\n") != NULL);
    CHECK(strstr(s, "EXDATE;TZID=America/Los_Angeles:20270112T090000\r\n") != NULL);
    CHECK(strstr(s, "RRULE:FREQ=WEEKLY;COUNT=3\r\n") != NULL); /* every other line kept */
    CHECK_INT(first_start(s), 1799168400); /* 2027-01-05T17:00:00Z */

    /* a proper VTIMEZONE under the Windows name says what it means: stored as sent */
    const char *proper =
        CAL(OUTLOOK_TZ("W. Europe Standard Time", W_EUROPE_RULES)
            "BEGIN:VEVENT\r\nUID:w3\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=W. Europe Standard Time:20260701T100000\r\nDURATION:PT1H\r\n"
            "END:VEVENT\r\n");
    ical_ingest_result r;
    CHECK_INT(ingest_ex(proper, strlen(proper), NULL, &r), ICAL_OK);
    CHECK(r.body == proper && !r.changed && !r.fixes);

    /* a name that is no Windows zone, without VTIMEZONE: refused as before */
    const char *unknown =
        CAL("BEGIN:VEVENT\r\nUID:w4\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART;TZID=Atlantis Standard Time:20260701T100000\r\nEND:VEVENT\r\n");
    CHECK(ingest_ex(unknown, strlen(unknown), NULL, &r) != ICAL_OK);
    /* a UTC value keeps the utc-tzid repair: the Z decides */
    const char *utc = CAL("BEGIN:VEVENT\r\nUID:w5\r\nDTSTAMP:20260101T000000Z\r\n"
                          "DTSTART;TZID=Pacific Standard Time:20260701T100000Z\r\nEND:VEVENT\r\n");
    s = stored(utc, &fixes);
    CHECK(s && strstr(s, "DTSTART:20260701T100000Z\r\n") != NULL);
    CHECK_INT(fixes, ICAL_FIX_UTC_TZID);
}

/* The table: sorted for the binary search, every IANA zone one libical knows, lookups
 * without case, and nothing for what is not a Windows name. */
static void test_windows_zone_table(void)
{
    const char *prev = NULL, *win;
    size_t n = 0;
    for (const char *iana; (iana = ical_windows_zone_at(n, &win)) != NULL; n++) {
        if (prev) CHECK(strcasecmp(prev, win) < 0);
        prev = win;
        icaltimezone *z = icaltimezone_get_builtin_timezone(iana);
        if (!z) fprintf(stderr, "unknown to libical: %s (%s)\n", iana, win);
        CHECK(z != NULL);
        CHECK(ical_windows_zone(win, strlen(win)) == iana);
    }
    CHECK(n > 120);
    const char *w = "w. europe standard time";
    CHECK_STR(ical_windows_zone(w, strlen(w)), "Europe/Berlin");
    w = "Pacific Standard Time (Mexico)";
    CHECK_STR(ical_windows_zone(w, strlen(w)), "America/Tijuana");
    w = "Pacific Standard Time";
    CHECK_STR(ical_windows_zone(w, strlen(w)), "America/Los_Angeles");
    CHECK(ical_windows_zone(w, 8) == NULL); /* a prefix is no name */
    w = "Europe/Berlin";
    CHECK(ical_windows_zone(w, strlen(w)) == NULL);
}

static void test_table_and_names(void)
{
    unsigned all = 0, n = 0;
    for (const ical_repair *rp = ical_repairs; rp->fix; rp++, n++) {
        CHECK(!(all & rp->fix)); /* one row per repair */
        all |= rp->fix;
        CHECK(rp->name && rp->condition && rp->action && rp->rfc);
        CHECK(strstr(rp->rfc, "RFC ") != NULL);
    }
    CHECK_INT(n, 10);
    CHECK_STR(ical_fix_names(P, 0), "");
    CHECK_STR(ical_fix_names(P, ICAL_FIX_CRLF | ICAL_FIX_NO_DTSTAMP), "crlf dtstamp-missing");
    CHECK_STR(ical_fix_names(P, ICAL_FIX_DUP_OVERRIDE), "override-duplicate");
}

int main(void)
{
    ical_global_init();
    P = pool_new();
    RUN(test_valid_data_is_stored_as_sent);
    RUN(test_bom);
    RUN(test_crlf);
    RUN(test_fold_utf8);
    RUN(test_datetime_space);
    RUN(test_utc_tzid);
    RUN(test_missing_version_prodid_dtstamp);
    RUN(test_duplicate_overrides);
    RUN(test_bounds);
    RUN(test_refused_as_before);
    RUN(test_windows_tzid);
    RUN(test_windows_zone_table);
    RUN(test_table_and_names);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

/* ical/validate.h: what a PUT accepts and the precise error for what not. */
#include <libical/ical.h>

#include "check.h"
#include "ical/validate.h"
#include "test_ical_util.h"

static ical_status run(const char *ics, const ical_validate_opts *opts, ical_validate_result *r)
{
    vpool *p = pool_new();
    ical_validate_result tmp;
    if (!r) r = &tmp;
    ical_status st = ical_validate(p, ics, strlen(ics), opts, r);
    /* Pool strings are gone after this; callers only look at codes. */
    if (st != ICAL_OK && !r->detail) fprintf(stderr, "error without detail\n");
    r->detail = NULL;
    r->uid = NULL;
    r->obj = NULL;
    pool_free(p);
    return st;
}

/* Validates the component body wrapped in a VCALENDAR. */
static ical_status run_body(const char *body, const ical_validate_opts *opts)
{
    vpool *p = pool_new();
    char *ics = tu_cal(p, body);
    ical_status st = run(ics, opts, NULL);
    pool_free(p);
    return st;
}

#define EV(extra)                                                                                  \
    "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:20240301T100000Z\r\n" extra     \
    "END:VEVENT\r\n"

static void test_real_world_objects(void)
{
    static const struct {
        const char *file, *uid, *kind;
    } files[] = {
        {"apple_weekly_ny.ics", "6C8E1F0A-3B6D-4E0F-9A51-2D1C7F0B9E11", "VEVENT"},
        {"google_berlin.ics", "4k2p9q7r1s3t5u@google.com", "VEVENT"},
        {"outlook_folded.ics",
         "040000008200E00074C5B7101A82E00800000000B0C3F7D2A263DA01000000000000000"
         "010000000E2F3B09A0C2B7A4C8F6E1D2C3B4A5968",
         "VEVENT"},
        {"thunderbird_todo.ics", "8d9f2e4a-5b6c-4d7e-8f90-a1b2c3d4e5f6", "VTODO"},
        {"allday_birthday.ics", "20240101T000000Z-birthday-ada@example.net", "VEVENT"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        vpool *p = pool_new();
        size_t len = 0;
        char *ics = tu_load(p, files[i].file, &len);
        ical_validate_result r;
        ical_status st = ical_validate(p, ics, len, NULL, &r);
        CHECK_INT(st, ICAL_OK);
        if (st != ICAL_OK) fprintf(stderr, "%s: %s\n", files[i].file, r.detail);
        CHECK_STR(r.uid, files[i].uid);
        CHECK_STR(r.kind, files[i].kind);
        CHECK(r.obj != NULL);
        pool_free(p);
    }
}

static void test_lenient_inputs(void)
{
    vpool *p = pool_new();
    ical_validate_result r;
    /* BOM and LF-only lines: understood (ical/ingest.c repairs them before storing). */
    const char *bom = "\xEF\xBB\xBF"
                      "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\n"
                      "DTSTART:20240301T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    CHECK_INT(ical_validate(p, bom, strlen(bom), NULL, &r), ICAL_OK);
    CHECK(r.warnings & ICAL_WARN_BARE_LF);
    CHECK(r.warnings & ICAL_WARN_NO_DTSTAMP); /* RFC 5545 wants it; harmless */
    CHECK(r.warnings & ICAL_WARN_NO_PRODID);
    pool_free(p);

    /* Empty DESCRIPTION, unknown IANA property, unknown parameter value,
     * unparseable GEO: kept and ignored. */
    CHECK_INT(run_body(EV("DESCRIPTION:\r\nSTYLED-DESCRIPTION;FMTTYPE=text/html:<b>x</b>\r\n"
                          "ATTENDEE;PARTSTAT=SLEEPING:mailto:a@example.com\r\nGEO:nowhere\r\n"),
                       NULL),
              ICAL_OK);
    CHECK_INT(run_body(EV("DTEND:20240301T100000Z\r\n"), NULL), ICAL_OK); /* zero length */
    /* RFC 7809: a known IANA TZID needs no VTIMEZONE. */
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Asia/Tokyo:20240301T100000\r\n"
                       "END:VEVENT\r\n",
                       NULL),
              ICAL_OK);
    /* Overrides without their master (a client invited to one instance). */
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nRECURRENCE-ID:20240301T100000Z\r\n"
                       "DTSTART:20240301T110000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:u\r\n"
                       "RECURRENCE-ID:20240308T100000Z\r\nDTSTART:20240308T110000Z\r\n"
                       "END:VEVENT\r\n",
                       NULL),
              ICAL_OK);
    CHECK_INT(run_body("BEGIN:VTODO\r\nUID:t\r\nSUMMARY:no dates\r\nEND:VTODO\r\n", NULL), ICAL_OK);
    CHECK_INT(run_body("BEGIN:VJOURNAL\r\nUID:j\r\nDTSTART;VALUE=DATE:20240301\r\n"
                       "END:VJOURNAL\r\n",
                       NULL),
              ICAL_OK);
    CHECK_INT(run_body("BEGIN:X-ACME-NOTE\r\nX-A:1\r\nEND:X-ACME-NOTE\r\n" EV(""), NULL), ICAL_OK);
    /* Trailing blanks on lines, lowercase names, quoted TZID, VALUE=DATE-TIME,
     * DELEGATED-TO with several quoted values, RFC 7986 properties. */
    CHECK_INT(run_body("begin:vevent  \r\nuid:a \r\ndtstart;value=date-time:20240301T100000Z\r\n"
                       "DTEND;TZID=\"Europe/Berlin\":20240301T120000\r\n"
                       "ATTENDEE;DELEGATED-TO=\"mailto:a@x\",\"mailto:b@x\":mailto:c@x\r\n"
                       "COLOR:turquoise\r\nCONFERENCE;VALUE=URI;FEATURE=AUDIO:tel:+1-555\r\n"
                       "end:vevent \r\n",
                       NULL),
              ICAL_OK);
    CHECK_INT(run("BEGIN:VCALENDAR\r\nVERSION:2.0 \r\n" EV("") "END:VCALENDAR\r\n", NULL, NULL),
              ICAL_OK);
    /* A leap-day rule is fine (it occurs every four years). */
    CHECK_INT(run_body(EV("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29\r\n"), NULL), ICAL_OK);
}

static void test_invalid_data(void)
{
    static const char *cases[] = {
        "hello world",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nSUMMARY:\xC3\x28\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n", /* invalid UTF-8 */
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\x07\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n", /* BEL */
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\ntrailing junk\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "END:VEVENT\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:2024\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "RRULE:FREQ=FORTNIGHTLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000Z\r\n"
        "DURATION:1 hour\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20244131T100000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n", /* libical takes month 41 */
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20230229T100000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ical_status st = run(cases[i], NULL, NULL);
        if (st != ICAL_ERR_DATA) fprintf(stderr, "case %zu\n", i);
        CHECK_INT(st, ICAL_ERR_DATA);
    }
    /* A NUL byte inside. */
    const char nul[] =
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\0x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    vpool *p = pool_new();
    ical_validate_result r;
    CHECK_INT(ical_validate(p, nul, sizeof(nul) - 1, NULL, &r), ICAL_ERR_DATA);
    pool_free(p);
}

static void test_invalid_object(void)
{
    static const char *bodies[] = {
        /* 0: only a VTIMEZONE */
        "BEGIN:VTIMEZONE\r\nTZID:X\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
        /* 1: two types */
        EV("") "BEGIN:VTODO\r\nUID:u1\r\nEND:VTODO\r\n",
        /* 2: different UIDs */
        EV("") "BEGIN:VEVENT\r\nUID:u2\r\nRECURRENCE-ID:20240308T100000Z\r\n"
               "DTSTART:20240308T100000Z\r\nEND:VEVENT\r\n",
        /* 3: no UID */
        "BEGIN:VEVENT\r\nDTSTART:20240301T100000Z\r\nEND:VEVENT\r\n",
        /* 4: two masters */
        EV("") EV(""),
        /* 5: same RECURRENCE-ID twice (one in UTC, one in New York time) */
        EV("RRULE:FREQ=DAILY\r\n") "BEGIN:VEVENT\r\nUID:u1\r\nRECURRENCE-ID:20240302T100000Z\r\n"
                                   "DTSTART:20240302T120000Z\r\nEND:VEVENT\r\n"
                                   "BEGIN:VEVENT\r\nUID:u1\r\n"
                                   "RECURRENCE-ID;TZID=America/New_York:20240302T050000\r\n"
                                   "DTSTART:20240302T130000Z\r\nEND:VEVENT\r\n",
        /* 6: DTEND with DURATION */
        EV("DTEND:20240301T110000Z\r\nDURATION:PT1H\r\n"),
        /* 7: VEVENT without DTSTART */
        "BEGIN:VEVENT\r\nUID:u\r\nSUMMARY:when?\r\nEND:VEVENT\r\n",
        /* 8: VALARM without TRIGGER */
        EV("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nEND:VALARM\r\n"),
        /* 9, 10: (were sub-daily rules with day-level BY parts and rules
         * that never occur; both are accepted now, see test_rules_tolerated) */
        EV("DTEND:20240301T110000Z\r\nDURATION:PT1H\r\n"),
        EV("DTEND:20240301T110000Z\r\nDURATION:PT1H\r\n"),
        /* 11: VTODO DURATION without DTSTART */
        "BEGIN:VTODO\r\nUID:t\r\nDURATION:PT1H\r\nEND:VTODO\r\n",
        /* 12: DTSTART twice */
        EV("DTSTART:20240302T100000Z\r\n"),
        /* 13: VTIMEZONE without observances */
        "BEGIN:VTIMEZONE\r\nTZID:Empty\r\nEND:VTIMEZONE\r\n" EV(""),
        /* 14: negative DURATION */
        EV("DURATION:-PT1H\r\n"),
        /* 15: DUE together with DURATION */
        "BEGIN:VTODO\r\nUID:t\r\nDTSTART:20240301T100000Z\r\nDUE:20240302T100000Z\r\n"
        "DURATION:PT1H\r\nEND:VTODO\r\n",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        ical_status st = run_body(bodies[i], NULL);
        if (st != ICAL_ERR_OBJECT) fprintf(stderr, "object case %zu: %d\n", i, st);
        CHECK_INT(st, ICAL_ERR_OBJECT);
    }
    /* RFC 7809: a TZID neither defined nor known is its own precondition */
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Mars/Olympus_Mons:20240301T100000\r\n"
                       "END:VEVENT\r\n",
                       NULL),
              ICAL_ERR_UNKNOWN_TZID);
    CHECK_STR(ical_status_precondition(ICAL_ERR_UNKNOWN_TZID), "valid-timezone");
    CHECK_INT(run("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" EV("") "END:VCALENDAR\r\n",
                  NULL, NULL),
              ICAL_ERR_OBJECT);
}

/* Ends of another value type than DTSTART, or before it, are what some
 * clients write; they are kept (see validate.c) and flagged. */
static void test_odd_ends_kept(void)
{
    static const char *bodies[] = {
        EV("DTEND:20240301T090000Z\r\n"),
        EV("DTEND;VALUE=DATE:20240302\r\n"),
        "BEGIN:VTODO\r\nUID:t\r\nDTSTART:20240301T100000Z\r\nDUE:20240228T100000Z\r\n"
        "END:VTODO\r\n",
        "BEGIN:VTODO\r\nUID:t\r\nDTSTART;VALUE=DATE:20240301\r\nDUE:20240302T100000Z\r\n"
        "END:VTODO\r\n",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        vpool *p = pool_new();
        ical_validate_result r;
        const char *ics = tu_cal(p, bodies[i]);
        CHECK_INT(ical_validate(p, ics, strlen(ics), NULL, &r), ICAL_OK);
        CHECK(r.warnings & ICAL_WARN_ODD_END);
        pool_free(p);
    }
    vpool *p = pool_new();
    ical_validate_result r;
    const char *fine = tu_cal(p, EV("DTEND:20240301T110000Z\r\n"));
    CHECK_INT(ical_validate(p, fine, strlen(fine), NULL, &r), ICAL_OK);
    CHECK(!(r.warnings & ICAL_WARN_ODD_END));
    pool_free(p);
}

static void test_supported_component(void)
{
    ical_validate_opts o;
    ical_validate_opts_init(&o);
    o.allowed_kinds = ICAL_KIND_VEVENT;
    CHECK_INT(run_body(EV(""), &o), ICAL_OK);
    CHECK_INT(run_body("BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\n", &o), ICAL_ERR_COMPONENT);
    CHECK_INT(run_body("BEGIN:VFOO\r\nUID:t\r\nEND:VFOO\r\n", NULL), ICAL_ERR_COMPONENT);
    o.allowed_kinds = ICAL_KIND_VTODO | ICAL_KIND_VJOURNAL;
    CHECK_INT(run_body("BEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\n", &o), ICAL_OK);
}

static void test_date_limits(void)
{
    ical_validate_opts o;
    ical_validate_opts_init(&o);
    o.min_date = tu_t("20000101T000000Z");
    o.max_date = tu_t("20300101T000000Z");
    o.horizon = tu_t("20260101T000000Z");
    CHECK_INT(run_body(EV(""), &o), ICAL_OK);
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART:19991231T230000Z\r\nEND:VEVENT\r\n", &o),
              ICAL_ERR_MIN_DATE);
    /* The end counts: 1h event ending after max. */
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART:20291231T233000Z\r\nDURATION:PT1H\r\n"
                       "END:VEVENT\r\n",
                       &o),
              ICAL_ERR_MAX_DATE);
    /* A bounded series is checked to its end... */
    CHECK_INT(run_body(EV("RRULE:FREQ=YEARLY;COUNT=10\r\n"), &o), ICAL_ERR_MAX_DATE);
    CHECK_INT(run_body(EV("RRULE:FREQ=YEARLY;UNTIL=20291231T000000Z\r\n"), &o), ICAL_OK);
    /* ...an unbounded one up to the horizon. */
    CHECK_INT(run_body(EV("RRULE:FREQ=YEARLY\r\n"), &o), ICAL_OK);
    /* An override is an instance too. */
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY;COUNT=3\r\n") "BEGIN:VEVENT\r\nUID:u1\r\n"
                                                          "RECURRENCE-ID:20240302T100000Z\r\n"
                                                          "DTSTART:19990302T100000Z\r\n"
                                                          "END:VEVENT\r\n",
                       &o),
              ICAL_ERR_MIN_DATE);
    /* Floating times are read in the collection's zone. */
    o.min_date = tu_t("20240301T100000Z");
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000\r\nEND:VEVENT\r\n", &o),
              ICAL_OK);
    o.floating_tz = icaltimezone_get_builtin_timezone("Europe/Berlin");
    CHECK_INT(run_body("BEGIN:VEVENT\r\nUID:u\r\nDTSTART:20240301T100000\r\nEND:VEVENT\r\n", &o),
              ICAL_ERR_MIN_DATE);
}

static void test_max_instances(void)
{
    ical_validate_opts o;
    ical_validate_opts_init(&o);
    o.max_instances = 10;
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY;COUNT=10\r\n"), &o), ICAL_OK);
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY;COUNT=11\r\n"), &o), ICAL_ERR_MAX_INSTANCES);
    /* EXDATEs remove instances: 12 - 2 = 10. */
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY;COUNT=12\r\nEXDATE:20240302T100000Z,"
                          "20240303T100000Z\r\n"),
                       &o),
              ICAL_OK);
    /* RDATEs add them: 10 + 1. */
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY;COUNT=10\r\nRDATE:20250101T100000Z\r\n"), &o),
              ICAL_ERR_MAX_INSTANCES);
    /* Unbounded: judged by the instances before the horizon. */
    o.horizon = tu_t("20240308T000000Z"); /* 7 daily instances before it */
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY\r\n"), &o), ICAL_OK);
    o.horizon = tu_t("20250101T000000Z");
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY\r\n"), &o), ICAL_ERR_MAX_INSTANCES);
    o.horizon = 0; /* no horizon: unbounded exceeds any limit */
    CHECK_INT(run_body(EV("RRULE:FREQ=YEARLY\r\n"), &o), ICAL_ERR_MAX_INSTANCES);
    o.max_instances = 0;
    CHECK_INT(run_body(EV("RRULE:FREQ=DAILY\r\n"), &o), ICAL_OK);
}

static void test_max_attendees(void)
{
    ical_validate_opts o;
    ical_validate_opts_init(&o);
    o.max_attendees = 2;
    const char *a2 = EV("ATTENDEE:mailto:a@x\r\nATTENDEE:mailto:b@x\r\n");
    const char *a3 = EV("ATTENDEE:mailto:a@x\r\nATTENDEE:mailto:b@x\r\nATTENDEE:mailto:c@x\r\n");
    CHECK_INT(run_body(a2, &o), ICAL_OK);
    CHECK_INT(run_body(a3, &o), ICAL_ERR_MAX_ATTENDEES);
    vpool *p = pool_new();
    size_t len = 0;
    char *g = tu_load(p, "google_berlin.ics", &len); /* 3 attendees */
    ical_validate_result r;
    CHECK_INT(ical_validate(p, g, len, &o, &r), ICAL_ERR_MAX_ATTENDEES);
    CHECK(r.detail != NULL);
    pool_free(p);
}

int main(void)
{
    RUN(test_real_world_objects);
    RUN(test_lenient_inputs);
    RUN(test_invalid_data);
    RUN(test_invalid_object);
    RUN(test_odd_ends_kept);
    RUN(test_supported_component);
    RUN(test_date_limits);
    RUN(test_max_instances);
    RUN(test_max_attendees);
    ical_global_cleanup();
    return check_summary();
}

/* ical/index.h and the recurrence engine behind it: DST, EXDATE, RDATE,
 * overrides, RANGE=THISANDFUTURE, all-day and floating times, caps. */
#include <libical/ical.h>

#include "check.h"
#include "ical/index.h"
#include "ical/internal.h"
#include "test_ical_util.h"

/* Builds the index of ics and compares its spans with want (pairs of UTC
 * literals, NULL-terminated). */
static void expect_spans(const char *label, ical_object *o, const ical_eval_opts *opts,
                         int64_t horizon, const char *const *want, unsigned flags_set,
                         unsigned flags_clear)
{
    vpool *p = pool_new();
    ical_index idx;
    CHECK_INT(ical_index_build(p, o, opts, horizon, &idx), ICAL_OK);
    size_t n = 0;
    while (want[2 * n])
        n++;
    CHECK_INT(idx.nspans, n);
    for (size_t i = 0; i < n && i < idx.nspans; i++) {
        int64_t s = tu_t(want[2 * i]);
        int64_t e = strcmp(want[2 * i + 1], "MAX") == 0 ? ICAL_TIME_MAX : tu_t(want[2 * i + 1]);
        if (idx.spans[i].start != s || idx.spans[i].end != e) {
            char a[17], b[17];
            ical_format_utc(idx.spans[i].start, a);
            ical_format_utc(idx.spans[i].end, b);
            fprintf(stderr, "%s span %zu: %s-%s, expected %s-%s\n", label, i, a, b, want[2 * i],
                    want[2 * i + 1]);
        }
        CHECK(idx.spans[i].start == s && idx.spans[i].end == e);
    }
    CHECK((idx.flags & flags_set) == flags_set);
    CHECK((idx.flags & flags_clear) == 0);
    pool_free(p);
}

static void test_apple_weekly_dst(void)
{
    vpool *p = pool_new();
    ical_object *o = tu_parse_file(p, "apple_weekly_ny.ics");
    /* US DST starts 2024-03-10: 09:00 EST = 14:00Z, then 09:00 EDT = 13:00Z.
     * 15 March is overridden to 14:00 EDT; 22 March is an EXDATE; UNTIL
     * stops before 26 April. */
    static const char *const want[] = {"20240301T140000Z", "20240301T150000Z", "20240308T140000Z",
                                       "20240308T150000Z", "20240315T180000Z", "20240315T190000Z",
                                       "20240329T130000Z", "20240329T140000Z", "20240405T130000Z",
                                       "20240405T140000Z", "20240412T130000Z", "20240412T140000Z",
                                       "20240419T130000Z", "20240419T140000Z", NULL};
    expect_spans("apple", o, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING,
                 ICAL_IDX_OPEN_ENDED | ICAL_IDX_TRUNCATED | ICAL_IDX_FLOATING);
    CHECK_STR(ical_object_uid(o), "6C8E1F0A-3B6D-4E0F-9A51-2D1C7F0B9E11");
    CHECK_INT(ical_object_kind(o), ICAL_KIND_VEVENT);
    pool_free(p);
}

static void test_google_open_ended_berlin(void)
{
    vpool *p = pool_new();
    ical_object *o = tu_parse_file(p, "google_berlin.ics");
    /* EU DST ends 2023-10-29: 10:00 CEST = 08:00Z, then 10:00 CET = 09:00Z. */
    static const char *const want[] = {"20231010T080000Z",
                                       "20231010T090000Z",
                                       "20231017T080000Z",
                                       "20231017T090000Z",
                                       "20231024T080000Z",
                                       "20231024T090000Z",
                                       "20231031T090000Z",
                                       "20231031T100000Z",
                                       "20231107T090000Z",
                                       "20231107T100000Z",
                                       "20231114T090000Z",
                                       "20231114T100000Z",
                                       "20231115T000000Z",
                                       "MAX",
                                       NULL};
    expect_spans("google", o, NULL, tu_t("20231115T000000Z"), want,
                 ICAL_IDX_RECURRING | ICAL_IDX_OPEN_ENDED, ICAL_IDX_TRUNCATED);
    vpool *q = pool_new();
    ical_index idx;
    CHECK_INT(ical_index_build(q, o, NULL, tu_t("20231115T000000Z"), &idx), ICAL_OK);
    CHECK(ical_index_may_match(&idx, tu_t("20300101T000000Z"), tu_t("20300102T000000Z")));
    /* Inclusive superset: an instance starting exactly at the end is a candidate. */
    CHECK(ical_index_may_match(&idx, tu_t("20231011T000000Z"), tu_t("20231017T080000Z")));
    CHECK(!ical_index_may_match(&idx, tu_t("20231011T000000Z"), tu_t("20231017T070000Z")));
    pool_free(q);
    pool_free(p);
}

/* One-off events and overrides past the expansion horizon are indexed too. */
static void test_far_singles_indexed(void)
{
    vpool *p = pool_new();
    ical_index idx;
    int64_t horizon = tu_t("20270101T000000Z");
    ical_object *one = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:far\r\n"
                                             "DTSTART:20360101T150000Z\r\nDURATION:PT1H\r\n"
                                             "END:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, one, NULL, horizon, &idx), ICAL_OK);
    CHECK(ical_index_may_match(&idx, tu_t("20360101T000000Z"), tu_t("20360102T000000Z")));
    CHECK(!ical_index_may_match(&idx, tu_t("20350101T000000Z"), tu_t("20350102T000000Z")));
    /* An override alone (its master lives elsewhere or was never sent). */
    ical_object *ovr = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:o\r\n"
                                             "RECURRENCE-ID:20360101T150000Z\r\n"
                                             "DTSTART:20360101T150000Z\r\nDURATION:PT1H\r\n"
                                             "END:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, ovr, NULL, horizon, &idx), ICAL_OK);
    CHECK(ical_index_may_match(&idx, tu_t("20360101T000000Z"), tu_t("20360102T000000Z")));
    pool_free(p);
}

/* Which spans are exact: fixed times under the span and point rules; not
 * floating or all-day times, not the stand-in past the horizon, not a far
 * override that might be excluded, not a VTODO's DUE rule. */
static void test_exact_spans(void)
{
    vpool *p = pool_new();
    ical_index idx;
    int64_t horizon = tu_t("20270101T000000Z");
    ical_object *timed = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:t\r\n"
                                               "DTSTART:20260105T100000Z\r\nDURATION:PT1H\r\n"
                                               "RRULE:FREQ=WEEKLY;COUNT=3\r\n"
                                               "EXDATE:20260112T100000Z\r\nEND:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, timed, NULL, horizon, &idx), ICAL_OK);
    CHECK_INT(idx.nspans, 2); /* the EXDATE leaves no span */
    for (size_t i = 0; i < idx.nspans; i++) CHECK(idx.spans[i].exact);
    ical_object *point = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:p\r\n"
                                               "DTSTART:20260105T100030Z\r\nEND:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, point, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && idx.spans[0].exact);
    ical_object *open = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:o\r\n"
                                              "DTSTART:20261201T100000Z\r\nDURATION:PT1H\r\n"
                                              "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, open, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans >= 2 && idx.spans[0].exact && !idx.spans[idx.nspans - 1].exact);
    ical_object *allday = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:a\r\n"
                                                "DTSTART;VALUE=DATE:20260105\r\nEND:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, allday, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && !idx.spans[0].exact);
    ical_object *floating = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:f\r\n"
                                                  "DTSTART:20260105T100000\r\nDURATION:PT1H\r\n"
                                                  "END:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, floating, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && !idx.spans[0].exact);
    ical_object *far = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:r\r\n"
                                             "RECURRENCE-ID:20360101T150000Z\r\n"
                                             "DTSTART:20360101T150000Z\r\nDURATION:PT1H\r\n"
                                             "END:VEVENT\r\n"));
    CHECK_INT(ical_index_build(p, far, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && !idx.spans[0].exact);
    ical_object *due = tu_parse(p, tu_cal(p, "BEGIN:VTODO\r\nUID:d\r\n"
                                             "DUE:20260105T100000Z\r\nEND:VTODO\r\n"));
    CHECK_INT(ical_index_build(p, due, NULL, horizon, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && !idx.spans[0].exact);
    pool_free(p);
}

static void test_berlin_march_change(void)
{
    vpool *p = pool_new();
    /* A Saturday 09:00 Berlin event across 2024-03-31 (CET to CEST), with
     * the zone taken from the system zoneinfo (no VTIMEZONE, RFC 7809). */
    ical_object *o = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:b\r\n"
                                           "DTSTART;TZID=Europe/Berlin:20240323T090000\r\n"
                                           "DURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
                                           "END:VEVENT\r\n"));
    static const char *const want[] = {"20240323T080000Z",
                                       "20240323T083000Z",
                                       "20240330T080000Z",
                                       "20240330T083000Z",
                                       "20240406T070000Z",
                                       "20240406T073000Z",
                                       NULL};
    expect_spans("berlin", o, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING, ICAL_IDX_FLOATING);
    pool_free(p);
}

static void test_exdate_of_override(void)
{
    vpool *p = pool_new();
    /* Day 3 has both an EXDATE and an override: the EXDATE wins (the
     * instance was deleted after being changed).  Day 4 is moved. */
    ical_object *o = tu_parse(
        p, tu_cal(p, "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20240101T100000Z\r\nDURATION:PT1H\r\n"
                     "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20240103T100000Z\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nUID:x\r\nRECURRENCE-ID:20240103T100000Z\r\n"
                     "DTSTART:20240103T150000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nUID:x\r\nRECURRENCE-ID:20240104T100000Z\r\n"
                     "DTSTART:20240104T070000Z\r\nDURATION:PT2H\r\nEND:VEVENT\r\n"));
    static const char *const want[] = {"20240101T100000Z", "20240101T110000Z", "20240102T100000Z",
                                       "20240102T110000Z", "20240104T070000Z", "20240104T090000Z",
                                       "20240105T100000Z", "20240105T110000Z", NULL};
    expect_spans("exdate", o, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING, 0);

    /* An override of a non-recurring event replaces its only instance. */
    ical_object *one =
        tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:o\r\nDTSTART:20240101T100000Z\r\n"
                              "DURATION:PT1H\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:o\r\n"
                              "RECURRENCE-ID:20240101T100000Z\r\nDTSTART:20240101T140000Z\r\n"
                              "DURATION:PT1H\r\nEND:VEVENT\r\n"));
    static const char *const w1[] = {"20240101T140000Z", "20240101T150000Z", NULL};
    expect_spans("one-off", one, NULL, ICAL_TIME_MAX, w1, ICAL_IDX_RECURRING, 0);
    pool_free(p);
}

static void test_thisandfuture(void)
{
    vpool *p = pool_new();
    /* From 15 January on, the series moves to 14:00 for two hours; the
     * 29 January instance has its own exact override at 09:00. */
    ical_object *o = tu_parse(
        p,
        tu_cal(p, "BEGIN:VEVENT\r\nUID:t\r\nDTSTART:20240101T100000Z\r\n"
                  "DTEND:20240101T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=6\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:t\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240115T100000Z\r\n"
                  "DTSTART:20240115T140000Z\r\nDTEND:20240115T160000Z\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:t\r\nRECURRENCE-ID:20240129T100000Z\r\n"
                  "DTSTART:20240129T090000Z\r\nDTEND:20240129T093000Z\r\nEND:VEVENT\r\n"));
    static const char *const want[] = {"20240101T100000Z",
                                       "20240101T110000Z",
                                       "20240108T100000Z",
                                       "20240108T110000Z",
                                       "20240115T140000Z",
                                       "20240115T160000Z",
                                       "20240122T140000Z",
                                       "20240122T160000Z",
                                       "20240129T090000Z",
                                       "20240129T093000Z",
                                       "20240205T140000Z",
                                       "20240205T160000Z",
                                       NULL};
    expect_spans("taf", o, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING, 0);

    /* The shift is wall-clock time: moving 10:00 to 12:00 Berlin on 25 March
     * gives 12:00 CEST (10:00Z) on 1 April, not 11:00Z. */
    ical_object *b = tu_parse(
        p, tu_cal(p, "BEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Europe/Berlin:20240318T100000\r\n"
                     "DURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\n"
                     "BEGIN:VEVENT\r\nUID:b\r\n"
                     "RECURRENCE-ID;TZID=Europe/Berlin;RANGE=THISANDFUTURE:20240325T100000\r\n"
                     "DTSTART;TZID=Europe/Berlin:20240325T120000\r\nDURATION:PT1H\r\n"
                     "END:VEVENT\r\n"));
    static const char *const wb[] = {"20240318T090000Z",
                                     "20240318T100000Z",
                                     "20240325T110000Z",
                                     "20240325T120000Z",
                                     "20240401T100000Z",
                                     "20240401T110000Z",
                                     NULL};
    expect_spans("taf-dst", b, NULL, ICAL_TIME_MAX, wb, ICAL_IDX_RECURRING, 0);
    pool_free(p);
}

static void test_allday_and_floating(void)
{
    vpool *p = pool_new();
    ical_object *o = tu_parse_file(p, "allday_birthday.ics");
    static const char *const utc[] = {"20241210T000000Z",
                                      "20241211T000000Z",
                                      "20251210T000000Z",
                                      "20251211T000000Z",
                                      "20260101T000000Z",
                                      "MAX",
                                      NULL};
    expect_spans("allday", o, NULL, tu_t("20260101T000000Z"), utc,
                 ICAL_IDX_FLOATING | ICAL_IDX_ALLDAY | ICAL_IDX_OPEN_ENDED, 0);
    /* In the collection's zone (Berlin, UTC+1 in December): an hour earlier. */
    ical_eval_opts eo = {icaltimezone_get_builtin_timezone("Europe/Berlin"), 0};
    static const char *const ber[] = {"20241209T230000Z",
                                      "20241210T230000Z",
                                      "20251209T230000Z",
                                      "20251210T230000Z",
                                      "20260101T000000Z",
                                      "MAX",
                                      NULL};
    expect_spans("allday-berlin", o, &eo, tu_t("20260101T000000Z"), ber, ICAL_IDX_FLOATING, 0);

    /* A floating 10:00 meeting is 15:00Z for a New York calendar. */
    ical_object *f = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20240301T100000\r\n"
                                           "DTEND:20240301T110000\r\nEND:VEVENT\r\n"));
    ical_eval_opts ny = {icaltimezone_get_builtin_timezone("America/New_York"), 0};
    static const char *const fl[] = {"20240301T150000Z", "20240301T160000Z", NULL};
    expect_spans("floating", f, &ny, ICAL_TIME_MAX, fl, ICAL_IDX_FLOATING, ICAL_IDX_RECURRING);
    /* The index widens floating objects by a day for other zones. */
    ical_index idx;
    CHECK_INT(ical_index_build(p, f, NULL, ICAL_TIME_MAX, &idx), ICAL_OK);
    CHECK(ical_index_may_match(&idx, tu_t("20240301T200000Z"), tu_t("20240301T210000Z")));
    CHECK(!ical_index_may_match(&idx, tu_t("20240303T000000Z"), tu_t("20240304T000000Z")));
    pool_free(p);
}

static void test_rdate_and_dtstart(void)
{
    vpool *p = pool_new();
    /* DTSTART on a Wednesday with a Monday rule: DTSTART is the first
     * instance anyway (RFC 5545 §3.8.5.3).  RDATEs add a period and a
     * plain date-time (which takes the event's duration). */
    ical_object *o = tu_parse(
        p, tu_cal(p, "BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20240103T100000Z\r\nDURATION:PT1H\r\n"
                     "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2\r\n"
                     "RDATE;VALUE=PERIOD:20240120T080000Z/PT3H\r\nRDATE:20240125T100000Z\r\n"
                     "END:VEVENT\r\n"));
    static const char *const want[] = {"20240103T100000Z",
                                       "20240103T110000Z",
                                       "20240108T100000Z",
                                       "20240108T110000Z",
                                       "20240115T100000Z",
                                       "20240115T110000Z",
                                       "20240120T080000Z",
                                       "20240120T110000Z",
                                       "20240125T100000Z",
                                       "20240125T110000Z",
                                       NULL};
    expect_spans("rdate", o, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING, 0);
    pool_free(p);
}

static void test_caps_and_todo_rows(void)
{
    vpool *p = pool_new();
    ical_object *o = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20240101T100000Z\r\n"
                                           "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"));
    ical_eval_opts eo = {NULL, 3};
    static const char *const want[] = {"20240101T100000Z",
                                       "20240101T100000Z",
                                       "20240102T100000Z",
                                       "20240102T100000Z",
                                       "20240103T100000Z",
                                       "MAX",
                                       NULL};
    expect_spans("cap", o, &eo, ICAL_TIME_MAX, want, ICAL_IDX_TRUNCATED, 0);

    static const struct {
        const char *body;
        const char *s, *e;
    } rows[] = {
        {"DUE:20240105T120000Z\r\n", "20240105T120000Z", "20240105T120000Z"},
        {"CREATED:20240102T000000Z\r\n", "20240102T000000Z", "MAX"},
        {"COMPLETED:20240103T000000Z\r\nCREATED:20240102T000000Z\r\n", "20240102T000000Z",
         "20240103T000000Z"},
        {"SUMMARY:no dates\r\n", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char *ics = pool_printf(p,
                                "BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:t\r\n%sEND:VTODO\r\n"
                                "END:VCALENDAR\r\n",
                                rows[i].body);
        ical_object *t = tu_parse(p, ics);
        ical_index idx;
        CHECK_INT(ical_index_build(p, t, NULL, ICAL_TIME_MAX, &idx), ICAL_OK);
        CHECK_INT(idx.nspans, 1);
        if (rows[i].s) {
            CHECK(idx.spans[0].start == tu_t(rows[i].s));
            CHECK(idx.spans[0].end ==
                  (strcmp(rows[i].e, "MAX") == 0 ? ICAL_TIME_MAX : tu_t(rows[i].e)));
        } else {
            CHECK(idx.spans[0].start == ICAL_TIME_MIN && idx.spans[0].end == ICAL_TIME_MAX);
        }
    }
    /* A VJOURNAL without DTSTART never matches a time range. */
    ical_object *j = tu_parse(p, tu_cal(p, "BEGIN:VJOURNAL\r\nUID:j\r\nEND:VJOURNAL\r\n"));
    ical_index idx;
    CHECK_INT(ical_index_build(p, j, NULL, ICAL_TIME_MAX, &idx), ICAL_OK);
    CHECK_INT(idx.nspans, 0);
    CHECK(!ical_index_may_match(&idx, ICAL_TIME_MIN, ICAL_TIME_MAX));
    pool_free(p);
}

typedef struct starts {
    int64_t v[512];
    int n;
    int64_t s, e;
} starts;

static int on_start(void *ctx, const ical_inst *in)
{
    starts *st = ctx;
    if (inst_overlaps(in, st->s, st->e) && st->n < 512) st->v[st->n++] = in->a;
    return 0;
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The engine skips ahead with libical's set_start when the window starts
 * late; it must give exactly the instances a walk from DTSTART gives. */
static void test_skip_ahead_matches_full_walk(void)
{
    static const char *const rules[] = {
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=HOURLY;INTERVAL=7",
        "FREQ=WEEKLY;UNTIL=20330101T000000Z",
    };
    const char *zones[] = {"", ";TZID=Europe/Berlin", ";TZID=America/New_York"};
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
        for (size_t z = 0; z < 3; z++) {
            vpool *p = pool_new();
            char *ics = pool_printf(p,
                                    "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\n"
                                    "DTSTART%s:20100105T103000\r\nDURATION:PT45M\r\n"
                                    "RRULE:%s\r\nEXDATE%s:20320106T103000\r\nEND:VEVENT\r\n"
                                    "END:VCALENDAR\r\n",
                                    zones[z], rules[r], zones[z]);
            ical_object *o = tu_parse(p, ics);
            starts a = {.n = 0, .s = tu_t("20320101T000000Z"), .e = tu_t("20320401T000000Z")};
            starts b = a;
            unsigned fl;
            rset_expand(o, &o->sets[0], NULL, a.s, a.e, 200000, on_start, &a, &fl);
            rset_expand(o, &o->sets[0], NULL, ICAL_TIME_MIN, b.e, 200000, on_start, &b, &fl);
            qsort(a.v, (size_t)a.n, sizeof(int64_t), cmp64);
            qsort(b.v, (size_t)b.n, sizeof(int64_t), cmp64);
            int same = a.n == b.n && memcmp(a.v, b.v, (size_t)a.n * sizeof(int64_t)) == 0;
            if (!same)
                fprintf(stderr, "rule %s zone '%s': %d vs %d\n", rules[r], zones[z], a.n, b.n);
            CHECK(same);
            CHECK(a.n > 0);
            pool_free(p);
        }
}

/* fastrule.c must produce exactly what libical's iterator produces for the
 * shapes it takes over. */
static void test_fast_rules_match_libical(void)
{
    static const char *const rules[] = {
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=2;COUNT=40",
        "FREQ=DAILY;BYDAY=MO,WE,FR",
        "FREQ=DAILY;UNTIL=20240315T000000Z",
        "FREQ=WEEKLY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU",
        "FREQ=WEEKLY;COUNT=7;BYDAY=SA,SU",
        "FREQ=WEEKLY;INTERVAL=3;UNTIL=20250101T000000Z",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=3;COUNT=8",
        "FREQ=MONTHLY;UNTIL=20261231",
        "FREQ=YEARLY",
        "FREQ=YEARLY;INTERVAL=4;COUNT=5",
        "FREQ=YEARLY;UNTIL=20300101T000000Z",
        /* DAILY with BY parts runs on the sub-day generator */
        "FREQ=DAILY;BYHOUR=9,17",
        "FREQ=DAILY;BYHOUR=8;BYMINUTE=0,15,30,45;COUNT=50",
        "FREQ=DAILY;INTERVAL=2;BYMONTHDAY=1,2,3,4",
        "FREQ=DAILY;BYMONTH=2,3;BYDAY=MO",
    };
    /* No start in a DST gap: there libical keeps the shifted wall-clock time
     * for every later occurrence (02:30 becomes 03:30 for good), which
     * test_dst_gap_and_overlap shows we do not copy. */
    static const char *const dtstarts[] = {"20240131T093000", "20240229T230000", "20240110",
                                           "20240105T103000Z", "20240330T013000"};
    static const char *const zones[] = {NULL, "Europe/Berlin", "America/New_York"};
    int compared = 0;
    for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++)
        for (size_t s = 0; s < sizeof(dtstarts) / sizeof(dtstarts[0]); s++)
            for (size_t z = 0; z < 3; z++) {
                struct icalrecurrencetype rule = icalrecurrencetype_from_string(rules[r]);
                struct icaltimetype st = icaltime_from_string(dtstarts[s]);
                /* libical repeats an all-day occurrence per BYHOUR value */
                if (st.is_date && rule.by_hour[0] != ICAL_RECURRENCE_ARRAY_MAX) continue;
                if (zones[z] && !st.is_date && !icaltime_is_utc(st))
                    st.zone = icaltimezone_get_builtin_timezone(zones[z]);
                fast_rule f;
                CHECK_INT(fast_open(&f, &rule, st, NULL), 0);
                icalrecur_iterator *it = icalrecur_iterator_new(rule, st);
                int n = 0, same = 1;
                for (; n < 400 && same; n++) {
                    int64_t u;
                    struct icaltimetype a = fast_next(&f, &u);
                    struct icaltimetype b = icalrecur_iterator_next(it);
                    if (icaltime_is_null_time(a) || icaltime_is_null_time(b)) {
                        same = icaltime_is_null_time(a) && icaltime_is_null_time(b);
                        break;
                    }
                    /* Compared as instants: in a DST gap libical writes the
                     * shifted wall-clock time (03:30 for a missing 02:30). */
                    same = a.is_date == b.is_date && u == tt_utc(b, NULL) &&
                           tt_civil(a) == tt_civil(b);
                    if (!same)
                        fprintf(stderr, "%s from %s %s: #%d %s vs libical %s\n", rules[r],
                                dtstarts[s], zones[z] ? zones[z] : "", n,
                                icaltime_as_ical_string(a), icaltime_as_ical_string(b));
                }
                icalrecur_iterator_free(it);
                CHECK(same);
                compared += n;
            }
    CHECK(compared > 10000);
    /* Shapes it leaves to libical. */
    static const char *const other[] = {"FREQ=MONTHLY;BYDAY=-1FR",
                                        "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
                                        "FREQ=MONTHLY;BYMONTHDAY=1,15",
                                        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"};
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        struct icalrecurrencetype rule = icalrecurrencetype_from_string(other[i]);
        fast_rule f;
        CHECK_INT(fast_open(&f, &rule, icaltime_from_string("20240105T103000"), NULL), -1);
    }
}

/* RFC 5545 §3.3.5: a nonexistent local time takes the offset before the
 * gap; an ambiguous one means its first occurrence. */
static void test_dst_gap_and_overlap(void)
{
    static const struct {
        const char *tz, *local, *utc;
    } cases[] = {
        {"Europe/Berlin", "20240331T023000", "20240331T013000Z"},    /* gap */
        {"Europe/Berlin", "20241027T023000", "20241027T003000Z"},    /* twice: CEST */
        {"America/New_York", "20070311T023000", "20070311T073000Z"}, /* RFC's examples */
        {"America/New_York", "20071104T013000", "20071104T053000Z"},
        {"America/New_York", "20240704T120000", "20240704T160000Z"},
        /* Beyond libical's year 2582: the 400-year cycle (and fast). */
        {"Europe/Berlin", "30000704T120000", "30000704T100000Z"},
        {"Europe/Berlin", "99991231T120000", "99991231T110000Z"},
    };
    vpool *p = pool_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ical_object *o = tu_parse(p, tu_cal(p, pool_printf(p,
                                                           "BEGIN:VEVENT\r\nUID:g\r\n"
                                                           "DTSTART;TZID=%s:%s\r\n"
                                                           "END:VEVENT\r\n",
                                                           cases[i].tz, cases[i].local)));
        ical_index idx;
        CHECK_INT(ical_index_build(p, o, NULL, ICAL_TIME_MAX, &idx), ICAL_OK);
        CHECK(idx.nspans == 1 && idx.spans[0].start == tu_t(cases[i].utc));
    }
    /* A daily 02:30 keeps 02:30 after the gap day (libical's iterator would
     * drift to 03:30). */
    ical_object *d = tu_parse(p, tu_cal(p, "BEGIN:VEVENT\r\nUID:d\r\n"
                                           "DTSTART;TZID=Europe/Berlin:20240330T023000\r\n"
                                           "RRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n"));
    static const char *const want[] = {"20240330T013000Z",
                                       "20240330T013000Z",
                                       "20240331T013000Z",
                                       "20240331T013000Z",
                                       "20240401T003000Z",
                                       "20240401T003000Z",
                                       NULL};
    expect_spans("gap", d, NULL, ICAL_TIME_MAX, want, ICAL_IDX_RECURRING, 0);
    pool_free(p);
}

int main(void)
{
    RUN(test_apple_weekly_dst);
    RUN(test_google_open_ended_berlin);
    RUN(test_berlin_march_change);
    RUN(test_far_singles_indexed);
    RUN(test_exact_spans);
    RUN(test_exdate_of_override);
    RUN(test_thisandfuture);
    RUN(test_allday_and_floating);
    RUN(test_rdate_and_dtstart);
    RUN(test_caps_and_todo_rows);
    RUN(test_skip_ahead_matches_full_walk);
    RUN(test_fast_rules_match_libical);
    RUN(test_dst_gap_and_overlap);
    ical_global_cleanup();
    return check_summary();
}

/* Bounded work in ical/: the reproducers of security issue 13 (defects 4, 5
 * and the libical half of 7), each written from the report, with a time
 * bound (before the fix each of them ran for seconds, minutes or forever,
 * or grew the heap by gigabytes). */
#include <libical/ical.h>
#include <time.h>

#include "check.h"
#include "common/buf.h"
#include "ical/filter.h"
#include "ical/index.h"
#include "ical/internal.h"
#include "ical/lex.h"
#include "ical/tz.h"
#include "ical/validate.h"
#include "test_ical_util.h"

/* Time bounds are for the release build; the sanitizers run about five
 * times slower. */
#if defined(__SANITIZE_ADDRESS__)
#define SLOW 5
#else
#define SLOW 1
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The server's PUT options (dav/caldav_member.c). */
static void put_opts(ical_validate_opts *o)
{
    ical_validate_opts_init(o);
    ical_parse_utc("19000101T000000Z", &o->min_date);
    ical_parse_utc("21001231T235959Z", &o->max_date);
    o->max_instances = 100000;
    o->max_attendees = 100;
    o->horizon = tu_t("20270101T000000Z");
}

/* Validates ics as a PUT would, then builds its index; the time taken. */
static ical_status put(const char *ics, double *secs, const char **detail, ical_index *idx)
{
    static char why[256];
    vpool *p = pool_new();
    ical_validate_opts o;
    put_opts(&o);
    ical_validate_result r;
    double t0 = now();
    ical_status st = ical_validate(p, ics, strlen(ics), &o, &r);
    if (st == ICAL_OK) {
        ical_index tmp;
        ical_eval_opts eo = {0};
        if (!idx) idx = &tmp;
        if (ical_index_build(p, r.obj, &eo, o.horizon, idx) != ICAL_OK) st = ICAL_ERR_NOMEM;
        idx->spans = NULL;
    }
    *secs = now() - t0;
    snprintf(why, sizeof(why), "%s", r.detail ? r.detail : "");
    if (detail) *detail = why;
    pool_free(p);
    return st;
}

#define EV(start, extra)                                                                           \
    "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20240101T000000Z\r\nDTSTART:" start "\r\n"                 \
    "DURATION:PT1H\r\n" extra "END:VEVENT\r\n"

static const char *zone(vpool *p, const char *rule_lines)
{
    return pool_printf(p,
                       "BEGIN:VTIMEZONE\r\nTZID:Evil/Zone\r\nBEGIN:STANDARD\r\n"
                       "DTSTART:16000101T000000\r\n%sTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\n"
                       "END:STANDARD\r\nEND:VTIMEZONE\r\n",
                       rule_lines);
}

static const char *zoned_event(vpool *p, const char *rule_lines)
{
    return tu_cal(p, pool_printf(p,
                                 "%sBEGIN:VEVENT\r\nUID:z1\r\nDTSTAMP:20240101T000000Z\r\n"
                                 "DTSTART;TZID=Evil/Zone:20240301T100000\r\nDURATION:PT1H\r\n"
                                 "END:VEVENT\r\n",
                                 zone(p, rule_lines)));
}

/* Defect 4: a STANDARD with DTSTART:16000101T000000 and FREQ=MINUTELY
 * (or SECONDLY) made icaltimezone_expand_vtimezone fill 1.6-2.1 GB. */
static void test_vtimezone_finer_rules_refused(void)
{
    vpool *p = pool_new();
    static const char *const bad[] = {
        "RRULE:FREQ=MINUTELY\r\n",
        "RRULE:FREQ=SECONDLY\r\n",
        "RRULE:FREQ=HOURLY\r\n",
        "RRULE:FREQ=DAILY\r\n",
        "RRULE:FREQ=WEEKLY\r\n",
        /* YEARLY, but every day of the year */
        "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,"
        "11,12,13,14,15\r\n",
        /* YEARLY, every minute of one day */
        "RRULE:FREQ=YEARLY;BYHOUR=1,2,3;BYMINUTE=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\r\n",
        /* a rule that never occurs: libical searches to year 20000 */
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n",
        "RRULE:FREQ=MONTHLY;BYDAY=6SU\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double secs;
        const char *why;
        const char *ics = zoned_event(p, bad[i]);
        ical_status st = put(ics, &secs, &why, NULL);
        if (st != ICAL_ERR_DATA) fprintf(stderr, "zone %zu: %s\n", i, ical_status_name(st));
        CHECK_INT(st, ICAL_ERR_DATA);
        CHECK(strstr(why, "VTIMEZONE") != NULL);
        CHECK(secs < 0.5 * SLOW);
        /* calendar-timezone (PROPPATCH, MKCALENDAR) and CALDAV:timezone */
        const char *cal = tu_cal(p, zone(p, bad[i])), *tzid;
        const icaltimezone *tz;
        CHECK_INT(ical_tz_parse(p, cal, strlen(cal), &tzid, &tz), ICAL_ERR_TIMEZONE);
    }
    pool_free(p);
}

/* What real zones look like stays accepted. */
static void test_vtimezone_real_zones_accepted(void)
{
    vpool *p = pool_new();
    static const char *const good[] = {
        "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=8,9,10,11,12,13,14;BYDAY=SU\r\n",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3;UNTIL=20061029T010000Z\r\n",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=1\r\n",
        "RDATE:19671029T020000\r\nRDATE:19681027T020000\r\n",
        "",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        double secs;
        const char *why;
        ical_status st = put(zoned_event(p, good[i]), &secs, &why, NULL);
        if (st != ICAL_OK) fprintf(stderr, "zone %zu: %s %s\n", i, ical_status_name(st), why);
        CHECK_INT(st, ICAL_OK);
        CHECK(secs < 0.5 * SLOW);
        const char *cal = tu_cal(p, zone(p, good[i])), *tzid;
        const icaltimezone *tz;
        CHECK_INT(ical_tz_parse(p, cal, strlen(cal), &tzid, &tz), ICAL_OK);
    }
    /* RDATEs count towards ical_max_tz_changes */
    ical_limits lim = *ical_get_limits();
    ical_limits small = lim;
    small.max_tz_changes = 10;
    ical_set_limits(&small);
    char *many = pool_strdup(p, "");
    for (int i = 0; i < 20; i++)
        many = pool_printf(p, "%sRDATE:%04d1029T020000\r\n", many, 1970 + i);
    double secs;
    CHECK_INT(put(zoned_event(p, many), &secs, NULL, NULL), ICAL_ERR_DATA);
    /* two YEARLY rules from 1600 need about 2,000 entries */
    CHECK_INT(put(zoned_event(p, "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"), &secs, NULL, NULL),
              ICAL_ERR_DATA);
    ical_set_limits(&lim);
    pool_free(p);
}

/* A stored object whose VTIMEZONE would run away (stored before the check
 * existed) is evaluated without it: bounded, its times read as floating. */
static void test_vtimezone_stored_object_bounded(void)
{
    vpool *p = pool_new();
    const char *ics = zoned_event(p, "RRULE:FREQ=MINUTELY\r\n");
    double t0 = now();
    ical_object *o = tu_parse(p, ics);
    CHECK(o != NULL);
    ical_index idx;
    ical_eval_opts eo = {0};
    CHECK_INT(ical_index_build(p, o, &eo, tu_t("20270101T000000Z"), &idx), ICAL_OK);
    CHECK_INT(idx.nspans, 1);
    CHECK(idx.flags & ICAL_IDX_FLOATING);
    CHECK(now() - t0 < 0.5 * SLOW);
    pool_free(p);
}

/* Defect 5: rules that never finish, and far-past rules finer than daily. */
static void test_rules_bounded(void)
{
    vpool *p = pool_new();
    static const struct {
        const char *start, *rules;
        int spans; /* index spans expected, -1: don't check */
    } cases[] = {
        /* the EXRULE loop had no guard: never returned */
        {"19000101T000000Z", "RRULE:FREQ=YEARLY\r\nEXRULE:FREQ=SECONDLY\r\n", 1},
        /* 12 s: one EXRULE step per minute from 2020 */
        {"20200101T000000Z", "RRULE:FREQ=YEARLY\r\nEXRULE:FREQ=MINUTELY;BYSECOND=30\r\n", 8},
        /* libical searched second by second to 2582 */
        {"19000101T000000Z", "RRULE:FREQ=SECONDLY;BYSECOND=60\r\n", 1},
        /* libical searched 217,000 months for the first one: 2.6 s */
        {"19000101T000000Z", "RRULE:FREQ=MONTHLY;BYDAY=6MO\r\n", 1},
        {"19000101T000000Z", "RRULE:FREQ=YEARLY;BYDAY=54MO\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=YEARLY;BYYEARDAY=367\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=YEARLY;BYWEEKNO=54\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=2MO\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1;BYSETPOS=2\r\n", 1},
        {"20240401T100000Z", "RRULE:FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31\r\n", 1},
        {"20010301T100000Z", "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=SECONDLY;INTERVAL=120;BYSECOND=5\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=HOURLY;INTERVAL=24;BYHOUR=5\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\n", 1},
        {"20240301T100000Z", "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=31\r\n", 1},
        /* finer than daily with a day-level part: was refused, now computed */
        {"20240301T100000Z", "RRULE:FREQ=MINUTELY;BYDAY=MO;BYHOUR=9;BYMINUTE=0,30;COUNT=20\r\n",
         -1},
        {"20240301T100000Z", "RRULE:FREQ=HOURLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,12,17\r\n", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *ics = tu_cal(p, pool_printf(p,
                                                "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20240101T000000Z"
                                                "\r\nDTSTART:%s\r\nDURATION:PT1S\r\n%sEND:VEVENT\r\n",
                                                cases[i].start, cases[i].rules));
        double secs;
        const char *why;
        ical_index idx;
        ical_status st = put(ics, &secs, &why, &idx);
        if (st != ICAL_OK || secs >= 0.5 || (cases[i].spans >= 0 && (int)idx.nspans != cases[i].spans))
            fprintf(stderr, "rule case %zu: %s %s %.3fs %zu spans\n", i, ical_status_name(st), why,
                    secs, idx.nspans);
        CHECK_INT(st, ICAL_OK);
        CHECK(secs < 0.5 * SLOW);
        if (cases[i].spans >= 0) CHECK_INT(idx.nspans, cases[i].spans);
    }
    pool_free(p);
}

/* What RFC 5545 forbids and libical cannot compute is refused. */
static void test_rules_refused(void)
{
    vpool *p = pool_new();
    static const char *const bad[] = {
        "RRULE:FREQ=DAILY;BYWEEKNO=1\r\n",
        "RRULE:FREQ=MONTHLY;BYYEARDAY=100\r\n",
        "RRULE:FREQ=WEEKLY;BYMONTHDAY=3\r\n",
        "RRULE:FREQ=YEARLY;BYYEARDAY=1;BYMONTH=1\r\n",
        "EXRULE:FREQ=DAILY;BYWEEKNO=1\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double secs;
        const char *why;
        CHECK_INT(put(tu_cal(p, pool_printf(p, EV("20240301T100000Z", "%s"), bad[i])), &secs, &why,
                      NULL),
                  ICAL_ERR_DATA);
        CHECK(strstr(why, "RULE") != NULL);
    }
    pool_free(p);
}

/* Sub-day rules follow RFC 5545 (libical 3.0 gets these wrong). */
static void test_subday_semantics(void)
{
    static const struct {
        const char *rule, *start, *expect[5];
    } cases[] = {
        /* libical returned DTSTART twice and skipped 09:30 */
        {"FREQ=HOURLY;BYHOUR=9,10,11,17",
         "20240105T103000Z",
         {"20240105T103000Z", "20240105T113000Z", "20240105T173000Z", "20240106T093000Z",
          "20240106T103000Z"}},
        /* every 7 minutes from 09:30, only in hour 8 (libical: 08:04) */
        {"FREQ=MINUTELY;INTERVAL=7;BYHOUR=8",
         "20240131T093000",
         {"20240201T080100", "20240201T080800", "20240201T081500", "20240201T082200",
          "20240201T082900"}},
        /* the last day of January and July (libical never matched -1) */
        {"FREQ=DAILY;BYMONTH=1,7;BYMONTHDAY=1,15,-1",
         "20240131T093000",
         {"20240131T093000", "20240701T093000", "20240715T093000", "20240731T093000",
          "20250101T093000"}},
        {"FREQ=HOURLY;INTERVAL=2;BYMINUTE=0,30;BYSETPOS=-1",
         "20240105T100000",
         {"20240105T103000", "20240105T123000", "20240105T143000", "20240105T163000",
          "20240105T183000"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct icalrecurrencetype raw = icalrecurrencetype_from_string(cases[i].rule), r;
        struct icaltimetype st = icaltime_from_string(cases[i].start);
        const char *why;
        CHECK_INT(rule_check(&raw, st, &r, &why), RULE_OK);
        fast_rule f;
        CHECK_INT(fast_open(&f, &r, st, NULL), 0);
        for (int k = 0; k < 5; k++) {
            int64_t u;
            CHECK_STR(icaltime_as_ical_string(fast_next(&f, &u)), cases[i].expect[k]);
        }
    }
}

/* Far-past DTSTART finer than daily: skip ahead, don't iterate from 1900. */
static void test_far_past_subday_query(void)
{
    vpool *p = pool_new();
    const char *ics = tu_cal(p, EV("19000101T000000Z", "RRULE:FREQ=MINUTELY;INTERVAL=7\r\n"));
    ical_object *o = tu_parse(p, ics);
    ical_time_range tr = {tu_t("20250301T000000Z"), tu_t("20250301T000700Z")};
    ical_comp_filter vev = {.name = "VEVENT", .time_range = &tr};
    ical_comp_filter root = {.name = "VCALENDAR", .comps = &vev};
    CHECK_INT(ical_filter_prepare(p, &root, NULL), ICAL_OK);
    double t0 = now();
    CHECK_INT(ical_filter_match(&root, o, NULL), 1);
    CHECK(now() - t0 < 0.5 * SLOW);
    /* and with an EXRULE as fine, from 1900 */
    ics = tu_cal(p, EV("19000101T000000Z", "RRULE:FREQ=MINUTELY;INTERVAL=7\r\n"
                                           "EXRULE:FREQ=SECONDLY;INTERVAL=3\r\n"));
    o = tu_parse(p, ics);
    t0 = now();
    ical_filter_match(&root, o, NULL);
    CHECK(now() - t0 < 0.5 * SLOW);
    pool_free(p);
}

/* Every expansion stops at ical_limits.max_expand_steps, and at once after
 * ical_cancel(). */
static void test_work_budget_and_cancel(void)
{
    vpool *p = pool_new();
    const char *ics = tu_cal(p, EV("20240101T100000Z", "RRULE:FREQ=DAILY\r\n"));
    ical_object *o = tu_parse(p, ics);
    ical_eval_opts eo = {0};
    ical_index idx;
    CHECK_INT(ical_index_build(p, o, &eo, tu_t("20260101T000000Z"), &idx), ICAL_OK);
    CHECK(!(idx.flags & ICAL_IDX_TRUNCATED));
    ical_limits lim = *ical_get_limits(), small = lim;
    small.max_expand_steps = 100;
    ical_set_limits(&small);
    o = tu_parse(p, ics);
    CHECK_INT(ical_index_build(p, o, &eo, tu_t("20260101T000000Z"), &idx), ICAL_OK);
    CHECK(idx.flags & ICAL_IDX_TRUNCATED);
    ical_set_limits(&lim);
    ical_cancel();
    CHECK(ical_cancelled());
    o = tu_parse(p, ics);
    CHECK_INT(ical_index_build(p, o, &eo, tu_t("20260101T000000Z"), &idx), ICAL_OK);
    CHECK(idx.flags & ICAL_IDX_TRUNCATED);
    ical_cancel_reset();
    pool_free(p);
}

/* Defect 7, libical half: 60,000 parameters on one property took 19.5 s. */
static void test_parameter_and_property_caps(void)
{
    vpool *p = pool_new();
    vbuf b = VBUF_INIT;
    buf_init(&b, 0);
    buf_puts(&b, "ATTENDEE");
    for (int i = 0; i < 60000; i++)
        buf_printf(&b, ";FOO%d=x", i);
    buf_puts(&b, ":mailto:a@example.com\r\n");
    const char *ics = tu_cal(p, pool_printf(p, EV("20240301T100000Z", "%s"), b.data));
    double secs;
    const char *why;
    CHECK_INT(put(ics, &secs, &why, NULL), ICAL_ERR_DATA);
    CHECK(strstr(why, "parameters") != NULL);
    CHECK(secs < 0.5 * SLOW);
    ical_object *o;
    CHECK_INT(ical_object_parse(p, ics, strlen(ics), &o), ICAL_ERR_DATA);
    /* folded lines and quoted ';' count right */
#define PRESCAN(s, np, nl) ical_prescan(s, strlen(s), np, nl)
    CHECK_INT(PRESCAN("A;B=\"x;y;z\";C=1:v;w\r\n", 2, 10), 0);
    CHECK_INT(PRESCAN("A;B=1;\r\n C=2;D=3:v\r\n", 2, 10), ICAL_PRESCAN_PARAMS);
    CHECK_INT(PRESCAN("A:1\r\nB:2\r\n C:3\r\nD:4\r\n", 2, 3), 0);
    CHECK_INT(PRESCAN("A:1\r\nB:2\r\n\r\nC:3\r\nD:4\r\n", 2, 3), ICAL_PRESCAN_PROPERTIES);
    /* the old 19.5 s case is now refused in a linear scan */
    buf_free(&b);

    /* Legitimate large objects stay well inside the defaults: a meeting
     * with 1,000 attendees, a series with 500 overrides of 100 attendees. */
    buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        buf_printf(&b,
                   "ATTENDEE;CN=Person %d;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
                   "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;X-NUM-GUESTS=0;EMAIL=p%d@example.com:"
                   "mailto:p%d@example.com\r\n",
                   i, i, i);
    ical_validate_opts opts;
    put_opts(&opts);
    opts.max_attendees = 0;
    ical_validate_result r;
    ics = tu_cal(p, pool_printf(p, EV("20240301T100000Z", "%s"), b.data));
    CHECK_INT(ical_validate(p, ics, strlen(ics), &opts, &r), ICAL_OK);
    buf_reset(&b);
    buf_puts(&b, EV("20240301T100000Z", "RRULE:FREQ=DAILY;COUNT=600\r\n"));
    for (int k = 0; k < 500; k++) {
        char rid[17], start[17];
        ical_format_utc(tu_t("20240301T100000Z") + k * 86400LL, rid);
        ical_format_utc(tu_t("20240301T110000Z") + k * 86400LL, start);
        buf_printf(&b,
                   "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20240101T000000Z\r\n"
                   "RECURRENCE-ID:%s\r\nDTSTART:%s\r\nDURATION:PT1H\r\n",
                   rid, start);
        for (int i = 0; i < 100; i++)
            buf_printf(&b, "ATTENDEE;CN=P %d;PARTSTAT=ACCEPTED:mailto:p%d@example.com\r\n", i, i);
        buf_puts(&b, "END:VEVENT\r\n");
    }
    ics = tu_cal(p, b.data);
    double t0 = now();
    ical_status st = ical_validate(p, ics, strlen(ics), &opts, &r);
    if (st != ICAL_OK) fprintf(stderr, "large series: %s\n", r.detail ? r.detail : "");
    CHECK_INT(st, ICAL_OK);
    fprintf(stderr, "500 overrides x 100 attendees (%zu bytes): %.3f s\n", strlen(ics), now() - t0);
    buf_free(&b);
    pool_free(p);
}

int main(void)
{
    ical_global_init();
    RUN(test_vtimezone_finer_rules_refused);
    RUN(test_vtimezone_real_zones_accepted);
    RUN(test_vtimezone_stored_object_bounded);
    RUN(test_rules_bounded);
    RUN(test_rules_refused);
    RUN(test_subday_semantics);
    RUN(test_far_past_subday_query);
    RUN(test_work_budget_and_cancel);
    RUN(test_parameter_and_property_caps);
    ical_global_cleanup();
    return check_summary();
}

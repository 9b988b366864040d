/* ical/render.h: calendar-data selection, expand, limit-recurrence-set,
 * limit-freebusy-set (RFC 4791 §9.6). */
#include <libical/ical.h>

#include "check.h"
#include "ical/render.h"
#include "test_ical_util.h"

static vpool *P;

static ical_cd_comp *ccomp(const char *name)
{
    ical_cd_comp *c = pool_calloc(P, sizeof(*c));
    c->name = name;
    return c;
}

static ical_cd_comp *csub(ical_cd_comp *parent, const char *name)
{
    ical_cd_comp *c = ccomp(name);
    ical_cd_comp **pp = &parent->comps;
    while (*pp)
        pp = &(*pp)->next;
    *pp = c;
    return c;
}

static void cprop(ical_cd_comp *c, const char *name, int novalue)
{
    ical_cd_prop *p = pool_calloc(P, sizeof(*p));
    p->name = name;
    p->novalue = novalue;
    ical_cd_prop **pp = &c->props;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
}

static const char *render(ical_object *o, const ical_cd_spec *spec)
{
    const char *out = NULL, *why = NULL;
    size_t len = 0;
    CHECK_INT(ical_render_check(spec, &why), ICAL_OK);
    ical_status st = ical_render(P, o, spec, NULL, &out, &len);
    CHECK_INT(st, ICAL_OK);
    if (out) CHECK_INT(strlen(out), len);
    return out ? out : "";
}

static void test_identity(void)
{
    ical_object *o = tu_parse_file(P, "outlook_folded.ics");
    ical_cd_spec empty = {0};
    CHECK(ical_render_is_identity(NULL));
    CHECK(ical_render_is_identity(&empty));
    size_t len;
    const char *text = ical_object_text(o, &len);
    const char *out = NULL;
    size_t olen;
    CHECK_INT(ical_render(P, o, &empty, NULL, &out, &olen), ICAL_OK);
    CHECK(out == text && olen == len); /* the stored bytes themselves */
}

static void test_selection(void)
{
    ical_object *o = tu_parse_file(P, "outlook_folded.ics");
    ical_cd_spec spec = {0};
    spec.comp = ccomp("VCALENDAR");
    cprop(spec.comp, "VERSION", 0);
    ical_cd_comp *ev = csub(spec.comp, "VEVENT");
    cprop(ev, "SUMMARY", 0);
    cprop(ev, "UID", 0);
    cprop(ev, "DTSTART", 0);
    cprop(ev, "DESCRIPTION", 1);
    csub(spec.comp, "VTIMEZONE"); /* empty: the whole component (RFC 4791 §7.8.1) */
    const char *out = render(o, &spec);
    CHECK(strstr(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\n") == out);
    CHECK(!strstr(out, "PRODID"));
    CHECK(strstr(out, "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n") != NULL);
    CHECK(strstr(out, "SUMMARY;LANGUAGE=de-de:Quartalsbesprechung\r\n") != NULL);
    /* Stored lines come back byte-for-byte, folds included. */
    CHECK(strstr(out, "UID:040000008200E00074C5B7101A82E00800000000B0C3F7D2A263DA01000000000000000"
                      "\r\n 010000000E2F3B09A0C2B7A4C8F6E1D2C3B4A5968\r\n") != NULL);
    CHECK(strstr(out, "DTSTART;TZID=\"W. Europe Standard Time\":20240328T143000\r\n") != NULL);
    CHECK(strstr(out, "\r\nDESCRIPTION:\r\n") != NULL); /* novalue */
    CHECK(!strstr(out, "Agenda"));
    CHECK(!strstr(out, "ATTENDEE"));
    CHECK(!strstr(out, "VALARM")); /* props listed but no comps: none */
    CHECK(strstr(out, "END:VEVENT\r\nEND:VCALENDAR\r\n") != NULL);

    /* allcomp + allprop on VEVENT keeps the alarm; LF input stays LF. */
    ical_object *t = tu_parse_file(P, "thunderbird_todo.ics");
    ical_cd_spec s2 = {0};
    s2.comp = ccomp("VCALENDAR");
    ical_cd_comp *td = csub(s2.comp, "VTODO");
    td->allprop = 1;
    td->allcomp = 1;
    out = render(t, &s2);
    CHECK(strstr(out, "BEGIN:VCALENDAR\nBEGIN:VTODO\nCREATED:") == out);
    CHECK(strstr(out, "TRIGGER;RELATED=END:-P1D\n") != NULL);
    CHECK(!strstr(out, "VTIMEZONE"));
    CHECK(!strchr(out, '\r'));
}

static void test_expand_dst(void)
{
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    ical_cd_spec spec = {0};
    spec.expand = 1;
    spec.expand_start = tu_t("20240301T000000Z");
    spec.expand_end = tu_t("20240401T000000Z");
    const char *out = render(a, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 4); /* 1, 8, 15 (moved), 29 March */
    CHECK(!strstr(out, "VTIMEZONE"));
    CHECK(!strstr(out, "TZID"));
    CHECK(!strstr(out, "RRULE"));
    CHECK(!strstr(out, "EXDATE"));
    CHECK(strstr(out, "DTSTART:20240301T140000Z") != NULL);
    CHECK(strstr(out, "RECURRENCE-ID:20240301T140000Z") != NULL);
    CHECK(strstr(out, "DTSTART:20240308T140000Z") != NULL);
    CHECK(strstr(out, "DTSTART:20240315T180000Z") != NULL); /* the override, 14:00 EDT */
    CHECK(strstr(out, "RECURRENCE-ID:20240315T130000Z") != NULL);
    CHECK(strstr(out, "DTSTART:20240329T130000Z") != NULL); /* after the DST change */
    CHECK(strstr(out, "DTEND:20240329T140000Z") != NULL);
    CHECK(!strstr(out, "20240322"));
    /* Sorted by start: 8 March before 15 March before 29 March. */
    CHECK(strstr(out, "20240308T140000Z") < strstr(out, "20240315T180000Z"));
    CHECK(strstr(out, "20240315T180000Z") < strstr(out, "20240329T130000Z"));
    CHECK_INT(tu_count(out, "BEGIN:VALARM"), 6); /* 3 master instances x 2 alarms */
    CHECK(strstr(out, "PRODID:-//Apple Inc.//macOS 14.2.1//EN") != NULL);

    /* With a selection on top. */
    spec.comp = ccomp("VCALENDAR");
    ical_cd_comp *ev = csub(spec.comp, "VEVENT");
    cprop(ev, "RECURRENCE-ID", 0);
    out = render(a, &spec);
    CHECK_INT(tu_count(out, "RECURRENCE-ID:"), 4);
    CHECK(!strstr(out, "SUMMARY"));
    CHECK(!strstr(out, "VERSION"));
}

static void test_expand_allday_and_single(void)
{
    ical_object *b = tu_parse_file(P, "allday_birthday.ics");
    ical_cd_spec spec = {0};
    spec.expand = 1;
    spec.expand_start = tu_t("20240101T000000Z");
    spec.expand_end = tu_t("20260101T000000Z");
    const char *out = render(b, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 2);
    CHECK(strstr(out, "DTSTART;VALUE=DATE:20251210") != NULL);
    CHECK(strstr(out, "DTEND;VALUE=DATE:20251211") != NULL);
    CHECK(strstr(out, "RECURRENCE-ID;VALUE=DATE:20251210") != NULL);

    /* A single event in a custom (Outlook) zone: 14:30 CET is 13:30Z. */
    ical_object *o = tu_parse_file(P, "outlook_folded.ics");
    spec.expand_start = tu_t("20240328T000000Z");
    spec.expand_end = tu_t("20240329T000000Z");
    out = render(o, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 1);
    CHECK(strstr(out, "DTSTART:20240328T133000Z") != NULL);
    CHECK(strstr(out, "DTEND:20240328T150000Z") != NULL);
    CHECK(!strstr(out, "RECURRENCE-ID"));
    CHECK(!strstr(out, "W. Europe"));
    spec.expand_start = tu_t("20240401T000000Z");
    spec.expand_end = tu_t("20240402T000000Z");
    out = render(o, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 0);
    CHECK(strstr(out, "BEGIN:VCALENDAR") != NULL);

    /* THISANDFUTURE: shifted instances keep their nominal RECURRENCE-ID. */
    ical_object *t = tu_parse(
        P,
        tu_cal(P, "BEGIN:VEVENT\r\nUID:t\r\nDTSTART:20240101T100000Z\r\nDURATION:PT1H\r\n"
                  "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:old\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:t\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20240108T100000Z\r\n"
                  "DTSTART:20240108T120000Z\r\nDURATION:PT1H\r\nSUMMARY:new\r\nEND:VEVENT\r\n"));
    spec.expand_start = tu_t("20240115T000000Z");
    spec.expand_end = tu_t("20240116T000000Z");
    out = render(t, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 1);
    CHECK(strstr(out, "DTSTART:20240115T120000Z") != NULL);
    CHECK(strstr(out, "RECURRENCE-ID:20240115T100000Z") != NULL);
    CHECK(strstr(out, "SUMMARY:new") != NULL);
    CHECK(!strstr(out, "RANGE"));
}

static void test_limit_recurrence_set(void)
{
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    ical_cd_spec spec = {0};
    spec.limit_recurrence = 1;
    spec.lr_start = tu_t("20240401T000000Z");
    spec.lr_end = tu_t("20240430T000000Z");
    const char *out = render(a, &spec);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 1); /* the master only */
    CHECK(strstr(out, "RRULE:FREQ=WEEKLY") != NULL);
    CHECK(!strstr(out, "moved"));
    CHECK(strstr(out, "BEGIN:VTIMEZONE") != NULL);
    /* The override's new time, then its original time, are in range. */
    spec.lr_start = tu_t("20240315T170000Z");
    spec.lr_end = tu_t("20240315T200000Z");
    CHECK_INT(tu_count(render(a, &spec), "BEGIN:VEVENT"), 2);
    spec.lr_start = tu_t("20240315T120000Z");
    spec.lr_end = tu_t("20240315T133000Z");
    CHECK_INT(tu_count(render(a, &spec), "BEGIN:VEVENT"), 2);
    /* Nothing dropped: the same bytes as stored. */
    size_t len;
    const char *text = ical_object_text(a, &len);
    CHECK_STR(render(a, &spec), text);
}

static void test_limit_freebusy_set(void)
{
    ical_object *f =
        tu_parse(P, tu_cal(P, "BEGIN:VFREEBUSY\r\nUID:fb\r\nORGANIZER:mailto:a@example.com\r\n"
                              "FREEBUSY;FBTYPE=BUSY:20240301T100000Z/PT1H,20240305T100000Z/PT1H\r\n"
                              "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240310T100000Z/20240310T110000Z\r\n"
                              "END:VFREEBUSY\r\n"));
    ical_cd_spec spec = {0};
    spec.limit_freebusy = 1;
    spec.lf_start = tu_t("20240301T000000Z");
    spec.lf_end = tu_t("20240302T000000Z");
    const char *out = render(f, &spec);
    CHECK(strstr(out, "FREEBUSY;FBTYPE=BUSY:20240301T100000Z/PT1H\r\n") != NULL);
    CHECK(!strstr(out, "20240305"));
    CHECK(!strstr(out, "BUSY-TENTATIVE"));
    CHECK(strstr(out, "ORGANIZER:mailto:a@example.com\r\n") != NULL);
}

static void test_spec_check(void)
{
    const char *why;
    ical_cd_spec spec = {0};
    spec.comp = ccomp("VEVENT");
    CHECK_INT(ical_render_check(&spec, &why), ICAL_ERR_FILTER);
    spec.comp = ccomp("vcalendar");
    CHECK_INT(ical_render_check(&spec, &why), ICAL_OK);
    spec.expand = 1;
    spec.expand_start = spec.expand_end = 5;
    CHECK_INT(ical_render_check(&spec, &why), ICAL_ERR_FILTER);
    spec.expand_end = 6;
    spec.limit_recurrence = 1;
    spec.lr_start = 0;
    spec.lr_end = 1;
    CHECK_INT(ical_render_check(&spec, &why), ICAL_ERR_FILTER);
}

static void test_expand_cap(void)
{
    ical_object *d = tu_parse(P, tu_cal(P, "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20240101T100000Z\r\n"
                                           "RRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"));
    ical_cd_spec spec = {0};
    spec.expand = 1;
    spec.expand_start = tu_t("20240101T000000Z");
    spec.expand_end = tu_t("20250101T000000Z");
    ical_eval_opts eo = {NULL, 100};
    const char *out;
    size_t len;
    CHECK_INT(ical_render(P, d, &spec, &eo, &out, &len), ICAL_ERR_LIMIT);
    eo.max_instances = 400;
    CHECK_INT(ical_render(P, d, &spec, &eo, &out, &len), ICAL_OK);
    CHECK_INT(tu_count(out, "BEGIN:VEVENT"), 366); /* 2024 is a leap year */
}

int main(void)
{
    P = pool_new();
    RUN(test_identity);
    RUN(test_selection);
    RUN(test_expand_dst);
    RUN(test_expand_allday_and_single);
    RUN(test_limit_recurrence_set);
    RUN(test_limit_freebusy_set);
    RUN(test_spec_check);
    RUN(test_expand_cap);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

/* ical/freebusy.h: free-busy-query (RFC 4791 §7.10). */
#include <libical/ical.h>

#include "check.h"
#include "ical/freebusy.h"
#include "test_ical_util.h"

static vpool *P;

static ical_status add(ical_fb *fb, const char *body)
{
    const char *ics = tu_cal(P, body);
    return ical_fb_add_text(fb, ics, strlen(ics));
}

static const char *finish(ical_fb *fb)
{
    const char *out = NULL;
    size_t len;
    CHECK_INT(ical_fb_finish(fb, tu_t("20240101T000000Z"), NULL, &out, &len), ICAL_OK);
    return out ? out : "";
}

#define EVT(uid, s, e, extra)                                                                      \
    "BEGIN:VEVENT\r\nUID:" uid "\r\nDTSTART:" s "\r\nDTEND:" e "\r\n" extra "END:VEVENT\r\n"

static void test_coalesce_and_types(void)
{
    ical_fb *fb = ical_fb_new(P, tu_t("20240301T000000Z"), tu_t("20240302T000000Z"), NULL);
    /* Overlapping and touching busy periods merge into one. */
    CHECK_INT(add(fb, EVT("a", "20240301T100000Z", "20240301T110000Z", "")), ICAL_OK);
    CHECK_INT(add(fb, EVT("b", "20240301T103000Z", "20240301T120000Z", "")), ICAL_OK);
    CHECK_INT(add(fb, EVT("c", "20240301T120000Z", "20240301T130000Z", "STATUS:CONFIRMED\r\n")),
              ICAL_OK);
    /* Tentative stays its own type, and may overlap busy time. */
    CHECK_INT(add(fb, EVT("d", "20240301T123000Z", "20240301T150000Z", "STATUS:TENTATIVE\r\n")),
              ICAL_OK);
    /* Free time: transparent, cancelled, zero length. */
    CHECK_INT(add(fb, EVT("e", "20240301T160000Z", "20240301T170000Z", "TRANSP:TRANSPARENT\r\n")),
              ICAL_OK);
    CHECK_INT(add(fb, EVT("f", "20240301T180000Z", "20240301T190000Z", "STATUS:CANCELLED\r\n")),
              ICAL_OK);
    CHECK_INT(add(fb, EVT("g", "20240301T200000Z", "20240301T200000Z", "")), ICAL_OK);
    /* Clipped to the range. */
    CHECK_INT(add(fb, EVT("h", "20240301T230000Z", "20240302T010000Z", "")), ICAL_OK);
    /* A to-do is not busy time. */
    CHECK_INT(add(fb, "BEGIN:VTODO\r\nUID:t\r\nDTSTART:20240301T050000Z\r\nDUE:20240301T060000Z\r\n"
                      "END:VTODO\r\n"),
              ICAL_OK);
    const char *out = finish(fb);
    CHECK_STR(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil//veildav//EN\r\n"
                   "BEGIN:VFREEBUSY\r\nDTSTAMP:20240101T000000Z\r\n"
                   "DTSTART:20240301T000000Z\r\nDTEND:20240302T000000Z\r\n"
                   "FREEBUSY;FBTYPE=BUSY:20240301T100000Z/20240301T130000Z\r\n"
                   "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240301T123000Z/20240301T150000Z\r\n"
                   "FREEBUSY;FBTYPE=BUSY:20240301T230000Z/20240302T000000Z\r\n"
                   "END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
}

static void test_recurring_and_overrides(void)
{
    ical_fb *fb = ical_fb_new(P, tu_t("20240301T000000Z"), tu_t("20240401T000000Z"), NULL);
    vpool *tmp = pool_new();
    ical_object *a = tu_parse_file(tmp, "apple_weekly_ny.ics");
    CHECK_INT(ical_fb_add(fb, a), ICAL_OK);
    pool_free(tmp); /* the accumulator keeps no reference to the object */
    /* One instance cancelled by its override, one made tentative. */
    CHECK_INT(add(fb,
                  EVT("w", "20240304T090000Z", "20240304T100000Z",
                      "RRULE:FREQ=WEEKLY;COUNT=3\r\n") "BEGIN:VEVENT\r\nUID:w\r\nRECURRENCE-ID:"
                                                       "20240311T090000Z\r\n"
                                                       "DTSTART:20240311T090000Z\r\nDTEND:"
                                                       "20240311T100000Z\r\nSTATUS:CANCELLED\r\n"
                                                       "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:"
                                                       "w\r\nRECURRENCE-ID:20240318T090000Z\r\n"
                                                       "DTSTART:20240318T090000Z\r\nDTEND:"
                                                       "20240318T100000Z\r\nSTATUS:TENTATIVE\r\n"
                                                       "END:VEVENT\r\n"),
              ICAL_OK);
    const char *out = finish(fb);
    CHECK(strstr(out, "FREEBUSY;FBTYPE=BUSY:20240301T140000Z/20240301T150000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY:20240304T090000Z/20240304T100000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY:20240308T140000Z/20240308T150000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY:20240315T180000Z/20240315T190000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240318T090000Z/20240318T100000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY:20240329T130000Z/20240329T140000Z\r\n"
                      "END:VFREEBUSY") != NULL);
    CHECK_INT(tu_count(out, "FREEBUSY;"), 6);
}

static void test_vfreebusy_and_allday(void)
{
    ical_eval_opts eo = {icaltimezone_get_builtin_timezone("Europe/Berlin"), 0};
    ical_fb *fb = ical_fb_new(P, tu_t("20240301T000000Z"), tu_t("20240303T000000Z"), &eo);
    CHECK_INT(add(fb, "BEGIN:VFREEBUSY\r\nUID:v\r\n"
                      "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240301T060000Z/PT2H\r\n"
                      "FREEBUSY;FBTYPE=FREE:20240301T090000Z/PT8H\r\n"
                      "FREEBUSY:20240302T080000Z/20240302T090000Z\r\nEND:VFREEBUSY\r\n"),
              ICAL_OK);
    /* An opaque all-day event on 2 March, in the calendar's zone (UTC+1). */
    CHECK_INT(add(fb, "BEGIN:VEVENT\r\nUID:ad\r\nDTSTART;VALUE=DATE:20240302\r\nEND:VEVENT\r\n"),
              ICAL_OK);
    /* Apple marks birthdays transparent. */
    vpool *tmp = pool_new();
    CHECK_INT(ical_fb_add(fb, tu_parse_file(tmp, "allday_birthday.ics")), ICAL_OK);
    pool_free(tmp);
    const char *out = finish(fb);
    CHECK(strstr(out, "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20240301T060000Z/20240301T080000Z\r\n"
                      "FREEBUSY;FBTYPE=BUSY:20240301T230000Z/20240302T230000Z\r\n") != NULL);
    CHECK(!strstr(out, "20240301T090000Z"));  /* FREE is not reported */
    CHECK_INT(tu_count(out, "FREEBUSY;"), 2); /* 2 March 08:00Z merged into the all-day */
}

static void test_empty_errors_and_limit(void)
{
    ical_fb *fb = ical_fb_new(P, tu_t("20240301T000000Z"), tu_t("20240302T000000Z"), NULL);
    const char *out = finish(fb);
    CHECK_INT(tu_count(out, "FREEBUSY;"), 0);
    CHECK(strstr(out, "BEGIN:VFREEBUSY\r\n") != NULL);
    CHECK_INT(ical_fb_add_text(fb, "garbage", 7), ICAL_ERR_DATA);

    ical_fb *lim = ical_fb_new(P, tu_t("20240101T000000Z"), tu_t("20250101T000000Z"), NULL);
    ical_fb_set_limit(lim, 10);
    CHECK_INT(add(lim, EVT("d", "20240101T100000Z", "20240101T110000Z", "RRULE:FREQ=DAILY\r\n")),
              ICAL_ERR_LIMIT);
    const char *custom;
    size_t len;
    ical_fb *fb2 = ical_fb_new(P, 0, 86400, NULL);
    CHECK_INT(ical_fb_finish(fb2, 0, "-//Example//EN", &custom, &len), ICAL_OK);
    CHECK(strstr(custom, "PRODID:-//Example//EN\r\n") != NULL);
    CHECK(strstr(custom, "DTSTART:19700101T000000Z\r\nDTEND:19700102T000000Z\r\n") != NULL);
}

int main(void)
{
    P = pool_new();
    RUN(test_coalesce_and_types);
    RUN(test_recurring_and_overrides);
    RUN(test_vfreebusy_and_allday);
    RUN(test_empty_errors_and_limit);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

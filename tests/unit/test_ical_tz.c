/* ical/tz.h: time zones by reference (RFC 7809) and calendar-timezone. */
#include <libical/ical.h>

#include "check.h"
#include "ical/index.h"
#include "ical/tz.h"
#include "ical/validate.h"
#include "test_ical_util.h"

static vpool *P;

static void test_known_zones(void)
{
    CHECK(ical_tz_is_known("Europe/Berlin"));
    CHECK(ical_tz_is_known("America/Argentina/Buenos_Aires"));
    CHECK(ical_tz_is_known("/freeassociation.sourceforge.net/Europe/Berlin"));
    CHECK(ical_tz_is_known("UTC"));
    CHECK(ical_tz_is_known("US/Eastern")); /* backward-compatible link */
    CHECK(!ical_tz_is_known("W. Europe Standard Time"));
    CHECK(!ical_tz_is_known("Mars/Olympus_Mons"));
    CHECK(!ical_tz_is_known(""));
    CHECK(!ical_tz_is_known(NULL));
    /* Names that would make libical open files outside the zoneinfo. */
    CHECK(!ical_tz_is_known("../../../../etc/passwd"));
    CHECK(!ical_tz_is_known("/etc/localtime"));
    CHECK(!ical_tz_is_known("Europe/Berlin\n"));
    CHECK(ical_tz_builtin("Asia/Tokyo") == icaltimezone_get_builtin_timezone("Asia/Tokyo"));
}

static void test_vcalendar_and_parse(void)
{
    const char *out, *tzid;
    size_t len;
    CHECK_INT(ical_tz_vcalendar(P, "/freeassociation.sourceforge.net/Europe/Berlin", &out, &len),
              ICAL_OK);
    CHECK(strstr(out, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") == out);
    CHECK(strstr(out, "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n") != NULL);
    CHECK(!strstr(out, "freeassociation"));
    CHECK(strstr(out, "TZOFFSETTO:+0200") != NULL);
    CHECK_INT(ical_tz_vcalendar(P, "Mars/Olympus_Mons", &out, &len), ICAL_ERR_TIMEZONE);

    /* What we produce is a valid calendar-timezone value... */
    CHECK_INT(ical_tz_vcalendar(P, "Europe/Berlin", &out, &len), ICAL_OK);
    const icaltimezone *z = NULL;
    CHECK_INT(ical_tz_parse(P, out, len, &tzid, &z), ICAL_OK);
    CHECK_STR(tzid, "Europe/Berlin");
    CHECK(z != NULL);
    /* ...and evaluates floating times like the built-in zone. */
    ical_object *f = tu_parse(P, tu_cal(P, "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20240701T100000\r\n"
                                           "END:VEVENT\r\n"));
    ical_eval_opts eo = {z, 0};
    ical_index idx;
    CHECK_INT(ical_index_build(P, f, &eo, ICAL_TIME_MAX, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && idx.spans[0].start == tu_t("20240701T080000Z"));

    CHECK_INT(ical_tz_vcalendar(P, "UTC", &out, &len), ICAL_OK);
    CHECK_INT(ical_tz_parse(P, out, len, &tzid, NULL), ICAL_OK);
    CHECK_STR(tzid, "UTC");

    /* An Outlook zone is a fine calendar-timezone too. */
    const char *ol = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\n"
                     "TZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
                     "DTSTART:16011028T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
                     "TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
                     "DTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
                     "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
                     "END:VCALENDAR\r\n";
    CHECK_INT(ical_tz_parse(P, ol, strlen(ol), &tzid, &z), ICAL_OK);
    CHECK_STR(tzid, "W. Europe Standard Time");
    eo.floating_tz = z;
    CHECK_INT(ical_index_build(P, f, &eo, ICAL_TIME_MAX, &idx), ICAL_OK);
    CHECK(idx.nspans == 1 && idx.spans[0].start == tu_t("20240701T080000Z"));

    static const char *bad[] = {
        "not ical",
        "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        "END:VCALENDAR\r\n", /* no TZID */
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:A\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n",
        /* no VERSION */
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:B\r\nBEGIN:STANDARD\r\n"
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\nEND:VCALENDAR\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_INT(ical_tz_parse(P, bad[i], strlen(bad[i]), &tzid, &z), ICAL_ERR_TIMEZONE);
    /* Two VTIMEZONEs. */
    const char *b = strstr(ol, "BEGIN:VTIMEZONE"), *e = strstr(ol, "END:VCALENDAR");
    char *two = pool_printf(P, "BEGIN:VCALENDAR\r\n%.*s%.*sEND:VCALENDAR\r\n", (int)(e - b), b,
                            (int)(e - b), b);
    CHECK_INT(tu_count(two, "BEGIN:VTIMEZONE"), 2);
    CHECK_INT(ical_tz_parse(P, two, strlen(two), &tzid, &z), ICAL_ERR_TIMEZONE);
    /* Unbalanced text is refused before libical sees it. */
    const char *ub = "BEGIN:VCALENDAR\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n";
    CHECK_INT(ical_tz_parse(P, ub, strlen(ub), &tzid, &z), ICAL_ERR_TIMEZONE);
}

/* The text of s without its [from, to) substring. */
static char *cut(const char *s, const char *from, const char *to)
{
    const char *a = strstr(s, from), *b = strstr(s, to);
    if (!a || !b) return NULL;
    b += strlen(to);
    return pool_printf(P, "%.*s%s", (int)(a - s), s, b);
}

static void test_strip(void)
{
    size_t len, olen;
    const char *out;
    char *g = tu_load(P, "google_berlin.ics", &len);
    CHECK_INT(ical_tz_strip(P, g, len, &out, &olen), ICAL_OK);
    char *want = cut(g, "BEGIN:VTIMEZONE\r\n", "END:VTIMEZONE\r\n");
    CHECK_STR(out, want); /* everything else untouched */
    CHECK_INT(olen, strlen(want));

    /* Outlook's zone is not a standard one: kept, same pointer. */
    char *o = tu_load(P, "outlook_folded.ics", &len);
    CHECK_INT(ical_tz_strip(P, o, len, &out, &olen), ICAL_OK);
    CHECK(out == o && olen == len);

    /* LF-only objects keep their line endings. */
    char *t = tu_load(P, "thunderbird_todo.ics", &len);
    CHECK_INT(ical_tz_strip(P, t, len, &out, &olen), ICAL_OK);
    CHECK_STR(out, cut(t, "BEGIN:VTIMEZONE\n", "END:VTIMEZONE\n"));
}

static void test_add_missing(void)
{
    size_t len, slen, alen;
    const char *stripped, *added;
    char *a = tu_load(P, "apple_weekly_ny.ics", &len);
    CHECK_INT(ical_tz_strip(P, a, len, &stripped, &slen), ICAL_OK);
    CHECK(!strstr(stripped, "VTIMEZONE"));
    CHECK_INT(ical_tz_add_missing(P, stripped, slen, &added, &alen), ICAL_OK);
    /* Inserted before the first component, after VCALENDAR's properties. */
    CHECK(strstr(added, "VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:America/New_York\r\n") != NULL);
    CHECK(!strstr(added, "freeassociation"));
    CHECK_STR(cut(added, "BEGIN:VTIMEZONE\r\n", "END:VTIMEZONE\r\n"), stripped);
    /* The result is valid and means the same instants. */
    ical_validate_result r;
    CHECK_INT(ical_validate(P, added, alen, NULL, &r), ICAL_OK);
    ical_index i1, i2;
    CHECK_INT(ical_index_build(P, r.obj, NULL, ICAL_TIME_MAX, &i1), ICAL_OK);
    CHECK_INT(
        ical_index_build(P, tu_parse_file(P, "apple_weekly_ny.ics"), NULL, ICAL_TIME_MAX, &i2),
        ICAL_OK);
    CHECK(i1.nspans == i2.nspans && i1.nspans == 7);
    CHECK(memcmp(i1.spans, i2.spans, i1.nspans * sizeof(ical_span)) == 0);

    /* Nothing missing: the same pointer back. */
    CHECK_INT(ical_tz_add_missing(P, a, len, &added, &alen), ICAL_OK);
    CHECK(added == a && alen == len);
    /* An unknown TZID cannot be filled in. */
    const char *u = tu_cal(P, "BEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Custom:20240301T100000\r\n"
                              "END:VEVENT\r\n");
    CHECK_INT(ical_tz_add_missing(P, u, strlen(u), &added, &alen), ICAL_OK);
    CHECK(added == u);
    /* LF objects get LF lines; two zones, each once. */
    const char *lf = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:l\n"
                     "DTSTART;TZID=Europe/Paris:20240301T100000\n"
                     "DTEND;TZID=Asia/Tokyo:20240302T100000\n"
                     "EXDATE;TZID=Europe/Paris:20240308T100000\nEND:VEVENT\nEND:VCALENDAR\n";
    CHECK_INT(ical_tz_add_missing(P, lf, strlen(lf), &added, &alen), ICAL_OK);
    CHECK(!strchr(added, '\r'));
    CHECK_INT(tu_count(added, "BEGIN:VTIMEZONE\n"), 2);
    CHECK_INT(tu_count(added, "TZID:Europe/Paris\n"), 1);
    CHECK_INT(tu_count(added, "TZID:Asia/Tokyo\n"), 1);
    CHECK_INT(ical_validate(P, added, alen, NULL, &r), ICAL_OK);
}

int main(void)
{
    P = pool_new();
    RUN(test_known_zones);
    RUN(test_vcalendar_and_parse);
    RUN(test_strip);
    RUN(test_add_missing);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

/* ical/filter.h: RFC 4791 §9.7 filters and every §9.9 time-range table. */
#include <libical/ical.h>

#include "check.h"
#include "ical/filter.h"
#include "test_ical_util.h"

static vpool *P;

/* ---- filter builders (all in P) ---- */

static ical_time_range *range(const char *s, const char *e)
{
    ical_time_range *r = pool_calloc(P, sizeof(*r));
    r->start = s ? tu_t(s) : ICAL_TIME_MIN;
    r->end = e ? tu_t(e) : ICAL_TIME_MAX;
    return r;
}

static ical_comp_filter *comp(const char *name, ical_time_range *tr)
{
    ical_comp_filter *c = pool_calloc(P, sizeof(*c));
    c->name = name;
    c->time_range = tr;
    return c;
}

static ical_comp_filter *sub(ical_comp_filter *parent, ical_comp_filter *child)
{
    ical_comp_filter **pp = &parent->comps;
    while (*pp)
        pp = &(*pp)->next;
    *pp = child;
    return child;
}

static ical_text_match *text(const char *t, const char *coll, int negate)
{
    ical_text_match *m = pool_calloc(P, sizeof(*m));
    m->text = t;
    m->collation = coll;
    m->negate = negate;
    return m;
}

static ical_prop_filter *prop(ical_comp_filter *c, const char *name, ical_text_match *tm,
                              ical_time_range *tr)
{
    ical_prop_filter *p = pool_calloc(P, sizeof(*p));
    p->name = name;
    p->text_match = tm;
    p->time_range = tr;
    ical_prop_filter **pp = &c->props;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    return p;
}

static ical_param_filter *param(ical_prop_filter *pf, const char *name, ical_text_match *tm)
{
    ical_param_filter *p = pool_calloc(P, sizeof(*p));
    p->name = name;
    p->text_match = tm;
    ical_param_filter **pp = &pf->params;
    while (*pp)
        pp = &(*pp)->next;
    *pp = p;
    return p;
}

/* VCALENDAR > name [time-range]; returns the inner comp-filter. */
static ical_comp_filter *root;
static ical_comp_filter *query(const char *name, ical_time_range *tr)
{
    root = comp("VCALENDAR", NULL);
    return sub(root, comp(name, tr));
}

static int match_tz(ical_object *o, const icaltimezone *tz)
{
    const char *why = NULL;
    ical_status st = ical_filter_prepare(P, root, &why);
    if (st != ICAL_OK) {
        fprintf(stderr, "prepare: %s\n", why ? why : "?");
        return -1;
    }
    ical_eval_opts eo = {tz, 0};
    return ical_filter_match(root, o, &eo);
}

static int match(ical_object *o)
{
    return match_tz(o, NULL);
}

/* Does a one-component object overlap [s, e)? */
static int overlaps(const char *kind, const char *body, const char *s, const char *e)
{
    char *ics =
        pool_printf(P, "BEGIN:VCALENDAR\r\nBEGIN:%s\r\nUID:x\r\n%sEND:%s\r\nEND:VCALENDAR\r\n",
                    kind, body, kind);
    ical_object *o = tu_parse(P, ics);
    query(kind, range(s, e));
    return match(o);
}

#define T(d, hm) d "T" hm "00Z"

static void test_vevent_table(void)
{
    const char *d = "DTSTART:20240301T100000Z\r\nDTEND:20240301T110000Z\r\n";
    CHECK_INT(overlaps("VEVENT", d, T("20240301", "0900"), T("20240301", "1000")), 0);
    CHECK_INT(overlaps("VEVENT", d, T("20240301", "0900"), "20240301T100001Z"), 1);
    CHECK_INT(overlaps("VEVENT", d, T("20240301", "1100"), T("20240301", "1200")), 0);
    CHECK_INT(overlaps("VEVENT", d, "20240301T105959Z", NULL), 1); /* open end */
    CHECK_INT(overlaps("VEVENT", d, NULL, "20240301T100001Z"), 1); /* open start */
    const char *du = "DTSTART:20240301T100000Z\r\nDURATION:PT1H\r\n";
    CHECK_INT(overlaps("VEVENT", du, T("20240301", "1030"), T("20240301", "1031")), 1);
    CHECK_INT(overlaps("VEVENT", du, T("20240301", "1100"), T("20240301", "1200")), 0);
    /* DURATION 0 and no DTEND/DURATION: start <= DTSTART < end. */
    const char *z = "DTSTART:20240301T100000Z\r\nDURATION:PT0S\r\n";
    CHECK_INT(overlaps("VEVENT", z, T("20240301", "1000"), T("20240301", "1001")), 1);
    CHECK_INT(overlaps("VEVENT", z, T("20240301", "0900"), T("20240301", "1000")), 0);
    const char *pt = "DTSTART:20240301T100000Z\r\n";
    CHECK_INT(overlaps("VEVENT", pt, T("20240301", "1000"), T("20240301", "1001")), 1);
    CHECK_INT(overlaps("VEVENT", pt, "20240301T100001Z", T("20240301", "1100")), 0);
    /* DTEND == DTSTART reads like the zero DURATION row. */
    const char *eq = "DTSTART:20240301T100000Z\r\nDTEND:20240301T100000Z\r\n";
    CHECK_INT(overlaps("VEVENT", eq, T("20240301", "1000"), T("20240301", "1030")), 1);
    /* A DATE with neither: one day, here in UTC. */
    const char *day = "DTSTART;VALUE=DATE:20240301\r\n";
    CHECK_INT(overlaps("VEVENT", day, T("20240229", "2300"), T("20240301", "0000")), 0);
    CHECK_INT(overlaps("VEVENT", day, T("20240301", "2359"), T("20240302", "0100")), 1);
    CHECK_INT(overlaps("VEVENT", day, T("20240302", "0000"), T("20240302", "0100")), 0);
}

static void test_vtodo_table(void)
{
    /* Row 1: DTSTART + DURATION, inclusive at DTSTART+DURATION. */
    const char *r1 = "DTSTART:20240301T100000Z\r\nDURATION:PT1H\r\n";
    CHECK_INT(overlaps("VTODO", r1, T("20240301", "1100"), T("20240301", "1200")), 1);
    CHECK_INT(overlaps("VTODO", r1, "20240301T110001Z", T("20240301", "1200")), 0);
    CHECK_INT(overlaps("VTODO", r1, T("20240301", "0900"), T("20240301", "1000")), 0);
    /* Row 2: DTSTART + DUE. */
    const char *r2 = "DTSTART:20240301T100000Z\r\nDUE:20240301T120000Z\r\n";
    CHECK_INT(overlaps("VTODO", r2, T("20240301", "1100"), T("20240301", "1130")), 1);
    CHECK_INT(overlaps("VTODO", r2, T("20240301", "1200"), T("20240301", "1300")), 0);
    CHECK_INT(overlaps("VTODO", r2, T("20240301", "0800"), T("20240301", "1000")), 0);
    /* Row 3: DTSTART only. */
    const char *r3 = "DTSTART:20240301T100000Z\r\n";
    CHECK_INT(overlaps("VTODO", r3, T("20240301", "1000"), T("20240301", "1001")), 1);
    CHECK_INT(overlaps("VTODO", r3, T("20240301", "0900"), T("20240301", "1000")), 0);
    /* Row 4: DUE only, inclusive at the end of the range. */
    const char *r4 = "DUE:20240301T120000Z\r\n";
    CHECK_INT(overlaps("VTODO", r4, T("20240301", "1100"), T("20240301", "1200")), 1);
    CHECK_INT(overlaps("VTODO", r4, T("20240301", "1200"), T("20240301", "1300")), 0);
    /* Row 5: COMPLETED + CREATED. */
    const char *r5 = "CREATED:20240301T080000Z\r\nCOMPLETED:20240301T180000Z\r\n";
    CHECK_INT(overlaps("VTODO", r5, T("20240301", "1700"), T("20240301", "1730")), 1);
    CHECK_INT(overlaps("VTODO", r5, T("20240301", "1900"), T("20240301", "2000")), 0);
    CHECK_INT(overlaps("VTODO", r5, T("20240301", "0700"), T("20240301", "0759")), 0);
    /* Row 6: COMPLETED only, inclusive at both ends. */
    const char *r6 = "COMPLETED:20240301T180000Z\r\n";
    CHECK_INT(overlaps("VTODO", r6, T("20240301", "1700"), T("20240301", "1800")), 1);
    CHECK_INT(overlaps("VTODO", r6, T("20240301", "1800"), T("20240301", "1900")), 1);
    CHECK_INT(overlaps("VTODO", r6, "20240301T180001Z", T("20240301", "1900")), 0);
    /* Row 7: CREATED only: any range ending after it. */
    const char *r7 = "CREATED:20240301T080000Z\r\n";
    CHECK_INT(overlaps("VTODO", r7, T("20240301", "0700"), T("20240301", "0800")), 0);
    CHECK_INT(overlaps("VTODO", r7, T("20240301", "0700"), "20240301T080001Z"), 1);
    CHECK_INT(overlaps("VTODO", r7, T("20300101", "0000"), T("20300102", "0000")), 1);
    /* Row 8: none of them: always. */
    CHECK_INT(
        overlaps("VTODO", "SUMMARY:someday\r\n", T("19000101", "0000"), T("19000102", "0000")), 1);
    /* A recurring to-do: each instance carries its DUE offset. */
    const char *rr = "DTSTART:20240301T090000Z\r\nDUE:20240301T100000Z\r\nRRULE:FREQ=DAILY\r\n";
    CHECK_INT(overlaps("VTODO", rr, T("20240310", "0930"), T("20240310", "0940")), 1);
    CHECK_INT(overlaps("VTODO", rr, T("20240310", "1100"), T("20240310", "1200")), 0);
}

static void test_vjournal_vfreebusy_tables(void)
{
    CHECK_INT(overlaps("VJOURNAL", "DTSTART:20240301T100000Z\r\n", T("20240301", "1000"),
                       T("20240301", "1001")),
              1);
    CHECK_INT(overlaps("VJOURNAL", "DTSTART;VALUE=DATE:20240301\r\n", T("20240301", "2300"),
                       T("20240302", "0100")),
              1);
    CHECK_INT(overlaps("VJOURNAL", "SUMMARY:undated\r\n", NULL, T("20300101", "0000")), 0);
    const char *se = "DTSTART:20240301T100000Z\r\nDTEND:20240301T120000Z\r\n";
    CHECK_INT(overlaps("VFREEBUSY", se, T("20240301", "1200"), T("20240301", "1300")), 1);
    CHECK_INT(overlaps("VFREEBUSY", se, T("20240301", "0900"), T("20240301", "1000")), 0);
    const char *fbp = "FREEBUSY:20240301T100000Z/PT1H,20240301T150000Z/20240301T160000Z\r\n";
    CHECK_INT(overlaps("VFREEBUSY", fbp, T("20240301", "1530"), T("20240301", "1531")), 1);
    CHECK_INT(overlaps("VFREEBUSY", fbp, T("20240301", "1100"), T("20240301", "1500")), 0);
    CHECK_INT(overlaps("VFREEBUSY", "ORGANIZER:mailto:a@x\r\n", NULL, T("20300101", "0000")), 0);
}

static void test_recurring_and_overrides(void)
{
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    query("VEVENT", range(T("20240308", "1400"), T("20240308", "1401")));
    CHECK_INT(match(a), 1);
    query("VEVENT", range(T("20240322", "0000"), T("20240323", "0000"))); /* EXDATE */
    CHECK_INT(match(a), 0);
    query("VEVENT", range(T("20240315", "1300"), T("20240315", "1500"))); /* moved away */
    CHECK_INT(match(a), 0);
    query("VEVENT", range(T("20240315", "1800"), T("20240315", "1900")));
    CHECK_INT(match(a), 1);
    query("VEVENT", range(T("20240426", "0000"), NULL)); /* after UNTIL */
    CHECK_INT(match(a), 0);
    /* Properties and time-range are judged on one component. */
    ical_comp_filter *ev = query("VEVENT", range(T("20240308", "1400"), T("20240308", "1401")));
    prop(ev, "SUMMARY", text("moved", NULL, 0), NULL);
    CHECK_INT(match(a), 0);
    ev = query("VEVENT", range(T("20240315", "1800"), T("20240315", "1900")));
    prop(ev, "SUMMARY", text("moved", NULL, 0), NULL);
    CHECK_INT(match(a), 1);
    /* An open-ended series matches far in the future. */
    ical_object *g = tu_parse_file(P, "google_berlin.ics");
    query("VEVENT", range(T("20300101", "0000"), T("20300108", "0000")));
    CHECK_INT(match(g), 1);
    query("VEVENT", range(T("20300102", "1000"), T("20300102", "1100"))); /* a Wednesday */
    CHECK_INT(match(g), 0);
}

static void test_valarm(void)
{
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    /* -PT15M before each master instance: 8 March 14:00Z -> 13:45Z. */
    ical_comp_filter *ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range(T("20240308", "1340"), T("20240308", "1350"))));
    CHECK_INT(match(a), 1);
    /* 22 March is an EXDATE; 15 March's override has no alarm. */
    ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range(T("20240322", "1200"), T("20240322", "1400"))));
    CHECK_INT(match(a), 0);
    ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range(T("20240315", "1300"), T("20240315", "1800"))));
    CHECK_INT(match(a), 0);
    /* Apple's absolute ACTION:NONE alarm sits in 1976. */
    ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range(T("19760401", "0000"), T("19760402", "0000"))));
    CHECK_INT(match(a), 1);
    /* Thunderbird: RELATED=END -P1D before DUE 31 May 17:00 CEST (15:00Z). */
    ical_object *t = tu_parse_file(P, "thunderbird_todo.ics");
    ev = query("VTODO", NULL);
    sub(ev, comp("VALARM", range(T("20240530", "1500"), T("20240530", "1501"))));
    CHECK_INT(match(t), 1);
    ev = query("VTODO", NULL);
    sub(ev, comp("VALARM", range(T("20240430", "0000"), T("20240502", "0000"))));
    CHECK_INT(match(t), 0);
    /* REPEAT: triggers at 09:30, 09:40, 09:50. */
    ical_object *r = tu_parse(
        P, tu_cal(P, "BEGIN:VEVENT\r\nUID:r\r\nDTSTART:20240301T100000Z\r\nBEGIN:VALARM\r\n"
                     "ACTION:AUDIO\r\nTRIGGER:-PT30M\r\nREPEAT:2\r\nDURATION:PT10M\r\n"
                     "END:VALARM\r\nEND:VEVENT\r\n"));
    ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range("20240301T095000Z", "20240301T095001Z")));
    CHECK_INT(match(r), 1);
    ev = query("VEVENT", NULL);
    sub(ev, comp("VALARM", range("20240301T094500Z", "20240301T094600Z")));
    CHECK_INT(match(r), 0);
}

static void test_text_match(void)
{
    ical_object *t = tu_parse_file(P, "thunderbird_todo.ics");
    ical_object *g = tu_parse_file(P, "google_berlin.ics");
    ical_comp_filter *c;
    /* CATEGORIES:Finanzen,Privat,Dringend: any value matches. */
    c = query("VTODO", NULL);
    prop(c, "CATEGORIES", text("privat", NULL, 0), NULL);
    CHECK_INT(match(t), 1);
    c = query("VTODO", NULL);
    prop(c, "CATEGORIES", text("Finanzen", NULL, 1), NULL); /* some value lacks it */
    CHECK_INT(match(t), 1);
    c = query("VTODO", NULL);
    prop(c, "CATEGORIES", text("dringend", "i;octet", 0), NULL);
    CHECK_INT(match(t), 0);
    c = query("VTODO", NULL);
    prop(c, "CATEGORIES", text("Urlaub", NULL, 0), NULL);
    CHECK_INT(match(t), 0);
    /* Several ATTENDEE lines, their parameters. */
    c = query("VEVENT", NULL);
    prop(c, "ATTENDEE", text("bob@example.org", NULL, 0), NULL);
    CHECK_INT(match(g), 1);
    c = query("VEVENT", NULL);
    param(prop(c, "ATTENDEE", NULL, NULL), "PARTSTAT", text("TENTATIVE", NULL, 0));
    CHECK_INT(match(g), 1);
    c = query("VEVENT", NULL);
    param(prop(c, "ATTENDEE", NULL, NULL), "PARTSTAT", text("DECLINED", NULL, 0));
    CHECK_INT(match(g), 0);
    /* The same attendee must satisfy text-match and param-filter. */
    c = query("VEVENT", NULL);
    param(prop(c, "ATTENDEE", text("bob@", NULL, 0), NULL), "PARTSTAT", text("ACCEPTED", NULL, 0));
    CHECK_INT(match(g), 0);
    /* Non-ASCII: the CN is "Chloé Dubois" (folded across lines). */
    c = query("VEVENT", NULL);
    param(prop(c, "ATTENDEE", NULL, NULL), "CN", text("CHLOÉ DUBOIS", "i;unicode-casemap", 0));
    CHECK_INT(match(g), 1);
    c = query("VEVENT", NULL);
    param(prop(c, "ATTENDEE", NULL, NULL), "CN", text("CHLOÉ", "i;ascii-casemap", 0));
    CHECK_INT(match(g), 0);
    c = query("VEVENT", NULL);
    prop(c, "SUMMARY", text("WÖCHENTLICHE", "i;unicode-casemap", 0), NULL);
    CHECK_INT(match(g), 1);
    /* TEXT values are matched unescaped ("\," is a comma). */
    c = query("VEVENT", NULL);
    prop(c, "LOCATION", text("4.12, Haupt", NULL, 0), NULL);
    CHECK_INT(match(g), 1);
    /* STATUS not CANCELLED (the RFC's example of negate-condition). */
    c = query("VEVENT", NULL);
    prop(c, "STATUS", text("CANCELLED", NULL, 1), NULL);
    CHECK_INT(match(g), 1);
    /* X- properties, on the VCALENDAR too. */
    ical_object *ol = tu_parse_file(P, "outlook_folded.ics");
    c = query("VEVENT", NULL);
    prop(c, "X-MICROSOFT-CDO-BUSYSTATUS", text("busy", NULL, 0), NULL);
    CHECK_INT(match(ol), 1);
    root = comp("VCALENDAR", NULL);
    prop(root, "X-WR-CALNAME", text("Work", "i;octet", 0), NULL);
    CHECK_INT(match(g), 1);
    /* A long folded DESCRIPTION is one value. */
    c = query("VEVENT", NULL);
    prop(c, "DESCRIPTION", text("Outlook ihn über", "i;octet", 0), NULL);
    CHECK_INT(match(ol), 1);
}

static void test_is_not_defined(void)
{
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    ical_object *g = tu_parse_file(P, "google_berlin.ics");
    /* The override has no RRULE, so some VEVENT lacks one. */
    ical_comp_filter *c = query("VEVENT", NULL);
    prop(c, "RRULE", NULL, NULL)->is_not_defined = 1;
    CHECK_INT(match(a), 1);
    c = query("VEVENT", NULL);
    prop(c, "RRULE", NULL, NULL)->is_not_defined = 1;
    CHECK_INT(match(g), 0);
    query("VTODO", NULL)->is_not_defined = 1;
    CHECK_INT(match(g), 1);
    query("VEVENT", NULL)->is_not_defined = 1;
    CHECK_INT(match(g), 0);
    c = query("VEVENT", NULL);
    param(prop(c, "ORGANIZER", NULL, NULL), "SENT-BY", NULL)->is_not_defined = 1;
    CHECK_INT(match(g), 1);
    c = query("VEVENT", NULL);
    param(prop(c, "ORGANIZER", NULL, NULL), "CN", NULL)->is_not_defined = 1;
    CHECK_INT(match(g), 0);
    /* A comp-filter with only a prop-filter for a missing property. */
    c = query("VEVENT", NULL);
    prop(c, "CATEGORIES", NULL, NULL);
    CHECK_INT(match(g), 0);
    /* VTIMEZONE nesting. */
    c = query("VTIMEZONE", NULL);
    prop(sub(c, comp("STANDARD", NULL)), "TZNAME", text("CET", "i;octet", 0), NULL);
    CHECK_INT(match(g), 1);
}

static void test_property_time_range(void)
{
    ical_object *ol = tu_parse_file(P, "outlook_folded.ics");
    ical_comp_filter *c = query("VEVENT", NULL);
    prop(c, "DTSTAMP", NULL, range(T("20240110", "0000"), T("20240111", "0000")));
    CHECK_INT(match(ol), 1);
    c = query("VEVENT", NULL);
    prop(c, "DTSTAMP", NULL, range(T("20240111", "0000"), NULL));
    CHECK_INT(match(ol), 0);
    /* DTSTART of a recurring event: any instance's start. */
    ical_object *a = tu_parse_file(P, "apple_weekly_ny.ics");
    c = query("VEVENT", NULL);
    prop(c, "DTSTART", NULL, range(T("20240412", "1300"), T("20240412", "1301")));
    CHECK_INT(match(a), 1);
    /* Effective DTEND of a DURATION event (RFC 4791 §9.9 note). */
    ical_object *d = tu_parse(P, tu_cal(P, "BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20240301T100000Z\r\n"
                                           "DURATION:PT90M\r\nEND:VEVENT\r\n"));
    c = query("VEVENT", NULL);
    prop(c, "DTEND", NULL, range(T("20240301", "1130"), T("20240301", "1131")));
    CHECK_INT(match(d), 1);
    c = query("VEVENT", NULL);
    prop(c, "DTEND", NULL, range(T("20240301", "1000"), T("20240301", "1100")));
    CHECK_INT(match(d), 0);
    /* COMPLETED on a to-do. */
    ical_object *t = tu_parse(P, tu_cal(P, "BEGIN:VTODO\r\nUID:t\r\n"
                                           "COMPLETED:20240301T180000Z\r\nEND:VTODO\r\n"));
    c = query("VTODO", NULL);
    prop(c, "COMPLETED", NULL, range(T("20240301", "1800"), T("20240301", "1801")));
    CHECK_INT(match(t), 1);
}

static void test_floating_time_zone(void)
{
    ical_object *f = tu_parse(P, tu_cal(P, "BEGIN:VEVENT\r\nUID:f\r\nDTSTART:20240301T100000\r\n"
                                           "DTEND:20240301T110000\r\nEND:VEVENT\r\n"));
    query("VEVENT", range(T("20240301", "1500"), T("20240301", "1530")));
    CHECK_INT(match_tz(f, NULL), 0);
    query("VEVENT", range(T("20240301", "1500"), T("20240301", "1530")));
    CHECK_INT(match_tz(f, icaltimezone_get_builtin_timezone("America/New_York")), 1);
    /* All-day in Tokyo (UTC+9): 1 March is 29 Feb 15:00Z to 1 March 15:00Z. */
    ical_object *ad = tu_parse(P, tu_cal(P, "BEGIN:VEVENT\r\nUID:a\r\n"
                                            "DTSTART;VALUE=DATE:20240301\r\nEND:VEVENT\r\n"));
    query("VEVENT", range(T("20240229", "1600"), T("20240229", "1700")));
    CHECK_INT(match_tz(ad, icaltimezone_get_builtin_timezone("Asia/Tokyo")), 1);
    query("VEVENT", range(T("20240301", "1600"), T("20240301", "1700")));
    CHECK_INT(match_tz(ad, icaltimezone_get_builtin_timezone("Asia/Tokyo")), 0);
}

static ical_status prep(ical_comp_filter *r)
{
    const char *why;
    return ical_filter_prepare(P, r, &why);
}

static void test_prepare_errors(void)
{
    CHECK_INT(prep(NULL), ICAL_ERR_FILTER);
    CHECK_INT(prep(comp("VEVENT", NULL)), ICAL_ERR_FILTER);
    query("VALARM", NULL);
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    query("VEVENT", range(T("20240302", "0000"), T("20240301", "0000")));
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    query("VEVENT", range(T("20240301", "0000"), T("20240301", "0000")));
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    query("VEVENT", range(NULL, NULL));
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    query("VTIMEZONE", range(T("20240301", "0000"), NULL));
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    ical_comp_filter *c = query("VEVENT", range(T("20240301", "0000"), NULL));
    c->is_not_defined = 1;
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    c = query("VEVENT", NULL);
    prop(c, "DTSTART", text("x", NULL, 0), range(T("20240301", "0000"), NULL));
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    c = query("VEVENT", NULL);
    prop(c, "SUMMARY", text("x", "i;klingon", 0), NULL);
    CHECK_INT(prep(root), ICAL_ERR_COLLATION);
    c = query("VEVENT", NULL);
    sub(c, comp("VEVENT", NULL)); /* VEVENT inside VEVENT */
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    c = query("VEVENT", NULL);
    sub(c, comp("X-VENDOR-THING", NULL));
    CHECK_INT(prep(root), ICAL_OK);
    query("VFOO", NULL);
    CHECK_INT(prep(root), ICAL_ERR_FILTER);
    root = comp("VCALENDAR", NULL);
    CHECK_INT(prep(root), ICAL_OK);
}

static void test_hints(void)
{
    ical_filter_hints h;
    query("VEVENT", range(T("20240301", "0000"), T("20240302", "0000")));
    CHECK_INT(prep(root), ICAL_OK);
    ical_filter_hints_get(root, &h);
    CHECK_INT(h.kind, ICAL_KIND_VEVENT);
    CHECK_INT(h.has_range, 1);
    CHECK(h.start == tu_t(T("20240301", "0000")) && h.end == tu_t(T("20240302", "0000")));
    query("VTODO", NULL)->is_not_defined = 1;
    CHECK_INT(prep(root), ICAL_OK);
    ical_filter_hints_get(root, &h);
    CHECK_INT(h.kind, 0);
    CHECK_INT(h.has_range, 0);
    ical_comp_filter *c = query("VTODO", NULL);
    sub(c, comp("VALARM", range(T("20240301", "0000"), NULL)));
    CHECK_INT(prep(root), ICAL_OK);
    ical_filter_hints_get(root, &h);
    CHECK_INT(h.kind, ICAL_KIND_VTODO);
    CHECK_INT(h.has_range, 0); /* an alarm range says nothing about the to-do */
}

int main(void)
{
    P = pool_new();
    RUN(test_vevent_table);
    RUN(test_vtodo_table);
    RUN(test_vjournal_vfreebusy_tables);
    RUN(test_recurring_and_overrides);
    RUN(test_valarm);
    RUN(test_text_match);
    RUN(test_is_not_defined);
    RUN(test_property_time_range);
    RUN(test_floating_time_zone);
    RUN(test_prepare_errors);
    RUN(test_hints);
    pool_free(P);
    ical_global_cleanup();
    return check_summary();
}

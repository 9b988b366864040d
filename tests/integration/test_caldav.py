"""CalDAV (RFC 4791, RFC 7809, RFC 6578) against the real server: collections,
PUT preconditions, every report, recurrence edge cases."""
import unittest

from caldav_util import (BERLIN, C, D, NS_DECL, error_element, hrefs, query, time_range_filter,
                         vcal, vevent, vtodo)
from veil import NS, ServerTest, propfind_body, prop, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}


class CalDAVBase(ServerTest):
    def cal(self, name="calendar"):
        return "%s%s/" % (self.alice.calendars, name)

    def put(self, path, body, headers=None):
        h = dict(ICS)
        h.update(headers or {})
        return self.alice.put(path, body, h)

    def report(self, path, body, depth="1", headers=None):
        h = {"Depth": depth, "Content-Type": "application/xml"}
        h.update(headers or {})
        return self.alice.report(path, body, h)

    def mkcal(self, name, props=""):
        body = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar %s><D:set><D:prop>%s'
                '</D:prop></D:set></C:mkcalendar>' % (NS_DECL, props)) if props else None
        return self.alice.mkcalendar(self.cal(name), body,
                                     {"Content-Type": "application/xml"} if body else None)


class Collections(CalDAVBase):
    def test_home_and_defaults(self):
        r = self.alice.propfind(self.alice.principal, propfind_body("C:calendar-home-set"),
                                {"Depth": "0"})
        home = prop(responses(r), self.alice.principal, C + "calendar-home-set")
        self.assertEqual(home.find("D:href", NS).text, self.alice.calendars)
        r = self.alice.propfind(self.alice.calendars, propfind_body(
            "D:resourcetype", "C:supported-calendar-component-set"), {"Depth": "1"})
        m = responses(r)
        comps = lambda href: sorted(c.get("name") for c in prop(
            m, href, C + "supported-calendar-component-set"))
        self.assertEqual(comps(self.cal("calendar")),
                         ["VAVAILABILITY", "VEVENT", "VFREEBUSY", "VJOURNAL"])
        self.assertEqual(comps(self.cal("tasks")), ["VTODO"])
        self.assertIsNotNone(prop(m, self.cal("tasks"), D + "resourcetype").find("C:calendar", NS))

    def test_mkcalendar_with_properties(self):
        props = ('<D:displayname>Work</D:displayname>'
                 '<C:calendar-description xml:lang="en">Work things</C:calendar-description>'
                 '<C:supported-calendar-component-set><C:comp name="VEVENT"/>'
                 '</C:supported-calendar-component-set>'
                 '<A:calendar-color xmlns:A="http://apple.com/ns/ical/">#FF2968FF</A:calendar-color>'
                 '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>')
        r = self.mkcal("work", props)
        self.assertEqual(r.status, 201, r.text)
        r = self.alice.propfind(self.cal("work"), propfind_body(
            "D:displayname", "C:calendar-description", "C:supported-calendar-component-set",
            'A:calendar-color'), {"Depth": "0"})
        m = responses(r)
        href = self.cal("work")
        self.assertEqual(prop(m, href, D + "displayname").text, "Work")
        desc = prop(m, href, C + "calendar-description")
        self.assertEqual(desc.text, "Work things")
        self.assertEqual(desc.get("{http://www.w3.org/XML/1998/namespace}lang"), "en")
        self.assertEqual(prop(m, href, "{http://apple.com/ns/ical/}calendar-color").text,
                         "#FF2968FF")
        # the component set is enforced on PUT and protected afterwards
        r = self.put(href + "t.ics", vcal(vtodo("t1")))
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "supported-calendar-component")
        body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                '<D:set><D:prop><C:supported-calendar-component-set><C:comp name="VTODO"/>'
                '</C:supported-calendar-component-set></D:prop></D:set></D:propertyupdate>')
        r = self.alice.proppatch(href, body, {"Content-Type": "application/xml"})
        self.assertEqual(list(responses(r)[href].keys()), [403])

    def test_mkcalendar_refusals(self):
        r = self.mkcal("calendar")  # RFC 4791 §5.3.1.1 has no 405 for MKCALENDAR
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), D + "resource-must-be-null")
        r = self.alice.mkcalendar(self.cal("calendar") + "inner/")
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "calendar-collection-location-ok")
        r = self.alice.mkcalendar(self.alice.files + "cal/")
        self.assertEqual(r.status, 403)
        r = self.alice.mkcol(self.cal("calendar") + "sub/")
        self.assertEqual(r.status, 403)
        bad = '<D:getetag>"x"</D:getetag><D:displayname>Bad</D:displayname>'
        r = self.mkcal("bad", bad)
        self.assertEqual(r.status, 207)
        self.assertIn(403, responses(r)[self.cal("bad")])
        self.assertEqual(self.alice.propfind(self.cal("bad"), None, {"Depth": "0"}).status, 404)

    def test_apple_properties_kept_exactly(self):
        href = self.cal("calendar")
        for color in ("#0E61B9FF", "#abc", "not a colour at all"):
            body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/">'
                    '<D:set><D:prop><A:calendar-color>%s</A:calendar-color>'
                    '<A:calendar-order>7</A:calendar-order></D:prop></D:set>'
                    '</D:propertyupdate>' % color)
            self.assertEqual(self.alice.proppatch(href, body).status, 207)
            r = self.alice.propfind(href, propfind_body("A:calendar-color", "A:calendar-order"),
                                    {"Depth": "0"})
            m = responses(r)
            self.assertEqual(prop(m, href, "{http://apple.com/ns/ical/}calendar-color").text,
                             color)
            self.assertEqual(prop(m, href, "{http://apple.com/ns/ical/}calendar-order").text, "7")

    def test_calendar_timezone(self):
        href = self.cal("calendar")
        r = self.alice.propfind(href, propfind_body("C:calendar-timezone-id",
                                                    "C:calendar-timezone"), {"Depth": "0"})
        m = responses(r)
        self.assertEqual(prop(m, href, C + "calendar-timezone-id").text, "UTC")
        self.assertIn("BEGIN:VTIMEZONE", prop(m, href, C + "calendar-timezone").text)
        body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                '<D:set><D:prop><C:calendar-timezone-id>America/New_York</C:calendar-timezone-id>'
                '</D:prop></D:set></D:propertyupdate>')
        self.assertEqual(list(responses(self.alice.proppatch(href, body))[href]), [200])
        r = self.alice.propfind(href, propfind_body("C:calendar-timezone-id"), {"Depth": "0"})
        self.assertEqual(prop(responses(r), href, C + "calendar-timezone-id").text,
                         "America/New_York")
        body = body.replace("America/New_York", "Mars/Olympus_Mons")
        r = self.alice.proppatch(href, body)
        self.assertIn(403, responses(r)[href])
        bad = ('<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
               '<D:set><D:prop><C:calendar-timezone>not a calendar</C:calendar-timezone>'
               '</D:prop></D:set></D:propertyupdate>')
        self.assertIn(403, responses(self.alice.proppatch(href, bad))[href])
        # back to UTC for the other tests
        rm = ('<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
              '<D:remove><D:prop><C:calendar-timezone/></D:prop></D:remove></D:propertyupdate>')
        self.alice.proppatch(href, rm)

    def test_limits_advertised(self):
        href = self.cal("calendar")
        names = ["C:supported-calendar-data", "C:max-resource-size", "C:min-date-time",
                 "C:max-date-time", "C:max-instances", "C:max-attendees-per-instance",
                 "C:supported-collation-set", "CS:getctag", "D:sync-token",
                 "D:supported-report-set"]
        r = self.alice.propfind(href, propfind_body(*names), {"Depth": "0"})
        m = responses(r)
        self.assertNotIn(404, m[href], r.text)
        reports = [e[0][0].tag for e in prop(m, href, D + "supported-report-set")]
        for rep in ("calendar-query", "calendar-multiget", "free-busy-query"):
            self.assertIn(C + rep, reports)
        self.assertIn(D + "sync-collection", reports)
        colls = [e.text for e in prop(m, href, C + "supported-collation-set")]
        self.assertEqual(sorted(colls), ["i;ascii-casemap", "i;octet", "i;unicode-casemap"])


class Put(CalDAVBase):
    def test_stored_as_sent_with_etag(self):
        body = vcal(vevent("keep-bytes", ":20261201T100000Z", ":20261201T110000Z",
                           extra="X-CUSTOM;X-PARAM=\"a,b\":value with \\, escapes\r\n"))
        r = self.put(self.cal() + "keep.ics", body)
        self.assertEqual(r.status, 201)
        etag = r.header("ETag")
        self.assertTrue(etag)
        g = self.alice.get(self.cal() + "keep.ics")
        self.assertEqual(g.body, body.encode())
        self.assertEqual(g.header("ETag"), etag)
        self.assertTrue(g.header("Content-Type").startswith("text/calendar"))

    def test_bom_is_removed_and_no_etag(self):
        body = vcal(vevent("with-bom", ":20261202T100000Z", ":20261202T110000Z"))
        r = self.put(self.cal() + "bom.ics", b"\xef\xbb\xbf" + body.encode())
        self.assertEqual(r.status, 201)
        self.assertIsNone(r.header("ETag"))  # RFC 4791 §5.3.4
        self.assertEqual(self.alice.get(self.cal() + "bom.ics").body, body.encode())

    def test_preconditions(self):
        cal = self.cal()
        cases = [
            ("supported-calendar-data", 403, vcal(vevent("m1", ":20261201T100000Z")),
             {"Content-Type": "text/plain"}),
            ("valid-calendar-data", 403, "BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n", None),
            ("valid-calendar-object-resource", 403,
             vcal(vevent("a", ":20261201T100000Z"), vevent("b", ":20261201T100000Z")), None),
            ("valid-calendar-object-resource", 403,
             vcal(vevent("m2", ":20261201T100000Z")).replace("VERSION:2.0\r\n",
                                                              "VERSION:2.0\r\nMETHOD:REQUEST\r\n"),
             None),
            ("supported-calendar-component", 403,
             vcal("BEGIN:VJOURNAL\r\nUID:j1\r\nDTSTAMP:20260101T000000Z\r\nEND:VJOURNAL\r\n"),
             None, "tasks"),
            ("min-date-time", 403, vcal(vevent("old", ":18000101T100000Z")), None),
            ("max-date-time", 403, vcal(vevent("future", ":22000101T100000Z")), None),
            ("max-attendees-per-instance", 403,
             vcal(vevent("crowd", ":20261201T100000Z", extra="".join(
                 "ATTENDEE:mailto:p%d@example.com\r\n" % i for i in range(101)))), None),
        ]
        for i, (pre, status, body, headers, *where) in enumerate(cases):
            target = self.cal(where[0]) if where else cal
            r = self.put(target + "pre%d.ics" % i, body, headers)
            self.assertEqual(r.status, status, pre)
            self.assertEqual(error_element(r), C + pre, (pre, r.text))
            self.assertEqual(self.alice.get(target + "pre%d.ics" % i).status, 404)
        big = vcal(vevent("big", ":20261201T100000Z", extra="DESCRIPTION:" + "x" * 70 + "\r\n"))
        self.assertEqual(self.put(cal + "fine.ics", big).status, 201)

    def test_no_uid_conflict_names_the_other_resource(self):
        cal = self.cal()
        self.assertEqual(self.put(cal + "first.ics", vcal(vevent(
            "dup-uid", ":20261203T100000Z"))).status, 201)
        r = self.put(cal + "second.ics", vcal(vevent("dup-uid", ":20261203T120000Z")))
        self.assertEqual(r.status, 409)
        self.assertEqual(error_element(r), C + "no-uid-conflict")
        self.assertEqual(r.xml()[0].find("D:href", NS).text, cal + "first.ics")
        # the same UID in another calendar is fine
        self.assertEqual(self.alice.mkcalendar(self.cal("other")).status, 201)
        self.assertEqual(self.put(self.cal("other") + "x.ics", vcal(vevent(
            "dup-uid", ":20261203T100000Z"))).status, 201)
        # and COPY into a calendar holding that UID is refused the same way
        r = self.alice.copy(self.cal("other") + "x.ics",
                            headers={"Destination": cal + "third.ics"})
        self.assertEqual(r.status, 409)
        self.assertEqual(error_element(r), C + "no-uid-conflict")

    def test_copy_of_a_plain_file_into_a_calendar_is_validated(self):
        self.alice.put(self.alice.files + "note.txt", b"hello")
        r = self.alice.copy(self.alice.files + "note.txt",
                            headers={"Destination": self.cal() + "note.ics"})
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "supported-calendar-data")

    def test_timezones_by_reference(self):
        body = vcal(vevent("byref", ";TZID=Europe/Berlin:20261204T100000",
                           ";TZID=Europe/Berlin:20261204T110000"))
        r = self.put(self.cal() + "byref.ics", body)
        self.assertEqual(r.status, 201, r.text)
        g = self.alice.get(self.cal() + "byref.ics")
        self.assertIn(b"BEGIN:VTIMEZONE", g.body)  # no header: time zones included
        g = self.alice.get(self.cal() + "byref.ics", headers={"CalDAV-Timezones": "F"})
        self.assertEqual(g.body, body.encode())
        with_tz = vcal(BERLIN, vevent("withtz", ";TZID=Europe/Berlin:20261204T120000",
                                      ";TZID=Europe/Berlin:20261204T130000"))
        self.put(self.cal() + "withtz.ics", with_tz)
        g = self.alice.get(self.cal() + "withtz.ics", headers={"CalDAV-Timezones": "F"})
        self.assertNotIn(b"VTIMEZONE", g.body)
        self.assertEqual(self.alice.get(self.cal() + "withtz.ics").body, with_tz.encode())
        r = self.alice.options(self.cal())
        self.assertIn("calendar-no-timezone", r.header("DAV"))
        self.assertIn("calendar-access", r.header("DAV"))


class Reports(CalDAVBase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.mkcalendar("%sq/" % cls.alice.calendars)
        cal = "%sq/" % cls.alice.calendars
        objs = {
            "single": vevent("single", ":20261110T100000Z", ":20261110T110000Z",
                             summary="Dentist", extra="CATEGORIES:HEALTH,PERSONAL\r\n"),
            # weekly in Berlin across the end of DST (25 Oct 2026)
            "weekly": vevent("weekly", ";TZID=Europe/Berlin:20261015T090000",
                             ";TZID=Europe/Berlin:20261015T100000", summary="Standup",
                             extra="RRULE:FREQ=WEEKLY;COUNT=6\r\n"),
            "allday": vevent("allday", ";VALUE=DATE:20261120", ";VALUE=DATE:20261121",
                             summary="Holiday"),
            "floating": vevent("floating", ":20261121T090000", ":20261121T100000",
                               summary="Floating"),
            "cancelled": vevent("cancelled", ":20261110T140000Z", ":20261110T150000Z",
                                extra="STATUS:CANCELLED\r\n"),
            "transparent": vevent("transparent", ":20261110T160000Z", ":20261110T170000Z",
                                  extra="TRANSP:TRANSPARENT\r\n"),
            "tentative": vevent("tentative", ":20261111T160000Z", ":20261111T170000Z",
                                extra="STATUS:TENTATIVE\r\n"),
            "alarm": vevent("alarm", ":20261201T100000Z", ":20261201T110000Z",
                            extra="BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n"
                                  "TRIGGER:-P2D\r\nEND:VALARM\r\n"),
        }
        # daily series with an overridden instance that is then EXDATEd, and a
        # THISANDFUTURE override moving later instances by two hours
        series = ("BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                  "DTSTART:20261201T080000Z\r\nDTEND:20261201T090000Z\r\nSUMMARY:Series\r\n"
                  "RRULE:FREQ=DAILY;COUNT=10\r\nEXDATE:20261203T080000Z\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                  "RECURRENCE-ID:20261203T080000Z\r\nDTSTART:20261203T120000Z\r\n"
                  "DTEND:20261203T130000Z\r\nSUMMARY:Moved\r\nEND:VEVENT\r\n"
                  "BEGIN:VEVENT\r\nUID:series\r\nDTSTAMP:20260101T000000Z\r\n"
                  "RECURRENCE-ID;RANGE=THISANDFUTURE:20261207T080000Z\r\n"
                  "DTSTART:20261207T100000Z\r\nDTEND:20261207T110000Z\r\n"
                  "SUMMARY:Later\r\nEND:VEVENT\r\n")
        for name, comp in objs.items():
            cls.alice.put(cal + name + ".ics", vcal(BERLIN, comp) if "Berlin" in comp
                          else vcal(comp), ICS)
        cls.alice.put(cal + "series.ics", vcal(series), ICS)
        todos = {
            "todo-nodates": vtodo("todo-nodates"),
            "todo-due": vtodo("todo-due", "DUE:20261115T120000Z\r\n"),
            "todo-start-dur": vtodo("todo-start-dur",
                                    "DTSTART:20261116T100000Z\r\nDURATION:PT2H\r\n"),
            "todo-completed": vtodo("todo-completed", "COMPLETED:20261117T100000Z\r\n"),
            "todo-created": vtodo("todo-created", "CREATED:20261118T100000Z\r\n"),
        }
        cls.alice.mkcalendar("%stq/" % cls.alice.calendars)
        for name, comp in todos.items():
            cls.alice.put("%stq/%s.ics" % (cls.alice.calendars, name), vcal(comp), ICS)
        cls.q = cal
        cls.tq = "%stq/" % cls.alice.calendars

    def range(self, start, end, comp="VEVENT", inner="", path=None, extra=""):
        return hrefs(self.report(path or self.q, query(time_range_filter(comp, start, end, inner),
                                                        extra=extra)))

    def test_time_ranges(self):
        self.assertEqual(self.range("20261110T000000Z", "20261111T000000Z"),
                         ["cancelled.ics", "single.ics", "transparent.ics"])
        # a DST change: the 5 Nov instance is at 08:00Z (CET), the 22 Oct one at 07:00Z (CEST)
        self.assertEqual(self.range("20261105T075900Z", "20261105T080100Z"), ["weekly.ics"])
        self.assertEqual(self.range("20261105T065900Z", "20261105T070100Z"), [])
        self.assertEqual(self.range("20261022T065900Z", "20261022T070100Z"), ["weekly.ics"])
        # the series ends after six weeks
        self.assertEqual(self.range("20261130T000000Z", "20261201T000000Z"), [])
        # all-day events cover their whole date (floating: UTC in a UTC calendar)
        self.assertEqual(self.range("20261120T230000Z", "20261121T000000Z"), ["allday.ics"])
        self.assertEqual(self.range("20261121T000000Z", "20261121T000100Z"), [])
        self.assertEqual(self.range("20261121T083000Z", "20261121T093000Z"), ["floating.ics"])
        # the floating event moves with the query's time zone
        tz = ('<C:timezone>BEGIN:VCALENDAR&#13;\nVERSION:2.0&#13;\nPRODID:x&#13;\n%s'
              'END:VCALENDAR&#13;\n</C:timezone>' % BERLIN.replace("\r\n", "&#13;\n"))
        # 09:00-10:00 in Berlin is 08:00-09:00Z
        self.assertEqual(self.range("20261121T090000Z", "20261121T093000Z", extra=tz), [])
        self.assertEqual(self.range("20261121T080000Z", "20261121T083000Z", extra=tz),
                         ["floating.ics"])

    def test_overrides_exdate_and_thisandfuture(self):
        # 3 Dec: the instance is both EXDATEd and overridden (moved to 12:00).
        # EXDATE removes it from the recurrence set (RFC 5545 §3.8.5.1), and an
        # override of an instance that is not in the set names nothing, so
        # there is no 3 Dec instance at all - as Apple's server and clients do.
        self.assertEqual(self.range("20261203T075900Z", "20261203T090000Z"), [])
        self.assertEqual(self.range("20261203T120000Z", "20261203T130000Z"), [])
        self.assertEqual(self.range("20261202T080000Z", "20261202T090000Z"), ["series.ics"])
        # THISANDFUTURE from 7 Dec: instances at 10:00 instead of 08:00
        self.assertEqual(self.range("20261208T080000Z", "20261208T090000Z"), [])
        self.assertEqual(self.range("20261208T100000Z", "20261208T110000Z"), ["series.ics"])
        self.assertEqual(self.range("20261206T080000Z", "20261206T090000Z"), ["series.ics"])

    def test_vtodo_table(self):
        # RFC 4791 §9.9: a VTODO without dates matches any range
        self.assertIn("todo-nodates.ics", self.range("20300101T000000Z", "20300102T000000Z",
                                                     comp="VTODO", path=self.tq))
        self.assertEqual(self.range("20261115T110000Z", "20261115T130000Z", comp="VTODO",
                                    path=self.tq), ["todo-due.ics", "todo-nodates.ics"])
        self.assertEqual(self.range("20261116T110000Z", "20261116T113000Z", comp="VTODO",
                                    path=self.tq), ["todo-nodates.ics", "todo-start-dur.ics"])
        self.assertIn("todo-completed.ics", self.range("20261117T090000Z", "20261117T110000Z",
                                                       comp="VTODO", path=self.tq))
        self.assertIn("todo-created.ics", self.range("20261118T090000Z", "20261119T000000Z",
                                                     comp="VTODO", path=self.tq))
        self.assertNotIn("todo-created.ics", self.range("20261117T000000Z", "20261117T120000Z",
                                                        comp="VTODO", path=self.tq))

    def test_alarm_time_range(self):
        inner = '<C:comp-filter name="VALARM"><C:time-range start="%s" end="%s"/></C:comp-filter>'
        f = ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">%s</C:comp-filter>'
             '</C:comp-filter>')
        got = hrefs(self.report(self.q, query(f % (inner % ("20261129T095900Z",
                                                             "20261129T100100Z")))))
        self.assertEqual(got, ["alarm.ics"])
        got = hrefs(self.report(self.q, query(f % (inner % ("20261201T095900Z",
                                                             "20261201T100100Z")))))
        self.assertEqual(got, [])

    def test_text_match_and_collations(self):
        def tm(text, prop="SUMMARY", attrs=""):
            f = ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                 '<C:prop-filter name="%s"><C:text-match%s>%s</C:text-match></C:prop-filter>'
                 '</C:comp-filter></C:comp-filter>' % (prop, attrs, text))
            return self.report(self.q, query(f))
        self.assertEqual(hrefs(tm("dentist")), ["single.ics"])
        self.assertEqual(hrefs(tm("dentist", attrs=' collation="i;octet"')), [])
        self.assertEqual(hrefs(tm("Dentist", attrs=' collation="i;octet"')), ["single.ics"])
        self.assertEqual(hrefs(tm("personal", prop="CATEGORIES")), ["single.ics"])
        negated = hrefs(tm("dentist", attrs=' negate-condition="yes"'))
        self.assertNotIn("single.ics", negated)
        self.assertIn("weekly.ics", negated)
        r = tm("x", attrs=' collation="i;klingon"')
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "supported-collation")

    def test_is_not_defined_and_param_filter(self):
        f = ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
             '<C:prop-filter name="RRULE"><C:is-not-defined/></C:prop-filter>'
             '</C:comp-filter></C:comp-filter>')
        got = hrefs(self.report(self.q, query(f)))
        self.assertNotIn("weekly.ics", got)
        self.assertIn("single.ics", got)
        f = ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
             '<C:prop-filter name="DTSTART"><C:param-filter name="VALUE"><C:text-match>DATE'
             '</C:text-match></C:param-filter></C:prop-filter></C:comp-filter></C:comp-filter>')
        self.assertEqual(hrefs(self.report(self.q, query(f))), ["allday.ics"])

    def test_invalid_filters(self):
        for f in ('<C:comp-filter name="VEVENT"/>',
                  '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                  '<C:time-range/></C:comp-filter></C:comp-filter>',
                  '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                  '<C:time-range start="yesterday"/></C:comp-filter></C:comp-filter>'):
            r = self.report(self.q, query(f))
            self.assertEqual(r.status, 403, f)
            self.assertEqual(error_element(r), C + "valid-filter")

    def test_expand_to_utc(self):
        props = ('<D:getetag/><C:calendar-data><C:expand start="20261022T000000Z" '
                 'end="20261106T000000Z"/></C:calendar-data>')
        r = self.report(self.q, query(time_range_filter("VEVENT", "20261022T000000Z",
                                                         "20261106T000000Z"), props))
        data = prop(responses(r), self.q + "weekly.ics", C + "calendar-data").text
        self.assertNotIn("RRULE", data)
        self.assertNotIn("VTIMEZONE", data)
        self.assertIn("DTSTART:20261022T070000Z", data)  # CEST
        self.assertIn("DTSTART:20261105T080000Z", data)  # CET, after the change
        self.assertIn("RECURRENCE-ID:20261029T080000Z", data)
        self.assertEqual(data.count("BEGIN:VEVENT"), 3)

    def test_partial_calendar_data(self):
        props = ('<C:calendar-data><C:comp name="VCALENDAR"><C:allprop/>'
                 '<C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID"/>'
                 '</C:comp></C:comp></C:calendar-data>')
        r = self.report(self.q, query(time_range_filter("VEVENT", "20261110T000000Z",
                                                         "20261110T120000Z"), props))
        data = prop(responses(r), self.q + "single.ics", C + "calendar-data").text
        self.assertIn("SUMMARY:Dentist", data)
        self.assertNotIn("DTSTART", data)
        self.assertNotIn("CATEGORIES", data)

    def test_multiget(self):
        missing = self.q + "nope.ics"
        body = ('<C:calendar-multiget %s><D:prop><D:getetag/><C:calendar-data/></D:prop>'
                '<D:href>%ssingle.ics</D:href><D:href>%s</D:href></C:calendar-multiget>'
                % (NS_DECL, self.q, missing))
        r = self.report(self.q, body)
        m = responses(r)
        self.assertIsNotNone(prop(m, self.q + "single.ics", D + "getetag"))
        self.assertIn("UID:single", prop(m, self.q + "single.ics", C + "calendar-data").text)
        self.assertEqual(list(m[missing].keys()), [404])
        self.assertIn(b"&#13;", r.body)  # CR escaped so it survives XML parsers

    def test_free_busy(self):
        body = ('<C:free-busy-query %s><C:time-range start="20261110T000000Z" '
                'end="20261112T000000Z"/></C:free-busy-query>' % NS_DECL)
        r = self.report(self.q, body)
        self.assertEqual(r.status, 200)
        self.assertTrue(r.header("Content-Type").startswith("text/calendar"))
        text = r.text.replace("\r\n", "\n")
        self.assertIn("FREEBUSY;FBTYPE=BUSY:20261110T100000Z/20261110T110000Z", text)
        self.assertIn("FBTYPE=BUSY-TENTATIVE:20261111T160000Z/20261111T170000Z", text)
        self.assertNotIn("20261110T140000Z", text)  # cancelled
        self.assertNotIn("20261110T160000Z", text)  # transparent

    def test_sync_collection(self):
        self.alice.mkcalendar(self.cal("sync"))
        cal = self.cal("sync")
        body = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token>'
                '<D:sync-level>1</D:sync-level>%s<D:prop><D:getetag/></D:prop>'
                '</D:sync-collection>')
        for i in range(5):
            self.put(cal + "s%d.ics" % i, vcal(vevent("s%d" % i, ":2026120%dT100000Z" % (i + 1))))
        r = self.report(cal, body % ("", ""), depth="0")
        self.assertEqual(r.status, 207)
        self.assertEqual(hrefs(r), ["s%d.ics" % i for i in range(5)])
        token = r.xml().find("D:sync-token", NS).text
        self.alice.delete(cal + "s1.ics")
        self.put(cal + "s2.ics", vcal(vevent("s2", ":20261203T110000Z")))
        r = self.report(cal, body % (token, ""), depth="0")
        m = responses(r)
        self.assertEqual(list(m[cal + "s1.ics"].keys()), [404])
        self.assertIn(200, m[cal + "s2.ics"])
        self.assertEqual(len(m), 2)
        # limits: a 507 for the collection and a token to continue from
        r = self.report(cal, body % ("", "<D:limit><D:nresults>2</D:nresults></D:limit>"),
                        depth="0")
        m = responses(r)
        self.assertEqual(list(m[cal].keys()), [507])
        self.assertEqual(len(m), 3)
        t2 = r.xml().find("D:sync-token", NS).text
        # the rest: s4, then s1's deletion (reported though this client never
        # saw s1, which RFC 6578 allows) and the new s2
        r = self.report(cal, body % (t2, ""), depth="0")
        m = responses(r)
        self.assertEqual(sorted(h.rsplit("/", 1)[-1] for h in m), ["s1.ics", "s2.ics", "s4.ics"])
        self.assertEqual(list(m[cal + "s1.ics"].keys()), [404])
        # a token that is not ours
        for bad in ("urn:x-veil:sync:00000000-1", "http://example.com/token", token + "9999"):
            r = self.report(cal, body % (bad, ""), depth="0")
            self.assertEqual(r.status, 403, bad)
            self.assertEqual(error_element(r), D + "valid-sync-token")

    def test_prefer_minimal_on_report(self):
        body = query(time_range_filter("VEVENT", "20261110T000000Z", "20261111T000000Z"),
                     "<D:getetag/><D:displayname/>")
        full = self.report(self.q, body)
        self.assertIn(b"404 Not Found", full.body)
        r = self.report(self.q, body, headers={"Prefer": "return=minimal"})
        self.assertNotIn(b"404 Not Found", r.body)
        self.assertEqual(r.header("Preference-Applied"), "return=minimal")

    def test_unsupported_report(self):
        body = query(time_range_filter("VEVENT", "20261110T000000Z", "20261111T000000Z"))
        r = self.report(self.alice.files, body)
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), D + "supported-report")


class TimeRangeEdges(CalDAVBase):
    """Boundaries of RFC 4791 §9.9: a plain time-range query is answered from
    the index's exact spans, one with any other condition by parsing each
    candidate; both must give the RFC's answer, to the second."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cal = "%sedges/" % cls.alice.calendars
        cls.alice.mkcalendar(cls.cal)
        objs = {
            "hour": vevent("hour", ":20261110T100000Z", ":20261110T110000Z"),
            "point": vevent("point", ":20261110T100030Z"),          # zero length, odd second
            "point-at-s": vevent("point-at-s", ":20261110T100000Z"),
            "after": vevent("after", ":20261110T110000Z", ":20261110T113000Z"),
            "before": vevent("before", ":20261110T090000Z", ":20261110T100000Z"),
            "straddle": vevent("straddle", ":20261110T105930Z", ":20261110T110030Z"),
            "weekly": vevent("weekly", ":20261110T100000Z", ":20261110T110000Z",
                             extra="RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:20261117T100000Z\r\n"),
        }
        for name, comp in objs.items():
            cls.alice.put(cls.cal + name + ".ics", vcal(comp), ICS)

    def both(self, start, end):
        plain = hrefs(self.report(self.cal, query(time_range_filter("VEVENT", start, end))))
        # a condition every event meets, so only the parsing path can answer
        checked = hrefs(self.report(self.cal, query(time_range_filter(
            "VEVENT", start, end, '<C:prop-filter name="UID"/>'))))
        self.assertEqual(plain, checked, (start, end))
        return plain

    def test_edges(self):
        self.assertEqual(self.both("20261110T100000Z", "20261110T110000Z"),
                         ["hour.ics", "point-at-s.ics", "point.ics", "straddle.ics",
                          "weekly.ics"])
        self.assertEqual(self.both("20261110T100030Z", "20261110T100031Z"),
                         ["hour.ics", "point.ics", "weekly.ics"])
        self.assertEqual(self.both("20261110T100031Z", "20261110T100100Z"),
                         ["hour.ics", "weekly.ics"])
        self.assertEqual(self.both("20261110T110000Z", "20261110T110030Z"),
                         ["after.ics", "straddle.ics"])
        self.assertEqual(self.both("20261110T110030Z", "20261110T110100Z"), ["after.ics"])
        self.assertEqual(self.both("20261110T095959Z", "20261110T100000Z"), ["before.ics"])
        # the EXDATEd week has no instance; the third week does
        self.assertEqual(self.both("20261117T000000Z", "20261118T000000Z"), [])
        self.assertEqual(self.both("20261124T105959Z", "20261124T110000Z"), ["weekly.ics"])


class ExpandProperty(CalDAVBase):
    def test_principal_expansion(self):
        body = ('<D:expand-property xmlns:D="DAV:"><D:property name="current-user-principal">'
                '<D:property name="displayname"/><D:property name="calendar-home-set" '
                'namespace="urn:ietf:params:xml:ns:caldav"/></D:property></D:expand-property>')
        r = self.report("/", body, depth="0")
        self.assertEqual(r.status, 207)
        inner = r.xml().find(".//D:current-user-principal/D:response", NS)
        self.assertEqual(inner.find("D:href", NS).text, self.alice.principal)
        self.assertEqual(inner.find(".//D:displayname", NS).text, "Alice")
        self.assertEqual(inner.find(".//C:calendar-home-set/D:href", NS).text,
                         self.alice.calendars)


if __name__ == "__main__":
    unittest.main()

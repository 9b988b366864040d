"""The limits a request meets are configuration (issue 18): max_instances,
max_attendees, max_report_hrefs and xml_max_bytes in veildav.conf, each
advertised where CalDAV advertises it and answered with its own status and
precondition at one past the limit, while the limit itself still passes."""
import unittest

from caldav_util import error_element, vcal, vevent
from veil import NS, ServerTest, propfind_body, responses

D = "{DAV:}"
C = "{urn:ietf:params:xml:ns:caldav}"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}


def daily(uid, count):
    return vcal(vevent(uid, ":20270101T100000Z", ":20270101T110000Z",
                       extra="RRULE:FREQ=DAILY;COUNT=%d\r\n" % count))


def crowd(uid, n):
    return vcal(vevent(uid, ":20270101T100000Z", ":20270101T110000Z",
                       extra="ORGANIZER:mailto:o@example.com\r\n" + "".join(
                           "ATTENDEE:mailto:p%d@example.com\r\n" % i for i in range(n))))


def multiget(hrefs):
    return ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>%s'
            '</C:calendar-multiget>' % "".join("<D:href>%s</D:href>" % h for h in hrefs))


class ConfiguredLimits(ServerTest):
    config = {"max_instances": "20", "max_attendees": "3", "max_report_hrefs": "12",
              "xml_max_bytes": "8k"}

    def setUp(self):
        self.cal = self.alice.calendars + "calendar/"

    def test_advertised(self):
        r = self.alice.propfind(self.cal, propfind_body("C:max-instances",
                                                       "C:max-attendees-per-instance"),
                                {"Depth": "0"})
        m = responses(r)[self.cal][200]
        got = {e.tag: e.text for e in m}
        self.assertEqual(got, {C + "max-instances": "20", C + "max-attendees-per-instance": "3"})

    def test_instances(self):
        self.assertEqual(self.alice.put(self.cal + "i20.ics", daily("i20", 20), ICS).status, 201)
        r = self.alice.put(self.cal + "i21.ics", daily("i21", 21), ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(error_element(r), C + "max-instances", r.text)
        self.assertEqual(self.alice.get(self.cal + "i21.ics").status, 404)

    def test_attendees(self):
        self.assertEqual(self.alice.put(self.cal + "a3.ics", crowd("a3", 3), ICS).status, 201)
        r = self.alice.put(self.cal + "a4.ics", crowd("a4", 4), ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(error_element(r), C + "max-attendees-per-instance", r.text)
        self.assertEqual(self.alice.get(self.cal + "a4.ics").status, 404)

    def test_report_hrefs(self):
        ok = [self.cal + "m%d.ics" % i for i in range(12)]
        r = self.alice.report(self.cal, multiget(ok), XML)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(len(r.xml().findall("D:response", NS)), 12)
        r = self.alice.report(self.cal, multiget(ok + [self.cal + "m12.ics"]), XML)
        self.assertEqual(r.status, 507, r.text)
        self.assertEqual(error_element(r), D + "number-of-matches-within-limits", r.text)

    @staticmethod
    def padded(body, size):
        """body with a comment before its root element, size bytes in all"""
        root = body.index("<D:")
        pad = "<!--%s-->" % ("x" * (size - len(body) - 7))
        out = body[:root] + pad + body[root:]
        assert len(out.encode()) == size
        return out

    def test_xml_body_size(self):
        find = propfind_body("D:getetag")
        self.assertEqual(self.alice.propfind(self.cal, self.padded(find, 8192),
                                             {"Depth": "0"}).status, 207)
        r = self.alice.propfind(self.cal, self.padded(find, 8193), {"Depth": "0"})
        self.assertEqual(r.status, 413, r.text)
        patch = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                 '<D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>')
        self.assertEqual(self.alice.proppatch(self.cal, self.padded(patch, 8192), XML).status,
                         207)
        r = self.alice.proppatch(self.cal, self.padded(patch, 8193), XML)
        self.assertEqual(r.status, 413, r.text)
        mkcol = ('<?xml version="1.0"?><D:mkcol xmlns:D="DAV:"><D:set><D:prop><D:resourcetype>'
                 '<D:collection/></D:resourcetype></D:prop></D:set></D:mkcol>')
        r = self.alice.mkcol(self.alice.files + "big/", self.padded(mkcol, 8193), XML)
        self.assertEqual(r.status, 413, r.text)
        self.assertEqual(self.alice.mkcol(self.alice.files + "big/", self.padded(mkcol, 8192),
                                          XML).status, 201)


class DefaultLimits(ServerTest):
    def test_defaults(self):
        cal = self.alice.calendars + "calendar/"
        r = self.alice.propfind(cal, propfind_body("C:max-instances",
                                                   "C:max-attendees-per-instance"),
                                {"Depth": "0"})
        got = {e.tag: e.text for e in responses(r)[cal][200]}
        self.assertEqual(got, {C + "max-instances": "100000",
                               C + "max-attendees-per-instance": "100"})


if __name__ == "__main__":
    unittest.main()

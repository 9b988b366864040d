"""A streamed answer is built a page at a time, and a page is bounded in bytes
as well as in members (issue 18: "the response of a report is streamed, so its
cap is per page"): members with large dead properties or large calendar data
come in full, each page well under max_buffer_bytes, where a page of 64 such
members would have passed it and cut the answer short."""
import unittest

from veil import Server, User, responses

BIG = 60 * 1024


def big_event(i):
    desc = ("x" * 70 + "\r\n ") * (BIG // 73)
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN",
                        "BEGIN:VEVENT", "UID:big-%d" % i, "DTSTAMP:20260101T000000Z",
                        "DTSTART:20270301T%02d0000Z" % (i % 24), "DURATION:PT1H",
                        "DESCRIPTION:" + desc.rstrip("\r\n "), "END:VEVENT", "END:VCALENDAR", ""])


class StreamPages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # 40 members of 60 KiB each: 2.4 MiB in all, more than the 2 MiB cap
        s = cls.server = Server(config={"max_body_bytes": "128k", "max_buffer_bytes": "2M"})
        s.add_user("alice", password="pw-alice-123456")
        s.start()
        a = cls.alice = User(s, "alice", s.app_password("alice", "t"))
        cls.n = 40
        for i in range(cls.n):
            f = a.files + "f%02d.txt" % i
            assert a.put(f, "hello %d\n" % i, {"Content-Type": "text/plain"}).status == 201
            body = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">'
                    '<D:set><D:prop><Z:note>%s</Z:note></D:prop></D:set></D:propertyupdate>'
                    % ("n" * BIG))
            assert a.proppatch(f, body, {"Content-Type": "application/xml"}).status == 207
            r = a.put(a.calendars + "calendar/e%02d.ics" % i, big_event(i),
                      {"Content-Type": "text/calendar"})
            assert r.status == 201, r.text

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def members(self, r, suffix):
        self.assertEqual(r.status, 207)
        return sorted(h for h in responses(r) if h.endswith(suffix))

    def test_propfind_with_large_dead_properties(self):
        a = self.alice
        body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop>'
                '<Z:note/><D:getetag/></D:prop></D:propfind>')
        r = a.propfind(a.files, body, {"Depth": "1"})
        got = self.members(r, ".txt")
        self.assertEqual(len(got), self.n)
        self.assertEqual(r.text.count("n" * 1000), self.n * (BIG // 1000))

    def test_calendar_reports_with_large_data(self):
        a = self.alice
        cal = a.calendars + "calendar/"
        query = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
                 'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop>'
                 '<C:filter><C:comp-filter name="VCALENDAR"/></C:filter></C:calendar-query>')
        r = a.report(cal, query, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(len(self.members(r, ".ics")), self.n)
        self.assertEqual(r.text.count("END:VCALENDAR"), self.n)
        hrefs = "".join("<D:href>%se%02d.ics</D:href>" % (cal, i) for i in range(self.n))
        mget = ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data/></D:prop>%s'
                '</C:calendar-multiget>' % hrefs)
        r = a.report(cal, mget, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(len(self.members(r, ".ics")), self.n)
        self.assertEqual(r.text.count("END:VCALENDAR"), self.n)
        sync = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:sync-token/>'
                '<D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:calendar-data/></D:prop>'
                '</D:sync-collection>')
        r = a.report(cal, sync, {"Depth": "0", "Content-Type": "application/xml"})
        self.assertEqual(len(self.members(r, ".ics")), self.n)
        self.assertEqual(r.text.count("END:VCALENDAR"), self.n)
        self.assertIn("sync-token", r.text)


if __name__ == "__main__":
    unittest.main()

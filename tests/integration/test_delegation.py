"""CalendarServer calendar-proxy delegation against the real server: the two
proxy groups under each user, managed by PROPPATCH of group-member-set as macOS
and iOS do, what a read and a write delegate may do, and the -for properties."""
import unittest

from veil import NS, Server, User, propfind_body, responses

CS = "{http://calendarserver.org/ns/}"
D = "{DAV:}"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
XML = {"Content-Type": "application/xml"}


def event(uid):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:%s\r\n"
            "DTSTAMP:20260101T000000Z\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n" % uid)


def members_body(*hrefs):
    return ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:group-member-set>%s'
            '</D:group-member-set></D:prop></D:set></D:propertyupdate>'
            % "".join("<D:href>%s</D:href>" % h for h in hrefs))


class Delegation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("boss", "assistant", "reader", "outsider"):
            s.add_user(login, password="pw-%s-123456" % login, display_name=login.title())
        s.start()
        cls.boss, cls.assistant, cls.reader, cls.outsider = (
            User(s, l, s.app_password(l, "t")) for l in ("boss", "assistant", "reader", "outsider"))
        cls.cal = cls.boss.calendars + "calendar/"
        assert cls.boss.put(cls.cal + "mine.ics", event("mine"), ICS).status == 201

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_1_proxy_groups_are_listed_and_typed(self):
        r = self.boss.propfind(self.boss.principal, propfind_body("D:resourcetype"), {"Depth": "1"})
        m = responses(r)
        read = self.boss.principal + "calendar-proxy-read/"
        write = self.boss.principal + "calendar-proxy-write/"
        self.assertIn(read, m)
        self.assertIn(write, m)
        rt = m[read][200][0]
        self.assertIsNotNone(rt.find("CS:calendar-proxy-read", NS))
        self.assertIsNotNone(rt.find("D:principal", NS))
        self.assertIsNotNone(m[write][200][0].find("CS:calendar-proxy-write", NS))
        # nobody else sees them
        self.assertEqual(self.outsider.propfind(read, None, {"Depth": "0"}).status, 404)

    def test_2_write_and_read_delegates(self):
        read = self.boss.principal + "calendar-proxy-read/"
        write = self.boss.principal + "calendar-proxy-write/"
        r = self.boss.proppatch(write, members_body(self.assistant.principal), XML)
        self.assertEqual(r.status, 207)
        self.assertIn(200, list(responses(r).values())[0])
        r = self.boss.proppatch(read, members_body(self.reader.principal), XML)
        self.assertIn(200, list(responses(r).values())[0])
        got = responses(self.boss.propfind(write, propfind_body("D:group-member-set"),
                                           {"Depth": "0"}))[write][200][0]
        self.assertEqual([h.text for h in got.findall("D:href", NS)], [self.assistant.principal])
        # the write delegate edits the boss's calendar
        self.assertEqual(self.assistant.put(self.cal + "by-assistant.ics", event("a1"), ICS).status,
                         201)
        self.assertEqual(self.assistant.get(self.cal + "mine.ics").status, 200)
        # the read delegate reads but may not write
        self.assertEqual(self.reader.get(self.cal + "mine.ics").status, 200)
        r = self.reader.put(self.cal + "by-reader.ics", event("r1"), ICS)
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.xml().find("D:need-privileges", NS))
        self.assertEqual(self.reader.delete(self.cal + "mine.ics").status, 403)
        # a stranger still sees nothing
        self.assertEqual(self.outsider.get(self.cal + "mine.ics").status, 404)
        # delegates cannot change who the delegates are
        r = self.assistant.proppatch(read, members_body(self.outsider.principal), XML)
        self.assertNotEqual(r.status, 207)

    def test_3_proxy_for_properties(self):
        self.boss.proppatch(self.boss.principal + "calendar-proxy-write/",
                            members_body(self.assistant.principal), XML)
        body = ('<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop>'
                '<CS:calendar-proxy-write-for/><CS:calendar-proxy-read-for/></D:prop></D:propfind>')
        m = responses(self.assistant.propfind(self.assistant.principal, body, {"Depth": "0"}))
        props = {p.tag: p for p in m[self.assistant.principal][200]}
        self.assertEqual([h.text for h in props[CS + "calendar-proxy-write-for"].findall("D:href", NS)],
                         [self.boss.principal])
        self.assertEqual(props[CS + "calendar-proxy-read-for"].findall("D:href", NS), [])

    def test_5_operator_delegates_of_a_room(self):
        s = self.server
        room = s.cli("resource", "add", "room-9", "--type", "location").stdout.decode().strip()
        s.cli("delegate", "add", "resource:room-9", "assistant", "--write")
        s.cli("delegate", "add", "resource:room-9", "reader")
        listing = s.cli("delegate", "list", "resource:room-9").stdout.decode().split("\n")
        self.assertIn("assistant\twrite", listing)
        self.assertIn("reader\tread", listing)
        body = ('<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop>'
                '<CS:calendar-proxy-write-for/></D:prop></D:propfind>')
        m = responses(self.assistant.propfind(self.assistant.principal, body, {"Depth": "0"}))
        hrefs = [h.text for h in m[self.assistant.principal][200][0].findall("D:href", NS)]
        self.assertIn(room, hrefs)
        # switching to read moves the delegate, removing takes it away
        s.cli("delegate", "add", "resource:room-9", "assistant")
        listing = s.cli("delegate", "list", "resource:room-9").stdout.decode()
        self.assertIn("assistant\tread", listing)
        self.assertNotIn("assistant\twrite", listing)
        s.cli("delegate", "remove", "resource:room-9", "assistant")
        self.assertNotIn("assistant", s.cli("delegate", "list", "resource:room-9").stdout.decode())
        bad = s.cli("delegate", "add", "resource:nowhere", "reader", check=False)
        self.assertEqual(bad.returncode, 1)

    def test_4_revoking(self):
        write = self.boss.principal + "calendar-proxy-write/"
        self.boss.proppatch(write, members_body(self.assistant.principal), XML)
        self.assertEqual(self.assistant.get(self.cal + "mine.ics").status, 200)
        self.boss.proppatch(write, members_body(), XML)
        self.assertEqual(self.assistant.get(self.cal + "mine.ics").status, 404)
        self.assertEqual(self.assistant.put(self.cal + "late.ics", event("late"), ICS).status, 404)


if __name__ == "__main__":
    unittest.main()

"""CalendarServer calendar-proxy delegation against the real server: the two
proxy groups under each user, managed by PROPPATCH of group-member-set as macOS
and iOS do, what a read and a write delegate may do, and the -for properties;
groups (from `veildav group`) as delegates and sharees; read-only app
passwords."""
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


QUERY = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
         '<D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
         '</C:calendar-query>')


class Delegation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("boss", "assistant", "reader", "outsider", "temp", "intern"):
            s.add_user(login, password="pw-%s-123456" % login, display_name=login.title())
        s.start()
        cls.boss, cls.assistant, cls.reader, cls.outsider, cls.temp, cls.intern = (
            User(s, l, s.app_password(l, "t"))
            for l in ("boss", "assistant", "reader", "outsider", "temp", "intern"))
        cls.cal = cls.boss.calendars + "calendar/"
        assert cls.boss.put(cls.cal + "mine.ics", event("mine"), ICS).status == 201

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def privileges(self, user, path):
        m = responses(user.propfind(path, propfind_body("D:current-user-privilege-set"),
                                    {"Depth": "0"}))
        cups = m[path][200][0]
        return {p[0].tag.split("}")[1] for p in cups.findall("D:privilege", NS)}

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
        r = self.reader.proppatch(self.cal, '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                                  '<D:displayname>x</D:displayname></D:prop></D:set>'
                                  '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 403)
        r = self.reader.req("REPORT", self.cal, QUERY, {"Depth": "1", **XML})
        self.assertEqual(r.status, 207)
        self.assertIn(self.cal + "mine.ics", responses(r))
        self.assertEqual(self.reader.propfind(self.cal, None, {"Depth": "1"}).status, 207)
        # what each may do, as RFC 3744 privileges
        self.assertEqual(self.privileges(self.reader, self.cal) & {"write", "write-content", "bind"},
                         set())
        self.assertIn("read", self.privileges(self.reader, self.cal))
        self.assertTrue({"read", "write", "bind", "unbind"} <= self.privileges(self.assistant,
                                                                               self.cal))
        self.assertNotIn("write-acl", self.privileges(self.assistant, self.cal))
        # both see the boss's principal now; the boss sees them
        for user in (self.assistant, self.reader):
            self.assertEqual(user.propfind(self.boss.principal, None, {"Depth": "0"}).status, 207)
            self.assertEqual(self.boss.propfind(user.principal, None, {"Depth": "0"}).status, 207)
        self.assertEqual(self.outsider.propfind(self.boss.principal, None,
                                                {"Depth": "0"}).status, 404)
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
        self.boss.proppatch(self.boss.principal + "calendar-proxy-read/",
                            members_body(self.reader.principal), XML)
        m = responses(self.reader.propfind(self.reader.principal, body, {"Depth": "0"}))
        props = {p.tag: p for p in m[self.reader.principal][200]}
        self.assertEqual([h.text for h in props[CS + "calendar-proxy-read-for"].findall("D:href", NS)],
                         [self.boss.principal])
        self.assertEqual(props[CS + "calendar-proxy-write-for"].findall("D:href", NS), [])
        # a proxy group shows its members to the boss and to those in it, and only
        # the boss changes them
        read = self.boss.principal + "calendar-proxy-read/"
        for user in (self.boss, self.reader):
            m = responses(user.propfind(read, propfind_body("D:group-member-set"), {"Depth": "0"}))
            self.assertEqual([h.text for h in m[read][200][0]], [self.reader.principal])
        self.assertEqual(self.outsider.propfind(read, None, {"Depth": "0"}).status, 404)
        r = self.reader.proppatch(read, members_body(self.reader.principal, self.outsider.principal),
                                  XML)
        self.assertEqual(r.status, 403)

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

    def test_6_group_as_delegate(self):
        """A group (veildav group) made a write delegate: its members edit the
        boss's calendar for as long as they are members."""
        s = self.server
        team = s.cli("group", "add", "team", "--display-name", "Team").stdout.decode().strip()
        s.cli("group", "member", "add", "team", "temp")
        write = self.boss.principal + "calendar-proxy-write/"
        r = self.boss.proppatch(write, members_body(team), XML)
        self.assertIn(200, list(responses(r).values())[0], r.text)
        self.assertEqual(self.temp.put(self.cal + "by-temp.ics", event("t1"), ICS).status, 201)
        self.assertEqual(self.intern.get(self.cal + "mine.ics").status, 404)
        s.cli("group", "member", "add", "team", "intern")
        self.assertEqual(self.intern.get(self.cal + "by-temp.ics").status, 200)
        s.cli("group", "member", "remove", "team", "temp")
        self.assertEqual(self.temp.get(self.cal + "mine.ics").status, 404)
        self.boss.proppatch(write, members_body(), XML)
        self.assertEqual(self.intern.get(self.cal + "mine.ics").status, 404)
        s.cli("group", "remove", "team")

    def test_7_group_share_from_the_cli(self):
        """`veildav share --with group:NAME`: the group's members get the share; access
        follows membership."""
        s = self.server
        s.cli("group", "add", "readers")
        s.cli("group", "member", "add", "readers", "temp")
        self.assertEqual(self.boss.req("MKCALENDAR", self.boss.calendars + "board/").status, 201)
        self.assertEqual(self.boss.put(self.boss.calendars + "board/b.ics", event("b1"), ICS).status,
                         201)
        out = s.cli("share", "add", "--owner", "boss", "--collection", "calendars/board", "--with",
                    "group:readers").stdout.decode()
        views = dict(line.split("\t") for line in out.strip().splitlines())
        self.assertEqual(list(views), ["temp"])
        self.assertEqual(self.temp.get(views["temp"] + "b.ics").status, 200)
        self.assertEqual(self.temp.put(views["temp"] + "t.ics", event("t2"), ICS).status, 403)
        self.assertEqual(self.intern.get(self.boss.calendars + "board/b.ics").status, 404)
        s.cli("group", "member", "add", "readers", "intern")
        self.assertEqual(self.intern.get(self.boss.calendars + "board/b.ics").status, 200)
        s.cli("group", "member", "remove", "readers", "intern")
        self.assertEqual(self.intern.get(self.boss.calendars + "board/b.ics").status, 404)
        s.cli("share", "remove", "--owner", "boss", "--collection", "calendars/board", "--with",
              "group:readers")
        self.assertEqual(self.temp.get(self.boss.calendars + "board/b.ics").status, 404)

    def test_8_read_only_app_passwords(self):
        """Reading methods only: 403 on PUT, DELETE, PROPPATCH, MKCOL (and ACL, and
        managing delegates), 2xx on GET, PROPFIND, REPORT - for one's own data and
        for what one is a write delegate of."""
        s = self.server
        ro = User(s, "boss", s.app_password("boss", "ro", "--read-only"))
        self.assertEqual(ro.get(self.cal + "mine.ics").status, 200)
        self.assertEqual(ro.propfind(self.cal, None, {"Depth": "1"}).status, 207)
        self.assertEqual(ro.req("REPORT", self.cal, QUERY, {"Depth": "1", **XML}).status, 207)
        self.assertEqual(ro.options(self.cal).status, 200)
        writes = (("PUT", self.cal + "ro.ics", event("ro"), ICS),
                  ("DELETE", self.cal + "mine.ics", None, {}),
                  ("PROPPATCH", self.cal, '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                   '<D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>', XML),
                  ("MKCOL", self.boss.files + "ro-dir/", None, {}),
                  ("MKCALENDAR", self.boss.calendars + "ro-cal/", None, {}),
                  ("ACL", self.cal, '<D:acl xmlns:D="DAV:"/>', XML),
                  ("PROPPATCH", self.boss.principal + "calendar-proxy-read/",
                   members_body(self.outsider.principal), XML))
        for method, path, body, headers in writes:
            r = ro.req(method, path, body, headers)
            self.assertEqual(r.status, 403, (method, path, r.text))
            self.assertIsNotNone(r.xml().find("D:need-privileges", NS), (method, r.text))
        self.assertEqual(self.boss.get(self.cal + "mine.ics").status, 200)
        self.assertEqual(self.boss.propfind(self.boss.files + "ro-dir/", None,
                                            {"Depth": "0"}).status, 404)
        # a write delegate's read-only password reads the boss's calendar, no more
        self.boss.proppatch(self.boss.principal + "calendar-proxy-write/",
                            members_body(self.assistant.principal), XML)
        aro = User(s, "assistant", s.app_password("assistant", "ro", "--read-only"))
        self.assertEqual(aro.get(self.cal + "mine.ics").status, 200)
        self.assertEqual(aro.put(self.cal + "aro.ics", event("aro"), ICS).status, 403)
        self.assertEqual(self.assistant.put(self.cal + "aro.ics", event("aro"), ICS).status, 201)
        self.assertNotIn("write", self.privileges(aro, self.cal))

    def test_4_revoking(self):
        write = self.boss.principal + "calendar-proxy-write/"
        self.boss.proppatch(write, members_body(self.assistant.principal), XML)
        self.assertEqual(self.assistant.get(self.cal + "mine.ics").status, 200)
        self.boss.proppatch(write, members_body(), XML)
        self.assertEqual(self.assistant.get(self.cal + "mine.ics").status, 404)
        self.assertEqual(self.assistant.put(self.cal + "late.ics", event("late"), ICS).status, 404)


if __name__ == "__main__":
    unittest.main()

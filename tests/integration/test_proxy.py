"""CalendarServer calendar-proxy details against the real server, beyond the
delegation flows of test_delegation.py: the CS:record-type of the two proxy
groups, each delegate's own presentation properties (colour, order,
description) on the delegator's calendars, and refusing hrefs that name
no principal in group-member-set."""
import unittest

from veil import NS, Server, User, propfind_body, prop, responses

CS = "{http://calendarserver.org/ns/}"
A = "{http://apple.com/ns/ical/}"
X = "{urn:x-veil-test}"
XML = {"Content-Type": "application/xml"}


def members_body(*hrefs):
    return ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:group-member-set>%s'
            '</D:group-member-set></D:prop></D:set></D:propertyupdate>'
            % "".join("<D:href>%s</D:href>" % h for h in hrefs))


class RecordType(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        s.add_user("boss", password="pw-boss-123456", display_name="Boss")
        s.start()
        cls.boss = User(s, "boss", s.app_password("boss", "t"))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def record_type(self, href):
        m = responses(self.boss.propfind(href, propfind_body("CS:record-type"), {"Depth": "0"}))
        return m[href]

    def test_proxy_groups_name_their_kind(self):
        for seg, kind in (("calendar-proxy-read/", "read-delegate-group"),
                          ("calendar-proxy-write/", "write-delegate-group")):
            href = self.boss.principal + seg
            got = self.record_type(href)
            self.assertEqual(got[200][0].tag, CS + "record-type")
            self.assertEqual(got[200][0].text, kind)

    def test_other_principals_have_none(self):
        got = self.record_type(self.boss.principal)
        self.assertEqual([e.tag for e in got[404]], [CS + "record-type"])

    def test_not_in_allprop(self):
        href = self.boss.principal + "calendar-proxy-read/"
        r = self.boss.propfind(href, '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
                               {"Depth": "0"})
        self.assertNotIn(b"record-type", r.body)


class BogusMembers(unittest.TestCase):
    """An href that names no principal makes the whole group-member-set
    change fail (CalDAVTester's Group membership 24 relies on this)."""

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("boss", "assistant"):
            s.add_user(login, password="pw-%s-123456" % login, display_name=login.title())
        s.start()
        cls.boss, cls.assistant = (User(s, l, s.app_password(l, "t"))
                                   for l in ("boss", "assistant"))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_bogus_href_refused_all_or_nothing(self):
        write = self.boss.principal + "calendar-proxy-write/"
        r = self.boss.proppatch(write, members_body(self.assistant.principal,
                                                    "/principals/nosuchprincipal/"), XML)
        self.assertEqual(r.status, 207)
        got = responses(r)[write]
        self.assertEqual([e.tag for e in got[403]], ["{DAV:}group-member-set"])
        self.assertIsNotNone(r.xml().find(".//D:recognized-principal", NS))
        m = responses(self.boss.propfind(write, propfind_body("D:group-member-set"),
                                         {"Depth": "0"}))
        self.assertEqual(m[write][200][0].findall("D:href", NS), [])


def set_body(*props):
    """PROPPATCH setting colour(value), ("C:calendar-description",
    ...), ("X:note", ...) ..."""
    inner = "".join("<%s>%s</%s>" % (k, v, k) for k, v in props)
    return ('<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:x-veil-test">'
            '<D:set><D:prop>%s</D:prop></D:set></D:propertyupdate>' % inner)


def colour(value):
    return ("A:calendar-color", value)


REMOVE_COLOR = ('<D:propertyupdate xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><D:remove>'
                '<D:prop><A:calendar-color/></D:prop></D:remove></D:propertyupdate>')
PROPS = ('<D:propfind xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/" '
         'xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:X="urn:x-veil-test" '
         'xmlns:CS="http://calendarserver.org/ns/"><D:prop><A:calendar-color/>'
         '<C:calendar-description/><X:note/><CS:getctag/></D:prop></D:propfind>')


class PerDelegateProperties(unittest.TestCase):
    """A delegate's colour, order and description of the delegator's calendar
    are their own (CalendarServer's proxy-override properties); everything
    else is the calendar's, and needs DAV:write-properties."""

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("boss", "writer", "reader", "outsider"):
            s.add_user(login, password="pw-%s-123456" % login, display_name=login.title())
        s.start()
        cls.boss, cls.writer, cls.reader, cls.outsider = (
            User(s, l, s.app_password(l, "t")) for l in ("boss", "writer", "reader", "outsider"))
        cls.cal = cls.boss.calendars + "calendar/"
        cls.boss.proppatch(cls.boss.principal + "calendar-proxy-write/",
                           members_body(cls.writer.principal), XML)
        cls.boss.proppatch(cls.boss.principal + "calendar-proxy-read/",
                           members_body(cls.reader.principal), XML)
        r = cls.boss.proppatch(cls.cal, set_body(colour("#000001"),
                                                 ("C:calendar-description", "Boss's"),
                                                 ("X:note", "owner")), XML)
        assert r.status == 207 and b"200 OK" in r.body, r

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def props(self, user, href=None, depth="0"):
        href = href or self.cal
        r = user.propfind(href, PROPS, {"Depth": depth})
        self.assertEqual(r.status, 207)
        m = responses(r)
        out = {}
        for tag in (A + "calendar-color", "{urn:ietf:params:xml:ns:caldav}calendar-description",
                    X + "note", CS + "getctag"):
            el = prop(m, self.cal, tag)
            out[tag.split("}")[1]] = el.text if el is not None else None
        return out

    def patch(self, user, body):
        r = user.proppatch(self.cal, body, XML)
        statuses = {int(s.text.split()[1]) for s in r.xml().iter("{DAV:}status")} \
            if r.status == 207 else set()
        return r, statuses

    def test_1_read_delegate_chooses_own_colour(self):
        ctag = self.props(self.boss)["getctag"]
        r, st = self.patch(self.reader, set_body(colour("#000002"), ("A:calendar-order", "3"),
                                                 ("C:calendar-description", "Boss (read)")))
        self.assertEqual((r.status, st), (207, {200}))
        mine = self.props(self.reader)
        self.assertEqual(mine["calendar-color"], "#000002")
        self.assertEqual(mine["calendar-description"], "Boss (read)")
        # the owner and the other delegate keep the owner's values
        for user in (self.boss, self.writer):
            got = self.props(user)
            self.assertEqual(got["calendar-color"], "#000001")
            self.assertEqual(got["calendar-description"], "Boss's")
        # a change to one delegate's view is no change to the calendar
        self.assertEqual(self.props(self.boss)["getctag"], ctag)
        # and it shows in a listing of the home too
        r = self.reader.propfind(self.boss.calendars, PROPS, {"Depth": "1"})
        self.assertEqual(prop(responses(r), self.cal, A + "calendar-color").text, "#000002")

    def test_2_read_delegate_may_not_change_the_calendar(self):
        r, _ = self.patch(self.reader, set_body(("X:note", "reader")))
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.xml().find("D:need-privileges", NS))
        # all or nothing: with a shared property in it, the colour is refused too
        r, _ = self.patch(self.reader, set_body(colour("#0000FF"), ("X:note", "reader")))
        self.assertEqual(r.status, 403)
        self.assertNotEqual(self.props(self.reader)["calendar-color"], "#0000FF")
        self.assertEqual(self.props(self.boss)["note"], "owner")

    def test_3_write_delegate_colour_is_own_other_properties_shared(self):
        r, st = self.patch(self.writer, set_body(colour("#000003"), ("X:note", "writer")))
        self.assertEqual((r.status, st), (207, {200}))
        boss = self.props(self.boss)
        self.assertEqual((boss["calendar-color"], boss["note"]), ("#000001", "writer"))
        writer = self.props(self.writer)
        self.assertEqual((writer["calendar-color"], writer["note"]), ("#000003", "writer"))
        self.assertEqual(self.props(self.reader)["note"], "writer")
        # allprop shows the caller's own value, once
        r = self.writer.propfind(self.cal, '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
                                 {"Depth": "0"})
        colours = [e for e in responses(r)[self.cal][200] if e.tag == A + "calendar-color"]
        self.assertEqual([e.text for e in colours], ["#000003"])

    def test_4_removing_own_colour_shows_the_owners_again(self):
        self.patch(self.reader, set_body(colour("#000009")))
        r, st = self.patch(self.reader, REMOVE_COLOR)
        self.assertEqual((r.status, st), (207, {200}))
        self.assertEqual(self.props(self.reader)["calendar-color"], "#000001")
        self.assertEqual(self.props(self.boss)["calendar-color"], "#000001")

    def test_5_owner_changes_stay_the_owners(self):
        r, st = self.patch(self.boss, set_body(colour("#00000A")))
        self.assertEqual((r.status, st), (207, {200}))
        self.assertEqual(self.props(self.boss)["calendar-color"], "#00000A")
        # the write delegate's own choice still wins for them
        self.patch(self.writer, set_body(colour("#000003")))
        self.assertEqual(self.props(self.writer)["calendar-color"], "#000003")
        self.patch(self.boss, set_body(colour("#000001")))

    def test_6_strangers_and_read_only_passwords(self):
        r, _ = self.patch(self.outsider, set_body(colour("#000004")))
        self.assertEqual(r.status, 404)
        ro = User(self.server, "reader", self.server.app_password("reader", "ro", "--read-only"))
        r, _ = self.patch(ro, set_body(colour("#000004")))
        self.assertEqual(r.status, 403)
        self.assertNotEqual(self.props(self.reader)["calendar-color"], "#000004")

    def test_7_revoked_delegate_sees_nothing(self):
        self.patch(self.reader, set_body(colour("#000005")))
        read = self.boss.principal + "calendar-proxy-read/"
        self.boss.proppatch(read, members_body(), XML)
        try:
            self.assertEqual(self.reader.propfind(self.cal, PROPS, {"Depth": "0"}).status, 404)
            r, _ = self.patch(self.reader, set_body(colour("#000006")))
            self.assertEqual(r.status, 404)
        finally:
            self.boss.proppatch(read, members_body(self.reader.principal), XML)


if __name__ == "__main__":
    unittest.main()

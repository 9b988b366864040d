"""CalendarServer calendar-proxy details against the real server, beyond the
delegation flows of test_delegation.py: the CS:record-type of the two proxy
groups, and each delegate's own presentation properties (colour, order,
description) on the delegator's calendars."""
import unittest

from veil import NS, Server, User, propfind_body, prop, responses

CS = "{http://calendarserver.org/ns/}"
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


if __name__ == "__main__":
    unittest.main()

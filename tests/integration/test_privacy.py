"""Privacy audit (issue 5): two users with secret login names and private
aliases, sharing with each other.  Everything either can reach - PROPFIND
Depth 1 recursively from every entry point, every REPORT on every
collection, OPTIONS, and error responses to bad requests - must never show a
login name, an unexposed alias or a client address, in any body or header;
and what a user may not read answers exactly like what does not exist."""
import re
import unittest
from urllib.parse import urlsplit

from veil import NS, Server, User

SECRETS = ["velvet-login-7731", "umber-login-4410", "hidden.alias.one@private.example",
           "hidden.alias.two@private.example", "127.0.0.1"]

REPORTS = [
    '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
    '<D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/>'
    '</C:filter></C:calendar-query>',
    '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>'
    '<D:prop><D:getetag/><D:owner/></D:prop></D:sync-collection>',
    '<D:expand-property xmlns:D="DAV:"><D:property name="owner"><D:property name="displayname"/>'
    '<D:property name="calendar-user-address-set" namespace="urn:ietf:params:xml:ns:caldav"/>'
    '</D:property><D:property name="current-user-principal"><D:property name="displayname"/>'
    '</D:property></D:expand-property>',
    '<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>'
    '</D:acl-principal-prop-set>',
    '<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop>'
    '</D:principal-match>',
    '<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:prop>'
    '<D:displayname/></D:prop><D:match>e</D:match></D:property-search><D:prop><D:displayname/>'
    '</D:prop></D:principal-property-search>',
    '<D:principal-search-property-set xmlns:D="DAV:"/>',
]

BAD_REQUESTS = [
    ("PROPFIND", "<broken", {"Depth": "0"}),
    ("PROPPATCH", "<D:propertyupdate xmlns:D='DAV:'><D:set/></D:propertyupdate>", {}),
    ("REPORT", "<x:unknown xmlns:x='urn:x'/>", {}),
    ("ACL", "<D:acl xmlns:D='DAV:'><D:ace><D:principal><D:href>mailto:nobody@nowhere"
            "</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant>"
            "</D:ace></D:acl>", {}),
    ("LOCK", "<junk/>", {"Content-Type": "text/xml"}),
    ("MOVE", None, {"Destination": "http://elsewhere.example/x"}),
    ("PUT", "not a calendar", {"Content-Type": "text/calendar"}),
    ("BREW", None, {}),
]


class PrivacyAudit(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        s.add_user(SECRETS[0], password="first-password-xyz", display_name="Velvet")
        s.add_user(SECRETS[1], password="second-password-xyz", display_name="Umber")
        s.cli("alias", "add", SECRETS[0], SECRETS[2])
        s.cli("alias", "add", SECRETS[1], SECRETS[3])
        s.cli("alias", "add", SECRETS[0], "velvet@public.example", "--expose")
        s.cli("alias", "add", SECRETS[1], "umber@public.example", "--expose")
        s.start()
        cls.a = User(s, SECRETS[0], s.app_password(SECRETS[0], "audit"))
        cls.b = User(s, SECRETS[1], s.app_password(SECRETS[1], "audit"))
        # a share between them: a read grant on a's calendar, named by b's exposed address
        r = cls.a.req("ACL", cls.a.calendars + "calendar/",
                      '<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>'
                      'mailto:umber@public.example</D:href></D:principal><D:grant><D:privilege>'
                      '<D:read/></D:privilege></D:grant></D:ace></D:acl>',
                      {"Content-Type": "application/xml"})
        assert r.status == 200, r.text
        event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:audit-1\r\n"
                 "DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:Private\r\n"
                 "ORGANIZER:mailto:velvet@public.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        cls.a.put(cls.a.calendars + "calendar/audit.ics", event,
                  {"Content-Type": "text/calendar"})
        cls.a.put(cls.a.files + "note.txt", b"mine")
        cls.b.put(cls.b.files + "note.txt", b"theirs")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def check_clean(self, resp, what):
        blob = resp.body.decode("utf-8", "replace").lower()
        heads = " ".join("%s: %s" % kv for kv in resp.header_list).lower()
        for secret in SECRETS:
            self.assertNotIn(secret.lower(), blob, "%s leaks %s in its body" % (what, secret))
            self.assertNotIn(secret.lower(), heads, "%s leaks %s in a header" % (what, secret))

    def crawl(self, user):
        """Every href reachable by PROPFIND Depth 1, recursively, from the entry points."""
        seen, todo = set(), ["/", "/principals/", user.principal, user.calendars,
                             user.addressbooks, user.files, "/files/", "/calendars/"]
        while todo and len(seen) < 500:
            href = todo.pop()
            if href in seen:
                continue
            seen.add(href)
            r = user.propfind(href, None, {"Depth": "1"})
            self.check_clean(r, "PROPFIND %s" % href)
            if r.status != 207:
                continue
            for resp in r.xml().findall("D:response", NS):
                h = resp.find("D:href", NS).text
                path = urlsplit(h).path
                if path not in seen:
                    todo.append(path)
            for h in re.findall(r"<D:href>([^<]+)</D:href>", r.text):
                path = urlsplit(h).path
                if path.startswith("/") and path not in seen:
                    todo.append(path)
        return seen

    def test_nothing_identifying_anywhere(self):
        for user in (self.a, self.b):
            reached = self.crawl(user)
            self.assertIn(user.principal, reached)
            for href in sorted(reached):
                self.check_clean(user.options(href), "OPTIONS %s" % href)
                self.check_clean(user.get(href), "GET %s" % href)
                if href.endswith("/"):
                    for body in REPORTS:
                        for depth in ("0", "1"):
                            r = user.report(href, body, {"Depth": depth,
                                                         "Content-Type": "application/xml"})
                            self.assertNotEqual(r.status // 100, 5, (href, body[:40]))
                            self.check_clean(r, "REPORT %s %s" % (href, body[:40]))
                for method, body, headers in BAD_REQUESTS:
                    r = user.req(method, href, body, headers)
                    # 501 (unknown method) and 502 (Destination on another server,
                    # RFC 4918 §9.8.5) are the standard answers; no other 5xx
                    self.assertTrue(r.status // 100 != 5 or r.status in (501, 502),
                                    (method, href))
                    self.check_clean(r, "%s %s" % (method, href))
        log = self.server.server_log().lower()
        for secret in SECRETS[:4]:
            self.assertNotIn(secret.lower(), log)

    def test_unreadable_is_indistinguishable_from_missing(self):
        fake = "/files/%s/" % ("a" * 26)
        for method, body in (("GET", None), ("PROPFIND", None), ("DELETE", None),
                             ("PUT", b"x"), ("MKCOL", None), ("PROPPATCH", None),
                             ("REPORT", REPORTS[0]), ("LOCK", None), ("OPTIONS", None)):
            real = self.b.req(method, self.a.files + "note.txt", body)
            ghost = self.b.req(method, fake + "note.txt", body)
            self.assertEqual(real.status, 404, method)
            self.assertEqual((real.status, real.body), (ghost.status, ghost.body), method)
            strip = lambda resp: sorted((k.lower(), v) for k, v in resp.header_list
                                        if k.lower() != "date")
            self.assertEqual(strip(real), strip(ghost), method)
        # b may read the shared calendar but not write it: 403 there, 404 elsewhere
        cal = self.a.calendars + "calendar/"
        self.assertEqual(self.b.propfind(cal, None, {"Depth": "0"}).status, 207)
        r = self.b.put(cal + "intruder.ics", "x", {"Content-Type": "text/calendar"})
        self.assertEqual(r.status, 403)
        self.assertIn(b"need-privileges", r.body)
        self.assertEqual(self.b.propfind(self.a.calendars + "tasks/", None,
                                         {"Depth": "0"}).status, 404)

    def test_principals_are_found_only_by_exact_exposed_address(self):
        self.assertNotIn(self.a.pid, self.server.principal_url(SECRETS[0]).replace(
            self.a.pid, ""))
        r = self.a.propfind("/principals/", None, {"Depth": "1"})
        for user in (self.a, self.b):
            self.check_clean(r, "principal listing")
        # a third user, unrelated, is invisible to both
        self.server.add_user("stranger-login-9", password="stranger-password")
        c = User(self.server, "stranger-login-9",
                 self.server.app_password("stranger-login-9", "t"))
        self.assertEqual(self.a.propfind(c.principal, None, {"Depth": "0"}).status, 404)
        listing = self.a.propfind("/principals/", None, {"Depth": "1"}).text
        self.assertNotIn(c.pid, listing)


if __name__ == "__main__":
    unittest.main()

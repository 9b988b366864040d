"""RFC 3744 against the real server: the ACL method's preconditions (§8.1.1),
need-privileges on 403, the four principal REPORTs (§9) with Veil's privacy
rules, group principals from `veildav group`, and read-only app passwords."""
import unittest

from veil import NS, Server, User, propfind_body, responses

D = "{DAV:}"
XML = {"Content-Type": "application/xml"}


def error_element(r):
    root = r.xml()
    kids = list(root) if root is not None else []
    return kids[0].tag if kids else None


def ace(principal, grant="<D:read/>", extra=""):
    return ("<D:ace><D:principal>%s</D:principal>%s<D:grant><D:privilege>%s</D:privilege>"
            "</D:grant></D:ace>" % (principal, extra, grant))


def acl_body(*aces):
    return '<D:acl xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">%s</D:acl>' % "".join(aces)


class AclBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login, name in (("olga", "Olga Owner"), ("pete", "Pete Peer"), ("sam", "Sam Stranger")):
            s.add_user(login, password="pw-%s-123456" % login, display_name=name)
            s.cli("alias", "add", login, "%s@public.example" % login, "--expose")
        s.cli("alias", "add", "pete", "pete.private@hidden.example")
        s.start()
        cls.olga = User(s, "olga", s.app_password("olga", "t"))
        cls.pete = User(s, "pete", s.app_password("pete", "t"))
        cls.sam = User(s, "sam", s.app_password("sam", "t"))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def acl(self, user, path, body):
        return user.req("ACL", path, body, XML)

    def report(self, user, path, body, depth="0"):
        return user.req("REPORT", path, body, {"Depth": depth, "Content-Type": "application/xml"})


class AclPreconditions(AclBase):
    def collection(self, name):
        path = self.olga.files + name + "/"
        self.olga.mkcol(path)
        return path

    def test_each_precondition(self):
        path = self.collection("pre")
        pete = "<D:href>%s</D:href>" % self.pete.principal
        cases = [
            ("no-ace-conflict", ace(pete, extra="") .replace(
                "</D:grant>", "</D:grant><D:deny><D:privilege><D:read/></D:privilege></D:deny>")),
            ("no-protected-ace-conflict", ace(pete, extra="<D:protected/>")),
            ("no-inherited-ace-conflict",
             ace(pete, extra="<D:inherited><D:href>%s</D:href></D:inherited>" % self.olga.files)),
            ("limited-number-of-aces", "".join(ace(pete) for _ in range(200))),
            ("no-invert", "<D:ace><D:invert><D:principal>%s</D:principal></D:invert><D:grant>"
                          "<D:privilege><D:read/></D:privilege></D:grant></D:ace>" % pete),
            ("not-supported-privilege", ace(pete, grant="<D:teleport/>")),
            ("recognized-principal", ace("<D:href>/principals/nosuchprincipal/</D:href>")),
            ("recognized-principal", ace("<D:href>mailto:pete.private@hidden.example</D:href>")),
            ("allowed-principal", ace("<D:unauthenticated/>")),
            ("allowed-principal", ace("<D:property><D:displayname/></D:property>")),
        ]
        for pre, body in cases:
            r = self.acl(self.olga, path, acl_body(body))
            self.assertEqual(r.status, 403, (pre, r.text))
            self.assertEqual(error_element(r), D + pre, (pre, r.text))
        # nothing of that stuck: pete still cannot see the collection
        self.assertEqual(self.pete.propfind(path, None, {"Depth": "0"}).status, 404)

    def test_grants_to_every_kind_of_principal(self):
        path = self.collection("kinds")
        for who in ("<D:href>%s</D:href>" % self.pete.principal,
                    "<D:href>mailto:pete@public.example</D:href>", "<D:authenticated/>",
                    "<D:all/>", "<D:self/>", "<D:property><D:owner/></D:property>"):
            r = self.acl(self.olga, path, acl_body(ace(who)))
            self.assertEqual(r.status, 200, (who, r.text))
        # the last ACL (property owner) leaves pete outside again
        self.assertEqual(self.pete.propfind(path, None, {"Depth": "0"}).status, 404)
        self.acl(self.olga, path, acl_body(ace("<D:authenticated/>")))
        self.assertEqual(self.sam.propfind(path, None, {"Depth": "0"}).status, 207)

    def test_403_names_resource_and_privilege(self):
        path = self.collection("readonly")
        self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % self.pete.principal)))
        r = self.pete.put(path + "x.txt", b"no")
        self.assertEqual(r.status, 403)
        need = r.xml().find("D:need-privileges", NS)
        self.assertIsNotNone(need, r.text)
        self.assertEqual(need.find("D:resource/D:href", NS).text, path)
        self.assertIsNotNone(need.find("D:resource/D:privilege/D:bind", NS))
        # and the ACL itself is the owner's to change, not the reader's
        r = self.acl(self.pete, path, acl_body(ace("<D:all/>")))
        self.assertEqual(r.status, 403)


class PrincipalReports(AclBase):
    SEARCH = ('<D:principal-property-search xmlns:D="DAV:" '
              'xmlns:C="urn:ietf:params:xml:ns:caldav">%s<D:prop><D:displayname/></D:prop>'
              '</D:principal-property-search>')

    def search(self, user, prop, match, test=None):
        body = self.SEARCH % ('<D:property-search><D:prop>%s</D:prop><D:match>%s</D:match>'
                              '</D:property-search>' % (prop, match))
        if test:
            body = body.replace("<D:principal-property-search ",
                                '<D:principal-property-search test="%s" ' % test)
        r = self.report(user, "/principals/", body)
        self.assertEqual(r.status, 207, r.text)
        return sorted(responses(r))

    def test_search_finds_strangers_only_by_exact_exposed_address(self):
        cua = "<C:calendar-user-address-set/>"
        self.assertEqual(self.search(self.sam, cua, "mailto:pete@public.example"),
                         [self.pete.principal])
        self.assertEqual(self.search(self.sam, cua, "pete@public.example"), [self.pete.principal])
        for miss in ("pete@", "public.example", "pete", "pete.private@hidden.example",
                     "nobody@public.example", "Pete Peer"):
            self.assertEqual(self.search(self.sam, cua, miss), [], miss)
        # display names of strangers are never searched
        self.assertEqual(self.search(self.sam, "<D:displayname/>", "Pete"), [])
        # the caller may find themselves by part of their own name
        self.assertEqual(self.search(self.sam, "<D:displayname/>", "stran"), [self.sam.principal])

    def test_search_property_set_and_depth(self):
        body = '<D:principal-search-property-set xmlns:D="DAV:"/>'
        r = self.report(self.sam, "/principals/", body)
        self.assertEqual(r.status, 200)
        props = [p[0].tag for p in r.xml().findall("D:principal-search-property/D:prop", NS)]
        self.assertIn(D + "displayname", props)
        self.assertIn("{urn:ietf:params:xml:ns:caldav}calendar-user-address-set", props)
        self.assertEqual(self.report(self.sam, "/principals/", body, depth="1").status, 400)

    def test_principal_match_self(self):
        body = ('<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop>'
                '</D:principal-match>')
        r = self.report(self.pete, "/principals/", body)
        self.assertEqual(r.status, 207)
        self.assertEqual(list(responses(r)), [self.pete.principal])
        # principal-property form: members of a collection the caller owns
        body = ('<D:principal-match xmlns:D="DAV:"><D:principal-property><D:owner/>'
                '</D:principal-property><D:prop><D:displayname/></D:prop></D:principal-match>')
        r = self.report(self.pete, self.pete.calendars, body)
        self.assertEqual(r.status, 207)
        self.assertIn(self.pete.calendars + "calendar/", responses(r))

    def test_acl_principal_prop_set(self):
        path = self.olga.files + "appps/"
        self.olga.mkcol(path)
        self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % self.pete.principal)))
        body = ('<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>'
                '</D:acl-principal-prop-set>')
        r = self.report(self.olga, path, body)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(sorted(responses(r)), sorted([self.olga.principal, self.pete.principal]))
        # pete may read but not read-acl: 403 with need-privileges
        r = self.report(self.pete, path, body)
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.xml().find("D:need-privileges", NS))


class Groups(AclBase):
    def test_group_cli_and_group_grants(self):
        s = self.server
        url = s.cli("group", "add", "family", "--display-name", "The Family").stdout.decode().strip()
        self.assertTrue(url.startswith("/principals/") and "family" not in url)
        s.cli("group", "member", "add", "family", "pete")
        members = s.cli("group", "member", "list", "family").stdout.decode().split()
        self.assertEqual(members, ["pete"])
        self.assertIn("family", s.cli("group", "list").stdout.decode())
        bad = s.cli("group", "member", "add", "family", "nobody", check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no such user", bad.stderr.decode())
        # a grant to the group reaches its member, nobody else
        path = self.olga.files + "family/"
        self.olga.mkcol(path)
        r = self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % url)))
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.pete.propfind(path, None, {"Depth": "0"}).status, 207)
        self.assertEqual(self.sam.propfind(path, None, {"Depth": "0"}).status, 404)
        # members see the group and each other in the principal collection
        listing = responses(self.pete.propfind("/principals/", propfind_body("D:displayname"),
                                               {"Depth": "1"}))
        self.assertIn(url, listing)
        self.assertNotIn(self.sam.principal, listing)
        s.cli("group", "member", "remove", "family", "pete")
        self.assertEqual(self.pete.propfind(path, None, {"Depth": "0"}).status, 404)
        s.cli("group", "remove", "family")
        self.assertEqual(s.cli("group", "list").stdout.decode().strip(), "")

    def test_resource_cli(self):
        s = self.server
        url = s.cli("resource", "add", "beamer", "--type", "resource").stdout.decode().strip()
        room = s.cli("resource", "add", "room-7", "--type", "location").stdout.decode().strip()
        self.assertTrue(url.startswith("/principals/") and room.startswith("/principals/"))
        listing = s.cli("resource", "list").stdout.decode()
        self.assertIn("beamer", listing)
        self.assertIn("location", listing)
        self.assertEqual(s.cli("resource", "add", "x", "--type", "car", check=False).returncode, 2)
        s.cli("resource", "remove", "beamer")
        self.assertNotIn("beamer", s.cli("resource", "list").stdout.decode())


class ReadOnlyAppPassword(AclBase):
    def test_reading_methods_only(self):
        ro = User(self.server, "olga", self.server.app_password("olga", "ro", "--read-only"))
        cal = self.olga.calendars + "calendar/"
        event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:ro1\r\n"
                 "DTSTAMP:20260101T000000Z\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n"
                 "END:VCALENDAR\r\n")
        self.assertEqual(self.olga.put(cal + "ro1.ics", event, {"Content-Type": "text/calendar"}).status,
                         201)
        self.assertEqual(ro.get(cal + "ro1.ics").status, 200)
        self.assertEqual(ro.propfind(cal, None, {"Depth": "1"}).status, 207)
        q = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop>'
             '<D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"/></C:filter>'
             '</C:calendar-query>')
        self.assertEqual(self.report(ro, cal, q, depth="1").status, 207)
        for method, path, body in (("PUT", cal + "ro2.ics", event.replace("ro1", "ro2")),
                                   ("DELETE", cal + "ro1.ics", None),
                                   ("PROPPATCH", cal, '<D:propertyupdate xmlns:D="DAV:"><D:set>'
                                    '<D:prop><D:displayname>x</D:displayname></D:prop></D:set>'
                                    '</D:propertyupdate>'),
                                   ("MKCOL", self.olga.files + "ro-dir/", None)):
            r = ro.req(method, path, body, {"Content-Type": "text/calendar"} if method == "PUT"
                       else XML)
            self.assertEqual(r.status, 403, (method, r.text))
        self.assertEqual(self.olga.get(cal + "ro1.ics").status, 200)


if __name__ == "__main__":
    unittest.main()

"""RFC 3744 against the real server: the ACL method's preconditions (§8.1.1),
need-privileges on 403, the four principal REPORTs (§9) with Veil's privacy
rules, group principals from `veildav group`, and read-only app passwords."""
import unittest

from veil import NS, Server, User, prop, propfind_body, responses

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
        self.assertEqual(self.olga.mkcol(path).status, 201)
        return path

    def can_read(self, user, path):
        status = user.propfind(path, None, {"Depth": "0"}).status
        self.assertIn(status, (207, 404))
        return status == 207

    def test_each_precondition(self):
        """RFC 3744 §8.1.1: each refusal is a 403 naming its precondition."""
        path = self.collection("pre")
        pete = "<D:href>%s</D:href>" % self.pete.principal
        deny = "<D:deny><D:privilege><D:read/></D:privilege></D:deny>"
        cases = [
            ("no-ace-conflict", ace(pete).replace("</D:grant>", "</D:grant>" + deny)),
            ("no-protected-ace-conflict", ace(pete, extra="<D:protected/>")),
            # the owner's protected ACE grants everything: denying the owner conflicts with it
            ("no-protected-ace-conflict", "<D:ace><D:principal><D:href>%s</D:href></D:principal>%s"
                                          "</D:ace>" % (self.olga.principal, deny)),
            ("no-protected-ace-conflict", "<D:ace><D:principal><D:property><D:owner/></D:property>"
                                          "</D:principal>%s</D:ace>" % deny),
            ("no-inherited-ace-conflict",
             ace(pete, extra="<D:inherited><D:href>%s</D:href></D:inherited>" % self.olga.files)),
            ("limited-number-of-aces", "".join(ace(pete) for _ in range(200))),
            ("no-invert", "<D:ace><D:invert><D:principal>%s</D:principal></D:invert><D:grant>"
                          "<D:privilege><D:read/></D:privilege></D:grant></D:ace>" % pete),
            ("not-supported-privilege", ace(pete, grant="<D:teleport/>")),
            ("not-supported-privilege", ace(pete, grant="<C:schedule-everything/>")),
            ("recognized-principal", ace("<D:href>/principals/nosuchprincipal/</D:href>")),
            ("recognized-principal", ace("<D:href>%s</D:href>" % self.olga.calendars)),
            # an address the owner did not expose names nobody
            ("recognized-principal", ace("<D:href>mailto:pete.private@hidden.example</D:href>")),
            ("recognized-principal", ace("<D:href>mailto:pete</D:href>")),
            ("allowed-principal", ace("<D:unauthenticated/>")),
            # only a principal resource is its own self (RFC 3744 §5.5.1): never on a node
            ("allowed-principal", ace("<D:self/>")),
            ("allowed-principal", ace("<D:property><D:displayname/></D:property>")),
        ]
        for pre, body in cases:
            r = self.acl(self.olga, path, acl_body(body))
            self.assertEqual(r.status, 403, (pre, r.text))
            self.assertEqual(error_element(r), D + pre, (pre, r.text))
            self.assertNotIn("pete.private", r.text)
        # nothing of that stuck: pete still cannot see the collection
        self.assertFalse(self.can_read(self.pete, path))

    def test_protected_share_ace(self):
        """A share's ACE is protected: denying the sharee what it grants conflicts."""
        cal = self.olga.calendars + "shared-pre/"
        self.assertEqual(self.olga.req("MKCALENDAR", cal).status, 201)
        self.server.cli("share", "add", "--owner", "olga", "--collection", "calendars/shared-pre",
                        "--with", "pete")
        body = acl_body("<D:ace><D:principal><D:href>%s</D:href></D:principal><D:deny><D:privilege>"
                        "<D:read/></D:privilege></D:deny></D:ace>" % self.pete.principal)
        r = self.acl(self.olga, cal, body)
        self.assertEqual((r.status, error_element(r)), (403, D + "no-protected-ace-conflict"))
        # denying what the share does not grant is fine
        body = body.replace("<D:read/>", "<D:write-acl/>")
        self.assertEqual(self.acl(self.olga, cal, body).status, 200)
        self.assertTrue(self.can_read(self.pete, cal))

    def test_restrictions_that_do_not_apply(self):
        """deny-before-grant, grant-only and no-abstract never arise: acl-restrictions
        names only no-invert, no privilege is abstract, and ACEs count in order."""
        path = self.collection("order")
        m = responses(self.olga.propfind(path, propfind_body("D:acl-restrictions",
                                                             "D:supported-privilege-set"),
                                         {"Depth": "0"}))[path][200]
        props = {p.tag: p for p in m}
        self.assertEqual([c.tag for c in props[D + "acl-restrictions"]], [D + "no-invert"])
        sps = props[D + "supported-privilege-set"]
        self.assertEqual(sps.findall(".//D:abstract", NS), [])
        privileges = [p[0] for p in sps.findall(".//D:supported-privilege/D:privilege", NS)]
        self.assertGreaterEqual(len(privileges), 10)
        pete = "<D:href>%s</D:href>" % self.pete.principal
        for priv in privileges:  # no-abstract: every privilege can be granted alone
            el = "<%s xmlns=\"%s\"/>" % (priv.tag.split("}")[1], priv.tag[1:].split("}")[0])
            r = self.acl(self.olga, path, acl_body(ace(pete, grant=el)))
            self.assertEqual(r.status, 200, (priv.tag, r.text))
        everyone_else = ("<D:ace><D:principal><D:authenticated/></D:principal><D:deny><D:privilege>"
                         "<D:read/></D:privilege></D:deny></D:ace>")
        # a grant before a deny (no deny-before-grant): pete reads, everyone else does not
        self.assertEqual(self.acl(self.olga, path, acl_body(ace(pete), everyone_else)).status, 200)
        self.assertTrue(self.can_read(self.pete, path))
        self.assertFalse(self.can_read(self.sam, path))
        self.assertTrue(self.can_read(self.olga, path))
        # the other way round the deny comes first and wins for pete too (grant-only does not apply)
        self.assertEqual(self.acl(self.olga, path, acl_body(everyone_else, ace(pete))).status, 200)
        self.assertFalse(self.can_read(self.pete, path))
        self.assertTrue(self.can_read(self.olga, path))
        # the DAV:acl property shows them in that order, after the owner's protected ACE
        acl = responses(self.olga.propfind(path, propfind_body("D:acl"),
                                           {"Depth": "0"}))[path][200][0]
        aces = acl.findall("D:ace", NS)
        self.assertIsNotNone(aces[0].find("D:protected", NS))
        self.assertIsNotNone(aces[1].find("D:deny", NS))
        self.assertEqual(aces[2].find("D:principal/D:href", NS).text, self.pete.principal)

    def test_grants_to_every_kind_of_principal(self):
        path = self.collection("kinds")
        cases = [  # principal, whether pete and sam may then read
            ("<D:href>%s</D:href>" % self.pete.principal, True, False),
            ("<D:href>mailto:pete@public.example</D:href>", True, False),
            ("<D:href>http://127.0.0.1:%d%s</D:href>" % (self.server.port, self.pete.principal),
             True, False),
            ("<D:authenticated/>", True, True),
            ("<D:all/>", True, True),
            ("<D:property><D:owner/></D:property>", False, False),
        ]
        for who, pete, sam in cases:
            r = self.acl(self.olga, path, acl_body(ace(who)))
            self.assertEqual(r.status, 200, (who, r.text))
            self.assertEqual(self.can_read(self.pete, path), pete, who)
            self.assertEqual(self.can_read(self.sam, path), sam, who)
            self.assertTrue(self.can_read(self.olga, path))
        # the owner's own view of the ACL names principals by URL only
        self.acl(self.olga, path, acl_body(ace("<D:href>mailto:pete@public.example</D:href>")))
        acl = responses(self.olga.propfind(path, propfind_body("D:acl"),
                                           {"Depth": "0"}))[path][200][0]
        hrefs = [h.text for h in acl.findall("D:ace/D:principal/D:href", NS)]
        self.assertEqual(hrefs, [self.pete.principal])

    def test_403_names_resource_and_privilege(self):
        path = self.collection("readonly")
        self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % self.pete.principal)))
        r = self.pete.put(path + "x.txt", b"no")
        self.assertEqual(r.status, 403)
        need = r.xml().find("D:need-privileges", NS)
        self.assertIsNotNone(need, r.text)
        self.assertEqual(need.find("D:resource/D:href", NS).text, path)
        self.assertIsNotNone(need.find("D:resource/D:privilege/D:bind", NS))
        # reading the ACL needs read-acl, changing it write-acl: the owner's
        r = self.pete.propfind(path, propfind_body("D:acl"), {"Depth": "0"})
        self.assertEqual(list(responses(r)[path]), [403])
        r = self.acl(self.pete, path, acl_body(ace("<D:all/>")))
        self.assertEqual(r.status, 403)
        need = r.xml().find("D:need-privileges", NS)
        self.assertIsNotNone(need.find("D:resource/D:privilege/D:write-acl", NS))
        # and granting them hands them over
        r = self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % self.pete.principal,
                                                   grant="<D:read/></D:privilege><D:privilege>"
                                                         "<D:read-acl/>")))
        self.assertEqual(r.status, 200, r.text)
        r = self.pete.propfind(path, propfind_body("D:acl"), {"Depth": "0"})
        self.assertEqual(list(responses(r)[path]), [200])


class PrincipalReports(AclBase):
    SEARCH = ('<D:principal-property-search xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'
              ' xmlns:CS="http://calendarserver.org/ns/"%s>%s%s</D:principal-property-search>')
    PROP = "<D:prop><D:displayname/></D:prop>"

    @staticmethod
    def term(prop, match, match_type=None):
        attr = ' match-type="%s"' % match_type if match_type else ""
        return ("<D:property-search><D:prop>%s</D:prop><D:match%s>%s</D:match>"
                "</D:property-search>" % (prop, attr, match))

    def search_terms(self, user, terms, attrs="", path="/principals/", extra=None, status=207,
                     depth="0"):
        body = self.SEARCH % (attrs, "".join(terms), self.PROP if extra is None else extra)
        r = self.report(user, path, body, depth=depth)
        self.assertEqual(r.status, status, r.text)
        return sorted(responses(r)) if status == 207 else r

    def search(self, user, prop, match, **kw):
        return self.search_terms(user, [self.term(prop, match)], **kw)

    CUA = "<C:calendar-user-address-set/>"

    def test_search_finds_strangers_only_by_exact_exposed_address(self):
        cua = self.CUA
        for hit in ("mailto:pete@public.example", "pete@public.example", "PETE@Public.Example",
                    "  mailto:pete@public.example\n"):
            self.assertEqual(self.search(self.sam, cua, hit), [self.pete.principal], hit)
        self.assertEqual(self.search(self.sam, "<CS:email-address-set/>", "pete@public.example"),
                         [self.pete.principal])
        for miss in ("pete@", "public.example", "pete", "ete@public.example", "pete@public.exampl",
                     "pete@public.example.org", "mailto:pete", "pete.private@hidden.example",
                     "mailto:pete.private@hidden.example", "nobody@public.example", "Pete Peer",
                     "olga", "*", "%", ""):
            self.assertEqual(self.search(self.sam, cua, miss), [], miss)
            self.assertEqual(self.search(self.sam, "<CS:email-address-set/>", miss), [], miss)
        # display names of strangers are never searched, in any form
        for how in (None, "starts-with", "equals", "contains"):
            for text in ("Pete", "Pete Peer", "P"):
                self.assertEqual(self.search_terms(self.sam, [self.term("<D:displayname/>", text,
                                                                       how)]), [], (how, text))
        # the caller may find themselves by part of their own name
        self.assertEqual(self.search(self.sam, "<D:displayname/>", "stran"), [self.sam.principal])

    def test_found_stranger_shows_only_public_properties(self):
        extra = ("<D:prop><D:displayname/><C:calendar-user-address-set/><C:calendar-user-type/>"
                 "<C:calendar-home-set/><D:group-membership/><CS:calendar-proxy-write-for/>"
                 "<CS:calendar-proxy-read-for/><C:schedule-inbox-URL/></D:prop>")
        body = self.SEARCH % ("", self.term(self.CUA, "pete@public.example"), extra)
        m = responses(self.report(self.sam, "/principals/", body))
        got = m[self.pete.principal]
        self.assertEqual(sorted(p.tag.split("}")[1] for p in got[200]),
                         ["calendar-user-address-set", "calendar-user-type", "displayname"])
        self.assertEqual(len(got[404]), 5)
        addresses = [h.text for h in got[200][1].findall("D:href", NS)] if got[200][1].tag.endswith(
            "calendar-user-address-set") else []
        self.assertIn("mailto:pete@public.example", addresses)
        self.assertNotIn("mailto:pete.private@hidden.example", addresses)
        # finding someone does not make them visible otherwise
        self.assertEqual(self.sam.propfind(self.pete.principal, None, {"Depth": "0"}).status, 404)

    def test_search_anyof_allof_type_and_scope(self):
        name, cua = "<D:displayname/>", self.CUA
        exact = self.term(cua, "pete@public.example")
        # a stranger's name never matches, so allof with it finds nothing
        self.assertEqual(self.search_terms(self.sam, [exact, self.term(name, "Pete")]), [])
        self.assertEqual(self.search_terms(self.sam, [exact, self.term(name, "Pete")],
                                           attrs=' test="anyof"'), [self.pete.principal])
        self.assertEqual(self.search_terms(self.sam, [exact, self.term(name, "stran")],
                                           attrs=' test="anyof"'),
                         sorted([self.pete.principal, self.sam.principal]))
        self.search_terms(self.sam, [exact], attrs=' test="oneof"', status=400)
        # CalendarServer's type: the calendar user type
        self.assertEqual(self.search_terms(self.sam, [exact], attrs=' type="INDIVIDUAL"'),
                         [self.pete.principal])
        self.assertEqual(self.search_terms(self.sam, [exact], attrs=' type="ROOM"'), [])
        # §9.4 scope: the Request-URI's members, or the principal collection when asked
        apply = "<D:apply-to-principal-collection-set/>" + self.PROP
        self.assertEqual(self.search_terms(self.sam, [exact], path=self.sam.calendars), [])
        self.assertEqual(self.search_terms(self.sam, [exact], path=self.sam.calendars, extra=apply),
                         [self.pete.principal])
        self.assertEqual(self.search_terms(self.sam, [exact], path=self.sam.principal), [])
        self.assertEqual(self.search(self.sam, name, "Sam", path=self.sam.principal),
                         [self.sam.principal])
        # a search without DAV:prop answers with hrefs and 200
        r = self.report(self.sam, "/principals/", self.SEARCH % ("", exact, ""))
        self.assertEqual(responses(r), {self.pete.principal: {200: []}})
        # malformed requests
        self.search_terms(self.sam, [], status=400)
        self.search_terms(self.sam, ["<D:property-search><D:prop>%s</D:prop></D:property-search>"
                                     % cua], status=400)
        self.search_terms(self.sam, [exact], depth="1", status=400)

    def test_search_finds_locations_and_resources_by_name(self):
        """Bookable things are public: anyone finds them by part of their name."""
        room = self.server.cli("resource", "add", "room-b7", "--type", "location", "--display-name",
                               "Boardroom Seven").stdout.decode().strip()
        name = "<D:displayname/>"
        self.assertEqual(self.search(self.sam, name, "boardroom"), [room])
        self.assertEqual(self.search(self.sam, name, "seven", attrs=' type="ROOM"'), [room])
        self.assertEqual(self.search(self.sam, name, "seven", attrs=' type="RESOURCE"'), [])
        self.assertEqual(self.search(self.sam, name, "room-b7"), [])  # the operator's handle
        m = responses(self.report(self.sam, "/principals/", self.SEARCH % (
            ' type="ROOM"', self.term(name, "Boardroom"), "<D:prop><C:calendar-user-type/></D:prop>")))
        self.assertEqual(m[room][200][0].text, "ROOM")
        self.server.cli("resource", "remove", "room-b7")
        self.assertEqual(self.search(self.sam, name, "boardroom"), [])

    def test_search_related_principals_by_name(self):
        """Once one grants the other something, each finds the other by display name."""
        s = self.server
        for login, name in (("rhea", "Rhea Ridge"), ("quinn", "Quinn Quay")):
            s.add_user(login, password="pw-%s-123456" % login, display_name=name)
        rhea, quinn = (User(s, l, s.app_password(l, "t")) for l in ("rhea", "quinn"))
        path = rhea.files + "related/"
        rhea.mkcol(path)
        name = "<D:displayname/>"
        self.assertEqual(self.search(rhea, name, "quay"), [])
        self.assertEqual(self.search(quinn, name, "ridge"), [])
        self.acl(rhea, path, acl_body(ace("<D:href>%s</D:href>" % quinn.principal)))
        self.assertEqual(self.search(rhea, name, "quay"), [quinn.principal])
        self.assertEqual(self.search(quinn, name, "RIDGE"), [rhea.principal])
        self.assertEqual(self.search_terms(quinn, [self.term(name, "rhea r", "starts-with")]),
                         [rhea.principal])
        self.assertEqual(self.search_terms(quinn, [self.term(name, "rhea", "equals")]), [])
        self.assertEqual(self.search_terms(quinn, [self.term(name, "rhea ridge", "equals")]),
                         [rhea.principal])
        # sam stays a stranger to both
        self.assertEqual(self.search(rhea, name, "Sam"), [])
        self.assertEqual(self.search(self.sam, name, "Ridge"), [])
        self.acl(rhea, path, acl_body())
        self.assertEqual(self.search(rhea, name, "quay"), [])

    def test_search_property_set_and_depth(self):
        body = '<D:principal-search-property-set xmlns:D="DAV:"/>'
        r = self.report(self.sam, "/principals/", body)
        self.assertEqual(r.status, 200)
        props = [p[0].tag for p in r.xml().findall("D:principal-search-property/D:prop", NS)]
        self.assertEqual(props, [D + "displayname",
                                 "{urn:ietf:params:xml:ns:caldav}calendar-user-address-set",
                                 "{http://calendarserver.org/ns/}email-address-set"])
        for desc in r.xml().findall("D:principal-search-property/D:description", NS):
            self.assertTrue(desc.text)
        self.assertEqual(self.report(self.sam, "/principals/", body, depth="1").status, 400)
        self.assertEqual(self.report(self.sam, "/principals/", body, depth="infinity").status, 400)
        # defined on principal collections only (RFC 3253 §3.6)
        r = self.report(self.sam, self.sam.calendars, body)
        self.assertEqual((r.status, error_element(r)), (403, D + "supported-report"))

    def test_supported_report_set(self):
        def reports(path):
            m = responses(self.sam.propfind(path, propfind_body("D:supported-report-set"),
                                            {"Depth": "0"}))
            return {r[0].tag.split("}")[1]
                    for r in m[path][200][0].findall("D:supported-report/D:report", NS)}
        four = {"acl-principal-prop-set", "principal-match", "principal-property-search",
                "principal-search-property-set"}
        self.assertTrue(four <= reports("/principals/"))
        self.assertTrue(four <= reports(self.sam.principal))
        cal = reports(self.sam.calendars + "calendar/")
        self.assertTrue(four - {"principal-search-property-set"} <= cal)
        self.assertNotIn("principal-search-property-set", cal)

    def match(self, user, path, what, prop="<D:prop><D:displayname/></D:prop>", depth="0"):
        body = '<D:principal-match xmlns:D="DAV:" xmlns:X="urn:x-veil-test">%s%s</D:principal-match>'
        return self.report(user, path, body % (what, prop), depth=depth)

    def test_principal_match_self(self):
        r = self.match(self.pete, "/principals/", "<D:self/>")
        self.assertEqual(r.status, 207)
        self.assertEqual(list(responses(r)), [self.pete.principal])
        r = self.match(self.pete, self.pete.principal, "<D:self/>")
        self.assertEqual(list(responses(r)), [self.pete.principal])
        self.assertEqual(list(responses(self.match(self.pete, self.pete.calendars, "<D:self/>"))), [])
        self.assertEqual(self.match(self.pete, "/principals/", "<D:self/>", depth="1").status, 400)
        self.assertEqual(self.match(self.pete, "/principals/", "").status, 400)
        self.assertEqual(self.match(self.pete, "/principals/", "<D:self/><D:principal-property>"
                                    "<D:owner/></D:principal-property>").status, 400)
        self.assertEqual(self.match(self.pete, "/principals/", "<D:self/>",
                                    prop="<D:prop/><D:prop/>").status, 400)

    def test_principal_match_property(self):
        """Members at any depth whose property (live or dead) names the caller."""
        cal = self.pete.calendars + "calendar/"
        event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:pm1\r\n"
                 "DTSTAMP:20260101T000000Z\r\nDTSTART:20270101T100000Z\r\nEND:VEVENT\r\n"
                 "END:VCALENDAR\r\n")
        self.pete.put(cal + "pm1.ics", event, {"Content-Type": "text/calendar"})
        owner = "<D:principal-property><D:owner/></D:principal-property>"
        r = self.match(self.pete, self.pete.calendars, owner)
        self.assertEqual(r.status, 207)
        hrefs = responses(r)
        self.assertIn(cal, hrefs)
        self.assertIn(cal + "pm1.ics", hrefs)
        self.assertNotIn(self.pete.calendars, hrefs)  # members, not the collection itself
        # without DAV:prop: href and status only (RFC 3744 §9.3.1)
        self.assertEqual(responses(self.match(self.pete, cal, owner, prop=""))[cal + "pm1.ics"],
                         {200: []})
        # a dead property holding principal URLs
        files = self.pete.files
        for name, who in (("mine", self.pete.principal), ("hers", self.olga.principal),
                          ("proxy", self.pete.principal + "calendar-proxy-read/"),
                          ("absolute", "http://127.0.0.1:%d%s" % (self.server.port,
                                                                  self.pete.principal))):
            self.pete.mkcol(files + name + "/")
            body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x-veil-test"><D:set><D:prop>'
                    '<X:assignee><D:href>%s</D:href></X:assignee></D:prop></D:set>'
                    '</D:propertyupdate>' % who)
            self.assertEqual(self.pete.proppatch(files + name + "/", body, XML).status, 207)
        r = self.match(self.pete, files, "<D:principal-property><X:assignee/></D:principal-property>",
                       prop="<D:prop><X:assignee/></D:prop>")
        self.assertEqual(sorted(responses(r)), [files + "absolute/", files + "mine/"])
        self.assertEqual(self.match(self.pete, files, "<D:principal-property/>").status, 400)

    def test_acl_principal_prop_set(self):
        path = self.olga.files + "appps/"
        self.olga.mkcol(path)
        r = self.acl(self.olga, path, acl_body(ace("<D:href>%s</D:href>" % self.pete.principal),
                                               ace("<D:authenticated/>", grant="<C:read-free-busy/>")))
        self.assertEqual(r.status, 200, r.text)
        body = ('<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>'
                '</D:acl-principal-prop-set>')
        r = self.report(self.olga, path, body)
        self.assertEqual(r.status, 207, r.text)
        m = responses(r)
        self.assertEqual(sorted(m), sorted([self.olga.principal, self.pete.principal]))
        self.assertEqual(prop(m, self.pete.principal, D + "displayname").text, "Pete Peer")
        self.assertEqual(self.report(self.olga, path, body, depth="1").status, 400)
        self.assertEqual(self.report(self.olga, path, body.replace(
            "<D:prop><D:displayname/></D:prop>", "")).status, 400)
        # pete may read but not read-acl: 403 with need-privileges
        r = self.report(self.pete, path, body)
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.xml().find("D:need-privileges/D:resource/D:privilege/D:read-acl",
                                          NS))
        # sam may not even read: the collection does not exist for him
        self.assertEqual(self.report(self.sam, path, body).status, 404)


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

    def test_nested_groups(self):
        """A grant to a group reaches the members of the groups inside it, and makes
        the granter and those members visible to each other; cycles are refused."""
        s = self.server
        for login, name in (("gail", "Gail Granter"), ("kim", "Kim Kid")):
            s.add_user(login, password="pw-%s-123456" % login, display_name=name)
        gail, kim = (User(s, l, s.app_password(l, "t")) for l in ("gail", "kim"))
        clan = s.cli("group", "add", "clan", "--display-name", "The Clan").stdout.decode().strip()
        kids = s.cli("group", "add", "kids").stdout.decode().strip()
        s.cli("group", "member", "add", "kids", "kim")
        s.cli("group", "member", "add", "clan", "group:kids")
        self.assertEqual(s.cli("group", "member", "list", "clan").stdout.decode().split(),
                         ["group:kids"])
        cycle = s.cli("group", "member", "add", "kids", "group:clan", check=False)
        self.assertEqual(cycle.returncode, 1)
        self.assertEqual(len(cycle.stderr.decode().strip().splitlines()), 1)
        self.assertEqual(s.cli("group", "member", "add", "kids", "group:kids",
                               check=False).returncode, 1)
        path = gail.files + "clan/"
        gail.mkcol(path)
        self.assertFalse(kim.propfind(gail.principal, None, {"Depth": "0"}).status == 207)
        self.assertEqual(self.acl(gail, path, acl_body(ace("<D:href>%s</D:href>" % clan))).status,
                         200)
        self.assertEqual(kim.propfind(path, None, {"Depth": "0"}).status, 207)
        self.assertEqual(self.sam.propfind(path, None, {"Depth": "0"}).status, 404)
        # kim sees gail (who granted kim's group something) and both groups, gail sees kim
        listing = responses(kim.propfind("/principals/", propfind_body("D:displayname"),
                                         {"Depth": "1"}))
        self.assertTrue({gail.principal, clan, kids, kim.principal} <= set(listing))
        self.assertNotIn(self.sam.principal, listing)
        self.assertEqual(gail.propfind(kim.principal, None, {"Depth": "0"}).status, 207)
        # principal-match DAV:self: kim and the groups kim is in
        body = ('<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop>'
                '</D:principal-match>')
        m = responses(self.report(kim, "/principals/", body))
        self.assertEqual(sorted(m), sorted([kim.principal, clan, kids]))
        self.assertEqual(prop(m, clan, D + "displayname").text, "The Clan")
        # a property naming the outer group matches kim too (principal-property)
        gail.mkcol(path + "task/")
        gail.mkcol(path + "other/")
        for sub, who in (("task/", clan), ("other/", gail.principal)):
            body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x-veil-test"><D:set><D:prop>'
                    '<X:assignee><D:href>%s</D:href></X:assignee></D:prop></D:set>'
                    '</D:propertyupdate>' % who)
            self.assertEqual(gail.proppatch(path + sub, body, XML).status, 207)
        m = responses(self.report(kim, path, '<D:principal-match xmlns:D="DAV:" '
                                  'xmlns:X="urn:x-veil-test"><D:principal-property><X:assignee/>'
                                  '</D:principal-property></D:principal-match>'))
        self.assertEqual(list(m), [path + "task/"])
        # leaving the inner group ends it all
        s.cli("group", "member", "remove", "kids", "kim")
        self.assertEqual(kim.propfind(path, None, {"Depth": "0"}).status, 404)
        self.assertEqual(kim.propfind(gail.principal, None, {"Depth": "0"}).status, 404)
        self.assertEqual(gail.propfind(kim.principal, None, {"Depth": "0"}).status, 404)

    def test_group_cli_errors_and_help(self):
        s = self.server
        for args, code, words in (
                (("group", "add", "a:b"), 2, "may not"),
                (("group", "remove", "nosuch"), 1, "no such group"),
                (("group", "member", "add", "nosuch", "pete"), 1, "no such group"),
                (("group", "member", "list", "nosuch"), 1, "no such group"),
                (("group", "member", "frob", "x"), 2, "unknown command"),
                (("group", "add"), 2, "expected 1 argument"),
                (("group", "add", "x", "--colour", "red"), 2, "unknown option")):
            p = s.cli(*args, check=False)
            self.assertEqual(p.returncode, code, args)
            err = p.stderr.decode().strip()
            self.assertEqual(len(err.splitlines()), 1, (args, err))
            self.assertIn(words, err, args)
        s.cli("group", "add", "solo")
        self.assertEqual(s.cli("group", "add", "solo", check=False).returncode, 1)
        p = s.cli("group", "member", "remove", "solo", "pete", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a member", p.stderr.decode())
        helptext = s.cli("group", "--help").stdout.decode()
        for sub in ("group add", "group remove", "group list", "group member add",
                    "group member remove", "group member list"):
            self.assertIn("veildav " + sub, helptext)
        self.assertIn("group member add", s.cli("group", "member", "add", "--help").stdout.decode())
        self.assertIn("group", s.cli("--help").stdout.decode())
        s.cli("group", "remove", "solo")

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


if __name__ == "__main__":
    unittest.main()

"""CardDAV (RFC 6352) against the real server: address books, PUT
preconditions, VERSION first and REV, content negotiation, groups, both
reports with filters and limits, sync."""
import re
import unittest

from veil import NS, ServerTest, propfind_body, prop, responses

CR = "{urn:ietf:params:xml:ns:carddav}"
D = "{DAV:}"
VCF = {"Content-Type": "text/vcard; charset=utf-8"}
NSD = 'xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"'

APPLE_30 = ("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17.2//EN\r\n"
            "N:Appleseed;Johnny;;;\r\nFN:Johnny Appleseed\r\n"
            "item1.EMAIL;type=INTERNET;type=pref:johnny@example.com\r\n"
            "item1.X-ABLabel:_$!<Other>!$_\r\nTEL;type=CELL;type=VOICE;type=pref:+1 555 0100\r\n"
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYE\r\n"
            " BAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEB\r\n"
            "CATEGORIES:friends,work\r\nUID:apple-1\r\nEND:VCARD\r\n")
DAVX5_40 = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:davx5-1\r\nFN:Zoë Ærøskøbing\r\n"
            "N:Ærøskøbing;Zoë;;;\r\nEMAIL;TYPE=work:zoe@example.org\r\n"
            "NOTE:" + "Ünïcödé text that is long enough to be folded over several lines " * 3 +
            "\r\nEND:VCARD\r\n")
GROUP_30 = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:group-1\r\nFN:Family\r\nN:Family;;;;\r\n"
            "X-ADDRESSBOOKSERVER-KIND:group\r\n"
            "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:apple-1\r\nEND:VCARD\r\n")


def strip_rev(text):
    return re.sub(r"\r\nREV:[^\r]*", "", text)


class CardDAV(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ab = cls.alice.addressbooks + "addressbook/"

    def put(self, name, body, headers=None):
        h = dict(VCF)
        h.update(headers or {})
        return self.alice.put(self.ab + name, body, h)

    def report(self, body, path=None, depth="1"):
        return self.alice.report(path or self.ab, body, {"Depth": depth,
                                                         "Content-Type": "application/xml"})

    def error(self, resp):
        root = resp.xml()
        return root[0].tag if root.tag == D + "error" and len(root) else None

    def test_home_and_default_address_book(self):
        r = self.alice.propfind(self.alice.principal, propfind_body("CR:addressbook-home-set"),
                                {"Depth": "0"})
        el = prop(responses(r), self.alice.principal, CR + "addressbook-home-set")
        self.assertEqual(el.find("D:href", NS).text, self.alice.addressbooks)
        r = self.alice.propfind(self.ab, propfind_body(
            "D:resourcetype", "CR:supported-address-data", "CR:max-resource-size",
            "CR:supported-collation-set", "CS:getctag", "D:sync-token",
            "D:supported-report-set"), {"Depth": "0"})
        m = responses(r)
        self.assertNotIn(404, m[self.ab], r.text)
        self.assertIsNotNone(prop(m, self.ab, D + "resourcetype").find("CR:addressbook", NS))
        versions = [e.get("version") for e in prop(m, self.ab, CR + "supported-address-data")]
        self.assertEqual(sorted(versions), ["3.0", "4.0"])
        reports = [e[0][0].tag for e in prop(m, self.ab, D + "supported-report-set")]
        for rep in (CR + "addressbook-query", CR + "addressbook-multiget", D + "sync-collection"):
            self.assertIn(rep, reports)
        self.assertIn("addressbook", self.alice.options(self.ab).header("DAV"))

    def test_new_address_books(self):
        body = ('<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/>'
                '</D:resourcetype><D:displayname>Work</D:displayname>'
                '<CR:addressbook-description xml:lang="en">Colleagues</CR:addressbook-description>'
                '</D:prop></D:set></D:mkcol>' % NSD)
        r = self.alice.mkcol(self.alice.addressbooks + "work/", body,
                             {"Content-Type": "application/xml"})
        self.assertEqual(r.status, 201, r.text)
        r = self.alice.propfind(self.alice.addressbooks + "work/",
                                propfind_body("D:resourcetype", "CR:addressbook-description"),
                                {"Depth": "0"})
        m = responses(r)
        href = self.alice.addressbooks + "work/"
        self.assertIsNotNone(prop(m, href, D + "resourcetype").find("CR:addressbook", NS))
        self.assertEqual(prop(m, href, CR + "addressbook-description").text, "Colleagues")
        # no address books inside address books, none in the calendar space
        r = self.alice.mkcol(href + "inner/", body, {"Content-Type": "application/xml"})
        self.assertEqual(r.status, 403)
        r = self.alice.mkcol(self.alice.calendars + "ab/", body,
                             {"Content-Type": "application/xml"})
        self.assertEqual(r.status, 403)

    def test_put_get_round_trip_and_rev(self):
        card = APPLE_30.replace("apple-1", "roundtrip-1")
        r = self.put("roundtrip.vcf", card)
        self.assertEqual(r.status, 201, r.text)
        # the card has no REV: the server adds one, the time of the write, so the
        # stored bytes differ and no ETag comes back (RFC 6352 §6.3.2.3)
        self.assertIsNone(r.header("ETag"))
        g = self.alice.get(self.ab + "roundtrip.vcf")
        self.assertEqual(g.status, 200)
        self.assertRegex(g.text, r"\r\nREV:\d{8}T\d{6}Z\r\n")
        self.assertEqual(strip_rev(g.text), card)  # everything else byte for byte
        self.assertTrue(g.header("ETag"))

    def test_version_first(self):
        card = ("BEGIN:VCARD\r\nFN:Late Version\r\nUID:late-1\r\nVERSION:4.0\r\n"
                "END:VCARD\r\n")
        self.assertEqual(self.put("late.vcf", card).status, 201)
        text = self.alice.get(self.ab + "late.vcf").text
        self.assertTrue(text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n"), text)

    def test_content_negotiation(self):
        self.put("davx5.vcf", DAVX5_40)
        g = self.alice.get(self.ab + "davx5.vcf", headers={"Accept": "text/vcard; version=3.0"})
        self.assertEqual(g.status, 200)
        self.assertIn("VERSION:3.0", g.text)
        self.assertIn("version=3.0", g.header("Content-Type"))
        self.assertIn("Zoë", g.text)
        # folding never splits a UTF-8 sequence (the body decodes cleanly)
        g.body.decode("utf-8")
        self.put("apple2.vcf", APPLE_30.replace("apple-1", "apple-2"))
        g = self.alice.get(self.ab + "apple2.vcf", headers={"Accept": "text/vcard; version=4.0"})
        self.assertIn("VERSION:4.0", g.text)
        self.assertIn("data:image/jpeg;base64,", g.text.replace("\r\n ", ""))

    def test_groups_both_ways(self):
        self.put("apple.vcf", APPLE_30)
        self.assertEqual(self.put("group30.vcf", GROUP_30).status, 201)
        g = self.alice.get(self.ab + "group30.vcf", headers={"Accept": "text/vcard; version=4.0"})
        self.assertIn("KIND:group", g.text)
        self.assertIn("MEMBER:urn:uuid:apple-1", g.text)
        group40 = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:group-2\r\nFN:Club\r\nKIND:group\r\n"
                   "MEMBER:urn:uuid:davx5-1\r\nEND:VCARD\r\n")
        self.assertEqual(self.put("group40.vcf", group40).status, 201)
        g = self.alice.get(self.ab + "group40.vcf", headers={"Accept": "text/vcard; version=3.0"})
        self.assertIn("X-ADDRESSBOOKSERVER-KIND:group", g.text)
        self.assertIn("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:davx5-1", g.text)

    def test_preconditions(self):
        cases = [
            ("supported-address-data", {"Content-Type": "text/calendar"}, APPLE_30),
            ("supported-address-data", None, APPLE_30.replace("VERSION:3.0", "VERSION:2.1")),
            ("valid-address-data", None, "BEGIN:VCARD\r\nVERSION:3.0\r\nthis is not a card\r\n"),
            ("valid-address-data", None, APPLE_30.replace("FN:Johnny Appleseed\r\n", "")),
        ]
        for i, (pre, headers, body) in enumerate(cases):
            r = self.put("bad%d.vcf" % i, body, headers)
            self.assertEqual(r.status, 403, (pre, r.text))
            self.assertEqual(self.error(r), CR + pre, (pre, r.text))
            self.assertEqual(self.alice.get(self.ab + "bad%d.vcf" % i).status, 404)
        r = self.put("nouid.vcf", APPLE_30.replace("UID:apple-1\r\n", ""))
        self.assertEqual(r.status, 403)
        r = self.put("two.vcf", APPLE_30 + DAVX5_40)
        self.assertEqual(r.status, 403)

    def test_put_on_collections_is_405_with_allow(self):
        # RFC 4918 §9.7.2 (PUT on a collection: 405), RFC 9110 §15.5.6 (405 carries Allow)
        for path in (self.ab, self.alice.addressbooks, self.ab + "not-yet/"):
            r = self.alice.put(path, APPLE_30, VCF)
            self.assertEqual(r.status, 405, path)
            allow = [m.strip() for m in (r.header("Allow") or "").split(",")]
            self.assertIn("OPTIONS", allow, path)
            self.assertNotIn("PUT", allow, path)
        self.assertIn("PROPFIND", self.alice.put(self.ab, APPLE_30, VCF).header("Allow"))
        allow = self.alice.options(self.ab + "x.vcf").header("Allow")
        self.assertIn("PUT", [m.strip() for m in allow.split(",")])

    def test_foreign_charset_and_bare_lf(self):
        # only UTF-8 is accepted: the media type fails before the card is looked at
        r = self.put("latin1.vcf", APPLE_30.replace("UID:apple-1\r\n", ""),
                     {"Content-Type": "text/vcard; charset=iso-8859-1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.error(r), CR + "supported-address-data")
        # a client's bare LF inside a folded value becomes CRLF (RFC 6350 §3.2), REV added;
        # the rest byte for byte (tests/integration/test_ingest.py has every repair)
        card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:lf-1\r\nFN:LF\r\nPHOTO;ENCODING=b:\r\n"
                " YWFh\n YWFh\r\nEND:VCARD\r\n")
        self.assertEqual(self.put("lf.vcf", card).status, 201)
        self.assertEqual(strip_rev(self.alice.get(self.ab + "lf.vcf").text),
                         card.replace("YWFh\n", "YWFh\r\n"))

    def test_no_uid_conflict(self):
        self.assertIn(self.put("c1.vcf", DAVX5_40.replace("davx5-1", "conflict")).status,
                      (201, 204))
        r = self.put("c2.vcf", DAVX5_40.replace("davx5-1", "conflict"))
        self.assertEqual(r.status, 409)
        self.assertEqual(self.error(r), CR + "no-uid-conflict")
        self.assertEqual(r.xml()[0].find("D:href", NS).text, self.ab + "c1.vcf")

    def query(self, filt, props="<D:getetag/>", extra=""):
        return self.report('<CR:addressbook-query %s><D:prop>%s</D:prop>%s%s'
                           '</CR:addressbook-query>' % (NSD, props, filt, extra))

    def names(self, resp):
        return sorted(h.rsplit("/", 1)[-1] for h, st in responses(resp).items() if 200 in st)

    def test_query_filters(self):
        self.alice.mkcol(self.alice.addressbooks + "q/",
                         '<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/>'
                         '<CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>' % NSD,
                         {"Content-Type": "application/xml"})
        q = self.alice.addressbooks + "q/"
        self.alice.put(q + "apple.vcf", APPLE_30, VCF)
        self.alice.put(q + "davx5.vcf", DAVX5_40, VCF)
        self.query = lambda f, props="<D:getetag/>", extra="": self.report(
            '<CR:addressbook-query %s><D:prop>%s</D:prop>%s%s</CR:addressbook-query>'
            % (NSD, props, f, extra), q)
        tm = ('<CR:filter%s><CR:prop-filter name="%s"%s><CR:text-match%s>%s</CR:text-match>'
              '</CR:prop-filter></CR:filter>')
        self.assertEqual(self.names(self.query(tm % ("", "EMAIL", "", "", "JOHNNY@"))),
                         ["apple.vcf"])
        self.assertEqual(self.names(self.query(tm % ("", "EMAIL", "", ' match-type="equals"',
                                                     "zoe@example.org"))), ["davx5.vcf"])
        self.assertEqual(self.names(self.query(tm % ("", "FN", "", ' match-type="starts-with"',
                                                     "zoë"))), ["davx5.vcf"])
        self.assertEqual(self.names(self.query(tm % ("", "FN", "", ' match-type="ends-with"',
                                                     "APPLESEED"))), ["apple.vcf"])
        self.assertEqual(self.names(self.query(tm % (
            "", "FN", "", ' collation="i;octet"', "appleseed"))), [])
        self.assertNotIn("apple.vcf", self.names(self.query(tm % (
            "", "EMAIL", "", ' negate-condition="yes"', "johnny"))))
        self.assertEqual(self.names(self.query(tm % ("", "CATEGORIES", "", ' match-type="equals"',
                                                     "work"))), ["apple.vcf"])
        # anyof / allof over two prop-filters
        two = ('<CR:filter test="%s"><CR:prop-filter name="EMAIL"><CR:text-match>johnny'
               '</CR:text-match></CR:prop-filter><CR:prop-filter name="NOTE"><CR:text-match>'
               'Ünïcödé</CR:text-match></CR:prop-filter></CR:filter>')
        self.assertIn("apple.vcf", self.names(self.query(two % "anyof")))
        self.assertIn("davx5.vcf", self.names(self.query(two % "anyof")))
        self.assertEqual(self.names(self.query(two % "allof")), [])
        nd = ('<CR:filter><CR:prop-filter name="PHOTO"><CR:is-not-defined/></CR:prop-filter>'
              '</CR:filter>')
        self.assertNotIn("apple.vcf", self.names(self.query(nd)))
        pf = ('<CR:filter><CR:prop-filter name="EMAIL"><CR:param-filter name="TYPE">'
              '<CR:text-match>work</CR:text-match></CR:param-filter></CR:prop-filter></CR:filter>')
        self.assertEqual(self.names(self.query(pf)), ["davx5.vcf"])
        r = self.query(tm % ("", "EMAIL", "", ' collation="i;klingon"', "x"))
        self.assertEqual(r.status, 403)
        self.assertEqual(self.error(r), CR + "supported-collation")

    def test_query_index_follows_edits_moves_and_deletes(self):
        """Issue 20: the text index answers addressbook-query; after edits,
        deletes, a COPY in and a MOVE out the answers are still exactly the
        cards that match (a stale or missing index row would show here)."""
        def mk(name):
            self.alice.mkcol(self.alice.addressbooks + name + "/",
                             '<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/>'
                             '<CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>'
                             % NSD, {"Content-Type": "application/xml"})
            return self.alice.addressbooks + name + "/"
        ab, other = mk("ti"), mk("ti2")

        def card(uid, fn, email):
            return ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\n"
                    "EMAIL:%s\r\nEND:VCARD\r\n" % (uid, fn, fn, email))
        cards = {}
        for i in range(40):
            fn = ["Straße %d" % i, "ÉLODIE %d" % i, "東京 %d" % i, "Plain %d" % i][i % 4]
            email = "%s.%d@%s.example" % (["jo", "anne", "zoë"][i % 3], i,
                                          ["mail", "Post"][i % 2])
            cards["c%02d.vcf" % i] = (fn, email)
            self.assertIn(self.alice.put(ab + "c%02d.vcf" % i, card("ti-%d" % i, fn, email),
                                         VCF).status, (201, 204))
        query = ('<CR:addressbook-query %s><D:prop><D:getetag/></D:prop><CR:filter%s>%s'
                 '</CR:filter></CR:addressbook-query>')
        pf = ('<CR:prop-filter name="%s"><CR:text-match collation="%s" match-type="%s"%s>%s'
              '</CR:text-match></CR:prop-filter>')

        def fold(s, coll):
            if coll == "i;octet":
                return s
            if coll == "i;ascii-casemap":
                return "".join(c.upper() if "a" <= c <= "z" else c for c in s)
            return s.upper()  # the texts here fold the same in Python and RFC 5051

        def want(prop, coll, mt, text, negate):
            out = []
            for name, (fn, email) in cards.items():
                v = fold({"FN": fn, "EMAIL": email}[prop], coll)
                t = fold(text, coll)
                hit = {"contains": t in v, "equals": t == v, "starts-with": v.startswith(t),
                       "ends-with": v.endswith(t)}[mt]
                if hit != negate:
                    out.append(name)
            return sorted(out)

        cases = [("EMAIL", "i;unicode-casemap", "contains", "ANNE."),
                 ("EMAIL", "i;ascii-casemap", "ends-with", "@POST.EXAMPLE"),
                 ("EMAIL", "i;octet", "contains", "@Post"),
                 ("EMAIL", "i;unicode-casemap", "starts-with", "ZOË."),
                 ("FN", "i;unicode-casemap", "contains", "élodie"),
                 ("FN", "i;octet", "starts-with", "東京"),
                 ("FN", "i;unicode-casemap", "equals", "straße 12"),
                 ("FN", "i;unicode-casemap", "contains", "1"),
                 ("EMAIL", "i;unicode-casemap", "contains", "mail.")]

        def check():
            for prop_name, coll, mt, text in cases:
                for negate in (False, True):
                    neg = ' negate-condition="yes"' if negate else ""
                    r = self.report(query % (NSD, "", pf % (prop_name, coll, mt, neg, text)), ab)
                    self.assertEqual(r.status, 207)
                    self.assertEqual(self.names(r), want(prop_name, coll, mt, text, negate),
                                     (prop_name, coll, mt, text, negate))
            # allof of two indexed prop-filters, anyof of an indexed and a scanned one
            both = pf % ("EMAIL", "i;unicode-casemap", "contains", "", "anne") + \
                pf % ("FN", "i;unicode-casemap", "contains", "", "élodie")
            r = self.report(query % (NSD, ' test="allof"', both), ab)
            self.assertEqual(self.names(r), sorted(
                set(want("EMAIL", "i;unicode-casemap", "contains", "anne", False)) &
                set(want("FN", "i;unicode-casemap", "contains", "élodie", False))))
            r = self.report(query % (NSD, ' test="anyof"', both), ab)
            self.assertEqual(self.names(r), sorted(
                set(want("EMAIL", "i;unicode-casemap", "contains", "anne", False)) |
                set(want("FN", "i;unicode-casemap", "contains", "élodie", False))))
        check()
        # edits: new e-mail addresses and names
        for i in range(0, 40, 5):
            fn, email = "Straße neu %d" % i, "anne.neu%d@post.example" % i
            cards["c%02d.vcf" % i] = (fn, email)
            self.assertEqual(self.alice.put(ab + "c%02d.vcf" % i, card("ti-%d" % i, fn, email),
                                            VCF).status, 204)
        check()
        # deletes
        for i in range(1, 40, 7):
            self.assertEqual(self.alice.delete(ab + "c%02d.vcf" % i).status, 204)
            del cards["c%02d.vcf" % i]
        check()
        # a card moves out, another is copied in from the other book
        self.assertEqual(self.alice.req("MOVE", ab + "c02.vcf", headers={
            "Destination": other + "c02.vcf"}).status, 201)
        del cards["c02.vcf"]
        self.alice.put(other + "x.vcf", card("ti-x", "ÉLODIE x", "anne.x@mail.example"), VCF)
        self.assertEqual(self.alice.req("COPY", other + "x.vcf", headers={
            "Destination": ab + "x.vcf"}).status, 201)
        cards["x.vcf"] = ("ÉLODIE x", "anne.x@mail.example")
        check()
        # the moved card is found where it went
        r = self.report(query % (NSD, "", pf % ("UID", "i;octet", "equals", "", "ti-2")), other)
        self.assertEqual(self.names(r), ["c02.vcf"])

    def test_query_address_data_and_limit(self):
        for i in range(5):
            self.put("many%d.vcf" % i, DAVX5_40.replace("davx5-1", "many-%d" % i))
        props = ('<CR:address-data content-type="text/vcard" version="3.0"><CR:prop name="EMAIL"/>'
                 '<CR:prop name="UID"/></CR:address-data>')
        filt = ('<CR:filter><CR:prop-filter name="UID"><CR:text-match>many-</CR:text-match>'
                '</CR:prop-filter></CR:filter>')
        r = self.query(filt, props)
        m = responses(r)
        self.assertEqual(len(m), 5)
        data = prop(m, self.ab + "many0.vcf", CR + "address-data").text
        self.assertIn("VERSION:3.0", data)
        self.assertIn("EMAIL", data)
        self.assertNotIn("NOTE", data)
        r = self.query(filt, "<D:getetag/>", "<CR:limit><CR:nresults>2</CR:nresults></CR:limit>")
        m = responses(r)
        self.assertEqual(list(m[self.ab].keys()), [507])
        self.assertEqual(len([h for h in m if h != self.ab]), 2)

    def test_query_on_one_card_and_unsupported_address_data(self):
        self.put("one.vcf", APPLE_30.replace("apple-1", "one-1"))
        filt = ('<CR:filter><CR:prop-filter name="EMAIL"><CR:text-match negate-condition="yes">'
                '@nowhere</CR:text-match></CR:prop-filter></CR:filter>')
        body = '<CR:addressbook-query %s><D:prop><D:getetag/></D:prop>%s</CR:addressbook-query>'
        r = self.report(body % (NSD, filt), path=self.ab + "one.vcf", depth="0")
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(list(responses(r)), [self.ab + "one.vcf"])
        # a media type the server cannot give fails the whole report
        bad = ('<CR:addressbook-query %s><D:prop><CR:address-data content-type="text/vcards" '
               'version="2.0"/></D:prop>%s</CR:addressbook-query>' % (NSD, filt))
        r = self.report(bad)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.error(r), CR + "supported-address-data")
        mg = ('<CR:addressbook-multiget %s><D:prop><CR:address-data content-type="text/x-vcard" '
              'version="2.1"/></D:prop><D:href>%sone.vcf</D:href></CR:addressbook-multiget>'
              % (NSD, self.ab))
        self.assertEqual(self.error(self.report(mg)), CR + "supported-address-data")

    def test_multiget(self):
        self.put("apple.vcf", APPLE_30)
        missing = self.ab + "missing.vcf"
        r = self.report('<CR:addressbook-multiget %s><D:prop><D:getetag/><CR:address-data/>'
                        '</D:prop><D:href>%sapple.vcf</D:href><D:href>%s</D:href>'
                        '</CR:addressbook-multiget>' % (NSD, self.ab, missing))
        m = responses(r)
        self.assertIn("Johnny", prop(m, self.ab + "apple.vcf", CR + "address-data").text)
        self.assertEqual(list(m[missing].keys()), [404])
        self.assertIn(b"&#13;", r.body)

    def test_sync(self):
        body = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token>'
                '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')
        self.alice.mkcol(self.alice.addressbooks + "sync/",
                         '<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/>'
                         '<CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>' % NSD,
                         {"Content-Type": "application/xml"})
        ab = self.alice.addressbooks + "sync/"
        self.alice.put(ab + "a.vcf", APPLE_30, VCF)
        r = self.report(body % "", ab, "0")
        token = r.xml().find("D:sync-token", NS).text
        self.alice.delete(ab + "a.vcf")
        r = self.report(body % token, ab, "0")
        self.assertEqual(list(responses(r)[ab + "a.vcf"].keys()), [404])
        r = self.report(body % "urn:x-veil:sync:nope", ab, "0")
        self.assertEqual(r.status, 403)
        self.assertEqual(self.error(r), D + "valid-sync-token")

    def test_default_addressbook_url(self):
        home = self.alice.addressbooks
        ab = home + "addressbook/"

        def current():
            r = self.alice.propfind(home, propfind_body("CR:default-addressbook-URL"),
                                    {"Depth": "0"})
            el = prop(responses(r), home, CR + "default-addressbook-URL")
            return el.find("D:href", NS).text if el is not None else None

        def setting(href):
            body = ('<?xml version="1.0"?><D:propertyupdate %s><D:set><D:prop>'
                    '<CR:default-addressbook-URL><D:href>%s</D:href></CR:default-addressbook-URL>'
                    '</D:prop></D:set></D:propertyupdate>' % (NSD, href))
            return self.alice.proppatch(home, body, {"Content-Type": "application/xml"})

        self.assertEqual(current(), ab)
        self.alice.mkcol(home + "work/", '<D:mkcol %s><D:set><D:prop><D:resourcetype>'
                         '<D:collection/><CR:addressbook/></D:resourcetype></D:prop></D:set>'
                         '</D:mkcol>' % NSD, {"Content-Type": "application/xml"})
        r = setting(home + "work/")
        self.assertEqual(r.status, 207)
        self.assertIn(200, responses(r)[home])
        self.assertEqual(current(), home + "work/")
        # only an address book of one's own
        for bad in (home + "bogus/", self.alice.calendars + "calendar/", home):
            r = setting(bad)
            self.assertIn(403, responses(r)[home], bad)
            self.assertIn(b"valid-default-addressbook-URL", r.body)
        self.assertEqual(current(), home + "work/")
        # gone: the provisioned one is the default again
        self.assertEqual(self.alice.delete(home + "work/").status, 204)
        self.assertEqual(current(), ab)
        # only on the home
        r = self.alice.proppatch(ab, '<?xml version="1.0"?><D:propertyupdate %s><D:set><D:prop>'
                                 '<CR:default-addressbook-URL><D:href>%s</D:href>'
                                 '</CR:default-addressbook-URL></D:prop></D:set>'
                                 '</D:propertyupdate>' % (NSD, ab),
                                 {"Content-Type": "application/xml"})
        self.assertIn(403, responses(r)[ab])


class DefaultAddressBook(ServerTest):
    """A deleted default address book comes back, empty, on its owner's next request (what
    Apple's clients and CalDAVTester's sync-report file assume); it is a new collection."""

    def test_deleted_default_comes_back_empty_with_new_sync_state(self):
        from veil import User
        self.server.add_user("bob", password="bob-account-password-1")
        bob = User(self.server, "bob", self.server.app_password("bob", "t"))
        ab = self.alice.addressbooks + "addressbook/"
        sync = ('<D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token>'
                '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')
        xml = {"Depth": "0", "Content-Type": "application/xml"}
        self.assertEqual(self.alice.put(ab + "a.vcf", APPLE_30, VCF).status, 201)
        token = self.alice.report(ab, sync % "", xml).xml().find("D:sync-token", NS).text
        self.assertEqual(self.alice.delete(ab).status, 204)
        # a stranger learns nothing: the address book is not there for them, before or after
        self.assertEqual(bob.propfind(ab, propfind_body("D:resourcetype"), {"Depth": "0"}).status,
                         404)
        # the owner finds it again, empty, typed as an address book
        r = self.alice.propfind(ab, propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        m = responses(r)
        self.assertEqual(list(m), [ab])
        rt = prop(m, ab, D + "resourcetype")
        self.assertIsNotNone(rt.find("CR:addressbook", NS))
        self.assertEqual(self.alice.get(ab + "a.vcf").status, 404)
        # RFC 6578 §3.2: a token of the deleted collection is not valid for the new one
        r = self.alice.report(ab, sync % token, xml)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.xml()[0].tag, D + "valid-sync-token")
        r = self.alice.report(ab, sync % "", xml)
        self.assertEqual(r.status, 207)
        self.assertEqual(list(responses(r)), [])
        self.assertNotEqual(r.xml().find("D:sync-token", NS).text, token)
        self.assertEqual(bob.propfind(ab, propfind_body("D:resourcetype"), {"Depth": "0"}).status,
                         404)


if __name__ == "__main__":
    unittest.main()

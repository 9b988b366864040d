"""RFC 4918 behaviour beyond litmus: properties, conditional requests (RFC 9110),
resource-id (RFC 5842), discovery (RFC 5397, RFC 6764), streaming."""
import re
import unittest

from veil import NS, ServerTest, propfind_body, prop, responses

D = "{DAV:}"


class Discovery(ServerTest):
    def test_well_known_redirects_without_credentials(self):
        for path in ("/.well-known/caldav", "/.well-known/carddav"):
            r = self.server.request("GET", path)
            self.assertEqual(r.status, 307, path)
            self.assertTrue(r.header("Location").endswith("/"))

    def test_current_user_principal_everywhere(self):
        for path in ("/", self.alice.files, self.alice.principal, self.alice.calendars):
            r = self.alice.propfind(path, propfind_body("D:current-user-principal"),
                                    {"Depth": "0"})
            self.assertEqual(r.status, 207, path)
            m = responses(r)
            (href, stats), = m.items()
            el = prop(m, href, D + "current-user-principal")
            self.assertIsNotNone(el, path)
            self.assertEqual(el.find("D:href", NS).text, self.alice.principal)

    def test_principal_url_is_random_not_login(self):
        self.assertNotIn("alice", self.alice.principal)
        self.assertRegex(self.alice.pid, r"^[a-z2-7]{26}$")
        r = self.alice.propfind(self.alice.principal,
                                propfind_body("D:principal-URL", "D:displayname"), {"Depth": "0"})
        m = responses(r)
        self.assertEqual(prop(m, self.alice.principal, D + "principal-URL")
                         .find("D:href", NS).text, self.alice.principal)
        self.assertEqual(prop(m, self.alice.principal, D + "displayname").text, "Alice")
        self.assertNotIn(b"alice", r.body.lower().replace(b"alice<", b""))

    def test_options_advertises_classes(self):
        r = self.alice.options(self.alice.files)
        self.assertEqual(r.status, 200)
        classes = [c.strip() for c in r.header("DAV").split(",")]
        for c in ("1", "2", "3"):
            self.assertIn(c, classes)
        allow = r.header("Allow")
        for m in ("PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "COPY", "MOVE", "PUT", "DELETE"):
            self.assertIn(m, allow)


class Conditional(ServerTest):
    def setUp(self):
        self.path = self.alice.files + "cond.txt"
        r = self.alice.put(self.path, b"version 1", {"Content-Type": "text/plain"})
        self.assertIn(r.status, (201, 204))
        self.etag = r.header("ETag")
        self.assertRegex(self.etag, r'^"[0-9a-f]+"$')

    def test_get_returns_strong_etag_and_last_modified(self):
        r = self.alice.get(self.path)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"version 1")
        self.assertEqual(r.header("ETag"), self.etag)
        self.assertRegex(r.header("Last-Modified"), r"GMT$")
        self.assertEqual(r.header("Content-Type"), "text/plain")

    def test_if_none_match_gives_304(self):
        r = self.alice.get(self.path, headers={"If-None-Match": self.etag})
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b"")
        self.assertEqual(r.header("ETag"), self.etag)
        r = self.alice.get(self.path, headers={"If-None-Match": '"other", ' + self.etag})
        self.assertEqual(r.status, 304)
        r = self.alice.get(self.path, headers={"If-None-Match": '"other"'})
        self.assertEqual(r.status, 200)

    def test_if_none_match_star_on_create_and_update(self):
        r = self.alice.put(self.path, b"x", {"If-None-Match": "*"})
        self.assertEqual(r.status, 412)
        r = self.alice.put(self.alice.files + "fresh.txt", b"x", {"If-None-Match": "*"})
        self.assertEqual(r.status, 201)

    def test_if_match(self):
        r = self.alice.put(self.path, b"v2", {"If-Match": '"nope"'})
        self.assertEqual(r.status, 412)
        self.assertEqual(self.alice.get(self.path).body, b"version 1")
        r = self.alice.put(self.path, b"v2", {"If-Match": self.etag})
        self.assertEqual(r.status, 204)
        self.assertNotEqual(r.header("ETag"), self.etag)
        r = self.alice.put(self.alice.files + "absent.txt", b"x", {"If-Match": "*"})
        self.assertEqual(r.status, 412)
        r = self.alice.delete(self.path, headers={"If-Match": '"stale"'})
        self.assertEqual(r.status, 412)
        # weak tags never match If-Match (strong comparison, RFC 9110 §13.1.1)
        r = self.alice.put(self.path, b"v3", {"If-Match": "W/" + self.alice.get(self.path)
                                              .header("ETag")})
        self.assertEqual(r.status, 412)

    def test_modified_since(self):
        lm = self.alice.get(self.path).header("Last-Modified")
        self.assertEqual(self.alice.get(self.path, headers={"If-Modified-Since": lm}).status, 304)
        old = "Sun, 06 Nov 1994 08:49:37 GMT"
        self.assertEqual(self.alice.get(self.path, headers={"If-Modified-Since": old}).status, 200)
        self.assertEqual(self.alice.put(self.path, b"z", {"If-Unmodified-Since": old}).status, 412)
        self.assertEqual(self.alice.put(self.path, b"z", {"If-Unmodified-Since": lm}).status, 204)
        # an invalid date is ignored (RFC 9110 §13.1.3)
        self.assertEqual(self.alice.get(self.path, headers={"If-Modified-Since": "junk"}).status,
                         200)

    def test_head_matches_get(self):
        g = self.alice.get(self.path)
        h = self.alice.head(self.path)
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")
        self.assertEqual(h.header("ETag"), g.header("ETag"))
        self.assertEqual(h.header("Content-Length"), str(len(g.body)))


class Properties(ServerTest):
    def test_dead_property_kept_exactly(self):
        path = self.alice.files + "props.txt"
        self.alice.put(path, b"x")
        body = ('<?xml version="1.0" encoding="utf-8"?>'
                '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/z" xml:lang="de">'
                '<D:set><D:prop><Z:mixed a="1">Text <Z:b xmlns:Q="urn:q" Q:x="y">bold</Z:b>'
                ' tail &amp; more</Z:mixed></D:prop></D:set></D:propertyupdate>')
        r = self.alice.proppatch(path, body)
        self.assertEqual(r.status, 207)
        self.assertEqual(list(responses(r)[path].keys()), [200])
        r = self.alice.propfind(path, propfind_body('Z:mixed xmlns:Z="http://example.com/z"'),
                                {"Depth": "0"})
        el = prop(responses(r), path, "{http://example.com/z}mixed")
        self.assertIsNotNone(el)
        self.assertEqual(el.text, "Text ")
        self.assertEqual(el.get("a"), "1")
        self.assertEqual(el.get("{http://www.w3.org/XML/1998/namespace}lang"), "de")
        b = el.find("{http://example.com/z}b")
        self.assertEqual(b.text, "bold")
        self.assertEqual(b.get("{urn:q}x"), "y")
        self.assertEqual(b.tail, " tail & more")

    def test_proppatch_is_atomic(self):
        path = self.alice.files + "atomic.txt"
        self.alice.put(path, b"x")
        body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>'
                '<Z:ok>1</Z:ok><D:getetag>"forged"</D:getetag></D:prop></D:set>'
                '</D:propertyupdate>')
        r = self.alice.proppatch(path, body)
        self.assertEqual(r.status, 207)
        m = responses(r)[path]
        self.assertEqual([e.tag for e in m[403]], [D + "getetag"])
        self.assertEqual([e.tag for e in m[424]], ["{urn:z}ok"])
        self.assertIn(b"cannot-modify-protected-property", r.body)
        r = self.alice.propfind(path, propfind_body('Z:ok xmlns:Z="urn:z"'), {"Depth": "0"})
        self.assertIsNotNone(prop(responses(r), path, "{urn:z}ok", 404))

    def test_resource_id_survives_move(self):
        a, b = self.alice.files + "rid-a.txt", self.alice.files + "rid-b.txt"
        self.alice.put(a, b"x")
        r = self.alice.propfind(a, propfind_body("D:resource-id"), {"Depth": "0"})
        rid = prop(responses(r), a, D + "resource-id").find("D:href", NS).text
        self.assertRegex(rid, r"^urn:uuid:[0-9a-f-]{36}$")
        r = self.alice.move(a, headers={"Destination": b})
        self.assertEqual(r.status, 201)
        r = self.alice.propfind(b, propfind_body("D:resource-id"), {"Depth": "0"})
        self.assertEqual(prop(responses(r), b, D + "resource-id").find("D:href", NS).text, rid)
        self.alice.copy(b, headers={"Destination": a})
        r = self.alice.propfind(a, propfind_body("D:resource-id"), {"Depth": "0"})
        self.assertNotEqual(prop(responses(r), a, D + "resource-id").find("D:href", NS).text, rid)

    def test_prefer_minimal_drops_404_propstat(self):
        path = self.alice.files
        body = propfind_body("D:resourcetype", 'Z:none xmlns:Z="urn:z"')
        full = responses(self.alice.propfind(path, body, {"Depth": "0"}))
        self.assertIn(404, full[path])
        r = self.alice.propfind(path, body, {"Depth": "0", "Prefer": "return=minimal"})
        self.assertEqual(r.header("Preference-Applied"), "return=minimal")
        self.assertNotIn(404, responses(r)[path])
        r = self.alice.propfind(path, body, {"Depth": "0", "Brief": "t"})
        self.assertNotIn(404, responses(r)[path])

    def test_propfind_depth_infinity_and_large_listing(self):
        coll = self.alice.files + "many/"
        self.assertEqual(self.alice.mkcol(coll).status, 201)
        for i in range(300):
            self.assertEqual(self.alice.put("%sitem-%03d.txt" % (coll, i), b"x%d" % i).status, 201)
        r = self.alice.propfind(coll, propfind_body("D:getetag"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        m = responses(r)
        self.assertEqual(len(m), 301)
        self.assertIsNotNone(prop(m, coll + "item-299.txt", D + "getetag"))
        r = self.alice.propfind(self.alice.files, propfind_body("D:resourcetype"),
                                {"Depth": "infinity"})
        self.assertEqual(r.status, 207)
        self.assertIn(coll + "item-150.txt", responses(r))

    def test_href_encoding_round_trip(self):
        name = "a b&c%d ü€.txt"
        from urllib.parse import quote
        path = self.alice.files + quote(name)
        self.assertEqual(self.alice.put(path, b"x").status, 201)
        r = self.alice.propfind(self.alice.files, propfind_body("D:getetag"), {"Depth": "1"})
        hrefs = list(responses(r).keys())
        match = [h for h in hrefs if "%E2%82%AC" in h]
        self.assertEqual(len(match), 1)
        self.assertEqual(self.alice.get(match[0]).status, 200)

    def test_propfind_of_one_resource_is_indented(self):
        """A lone response is laid out with two-space indentation as
        CalendarServer wrote it; dead values go out byte for byte; listings
        stay compact."""
        coll = self.alice.files + "indent/"
        self.assertEqual(self.alice.mkcol(coll).status, 201)
        dead = '<Z:list xmlns:Z="urn:z"><Z:a/><Z:b>x <Z:i>y</Z:i></Z:b></Z:list>'
        body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>%s'
                '<D:displayname>Grüße\nzwei</D:displayname></D:prop></D:set>'
                '</D:propertyupdate>' % dead)
        self.assertEqual(self.alice.proppatch(coll, body).status, 207)
        r = self.alice.propfind(coll, propfind_body("D:resourcetype", "D:displayname",
                                                    'Z:list xmlns:Z="urn:z"',
                                                    'Z:none xmlns:Z="urn:z"'), {"Depth": "0"})
        self.assertEqual(r.status, 207)
        text = r.text
        lines = text.split("\n")
        self.assertTrue(lines[1].startswith("<D:multistatus "))
        self.assertEqual(lines[2:7], ["  <D:response>", "    <D:href>%s</D:href>" % coll,
                                      "    <D:propstat>", "      <D:prop>",
                                      "        <D:resourcetype>"])
        self.assertEqual(lines[7:9], ["          <D:collection/>", "        </D:resourcetype>"])
        # text content and dead values are untouched, whitespace and all
        self.assertIn("\n        <D:displayname xmlns:D=\"DAV:\">Grüße\nzwei</D:displayname>\n",
                      text)
        self.assertIn("\n        " + dead + "\n      </D:prop>\n"
                      "      <D:status>HTTP/1.1 200 OK</D:status>\n    </D:propstat>\n"
                      "    <D:propstat>\n      <D:prop>\n        <X:none xmlns:X=\"urn:z\"/>\n"
                      "      </D:prop>\n      <D:status>HTTP/1.1 404 Not Found</D:status>\n"
                      "    </D:propstat>\n  </D:response>\n</D:multistatus>\n", text)
        m = responses(r)
        self.assertEqual(prop(m, coll, D + "displayname").text, "Grüße\nzwei")
        self.assertEqual(prop(m, coll, "{urn:z}list").find("{urn:z}b").text, "x ")
        # a listing is streamed compact, one response a line
        r = self.alice.propfind(coll, propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertIn("\n<D:response><D:href>%s</D:href><D:propstat><D:prop><D:resourcetype>"
                      "<D:collection/></D:resourcetype></D:prop>" % coll, r.text)


class BrowserSafety(ServerTest):
    """Issue 13: what users store is served on the DAV origin; a browser
    opening it must neither sniff another type nor run what it holds."""

    def assertSandboxed(self, r, what):
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", what)
        csp = r.header("Content-Security-Policy") or ""
        self.assertIn("sandbox", csp, what)
        self.assertIn("default-src 'none'", csp, what)
        self.assertNotIn("allow-scripts", csp, what)
        self.assertNotIn("allow-same-origin", csp, what)

    def test_every_kind_of_response(self):
        a = self.alice
        page = b"<html><script>alert(document.domain)</script></html>"
        self.assertEqual(a.put(a.files + "page.html", page, {"Content-Type": "text/html"}).status,
                         201)
        a.mkcol(a.files + "%3Cscript%3E/")
        for method, path, body in (("GET", a.files + "page.html", None),
                                   ("HEAD", a.files + "page.html", None),
                                   ("GET", a.files, None),
                                   ("GET", a.files + "missing", None),
                                   ("PROPFIND", a.files, propfind_body("D:displayname")),
                                   ("PROPFIND", a.files, "<not xml"),
                                   ("OPTIONS", a.files, None)):
            r = a.req(method, path, body, {"Depth": "1"})
            self.assertSandboxed(r, "%s %s %d" % (method, path, r.status))
        r = a.get(a.files + "page.html")
        self.assertEqual(r.body, page)
        listing = a.get(a.files)
        self.assertIn("allow-downloads", listing.header("Content-Security-Policy"))
        self.assertIn(b"&lt;script&gt;", listing.body)
        self.assertNotIn(b"<script>", listing.body)
        # answered before any handler: credentials missing, redirects
        self.assertSandboxed(self.server.request("GET", a.files), "401")
        self.assertSandboxed(self.server.request("GET", "/.well-known/caldav"), "307")


if __name__ == "__main__":
    unittest.main()

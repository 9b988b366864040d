"""Bad input gets a clear, standard answer: never a crash, a 500 or a file
outside the caller's space."""
import http.client
import socket
import unittest

from veil import ServerTest, propfind_body


class BadInput(ServerTest):
    config = {"max_body_bytes": "65536"}

    def assertAlive(self):
        r = self.alice.propfind(self.alice.files, propfind_body("D:resourcetype"), {"Depth": "0"})
        self.assertEqual(r.status, 207)

    def test_malformed_xml(self):
        for body in ("<D:propfind xmlns:D='DAV:'><D:prop>", "not xml at all", "<a:b/>",
                     "<D:propfind xmlns:D='DAV:'><D:prop><x:y/></D:prop></D:propfind>"):
            r = self.alice.propfind(self.alice.files, body, {"Depth": "0",
                                                              "Content-Type": "application/xml"})
            self.assertEqual(r.status, 400, body)
        self.assertAlive()

    def test_dtd_and_entities_refused(self):
        xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
               '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&x;</D:displayname>'
               '</D:prop></D:propfind>')
        bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                + "".join('<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">'
                          % ((chr(98 + i),) + (chr(97 + i),) * 10) for i in range(8))
                + ']><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><x xmlns="urn:x">&i;</x>'
                  '</D:prop></D:set></D:propertyupdate>')
        r = self.alice.propfind(self.alice.files, xxe, {"Depth": "0"})
        self.assertEqual(r.status, 400)
        self.assertNotIn(b"root:", r.body)
        path = self.alice.files + "bomb.txt"
        self.alice.put(path, b"x")
        r = self.alice.proppatch(path, bomb)
        self.assertEqual(r.status, 400)
        self.assertAlive()

    def test_body_over_limit(self):
        r = self.alice.put(self.alice.files + "big.bin", b"x" * 70000)
        self.assertEqual(r.status, 413)
        self.assertEqual(self.alice.get(self.alice.files + "big.bin").status, 404)
        self.assertAlive()

    def test_deep_xml(self):
        body = "<D:propfind xmlns:D='DAV:'>" + "<a>" * 500 + "</a>" * 500 + "</D:propfind>"
        r = self.alice.propfind(self.alice.files, body, {"Depth": "0"})
        self.assertIn(r.status, (400, 413))
        self.assertAlive()

    def test_path_tricks(self):
        f = self.alice.files
        # (names are bytes, so "a%ff" and the overlong "%c0%ae" are names
        # like any other: tests/integration/test_clients.py)
        for raw in (f + "..", f + "%2e%2e/%2e%2e/", f + "a%2Fb", f + "a%00b", f + "x" * 300,
                    f + "a//b", "/files/../etc/passwd", f + "%2e/", f + "a/%2E%2E/../"):
            r = self.alice.get(raw)
            self.assertIn(r.status, (400, 404, 414), raw)
            r = self.alice.put(raw, b"data")
            self.assertIn(r.status, (400, 404, 405, 409, 414), raw)
        self.assertAlive()

    def test_other_users_space_is_invisible(self):
        pw = self.server.add_user("mallory", password="mallory-password-123")
        from veil import User
        m = User(self.server, "mallory", self.server.app_password("mallory", "t"))
        self.alice.put(self.alice.files + "secret.txt", b"secret")
        for method, body in (("GET", None), ("PROPFIND", None), ("DELETE", None),
                             ("PUT", b"overwrite"), ("MKCOL", None), ("LOCK", None)):
            r = m.req(method, self.alice.files + "secret.txt", body)
            self.assertEqual(r.status, 404, method)
            r2 = m.req(method, "/files/%s/secret.txt" % ("a" * 26), body)
            self.assertEqual(r2.status, 404, method)
            self.assertEqual(r.body, r2.body, method)
        r = m.propfind("/files/", propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertNotIn(self.alice.pid.encode(), r.body)
        self.assertEqual(self.alice.get(self.alice.files + "secret.txt").body, b"secret")

    def test_unknown_method(self):
        r = self.alice.req("BREW", self.alice.files)
        self.assertIn(r.status, (405, 501))
        r = self.alice.req("TRACE", self.alice.files)
        self.assertIn(r.status, (405, 501))
        self.assertAlive()

    def test_invalid_headers(self):
        f = self.alice.files
        self.alice.put(f + "h.txt", b"x")
        self.assertEqual(self.alice.propfind(f, None, {"Depth": "2"}).status, 400)
        self.assertEqual(self.alice.copy(f + "h.txt", headers={"Destination": "::junk"}).status,
                         400)
        self.assertEqual(self.alice.copy(f + "h.txt").status, 400)
        self.assertEqual(self.alice.copy(f + "h.txt", headers={"Destination": f + "i.txt",
                                                              "Overwrite": "maybe"}).status, 400)
        self.assertEqual(self.alice.put(f + "h.txt", b"x", {"If": "(<broken"}).status, 400)
        self.assertEqual(self.alice.unlock(f + "h.txt", headers={"Lock-Token": "nope"}).status,
                         400)
        self.assertEqual(self.alice.lock(f + "h.txt", "<junk/>",
                                         {"Content-Type": "text/xml"}).status, 400)
        self.assertAlive()

    def test_garbage_on_the_socket(self):
        for junk in (b"\x00\x01\x02 GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"PROPFIND /files/ HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"):
            s = socket.create_connection(("127.0.0.1", self.server.port))
            s.sendall(junk)
            s.settimeout(5)
            try:
                data = s.recv(4096)
            except socket.timeout:
                data = b""
            s.close()
            if data:
                # 505 is the standard answer to an unknown HTTP major version
                ok = not data.startswith(b"HTTP/1.1 5") or data.startswith(b"HTTP/1.1 505")
                self.assertTrue(ok, data[:40])
        self.assertAlive()


if __name__ == "__main__":
    unittest.main()

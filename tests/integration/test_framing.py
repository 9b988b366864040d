"""HTTP message framing (issue 13): a request whose body can be delimited
two ways is refused with 400 and the connection closed, before anything
reads its body, so that nothing a proxy in front takes for the next request
is read here as body, or the other way round (RFC 9112 §6.3, §11.2)."""
import base64
import socket
import unittest

from veil import ServerTest


class Framing(ServerTest):
    def raw(self, data, timeout=5):
        """Sends data on a fresh connection; everything the server sends
        until it closes (or goes quiet), and whether it closed."""
        s = socket.create_connection(("127.0.0.1", self.server.port))
        s.settimeout(timeout)
        s.sendall(data)
        got, closed = b"", False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                got += chunk
        except socket.timeout:
            pass
        s.close()
        return got, closed

    def head(self, method, path, *fields):
        token = base64.b64encode(("alice:%s" % self.alice.password).encode()).decode()
        lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1",
                 "Authorization: Basic " + token] + list(fields)
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def smuggled(self):
        return self.head("DELETE", self.alice.files + "victim.txt")

    def assertRefused(self, data, status=400):
        got, closed = self.raw(data)
        self.assertTrue(got.startswith(b"HTTP/1.1 %d " % status), got[:200])
        self.assertEqual(got.count(b"HTTP/1.1 "), 1, got)  # nothing answered the rest
        self.assertIn(b"\r\nConnection: close\r\n", got)
        self.assertTrue(closed, "the connection stays open")
        self.assertEqual(self.alice.get(self.alice.files + "victim.txt").status, 200)

    def setUp(self):
        self.assertEqual(self.alice.put(self.alice.files + "victim.txt", b"keep me").status in
                         (201, 204), True)

    def test_two_different_content_lengths(self):
        smuggled = self.smuggled()
        # the first length (libmicrohttpd's) says 0, a proxy using the last sends the DELETE as body
        for first, second in ((0, len(smuggled)), (len(smuggled), 0)):
            body = smuggled if first else b""
            self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                         "Content-Length: %d" % first,
                                         "Content-Length: %d" % second) + body + smuggled)

    def test_repeated_equal_content_lengths(self):
        self.assertRefused(self.head("PUT", self.alice.files + "a.txt", "Content-Length: 3",
                                     "Content-Length: 3") + b"abc")

    def test_content_length_list(self):
        # libmicrohttpd refuses this one itself, before the handler (and
        # 0.9.75 writes its status line and header block twice)
        got, closed = self.raw(self.head("PUT", self.alice.files + "a.txt",
                                         "Content-Length: 3, 3") + b"abc" + self.smuggled())
        self.assertTrue(got.startswith(b"HTTP/1.1 400 "), got[:100])
        self.assertNotIn(b" 204 ", got)
        self.assertTrue(closed)
        self.assertEqual(self.alice.get(self.alice.files + "victim.txt").status, 200)

    def test_transfer_encoding_with_content_length(self):
        smuggled = self.smuggled()
        chunked = b"0\r\n\r\n"
        # libmicrohttpd reads the chunks (5 bytes), a proxy using the length the DELETE too
        self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                     "Content-Length: %d" % (len(chunked) + len(smuggled)),
                                     "Transfer-Encoding: chunked") + chunked + smuggled)
        self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                     "Transfer-Encoding: chunked",
                                     "Content-Length: 0") + chunked + smuggled)

    def test_transfer_codings_other_than_chunked(self):
        chunked = b"0\r\n\r\n"
        # chunked last: framing a proxy understands, codings we do not (§6.1)
        for te in ("gzip, chunked", "chunked "):
            self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                         "Transfer-Encoding: " + te) + chunked, 501)
        for te in ("chunked, gzip", "xchunked", "identity"):
            self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                         "Transfer-Encoding: " + te) + chunked + self.smuggled())
        self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                     "Transfer-Encoding: chunked",
                                     "Transfer-Encoding: chunked") + chunked)
        h = self.head("PUT", self.alice.files + "a.txt", "Transfer-Encoding: chunked")
        self.assertRefused(h.replace(b"HTTP/1.1\r\n", b"HTTP/1.0\r\n", 1) + chunked)

    def test_whitespace_before_colon(self):
        smuggled = self.smuggled()
        self.assertRefused(self.head("PUT", self.alice.files + "a.txt",
                                     "Content-Length : %d" % len(smuggled)) + smuggled)

    def test_sound_requests_still_served(self):
        data = b"hello"
        chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
        got, _ = self.raw(self.head("PUT", self.alice.files + "c.txt",
                                    "Transfer-Encoding: chunked") + chunked, timeout=2)
        self.assertTrue(got.startswith(b"HTTP/1.1 201 "), got[:100])
        self.assertEqual(self.alice.get(self.alice.files + "c.txt").body, data)
        # two requests on one connection, each with one length
        two = (self.head("PUT", self.alice.files + "d.txt", "Content-Length: 2") + b"ab" +
               self.head("GET", self.alice.files + "d.txt"))
        got, _ = self.raw(two, timeout=2)
        self.assertEqual(got.count(b"HTTP/1.1 "), 2, got)
        self.assertTrue(got.endswith(b"ab"), got[-50:])


if __name__ == "__main__":
    unittest.main()

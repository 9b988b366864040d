"""One logger (issue 15, part B): libmicrohttpd's own messages go through
Veil's logger at the configured level with paths and addresses removed, and at
log_level = debug every refused request says its method, status and
precondition or reason - never a login, an address, a path segment or a
client IP.  The tests drive aborted downloads, bad requests and refusals from
a client address of their own and scan the whole log."""
import base64
import http.client
import re
import socket
import struct
import time
import unittest

from caldav_util import vcal, vevent
from veil import Server, User, propfind_body

CLIENT = "127.0.0.2"          # the tests' source address (the server listens on 127.0.0.1)
FORWARDED = "203.0.113.77"     # an X-Forwarded-For from an untrusted client
LOGINS = ["quartz-login-5521", "ember-login-8830"]
ALIAS = "hidden.alias.5521@private.example"
SECRET_DIR = "x-private-coll-4k"
SECRET_FILE = "secret-plan-zq7.bin"
SECRET_ICS = "uid-name-7kcfm%0A.ics"
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ veildav (error|warn|info|debug): ")


class LoggedServer(unittest.TestCase):
    level = "debug"

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server(config={"log_level": cls.level})
        s.add_user(LOGINS[0], password="first-password-xyz", display_name="Quartz")
        s.add_user(LOGINS[1], password="second-password-xyz", display_name="Ember")
        s.cli("alias", "add", LOGINS[0], ALIAS)
        s.start()
        cls.alice = User(s, LOGINS[0], s.app_password(LOGINS[0], "t"))
        cls.bob = User(s, LOGINS[1], s.app_password(LOGINS[1], "t"))
        cls.alice_ro = User(s, LOGINS[0], s.app_password(LOGINS[0], "ro", "--read-only"))
        cls.secrets = [cls.alice.pid, cls.bob.pid] + LOGINS + [
            ALIAS, "@", SECRET_DIR, SECRET_FILE, "secret-plan", "7kcfm", CLIENT, FORWARDED]

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def req(self, user, method, path, body=None, headers=None, auth=True):
        """A request from CLIENT, with an X-Forwarded-For nobody trusts."""
        h = {"X-Forwarded-For": FORWARDED}
        h.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30,
                                          source_address=(CLIENT, 0))
        try:
            return self.server.request(method, path, body, h,
                                       auth=(user.login, user.password) if auth else None,
                                       conn=conn)
        finally:
            conn.close()

    def raw(self, data):
        """Bytes on a socket from CLIENT; whatever comes back."""
        s = socket.socket()
        s.bind((CLIENT, 0))
        s.connect(("127.0.0.1", self.server.port))
        s.settimeout(1)
        s.sendall(data)
        try:
            return s.recv(4096)
        except socket.timeout:
            return b""
        finally:
            s.close()

    def aborted_download(self, path, rng=None):
        """A client that reads the start of a download and resets the
        connection (rclone cancelled, a video player seeking)."""
        tok = base64.b64encode(("%s:%s" % (self.alice.login, self.alice.password)).encode())
        s = socket.socket()
        s.bind((CLIENT, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        s.connect(("127.0.0.1", self.server.port))
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic "
                  + tok + b"\r\nX-Forwarded-For: " + FORWARDED.encode() + b"\r\n"
                  + (b"Range: " + rng.encode() + b"\r\n" if rng else b"") + b"\r\n")
        s.recv(4096)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()

    def drive(self):
        """Aborted downloads, bad requests and refusals; returns the log."""
        a, b = self.alice, self.bob
        d = a.files + SECRET_DIR + "/"
        self.assertEqual(self.req(a, "MKCOL", d).status, 201)
        big = d + SECRET_FILE
        self.assertEqual(self.req(a, "PUT", big, b"z" * (6 << 20)).status, 201)
        self.aborted_download(big)
        self.aborted_download(big, "bytes=1024-")
        # headers past libmicrohttpd's per-connection memory: it answers 431 itself
        self.assertTrue(self.raw(b"GET " + big.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                 b"a" * 70000 + b"\r\n\r\n").startswith(b"HTTP/1.1 431 "))
        # bad requests
        self.assertEqual(self.req(a, "PROPFIND", d, "<D:propfind xmlns:D='DAV:'><D:prop>",
                                  {"Depth": "1"}).status, 400)
        self.assertEqual(self.req(a, "GET", d + "a%00" + SECRET_FILE).status, 400)
        self.assertEqual(self.req(a, "BREW", big).status, 501)
        self.assertEqual(self.req(a, "PROPFIND", d, propfind_body("D:getetag"),
                                  {"Depth": "7"}).status, 400)
        self.raw(b"PUT " + big.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                 b"Content-Length: 2\r\n\r\nab")
        self.raw(b"\x00\x01 " + big.encode() + b" garbage\r\n\r\n")
        # refusals
        self.assertEqual(self.req(a, "PUT", big, b"x", {"If-Match": '"nope"'}).status, 412)
        self.assertEqual(self.req(b, "GET", big).status, 404)
        self.assertEqual(self.req(self.alice_ro, "PUT", big, b"x").status, 403)
        wrong = User.__new__(User)
        wrong.login, wrong.password = LOGINS[0], "not-the-password"
        self.assertEqual(self.req(wrong, "GET", big).status, 401)
        self.assertEqual(self.req(a, "GET", big, auth=False).status, 401)
        self.assertEqual(self.req(a, "GET", big, headers={"Range": "bytes=999999999-"}).status,
                         416)
        lock = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
                '</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>' + ALIAS +
                '</D:owner></D:lockinfo>')
        self.assertEqual(self.req(a, "LOCK", big, lock, {"Content-Type": "text/xml"}).status, 200)
        self.assertEqual(self.req(a, "PUT", big, b"x").status, 423)
        cal = a.calendars + "calendar/"
        bad = vcal(vevent("log-bad", ":notadate", extra="ATTENDEE:mailto:%s\r\n" % ALIAS))
        self.assertEqual(self.req(a, "PUT", cal + "bad-" + SECRET_ICS, bad, ICS).status, 403)
        good = vcal(vevent("log-uid", ":20270101T100000Z"))
        self.assertEqual(self.req(a, "PUT", cal + SECRET_ICS, good, ICS).status, 201)
        self.assertEqual(self.req(a, "PUT", cal + "other-" + SECRET_ICS, good, ICS).status, 409)
        time.sleep(0.5)  # the aborted sends are noticed by the server's threads
        return self.server.server_log()

    def assertNoSecrets(self, log):
        for s in self.secrets:
            self.assertNotIn(s, log, "%r in the log:\n%s" % (s, log))
        # ... nor any of them percent-encoded
        self.assertNotIn("%0A", log)


class DebugLog(LoggedServer):
    def test_refusals_say_why_and_nothing_else(self):
        log = self.drive()
        self.assertNoSecrets(log)
        lines = log.splitlines()
        # one logger: every line is Veil's
        for line in lines:
            self.assertRegex(line, LOG_LINE)
        # libmicrohttpd's messages, through it, without what they quote (the
        # formatting itself: tests/unit/test_server_mhd_log.c; with epoll an
        # aborted download is noticed before any send fails, silently)
        self.assertRegex(log, r"veildav debug: libmicrohttpd: Error processing request \(HTTP "
                              r"response code is 431 \('\[removed\]'\)\)")
        # every 4xx and 5xx: method, status, precondition or reason
        refused = [l for l in lines if re.search(r"veildav (debug|error): \S+ [45]\d\d\b", l)]
        for l in refused:
            self.assertRegex(l, r"veildav (debug|error): \S+ [45]\d\d \S", l)
        want = ["PROPFIND 400 Malformed XML request body",
                "GET 400 Invalid request path: NUL, / or a control character",
                "other 501 Method not implemented",
                "PROPFIND 400 Invalid Depth header",
                "PUT 400 conflicting or malformed message framing",
                "PUT 412 If-Match",
                "GET 404 not visible to the caller, or missing",
                "PUT 403 DAV:need-privileges (write-content)",
                "GET 401 credentials refused",
                "GET 401 no Basic credentials",
                "GET 416 Range not satisfiable",
                "PUT 423 DAV:lock-token-submitted",
                "PUT 403 CALDAV:valid-calendar-data",
                "PUT 409 CALDAV:no-uid-conflict"]
        for w in want:
            self.assertIn("veildav debug: " + w, log)


class InfoLog(LoggedServer):
    level = "info"

    def test_connection_noise_stays_out(self):
        log = self.drive()
        self.assertNoSecrets(log)
        for line in log.splitlines():
            self.assertRegex(line, LOG_LINE)
        self.assertNotIn("libmicrohttpd", log)
        self.assertNotIn("debug:", log)


if __name__ == "__main__":
    unittest.main()

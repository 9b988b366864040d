"""Authentication rules (issue: the account database): scopes, read-only, CIDR
ranges in and out (IPv4, IPv6, behind trusted proxies), expiry, deletion,
bridge mode, identical 401s with similar timing, throttling, and no logins or
client addresses in the log."""
import base64
import http.client
import socket
import statistics
import subprocess
import threading
import time
import unittest

from veil import Server, User, propfind_body

GOOD = (200, 207)


def basic(login, password):
    return "Basic " + base64.b64encode(("%s:%s" % (login, password)).encode()).decode()


class AuthRules(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(config={"auth_fail_limit": "1000"})
        cls.server.add_user("carol", password="carol-account-pw")
        cls.server.add_user("dave", password="dave-account-pw")
        cls.server.start()
        cls.files = "/files/%s/" % cls.server.pid("carol")

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def get(self, login, password, path=None, method="PROPFIND", body=None, headers=None):
        h = {"Depth": "0"}
        h.update(headers or {})
        return self.server.request(method, path or self.files, body, h, auth=(login, password))

    def test_bridge_mode(self):
        dave = "/files/%s/" % self.server.pid("dave")
        # no dav app password yet: the account password works
        self.assertIn(self.get("dave", "dave-account-pw", dave).status, GOOD)
        # an imap-only app password changes nothing for DAV
        imap = self.server.app_password("dave", "mail", "--protocols", "imap,smtp")
        self.assertEqual(self.get("dave", imap, "/files/%s/" % self.server.pid("dave")).status,
                         401)
        self.assertIn(self.get("dave", "dave-account-pw",
                               "/files/%s/" % self.server.pid("dave")).status, GOOD)
        # a dav app password ends bridge mode at once, even for cached credentials
        dav = self.server.app_password("dave", "phone", "--protocols", "dav")
        self.assertEqual(self.get("dave", "dave-account-pw", dave).status, 401)
        self.assertIn(self.get("dave", dav, "/files/%s/" % self.server.pid("dave")).status, GOOD)
        # deleting it restores bridge mode
        self.server.cli("app-password", "delete", "--user", "dave", "--name", "phone")
        self.assertIn(self.get("dave", "dave-account-pw",
                               "/files/%s/" % self.server.pid("dave")).status, GOOD)

    def test_scope_and_format(self):
        pw = self.server.app_password("carol", "scoped", "--protocols", "imap")
        self.assertEqual(self.get("carol", pw).status, 401)
        pw = self.server.app_password("carol", "dav-scope", "--protocols", "dav,imap")
        self.assertIn(self.get("carol", pw).status, GOOD)
        # typed loosely: upper case, without dashes
        self.assertIn(self.get("carol", pw.upper().replace("-", "")).status, GOOD)
        self.assertRegex(pw, r"^([a-z2-9]{4}-){5}[a-z2-9]{4}$")

    def test_read_only(self):
        pw = self.server.app_password("carol", "ro", "--read-only")
        self.assertIn(self.get("carol", pw).status, GOOD)
        self.assertEqual(self.get("carol", pw, method="GET").status, 200)
        r = self.get("carol", pw, self.files + "ro.txt", "PUT", b"x")
        self.assertEqual(r.status, 403)
        self.assertIn(b"need-privileges", r.body)
        for method in ("MKCOL", "DELETE", "PROPPATCH", "LOCK", "MOVE", "COPY"):
            r = self.get("carol", pw, self.files, method, None,
                         {"Destination": self.files + "x/"})
            self.assertEqual(r.status, 403, method)
        # its privileges say so too
        r = self.get("carol", pw, body=propfind_body("D:current-user-privilege-set"))
        self.assertIn(b"<D:read/>", r.body)
        self.assertNotIn(b"<D:write-content/>", r.body)

    def test_cidr_ipv4_in_and_out(self):
        inside = self.server.app_password("carol", "lan", "--allow", "127.0.0.0/8")
        outside = self.server.app_password("carol", "office", "--allow", "10.0.0.0/8",
                                           "192.168.0.0/16")
        v6only = self.server.app_password("carol", "v6", "--allow", "::1/128")
        self.assertIn(self.get("carol", inside).status, GOOD)
        self.assertEqual(self.get("carol", outside).status, 401)
        self.assertEqual(self.get("carol", v6only).status, 401)

    def test_expiry(self):
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3))
        pw = self.server.app_password("carol", "brief", "--expires", soon)
        self.assertIn(self.get("carol", pw).status, GOOD)   # now cached
        time.sleep(4.2)
        self.assertEqual(self.get("carol", pw).status, 401)
        past = self.server.cli("app-password", "create", "--user", "carol", "--name", "old",
                               "--expires", "2001-01-01", check=False)
        self.assertEqual(past.returncode, 2)

    def test_expiry_in_the_creation_message(self):
        # issue 13: the message said "(dav, until )" with the date on another line
        p = self.server.cli("app-password", "create", "--user", "carol", "--name", "trip",
                            "--read-only", "--allow", "127.0.0.0/8", "--expires", "2099-07-01")
        msg = p.stderr.decode()
        self.assertIn("(dav, read-only, from 127.0.0.0/8, until 2099-07-01T00:00:00Z)", msg)
        self.assertNotIn("until )", msg)
        p = self.server.cli("app-password", "create", "--user", "carol", "--name", "forever")
        self.assertIn("(dav): shown once", p.stderr.decode())
        listing = self.server.cli("app-password", "list", "--user", "carol").stdout.decode()
        trip = [l for l in listing.splitlines() if l.startswith("trip ")][0]
        self.assertIn("2099-07-01T00:00:00Z", trip)

    def test_deletion_takes_effect_at_once(self):
        pw = self.server.app_password("carol", "lost-phone")
        self.assertIn(self.get("carol", pw).status, GOOD)
        self.assertIn(self.get("carol", pw).status, GOOD)  # served from the cache
        self.server.cli("app-password", "delete", "--user", "carol", "--name", "lost-phone")
        self.assertEqual(self.get("carol", pw).status, 401)

    def test_disable_and_passwd(self):
        self.server.add_user("erin", password="erin-first-password")
        self.assertIn(self.get("erin", "erin-first-password", "/").status, GOOD)
        self.server.cli("user", "disable", "erin")
        self.assertEqual(self.get("erin", "erin-first-password", "/").status, 401)
        self.server.cli("user", "enable", "erin")
        self.assertIn(self.get("erin", "erin-first-password", "/").status, GOOD)
        self.server.cli("user", "passwd", "erin", "--password-stdin",
                        stdin="erin-second-password\n")
        self.assertEqual(self.get("erin", "erin-first-password", "/").status, 401)
        self.assertIn(self.get("erin", "erin-second-password", "/").status, GOOD)

    def test_concurrent_first_logins(self):
        """Many connections presenting one new credential at the same moment
        share one verification (the others wait for it); each still gets the
        right answer, and a wrong password among them is refused."""
        import threading
        self.server.add_user("fern", password="fern-account-pw")
        files = "/files/%s/" % self.server.pid("fern")
        results = []

        def attempt(password):
            results.append((password, self.get("fern", password, files).status))

        threads = [threading.Thread(target=attempt, args=(pw,))
                   for pw in ["fern-account-pw"] * 10 + ["not-ferns-pw"] * 3]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(results), 13)
        for password, status in results:
            if password == "fern-account-pw":
                self.assertIn(status, GOOD)
            else:
                self.assertEqual(status, 401)

    def test_utf8_credentials(self):
        self.server.add_user("zoe.u", password="pässwörd-ünïcode-ß")
        self.assertIn(self.get("zoe.u", "pässwörd-ünïcode-ß", "/").status, GOOD)
        self.assertEqual(self.get("zoe.u", "passwort", "/").status, 401)

    def test_identical_401s(self):
        self.server.add_user("frank", password="frank-account-pw")
        self.server.cli("user", "disable", "frank")
        wrong_scope = self.server.app_password("carol", "imap-only", "--protocols", "imap")
        out_of_range = self.server.app_password("carol", "far", "--allow", "10.1.2.0/24")
        attempts = {
            "unknown user": basic("nobody-here", "whatever"),
            "wrong password": basic("carol", "wrong-password"),
            "disabled account": basic("frank", "frank-account-pw"),
            "wrong scope": basic("carol", wrong_scope),
            "out of range": basic("carol", out_of_range),
            "malformed": "Basic !!!notbase64",
            "no credentials": None,
        }
        seen = {}
        for why, header in attempts.items():
            h = {"Depth": "0"}
            if header:
                h["Authorization"] = header
            r = self.server.request("PROPFIND", self.files, None, h)
            self.assertEqual(r.status, 401, why)
            headers = sorted((k.lower(), v) for k, v in r.header_list if k.lower() != "date")
            seen[why] = (headers, r.body)
        first = next(iter(seen.values()))
        for why, got in seen.items():
            self.assertEqual(got, first, why)
        challenge = dict(first[0])["www-authenticate"]
        self.assertEqual(challenge, 'Basic realm="Veil", charset="UTF-8"')

    def test_similar_timing(self):
        def median(login, password):
            times = []
            for _ in range(5):
                t = time.monotonic()
                r = self.get(login, password, "/")
                times.append(time.monotonic() - t)
                self.assertEqual(r.status, 401)
            return statistics.median(times)
        unknown = median("no-such-user-%d" % time.time(), "pw")
        wrong = median("carol", "wrong-password-%d" % time.time())
        wrong_app = median("carol", "abcd-efgh-ijkm-npqr-stuv-wxyz")
        for t in (unknown, wrong, wrong_app):
            self.assertGreater(t, 0.01)  # a slow hash ran every time
        self.assertLess(max(unknown, wrong, wrong_app) / min(unknown, wrong, wrong_app), 3.0)

    def test_log_has_no_logins_or_client_addresses(self):
        self.get("carol", "wrong-password-for-log")
        self.get("nonexistent-login-xyz", "pw")
        log = self.server.server_log()
        for secret in ("carol", "nonexistent-login-xyz", "wrong-password-for-log"):
            self.assertNotIn(secret, log)
        for line in log.splitlines():
            if "127.0.0.1" in line:
                self.assertIn("listening on", line)  # the server's own address, once


class Throttle(unittest.TestCase):
    def test_failures_are_throttled_but_known_good_credentials_pass(self):
        server = Server(config={"auth_fail_limit": "5", "auth_fail_window": "60"})
        try:
            server.add_user("gina", password="gina-account-pw")
            server.start()
            path = "/files/%s/" % server.pid("gina")
            good = server.request("PROPFIND", path, None, {"Depth": "0"},
                                  auth=("gina", "gina-account-pw"))
            self.assertEqual(good.status, 207)
            codes = [server.request("PROPFIND", path, None, {"Depth": "0"},
                                    auth=("gina", "guess-%d" % i)).status for i in range(8)]
            self.assertEqual(codes[:5], [401] * 5)
            self.assertEqual(codes[5:], [429] * 3)
            r = server.request("PROPFIND", path, None, {"Depth": "0"}, auth=("gina", "guess-x"))
            self.assertEqual(r.status, 429)
            self.assertGreater(int(r.header("Retry-After")), 0)
            # unknown logins are throttled the same way: nothing to learn
            r = server.request("PROPFIND", path, None, {"Depth": "0"}, auth=("nobody", "x"))
            self.assertEqual(r.status, 429)
            # the owner, already verified, is not locked out
            good = server.request("PROPFIND", path, None, {"Depth": "0"},
                                  auth=("gina", "gina-account-pw"))
            self.assertEqual(good.status, 207)
        finally:
            server.cleanup()


    def test_an_ipv6_client_is_counted_per_64(self):
        # one host owns its /64: guesses from every address in it share one
        # budget, while another /64 keeps its own (addresses arrive through a
        # trusted proxy's X-Forwarded-For, the only way to have many on ::1)
        server = Server(config={"auth_fail_limit": "5", "auth_fail_window": "60",
                                "trusted_proxies": "127.0.0.1/32"})
        try:
            server.add_user("ivan", password="ivan-account-pw")
            server.start()
            path = "/files/%s/" % server.pid("ivan")

            def try_as(login, xff):
                return server.request("PROPFIND", path, None,
                                      {"Depth": "0", "X-Forwarded-For": xff},
                                      auth=(login, "wrong")).status

            # a different login each time, so only the address budget counts
            codes = [try_as("spray-%d" % i, "2001:db8:1:2::%x" % (i + 1)) for i in range(8)]
            self.assertEqual(codes[:5], [401] * 5)
            self.assertEqual(codes[5:], [429] * 3)
            self.assertEqual(try_as("spray-x", "2001:db8:1:2:ffff:ffff:ffff:ffff"), 429)
            self.assertEqual(try_as("spray-y", "2001:db8:1:3::1"), 401)  # the next /64
            self.assertEqual(try_as("spray-z", "192.0.2.7"), 401)
        finally:
            server.cleanup()


    def test_concurrent_guesses_cannot_pass_the_budget_together(self):
        # 16 guesses at one login at the same moment, from 16 addresses (so
        # only the login's budget applies): exactly the budget is checked,
        # the rest refused — in every round
        server = Server(config={"auth_fail_limit": "3", "auth_fail_window": "600",
                                "trusted_proxies": "127.0.0.1/32"})
        try:
            server.start()
            path = "/files/"
            rounds, over = 100, []
            for rnd in range(rounds):
                barrier = threading.Barrier(16)
                codes = [None] * 16

                def guess(k):
                    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    conn.connect()
                    barrier.wait()
                    codes[k] = server.request(
                        "PROPFIND", path, None,
                        {"Depth": "0", "X-Forwarded-For": "198.51.%d.%d" % (rnd, k + 1)},
                        auth=("target-%d" % rnd, "guess-%d" % k), conn=conn).status
                    conn.close()

                threads = [threading.Thread(target=guess, args=(k,)) for k in range(16)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(sorted(set(codes)), [401, 429], codes)
                if codes.count(401) != 3:
                    over.append((rnd, codes.count(401)))
            self.assertEqual(over, [], "rounds where more guesses than the budget were checked")
        finally:
            server.cleanup()

class Proxies(unittest.TestCase):
    def test_forwarded_for_only_from_trusted_proxies(self):
        trusting = Server(config={"trusted_proxies": "127.0.0.1/32"})
        plain = Server()
        try:
            for s in (trusting, plain):
                s.add_user("hank", password="hank-account-pw")
                s.start()
            pw_t = trusting.app_password("hank", "home", "--allow", "203.0.113.0/24")
            pw_p = plain.app_password("hank", "home", "--allow", "203.0.113.0/24")

            def status(s, pw, xff):
                h = {"Depth": "0"}
                if xff:
                    h["X-Forwarded-For"] = xff
                return s.request("PROPFIND", "/", None, h, auth=("hank", pw)).status

            self.assertEqual(status(trusting, pw_t, "203.0.113.7"), 207)
            self.assertEqual(status(trusting, pw_t, "198.51.100.1, 203.0.113.7"), 207)
            self.assertEqual(status(trusting, pw_t, "203.0.113.7, 198.51.100.1"), 401)
            self.assertEqual(status(trusting, pw_t, None), 401)
            # an untrusted peer cannot claim an address
            self.assertEqual(status(plain, pw_p, "203.0.113.7"), 401)
        finally:
            trusting.cleanup()
            plain.cleanup()

    def test_ipv6_ranges(self):
        try:
            socket.create_connection(("::1", 9), timeout=0.2)
        except ConnectionRefusedError:
            pass
        except OSError:
            self.skipTest("no IPv6 loopback on this machine")
        s = Server()
        try:
            s.add_user("ivy", password="ivy-account-pw")
            conf = s.data + "/veildav.conf"
            with open(conf) as f:
                text = f.read().replace("listen = 127.0.0.1:%d" % s.port, "listen = [::1]:%d" % s.port)
            with open(conf, "w") as f:
                f.write(text)
            inside = s.app_password("ivy", "v6", "--allow", "::1/128")
            outside = s.app_password("ivy", "v6b", "--allow", "2001:db8::/32")
            v4 = s.app_password("ivy", "v4", "--allow", "127.0.0.1/32")
            proc = subprocess.Popen([s.binary, "--data", s.data, "serve"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                import http.client
                for _ in range(100):
                    try:
                        socket.create_connection(("::1", s.port), timeout=0.2).close()
                        break
                    except OSError:
                        time.sleep(0.05)

                def status(pw):
                    c = http.client.HTTPConnection("::1", s.port, timeout=30)
                    c.request("PROPFIND", "/", headers={"Depth": "0",
                                                        "Authorization": basic("ivy", pw)})
                    st = c.getresponse().status
                    c.close()
                    return st
                self.assertEqual(status(inside), 207)
                self.assertEqual(status(outside), 401)
                self.assertEqual(status(v4), 401)
            finally:
                proc.terminate()
                proc.wait()
        finally:
            s.cleanup()


class Cli(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_help_everywhere(self):
        for args in (["--help"], ["init", "--help"], ["serve", "--help"], ["user", "--help"],
                     ["alias", "--help"], ["app-password", "--help"]):
            p = self.server.cli(*args)
            self.assertIn(b"usage", p.stdout.lower(), args)
        for group, cmds in (("user", ["add", "list", "show", "disable", "enable", "passwd",
                                      "delete"]),
                            ("alias", ["add", "list", "remove"]),
                            ("app-password", ["create", "list", "delete"])):
            for c in cmds:
                p = self.server.cli(group, c, "--help")
                self.assertEqual(p.returncode, 0)
                self.assertIn(b"usage: veildav %s %s" % (group.encode(), c.encode()), p.stdout)

    def test_errors_are_one_line_and_nonzero(self):
        cases = [(["frobnicate"], 2), (["user"], 2), (["user", "add"], 2),
                 (["user", "add", "bad login!"], 2), (["user", "show", "ghost"], 1),
                 (["app-password", "create", "--user", "ghost", "--name", "x"], 1),
                 (["app-password", "create", "--name", "x"], 2),
                 (["user", "add", "x", "--bogus"], 2)]
        for args, code in cases:
            p = self.server.cli(*args, check=False)
            self.assertEqual(p.returncode, code, args)
            self.assertTrue(p.stderr.strip(), args)
        self.server.add_user("jay", password="jay-account-pw")
        for args in (["app-password", "create", "--user", "jay", "--name", "x", "--protocols",
                      "ftp"],
                     ["app-password", "create", "--user", "jay", "--name", "x", "--allow",
                      "300.1.1.1/8"],
                     ["app-password", "create", "--user", "jay", "--name", "x", "--expires",
                      "tomorrow"],
                     ["alias", "add", "jay", "not-an-address"]):
            p = self.server.cli(*args, check=False)
            self.assertEqual(p.returncode, 2, args)
            self.assertEqual(len(p.stderr.decode().strip().splitlines()), 1, args)

    def test_app_password_printed_alone_and_never_listed(self):
        self.server.add_user("kim", password="kim-account-pw")
        p = self.server.cli("app-password", "create", "--user", "kim", "--name", "laptop",
                            "--read-only", "--allow", "127.0.0.1/32", "::1/128",
                            "--expires", "2099-01-01")
        out = p.stdout.decode()
        self.assertRegex(out, r"^([a-z2-9]{4}-){5}[a-z2-9]{4}\n$")
        secret = out.strip()
        listing = self.server.cli("app-password", "list", "--user", "kim").stdout.decode()
        self.assertIn("laptop", listing)
        self.assertIn("read-only", listing)
        self.assertIn("127.0.0.1/32 ::1/128", listing)
        self.assertNotIn(secret, listing)
        self.assertNotIn(secret[5:], listing)
        self.assertNotIn("$scrypt$", listing)
        # the database holds only the lookup group and a slow hash
        dump = subprocess.run(["sqlite3", self.server.data + "/accounts.db",
                               "SELECT lookup, hash FROM app_passwords"],
                              stdout=subprocess.PIPE).stdout.decode()
        self.assertIn("$scrypt$ln=13,r=8,p=10$", dump)
        self.assertNotIn(secret.replace("-", "")[4:], dump)
        dup = self.server.cli("app-password", "create", "--user", "kim", "--name", "laptop",
                              check=False)
        self.assertEqual(dup.returncode, 1)

    def test_user_lifecycle_and_aliases(self):
        p = self.server.cli("user", "add", "lee", "--display-name", "Lee L.")
        generated = p.stdout.decode().strip()
        self.assertGreaterEqual(len(generated), 25)
        url = self.server.principal_url("lee")
        self.assertRegex(url, r"^/principals/[a-z2-7]{26}/$")
        self.assertNotIn("lee", url)
        self.server.cli("alias", "add", "lee", "Lee@Example.COM")
        aliases = self.server.cli("alias", "list", "lee").stdout.decode()
        self.assertIn("Lee@example.com", aliases)
        dup = self.server.cli("alias", "add", "kim", "lee@example.com", check=False)
        self.assertEqual(dup.returncode, 1)
        self.server.cli("alias", "remove", "Lee@example.com")
        self.assertNotIn("example.com", self.server.cli("alias", "list").stdout.decode())
        listing = self.server.cli("user", "list").stdout.decode()
        self.assertIn(url, listing)
        refused = self.server.cli("user", "delete", "lee", check=False)
        self.assertEqual(refused.returncode, 2)
        self.server.cli("user", "delete", "lee", "--yes")
        self.assertEqual(self.server.cli("user", "show", "lee", check=False).returncode, 1)


if __name__ == "__main__":
    unittest.main()

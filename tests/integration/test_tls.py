"""HTTPS through libmicrohttpd's TLS support: `serve --tls-cert PEM --tls-key PEM` and the
tls_cert / tls_key settings.  The certificate is made here with the openssl command line
for 127.0.0.1, and the client verifies it (no verification is switched off)."""
import base64
import http.client
import os
import ssl
import subprocess
import time
import unittest

from veil import Server


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.srv = Server()
        self.addCleanup(self.srv.cleanup)
        self.password = self.srv.add_user("tls-user-x7")
        self.cert, self.key = make_cert(self.srv.dir)
        self.ctx = ssl.create_default_context(cafile=self.cert)

    def https(self, method, path, auth=True):
        c = http.client.HTTPSConnection("127.0.0.1", self.srv.port, context=self.ctx, timeout=30)
        h = {"Depth": "0"}
        if auth:
            tok = base64.b64encode(("tls-user-x7:" + self.password).encode()).decode()
            h["Authorization"] = "Basic " + tok
        try:
            c.request(method, path, headers=h)
            r = c.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            c.close()

    def check_serves_https(self):
        status, _, _ = self.https("OPTIONS", "/", auth=False)
        self.assertIn(status, (200, 401))
        status, headers, _ = self.https("PROPFIND", self.srv.principal_url("tls-user-x7"))
        self.assertEqual(status, 207)
        status, headers, _ = self.https("GET", "/", auth=False)
        self.assertEqual(status, 401)
        self.assertIn('realm="Veil"', headers.get("www-authenticate", ""))
        # RFC 6764 §5: the well-known URIs send clients to the HTTPS server itself (what
        # CalDAVTester's well-known files check against its $hostssl: address)
        for method in ("GET", "PROPFIND"):
            for path in ("/.well-known/caldav", "/.well-known/carddav/"):
                for auth in (True, False):
                    status, headers, _ = self.https(method, path, auth=auth)
                    self.assertEqual(status, 307, (method, path, auth))
                    self.assertEqual(headers.get("location"),
                                     "https://127.0.0.1:%d/" % self.srv.port)
        # plain HTTP on the TLS port is not answered as DAV
        c = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=10)
        try:
            c.request("OPTIONS", "/")
            r = c.getresponse()
            self.assertNotIn(r.status, (200, 207))
        except (http.client.HTTPException, OSError):
            pass  # the server closed the connection: that is an answer too
        finally:
            c.close()

    def test_flags_on_the_command_line(self):
        log = open(self.srv.log_path, "ab")
        self.srv.log = log
        self.srv.proc = subprocess.Popen(
            [self.srv.binary, "--data", self.srv.data, "serve", "--tls-cert", self.cert,
             "--tls-key", self.key], stdout=log, stderr=log)
        self.wait_listening()
        self.check_serves_https()

    def test_settings_in_the_config_file(self):
        with open(os.path.join(self.srv.data, "veildav.conf"), "a") as f:
            f.write("tls_cert = %s\ntls_key = %s\n" % (self.cert, self.key))
        self.srv.start()
        self.check_serves_https()

    def test_missing_key_is_a_clear_error(self):
        p = subprocess.run([self.srv.binary, "--data", self.srv.data, "serve", "--tls-cert",
                            self.cert], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"tls", p.stderr.lower())
        p = subprocess.run([self.srv.binary, "--data", self.srv.data, "serve", "--tls-cert",
                            os.path.join(self.srv.dir, "absent.pem"), "--tls-key", self.key],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)

    def wait_listening(self):
        import socket
        deadline = time.time() + 30
        while time.time() < deadline:
            self.assertIsNone(self.srv.proc.poll(), self.srv.server_log())
            try:
                socket.create_connection(("127.0.0.1", self.srv.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.fail("veildav did not start listening")


if __name__ == "__main__":
    unittest.main()

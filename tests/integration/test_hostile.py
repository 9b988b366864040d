"""Hostile and slow clients (issue 18): one client address cannot hold more
than its share of connections (slow headers, idle sockets), idle connections
close, and many large uploads at once cannot exhaust memory (503 with
Retry-After for the one over the server-wide budget, nothing lost).  The
attacker speaks from 127.0.0.2, the normal client from 127.0.0.1."""
import http.client
import socket
import threading
import time
import unittest

from veil import Server, User

ATTACKER = "127.0.0.2"


def raw_connect(port, source=ATTACKER):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((source, 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    return s


def closed_by_server(s, within):
    """Does the server close s (EOF or reset) within `within` seconds?"""
    s.settimeout(within)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


class Hostile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server(config={"max_connections_per_client": "8",
                                        "connection_timeout_seconds": "3",
                                        "max_body_bytes": "1M",
                                        "max_buffered_body_bytes": "1M"})
        s.add_user("hal", password="pw-hal-123456")
        s.start()
        cls.hal = User(s, "hal", s.app_password("hal", "t"))
        assert cls.hal.propfind(cls.hal.calendars, None, {"Depth": "0"}).status == 207

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_one_client_holds_its_share_only(self):
        port = self.server.port
        # slowloris: headers that never end
        held = []
        for _ in range(8):
            s = raw_connect(port)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            held.append(s)
        time.sleep(0.3)
        # the ninth from the same address is closed at once
        extra = raw_connect(port)
        extra.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertTrue(closed_by_server(extra, 2))
        extra.close()
        # anyone else is served meanwhile
        for _ in range(5):
            self.assertEqual(self.hal.propfind(self.hal.calendars, None,
                                               {"Depth": "0"}).status, 207)
        # the idle ones are closed after connection_timeout_seconds...
        t0 = time.time()
        for s in held:
            self.assertTrue(closed_by_server(s, 10))
            s.close()
        self.assertLess(time.time() - t0, 10)
        # ...which frees the address's share
        again = raw_connect(port)
        again.sendall(b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        again.settimeout(5)
        self.assertTrue(again.recv(64).startswith(b"HTTP/1.1 "))
        again.close()

    def take_share(self, port):
        """The attacker's whole share, held: 8 connections the server kept.
        Connections of an earlier test the server has not yet seen closed
        still count for a moment, so a refused one means try again."""
        deadline = time.time() + 10
        while True:
            socks = [raw_connect(port) for _ in range(8)]
            if not any(closed_by_server(s, 0.3) for s in socks):
                return socks
            for s in socks:
                s.close()
            self.assertLess(time.time(), deadline, "the server never freed the share")
            time.sleep(0.5)

    def test_slow_trickle_still_times_out_per_share(self):
        """A client that sends one header byte every second is never idle,
        but still holds only its share."""
        port = self.server.port
        stop = threading.Event()
        socks = self.take_share(port)

        def trickle():
            line = b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100
            i = 0
            while not stop.is_set() and i < len(line):
                for s in socks:
                    try:
                        s.send(line[i:i + 1])
                    except OSError:
                        pass
                i += 1
                stop.wait(0.5)
        t = threading.Thread(target=trickle)
        t.start()
        try:
            time.sleep(0.5)
            extra = raw_connect(port)
            self.assertTrue(closed_by_server(extra, 2))
            extra.close()
            self.assertEqual(self.hal.propfind(self.hal.calendars, None,
                                               {"Depth": "0"}).status, 207)
        finally:
            stop.set()
            t.join()
            for s in socks:
                s.close()

    def test_body_budget(self):
        """Two uploads at once whose bodies together pass
        max_buffered_body_bytes: the second is told to come back (503,
        Retry-After), the first completes, and the second then succeeds."""
        port = self.server.port
        path = "/files/%s/big.bin" % self.server.pid("hal")
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        hdrs = {"Content-Length": str(900 * 1024), "Content-Type": "application/octet-stream"}
        hdrs.update(self.hal_auth())
        first.putrequest("PUT", path)
        for k, v in hdrs.items():
            first.putheader(k, v)
        first.endheaders()
        first.send(b"x" * (800 * 1024))  # held, not finished
        time.sleep(0.5)
        r = self.hal.put("/files/%s/small.bin" % self.server.pid("hal"), b"y" * (300 * 1024),
                         {"Content-Type": "application/octet-stream"})
        self.assertEqual(r.status, 503)
        self.assertEqual(r.header("retry-after"), "5")
        self.assertEqual(self.hal.get("/files/%s/small.bin" % self.server.pid("hal")).status, 404)
        first.send(b"x" * (100 * 1024))
        resp = first.getresponse()
        resp.read()
        self.assertIn(resp.status, (201, 204))
        first.close()
        r = self.hal.put("/files/%s/small.bin" % self.server.pid("hal"), b"y" * (300 * 1024),
                         {"Content-Type": "application/octet-stream"})
        self.assertIn(r.status, (201, 204))

    def hal_auth(self):
        import base64
        token = base64.b64encode(("hal:%s" % self.hal.password).encode()).decode()
        return {"Authorization": "Basic " + token}


class Config(unittest.TestCase):
    def test_budget_below_one_upload_is_refused(self):
        s = Server(config={"max_body_bytes": "8M", "max_buffered_body_bytes": "4M"})
        try:
            p = s.cli("serve", check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("max_buffered_body_bytes", p.stderr.decode())
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

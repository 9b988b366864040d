#!/usr/bin/python3
"""Hostile and slow clients against one veildav (issue 18): the latency a
normal client sees (a new connection per request: PROPFIND Depth 0 of its
calendar home, then GET of a small file) with nobody else, and during each
attack.  Attackers speak from 127.0.0.2 and up, the normal client from
127.0.0.1; only loopback traffic.

    VEILDAV=build/veildav /usr/bin/python3 tests/bench/hostile.py [--requests 1000]
"""
import argparse
import base64
import http.client
import os
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from veil import Server, User  # noqa: E402


class Attack:
    """Sockets held open from many source addresses, fed by one thread."""

    def __init__(self, port, addresses, per_address, opener, feeder=None, period=1.0):
        self.port, self.opener, self.feeder, self.period = port, opener, feeder, period
        self.addresses, self.per_address = addresses, per_address
        self.socks, self.refused = [], 0
        self.stop = threading.Event()
        self.thread = None

    def start(self):
        for a in range(self.addresses):
            src = "127.0.0.%d" % (2 + a)
            for _ in range(self.per_address):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((src, 0))
                    s.settimeout(2)
                    s.connect(("127.0.0.1", self.port))
                    self.opener(s)
                    self.socks.append(s)
                except OSError:
                    self.refused += 1
                    s.close()
        self.thread = threading.Thread(target=self.feed, daemon=True)
        self.thread.start()
        time.sleep(0.5)
        return self

    def feed(self):
        while not self.stop.wait(self.period):
            if not self.feeder:
                continue
            for s in list(self.socks):
                try:
                    self.feeder(s)
                except OSError:
                    self.socks.remove(s)

    def end(self):
        self.stop.set()
        if self.thread:
            self.thread.join()
        held = 0
        for s in self.socks:
            try:
                s.setblocking(False)
                held += s.recv(1) != b""
            except BlockingIOError:
                held += 1  # still open
            except OSError:
                pass
            s.close()
        return held


def measure(server, user, n):
    """Latencies (ms) of n request pairs, each on a new connection."""
    token = base64.b64encode(("%s:%s" % (user.login, user.password)).encode()).decode()
    h = {"Authorization": "Basic " + token, "Depth": "0"}
    out, failures = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        try:
            for method, path in (("PROPFIND", user.calendars), ("GET", user.files + "small.txt")):
                c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                               source_address=("127.0.0.1", 0))
                c.request(method, path, headers=h)
                r = c.getresponse()
                r.read()
                c.close()
                if r.status >= 400:
                    failures += 1
        except OSError:
            failures += 1
        out.append((time.perf_counter() - t0) * 1000)
    return out, failures


def row(name, lat, failures, note=""):
    lat = sorted(lat)
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
    print("| %s | %.2f | %.2f | %.2f | %d | %s |" % (name, statistics.median(lat), p(0.99),
                                                      lat[-1], failures, note))
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    args = ap.parse_args()
    s = Server()
    s.add_user("norm", password="pw-norm-123456")
    s.add_user("mal", password="pw-mal-123456")
    s.start()
    try:
        u = User(s, "norm", s.app_password("norm", "t"))
        mal = User(s, "mal", s.app_password("mal", "t"))
        u.propfind(u.calendars, None, {"Depth": "0"})
        mal.propfind(mal.files, None, {"Depth": "0"})
        u.put(u.files + "small.txt", "hello\n", {"Content-Type": "text/plain"})
        mal_auth = base64.b64encode(("mal:%s" % mal.password).encode())
        port = s.port
        print("| attack | p50 ms | p99 ms | max ms | failed | held / refused |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        lat, f = measure(s, u, args.requests)
        row("none", lat, f)

        def partial_header(sock):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")

        def one_more_byte(sock):
            sock.send(b"X")

        def slow_put(sock):
            sock.sendall(b"PUT " + mal.files.encode() + b"slow%d.bin HTTP/1.1\r\nHost: x\r\n"
                         % sock.fileno() + b"Authorization: Basic " + mal_auth +
                         b"\r\nContent-Length: 1048576\r\n\r\n")

        attacks = [
            ("slowloris, 1 address x 2000", 1, 2000, partial_header, one_more_byte, 5.0),
            ("slowloris, 30 addresses x 64", 30, 64, partial_header, one_more_byte, 5.0),
            ("idle sockets, 30 addresses x 64", 30, 64, lambda sock: None, None, 5.0),
            ("slow bodies (signed in), 30 addresses x 16", 30, 16, slow_put, one_more_byte, 1.0),
        ]
        for name, addrs, per, opener, feeder, period in attacks:
            a = Attack(port, addrs, per, opener, feeder, period).start()
            lat, f = measure(s, u, args.requests)
            held = a.end()
            row(name, lat, f, "%d held at the end, %d refused at connect" % (held, a.refused))
            time.sleep(1)
    finally:
        s.cleanup()


if __name__ == "__main__":
    main()

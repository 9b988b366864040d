#!/usr/bin/python3
"""Password guessing against one veildav with the default throttle (issue 18):
how many guesses an attacker gets verified per minute — per account, per
source address, and from many addresses at once — and what the account's
owner sees meanwhile.  Every attacker sends as fast as the server answers, on
keep-alive connections; a guess is "verified" when it is answered 401 (the
password was checked), "refused" when answered 429 (the throttle stopped it
before any hashing).  Attackers speak from 127.0.0.2 and up; IPv6 addresses
reach the server through a trusted proxy's X-Forwarded-For (127.0.0.200), the
only way to have many of them on one machine.  Only loopback traffic.

    VEILDAV=build/veildav /usr/bin/python3 tests/bench/auth_throttle.py [--seconds 180]
"""
import argparse
import base64
import http.client
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from veil import Server, User  # noqa: E402

PROXY = "127.0.0.200"


def basic(login, password):
    return "Basic " + base64.b64encode(("%s:%s" % (login, password)).encode()).decode()


class Attacker(threading.Thread):
    """Guesses from one source address until told to stop; logins() gives the
    login of each guess, xff() the X-Forwarded-For (or None)."""

    def __init__(self, port, path, src, logins, xff=None):
        super().__init__(daemon=True)
        self.port, self.path, self.src, self.logins, self.xff = port, path, src, logins, xff
        self.counts = {}
        self.stop = threading.Event()

    def run(self):
        conn, i = None, 0
        while not self.stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                  source_address=(self.src, 0))
            h = {"Depth": "0", "Authorization": basic(self.logins(i), "guess-%d" % i)}
            if self.xff:
                h["X-Forwarded-For"] = self.xff(i)
            try:
                conn.request("PROPFIND", self.path, headers=h)
                r = conn.getresponse()
                r.read()
                self.counts[r.status] = self.counts.get(r.status, 0) + 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
                self.counts["error"] = self.counts.get("error", 0) + 1
            i += 1


def owner_checks(server, path, login, password, cached_conn):
    """(status for the owner's device already signed in, status for a new
    device of the owner signing in now)."""
    h = {"Depth": "0", "Authorization": basic(login, password)}
    cached_conn.request("PROPFIND", path, headers=h)
    r = cached_conn.getresponse()
    r.read()
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                   source_address=("127.0.0.250", 0))
    c.request("PROPFIND", path, headers=h)
    r2 = c.getresponse()
    r2.read()
    c.close()
    return r.status, r2.status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=180)
    ap.add_argument("--addresses", type=int, default=50)
    args = ap.parse_args()
    s = Server(config={"trusted_proxies": PROXY + "/32"})
    for login in ("victim1", "victim2", "victim3"):
        s.add_user(login, password="pw-%s-correct-horse" % login)
    s.start()
    try:
        path = "/files/%s/" % s.pid("victim1")
        owner_conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        first = owner_checks(s, path, "victim1", "pw-victim1-correct-horse", owner_conn)
        n = args.addresses
        scenarios = [
            ("one address, one account", [
                Attacker(s.port, path, "127.0.0.2", lambda i: "victim1")]),
            ("one address, a new login each guess (spraying)", [
                Attacker(s.port, path, "127.0.0.3", lambda i: "spray3-%d" % i)]),
            ("%d addresses, one account" % n, [
                Attacker(s.port, path, "127.0.0.%d" % (10 + k), lambda i: "victim2")
                for k in range(n)]),
            ("%d addresses, each a new login each guess" % n, [
                Attacker(s.port, path, "127.0.0.%d" % (100 + k),
                         lambda i, k=k: "spray%d-%d" % (k, i)) for k in range(n)]),
            ("%d IPv6 addresses of one /64, a new login each guess" % n, [
                Attacker(s.port, path, PROXY, lambda i, k=k: "v6spray%d-%d" % (k, i),
                         lambda i, k=k: "2001:db8:7:7::%x" % (k + 1)) for k in range(n)]),
        ]
        t0 = time.monotonic()
        for _, attackers in scenarios:
            for a in attackers:
                a.start()
        time.sleep(min(10.0, args.seconds / 2))
        during = owner_checks(s, path, "victim1", "pw-victim1-correct-horse", owner_conn)
        time.sleep(max(0.0, args.seconds - (time.monotonic() - t0)))
        for _, attackers in scenarios:
            for a in attackers:
                a.stop.set()
        for _, attackers in scenarios:
            for a in attackers:
                a.join()
        minutes = (time.monotonic() - t0) / 60.0
        print("default throttle: auth_fail_limit 20 per auth_fail_window 60 s, per address "
              "(IPv6: per /64) and per login; %.1f minutes" % minutes)
        print("| attacker | guesses verified (401) | per minute | refused (429) | other |")
        print("| --- | ---: | ---: | ---: | --- |")
        for name, attackers in scenarios:
            total = {}
            for a in attackers:
                for k, v in a.counts.items():
                    total[k] = total.get(k, 0) + v
            other = {k: v for k, v in total.items() if k not in (401, 429)}
            print("| %s | %d | %.1f | %d | %s |" % (name, total.get(401, 0),
                                                   total.get(401, 0) / minutes,
                                                   total.get(429, 0), other or "-"))
        print("owner of victim1 before the attack: signed-in device %d, new device %d" % first)
        print("owner of victim1 during the attack: signed-in device %d, new device %d" % during)
    finally:
        s.cleanup()


if __name__ == "__main__":
    main()

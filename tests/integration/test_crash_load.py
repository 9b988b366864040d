"""kill -9 under a mixed write load: PUT, DELETE, MOVE, PROPPATCH, LOCK and
UNLOCK of files, PUT and DELETE of events, sharing, from several threads;
the server is killed with SIGKILL at a random moment, checked with `veildav
store check` (SQLite's integrity check), restarted, and every thread's data
is compared with what it was told:

- every acknowledged (2xx) write is there;
- nothing unacknowledged is half-applied: each thread has at most one write
  in flight when the server dies, and its data is exactly the state before
  that write or exactly the state after it (a MOVE is whole or not at all);
- sync tokens stay monotonic and complete: a sync-collection from a token
  taken before the kill answers (the token is still valid), reports every
  acknowledged change made after it, and its new token's revision is not
  lower than any seen before.

VEIL_CRASH_CYCLES sets the number of kills (10 by default, as in CI; the
full run is 100).  The summary line goes to standard error."""
import os
import random
import re
import subprocess
import sys
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from caldav_util import vcal, vevent
from veil import NS, Server, User

D = "{DAV:}"
CS = "{http://calendarserver.org/ns/}"
XML = {"Content-Type": "application/xml; charset=utf-8"}
FILES = ["f%d" % i for i in range(6)]
EVENTS = ["e%d.ics" % i for i in range(4)]
COUNTER = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x-crash">'
           '<D:set><D:prop><Z:counter>%d</Z:counter></D:prop></D:set></D:propertyupdate>')
LOCK = ('<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
        '</D:lockscope><D:locktype><D:write/></D:locktype><D:owner>crash</D:owner></D:lockinfo>')
LISTING = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:x-crash"><D:prop>'
           '<D:getetag/><D:lockdiscovery/><Z:counter/><D:resourcetype/></D:prop></D:propfind>')
INVITE = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
          '<D:prop><CS:invite/></D:prop></D:propfind>')
SYNC = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>%s</D:sync-token>'
        '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')
ANY_TOKEN = "?"  # a lock whose LOCK was not answered: there or not, with a token unknown


def share_body(bob, access):
    inner = ("<CS:set><D:href>%s</D:href><CS:%s/></CS:set>" % (bob, access) if access
             else "<CS:remove><D:href>%s</D:href></CS:remove>" % bob)
    return ('<?xml version="1.0"?><CS:share xmlns:D="DAV:" '
            'xmlns:CS="http://calendarserver.org/ns/">%s</CS:share>' % inner)


def token_revision(token):
    m = re.match(r"urn:x-veil:sync:[0-9a-f]{8}-(\d+)$", token or "")
    return int(m.group(1)) if m else None


class Uncertain(Exception):
    """The server did not answer a write: it may or may not have happened."""


class NotSent(Exception):
    """The server was gone before the write reached it: it did not happen."""


class Worker:
    """One thread's writes, in its own folder and calendar, and what it was
    told about them (`world`: every key of its data -> its value)."""

    def __init__(self, test, user, n, bob_href):
        self.test, self.u, self.n, self.bob = test, user, n, bob_href
        self.folder = "%scrash-%d/" % (user.files, n)
        self.cal = "%scrash-%d/" % (user.calendars, n)
        self.rng = random.Random(1000 + n)
        self.world = {("prop",): None, ("share",): None}
        for f in FILES:
            self.world[("file", f)] = None
            self.world[("lock", f)] = None
        for e in EVENTS:
            self.world[("event", e)] = None
        self.version = 0
        self.pending = None     # the world if the write in flight happened
        self.acked = 0
        self.uncertain = 0
        self.applied = 0  # writes in flight at a kill found done after it
        self.sync_token = None  # the last token this thread was given
        self.changed_since = set()  # events changed (acknowledged) after it
        self.max_revision = 0
        self.error = None

    # --- one write -----------------------------------------------------------
    def request(self, method, path, body=None, headers=None, ok=(200, 201, 204, 207)):
        try:
            r = self.u.req(method, path, body, headers)
        except ConnectionRefusedError:
            raise NotSent()
        except Exception as e:  # the connection died with the server
            raise Uncertain(repr(e))
        if r.status >= 500:
            raise Uncertain("%s %s: %d" % (method, path, r.status))
        if r.status not in ok:
            raise AssertionError("%s %s answered %d: %s" % (method, path, r.status, r.text[:300]))
        return r

    def step(self):
        w = self.world
        free = [f for f in FILES if w[("lock", f)] is None]
        present = [f for f in free if w[("file", f)] is not None]
        new = dict(w)
        self.version += 1
        v = self.version
        kind = self.rng.choice(["put", "put", "delete", "move", "proppatch", "lock", "unlock",
                                "event", "event", "event-delete", "share", "sync"])
        if kind == "put" and free:
            f = self.rng.choice(free)
            body = ("t%d v%d " % (self.n, v)).encode() * self.rng.randint(1, 200)
            new[("file", f)] = body
            self.pending = new
            self.request("PUT", self.folder + f, body)
        elif kind == "delete" and present:
            f = self.rng.choice(present)
            new[("file", f)] = None
            self.pending = new
            self.request("DELETE", self.folder + f)
        elif kind == "move" and present and len(free) > 1:
            src = self.rng.choice(present)
            dst = self.rng.choice([f for f in free if f != src])
            new[("file", dst)] = w[("file", src)]
            new[("file", src)] = None
            self.pending = new
            self.request("MOVE", self.folder + src, None,
                         {"Destination": self.folder + dst, "Overwrite": "T"})
        elif kind == "proppatch":
            new[("prop",)] = v
            self.pending = new
            self.request("PROPPATCH", self.folder, COUNTER % v, XML)
        elif kind == "lock" and present:
            f = self.rng.choice(present)
            new[("lock", f)] = ANY_TOKEN
            self.pending = new
            r = self.request("LOCK", self.folder + f, LOCK, dict(XML, Timeout="Infinite"))
            new[("lock", f)] = r.header("Lock-Token").strip("<>")
        elif kind == "unlock" and any(w[("lock", f)] for f in FILES):
            f = self.rng.choice([f for f in FILES if w[("lock", f)]])
            new[("lock", f)] = None
            self.pending = new
            self.request("UNLOCK", self.folder + f, None,
                         {"Lock-Token": "<%s>" % w[("lock", f)]})
        elif kind == "event":
            e = self.rng.choice(EVENTS)
            new[("event", e)] = v
            self.pending = new
            uid = "crash-%d-%s" % (self.n, e)
            body = vcal(vevent(uid, ":20270105T100000Z", ":20270105T110000Z",
                               summary="v%d" % v))
            self.request("PUT", self.cal + e, body, {"Content-Type": "text/calendar"})
            self.changed_since.add(e)
        elif kind == "event-delete" and any(w[("event", e)] for e in EVENTS):
            e = self.rng.choice([e for e in EVENTS if w[("event", e)]])
            new[("event", e)] = None
            self.pending = new
            self.request("DELETE", self.cal + e)
            self.changed_since.add(e)
        elif kind == "share":
            access = self.rng.choice([None, "read", "read-write"])
            new[("share",)] = access
            self.pending = new
            self.request("POST", self.cal, share_body(self.bob, access), XML)
        elif kind == "sync":
            self.take_token()
            return
        else:
            return
        self.world, self.pending = new, None
        self.acked += 1

    def take_token(self):
        try:
            r = self.u.req("REPORT", self.cal, SYNC % (self.sync_token or ""), dict(XML, Depth="1"))
        except Exception:
            return  # a read: nothing to remember
        if r.status != 207:
            return
        token = r.xml().find("D:sync-token", NS).text
        rev = token_revision(token)
        self.test.assertIsNotNone(rev, token)
        self.test.assertGreaterEqual(rev, self.max_revision, "a sync token went backwards")
        self.max_revision = rev
        self.sync_token = token
        self.changed_since = set()

    def run(self, stop):
        try:
            while not stop.is_set():
                self.step()
        except Uncertain:
            self.uncertain += 1  # wait for the restart with pending set
        except NotSent:
            self.pending = None
        except Exception as e:
            self.error = e

    # --- after the restart ------------------------------------------------------
    def observe(self):
        obs = {}
        r = self.u.propfind(self.folder, LISTING, {"Depth": "1"})
        self.test.assertEqual(r.status, 207, r.text)
        seen = set()
        for resp in r.xml().findall("D:response", NS):
            href = resp.find("D:href", NS).text
            props = {}
            for ps in resp.findall("D:propstat", NS):
                if ps.find("D:status", NS).text.split()[1] == "200":
                    for p in ps.find("D:prop", NS):
                        props[p.tag] = p
            if href == self.folder:
                c = props.get("{urn:x-crash}counter")
                obs[("prop",)] = int(c.text) if c is not None else None
                continue
            name = href[len(self.folder):]
            self.test.assertIn(name, FILES, "a file nobody wrote: %s" % href)
            seen.add(name)
            g = self.u.get(href)
            self.test.assertEqual(g.status, 200, href)
            obs[("file", name)] = g.body
            tok = props.get(D + "lockdiscovery")
            tok = tok.find("D:activelock/D:locktoken/D:href", NS) if tok is not None else None
            obs[("lock", name)] = tok.text if tok is not None else None
        for f in FILES:
            if f not in seen:
                obs[("file", f)] = None
                obs[("lock", f)] = None
        for e in EVENTS:
            g = self.u.get(self.cal + e)
            self.test.assertIn(g.status, (200, 404), e)
            m = re.search(rb"SUMMARY:v(\d+)", g.body) if g.status == 200 else None
            obs[("event", e)] = int(m.group(1)) if m else None
        r = self.u.propfind(self.cal, INVITE, {"Depth": "0"})
        self.test.assertEqual(r.status, 207, r.text)
        obs[("share",)] = None
        for user in r.xml().iter(CS + "user"):
            for a in ("read", "read-write"):
                if user.find("CS:access/CS:%s" % a, NS) is not None:
                    obs[("share",)] = a
        return obs

    @staticmethod
    def matches(world, obs):
        for k, v in world.items():
            o = obs.get(k)
            if v == ANY_TOKEN:
                if o is None:
                    return False
            elif v != o:
                return False
        return True

    def verify(self, cycle):
        obs = self.observe()
        candidates = [self.world] + ([self.pending] if self.pending else [])
        if not any(self.matches(w, obs) for w in candidates):
            diff = {k: (self.world.get(k), self.pending and self.pending.get(k), obs.get(k))
                    for k in obs if not self.matches({k: self.world.get(k)}, obs)}
            raise AssertionError("cycle %d thread %d: data is neither the acknowledged state nor "
                                 "the one after the write in flight (acked, pending, found): %r"
                                 % (cycle, self.n, diff))
        applied = self.pending is not None and self.matches(self.pending, obs) and \
            not self.matches(self.world, obs)
        self.applied += applied
        # what a sync from the last token must report: the acknowledged event
        # changes since, and the one in flight only if it happened
        must = set(self.changed_since)
        if applied:
            for e in EVENTS:
                if self.pending[("event", e)] != self.world[("event", e)]:
                    must.add(e)
        self.world, self.pending = obs, None
        if self.sync_token:
            r = self.u.req("REPORT", self.cal, SYNC % self.sync_token, dict(XML, Depth="1"))
            self.test.assertEqual(r.status, 207, "a token from before the kill is refused: %s"
                                  % r.text[:300])
            got = {resp.find("D:href", NS).text.rsplit("/", 1)[-1]
                   for resp in r.xml().findall("D:response", NS)}
            self.test.assertTrue(must <= got, "cycle %d thread %d: changes %r missing from the "
                                 "sync after the kill" % (cycle, self.n, must - got))
            rev = token_revision(r.xml().find("D:sync-token", NS).text)
            self.test.assertGreaterEqual(rev, self.max_revision, "sync token went backwards")
            if must:
                self.test.assertGreater(rev, token_revision(self.sync_token))
        self.take_token()


class KillNineUnderLoad(unittest.TestCase):
    THREADS = 4

    def test_kill_nine_under_mixed_load(self):
        cycles = int(os.environ.get("VEIL_CRASH_CYCLES", "10"))
        rng = random.Random(int(os.environ.get("VEIL_CRASH_SEED", "7")))
        server = Server()
        try:
            server.add_user("crash", password="crash-pass-1", display_name="Crash")
            server.add_user("sharee", password="sharee-pass-1", display_name="Sharee")
            server.start()
            alice = User(server, "crash", server.app_password("crash", "t"))
            bob = User(server, "sharee", server.app_password("sharee", "t"))
            self.assertEqual(bob.propfind(bob.calendars, None, {"Depth": "0"}).status, 207)
            workers = [Worker(self, alice, n, bob.principal) for n in range(self.THREADS)]
            for w in workers:
                self.assertEqual(alice.mkcol(w.folder).status, 201)
                self.assertEqual(alice.mkcalendar(w.cal).status, 201)
                w.take_token()
            started = time.time()
            for cycle in range(cycles):
                stop = threading.Event()
                threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
                for t in threads:
                    t.start()
                time.sleep(rng.uniform(0.2, 1.5))
                server.kill9()
                stop.set()
                for t in threads:
                    t.join()
                for w in workers:
                    if w.error:
                        raise w.error
                check = server.cli("store", "check", check=False)
                self.assertEqual(check.returncode, 0, check.stderr.decode())
                server.start()
                for w in workers:
                    w.verify(cycle)
            acked = sum(w.acked for w in workers)
            inflight = sum(w.uncertain for w in workers)
            applied = sum(w.applied for w in workers)
            sys.stderr.write("\n  kill -9: %d cycles in %.0f s, %d acknowledged writes, 0 lost; "
                             "%d writes unanswered at a kill, %d of them whole, the others not "
                             "at all\n" % (cycles, time.time() - started, acked, inflight,
                                            applied))
            self.assertGreater(acked, cycles * 5)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

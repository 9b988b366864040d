"""Issue 14: two devices write at once.  Each group of conflicting requests is
fired together, released by one barrier, for ROUNDS rounds; at most one of a
conflicting group may succeed and the others must get the status the RFCs give
(412 for a failed precondition, 409 for a UID already taken, 423 for a lock
already held) - never a second success, a lost update or a 5xx."""
import base64
import http.client
import os
import threading
import unittest

from caldav_util import vcal, vevent
from veil import ServerTest, propfind_body, responses

ROUNDS = int(os.environ.get("VEIL_RACE_ROUNDS", "200"))
WRITERS = 4
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
LOCK_BODY = ('<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:%s/></D:lockscope>'
             '<D:locktype><D:write/></D:locktype></D:lockinfo>')


def event(uid, summary="v"):
    return vcal(vevent(uid, ":20270105T100000Z", ":20270105T110000Z", summary=summary))


class Races(ServerTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.alice
        cls.cal = a.calendars + "calendar/"
        token = base64.b64encode(("alice:%s" % a.password).encode()).decode()
        cls.auth = {"Authorization": "Basic " + token}

    def race(self, requests):
        """Sends every (method, path, body, headers) at once; [(status, headers)]."""
        n = len(requests)
        conns = [http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
                 for _ in range(n)]
        for c in conns:
            c.connect()
        barrier = threading.Barrier(n)
        out = [None] * n

        def run(i):
            method, path, body, headers = requests[i]
            h = dict(self.auth)
            h.update(headers or {})
            barrier.wait()
            try:
                conns[i].request(method, path, body=body, headers=h)
                r = conns[i].getresponse()
                r.read()
                out[i] = (r.status, {k.lower(): v for k, v in r.getheaders()})
            except Exception as e:  # a dropped connection is a failure too
                out[i] = (0, {"error": repr(e)})
            finally:
                conns[i].close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return out

    def check_round(self, name, results, ok, refused, exactly_one=False):
        statuses = [s for s, _ in results]
        wins = [s for s in statuses if s in ok]
        self.assertLessEqual(len(wins), 1, "%s: %s" % (name, statuses))
        if exactly_one:
            self.assertEqual(len(wins), 1, "%s: %s" % (name, statuses))
        for s in statuses:
            self.assertIn(s, set(ok) | set(refused), "%s: %s" % (name, statuses))
        return statuses

    def etag(self, path):
        r = self.alice.get(path)
        self.assertEqual(r.status, 200, path)
        return r.header("etag")

    def test_if_match_updates(self):
        """RFC 9110 §13.1.1: one If-Match ETag, four writers: one wins."""
        path = self.cal + "contended.ics"
        self.assertIn(self.alice.put(path, event("contended"), ICS).status, (201, 204))
        for rnd in range(ROUNDS):
            tag = self.etag(path)
            reqs = [("PUT", path, event("contended", "r%d-w%d" % (rnd, w)),
                     dict(ICS, **{"If-Match": tag})) for w in range(WRITERS)]
            res = self.race(reqs)
            self.check_round("if-match round %d" % rnd, res, (200, 201, 204), (412,),
                             exactly_one=True)
            # the winner's edit is what is stored
            winner = [i for i, (s, _) in enumerate(res) if s in (200, 204)][0]
            body = self.alice.get(path).text
            self.assertIn("r%d-w%d" % (rnd, winner), body)

    def test_if_none_match_creates(self):
        """If-None-Match: * - four creators of one URL: one 201, the others 412."""
        for rnd in range(ROUNDS):
            path = self.cal + "inm-%d.ics" % rnd
            reqs = [("PUT", path, event("inm-%d" % rnd, "w%d" % w),
                     dict(ICS, **{"If-None-Match": "*"})) for w in range(WRITERS)]
            self.check_round("if-none-match round %d" % rnd, self.race(reqs), (201,), (412,),
                             exactly_one=True)

    def test_same_uid_at_different_urls(self):
        """RFC 4791 §5.3.2.1 no-uid-conflict: four URLs, one UID: one stored."""
        for rnd in range(ROUNDS):
            uid = "dup-%d" % rnd
            reqs = [("PUT", self.cal + "%s-%d.ics" % (uid, w), event(uid), ICS)
                    for w in range(WRITERS)]
            self.check_round("same-uid round %d" % rnd, self.race(reqs), (201,), (409,),
                             exactly_one=True)
        r = self.alice.propfind(self.cal, propfind_body("D:getetag"), {"Depth": "1"})
        names = [h for h in responses(r) if "/dup-" in h]
        self.assertEqual(len(names), ROUNDS)

    def test_exclusive_and_shared_locks(self):
        """RFC 4918 §6.1: an exclusive lock excludes every other lock."""
        path = self.alice.files + "locked.txt"
        self.assertIn(self.alice.put(path, b"x").status, (201, 204))
        xml = {"Content-Type": "application/xml", "Depth": "0"}
        for rnd in range(ROUNDS):
            # three exclusive and one shared request, or all exclusive
            scopes = ["exclusive"] * WRITERS if rnd % 2 else ["exclusive"] * 3 + ["shared"]
            reqs = [("LOCK", path, LOCK_BODY % s, xml) for s in scopes]
            res = self.race(reqs)
            self.check_round("lock round %d" % rnd, res, (200,), (423,), exactly_one=True)
            for s, h in res:
                if s == 200:
                    r = self.alice.req("UNLOCK", path, None, {"Lock-Token": h["lock-token"]})
                    self.assertEqual(r.status, 204)
        # shared locks do not exclude each other
        res = self.race([("LOCK", path, LOCK_BODY % "shared", xml)] * WRITERS)
        self.assertEqual([s for s, _ in res], [200] * WRITERS)
        for _, h in res:
            self.alice.req("UNLOCK", path, None, {"Lock-Token": h["lock-token"]})

    def test_move_onto_one_destination(self):
        """Four MOVEs onto one destination without Overwrite: one lands."""
        base = self.alice.files + "moves/"
        self.assertEqual(self.alice.mkcol(base).status, 201)
        for rnd in range(ROUNDS):
            srcs = [base + "src-%d-%d.txt" % (rnd, w) for w in range(WRITERS)]
            for s in srcs:
                self.assertEqual(self.alice.put(s, s.encode()).status, 201)
            dest = "http://127.0.0.1:%d%sdest-%d.txt" % (self.server.port, base, rnd)
            reqs = [("MOVE", s, None, {"Destination": dest, "Overwrite": "F"}) for s in srcs]
            res = self.race(reqs)
            self.check_round("move round %d" % rnd, res, (201,), (412,), exactly_one=True)
            winner = [i for i, (s, _) in enumerate(res) if s == 201][0]
            self.assertEqual(self.alice.get(base + "dest-%d.txt" % rnd).body, srcs[winner].encode())
            # the losers are still where they were
            for i, s in enumerate(srcs):
                self.assertEqual(self.alice.get(s).status, 404 if i == winner else 200)

    def test_delete_against_put(self):
        """A DELETE and PUTs with the same If-Match: one of them wins."""
        for rnd in range(ROUNDS):
            path = self.cal + "dp-%d.ics" % rnd
            self.assertEqual(self.alice.put(path, event("dp-%d" % rnd), ICS).status, 201)
            tag = self.etag(path)
            reqs = [("DELETE", path, None, {"If-Match": tag})]
            reqs += [("PUT", path, event("dp-%d" % rnd, "w%d" % w), dict(ICS, **{"If-Match": tag}))
                     for w in range(WRITERS - 1)]
            res = self.race(reqs)
            statuses = self.check_round("delete/put round %d" % rnd, res, (200, 204), (412,),
                                        exactly_one=True)
            gone = self.alice.get(path).status == 404
            self.assertEqual(gone, statuses[0] == 204, statuses)


if __name__ == "__main__":
    unittest.main()

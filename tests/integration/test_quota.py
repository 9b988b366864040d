"""Per-account storage quota (RFC 4331, issue 18): `veildav user quota`, the
quota-available-bytes and quota-used-bytes properties on an account's
collections, 507 with DAV:quota-not-exceeded for a change past the quota
(nothing stored), space freed at once, every way bytes arrive (PUT, COPY,
MOVE to another owner, PROPPATCH, a sharee's writes into a shared calendar,
scheduling deliveries, sharing notifications), writers racing for the last
bytes, `veildav store check` finding a counter changed behind the server's
back, and `rclone about`."""
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import unittest

from veil import NS, Server, User, prop, propfind_body, responses

D = "{DAV:}"
BIN = {"Content-Type": "application/octet-stream"}
ICS = {"Content-Type": "text/calendar; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}
QUOTA = propfind_body("D:quota-available-bytes", "D:quota-used-bytes")


def event(uid, summary="Event", organizer=None, attendees=()):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "BEGIN:VEVENT",
             "UID:%s" % uid, "DTSTAMP:20260101T000000Z", "DTSTART:20270105T100000Z",
             "DURATION:PT1H", "SUMMARY:%s" % summary]
    if organizer:
        lines.append("ORGANIZER:%s" % organizer)
    lines += ["ATTENDEE;PARTSTAT=NEEDS-ACTION:%s" % a for a in attendees]
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def attendee_param(body, who, name):
    """A parameter of the ATTENDEE line of who@quota.example in an unfolded body."""
    for line in body.split("\r\n"):
        if line.startswith("ATTENDEE") and line.endswith(":mailto:%s@quota.example" % who):
            for part in line.split(":")[0].split(";")[1:]:
                key, _, value = part.partition("=")
                if key == name:
                    return value.strip('"')
    return None


class QuotaBase(unittest.TestCase):
    LOGINS = ()
    UNPROVISIONED = ()  # logins that have made no request yet

    config = None

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server(config=cls.config)
        for login in cls.LOGINS:
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, "%s@quota.example" % login, "--expose")
        s.start()
        cls.users = {login: User(s, login, s.app_password(login, "t")) for login in cls.LOGINS}
        for u in cls.users.values():  # the first request provisions the homes
            if u.login not in cls.UNPROVISIONED:
                assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def set_quota(self, login, size):
        self.server.cli("user", "quota", login, str(size))

    def quota(self, user, path=None, as_user=None):
        """(available, used) of a collection as as_user (default: user) sees
        it; None for a property that is not there."""
        path = path or user.files
        r = (as_user or user).propfind(path, QUOTA, {"Depth": "0"})
        self.assertEqual(r.status, 207, r.text)
        m = responses(r)
        out = []
        for name in ("quota-available-bytes", "quota-used-bytes"):
            el = prop(m, path, D + name)
            out.append(int(el.text) if el is not None else None)
        return tuple(out)

    def used(self, user):
        return self.quota(user)[1]

    def assert_over_quota(self, r):
        self.assertEqual(r.status, 507, r.text)
        root = r.xml()
        self.assertEqual(root.tag, D + "error")
        self.assertIsNotNone(root.find("D:quota-not-exceeded", NS), r.text)


class Quota(QuotaBase):
    LOGINS = ("alice", "bob", "carol", "dave", "erin", "frank")

    def test_properties_on_every_collection(self):
        a = self.users["alice"]
        used = self.used(a)
        self.assertGreater(used, 0)  # the homes' own properties count
        for home in (a.files, a.calendars, a.addressbooks):
            r = a.propfind(home, QUOTA, {"Depth": "1"})
            self.assertEqual(r.status, 207)
            m = responses(r)
            self.assertGreaterEqual(len(m), 1 if home == a.files else 2, r.text)
            for href in m:
                self.assertEqual(int(prop(m, href, D + "quota-used-bytes").text), used, href)
                self.assertIsNotNone(prop(m, href, D + "quota-available-bytes"), href)
        # RFC 4331 §3, §4: not in allprop; collections only
        r = a.propfind(a.files, '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>',
                       {"Depth": "0"})
        self.assertNotIn(b"quota-", r.body)
        self.assertEqual(a.put(a.files + "note.txt", "twelve bytes", BIN).status, 201)
        r = a.propfind(a.files + "note.txt", QUOTA, {"Depth": "0"})
        m = responses(r)
        self.assertEqual(len(m[a.files + "note.txt"][404]), 2)
        self.assertEqual(self.used(a), used + 12)
        # protected
        r = a.proppatch(a.files, '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                        '<D:quota-used-bytes>1</D:quota-used-bytes></D:prop></D:set>'
                        '</D:propertyupdate>', XML)
        self.assertEqual(responses(r)[a.files].keys(), {403})
        # without a quota the free space of the disk is what is available
        # (RFC 4331 §3 RECOMMENDS it), and with one what is left of it
        avail, _ = self.quota(a)
        st = os.statvfs(self.server.data)
        self.assertAlmostEqual(avail, st.f_bavail * st.f_frsize, delta=256 << 20)
        self.set_quota("alice", self.used(a) + 5000)
        self.assertEqual(self.quota(a), (5000, used + 12))
        self.set_quota("alice", 1)  # above it: none, never negative
        self.assertEqual(self.quota(a), (0, used + 12))
        self.set_quota("alice", "default")
        self.assertEqual(a.delete(a.files + "note.txt").status, 204)
        # the figures are the owner's: to others they are not there
        b = self.users["bob"]
        self.assertEqual(b.propfind(a.files, QUOTA, {"Depth": "0"}).status, 404)
        out = self.server.cli("user", "show", "alice").stdout.decode()
        self.assertIn("quota: unlimited (the default)\n", out)
        self.assertRegex(out, r"\nused: [^\n]*\b%d bytes" % used)

    def test_put_past_the_quota_stores_nothing(self):
        u = self.users["bob"]
        used = self.used(u)
        self.set_quota("bob", used + 1000)
        r = u.put(u.files + "big.bin", b"x" * 1001, BIN)
        self.assert_over_quota(r)
        self.assertEqual(u.get(u.files + "big.bin").status, 404)
        self.assertEqual(self.quota(u), (1000, used))
        # a calendar object as well, with nothing of it left behind
        self.set_quota("bob", used + 100)
        self.assert_over_quota(u.put(u.calendars + "calendar/e.ics", event("q-big"), ICS))
        self.assertEqual(u.get(u.calendars + "calendar/e.ics").status, 404)
        self.set_quota("bob", used + 1000)
        self.assertEqual(u.put(u.files + "fits.bin", b"x" * 1000, BIN).status, 201)
        self.assertEqual(self.quota(u), (0, used + 1000))
        self.assert_over_quota(u.put(u.files + "one.bin", b"x", BIN))
        # at the limit: an overwrite that does not grow passes, one that shrinks frees
        self.assertEqual(u.put(u.files + "fits.bin", b"y" * 1000, BIN).status, 204)
        self.assertEqual(u.put(u.files + "fits.bin", b"y" * 900, BIN).status, 204)
        self.assertEqual(self.quota(u), (100, used + 900))
        # above a quota lowered since: shrinking passes, growing does not
        self.set_quota("bob", used + 500)
        self.assertEqual(u.put(u.files + "fits.bin", b"z" * 800, BIN).status, 204)
        self.assert_over_quota(u.put(u.files + "fits.bin", b"z" * 850, BIN))
        self.assertEqual(u.get(u.files + "fits.bin").body, b"z" * 800)
        self.assertEqual(self.quota(u), (0, used + 800))
        # a delete frees the space at once
        self.assertEqual(u.delete(u.files + "fits.bin").status, 204)
        self.assertEqual(self.quota(u), (500, used))
        self.assertEqual(u.put(u.files + "again.bin", b"x" * 500, BIN).status, 201)
        # and a collection's whole subtree with it
        self.set_quota("bob", "unlimited")
        self.assertEqual(u.mkcol(u.files + "dir/").status, 201)
        self.assertEqual(u.put(u.files + "dir/a", b"a" * 3000, BIN).status, 201)
        self.assertEqual(u.put(u.files + "dir/b", b"b" * 4000, BIN).status, 201)
        self.assertEqual(self.used(u), used + 7500)
        self.assertEqual(u.delete(u.files + "dir/").status, 204)
        self.assertEqual(u.delete(u.files + "again.bin").status, 204)
        self.assertEqual(self.used(u), used)

    def test_copy_and_proppatch_count(self):
        u = self.users["carol"]
        self.assertEqual(u.put(u.files + "src.bin", b"s" * 2000, BIN).status, 201)
        used = self.used(u)
        self.set_quota("carol", used + 3000)
        dest = {"Destination": u.files + "copy.bin"}
        self.assertEqual(u.copy(u.files + "src.bin", None, dest).status, 201)
        self.assertEqual(self.used(u), used + 2000)
        self.assert_over_quota(u.copy(u.files + "src.bin", None,
                                      {"Destination": u.files + "copy2.bin"}))
        self.assertEqual(u.get(u.files + "copy2.bin").status, 404)
        # a dead property counts as stored: its element with its namespaces
        note = "n" * 600
        body = ('<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x"><D:set><D:prop>'
                '<X:note>%s</X:note></D:prop></D:set></D:propertyupdate>' % note)
        r = u.proppatch(u.files + "copy.bin", body, XML)
        self.assertEqual(list(responses(r)[u.files + "copy.bin"]), [200], r.text)
        grown = self.used(u) - (used + 2000)
        self.assertTrue(600 < grown < 700, grown)
        # past the quota the whole PROPPATCH is refused
        self.set_quota("carol", self.used(u) + 100)
        r = u.proppatch(u.files + "src.bin", body, XML)
        self.assert_over_quota(r)
        m = responses(u.propfind(u.files + "src.bin", propfind_body("X:note").replace(
            'xmlns:D="DAV:"', 'xmlns:D="DAV:" xmlns:X="urn:x"'), {"Depth": "0"}))
        self.assertIn(404, m[u.files + "src.bin"])
        r = u.proppatch(u.files + "copy.bin", '<D:propertyupdate xmlns:D="DAV:" xmlns:X="urn:x">'
                        '<D:remove><D:prop><X:note/></D:prop></D:remove></D:propertyupdate>',
                        XML)
        self.assertEqual(r.status, 207)
        self.assertEqual(self.used(u), used + 2000)
        self.set_quota("carol", "default")

    def test_move_to_another_owner(self):
        """Ownership follows a MOVE (RFC 3744 §5.1): the bytes leave the mover's
        usage for the owner's of the destination, whose quota decides."""
        a, b = self.users["dave"], self.users["erin"]
        self.assertEqual(a.mkcol(a.files + "dropbox/").status, 201)
        ace = ('<D:ace><D:principal><D:href>%s</D:href></D:principal><D:grant>'
               '<D:privilege><D:read/></D:privilege><D:privilege><D:write/></D:privilege>'
               '</D:grant></D:ace>' % b.principal)
        r = a.req("ACL", a.files + "dropbox/", '<D:acl xmlns:D="DAV:">%s</D:acl>' % ace, XML)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(b.put(b.files + "gift.bin", b"g" * 3000, BIN).status, 201)
        self.assertEqual(b.mkcol(b.files + "pack/").status, 201)
        self.assertEqual(b.put(b.files + "pack/1", b"1" * 1000, BIN).status, 201)
        self.assertEqual(b.put(b.files + "pack/2", b"2" * 2000, BIN).status, 201)
        ua, ub = self.used(a), self.used(b)
        r = b.move(b.files + "gift.bin", None, {"Destination": a.files + "dropbox/gift.bin"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual((self.used(a), self.used(b)), (ua + 3000, ub - 3000))
        # the destination's owner is full: the move is refused, nothing moves
        self.set_quota("dave", ua + 3000 + 2999)
        r = b.move(b.files + "pack/", None, {"Destination": a.files + "dropbox/pack/"})
        self.assert_over_quota(r)
        self.assertEqual(b.get(b.files + "pack/2").status, 200)
        self.assertEqual((self.used(a), self.used(b)), (ua + 3000, ub - 3000))
        self.set_quota("dave", ua + 6000)
        r = b.move(b.files + "pack/", None, {"Destination": a.files + "dropbox/pack/"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual((self.used(a), self.used(b)), (ua + 6000, ub - 6000))
        self.assertEqual(self.quota(a)[0], 0)
        # the sharee of a folder never sees its owner's figures
        self.assertEqual(self.quota(a, a.files + "dropbox/", as_user=b), (None, None))
        self.set_quota("dave", "default")

    def test_sharee_writes_count_against_the_owner(self):
        owner, sharee = self.users["frank"], self.users["bob"]
        p = self.server.cli("share", "add", "--owner", "frank", "--collection",
                            "calendars/calendar", "--with", "bob", "--read-write")
        view = p.stdout.decode().strip().split("\t")[1]
        if not view.endswith("/"):
            view += "/"
        uo, us = self.used(owner), self.used(sharee)
        r = sharee.put(view + "s.ics", event("shared-1", "Written by the sharee"), ICS)
        self.assertEqual(r.status, 201, r.text)
        size = len(owner.get(owner.calendars + "calendar/s.ics").body)
        self.assertEqual((self.used(owner), self.used(sharee)), (uo + size, us))
        # the view shows no figures: they are the owner's account's
        self.assertEqual(self.quota(sharee, view), (None, None))
        self.set_quota("frank", uo + size)
        self.assert_over_quota(sharee.put(view + "t.ics", event("shared-2"), ICS))
        self.assertEqual(owner.get(owner.calendars + "calendar/t.ics").status, 404)
        # the sharee's own calendar is theirs
        self.assertEqual(sharee.put(sharee.calendars + "calendar/t.ics", event("own-2"),
                                    ICS).status, 201)
        self.set_quota("frank", "default")


class DefaultQuota(QuotaBase):
    """quota_default_bytes applies to every account without a quota of its own."""
    LOGINS = ("dora", "orga", "newbie")
    UNPROVISIONED = ("newbie",)
    config = {"quota_default_bytes": "4k"}

    def test_default_from_the_configuration(self):
        u = self.users["dora"]
        used = self.used(u)
        self.assertEqual(self.quota(u), (4096 - used, used))
        self.assert_over_quota(u.put(u.files + "f.bin", b"f" * (4097 - used), BIN))
        self.assertEqual(u.put(u.files + "f.bin", b"f" * (4096 - used), BIN).status, 201)
        out = self.server.cli("user", "show", "dora").stdout.decode()
        self.assertIn("quota: 4.0 KiB (4096 bytes) (the default)\n", out)
        self.assertIn("used: 4.0 KiB (4096 bytes)\n", out)
        # an account's own quota, unlimited included, comes first
        self.set_quota("dora", "unlimited")
        self.assertEqual(u.put(u.files + "g.bin", b"g" * 5000, BIN).status, 201)
        out = self.server.cli("user", "show", "dora").stdout.decode()
        self.assertIn("quota: unlimited\n", out)

    def test_refused_delivery_to_someone_never_signed_in(self):
        """A delivery makes the homes of a user who never signed in; refused
        whole, it takes them along, and the user still gets them on their first
        request (what the refused delivery queued for after the commit went
        with it)."""
        o, n = self.users["orga"], self.users["newbie"]
        self.set_quota("orga", "unlimited")
        body = event("first-contact", "Long", "mailto:orga@quota.example",
                     ["mailto:orga@quota.example", "mailto:newbie@quota.example"])
        body = body.replace("SUMMARY:Long", "SUMMARY:Long\r\nDESCRIPTION:" + "d" * 3000)
        r = o.put(o.calendars + "calendar/first-contact.ics", body, ICS)
        self.assertEqual(r.status, 201, r.text)
        copy = o.get(o.calendars + "calendar/first-contact.ics").text.replace("\r\n ", "")
        self.assertEqual(attendee_param(copy, "newbie", "SCHEDULE-STATUS"), "5.1")
        r = n.propfind(n.calendars, propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertEqual(r.status, 207, r.text)
        self.assertIn(n.calendars + "calendar/", responses(r))
        self.assertLess(self.used(n), 4096)


class Deliveries(QuotaBase):
    """What the server stores for one user into another's space is undone alone
    when it would take the recipient past their quota: the sender's change
    succeeds, the sender sees SCHEDULE-STATUS 5.1 (as for any message that
    could not be delivered), and no one can fill another's storage."""
    LOGINS = ("olivia", "amy", "sam")

    def items(self, user, coll):
        r = user.propfind(coll, propfind_body("D:getetag"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        return sorted(h for h in responses(r) if h != coll)

    def organizer_copy(self, uid):
        o = self.users["olivia"]
        return o.get(o.calendars + "calendar/%s.ics" % uid).text.replace("\r\n ", "")

    def test_invitation_to_a_full_attendee(self):
        o, a = self.users["olivia"], self.users["amy"]
        self.assertEqual(a.put(a.files + "pad.bin", b"p" * 100, BIN).status, 201)
        used = self.used(a)
        self.set_quota("amy", used)
        cal, inbox = self.items(a, a.calendars + "calendar/"), self.items(a, a.calendars + "inbox/")
        body = event("inv-1", "Planning", "mailto:olivia@quota.example",
                     ["mailto:olivia@quota.example", "mailto:amy@quota.example"])
        r = o.put(o.calendars + "calendar/inv-1.ics", body, ICS)
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(attendee_param(self.organizer_copy("inv-1"), "amy", "SCHEDULE-STATUS"),
                         "5.1")
        self.assertEqual(self.items(a, a.calendars + "calendar/"), cal)
        self.assertEqual(self.items(a, a.calendars + "inbox/"), inbox)
        self.assertEqual(self.used(a), used)
        # with room again the next change is delivered
        self.set_quota("amy", "default")
        r = o.put(o.calendars + "calendar/inv-1.ics", body.replace("Planning", "Planning 2"), ICS)
        self.assertIn(r.status, (201, 204), r.text)
        self.assertEqual(attendee_param(self.organizer_copy("inv-1"), "amy", "SCHEDULE-STATUS"),
                         "1.2")
        self.assertEqual(len(self.items(a, a.calendars + "inbox/")), len(inbox) + 1)
        # an answer to a full organizer is not taken; the attendee's change is
        copy = [h for h in self.items(a, a.calendars + "calendar/") if h not in cal][0]
        self.set_quota("olivia", self.used(o))
        text = a.get(copy).text.replace("PARTSTAT=NEEDS-ACTION:mailto:amy",
                                        "PARTSTAT=ACCEPTED:mailto:amy")
        self.assertIn(a.put(copy, text, ICS).status, (201, 204))
        self.assertIn("PARTSTAT=ACCEPTED", a.get(copy).text)
        self.assertEqual(attendee_param(self.organizer_copy("inv-1"), "amy", "PARTSTAT"),
                         "NEEDS-ACTION")
        self.set_quota("olivia", "default")

    def test_sharing_notification_to_a_full_sharee(self):
        o, s = self.users["olivia"], self.users["sam"]
        self.assertEqual(s.put(s.files + "pad.bin", b"p" * 100, BIN).status, 201)
        self.set_quota("sam", self.used(s))
        used, notes = self.used(s), self.items(s, s.calendars + "notification/")
        share = ('<?xml version="1.0" encoding="utf-8"?><CS:share xmlns:D="DAV:" '
                 'xmlns:CS="http://calendarserver.org/ns/"><CS:set><D:href>'
                 'mailto:sam@quota.example</D:href><CS:read-write/></CS:set></CS:share>')
        r = o.post(o.calendars + "calendar/", share, XML)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.items(s, s.calendars + "notification/"), notes)
        self.assertEqual(self.used(s), used)
        self.set_quota("sam", "default")


class Import(QuotaBase):
    """`veildav import` writes members through the same step as a PUT: each
    item is held to the owner's quota as it is written."""
    LOGINS = ("ivan",)

    def write(self, name, n, size):
        parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil tests//EN\r\n"]
        for i in range(n):
            parts.append("BEGIN:VEVENT\r\nUID:imp-%s-%d\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART:20270105T100000Z\r\nDURATION:PT1H\r\nSUMMARY:%s\r\n"
                         "END:VEVENT\r\n" % (name, i, "x" * size))
        parts.append("END:VCALENDAR\r\n")
        path = os.path.join(self.server.dir, name + ".ics")
        with open(path, "w") as f:
            f.write("".join(parts))
        return path

    def run_import(self, path, *opts):
        return self.server.cli("import", "--user", "ivan", "--collection", "calendars/calendar",
                               path, *opts, check=False)

    def test_import_past_the_quota(self):
        u = self.users["ivan"]
        base = self.used(u)
        self.set_quota("ivan", base + 5000)
        # ten items of about 1.2 kB each: four fit
        path = self.write("big", 10, 1000)
        p = self.run_import(path)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("DAV:quota-not-exceeded", p.stdout.decode() + p.stderr.decode())
        self.assertIn("nothing stored", p.stderr.decode())
        self.assertEqual(self.used(u), base)
        # --skip-refused stores what fits, refuses the rest
        p = self.run_import(path, "--skip-refused")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("4 accepted", p.stderr.decode())
        self.assertIn("6 refused", p.stderr.decode())
        used = self.used(u)
        self.assertGreater(used, base + 4000)
        self.assertLessEqual(used, base + 5000)
        r = u.propfind(u.calendars + "calendar/", None, {"Depth": "1"})
        self.assertEqual(len([h for h in responses(r) if h.endswith(".ics")]), 4)
        check = self.server.cli("store", "check", check=False)
        self.assertEqual(check.returncode, 0, check.stderr)
        self.set_quota("ivan", "default")


class Race(QuotaBase):
    """Two writers at once cannot both pass a check against the same free
    space: the check is made in the write transaction, after the write."""
    LOGINS = ("racer", "pair")
    ROUNDS, THREADS, ATTEMPTS, SIZE, ROOM = 20, 8, 4, 1000, 10
    # two writers, room for one: VEIL_QUOTA_RACE_ROUNDS for a longer run
    PAIR_ROUNDS = int(os.environ.get("VEIL_QUOTA_RACE_ROUNDS", "300"))

    def test_two_writers_for_one_slot(self):
        u = self.users["pair"]
        base = self.used(u)
        size = 4000
        self.set_quota("pair", base + size + size // 2)
        barrier = threading.Barrier(2)
        wins = {0: 0, 1: 0}
        for rnd in range(self.PAIR_ROUNDS):
            results = [None, None]

            def writer(t):
                barrier.wait()
                results[t] = u.put(u.files + "p%d-%d.bin" % (rnd, t), b"p" * size, BIN).status

            threads = [threading.Thread(target=writer, args=(t,)) for t in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(sorted(results), [201, 507], "round %d" % rnd)
            winner = results.index(201)
            wins[winner] += 1
            self.assertEqual(self.used(u), base + size, "round %d" % rnd)
            self.assertEqual(u.delete(u.files + "p%d-%d.bin" % (rnd, winner)).status, 204)
        self.assertEqual(self.used(u), base)
        print("\nquota race: %d rounds of two writers, wins %d/%d, never both"
              % (self.PAIR_ROUNDS, wins[0], wins[1]))

    def test_writers_racing_for_the_last_bytes(self):
        u = self.users["racer"]
        base = self.used(u)
        limit = base + self.ROOM * self.SIZE + self.SIZE // 2
        self.set_quota("racer", limit)
        total = 0
        for rnd in range(self.ROUNDS):
            results = []
            lock = threading.Lock()

            def writer(t):
                for i in range(self.ATTEMPTS):
                    name = "r%d-t%d-%d.bin" % (rnd, t, i)
                    st = u.put(u.files + name, b"r" * self.SIZE, BIN).status
                    with lock:
                        results.append((st, name))

            threads = [threading.Thread(target=writer, args=(t,)) for t in range(self.THREADS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            total += len(results)
            self.assertEqual(sorted({st for st, _ in results}), [201, 507])
            stored = [name for st, name in results if st == 201]
            self.assertEqual(len(stored), self.ROOM, "round %d" % rnd)
            self.assertEqual(self.used(u), base + self.ROOM * self.SIZE)
            for name in stored:
                self.assertEqual(u.delete(u.files + name).status, 204)
            self.assertEqual(self.used(u), base)
        self.assertEqual(total, self.ROUNDS * self.THREADS * self.ATTEMPTS)
        check = self.server.cli("store", "check", check=False)
        self.assertEqual(check.returncode, 0, check.stderr)


class StoreCheck(QuotaBase):
    LOGINS = ("zoe",)

    def test_check_finds_a_counter_changed_behind_the_servers_back(self):
        u = self.users["zoe"]
        self.assertEqual(u.put(u.files + "f.bin", b"f" * 777, BIN).status, 201)
        used = self.used(u)
        clean = self.server.cli("store", "check", check=False)
        self.assertEqual(clean.returncode, 0, clean.stderr)
        db = sqlite3.connect(os.path.join(self.server.data, "dav.db"))
        with db:
            db.execute("UPDATE principals SET quota_used=quota_used+12345 WHERE pid=?", (u.pid,))
        # what the operator's sqlite3 deletes still counts
        with db:
            db.execute("DELETE FROM props WHERE node=(SELECT id FROM nodes WHERE name=?)",
                       (u.pid,))
        db.close()
        check = self.server.cli("store", "check", check=False)
        self.assertEqual(check.returncode, 1, check.stderr)
        line = [l for l in check.stdout.decode().splitlines() if l.startswith(u.principal)]
        self.assertEqual(len(line), 1, check.stdout)
        counted, stored = [int(x) for x in line[0].split()[1:]]
        self.assertEqual(counted - stored, 12345)
        self.assertIn("storage counter differs", check.stderr.decode())
        fix = self.server.cli("store", "check", "--recount", check=False)
        self.assertEqual(fix.returncode, 0, fix.stderr)
        self.assertEqual(self.used(u), stored)
        self.assertLessEqual(stored, used)
        after = self.server.cli("store", "check", check=False)
        self.assertEqual(after.returncode, 0, after.stderr)


class Rclone(QuotaBase):
    """`rclone about` (its webdav backend asks for both properties on the
    remote's root): used, free and their sum as the total."""
    LOGINS = ("rita",)

    def about(self, user):
        self.assertIsNotNone(shutil.which("rclone"), "tests/run.sh installs rclone")
        obscured = subprocess.run(["rclone", "obscure", user.password], check=True,
                                  stdout=subprocess.PIPE).stdout.decode().strip()
        env = dict(os.environ, RCLONE_CONFIG_VEIL_TYPE="webdav",
                   RCLONE_CONFIG_VEIL_URL="http://127.0.0.1:%d%s" % (self.server.port,
                                                                      user.files),
                   RCLONE_CONFIG_VEIL_VENDOR="other", RCLONE_CONFIG_VEIL_USER=user.login,
                   RCLONE_CONFIG_VEIL_PASS=obscured, RCLONE_CONFIG="/dev/null")
        p = subprocess.run(["rclone", "about", "veil:", "--json"], env=env, timeout=60,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_rclone_about(self):
        u = self.users["rita"]
        self.assertEqual(u.put(u.files + "f.bin", b"f" * 4096, BIN).status, 201)
        used = self.used(u)
        self.set_quota("rita", "1M")
        self.assertEqual(self.about(u), {"total": 1 << 20, "used": used,
                                         "free": (1 << 20) - used})
        # no quota: the disk's free space
        self.set_quota("rita", "unlimited")
        about = self.about(u)
        self.assertEqual(about["used"], used)
        self.assertGreater(about["free"], 0)
        self.assertEqual(about["total"], about["used"] + about["free"])


if __name__ == "__main__":
    unittest.main()

"""Rooms and resources that book themselves (RFC 6638 §2.4.2 CUTYPE ROOM /
RESOURCE, issue 16): `veildav resource` modes and addresses, the server's
answer inside the organizer's change (free: accepted, busy: declined, per
instance), TRANSP / STATUS:CANCELLED / DECLINED copies taking no time, a
cancellation freeing the room, delegates answering for a room in mode none,
and nothing of the room's other bookings reaching an organizer."""
import datetime
import re
import threading
import unittest

from caldav_util import collection_items
from veil import Server, User, propfind_body

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
C = "{urn:ietf:params:xml:ns:caldav}"
DOMAIN = "rooms.example"


def day(n, hour=10):
    """A UTC time n days from now (inside the recurrence horizon)."""
    d = datetime.datetime.utcnow().date() + datetime.timedelta(days=n)
    return "%04d%02d%02dT%02d0000Z" % (d.year, d.month, d.day, hour)


def event(uid, organizer, attendees, start, summary="Meeting", extra=""):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "BEGIN:VEVENT",
             "UID:%s" % uid, "DTSTAMP:20260101T000000Z", "DTSTART:%s" % start,
             "DURATION:PT1H", "SUMMARY:%s" % summary]
    if organizer:
        lines.append("ORGANIZER:%s" % organizer)
    for a in attendees:
        lines.append(a if a.startswith("ATTENDEE") else
                     "ATTENDEE;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION:%s" % a)
    if extra:
        lines.extend(extra.strip("\r\n").split("\r\n"))
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


def unfolded(body):
    return body.replace("\r\n ", "").split("\r\n")


def attendee_lines(body, cua, rid=None):
    """The ATTENDEE lines for cua, per component: {RECURRENCE-ID or '': line}."""
    out, comp, cur = {}, None, None
    for line in unfolded(body):
        if line == "BEGIN:VEVENT":
            comp, cur = {}, None
        elif line.startswith("RECURRENCE-ID") and comp is not None:
            comp["rid"] = line.split(":", 1)[1]
        elif line.startswith("ATTENDEE") and line.lower().endswith(":" + cua.lower()):
            cur = line
        elif line == "END:VEVENT" and comp is not None:
            if cur:
                out[comp.get("rid", "")] = cur
            comp = None
    return out


def partstat(body, cua, rid=""):
    line = attendee_lines(body, cua).get(rid)
    if line is None:
        return None
    m = re.search(r"PARTSTAT=([A-Z-]+)", line)
    return m.group(1) if m else "NEEDS-ACTION"


def param(body, cua, name, rid=""):
    line = attendee_lines(body, cua).get(rid) or ""
    m = re.search(r";%s=([^;:]+)" % name, line)
    return m.group(1) if m else None


class Rooms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("alice", "bob", "carol"):
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, "%s@%s" % (login, DOMAIN), "--expose")
        cls.rooms = {}
        for name, mode in (("free", None), ("auto", "automatic"), ("dib", "decline-if-busy"),
                           ("aif", "accept-if-free"), ("none", "none"), ("series", None),
                           ("cancel", None), ("race", None), ("transp", None)):
            args = ["resource", "add", name, "--type", "location",
                    "--address", "%s@%s" % (name, DOMAIN)]
            if mode:
                args += ["--mode", mode]
            url = s.cli(*args).stdout.decode().strip()
            cls.rooms[name] = url.rstrip("/").split("/")[-1]
            # carol manages every room; bob only reads them
            s.cli("resource", "delegate", name, "carol", "--write")
        s.cli("resource", "delegate", "auto", "bob")
        s.start()
        cls.alice, cls.bob, cls.carol = [User(s, u, s.app_password(u, "t"))
                                         for u in ("alice", "bob", "carol")]
        for u in (cls.alice, cls.bob, cls.carol):
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        cls.A = "mailto:alice@%s" % DOMAIN
        cls.B = "mailto:bob@%s" % DOMAIN

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # --- helpers ---------------------------------------------------------------
    def room(self, name):
        return "mailto:%s@%s" % (name, DOMAIN)

    def room_cal(self, name):
        return "/calendars/%s/calendar/" % self.rooms[name]

    def put(self, user, path, body, status=(201, 204)):
        r = user.put(path, body, ICS)
        self.assertIn(r.status, status, r.text)
        return r

    def items(self, user, coll):
        return collection_items(self, user, coll)

    def room_copy(self, name, uid):
        """The room's copy, read by its write delegate carol."""
        found = [(h, b) for h, b in self.items(self.carol, self.room_cal(name)).items()
                 if "UID:%s\r\n" % uid in b]
        self.assertLessEqual(len(found), 1)
        return found[0] if found else (None, None)

    def invite(self, organizer, org_cua, uid, room, start, **kw):
        path = organizer.calendars + "calendar/%s.ics" % uid
        self.put(organizer, path, event(uid, org_cua,
                                        ["ATTENDEE;PARTSTAT=ACCEPTED:" + org_cua,
                                         self.room(room)], start, **kw))
        return path, organizer.get(path).text

    def block(self, room, uid, start, extra=""):
        """Something in the room's calendar without an organizer (carol puts it)."""
        self.put(self.carol, self.room_cal(room) + uid + ".ics",
                 event(uid, None, [], start, summary="Secret board meeting", extra=extra))

    # --- tests -------------------------------------------------------------------
    def test_cli_and_properties(self):
        listing = self.server.cli("resource", "list").stdout.decode()
        self.assertRegex(listing, r"dib\tdib\t/principals/\S+/\tlocation\tdecline-if-busy\t"
                                  r"dib@rooms\.example")
        self.assertRegex(listing, r"\nfree\t.*\tautomatic\t")
        bad = self.server.cli("resource", "address", "free", "alice@%s" % DOMAIN, check=False)
        self.assertEqual(bad.returncode, 1)  # a user's address names the user
        bad = self.server.cli("resource", "mode", "free", "sometimes", check=False)
        self.assertEqual(bad.returncode, 2)
        r = self.alice.propfind("/principals/%s/" % self.rooms["free"],
                                propfind_body("C:calendar-user-address-set",
                                              "C:calendar-user-type"), {"Depth": "0"})
        self.assertEqual(r.status, 207)
        self.assertIn("mailto:free@%s" % DOMAIN, r.text)
        self.assertIn("ROOM", r.text)

    def test_free_room_accepts_busy_room_declines(self):
        when = day(10)
        path, mine = self.invite(self.alice, self.A, "free-1", "free", when,
                                 summary="Alice's secret plan")
        self.assertEqual(partstat(mine, self.room("free")), "ACCEPTED")
        self.assertEqual(param(mine, self.room("free"), "SCHEDULE-STATUS"), "2.0")
        _, copy = self.room_copy("free", "free-1")
        self.assertEqual(partstat(copy, self.room("free")), "ACCEPTED")
        inbox = self.items(self.alice, self.alice.calendars + "inbox/")
        self.assertTrue(any("METHOD:REPLY" in b and "UID:free-1\r\n" in b
                            for b in inbox.values()))
        # bob wants the same hour: declined, and he learns nothing of alice's booking
        path_b, his = self.invite(self.bob, self.B, "free-2", "free", when,
                                  summary="Bob's sync")
        self.assertEqual(partstat(his, self.room("free")), "DECLINED")
        self.assertEqual(param(his, self.room("free"), "SCHEDULE-STATUS"), "2.0")
        everything = his + "".join(self.items(self.bob, self.bob.calendars + "inbox/").values())
        for secret in ("free-1", "alice", "secret plan"):
            self.assertNotIn(secret, everything)
        # the hour after is free
        _, later = self.invite(self.bob, self.B, "free-3", "free", day(10, 11))
        self.assertEqual(partstat(later, self.room("free")), "ACCEPTED")
        # the declined copy takes no time: a third booking of that hour still declines
        # only because of alice's (and is accepted once hers is cancelled: below)
        _, copy = self.room_copy("free", "free-2")
        self.assertEqual(partstat(copy, self.room("free")), "DECLINED")

    def test_automatic_declines_what_a_delegate_blocked(self):
        when = day(11)
        self.block("auto", "auto-block", when)
        _, mine = self.invite(self.alice, self.A, "auto-1", "auto", when)
        self.assertEqual(partstat(mine, self.room("auto")), "DECLINED")
        self.assertNotIn("Secret board meeting", mine)
        # the read delegate bob sees the room's calendar but cannot change it
        r = self.bob.get(self.room_cal("auto") + "auto-block.ics")
        self.assertEqual(r.status, 200)
        r = self.bob.put(self.room_cal("auto") + "x.ics", event("x", None, [], when), ICS)
        self.assertEqual(r.status, 403)
        # someone who is no delegate does not see it
        self.assertEqual(self.alice.get(self.room_cal("auto") + "auto-block.ics").status, 404)

    def test_transparent_and_cancelled_take_no_time(self):
        when = day(12)
        self.block("auto", "auto-transp", when, extra="TRANSP:TRANSPARENT")
        self.block("auto", "auto-cancelled", when, extra="STATUS:CANCELLED")
        _, mine = self.invite(self.alice, self.A, "auto-2", "auto", when)
        self.assertEqual(partstat(mine, self.room("auto")), "ACCEPTED")

    def test_decline_if_busy(self):
        _, mine = self.invite(self.alice, self.A, "dib-1", "dib", day(13))
        self.assertEqual(partstat(mine, self.room("dib")), "NEEDS-ACTION")
        self.assertEqual(param(mine, self.room("dib"), "SCHEDULE-STATUS"), "1.2")
        self.block("dib", "dib-block", day(14))
        _, mine = self.invite(self.alice, self.A, "dib-2", "dib", day(14))
        self.assertEqual(partstat(mine, self.room("dib")), "DECLINED")

    def test_accept_if_free(self):
        _, mine = self.invite(self.alice, self.A, "aif-1", "aif", day(15))
        self.assertEqual(partstat(mine, self.room("aif")), "ACCEPTED")
        _, mine = self.invite(self.bob, self.B, "aif-2", "aif", day(15))
        self.assertEqual(partstat(mine, self.room("aif")), "NEEDS-ACTION")

    def test_none_waits_for_a_delegate(self):
        path, mine = self.invite(self.alice, self.A, "none-1", "none", day(16))
        self.assertEqual(partstat(mine, self.room("none")), "NEEDS-ACTION")
        href, copy = self.room_copy("none", "none-1")
        self.assertEqual(partstat(copy, self.room("none")), "NEEDS-ACTION")
        # carol, a write delegate, answers for the room from her client
        answered = re.sub(r"(ATTENDEE[^\r\n]*?)PARTSTAT=NEEDS-ACTION([^\r\n]*:%s)"
                          % re.escape(self.room("none")), r"\1PARTSTAT=ACCEPTED\2", copy)
        self.assertNotEqual(answered, copy)
        self.put(self.carol, href, answered)
        mine = self.alice.get(path).text
        self.assertEqual(partstat(mine, self.room("none")), "ACCEPTED")
        self.assertEqual(param(mine, self.room("none"), "SCHEDULE-STATUS"), "2.0")

    def test_recurring_with_one_busy_instance(self):
        self.block("series", "series-block", day(22))
        path = self.alice.calendars + "calendar/series-1.ics"
        self.put(self.alice, path,
                 event("series-1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                            self.room("series")], day(20),
                       extra="RRULE:FREQ=DAILY;COUNT=5"))
        mine = self.alice.get(path).text
        self.assertEqual(partstat(mine, self.room("series")), "ACCEPTED")
        self.assertEqual(partstat(mine, self.room("series"), day(22)), "DECLINED")
        self.assertEqual(len(attendee_lines(mine, self.room("series"))), 2)
        self.assertNotIn("Secret board meeting", mine)
        _, copy = self.room_copy("series", "series-1")
        self.assertEqual(partstat(copy, self.room("series")), "ACCEPTED")
        self.assertEqual(partstat(copy, self.room("series"), day(22)), "DECLINED")

    def test_cancellation_frees_the_room(self):
        when = day(25)
        path, mine = self.invite(self.alice, self.A, "cancel-1", "cancel", when)
        self.assertEqual(partstat(mine, self.room("cancel")), "ACCEPTED")
        _, his = self.invite(self.bob, self.B, "cancel-2", "cancel", when)
        self.assertEqual(partstat(his, self.room("cancel")), "DECLINED")
        # alice cancels: the room's copy goes, or stays as cancelled (takes no time)
        self.assertEqual(self.alice.delete(path).status, 204)
        _, copy = self.room_copy("cancel", "cancel-1")
        self.assertTrue(copy is None or "STATUS:CANCELLED" in copy, copy)
        # bob moves his meeting by an hour and back (a reschedule asks again): accepted now
        _, his = self.invite(self.bob, self.B, "cancel-3", "cancel", when)
        self.assertEqual(partstat(his, self.room("cancel")), "ACCEPTED")

    def test_reschedule_asks_the_room_again(self):
        path, mine = self.invite(self.alice, self.A, "move-1", "auto", day(30))
        self.assertEqual(partstat(mine, self.room("auto")), "ACCEPTED")
        self.block("auto", "move-block", day(31))
        path, mine = self.invite(self.alice, self.A, "move-1", "auto", day(31))
        self.assertEqual(partstat(mine, self.room("auto")), "DECLINED")

    def test_concurrent_bookings_get_one_yes(self):
        # eight organizers' PUTs for one hour at once: the check runs inside each write
        # transaction, so exactly one is accepted and every other declined
        when, n = day(40), 8
        users = [(self.alice, self.A), (self.bob, self.B)]
        barrier = threading.Barrier(n)
        statuses = [None] * n

        def run(i):
            user, cua = users[i % 2]
            body = event("race-%d" % i, cua, ["ATTENDEE;PARTSTAT=ACCEPTED:" + cua,
                                               self.room("race")], when)
            barrier.wait()
            statuses[i] = user.put(user.calendars + "calendar/race-%d.ics" % i, body,
                                   ICS).status

        threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertTrue(all(st == 201 for st in statuses), statuses)
        answers = []
        for i in range(n):
            user, _ = users[i % 2]
            body = user.get(user.calendars + "calendar/race-%d.ics" % i).text
            answers.append(partstat(body, self.room("race")))
        self.assertEqual(sorted(answers), ["ACCEPTED"] + ["DECLINED"] * (n - 1), answers)
        room = self.items(self.carol, self.room_cal("race")).values()
        self.assertEqual(sum(partstat(b, self.room("race")) == "ACCEPTED" for b in room), 1)

    def test_schedule_calendar_transp(self):
        # RFC 6638 §9.1: what a calendar marked transparent holds makes no one busy
        def transp(value):
            body = ('<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:" '
                    'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
                    '<C:schedule-calendar-transp><C:%s/></C:schedule-calendar-transp>'
                    '</D:prop></D:set></D:propertyupdate>' % value)
            r = self.carol.proppatch(self.room_cal("transp"), body,
                                     {"Content-Type": "application/xml"})
            self.assertEqual(r.status, 207, r.text)
            self.assertIn("200", r.text)

        when = day(41)
        self.block("transp", "transp-block", when)
        transp("transparent")
        _, mine = self.invite(self.alice, self.A, "transp-1", "transp", when)
        self.assertEqual(partstat(mine, self.room("transp")), "ACCEPTED")
        transp("opaque")
        _, his = self.invite(self.bob, self.B, "transp-2", "transp", when)
        self.assertEqual(partstat(his, self.room("transp")), "DECLINED")


if __name__ == "__main__":
    unittest.main()

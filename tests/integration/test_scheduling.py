"""Implicit scheduling between local users (RFC 6638, issue 16): invitations,
answers, reschedules, cancellations, SCHEDULE-AGENT, Schedule-Reply,
schedule tags, and invitations to any of a user's addresses."""
import re
import unittest

from caldav_util import collection_items
from veil import NS, Server, User, propfind_body

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
C = "{urn:ietf:params:xml:ns:caldav}"


def event(uid, organizer, attendees, start="20270105T100000Z", summary="Meeting", extra=""):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "BEGIN:VEVENT",
             "UID:%s" % uid, "DTSTAMP:20260101T000000Z", "DTSTART:%s" % start, "DURATION:PT1H",
             "SUMMARY:%s" % summary, "ORGANIZER:%s" % organizer]
    for a in attendees:
        lines.append(a if a.startswith("ATTENDEE") else "ATTENDEE;PARTSTAT=NEEDS-ACTION:%s" % a)
    if extra:
        lines.extend(extra.strip("\r\n").split("\r\n"))
    lines += ["END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(lines)


class Scheduling(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("alice", "bob", "carol"):
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, "%s@sched.example" % login, "--expose")
        s.cli("alias", "add", "bob", "bob.hidden@sched.example")
        s.start()
        cls.alice, cls.bob, cls.carol = [User(s, u, s.app_password(u, "t"))
                                         for u in ("alice", "bob", "carol")]
        for u in (cls.alice, cls.bob, cls.carol):
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        cls.A = "mailto:alice@sched.example"
        cls.B = "mailto:bob@sched.example"
        cls.Cm = "mailto:carol@sched.example"

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # --- helpers ---------------------------------------------------------------
    def items(self, user, coll):
        """{href: body} of the calendar objects in a collection."""
        return collection_items(self, user, coll)

    def copy_of(self, user, uid, coll="calendar/"):
        found = [(h, b) for h, b in self.items(user, user.calendars + coll).items()
                 if "UID:%s\r\n" % uid in b]
        self.assertLessEqual(len(found), 1)
        return found[0] if found else (None, None)

    def inbox(self, user, uid):
        return [b for b in self.items(user, user.calendars + "inbox/").values()
                if "UID:%s\r\n" % uid in b]

    @staticmethod
    def partstat(body, cua):
        for line in body.replace("\r\n ", "").split("\r\n"):
            if line.startswith("ATTENDEE") and line.lower().endswith(":" + cua.lower()):
                m = re.search(r"PARTSTAT=([A-Z-]+)", line)
                return m.group(1) if m else "NEEDS-ACTION"
        return None

    @staticmethod
    def param(body, cua, name):
        for line in body.replace("\r\n ", "").split("\r\n"):
            if line.startswith("ATTENDEE") and line.lower().endswith(":" + cua.lower()):
                m = re.search(r"%s=([^;:]+)" % name, line)
                return m.group(1) if m else None
        return None

    def put(self, user, path, body, status=(201, 204), headers=None):
        h = dict(ICS)
        h.update(headers or {})
        r = user.put(path, body, h)
        self.assertIn(r.status, status, r.text)
        return r

    # --- tests -------------------------------------------------------------------
    def test_invite_answer_reschedule_cancel(self):
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/meet1.ics"
        r = self.put(a, path, event("meet1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                                       self.B]))
        self.assertIsNone(r.header("etag"))  # SCHEDULE-STATUS recorded: not the bytes sent
        self.assertIsNotNone(r.header("schedule-tag"))
        mine = a.get(path).text
        self.assertEqual(self.param(mine, self.B, "SCHEDULE-STATUS"), "1.2")
        # bob has a copy in his default calendar, and the REQUEST in his inbox
        href, copy = self.copy_of(b, "meet1")
        self.assertIsNotNone(href)
        self.assertEqual(self.partstat(copy, self.B), "NEEDS-ACTION")
        self.assertNotIn("SCHEDULE-STATUS", copy)
        items = self.inbox(b, "meet1")
        self.assertEqual(len(items), 1)
        self.assertIn("METHOD:REQUEST", items[0])

        # bob accepts: alice's copy says so, and she gets the REPLY
        self.put(b, href, copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B,
                                       "PARTSTAT=ACCEPTED:" + self.B))
        mine = a.get(path).text
        self.assertEqual(self.partstat(mine, self.B), "ACCEPTED")
        self.assertEqual(self.param(mine, self.B, "SCHEDULE-STATUS"), "2.0")
        self.assertTrue(any("METHOD:REPLY" in x for x in self.inbox(a, "meet1")))

        # alice renames it with her client's stale copy: bob's answer stays
        stale = event("meet1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                      summary="Renamed")
        self.put(a, path, stale)
        self.assertEqual(self.partstat(a.get(path).text, self.B), "ACCEPTED")
        _, copy = self.copy_of(b, "meet1")
        self.assertIn("SUMMARY:Renamed", copy)
        self.assertEqual(self.partstat(copy, self.B), "ACCEPTED")

        # she moves it: RFC 6638 §3.2.8, bob is asked again
        self.put(a, path, event("meet1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                                   "ATTENDEE;PARTSTAT=ACCEPTED:" + self.B],
                                start="20270106T100000Z", summary="Renamed"))
        self.assertEqual(self.partstat(a.get(path).text, self.B), "NEEDS-ACTION")
        _, copy = self.copy_of(b, "meet1")
        self.assertIn("DTSTART:20270106T100000Z", copy)
        self.assertEqual(self.partstat(copy, self.B), "NEEDS-ACTION")

        # she deletes it: bob's copy goes, a CANCEL is in his inbox
        self.assertEqual(a.delete(path).status, 204)
        self.assertEqual(self.copy_of(b, "meet1"), (None, None))
        self.assertTrue(any("METHOD:CANCEL" in x for x in self.inbox(b, "meet1")))

    def test_attendee_deletes_and_schedule_reply(self):
        a, b, c = self.alice, self.bob, self.carol
        path = a.calendars + "calendar/meet2.ics"
        self.put(a, path, event("meet2", self.A, [self.A, self.B, self.Cm]))
        href, _ = self.copy_of(b, "meet2")
        self.assertEqual(b.delete(href).status, 204)
        self.assertEqual(self.partstat(a.get(path).text, self.B), "DECLINED")
        # with Schedule-Reply: F carol's client answers by itself (or not)
        chref, _ = self.copy_of(c, "meet2")
        self.assertEqual(c.req("DELETE", chref, None, {"Schedule-Reply": "F"}).status, 204)
        self.assertEqual(self.partstat(a.get(path).text, self.Cm), "NEEDS-ACTION")

    def test_schedule_agent_client_and_aliases(self):
        a, b, c = self.alice, self.bob, self.carol
        path = a.calendars + "calendar/meet3.ics"
        self.put(a, path, event("meet3", self.A, [
            self.A, "ATTENDEE;SCHEDULE-AGENT=CLIENT;PARTSTAT=NEEDS-ACTION:" + self.Cm,
            "mailto:Bob.Hidden@SCHED.example"]))
        # RFC 6638 §7.1: CLIENT - the server sends nothing, no duplicate invitation
        self.assertEqual(self.copy_of(c, "meet3"), (None, None))
        self.assertEqual(self.inbox(c, "meet3"), [])
        # an address bob never exposed still reaches him (as mail would)
        self.assertIsNotNone(self.copy_of(b, "meet3")[0])
        # an address in one of the service's domains that names no one: 3.7
        self.put(a, path, event("meet3", self.A, [self.A, "mailto:nobody@sched.example"]))
        self.assertEqual(self.param(a.get(path).text, "mailto:nobody@sched.example",
                                    "SCHEDULE-STATUS"), "3.7")
        # and bob, taken off the list, is told
        self.assertEqual(self.copy_of(b, "meet3"), (None, None))

    def test_one_occurrence(self):
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/series1.ics"
        rrule = "RRULE:FREQ=DAILY;COUNT=5"
        self.put(a, path, event("series1", self.A, [self.A, self.B], extra=rrule))
        href, copy = self.copy_of(b, "series1")
        # bob declines the third occurrence by taking it out of his copy
        declined = copy.replace("RRULE:FREQ=DAILY;COUNT=5",
                                "RRULE:FREQ=DAILY;COUNT=5\r\nEXDATE:20270107T100000Z")
        self.put(b, href, declined)
        mine = a.get(path).text
        self.assertIn("RECURRENCE-ID:20270107T100000Z", mine)
        override = mine[mine.index("RECURRENCE-ID:20270107T100000Z") - 400:]
        self.assertEqual(self.partstat(override[override.index("BEGIN:VEVENT"):], self.B),
                         "DECLINED")
        # alice cancels the fourth one (her client edits what it last read): a CANCEL
        # of that instance only, and bob's copy loses it
        self.put(a, path, mine.replace(rrule, rrule + "\r\nEXDATE:20270108T100000Z", 1))
        _, copy = self.copy_of(b, "series1")
        self.assertIn("20270108T100000Z", copy)
        self.assertTrue(any("METHOD:CANCEL" in x for x in self.inbox(b, "series1")))

    def test_schedule_tag_and_unique_uid(self):
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/meet4.ics"
        self.put(a, path, event("meet4", self.A, [self.A, self.B]))
        href, copy = self.copy_of(b, "meet4")
        tag = b.get(href).header("schedule-tag")
        self.assertTrue(tag)
        # bob's own answer keeps the tag; an update from alice changes it
        r = self.put(b, href, copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B,
                                           "PARTSTAT=TENTATIVE:" + self.B),
                     headers={"If-Schedule-Tag-Match": tag})
        self.assertEqual(r.header("schedule-tag"), tag)
        self.put(a, path, event("meet4", self.A, [self.A, self.B], summary="New"))
        self.assertNotEqual(b.get(href).header("schedule-tag"), tag)
        r = b.put(href, copy, dict(ICS, **{"If-Schedule-Tag-Match": tag}))
        self.assertEqual(r.status, 412)
        # RFC 6638 §3.2.4.1: one scheduling object per UID in a home
        _, copy = self.copy_of(b, "meet4")
        self.assertEqual(b.req("MKCALENDAR", b.calendars + "second/").status, 201)
        r = b.put(b.calendars + "second/meet4-again.ics", copy, ICS)
        self.assertIn(r.status, (403,), r.text)
        self.assertIn("unique-scheduling-object-resource", r.text)

    def fb_request(self, attendees):
        lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "METHOD:REQUEST",
                 "BEGIN:VFREEBUSY", "UID:fb-1", "DTSTAMP:20260101T000000Z",
                 "DTSTART:20270301T000000Z", "DTEND:20270302T000000Z",
                 "ORGANIZER:%s" % self.A] + ["ATTENDEE:%s" % a for a in attendees]
        return "\r\n".join(lines + ["END:VFREEBUSY", "END:VCALENDAR", ""])

    def test_free_busy_post(self):
        """RFC 6638 §5: a stranger learns nothing (the same answer as for an unknown
        address) until the recipient grants read-free-busy."""
        a, b = self.alice, self.bob
        self.put(b, b.calendars + "calendar/busy.ics",
                 event("busy1", self.B, [], start="20270301T090000Z"))
        self.put(b, b.calendars + "calendar/free.ics",
                 event("free1", self.B, [], start="20270301T140000Z", extra="TRANSP:TRANSPARENT"))
        outbox = a.calendars + "outbox/"
        body = self.fb_request([self.B, "mailto:nobody@sched.example", self.A])
        r = a.post(outbox, body, ICS)
        self.assertEqual(r.status, 200, r.text)
        got = {x.find("C:recipient/D:href", NS).text:
               (x.find("C:request-status", NS).text,
                (x.find("C:calendar-data", NS).text if x.find("C:calendar-data", NS) is not None
                 else None))
               for x in r.xml().findall("C:response", NS)}
        self.assertEqual(got[self.B][0], got["mailto:nobody@sched.example"][0])
        self.assertTrue(got[self.B][0].startswith("3.7"))
        self.assertIsNone(got[self.B][1])
        self.assertTrue(got[self.A][0].startswith("2.0"))
        # bob lets alice see his busy time
        acl = ('<D:acl xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:ace><D:principal>'
               '<D:href>%s</D:href></D:principal><D:grant><D:privilege><C:read-free-busy/>'
               '</D:privilege></D:grant></D:ace></D:acl>' % a.principal)
        self.assertEqual(b.req("ACL", b.calendars, acl, {"Content-Type": "application/xml"}).status,
                         200)
        r = a.post(outbox, self.fb_request([self.B]), ICS)
        status = r.xml().find("C:response/C:request-status", NS).text
        data = r.xml().find("C:response/C:calendar-data", NS).text
        self.assertTrue(status.startswith("2.0"), r.text)
        self.assertIn("METHOD:REPLY", data)
        self.assertIn("FREEBUSY", data)
        self.assertIn("20270301T090000Z", data)
        self.assertNotIn("20270301T140000Z", data)  # TRANSP:TRANSPARENT takes no time
        # only the outbox owner's own address may organize (CALDAV:organizer-allowed)
        r = b.post(b.calendars + "outbox/", self.fb_request([self.A]), ICS)
        self.assertEqual(r.status, 403)
        self.assertIn("organizer-allowed", r.text)
        # other iTIP goes by implicit scheduling (valid-scheduling-message)
        r = a.post(outbox, event("x", self.A, [self.B]).replace("VERSION:2.0",
                                                                "VERSION:2.0\r\nMETHOD:REQUEST"), ICS)
        self.assertEqual(r.status, 403)
        self.assertIn("valid-scheduling-message", r.text)

    def urn(self, user):
        r = user.propfind(user.principal, propfind_body("C:calendar-user-address-set"),
                          {"Depth": "0"})
        for h in r.xml().iter("{DAV:}href"):
            if h.text.startswith("urn:uuid:"):
                return h.text
        self.fail("no urn:uuid address")

    def test_one_user_written_two_ways(self):
        """An organizer's client that rewrites addresses (mailto: one time, urn:uuid: the
        next) changes no one: nobody is cancelled, the organizer never cancels herself."""
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/forms.ics"
        self.put(a, path, event("forms", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B]))
        ua, ub = self.urn(a), self.urn(b)
        self.put(a, path, event("forms", ua, ["ATTENDEE;PARTSTAT=ACCEPTED:" + ua, ub],
                                summary="Same people"))
        self.assertEqual(a.get(path).status, 200)
        _, copy = self.copy_of(b, "forms")
        self.assertIsNotNone(copy)
        self.assertIn("SUMMARY:Same people", copy)
        self.assertFalse(any("METHOD:CANCEL" in x for x in self.inbox(b, "forms")))
        self.assertEqual(self.inbox(a, "forms"), [])

    def test_feature_discovery(self):
        r = self.alice.options(self.alice.calendars)
        self.assertIn("calendar-auto-schedule", r.header("dav"))


if __name__ == "__main__":
    unittest.main()

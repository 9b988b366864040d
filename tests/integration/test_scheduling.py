"""Implicit scheduling between local users (RFC 6638, issue 16): invitations,
answers, reschedules, cancellations, SCHEDULE-AGENT, Schedule-Reply,
schedule tags, and invitations to any of a user's addresses."""
import re
import unittest

from caldav_util import collection_items
from veil import NS, Server, User, propfind_body, responses

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

        # alice renames it with her client's stale copy, under the schedule tag it
        # read (RFC 6638 §3.2.10.1): bob's answer is merged in
        stale = event("meet1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                      summary="Renamed")
        tag = a.get(path).header("schedule-tag")
        self.put(a, path, stale, headers={"If-Schedule-Tag-Match": tag})
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

        # she deletes it: bob's copy says it is cancelled (RFC 5546 §3.2.5) until
        # he removes it, which tells alice nothing; a CANCEL is in his inbox
        self.assertEqual(a.delete(path).status, 204)
        href, copy = self.copy_of(b, "meet1")
        self.assertIn("STATUS:CANCELLED", copy)
        self.assertTrue(any("METHOD:CANCEL" in x for x in self.inbox(b, "meet1")))
        replies = len(self.inbox(a, "meet1"))
        self.assertEqual(b.delete(href).status, 204)
        self.assertEqual(len(self.inbox(a, "meet1")), replies)

    def test_newer_message_supersedes_the_inbox_item(self):
        # an organizer's later change makes the earlier messages about the meeting
        # old news: the attendee's inbox holds the latest change's messages only
        # (RFC 5546 §2.1.5), as many as that change sent, so a client does not
        # show an invitation that no longer holds (CalDAVTester implicitrecur1)
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/super1.ics"
        rrule = "RRULE:FREQ=DAILY;COUNT=5"
        self.put(a, path, event("super1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                                extra=rrule))
        self.assertEqual(len(self.inbox(b, "super1")), 1)
        self.put(a, path, event("super1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                                summary="Second", extra=rrule))
        items = self.inbox(b, "super1")
        self.assertEqual(len(items), 1)
        self.assertIn("SUMMARY:Second", items[0])
        # one change that sends two messages (an instance cancelled, then the
        # series at its new revision) leaves both
        self.put(a, path, event("super1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                                summary="Second",
                                extra=rrule + "\r\nEXDATE:20270107T100000Z"))
        items = self.inbox(b, "super1")
        self.assertEqual(len(items), 2, items)
        self.assertTrue(any("METHOD:CANCEL" in x for x in items))
        # bob's answer is not the organizer's news: alice keeps every reply
        href, copy = self.copy_of(b, "super1")
        self.put(b, href, copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B,
                                       "PARTSTAT=ACCEPTED:" + self.B))
        self.put(b, href, b.get(href).text.replace("PARTSTAT=ACCEPTED:" + self.B,
                                                   "PARTSTAT=DECLINED:" + self.B))
        self.assertEqual(len(self.inbox(a, "super1")), 2)
        # and her cancellation is the one message left for him
        self.assertEqual(a.delete(path).status, 204)
        items = self.inbox(b, "super1")
        self.assertEqual(len(items), 1)
        self.assertIn("METHOD:CANCEL", items[0])

    def test_organizer_answer_is_news(self):
        # RFC 6638 §3.2.1.2: the organizer's own participation (declining their
        # meeting) is their change, sent to the attendees (CalDAVTester caldavIOP 2.7)
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/orgdecl.ics"
        self.put(a, path, event("orgdecl", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                                     self.B]))
        href, copy = self.copy_of(b, "orgdecl")
        self.assertEqual(self.partstat(copy, self.A), "ACCEPTED")
        self.put(a, path, event("orgdecl", self.A, ["ATTENDEE;PARTSTAT=DECLINED:" + self.A,
                                                     self.B]))
        _, copy = self.copy_of(b, "orgdecl")
        self.assertEqual(self.partstat(copy, self.A), "DECLINED")
        self.assertEqual(self.param(a.get(path).text, self.B, "SCHEDULE-STATUS"), "1.2")
        items = self.inbox(b, "orgdecl")
        self.assertEqual(len(items), 1)
        self.assertIn("PARTSTAT=DECLINED", items[0].replace("\r\n ", ""))

    def test_new_override_keeps_what_is_the_attendees(self):
        # an instance the organizer overrides later is still the attendee's: the
        # outcome of their last reply (RFC 6638 §3.2.9), their TRANSP (§3.2.2.1)
        # and their alarm stay on it (CalDAVTester impliciterrors "Organizer
        # TRANSP leakage", implicitrecur2)
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/ovkeep.ics"
        rrule = "RRULE:FREQ=DAILY;COUNT=3"
        self.put(a, path, event("ovkeep", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                                extra=rrule))
        href, copy = self.copy_of(b, "ovkeep")
        mine = copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B, "PARTSTAT=ACCEPTED:" + self.B)
        mine = mine.replace("END:VEVENT", "TRANSP:TRANSPARENT\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                            "DESCRIPTION:Bob's reminder\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT")
        self.put(b, href, mine)
        self.assertIn("ORGANIZER;SCHEDULE-STATUS=1.2:" + self.A, b.get(href).text)
        override = ("END:VEVENT\r\nBEGIN:VEVENT\r\nUID:ovkeep\r\nDTSTAMP:20260101T000000Z\r\n"
                    "RECURRENCE-ID:20270106T100000Z\r\nDTSTART:20270106T120000Z\r\n"
                    "DURATION:PT1H\r\nSUMMARY:Moved\r\nORGANIZER:%s\r\n"
                    "ATTENDEE;PARTSTAT=ACCEPTED:%s\r\nATTENDEE;PARTSTAT=ACCEPTED:%s\r\n"
                    % (self.A, self.A, self.B))
        body = event("ovkeep", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                         "ATTENDEE;PARTSTAT=ACCEPTED:" + self.B], extra=rrule)
        body = body.replace("END:VEVENT", override.rstrip("\r\n") + "\r\nEND:VEVENT", 1)
        self.put(a, path, body)
        copy = b.get(href).text.replace("\r\n ", "")
        comps = copy.split("BEGIN:VEVENT")[1:]
        self.assertEqual(len(comps), 2, copy)
        for c in comps:
            self.assertIn("ORGANIZER;SCHEDULE-STATUS=1.2:" + self.A, c)
            self.assertIn("TRANSP:TRANSPARENT", c)
            self.assertIn("DESCRIPTION:Bob's reminder", c)

    def test_new_override_without_the_attendee_cancels_that_instance(self):
        # an override the organizer adds without an attendee takes that instance
        # from them: a CANCEL of it (RFC 5546 §3.2.5; CalDAVTester implicitcancels
        # "Override - remove - some")
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/ovdrop.ics"
        rrule = "RRULE:FREQ=DAILY;COUNT=3"
        self.put(a, path, event("ovdrop", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                                extra=rrule))
        override = ("END:VEVENT\r\nBEGIN:VEVENT\r\nUID:ovdrop\r\nDTSTAMP:20260101T000000Z\r\n"
                    "RECURRENCE-ID:20270106T100000Z\r\nDTSTART:20270106T100000Z\r\n"
                    "DURATION:PT1H\r\nSUMMARY:Alone\r\nORGANIZER:%s\r\n"
                    "ATTENDEE;PARTSTAT=ACCEPTED:%s\r\n" % (self.A, self.A))
        body = event("ovdrop", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                     extra=rrule)
        body = body.replace("END:VEVENT", override.rstrip("\r\n") + "\r\nEND:VEVENT", 1)
        self.put(a, path, body)
        items = self.inbox(b, "ovdrop")
        self.assertEqual(len(items), 1, items)
        self.assertIn("METHOD:CANCEL", items[0])
        self.assertIn("RECURRENCE-ID:20270106T100000Z", items[0])
        _, copy = self.copy_of(b, "ovdrop")
        self.assertNotIn("SUMMARY:Alone", copy)

    def test_attendee_may_not_change_who_schedules(self):
        # SCHEDULE-AGENT on the ORGANIZER of an attendee's copy says whose client
        # or server sends the attendee's answers; it is the organizer's to say,
        # not among what RFC 6638 §3.2.2.1 lets an attendee change (CalDAVTester
        # implicitscheduleagent "Organizer CLIENT" / 7)
        b = self.bob
        href = b.calendars + "calendar/agentclient.ics"
        org = "ORGANIZER;SCHEDULE-AGENT=CLIENT:" + self.A
        body = event("agentclient", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B])
        self.put(b, href, body.replace("ORGANIZER:" + self.A, org))
        self.put(b, href, body.replace("ORGANIZER:" + self.A, org).replace(
            "PARTSTAT=NEEDS-ACTION:" + self.B, "PARTSTAT=ACCEPTED:" + self.B))
        r = b.put(href, body, ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("allowed-attendee-scheduling-object-change", r.text)
        self.assertIn(org, b.get(href).text)
        # and the other way: a copy the server delivered stays the server's
        a = self.alice
        self.put(a, a.calendars + "calendar/agentserver.ics",
                 event("agentserver", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B]))
        href, copy = self.copy_of(b, "agentserver")
        r = b.put(href, copy.replace("ORGANIZER:", "ORGANIZER;SCHEDULE-AGENT=CLIENT:"), ICS)
        self.assertEqual(r.status, 403, r.text)

    def test_deleting_a_calendar_cancels_its_meetings(self):
        # RFC 6638 §3.2.3.2: DELETE of a calendar collection removes each
        # scheduling object in it, with the messages that go with that
        # (CalDAVTester implicitdeletecalendar)
        a, b, c = self.alice, self.bob, self.carol
        self.assertEqual(a.req("MKCALENDAR", a.calendars + "doomed/", None).status, 201)
        self.put(a, a.calendars + "doomed/m.ics",
                 event("doomed1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B]))
        self.put(a, a.calendars + "doomed/plain.ics", event("doomed2", self.A, []).replace(
            "ORGANIZER:%s\r\n" % self.A, ""))
        # carol's copy of bob's meeting, in a calendar of hers that goes too
        self.put(b, b.calendars + "calendar/fromb.ics",
                 event("doomed3", self.B, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.B, self.Cm]))
        href, copy = self.copy_of(c, "doomed3")
        self.assertEqual(c.req("MKCALENDAR", c.calendars + "other/", None).status, 201)
        self.assertEqual(c.req("MOVE", href, None,
                               {"Destination": c.calendars + "other/fromb.ics"}).status, 201)
        self.assertEqual(a.delete(a.calendars + "doomed/").status, 204)
        _, copy = self.copy_of(b, "doomed1")
        self.assertIn("STATUS:CANCELLED", copy)
        self.assertTrue(any("METHOD:CANCEL" in x for x in self.inbox(b, "doomed1")))
        self.assertEqual(c.delete(c.calendars + "other/").status, 204)
        mine = b.get(b.calendars + "calendar/fromb.ics").text
        self.assertEqual(self.partstat(mine, self.Cm), "DECLINED")

    def test_cancel_of_the_whole_series_is_one_component(self):
        # RFC 5546 §3.2.5: the whole recurring meeting is cancelled by one
        # component without RECURRENCE-ID, for attendees of the series and of
        # some instances alike (CalDAVTester implicitrecur1 "Cancel Override")
        a, b, c = self.alice, self.bob, self.carol
        path = a.calendars + "calendar/wholecancel.ics"
        override = ("END:VEVENT\r\nBEGIN:VEVENT\r\nUID:wholecancel\r\nDTSTAMP:20260101T000000Z\r\n"
                    "RECURRENCE-ID:20270106T100000Z\r\nDTSTART:20270106T110000Z\r\n"
                    "DURATION:PT1H\r\nSUMMARY:Later\r\nORGANIZER:%s\r\n"
                    "ATTENDEE;PARTSTAT=ACCEPTED:%s\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:%s\r\n"
                    "ATTENDEE;PARTSTAT=NEEDS-ACTION:%s\r\n" % (self.A, self.A, self.B, self.Cm))
        body = event("wholecancel", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.Cm],
                     extra="RRULE:FREQ=DAILY;COUNT=3")
        self.put(a, path, body.replace("END:VEVENT", override.rstrip("\r\n") + "\r\nEND:VEVENT", 1))
        self.assertEqual(a.delete(path).status, 204)
        [cancel] = [x for x in self.inbox(c, "wholecancel") if "METHOD:CANCEL" in x]
        self.assertNotIn("RECURRENCE-ID", cancel)
        self.assertEqual(cancel.count("BEGIN:VEVENT"), 1)
        _, copy = self.copy_of(c, "wholecancel")
        self.assertEqual(copy.count("STATUS:CANCELLED"), copy.count("BEGIN:VEVENT"))
        [cancel] = [x for x in self.inbox(b, "wholecancel") if "METHOD:CANCEL" in x]
        self.assertNotIn("RECURRENCE-ID", cancel)
        self.assertEqual(cancel.count("BEGIN:VEVENT"), 1)
        _, copy = self.copy_of(b, "wholecancel")
        self.assertEqual(copy.count("STATUS:CANCELLED"), copy.count("BEGIN:VEVENT"))

    def test_attendee_client_dropping_an_instance(self):
        # RFC 6638 §3.2.2.1 item 8: an attendee removes an overridden instance
        # with an EXDATE; one their client merely left out is still theirs, as
        # they last answered it (CalDAVTester implicitbadclients "Client drops
        # an overridden instance")
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/dropped.ics"
        override = ("END:VEVENT\r\nBEGIN:VEVENT\r\nUID:dropped\r\nDTSTAMP:20260101T000000Z\r\n"
                    "RECURRENCE-ID:20270106T100000Z\r\nDTSTART:20270106T150000Z\r\n"
                    "DURATION:PT1H\r\nSUMMARY:Moved one\r\nORGANIZER:%s\r\n"
                    "ATTENDEE;PARTSTAT=ACCEPTED:%s\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:%s\r\n"
                    % (self.A, self.A, self.B))
        body = event("dropped", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A, self.B],
                     extra="RRULE:FREQ=DAILY;COUNT=3")
        self.put(a, path, body.replace("END:VEVENT", override.rstrip("\r\n") + "\r\nEND:VEVENT", 1))
        href, copy = self.copy_of(b, "dropped")
        self.assertIn("SUMMARY:Moved one", copy)
        master_only = event("dropped", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                                 "ATTENDEE;PARTSTAT=ACCEPTED:" + self.B],
                            extra="RRULE:FREQ=DAILY;COUNT=3")
        r = b.put(href, master_only, ICS)
        self.assertIn(r.status, (201, 204), r.text)
        self.assertIsNone(r.header("etag"))  # not the bytes sent
        copy = b.get(href).text
        self.assertIn("SUMMARY:Moved one", copy)
        moved = copy.split("RECURRENCE-ID:20270106T100000Z")[1]
        self.assertEqual(self.partstat(moved, self.B), "NEEDS-ACTION")
        # the moved instance is where the time-range index finds it
        q = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
             '<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
             '<C:comp-filter name="VEVENT"><C:time-range start="20270106T143000Z" '
             'end="20270106T170000Z"/></C:comp-filter></C:comp-filter></C:filter>'
             '</C:calendar-query>')
        rq = b.req("REPORT", b.calendars + "calendar/", q,
                   {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(rq.status, 207)
        self.assertIn(href.split("/")[-1], rq.text)
        # alice's copy: bob accepted the series, not the instance he never answered
        mine = a.get(path).text
        self.assertEqual(self.partstat(mine.split("RECURRENCE-ID")[0], self.B), "ACCEPTED")
        self.assertEqual(self.partstat(mine.split("RECURRENCE-ID")[1], self.B), "NEEDS-ACTION")

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
        # and bob, taken off the list, is told: his copy says it is cancelled
        self.assertIn("STATUS:CANCELLED", self.copy_of(b, "meet3")[1])

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
        c = self.carol
        self.put(a, path, event("meet4", self.A, [self.A, self.B, self.Cm]))
        href, copy = self.copy_of(b, "meet4")
        tag = b.get(href).header("schedule-tag")
        self.assertTrue(tag)
        # RFC 6638 §3.2.10: bob's own change is a new tag (attendee rule 3) ...
        r = self.put(b, href, copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B,
                                           "PARTSTAT=TENTATIVE:" + self.B),
                     headers={"If-Schedule-Tag-Match": tag})
        first, tag = tag, r.header("schedule-tag")
        self.assertTrue(tag)
        self.assertNotEqual(tag, first)
        # ... carol's answer reaching his copy keeps it (rule 2) ...
        chref, ccopy = self.copy_of(c, "meet4")
        self.put(c, chref, ccopy.replace("PARTSTAT=NEEDS-ACTION:" + self.Cm,
                                         "PARTSTAT=ACCEPTED:" + self.Cm))
        self.assertEqual(self.partstat(b.get(href).text, self.Cm), "ACCEPTED")
        self.assertEqual(b.get(href).header("schedule-tag"), tag)
        # ... an update from alice changes it (rule 1), and then bob's stale tag fails
        self.put(a, path, event("meet4", self.A, [self.A, self.B, self.Cm], summary="New"))
        self.assertNotEqual(b.get(href).header("schedule-tag"), tag)
        r = b.put(href, copy, dict(ICS, **{"If-Schedule-Tag-Match": tag}))
        self.assertEqual(r.status, 412)
        # an organizer's object that is no longer a meeting has no tag at all
        plain = event("meet4b", self.A, []).replace("ORGANIZER:%s\r\n" % self.A, "")
        p2 = a.calendars + "calendar/meet4b.ics"
        self.put(a, p2, event("meet4b", self.A, [self.A, self.B]))
        self.assertIsNone(self.put(a, p2, plain).header("schedule-tag"))
        self.assertIsNone(a.get(p2).header("schedule-tag"))
        # RFC 6638 §3.2.4.1: one scheduling object per UID in a home
        _, copy = self.copy_of(b, "meet4")
        self.assertEqual(b.req("MKCALENDAR", b.calendars + "second/").status, 201)
        r = b.put(b.calendars + "second/meet4-again.ics", copy, ICS)
        self.assertIn(r.status, (403,), r.text)
        self.assertIn("unique-scheduling-object-resource", r.text)

    def test_who_may_change_what(self):
        """From CalDAVTester's implicitsecurity and impliciterrors: a scheduling object's
        ORGANIZER does not change, an attendee does not take themselves out, nobody
        forges someone else's meeting or invites themselves to it."""
        a, b, c = self.alice, self.bob, self.carol
        path = a.calendars + "calendar/sec1.ics"
        self.put(a, path, event("sec1", self.A, [self.A, self.B]))
        href, copy = self.copy_of(b, "sec1")
        # carol makes her own meeting with alice's UID: it is hers, but it reaches
        # nobody who holds alice's (5.3, delivery refused)
        self.put(c, c.calendars + "calendar/sec1.ics",
                 event("sec1", self.Cm, [self.Cm, self.A, self.B], summary="Spoofed"))
        mine = c.get(c.calendars + "calendar/sec1.ics").text
        self.assertEqual(self.param(mine, self.A, "SCHEDULE-STATUS"), "5.3")
        self.assertEqual(self.param(mine, self.B, "SCHEDULE-STATUS"), "5.3")
        self.assertIn("SUMMARY:Meeting", a.get(path).text)
        self.assertIn("SUMMARY:Meeting", self.copy_of(b, "sec1")[1])
        self.assertEqual(len(self.inbox(b, "sec1")), 1)
        self.assertEqual(c.delete(c.calendars + "calendar/sec1.ics").status, 204)
        # ... nor invites herself to alice's meeting
        crash = event("sec1", self.A, [self.A, self.B, "ATTENDEE;PARTSTAT=ACCEPTED:" + self.Cm])
        r = c.put(c.calendars + "calendar/crash.ics", crash, ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("allowed-attendee-scheduling-object-change", r.text)
        # bob may not make himself the organizer, nor take himself out
        r = b.put(href, copy.replace("ORGANIZER:" + self.A, "ORGANIZER:" + self.B), ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("allowed-attendee-scheduling-object-change", r.text)
        r = b.put(href, copy.replace("ATTENDEE;PARTSTAT=NEEDS-ACTION:" + self.B + "\r\n", ""),
                  ICS)
        self.assertEqual(r.status, 403, r.text)
        # alice may not hand her meeting to carol, nor drop the ORGANIZER and keep
        # attendees; without attendees too it is no longer a meeting: bob is told
        r = a.put(path, event("sec1", self.Cm, [self.Cm, self.B]), ICS)
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("allowed-organizer-scheduling-object-change", r.text)
        plain = event("sec1", self.A, []).replace("ORGANIZER:%s\r\n" % self.A, "")
        r = a.put(path, plain.replace("SUMMARY:Meeting", "SUMMARY:Meeting\r\n"
                                      "ATTENDEE;PARTSTAT=NEEDS-ACTION:" + self.B), ICS)
        self.assertEqual(r.status, 403, r.text)
        self.put(a, path, plain)
        self.assertIn("STATUS:CANCELLED", self.copy_of(b, "sec1")[1])

    def test_reply_status_on_the_organizer(self):
        """RFC 6638 §3.2.9: the attendee's copy records, on its ORGANIZER, how their
        reply went; a declined meeting deleted sends nothing more."""
        a, b = self.alice, self.bob
        path = a.calendars + "calendar/rs1.ics"
        self.put(a, path, event("rs1", self.A, [self.A, self.B]))
        href, copy = self.copy_of(b, "rs1")
        self.put(b, href, copy.replace("PARTSTAT=NEEDS-ACTION:" + self.B,
                                       "PARTSTAT=DECLINED:" + self.B))
        self.assertIn("ORGANIZER;SCHEDULE-STATUS=1.2:" + self.A, b.get(href).text)
        # both sides keep what the server recorded when a client leaves it out
        mine = b.get(href).text.replace("ORGANIZER;SCHEDULE-STATUS=1.2:", "ORGANIZER:")
        self.put(b, href, mine.replace("SUMMARY:Meeting", "SUMMARY:Meeting\r\nTRANSP:TRANSPARENT"))
        self.assertIn("ORGANIZER;SCHEDULE-STATUS=1.2:" + self.A, b.get(href).text)
        self.put(a, path, event("rs1", self.A, [self.A, "ATTENDEE;PARTSTAT=DECLINED:" + self.B],
                                extra="TRANSP:OPAQUE"))
        self.assertEqual(self.param(a.get(path).text, self.B, "SCHEDULE-STATUS"), "2.0")
        replies = len(self.inbox(a, "rs1"))
        self.assertEqual(replies, 1)
        self.assertEqual(b.delete(href).status, 204)
        self.assertEqual(len(self.inbox(a, "rs1")), replies)
        # a new description does not bring it back; a new time does
        self.put(a, path, event("rs1", self.A, [self.A, "ATTENDEE;PARTSTAT=DECLINED:" + self.B],
                                summary="Other"))
        self.assertEqual(self.copy_of(b, "rs1"), (None, None))
        self.put(a, path, event("rs1", self.A, [self.A, self.B], summary="Other",
                                start="20270107T100000Z"))
        href, _ = self.copy_of(b, "rs1")
        self.assertIsNotNone(href)
        # a CANCEL of what bob no longer has is no news for him
        # (and the invitation before it, old news now, is gone from his inbox)
        self.assertEqual(b.req("DELETE", href, None, {"Schedule-Reply": "F"}).status, 204)
        self.assertEqual(a.delete(path).status, 204)
        self.assertEqual(self.inbox(b, "rs1"), [])
        self.assertEqual(self.copy_of(b, "rs1"), (None, None))

    def test_inbox_reports_and_properties(self):
        """RFC 6638 §2.3: calendar-query and calendar-multiget read the inbox; nothing
        is POSTed into it; §9.1 schedule-calendar-transp is opaque unless set; §9.2 the
        default calendar follows a MOVE."""
        a, b = self.alice, self.bob
        self.put(a, a.calendars + "calendar/inb1.ics", event("inb1", self.A, [self.A, self.B]))
        q = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
             '<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter>'
             '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter '
             'name="UID"><C:text-match>inb1</C:text-match></C:prop-filter></C:comp-filter>'
             '</C:comp-filter></C:filter></C:calendar-query>')
        r = b.report(b.calendars + "inbox/", q, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(r.status, 207, r.text)
        found = responses(r)
        self.assertEqual(len(found), 1)
        self.assertIn("METHOD:REQUEST", r.text)
        href = list(found)[0]
        mg = ('<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
              '<D:prop><C:calendar-data/></D:prop><D:href>%s</D:href></C:calendar-multiget>'
              % href)
        r = b.report(b.calendars + "inbox/", mg, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(r.status, 207, r.text)
        self.assertIn("UID:inb1", r.text)
        fb = ('<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"><C:time-range '
              'start="20270101T000000Z" end="20270201T000000Z"/></C:free-busy-query>')
        r = b.report(b.calendars + "inbox/", fb, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual(r.status, 403)
        self.assertIn("supported-report", r.text)
        self.assertEqual(b.post(b.calendars + "inbox/", "x", {"Content-Type": "text/plain"}).status,
                         403)
        # schedule-calendar-transp: opaque unless the owner says otherwise
        self.assertEqual(b.req("MKCALENDAR", b.calendars + "transp/").status, 201)
        r = b.propfind(b.calendars + "transp/", propfind_body("C:schedule-calendar-transp"),
                       {"Depth": "0"})
        self.assertIn("opaque", r.text)
        # the default calendar moved within the home stays the default
        r = b.req("MOVE", b.calendars + "transp/", None,
                  {"Destination": b.calendars + "moved/"})
        self.assertIn(r.status, (201, 204))
        set_default = ('<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                       '<D:set><D:prop><C:schedule-default-calendar-URL><D:href>%smoved/</D:href>'
                       '</C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>'
                       % b.calendars)
        self.assertEqual(b.proppatch(b.calendars + "inbox/", set_default,
                                     {"Content-Type": "application/xml"}).status, 207)
        r = b.req("MOVE", b.calendars + "moved/", None,
                  {"Destination": b.calendars + "moved-again/"})
        self.assertIn(r.status, (201, 204))
        r = b.propfind(b.calendars + "inbox/", propfind_body("C:schedule-default-calendar-URL"),
                       {"Depth": "0"})
        self.assertIn(b.calendars + "moved-again", r.text)
        # (back to the provisioned default for the other tests)
        self.assertEqual(b.req("DELETE", b.calendars + "moved-again/").status, 204)

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
        # other iTIP goes by implicit scheduling, and a message without METHOD is
        # no iTIP: valid-scheduling-message, a 400 (RFC 6638 §5.2.1)
        r = a.post(outbox, event("x", self.A, [self.B]).replace("VERSION:2.0",
                                                                "VERSION:2.0\r\nMETHOD:REQUEST"), ICS)
        self.assertEqual(r.status, 400)
        self.assertIn("valid-scheduling-message", r.text)
        r = a.post(outbox, self.fb_request([self.B]).replace("METHOD:REQUEST\r\n", ""), ICS)
        self.assertEqual(r.status, 400)
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

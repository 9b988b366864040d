"""Every buffer has a cap (issue 18): an answer that would outgrow
max_buffer_bytes is refused with 507 (RFC 4918 §11.5) rather than grown
without bound, the request it answered changes nothing, and the server goes on
answering everything else."""
import unittest

from veil import Server, User, prop, propfind_body, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}


def fb_request(organizer, attendees):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "METHOD:REQUEST",
             "BEGIN:VFREEBUSY", "UID:fb-cap", "DTSTAMP:20260101T000000Z",
             "DTSTART:20270301T000000Z", "DTEND:20270302T000000Z",
             "ORGANIZER:%s" % organizer] + ["ATTENDEE:%s" % a for a in attendees]
    return "\r\n".join(lines + ["END:VFREEBUSY", "END:VCALENDAR", ""])


def minutely(uid, second):
    # 1,440 ten-second busy periods in one day: a 300-byte object whose
    # free-busy answer is about 80 KiB
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN",
                        "BEGIN:VEVENT", "UID:%s" % uid, "DTSTAMP:20260101T000000Z",
                        "DTSTART:20270301T0000%02dZ" % second, "DURATION:PT10S",
                        "RRULE:FREQ=MINUTELY;COUNT=1440", "END:VEVENT", "END:VCALENDAR", ""])


FB_QUERY = ('<?xml version="1.0"?><C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<C:time-range start="20270301T000000Z" end="20270302T000000Z"/></C:free-busy-query>')


class BufferCap(unittest.TestCase):
    def busy_answers(self, config):
        """(outbox POST, free-busy REPORT) answers over a day with 2,880 busy periods."""
        s = Server(config=config)
        try:
            s.add_user("alice", password="pw-alice-123456")
            s.cli("alias", "add", "alice", "alice@cap.example", "--expose")
            s.start()
            a = User(s, "alice", s.app_password("alice", "t"))
            self.assertEqual(a.propfind(a.calendars, None, {"Depth": "0"}).status, 207)
            for uid, second in (("m1", 0), ("m2", 30)):
                r = a.put(a.calendars + "calendar/%s.ics" % uid, minutely(uid, second), ICS)
                self.assertEqual(r.status, 201, r.text)
            me = "mailto:alice@cap.example"
            post = a.post(a.calendars + "outbox/", fb_request(me, [me]), ICS)
            report = a.report(a.calendars + "calendar/", FB_QUERY,
                              {"Depth": "1", "Content-Type": "application/xml"})
            # the server goes on answering
            ok = a.propfind(a.calendars, None, {"Depth": "1"}).status
            return post, report, ok
        finally:
            s.cleanup()

    def test_an_answer_past_the_cap_is_507(self):
        post, report, ok = self.busy_answers({"max_body_bytes": "16k",
                                              "max_buffer_bytes": "64k"})
        for r in (post, report):
            self.assertEqual(r.status, 507, r.text[:300])
            self.assertNotIn("FREEBUSY", r.text)  # nothing of the cut answer is sent
            self.assertNotIn("schedule-response", r.text)
        self.assertEqual(ok, 207)

    def test_the_same_answers_under_the_default_cap(self):
        post, report, ok = self.busy_answers({})
        self.assertEqual(post.status, 200, post.text[:300])
        self.assertEqual(post.text.count("FREEBUSY;FBTYPE=BUSY:"), 2880)
        self.assertEqual(report.status, 200, report.text[:300])
        self.assertEqual(report.text.count("FREEBUSY;FBTYPE=BUSY:"), 2880)
        self.assertEqual(ok, 207)

    def test_the_cap_must_hold_a_whole_request(self):
        s = Server(config={"max_body_bytes": "1M", "max_buffer_bytes": "512k"})
        try:
            r = s.cli("user", "list", check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("max_buffer_bytes must be at least max_body_bytes", r.stderr.decode())
        finally:
            s.cleanup()


def event(uid, rrule, attendees=0):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN", "BEGIN:VEVENT",
             "UID:%s" % uid, "DTSTAMP:20260101T000000Z", "DTSTART:20270301T090000Z",
             "DURATION:PT1H", "SUMMARY:limits"]
    if rrule:
        lines.append("RRULE:" + rrule)
    if attendees:
        lines.append("ORGANIZER:mailto:org@limits.example")
        lines += ["ATTENDEE:mailto:a%d@limits.example" % i for i in range(attendees)]
    return "\r\n".join(lines + ["END:VEVENT", "END:VCALENDAR", ""])


EXPAND_QUERY = (
    '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data>'
    '<C:expand start="20270301T000000Z" end="20280301T000000Z"/></C:calendar-data></D:prop>'
    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
    '<C:time-range start="20270301T000000Z" end="20280301T000000Z"/>'
    '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')


class ConfiguredLimits(unittest.TestCase):
    """The CalDAV limits are configuration (issue 18), advertised as set and
    enforced with their preconditions."""

    def test_instances_attendees_and_expansion(self):
        s = Server(config={"max_instances": "100", "max_attendees": "3",
                           "expand_max_instances": "20"})
        try:
            s.add_user("alice", password="pw-alice-123456")
            s.start()
            a = User(s, "alice", s.app_password("alice", "t"))
            cal = a.calendars + "calendar/"
            r = a.propfind(cal, propfind_body("C:max-instances", "C:max-attendees-per-instance"),
                           {"Depth": "0"})
            m = responses(r)
            self.assertEqual(prop(m, cal, "{urn:ietf:params:xml:ns:caldav}max-instances").text,
                             "100")
            self.assertEqual(prop(m, cal, "{urn:ietf:params:xml:ns:caldav}"
                                          "max-attendees-per-instance").text, "3")
            self.assertEqual(a.put(cal + "ten.ics", event("ten", "FREQ=DAILY;COUNT=10"), ICS).status,
                             201)
            r = a.put(cal + "many.ics", event("many", "FREQ=DAILY;COUNT=101"), ICS)
            self.assertEqual(r.status, 403, r.text)
            self.assertIn("max-instances", r.text)
            r = a.put(cal + "four.ics", event("four", None, attendees=4), ICS)
            self.assertEqual(r.status, 403, r.text)
            self.assertIn("max-attendees-per-instance", r.text)
            r = a.put(cal + "open.ics", event("open", "FREQ=DAILY"), ICS)
            self.assertEqual(r.status, 403, r.text)  # unbounded: more than any max-instances
            # a hundred days may be stored, but are more than a query expands:
            # that member's calendar-data is 507, the others' 200
            r = a.put(cal + "daily.ics", event("daily", "FREQ=DAILY;COUNT=100"), ICS)
            self.assertEqual(r.status, 201, r.text)
            r = a.report(cal, EXPAND_QUERY, {"Depth": "1", "Content-Type": "application/xml"})
            self.assertEqual(r.status, 207, r.text[:300])
            m = responses(r)
            cd = "{urn:ietf:params:xml:ns:caldav}calendar-data"
            self.assertIsNotNone(prop(m, cal + "daily.ics", cd, 507), r.text[:1000])
            self.assertIsNone(prop(m, cal + "daily.ics", cd, 200))
            ten = prop(m, cal + "ten.ics", cd, 200)
            self.assertIsNotNone(ten, r.text[:1000])
            self.assertEqual(ten.text.count("BEGIN:VEVENT"), 10)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

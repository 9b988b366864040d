"""Every buffer has a cap (issue 18): an answer that would outgrow
max_buffer_bytes is refused with 507 (RFC 4918 §11.5) rather than grown
without bound, the request it answered changes nothing, and the server goes on
answering everything else."""
import unittest

from veil import Server, User

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


if __name__ == "__main__":
    unittest.main()

"""Security issue 13: iCalendar input that made the server work without end.

Each test sends a reproducer from the report (defects 4, 5 and the libical half
of 7) and asserts the answer, a time bound and a memory bound (the server's
VmHWM from /proc).  Before the fix these requests ran for minutes or forever,
grew the server by gigabytes, and kept SIGTERM from stopping it."""
import os
import signal
import threading
import time
import unittest

from caldav_util import C, NS_DECL, error_element, query, time_range_filter, vcal
from veil import NS, Server, ServerTest, User, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
TIME_BOUND = float(os.environ.get("VEIL_BOUND_SECONDS", "2"))
# headroom over the heap before the request: the reproducers took 1.6-2.1 GB
MEMORY_BOUND_KB = 200 * 1024


def evil_zone(rule, tzid="Evil/Zone"):
    return ("BEGIN:VTIMEZONE\r\nTZID:%s\r\nBEGIN:STANDARD\r\nDTSTART:16000101T000000\r\n"
            "%sTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            % (tzid, rule))


def event(uid, start, rules, extra=""):
    return ("BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART%s\r\n"
            "DURATION:PT1H\r\n%s%sEND:VEVENT\r\n" % (uid, start, rules, extra))


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class Bounds(ServerTest):
    def setUp(self):
        self.cal = self.alice.calendars + "calendar/"
        self.pid = self.server.proc.pid

    def timed(self, fn, *args):
        hwm = proc_status(self.pid, "VmHWM")
        t0 = time.monotonic()
        r = fn(*args)
        secs = time.monotonic() - t0
        grown = proc_status(self.pid, "VmHWM") - hwm
        self.assertLess(secs, TIME_BOUND, "took %.2f s" % secs)
        self.assertLess(grown, MEMORY_BOUND_KB, "peak memory grew by %d KiB" % grown)
        return r

    def put(self, name, ics):
        return self.timed(self.alice.put, self.cal + name, ics, ICS)

    def assertAlive(self):
        r = self.alice.propfind(self.cal, None, {"Depth": "0"})
        self.assertEqual(r.status, 207)

    # --- defect 4: VTIMEZONE rules finer than daily ---------------------------------
    def test_put_vtimezone_minutely_and_secondly(self):
        for freq in ("MINUTELY", "SECONDLY"):
            ics = vcal(evil_zone("RRULE:FREQ=%s\r\n" % freq),
                       event("tz-" + freq, ";TZID=Evil/Zone:20260301T100000", ""))
            r = self.put("tz-%s.ics" % freq, ics)
            self.assertEqual(r.status, 403, r.text)
            self.assertEqual(error_element(r), C + "valid-calendar-data")
            self.assertIn(b"VTIMEZONE", r.body)
        self.assertAlive()

    def test_query_timezone_from_read_only_password(self):
        ro = User(self.server, "alice", self.server.app_password("alice", "ro", "--read-only"))
        self.alice.put(self.cal + "plain.ics", vcal(event("plain", ":20260301T100000", "")), ICS)
        tz = vcal(evil_zone("RRULE:FREQ=MINUTELY\r\n"))
        body = query(time_range_filter("VEVENT", "20260101T000000Z", "20270101T000000Z"),
                     extra="<C:timezone>%s</C:timezone>" % tz)
        r = self.timed(ro.report, self.cal, body, {"Depth": "1"})
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(error_element(r), C + "valid-calendar-data")
        self.assertAlive()

    def test_calendar_timezone_property(self):
        tz = vcal(evil_zone("RRULE:FREQ=SECONDLY\r\n"))
        body = ('<D:propertyupdate %s><D:set><D:prop><C:calendar-timezone>%s'
                '</C:calendar-timezone></D:prop></D:set></D:propertyupdate>' % (NS_DECL, tz))
        r = self.timed(self.alice.proppatch, self.cal, body)
        self.assertEqual(r.status, 207)
        self.assertEqual(list(responses(r)[self.cal]), [403], r.text)
        self.assertIn(b"valid-calendar-data", r.body)
        mk = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar %s><D:set><D:prop>'
              '<C:calendar-timezone>%s</C:calendar-timezone></D:prop></D:set></C:mkcalendar>'
              % (NS_DECL, tz))
        r = self.timed(self.alice.mkcalendar, self.alice.calendars + "evil/", mk)
        self.assertNotEqual(r.status, 201, r.text)
        self.assertIn(b"valid-calendar-data", r.body)
        self.assertEqual(self.alice.propfind(self.alice.calendars + "evil/", None,
                                             {"Depth": "0"}).status, 404)
        self.assertAlive()

    # --- defect 5: rules that never finish -------------------------------------------
    def test_exrule_secondly_under_yearly(self):
        ics = vcal(event("ex1", ":19000101T000000Z",
                         "RRULE:FREQ=YEARLY\r\nEXRULE:FREQ=SECONDLY\r\n"))
        r = self.put("ex1.ics", ics)
        self.assertIn(r.status, (201, 204), r.text)
        q = query(time_range_filter("VEVENT", "20200101T000000Z", "20300101T000000Z"))
        r = self.timed(self.alice.report, self.cal, q, {"Depth": "1"})
        self.assertEqual(r.status, 207)
        self.assertNotIn(b"ex1.ics", r.body)  # every instance is excluded

    def test_exrule_minutely_bysecond(self):
        ics = vcal(event("ex2", ":20200101T000000Z",
                         "RRULE:FREQ=YEARLY\r\nEXRULE:FREQ=MINUTELY;BYSECOND=30\r\n"))
        r = self.put("ex2.ics", ics)
        self.assertIn(r.status, (201, 204), r.text)
        q = query(time_range_filter("VEVENT", "20250101T000000Z", "20250102T000000Z"))
        r = self.timed(self.alice.report, self.cal, q, {"Depth": "1"})
        self.assertIn(b"ex2.ics", r.body)

    def test_never_occurring_rules(self):
        for i, rule in enumerate(("RRULE:FREQ=SECONDLY;BYSECOND=60\r\n",
                                  "RRULE:FREQ=MONTHLY;BYDAY=6MO\r\n",
                                  "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n")):
            name = "never%d.ics" % i
            r = self.put(name, vcal(event("never%d" % i, ":19000101T000000Z", rule)))
            self.assertIn(r.status, (201, 204), r.text)
            # DTSTART is the only instance (RFC 5545 3.8.5.3)
            q = query(time_range_filter("VEVENT", "19000101T000000Z", "19000102T000000Z"))
            r = self.timed(self.alice.report, self.cal, q, {"Depth": "1"})
            self.assertIn(name.encode(), r.body)
            q = query(time_range_filter("VEVENT", "19000102T000000Z", "20300101T000000Z"))
            r = self.timed(self.alice.report, self.cal, q, {"Depth": "1"})
            self.assertNotIn(name.encode(), r.body)

    def test_far_past_minutely_expand(self):
        ics = vcal(event("fp", ":19000101T000000Z", "RRULE:FREQ=MINUTELY;INTERVAL=7\r\n"))
        r = self.put("fp.ics", ics)
        self.assertIn(r.status, (201, 204), r.text)
        cd = ('<C:calendar-data><C:expand start="20260301T000000Z" end="20260301T010000Z"/>'
              '</C:calendar-data>')
        q = query(time_range_filter("VEVENT", "20260301T000000Z", "20260301T010000Z"), props=cd)
        r = self.timed(self.alice.report, self.cal, q, {"Depth": "1"})
        self.assertEqual(r.status, 207)
        self.assertGreaterEqual(r.body.count(b"RECURRENCE-ID"), 8)

    # --- defect 7 (libical half): parameters per property ---------------------------
    def test_many_parameters(self):
        params = "".join(";FOO%d=x" % i for i in range(60000))
        ics = vcal(event("pa", ":20260301T100000Z", "",
                         "ATTENDEE%s:mailto:a@example.com\r\n" % params))
        r = self.put("pa.ics", ics)
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(error_element(r), C + "valid-calendar-data")
        self.assertIn(b"parameters", r.body)
        # the same text as a query's time zone: the timezone element's precondition
        tz = vcal(evil_zone("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n").replace(
            "TZOFFSETTO:+0100", "TZOFFSETTO%s:+0100" % params))
        body = query(time_range_filter("VEVENT", "20260101T000000Z", "20270101T000000Z"),
                     extra="<C:timezone>%s</C:timezone>" % tz)
        r = self.timed(self.alice.report, self.cal, body, {"Depth": "1"})
        self.assertEqual(r.status, 403, r.text)
        self.assertEqual(error_element(r), C + "valid-calendar-data")
        self.assertAlive()


class ShutdownMidExpansion(unittest.TestCase):
    """SIGTERM while a request is expanding: the process exits within seconds.

    The work limit is raised to its maximum so that one PUT expands for far
    longer than the test waits: an EXRULE with COUNT must be stepped from
    DTSTART (COUNT cannot skip ahead), second by second since 1900."""

    def test_sigterm_stops_expansion(self):
        server = Server(config={"ical_max_expand_steps": "1000000000",
                                "shutdown_grace_seconds": "5"})
        try:
            server.add_user("alice", password="alice-account-password")
            server.start()
            alice = User(server, "alice", server.app_password("alice", "t"))
            ics = vcal(event("slow", ":19000101T000000Z",
                             "RRULE:FREQ=YEARLY\r\nEXRULE:FREQ=SECONDLY;COUNT=2000000000\r\n"))
            result = {}

            def put():
                try:
                    result["r"] = alice.put(alice.calendars + "calendar/slow.ics", ics, ICS)
                except Exception as e:  # the connection may close under it
                    result["e"] = e

            t = threading.Thread(target=put)
            t.start()
            time.sleep(1.5)
            self.assertTrue(t.is_alive(), "the request should still be expanding: %r" % result)
            t0 = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            server.proc.wait(timeout=10)
            took = time.monotonic() - t0
            self.assertLess(took, 4, "exit took %.2f s" % took)
            t.join(10)
            r = result.get("r")
            if r is not None:  # answered before the socket closed
                self.assertNotEqual(r.status // 100, 2)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

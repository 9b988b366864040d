"""Outgoing iMIP (RFC 6047, issue 17): invitations, cancellations and answers
for calendar users outside the server leave as mail, through SMTP (a real
SMTP server on 127.0.0.1) or a sendmail-compatible program (msmtp); they are
queued with the change, so a crash between commit and send loses nothing;
the sender's copy shows the outcome (1.0 pending, 1.1 sent, 5.1 given up,
with a notice in the organizer's inbox)."""
import email.utils
import os
import re
import shutil
import time
import unittest

from veil import Server, User, free_port, propfind_body, responses
from smtp_sink import Sink, calendar_part, calendar_text

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
D = "veil.example"
OUT = "outside.example"

BERLIN = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:STANDARD\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
END:DAYLIGHT\r
END:VTIMEZONE\r
"""


def event(uid, organizer, attendees, summary="Planning", tz=False, extra=""):
    start = "DTSTART;TZID=Europe/Berlin:20270105T100000" if tz else "DTSTART:20270105T100000Z"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN"]
    body = "\r\n".join(lines) + "\r\n" + (BERLIN if tz else "")
    ev = ["BEGIN:VEVENT", "UID:%s" % uid, "DTSTAMP:20260101T000000Z", start, "DURATION:PT1H",
          "SUMMARY:%s" % summary, "ORGANIZER;CN=Alice Example:%s" % organizer]
    ev += [a if a.startswith("ATTENDEE") else "ATTENDEE;PARTSTAT=NEEDS-ACTION:%s" % a
           for a in attendees]
    if extra:
        ev += extra.strip("\r\n").split("\r\n")
    ev += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:soon", "TRIGGER:-PT5M", "END:VALARM",
           "END:VEVENT", "END:VCALENDAR", ""]
    return body + "\r\n".join(ev)


def unfold(t):
    return t.replace("\r\n ", "")


def status_of(body, cua, prop="ATTENDEE"):
    for line in unfold(body).split("\r\n"):
        if line.startswith(prop) and line.lower().endswith(":" + cua.lower()):
            m = re.search(r"SCHEDULE-STATUS=([0-9.]+)", line)
            return m.group(1) if m else None
    return None


class MailSetup:
    """A server whose outgoing mail goes to a sink; logins differ from the
    local parts so a test can see the login never travels."""
    config = {}

    @classmethod
    def start_server(cls, sink_port, **config):
        conf = {"mail_transport": "smtp", "smtp_url": "smtp://127.0.0.1:%d" % sink_port,
                "mail_retry_seconds": "1", "mail_timeout_seconds": "5"}
        conf.update(config)
        s = Server(config=conf)
        for login, local in (("login-a7", "alice"), ("login-b9", "bob")):
            s.add_user(login, password="pw-%s-123456" % login,
                       display_name=local.capitalize() + " Example")
            s.cli("alias", "add", login, "%s@%s" % (local, D), "--expose")
        s.start()
        users = {local: User(s, login, s.app_password(login, "t"))
                 for login, local in (("login-a7", "alice"), ("login-b9", "bob"))}
        for u in users.values():
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        return s, users

    def wait_status(self, user, path, cua, want, prop="ATTENDEE", timeout=20):
        deadline = time.time() + timeout
        got = None
        while time.time() < deadline:
            got = status_of(user.get(path).text, cua, prop)
            if got == want:
                return
            time.sleep(0.05)
        self.fail("SCHEDULE-STATUS of %s stayed %r, not %r" % (cua, got, want))

    def inbox(self, user):
        r = user.propfind(user.calendars + "inbox/", propfind_body("D:getetag"), {"Depth": "1"})
        return [user.get(h).text for h in responses(r) if h.endswith(".ics")]


class OutgoingMail(MailSetup, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink().start()
        cls.server, u = cls.start_server(cls.sink.port)
        cls.alice, cls.bob = u["alice"], u["bob"]
        cls.A = "mailto:alice@" + D

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.stop()

    def test_invitation_is_an_rfc6047_message(self):
        a = self.alice
        ext = "carol@" + OUT
        path = a.calendars + "calendar/inv1.ics"
        r = a.put(path, event("inv1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                               "ATTENDEE;CN=Carol Outside:mailto:" + ext],
                              summary="Caf\u00e9 planning", tz=True), ICS)
        self.assertIn(r.status, (201, 204), r.text)
        # queued with the change: pending (1.0) or already sent (1.1)
        self.assertIn(status_of(a.get(path).text, "mailto:" + ext), ("1.0", "1.1"))
        mail_from, rcpts, msg, raw = self.sink.to(ext, "REQUEST")
        # envelope and headers: the organizer's own address, never the login
        self.assertEqual(mail_from, "alice@" + D)
        self.assertEqual(rcpts, [ext])
        self.assertEqual(email.utils.parseaddr(str(msg["From"]))[1], "alice@" + D)
        self.assertIn("Alice Example", str(msg["From"]))
        self.assertEqual(email.utils.parseaddr(str(msg["To"]))[1], ext)
        self.assertEqual(str(msg["Subject"]), "Invitation: Caf\u00e9 planning")
        self.assertIsNotNone(email.utils.parsedate_to_datetime(str(msg["Date"])))
        self.assertRegex(str(msg["Message-ID"]), r"^<[^<>@\s]+@veil\.example>$")
        self.assertEqual(str(msg["MIME-Version"]), "1.0")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        types = [p.get_content_type() for p in msg.iter_parts()]
        self.assertEqual(types, ["text/plain", "text/calendar"])
        for h in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
            self.assertLessEqual(len(h), 998)
        text = raw.decode("ascii")  # every byte of the message is ASCII (no 8BITMIME needed)
        for secret in ("login-a7", "127.0.0.1", "::1", "veildav"):
            self.assertNotIn(secret, text.split("\r\n\r\n")[0])
        # RFC 6047 §2.4: text/calendar with the method of the iTIP inside
        part = calendar_part(msg)
        self.assertEqual(part.get_param("method"), "REQUEST")
        self.assertEqual(part.get_content_charset(), "utf-8")
        cal = part.get_content()
        self.assertIn("METHOD:REQUEST", cal)
        self.assertIn("SUMMARY:Caf\u00e9 planning", cal)
        self.assertIn("TZID:Europe/Berlin", cal)  # the VTIMEZONE it uses travels along
        self.assertIn("BEGIN:VTIMEZONE", cal)
        self.assertNotIn("SCHEDULE-", cal)
        self.assertNotIn("VALARM", cal)
        plain = next(msg.iter_parts()).get_content()
        self.assertIn("Caf\u00e9 planning", plain)
        self.assertIn("2027-01-05 10:00 (Europe/Berlin)", plain)
        # the organizer's copy: sent (1.1)
        self.wait_status(a, path, "mailto:" + ext, "1.1")

        # a change goes out as a new REQUEST, removal as a CANCEL
        n = len(self.sink.messages)
        r = a.put(path, event("inv1", self.A, ["ATTENDEE;PARTSTAT=ACCEPTED:" + self.A,
                                               "mailto:" + ext], summary="Moved", tz=True)
                  .replace("T100000", "T110000"), ICS)
        self.assertIn(r.status, (201, 204))
        self.sink.wait_for(lambda m: len(self.sink.messages) > n and "SUMMARY:Moved" in
                           calendar_text(m[2]))
        self.assertEqual(a.delete(path).status, 204)
        _, _, msg, _ = self.sink.to(ext, "CANCEL")
        self.assertEqual(calendar_part(msg).get_param("method"), "CANCEL")
        self.assertTrue(str(msg["Subject"]).startswith("Cancelled: "))

    def test_attendee_reply_by_mail(self):
        """A local attendee's answer to an outside organizer leaves as a REPLY
        from the attendee's address."""
        b = self.bob
        org = "mailto:dora@" + OUT
        path = b.calendars + "calendar/ext1.ics"
        inv = event("ext1", org, ["mailto:bob@" + D]).replace("CN=Alice Example", "CN=Dora")
        self.assertIn(b.put(path, inv, ICS).status, (201, 204))
        accepted = b.get(path).text.replace("PARTSTAT=NEEDS-ACTION:mailto:bob@" + D,
                                            "PARTSTAT=ACCEPTED:mailto:bob@" + D)
        self.assertIn(b.put(path, accepted, ICS).status, (201, 204))
        mail_from, _, msg, _ = self.sink.to("dora@" + OUT, "REPLY")
        self.assertEqual(mail_from, "bob@" + D)
        self.assertEqual(calendar_part(msg).get_param("method"), "REPLY")
        self.assertTrue(str(msg["Subject"]).startswith("Accepted: "))
        cal = calendar_text(msg)
        self.assertIn("PARTSTAT=ACCEPTED", cal)
        # the outcome on the ORGANIZER of bob's copy
        self.wait_status(b, path, org, "1.1", prop="ORGANIZER")

    def test_refused_recipient_gives_up_with_a_notice(self):
        a = self.alice
        ext = "nobody@" + OUT
        self.sink.refuse.add(ext)
        path = a.calendars + "calendar/ref1.ics"
        self.assertIn(a.put(path, event("ref1", self.A, ["mailto:" + ext]), ICS).status,
                      (201, 204))
        self.wait_status(a, path, "mailto:" + ext, "5.1")
        notices = [t for t in self.inbox(a) if "UID:ref1" in t]
        self.assertEqual(len(notices), 1, notices)
        self.assertIn("METHOD:REPLY", notices[0])
        self.assertIn("REQUEST-STATUS:5.1", notices[0])
        # nothing waits any more
        self.assertFalse(any(ext in m[1] for m in self.sink.messages))


class QueueDurability(MailSetup, unittest.TestCase):
    def test_kill9_between_commit_and_send(self):
        """The mail system is down when the change commits; the server is
        killed; the message goes once everything is back."""
        port = free_port()
        s, u = self.start_server(port)
        sink = None
        try:
            a = u["alice"]
            path = a.calendars + "calendar/k9.ics"
            ext = "erin@" + OUT
            r = a.put(path, event("k9", "mailto:alice@" + D, ["mailto:" + ext]), ICS)
            self.assertIn(r.status, (201, 204))
            self.assertEqual(status_of(a.get(path).text, "mailto:" + ext), "1.0")
            s.kill9()
            sink = Sink(port).start()
            s.start()
            _, _, msg, _ = sink.to(ext, "REQUEST", timeout=40)
            self.assertIn("UID:k9", calendar_text(msg))
            self.wait_status(a, path, "mailto:" + ext, "1.1", timeout=20)
        finally:
            s.cleanup()
            if sink:
                sink.stop()

    def test_retries_then_gives_up(self):
        port = free_port()  # nothing listens there
        s, u = self.start_server(port, mail_give_up_seconds="3")
        try:
            a = u["alice"]
            path = a.calendars + "calendar/gu.ics"
            ext = "fred@" + OUT
            self.assertIn(a.put(path, event("gu", "mailto:alice@" + D, ["mailto:" + ext]),
                                ICS).status, (201, 204))
            self.wait_status(a, path, "mailto:" + ext, "5.1", timeout=30)
            self.assertTrue(any("REQUEST-STATUS:5.1" in t for t in self.inbox(a)))
            log = s.server_log()
            self.assertIn("will retry", log)
            for secret in (ext, "alice@", "login-a7", "gu"):
                self.assertNotIn(secret, log)
        finally:
            s.cleanup()


class OtherTransports(MailSetup, unittest.TestCase):
    def test_through_a_sendmail_program(self):
        """msmtp (Debian's) stands in for the mail host's sendmail: the same
        command-line interface, and a real SMTP hop behind it."""
        self.assertIsNotNone(shutil.which("msmtp"), "tests/run.sh installs msmtp")
        sink = Sink().start()
        s, u = self.start_server(0, mail_transport="sendmail",
                                 sendmail_command="%s --host=127.0.0.1 --port=%d" %
                                 (shutil.which("msmtp"), sink.port))
        try:
            a = u["alice"]
            path = a.calendars + "calendar/sm.ics"
            ext = "gina@" + OUT
            self.assertIn(a.put(path, event("sm", "mailto:alice@" + D, ["mailto:" + ext]),
                                ICS).status, (201, 204))
            mail_from, _, msg, _ = sink.to(ext, "REQUEST")
            self.assertEqual(mail_from, "alice@" + D)
            self.assertEqual(calendar_part(msg).get_param("method"), "REQUEST")
            self.wait_status(a, path, "mailto:" + ext, "1.1")
        finally:
            s.cleanup()
            sink.stop()

    def test_mail_off(self):
        s, u = self.start_server(0, mail_transport="off")
        try:
            a = u["alice"]
            path = a.calendars + "calendar/off.ics"
            ext = "hal@" + OUT
            self.assertIn(a.put(path, event("off", "mailto:alice@" + D, ["mailto:" + ext]),
                                ICS).status, (201, 204))
            # RFC 6638 §3.2.9: no scheduling support for this calendar user
            self.assertEqual(status_of(a.get(path).text, "mailto:" + ext), "5.3")
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

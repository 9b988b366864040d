"""iMIP both ways (RFC 6047, issue 17): a real server whose outgoing mail goes
to a real SMTP server on 127.0.0.1 (smtp_sink, python3-aiosmtpd), and
`veildav deliver` run as a subprocess on the same data directory for mail
coming in.  An outside organizer invites a local attendee by mail, the
attendee answers over CalDAV and the REPLY leaves by mail; a local organizer
invites an outside attendee, and the attendee's answer to that very message
comes back by mail and updates the organizer's copy - only when it comes
from that attendee."""
import email.utils
import re
import unittest

import imip_mail as mail
import test_imip_in as imip
from smtp_sink import Sink, calendar_part, calendar_text
from test_imip_out import event, status_of, unfold

D = imip.D
ANA, CARLA, MALLORY = imip.ANA, imip.CARLA, imip.MALLORY
addr = imip.addr


def vevents(cal):
    return re.findall(r"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", unfold(cal), re.S)


def lines_of(component, name):
    return [l for l in component.split("\r\n") if re.match(r"%s[;:]" % name, l)]


def answer_to(cal, attendee, partstat, organizer=True):
    """An outside attendee's REPLY to the REQUEST `cal`, as their client makes
    it from the message it got: the same UID, SEQUENCE and times, their own
    ATTENDEE alone with the answer (RFC 5546 §3.2.3); without ORGANIZER as
    Outlook sends it when organizer is False."""
    ev = vevents(cal)[0].split("\r\n")
    keep = []
    for l in ev:
        if l.startswith("ATTENDEE"):
            if l.lower().endswith(":mailto:" + attendee.lower()):
                keep.append("ATTENDEE;PARTSTAT=%s:mailto:%s" % (partstat, attendee))
        elif l.startswith("ORGANIZER"):
            if organizer:
                keep.append(l)
        elif l.startswith("DTSTAMP"):
            keep.append("DTSTAMP:20261216T120000Z")
        elif l:
            keep.append(l)
    return "\r\n".join(["BEGIN:VCALENDAR", "PRODID:-//Outside//Client//EN", "VERSION:2.0",
                        "METHOD:REPLY"] + keep + ["END:VCALENDAR", ""])


class RoundTrip(imip.Delivering, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink().start()
        cls.make_server({"mail_transport": "smtp",
                         "smtp_url": "smtp://127.0.0.1:%d" % cls.sink.port,
                         "mail_retry_seconds": "1", "mail_timeout_seconds": "5"})

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()
        cls.sink.stop()

    def assert_rfc6047(self, msg, raw, method, sender, rcpt):
        """What RFC 6047 asks of an iMIP message (§2.2-2.4): From the
        calendar user who sends, the text/calendar part carrying the METHOD
        as its method parameter, a charset, and the usual header fields."""
        self.assertEqual(email.utils.parseaddr(str(msg["From"]))[1], sender)
        self.assertEqual(email.utils.parseaddr(str(msg["To"]))[1], rcpt)
        self.assertEqual(str(msg["MIME-Version"]), "1.0")
        self.assertIsNotNone(email.utils.parsedate_to_datetime(str(msg["Date"])))
        self.assertRegex(str(msg["Message-ID"]), r"^<[^<>@\s]+@[^<>@\s]+>$")
        part = calendar_part(msg)
        self.assertIsNotNone(part, "no text/calendar part")
        self.assertEqual(part.get_param("method"), method)
        self.assertEqual(part.get_content_charset(), "utf-8")
        cal = part.get_content()
        self.assertEqual(re.findall(r"(?m)^METHOD:([^\r\n]*)", cal), [method])
        self.assertNotIn("SCHEDULE-", cal)  # RFC 6638 §3.2: not outside the server
        for h in raw.split(b"\r\n\r\n")[0].split(b"\r\n"):
            self.assertLessEqual(len(h), 998)
        self.assertNotIn(b"127.0.0.1", raw.split(b"\r\n\r\n")[0])
        return cal.replace("\r\n", "\n").replace("\n", "\r\n")

    def test_outside_organizer_and_back_by_mail(self):
        b, uid, bob = self.u["bob"], self.uid(), addr("bob")
        # Ana's invitation comes by mail: to bob's inbox and default calendar
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, bob]), ANA, bob), bob, ANA)
        href, copy = self.copy_of(b, uid)
        self.assertIsNotNone(href)
        self.assertEqual(self.partstat(copy, "mailto:" + bob), "NEEDS-ACTION")
        self.assertTrue(any("METHOD:REQUEST" in x for x in self.inbox(b, uid)))

        # bob accepts over CalDAV: the REPLY leaves by mail, from his address
        accepted = re.sub(r"PARTSTAT=NEEDS-ACTION([^\r\n]*:mailto:%s)" % re.escape(bob),
                          r"PARTSTAT=ACCEPTED\1", unfold(copy))
        self.assertNotEqual(accepted, unfold(copy))
        self.put(b, href, accepted)
        mail_from, rcpts, msg, raw = self.sink.to(ANA, "REPLY")
        self.assertEqual((mail_from, rcpts), (bob, [ANA]))
        cal = self.assert_rfc6047(msg, raw, "REPLY", bob, ANA)
        evs = vevents(cal)
        self.assertEqual(len(evs), 1)
        ev = evs[0]
        self.assertEqual(lines_of(ev, "UID"), ["UID:" + uid])
        self.assertEqual(lines_of(ev, "SEQUENCE"), ["SEQUENCE:0"])
        self.assertEqual(len(lines_of(ev, "DTSTAMP")), 1)
        self.assertEqual(len(lines_of(ev, "ORGANIZER")), 1)
        self.assertTrue(lines_of(ev, "ORGANIZER")[0].lower().endswith(":mailto:" + ANA))
        # RFC 5546 §3.2.3: the one attendee who answers
        att = lines_of(ev, "ATTENDEE")
        self.assertEqual(len(att), 1, att)
        self.assertTrue(att[0].lower().endswith(":mailto:" + bob))
        self.assertIn("PARTSTAT=ACCEPTED", att[0])
        self.assertTrue(str(msg["Subject"]).startswith("Accepted: "))
        _, copy = self.copy_of(b, uid)
        # sent: the outcome on the ORGANIZER of bob's copy
        for _ in range(200):
            if status_of(self.copy_of(b, uid)[1], "mailto:" + ANA, "ORGANIZER") == "1.1":
                break
            self.sink.wait_for(lambda m: True, timeout=0.05)
        self.assertEqual(status_of(self.copy_of(b, uid)[1], "mailto:" + ANA, "ORGANIZER"),
                         "1.1")

        # RFC 6638 §3.2.2.1 as for an organizer inside: an update that keeps
        # the times keeps bob's answer ...
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, bob], seq=1, summary="Agenda"),
                                  ANA, bob), bob, ANA)
        _, copy = self.copy_of(b, uid)
        self.assertIn("SUMMARY:Agenda", copy)
        self.assertEqual(self.partstat(copy, "mailto:" + bob), "ACCEPTED")
        # ... and a new time asks again
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, bob], seq=2, summary="Agenda",
                                               start="20270112T100000Z",
                                               end="20270112T110000Z"), ANA, bob), bob, ANA)
        _, copy = self.copy_of(b, uid)
        self.assertIn("DTSTART:20270112T100000Z", copy)
        self.assertEqual(self.partstat(copy, "mailto:" + bob), "NEEDS-ACTION")

    def test_update_goes_to_the_calendar_holding_the_uid(self):
        b, uid, bob = self.u["bob"], self.uid(), addr("bob")
        self.assertEqual(b.mkcalendar(b.calendars + "work/").status, 201)
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, bob]), ANA, bob), bob, ANA)
        href, _ = self.copy_of(b, uid)
        dest = b.calendars + "work/" + href.rsplit("/", 1)[1]
        r = b.move(href, None, {"Destination": dest})
        self.assertIn(r.status, (201, 204), r.text)
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, bob], seq=1, summary="Moved"),
                                  ANA, bob), bob, ANA)
        self.assertEqual(self.copy_of(b, uid), (None, None))
        _, copy = self.copy_of(b, uid, "work/")
        self.assertIn("SUMMARY:Moved", copy)

    def test_outside_attendee_answers_by_mail(self):
        a, alice = self.u["alice"], addr("alice")
        uid = self.uid()
        path = a.calendars + "calendar/%s.ics" % uid.split("@")[0]
        self.put(a, path, event(uid, "mailto:" + alice,
                                ["ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + alice,
                                 "mailto:" + CARLA, "mailto:" + ANA]))
        _, rcpts, msg, raw = self.sink.wait_for(
            lambda m: CARLA in m[1] and ("UID:" + uid) in unfold(calendar_text(m[2])))
        request = self.assert_rfc6047(msg, raw, "REQUEST", alice, CARLA)

        # a forger answers for Carla: not applied, and the MTA told "delivered"
        forged = answer_to(request, CARLA, "DECLINED")
        self.ignored(mail.outlook(forged, MALLORY, alice), alice, MALLORY)
        self.ignored(mail.outlook(forged, MALLORY, alice), alice, "bounce@fabrikam.example")
        self.assertEqual(self.partstat(a.get(path).text, "mailto:" + CARLA), "NEEDS-ACTION")

        # Carla answers the message she got: her PARTSTAT in alice's copy
        self.delivered(mail.outlook(answer_to(request, CARLA, "ACCEPTED"), CARLA, alice),
                       alice, CARLA)
        copy = a.get(path).text
        self.assertEqual(self.partstat(copy, "mailto:" + CARLA), "ACCEPTED")
        self.assertTrue(any("METHOD:REPLY" in x for x in self.inbox(a, uid)))
        # Outlook answers without ORGANIZER: matched by UID
        self.delivered(mail.outlook(answer_to(request, CARLA, "TENTATIVE", organizer=False),
                                    CARLA, alice), alice, CARLA)
        self.assertEqual(self.partstat(a.get(path).text, "mailto:" + CARLA), "TENTATIVE")
        # Ana's answer is hers alone
        self.delivered(mail.gmail(answer_to(request, ANA, "DECLINED"), ANA, alice), alice, ANA)
        copy = a.get(path).text
        self.assertEqual(self.partstat(copy, "mailto:" + ANA), "DECLINED")
        self.assertEqual(self.partstat(copy, "mailto:" + CARLA), "TENTATIVE")


if __name__ == "__main__":
    unittest.main()

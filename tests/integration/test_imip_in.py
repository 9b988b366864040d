"""Incoming iMIP (RFC 6047, issue 17): `veildav deliver` takes one mail
message from an MTA's pipe and delivers its iTIP to a local user - an outside
organizer's invitation, update and cancellation, an outside attendee's reply -
while the server runs (SQLite WAL: both write, the server sees the result over
HTTP at once).  Only the organizer of a copy changes it and only the attendee
answers for themselves; trusted_mta adds DKIM/DMARC to that proof.  A
blocked message is answered exactly as an unknown recipient: exit status,
standard error, nothing stored, nothing logged.  Exit statuses follow
sysexits.h so the MTA bounces or retries correctly."""
import os
import sqlite3
import subprocess
import unittest

import imip_mail as mail
import test_scheduling as sched
from veil import Server, User

D = "veil.example"
EX_OK, EX_USAGE, EX_DATAERR, EX_NOUSER, EX_SOFTWARE, EX_TEMPFAIL, EX_CONFIG = \
    0, 64, 65, 67, 70, 75, 78
ANA = "ana.lima@gmail.com"           # an outside organizer
CARLA = "carla@fabrikam.example"     # an outside attendee (Outlook)
MALLORY = "mallory@evil.example"


def addr(login):
    return "%s@%s" % (login, D)


class Delivering:
    """Helpers over one server: deliver a message, read calendars over HTTP."""
    items = sched.Scheduling.items
    copy_of = sched.Scheduling.copy_of
    inbox = sched.Scheduling.inbox
    partstat = staticmethod(sched.Scheduling.partstat)
    put = sched.Scheduling.put
    logins = ("alice", "bob", "carol", "dave")

    @classmethod
    def make_server(cls, config=None):
        s = cls.server = Server(config=dict({"log_level": "debug",
                                             "imip_max_message_bytes": "256k"}, **(config or {})))
        for login in cls.logins:
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, addr(login), "--expose")
        s.cli("alias", "add", "bob", "bob.private@" + D)
        s.start()
        cls.u = {login: User(s, login, s.app_password(login, "t")) for login in cls.logins}
        for u in cls.u.values():
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def uid(self):
        """Short: a folded UID line would hide from copy_of's search."""
        type(self).n += 1
        return "%s%d@google.com" % (type(self).__name__[:4].lower(), self.n)

    def deliver(self, msg, recipient, sender, server=None, data=None):
        args = ["--data", data or self.server.data, "deliver", "--recipient", recipient,
                "--sender", sender] + (["--server", server] if server else [])
        p = subprocess.run([self.server.binary] + args, input=msg, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120)
        # never an address on standard error: it goes into the MTA's bounce
        self.assertNotIn(b"@", p.stderr)
        return p.returncode, p.stderr

    def delivered(self, msg, recipient, sender, **kw):
        """Applied: success, and nothing to say."""
        rc, err = self.deliver(msg, recipient, sender, **kw)
        self.assertEqual((rc, err), (EX_OK, b""))

    def ignored(self, msg, recipient, sender, **kw):
        """Not applied on purpose: success for the MTA (no bounce to a forged
        sender), the reason at debug level only, without addresses."""
        rc, err = self.deliver(msg, recipient, sender, **kw)
        self.assertEqual(rc, EX_OK, err)
        self.assertRegex(err.decode(), r"^\S+ veildav debug: iMIP message not applied: [^@]+\n$")

    def cancelled(self, user, uid):
        """A cancelled meeting stays in the attendee's calendar marked so
        (RFC 5546 §3.2.5), as for an organizer inside the server."""
        href, copy = self.copy_of(user, uid)
        self.assertIsNotNone(href)
        self.assertIn("STATUS:CANCELLED", copy)

    def has_nothing(self, login, uid):
        self.assertEqual(self.copy_of(self.u[login], uid), (None, None))
        self.assertEqual(self.inbox(self.u[login], uid), [])


class Organizers(Delivering, unittest.TestCase):
    """REQUEST and CANCEL from organizers outside the server."""

    @classmethod
    def setUpClass(cls):
        cls.make_server()

    def test_gmail_invitation_update_and_cancel(self):
        b, uid = self.u["bob"], self.uid()
        self.delivered(mail.gmail(mail.request(uid, ANA, [ANA, addr("bob")]), ANA, addr("bob")),
                       addr("bob"), ANA)
        href, copy = self.copy_of(b, uid)
        self.assertIsNotNone(href)
        self.assertIn("SUMMARY:Meeting", copy)
        self.assertEqual(self.partstat(copy, "mailto:" + addr("bob")), "NEEDS-ACTION")
        self.assertNotIn("METHOD", copy)
        self.assertTrue(any("METHOD:REQUEST" in x for x in self.inbox(b, uid)))
        # Google's envelope sender is a bounce address of its own; the
        # organizer is in From: the update is hers
        bounce = "3RoZbZwgKCUoJVNcaOPSYLRTUT-NOcPSYLRT@calendar-server.bounces.google.com"
        upd = mail.request(uid, ANA, [ANA, addr("bob")], seq=1, summary="Moved",
                           start="20270111T100000Z", end="20270111T110000Z")
        self.delivered(mail.gmail(upd, ANA, addr("bob")), addr("bob"), bounce)
        _, copy = self.copy_of(b, uid)
        self.assertIn("SUMMARY:Moved", copy)
        self.assertIn("DTSTART:20270111T100000Z", copy)
        # and she cancels: the copy is marked cancelled, the CANCEL is in the inbox
        self.delivered(mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), ANA, addr("bob")),
                       addr("bob"), ANA)
        self.cancelled(b, uid)
        self.assertTrue(any("METHOD:CANCEL" in x for x in self.inbox(b, uid)))

    def test_outlook_and_apple_shapes(self):
        b = self.u["bob"]
        uid = "040000008200E00074C5B7101A82E0080000000%d" % os.getpid()
        org = "juergen.mueller@contoso.example"
        msg = mail.outlook(mail.outlook_request(uid, org, addr("bob")), org, addr("bob"))
        self.delivered(msg, addr("bob"), org)
        _, copy = self.copy_of(b, uid)
        self.assertIn("DTSTART;TZID=W. Europe Standard Time:20270112T140000", copy)
        self.assertIn("J\u00fcrgen", copy)
        uid = self.uid()
        self.delivered(mail.apple(mail.request(uid, "elodie@icloud.example", [addr("bob")],
                                               summary="Caf\u00e9 " + "long " * 30),
                                  "elodie@icloud.example", addr("bob")),
                       addr("bob"), "elodie@icloud.example")
        _, copy = self.copy_of(b, uid)
        self.assertIn("Caf\u00e9 long long", copy.replace("\r\n ", ""))

    def test_invitation_to_a_hidden_alias_and_without_a_running_server(self):
        uid = self.uid()
        hidden = "bob.private@" + D
        self.delivered(mail.gmail(mail.request(uid, ANA, [hidden]), ANA, hidden), hidden, ANA)
        self.assertIsNotNone(self.copy_of(self.u["bob"], uid)[0])
        # the CLI alone, the server stopped; it sees the result once started
        s = Server(config={"log_level": "debug"})
        try:
            s.add_user("erin", password="pw-erin-123456")
            s.cli("alias", "add", "erin", "erin@" + D)
            self.delivered(mail.gmail(mail.request(uid, ANA, ["erin@" + D]), ANA, "erin@" + D),
                           "erin@" + D, ANA, data=s.data)
            s.start()
            erin = User(s, "erin", s.app_password("erin", "t"))
            self.assertIsNotNone(self.copy_of(erin, uid)[0])
        finally:
            s.cleanup()

    def test_only_the_organizer_changes_a_copy(self):
        b, uid = self.u["bob"], self.uid()
        self.delivered(mail.gmail(mail.request(uid, ANA, [addr("bob")]), ANA, addr("bob")),
                       addr("bob"), ANA)
        # someone else cancels, or updates, in her name: nothing happens, and
        # the answer is success (a bounce would go to whoever was forged)
        for msg in (mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), MALLORY, addr("bob")),
                    mail.gmail(mail.request(uid, ANA, [addr("bob")], seq=2, summary="Hijacked"),
                               MALLORY, addr("bob"))):
            self.ignored(msg, addr("bob"), MALLORY)
        # or takes the meeting over as its organizer
        self.ignored(mail.gmail(mail.request(uid, MALLORY, [addr("bob")], seq=3,
                                             summary="Hijacked"), MALLORY, addr("bob")),
                     addr("bob"), MALLORY)
        _, copy = self.copy_of(b, uid)
        self.assertIn("SUMMARY:Meeting", copy)
        self.assertEqual(len(self.inbox(b, uid)), 1)
        # the organizer's address in another case is still hers
        self.delivered(mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), ANA.upper(), addr("bob")),
                       addr("bob"), ANA.upper())
        self.cancelled(b, uid)
        # a cancellation of what bob never had leaves nothing either
        uid = self.uid()
        self.ignored(mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), ANA, addr("bob")),
                     addr("bob"), ANA)
        self.has_nothing("bob", uid)

    def test_what_is_not_applied(self):
        uid = self.uid()
        # bob is not among the attendees (a list, a Bcc)
        self.ignored(mail.gmail(mail.request(uid, ANA, [addr("carol")]), ANA, addr("bob")),
                     addr("bob"), ANA)
        self.has_nothing("bob", uid)
        # an outside message in a local organizer's name: hers go through the server
        self.ignored(mail.gmail(mail.request(uid, addr("alice"), [addr("bob")]), addr("alice"),
                                addr("bob")), addr("bob"), addr("alice"))
        self.has_nothing("bob", uid)
        log = self.server.server_log()
        self.assertNotIn("@", log)


class Attendees(Delivering, unittest.TestCase):
    """REPLY from attendees outside the server to a local organizer."""

    @classmethod
    def setUpClass(cls):
        cls.make_server()

    def organize(self, uid, outsiders):
        """alice invites bob and outsiders over HTTP; returns her copy's path."""
        a = self.u["alice"]
        path = a.calendars + "calendar/%s.ics" % uid.replace("@", "-")
        self.put(a, path, sched.event(uid, "mailto:" + addr("alice"),
                                      ["ATTENDEE;PARTSTAT=ACCEPTED:mailto:" + addr("alice"),
                                       "mailto:" + addr("bob")] +
                                      ["mailto:" + o for o in outsiders]))
        return path

    def test_reply_updates_the_organizer_and_the_other_attendees(self):
        a, uid = self.u["alice"], self.uid()
        path = self.organize(uid, [ANA])
        msg = mail.gmail(mail.reply(uid, ANA, "ACCEPTED", organizer=addr("alice")), ANA,
                         addr("alice"))
        self.delivered(msg, addr("alice"), ANA)
        mine = a.get(path).text
        self.assertEqual(self.partstat(mine, "mailto:" + ANA), "ACCEPTED")
        self.assertTrue(any("METHOD:REPLY" in x for x in self.inbox(a, uid)))
        # RFC 6638 §3.2.2.2: bob's copy shows her answer too
        _, bobs = self.copy_of(self.u["bob"], uid)
        self.assertEqual(self.partstat(bobs, "mailto:" + ANA), "ACCEPTED")

    def test_forged_reply_is_not_applied(self):
        a, uid = self.u["alice"], self.uid()
        path = self.organize(uid, [ANA])
        # mallory answers in ana's name; and ana answers for someone else
        self.ignored(mail.gmail(mail.reply(uid, ANA, "DECLINED", organizer=addr("alice")),
                                MALLORY, addr("alice")), addr("alice"), MALLORY)
        self.ignored(mail.gmail(mail.reply(uid, "other@gmail.com", "ACCEPTED",
                                           organizer=addr("alice")), ANA, addr("alice")),
                     addr("alice"), ANA)
        # nor may an outsider answer for a local attendee
        self.ignored(mail.gmail(mail.reply(uid, addr("bob"), "DECLINED", organizer=addr("alice")),
                                addr("bob"), addr("alice")), addr("alice"), addr("bob"))
        mine = a.get(path).text
        self.assertEqual(self.partstat(mine, "mailto:" + ANA), "NEEDS-ACTION")
        self.assertEqual(self.partstat(mine, "mailto:" + addr("bob")), "NEEDS-ACTION")
        self.assertFalse(any("METHOD:REPLY" in x for x in self.inbox(a, uid)))
        # a reply to what alice does not organize (bob's copy) changes nothing
        self.ignored(mail.gmail(mail.reply(uid, ANA, "DECLINED", organizer=addr("alice")), ANA,
                                addr("bob")), addr("bob"), ANA)
        _, bobs = self.copy_of(self.u["bob"], uid)
        self.assertEqual(self.partstat(bobs, "mailto:" + ANA), "NEEDS-ACTION")

    def test_outlook_reply_without_organizer(self):
        a, uid = self.u["alice"], self.uid()
        path = self.organize(uid, [CARLA])
        cal = mail.outlook_reply(uid, CARLA, "TENTATIVE")
        self.assertNotIn("ORGANIZER", cal)
        self.delivered(mail.outlook_whole(cal, CARLA, addr("alice")), addr("alice"), CARLA)
        self.assertEqual(self.partstat(a.get(path).text, "mailto:" + CARLA), "TENTATIVE")
        replies = [x for x in self.inbox(a, uid) if "METHOD:REPLY" in x]
        self.assertEqual(len(replies), 1)
        self.assertIn("ORGANIZER:mailto:" + addr("alice"), replies[0])


class TrustedMTA(Delivering, unittest.TestCase):
    """trusted_mta: the MTA's Authentication-Results must show DKIM or DMARC
    passing for the sender's domain, or the change is not applied."""
    logins = ("alice", "bob")

    @classmethod
    def setUpClass(cls):
        cls.make_server({"trusted_mta": "mx1.veil.example, mx.veil.example"})

    def test_reply_needs_a_pass_from_a_trusted_mta(self):
        a, uid = self.u["alice"], self.uid()
        path = Attendees.organize(self, uid, [ANA])

        def answer(partstat, auth):
            msg = mail.gmail(mail.reply(uid, ANA, partstat, organizer=addr("alice")), ANA,
                             addr("alice"), auth=auth)
            rc, _ = self.deliver(msg, addr("alice"), ANA)
            self.assertEqual(rc, EX_OK)
            return self.partstat(a.get(path).text, "mailto:" + ANA)

        fail = mail.auth_field("mx.veil.example", ["dkim=fail (bad signature) header.d=gmail.com",
                                                   "spf=pass smtp.mailfrom=" + ANA])
        self.assertEqual(answer("DECLINED", fail), "NEEDS-ACTION")
        self.assertEqual(answer("DECLINED", ""), "NEEDS-ACTION")  # none at all: fail closed
        other = mail.auth_field("mx.evil.example", ["dkim=pass header.d=gmail.com"])
        self.assertEqual(answer("DECLINED", other), "NEEDS-ACTION")
        wrong = mail.auth_field("mx.veil.example", ["dkim=pass header.d=evil.example"])
        self.assertEqual(answer("DECLINED", wrong), "NEEDS-ACTION")
        good = mail.auth_field("mx.veil.example", ["dkim=pass (2048-bit key) header.d=gmail.com "
                                                   "header.i=@gmail.com"])
        self.assertEqual(answer("ACCEPTED", good), "ACCEPTED")
        dmarc = mail.auth_field("MX1.veil.example", ["dmarc=pass (p=none dis=none) "
                                                     "header.from=gmail.com"])
        self.assertEqual(answer("TENTATIVE", dmarc), "TENTATIVE")

    def test_organizer_updates_need_it_too(self):
        b, uid = self.u["bob"], self.uid()
        # a first invitation needs no proof: there is nothing to protect yet
        self.delivered(mail.gmail(mail.request(uid, ANA, [addr("bob")]), ANA, addr("bob")),
                       addr("bob"), ANA)
        self.ignored(mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), ANA, addr("bob")),
                     addr("bob"), ANA)
        self.assertIsNotNone(self.copy_of(b, uid)[0])
        good = mail.auth_field("mx.veil.example", ["dkim=pass header.d=gmail.com"])
        self.delivered(mail.gmail(mail.cancel(uid, ANA, [addr("bob")]), ANA, addr("bob"),
                                  auth=good), addr("bob"), ANA)
        self.cancelled(b, uid)


class Refusals(Delivering, unittest.TestCase):
    """What the MTA is told: unknown and blocked alike, broken messages,
    usage, configuration, a busy store."""
    logins = ("alice", "bob", "carol")

    @classmethod
    def setUpClass(cls):
        # a short wait for the write lock, so the busy store answers quickly
        cls.make_server({"imip_busy_timeout_ms": "300"})

    def policy(self, *args):
        self.server.cli("policy", *args)

    def test_blocked_is_unknown(self):
        uid = self.uid()

        def to(login, sender=ANA, server=None, organizer=ANA, frm=None):
            msg = mail.gmail(mail.request(uid, organizer, [addr(login), "nobody@" + D]),
                             frm or sender, addr(login))
            return self.deliver(msg, addr(login) if login != "nobody" else "nobody@" + D,
                                sender, server=server)

        unknown = to("nobody")
        self.assertEqual(unknown, (EX_NOUSER, b"veildav deliver: user unknown\n"))
        rules = [
            (("block", ANA), {}),                                  # the sender
            (("block", "gmail.com"), {}),                          # her domain
            (("block", "com"), {}),                                # a TLD
            (("block", "server:*.google.com"), {"server": "mail-sor-f41.google.com"}),
            (("block", "server:google.com"), {"server": "mail-sor-f41.google.com"}),
            (("block", MALLORY), {"frm": MALLORY}),                # the From: field
            (("block", MALLORY), {"organizer": MALLORY}),          # the iTIP organizer
            (("catchall", "add", addr("bob")), {}),                # blacklist mode
        ]
        for rule, kw in rules:
            undo = (("unblock",) + rule[1:]) if rule[0] == "block" else \
                ("catchall", "remove") + rule[2:]
            self.policy(*(rule + ("--user", "bob")))
            try:
                self.assertEqual(to("bob", **kw), unknown, rule)
            finally:
                self.policy(*(undo + ("--user", "bob")))
        self.has_nothing("bob", uid)
        # a locked account (its subscription expired) is unknown too, and
        # takes mail again once unlocked
        self.server.cli("user", "lock", "bob")
        try:
            self.assertEqual(to("bob"), unknown)
        finally:
            self.server.cli("user", "unlock", "bob")
        self.has_nothing("bob", uid)
        # whitelist mode without the address, then with it
        self.policy("catchall", "mode", "on", "--user", "bob")
        try:
            self.assertEqual(to("bob"), unknown)
            self.policy("catchall", "add", "bob", "--user", "bob")
            self.assertEqual(to("bob"), (EX_OK, b""))
        finally:
            self.policy("catchall", "remove", "bob", "--user", "bob")
            self.policy("catchall", "mode", "off", "--user", "bob")
        self.assertIsNotNone(self.copy_of(self.u["bob"], uid)[0])
        # a server: rule needs the server's name: without --server it cannot match
        self.policy("block", "server:google.com", "--user", "carol")
        try:
            self.assertEqual(to("carol"), (EX_OK, b""))
        finally:
            self.policy("unblock", "server:google.com", "--user", "carol")
        # a disabled or deleted account is unknown too
        self.server.cli("user", "disable", "carol")
        self.assertEqual(to("carol"), unknown)
        self.server.cli("user", "enable", "carol")
        self.server.cli("user", "delete", "carol", "--yes")
        self.assertEqual(to("carol"), unknown)
        # and nothing of it in the server's log
        log = self.server.server_log().lower()
        for word in ("gmail", "google", "evil", D, "bob", "block"):
            self.assertNotIn(word, log)

    def test_broken_messages(self):
        bob, uid = addr("bob"), self.uid()
        cal = mail.request(uid, ANA, [bob])
        cases = [
            mail.gmail(cal, ANA, bob).replace(b"--000000000000f2e5a0061d5f3a01--", b""),  # cut
            mail.plain("see you there", ANA, bob),                                  # no calendar
            mail.gmail("BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n", ANA, bob),
            mail.gmail(cal.replace("DTSTART:20270110T100000Z\r\n", ""), ANA, bob),  # no DTSTART
            mail.gmail(cal.replace("METHOD:REQUEST", "METHOD:COUNTER"), ANA, bob),
            mail.gmail(cal.replace("METHOD:REQUEST", "METHOD:PUBLISH"), ANA, bob),
            # RFC 6047 §2.4: Content-Type's method= is the METHOD
            mail.gmail(cal, ANA, bob).replace(b"method=REQUEST", b"method=CANCEL"),
            mail.outlook(cal, ANA, bob).replace(b"Content-Transfer-Encoding: base64\r\n\r\n",
                                                b"Content-Transfer-Encoding: base64\r\n\r\n!!"),
            mail.gmail(cal.replace("Meeting", "Caf\u00e9"), ANA, bob).replace(
                "Caf\u00e9".encode(), b"Caf\xe9"),                                 # not UTF-8
        ]
        for i, msg in enumerate(cases):
            for rcpt in (bob, "nobody@" + D):  # the same answer either way
                rc, err = self.deliver(msg, rcpt, ANA)
                self.assertEqual(rc, EX_DATAERR, (i, err))
                self.assertTrue(err.startswith(b"veildav deliver: "), err)
        self.has_nothing("bob", uid)
        # past imip_max_message_bytes (256k here): refused cleanly
        big = mail.gmail(mail.request(uid, ANA, [bob], extra=["COMMENT:" + "x" * 70] * 4000),
                         ANA, bob)
        self.assertGreater(len(big), 256 * 1024)
        self.assertEqual(self.deliver(big, bob, ANA),
                         (EX_DATAERR, b"veildav deliver: message too large\n"))
        self.has_nothing("bob", uid)

    def test_usage_and_configuration(self):
        msg = mail.gmail(mail.request(self.uid(), ANA, [addr("bob")]), ANA, addr("bob"))
        p = self.server.cli("deliver", "--recipient", addr("bob"), stdin=msg, check=False)
        self.assertEqual(p.returncode, EX_USAGE)
        for bad in (["--recipient", "bob", "--sender", ANA], ["--bogus"],
                    ["--recipient", addr("bob"), "--sender"]):
            self.assertEqual(self.server.cli("deliver", *bad, stdin=msg, check=False).returncode,
                             EX_USAGE, bad)
        self.assertEqual(self.server.cli("deliver", "--help").returncode, 0)
        self.assertEqual(self.deliver(msg, addr("bob"), ANA,
                                      data=os.path.join(self.server.dir, "nowhere"))[0], EX_CONFIG)
        broken = os.path.join(self.server.dir, "broken")
        os.makedirs(broken)
        with open(os.path.join(broken, "veildav.conf"), "w") as f:
            f.write("imip_max_message_bytes = lots\n")
        self.assertEqual(self.deliver(msg, addr("bob"), ANA, data=broken)[0], EX_CONFIG)
        os.remove(os.path.join(broken, "veildav.conf"))
        self.assertEqual(self.deliver(msg, addr("bob"), ANA, data=broken)[0], EX_CONFIG)

    def test_busy_store_means_try_again(self):
        uid = self.uid()
        msg = mail.gmail(mail.request(uid, ANA, [addr("bob")]), ANA, addr("bob"))
        db = sqlite3.connect(os.path.join(self.server.data, "dav.db"), isolation_level=None,
                             timeout=30)
        try:
            db.execute("BEGIN IMMEDIATE")  # the write lock, as another writer holds it
            rc, err = self.deliver(msg, addr("bob"), ANA)
            self.assertEqual(rc, EX_TEMPFAIL, err)
            self.assertIn(b"try again later", err)
            # busy is busy for every recipient: no difference shows there either
            self.assertEqual(self.deliver(msg, "nobody@" + D, ANA)[0], EX_TEMPFAIL)
        finally:
            db.execute("ROLLBACK")
            db.close()
        self.has_nothing("bob", uid)
        # the MTA retries, and it goes through
        self.delivered(msg, addr("bob"), ANA)
        self.assertIsNotNone(self.copy_of(self.u["bob"], uid)[0])


if __name__ == "__main__":
    unittest.main()

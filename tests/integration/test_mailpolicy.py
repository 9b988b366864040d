"""The mail service's blocking rules on calendar deliveries (issue 17): the
recipient's catch-all rules and block list apply to invitations, replies,
updates and free-busy queries between local users exactly as to mail, and a
blocked delivery is indistinguishable from one to an address that does not
exist: the same SCHEDULE-STATUS, the same answer, nothing stored, nothing
logged.  Rules are changed with `veildav policy` while the server runs."""
import os
import sqlite3
import unittest

from veil import NS, Server, User
import test_scheduling as sched

ICS, event = sched.ICS, sched.event

D = "policy.example"


def cua(local, domain=D):
    return "mailto:%s@%s" % (local, domain)


class MailPolicy(unittest.TestCase):
    items = sched.Scheduling.items
    copy_of = sched.Scheduling.copy_of
    inbox = sched.Scheduling.inbox
    partstat = staticmethod(sched.Scheduling.partstat)
    param = staticmethod(sched.Scheduling.param)
    put = sched.Scheduling.put
    urn = sched.Scheduling.urn

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server(config={"log_level": "debug"})
        for login in ("alice", "bob", "carol", "dave", "erin"):
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, "%s@%s" % (login, D), "--expose")
        s.cli("alias", "add", "alice", "alice@other.example", "--expose")
        s.cli("alias", "add", "bob", "sales@" + D)
        s.cli("alias", "add", "bob", "bob@second.example")
        s.start()
        cls.u = {login: User(s, login, s.app_password(login, "t"))
                 for login in ("alice", "bob", "carol", "dave", "erin")}
        for u in cls.u.values():
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def policy(self, *args):
        self.server.cli("policy", *args)

    def uid(self):
        type(self).n += 1
        return "pol-%s-%d" % (self._testMethodName, self.n)

    def invite(self, organizer, attendees, org_login="alice"):
        """alice (or org_login) invites; returns (uid, response, organizer's stored copy)."""
        uid = self.uid()
        a = self.u[org_login]
        path = a.calendars + "calendar/%s.ics" % uid
        r = self.put(a, path, event(uid, organizer,
                                    ["ATTENDEE;PARTSTAT=ACCEPTED:" + organizer] + attendees))
        return uid, r, a.get(path).text

    def received(self, login, uid):
        href, _ = self.copy_of(self.u[login], uid)
        return href is not None or bool(self.inbox(self.u[login], uid))

    def assert_unknown(self, login, address, stored, uid):
        """address (login's) got exactly what an unknown address of the domain gets."""
        self.assertEqual(self.param(stored, address, "SCHEDULE-STATUS"), "3.7")
        self.assertFalse(self.received(login, uid))

    # --- sender side: the block list ------------------------------------------------
    def test_blocked_sender_is_an_unknown_address(self):
        self.policy("block", "alice@" + D, "--user", "bob")
        try:
            nobody = cua("nobody")
            uid, r1, stored = self.invite(cua("alice"), [cua("bob"), nobody, cua("carol")])
            self.assert_unknown("bob", cua("bob"), stored, uid)
            self.assertEqual(self.param(stored, nobody, "SCHEDULE-STATUS"), "3.7")
            self.assertEqual(self.param(stored, cua("carol"), "SCHEDULE-STATUS"), "1.2")
            self.assertTrue(self.received("carol", uid))
            # one invitation to bob alone and one to nobody alone answer alike:
            # status, headers, and the organizer's copy but for the address
            uid_b, rb, sb = self.invite(cua("alice"), [cua("bob")])
            uid_n, rn, sn = self.invite(cua("alice"), [nobody])
            self.assertEqual(rb.status, rn.status)
            self.assertEqual(sorted(rb.headers), sorted(rn.headers))
            unfold = lambda t: t.replace("\r\n ", "")
            self.assertEqual(unfold(sb).replace(cua("bob"), nobody).replace(uid_b, uid_n),
                             unfold(sn))
            self.assertFalse(self.received("bob", uid_b))
        finally:
            self.policy("unblock", "alice@" + D, "--user", "bob")
        # unblocked: the next invitation arrives
        uid, _, stored = self.invite(cua("alice"), [cua("bob")])
        self.assertEqual(self.param(stored, cua("bob"), "SCHEDULE-STATUS"), "1.2")
        self.assertTrue(self.received("bob", uid))
        # and the log never named the rule, the sender or the recipient
        log = self.server.server_log()
        for word in (D, "other.example", "block", "alice", "bob"):
            self.assertNotIn(word, log.lower())

    def test_domain_subdomain_and_tld_rules(self):
        # a domain rule blocks the address written with it, not the sender's others
        self.policy("block", "other.example", "--user", "dave")
        try:
            uid, _, stored = self.invite(cua("alice", "other.example"), [cua("dave")])
            self.assert_unknown("dave", cua("dave"), stored, uid)
            uid, _, stored = self.invite(cua("alice"), [cua("dave")])
            self.assertEqual(self.param(stored, cua("dave"), "SCHEDULE-STATUS"), "1.2")
            self.assertTrue(self.received("dave", uid))
        finally:
            self.policy("unblock", "other.example", "--user", "dave")
        # a parent domain covers its subdomains; a bare TLD every domain under it
        for rule in ("example", "policy.example"):
            self.policy("block", rule, "--user", "dave")
            try:
                uid, _, stored = self.invite(cua("alice"), [cua("dave")])
                self.assert_unknown("dave", cua("dave"), stored, uid)
            finally:
                self.policy("unblock", rule, "--user", "dave")
        # server: rules name the sending mail server; inside Veil none sends
        self.policy("block", "server:*.example", "--user", "dave")
        try:
            uid, _, stored = self.invite(cua("alice"), [cua("dave")])
            self.assertTrue(self.received("dave", uid))
        finally:
            self.policy("unblock", "server:*.example", "--user", "dave")

    def test_another_spelling_does_not_get_round_a_block(self):
        """An organizer written as urn:uuid has every one of her addresses checked."""
        a = self.u["alice"]
        ua = self.urn(a)
        self.policy("block", "alice@other.example", "--user", "erin")
        try:
            uid, _, stored = self.invite(ua, [cua("erin")])
            self.assert_unknown("erin", cua("erin"), stored, uid)
        finally:
            self.policy("unblock", "alice@other.example", "--user", "erin")
        uid, _, stored = self.invite(ua, [cua("erin")])
        self.assertTrue(self.received("erin", uid))

    # --- recipient side: the catch-all rules ----------------------------------------
    def test_catchall_whitelist_and_blacklist(self):
        c = "carol"
        # whitelist mode with an empty list: every address refuses, the primary too
        self.policy("catchall", "mode", "on", "--user", c)
        try:
            uid, _, stored = self.invite(cua("alice"), [cua(c)])
            self.assert_unknown(c, cua(c), stored, uid)
            self.policy("catchall", "add", "carol", "--user", c)
            uid, _, stored = self.invite(cua("alice"), [cua(c)])
            self.assertEqual(self.param(stored, cua(c), "SCHEDULE-STATUS"), "1.2")
            self.assertTrue(self.received(c, uid))
            # an alias exception inside the whitelisted local part
            self.policy("catchall", "add", "!carol@" + D, "--user", c)
            uid, _, stored = self.invite(cua("alice"), [cua(c)])
            self.assert_unknown(c, cua(c), stored, uid)
        finally:
            self.policy("catchall", "remove", "!carol@" + D, "--user", c)
            self.policy("catchall", "remove", "carol", "--user", c)
            self.policy("catchall", "mode", "off", "--user", c)
        # blacklist mode: the listed (hidden) alias refuses, the others receive
        self.policy("catchall", "add", "sales@" + D, "--user", "bob")
        try:
            uid, _, stored = self.invite(cua("alice"), [cua("sales")])
            self.assert_unknown("bob", cua("sales"), stored, uid)
            uid, _, stored = self.invite(cua("alice"), [cua("bob")])
            self.assertTrue(self.received("bob", uid))
        finally:
            self.policy("catchall", "remove", "sales@" + D, "--user", "bob")
        # a domain rule: nothing at second.example reaches bob
        self.policy("catchall", "add", "@second.example", "--user", "bob")
        try:
            uid, _, stored = self.invite(cua("alice"), [cua("bob", "second.example")])
            self.assert_unknown("bob", cua("bob", "second.example"), stored, uid)
        finally:
            self.policy("catchall", "remove", "@second.example", "--user", "bob")

    # --- the other deliveries ------------------------------------------------------
    def test_reply_and_update_fan_out(self):
        a = self.u["alice"]
        uid, _, _ = self.invite(cua("alice"), [cua("dave"), cua("erin")])
        path = a.calendars + "calendar/%s.ics" % uid
        # alice blocks dave: his answer does not reach her
        self.policy("block", "dave@" + D, "--user", "alice")
        try:
            href, copy = self.copy_of(self.u["dave"], uid)
            self.put(self.u["dave"], href, copy.replace("PARTSTAT=NEEDS-ACTION:" + cua("dave"),
                                                        "PARTSTAT=ACCEPTED:" + cua("dave")))
            self.assertEqual(self.partstat(a.get(path).text, cua("dave")), "NEEDS-ACTION")
            self.assertFalse(any("METHOD:REPLY" in x for x in self.inbox(a, uid)))
        finally:
            self.policy("unblock", "dave@" + D, "--user", "alice")
        # erin blocks alice: the organizer's update after dave's answer stays out
        self.policy("block", "alice@" + D, "--user", "erin")
        try:
            href, copy = self.copy_of(self.u["dave"], uid)
            self.put(self.u["dave"], href, copy.replace("PARTSTAT=ACCEPTED:" + cua("dave"),
                                                        "PARTSTAT=DECLINED:" + cua("dave")))
            self.assertEqual(self.partstat(a.get(path).text, cua("dave")), "DECLINED")
            _, erins = self.copy_of(self.u["erin"], uid)
            self.assertNotEqual(self.partstat(erins, cua("dave")), "DECLINED")
        finally:
            self.policy("unblock", "alice@" + D, "--user", "erin")

    def test_free_busy_query(self):
        a, b = self.u["alice"], self.u["bob"]
        acl = ('<D:acl xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:ace><D:principal>'
               '<D:href>%s</D:href></D:principal><D:grant><D:privilege><C:read-free-busy/>'
               '</D:privilege></D:grant></D:ace></D:acl>' % a.principal)
        self.assertEqual(b.req("ACL", b.calendars, acl, {"Content-Type": "application/xml"}).status,
                         200)
        body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Veil tests//EN",
                            "METHOD:REQUEST", "BEGIN:VFREEBUSY", "UID:fb-pol",
                            "DTSTAMP:20260101T000000Z", "DTSTART:20270301T000000Z",
                            "DTEND:20270302T000000Z", "ORGANIZER:" + cua("alice"),
                            "ATTENDEE:" + cua("bob"), "ATTENDEE:" + cua("nobody"),
                            "END:VFREEBUSY", "END:VCALENDAR", ""])

        def answers():
            r = a.post(a.calendars + "outbox/", body, ICS)
            self.assertEqual(r.status, 200, r.text)
            return {x.find("C:recipient/D:href", NS).text:
                    (x.find("C:request-status", NS).text,
                     x.find("C:calendar-data", NS) is not None)
                    for x in r.xml().findall("C:response", NS)}
        self.assertTrue(answers()[cua("bob")][0].startswith("2.0"))
        self.policy("block", D, "--user", "bob")
        try:
            got = answers()
            self.assertEqual(got[cua("bob")], got[cua("nobody")])
            self.assertEqual(got[cua("bob")], ("3.7;Invalid calendar user", False))
        finally:
            self.policy("unblock", D, "--user", "bob")


class AccountsMigration(unittest.TestCase):
    """A version-1 account database (the mail system's, before the upgrade) is
    brought to version 2 by the first veildav that opens it, nothing else changed."""

    def test_v1_to_v2(self):
        s = Server()
        try:
            s.add_user("frank", password="pw-frank-123456")
            s.cli("alias", "add", "frank", "frank@" + D, "--expose")
            path = os.path.join(s.data, "accounts.db")
            db = sqlite3.connect(path)
            db.executescript("DROP TABLE block_list; DROP TABLE catchall_rules;"
                             "ALTER TABLE accounts DROP COLUMN catchall_whitelist;"
                             "PRAGMA user_version = 1;")
            db.close()
            out = s.cli("policy", "list", "--user", "frank").stdout.decode()
            self.assertIn("catch-all mode: blacklist", out)
            db = sqlite3.connect(path)
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 2)
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            self.assertTrue({"block_list", "catchall_rules", "accounts", "aliases"} <= tables)
            self.assertEqual(db.execute("SELECT address FROM aliases").fetchall(),
                             [("frank@" + D,)])
            db.close()
            s.cli("policy", "block", "spam.example", "--user", "frank")
            out = s.cli("policy", "list", "--user", "frank").stdout.decode()
            self.assertIn("block\tspam.example", out)
            # a newer database than this veildav knows is refused, not guessed at
            db = sqlite3.connect(path)
            db.execute("PRAGMA user_version = 99")
            db.commit()
            db.close()
            self.assertNotEqual(s.cli("policy", "list", "--user", "frank", check=False).returncode,
                                0)
        finally:
            s.cleanup()

    def test_bad_entries_refused(self):
        s = Server()
        try:
            s.add_user("gina", password="pw-gina-123456")
            for bad in ("", "a@@b", "server:", "!nodomain", "bad entry"):
                p = s.cli("policy", "block", bad, "--user", "gina", check=False)
                q = s.cli("policy", "catchall", "add", bad, "--user", "gina", check=False)
                self.assertNotEqual(p.returncode, 0, bad)
                self.assertNotEqual(q.returncode, 0, bad)
            p = s.cli("policy", "block", "x.example", "--user", "nobody", check=False)
            self.assertNotEqual(p.returncode, 0)
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

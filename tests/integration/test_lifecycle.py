"""The account lifecycle (issue 17): an account is active or locked (its
subscription expired: no login anywhere, deliveries answered as to an unknown
address, data kept), set with `veildav user lock|unlock` or by the mail system
writing accounts.db itself, which counts from the next request."""
import base64
import os
import sqlite3
import unittest

from veil import Server, User
import test_scheduling as sched

ICS, event = sched.ICS, sched.event

D = "life.example"


def cua(local, domain=D):
    return "mailto:%s@%s" % (local, domain)


def basic(login, password):
    return "Basic " + base64.b64encode(("%s:%s" % (login, password)).encode()).decode()


class Locking(unittest.TestCase):
    items = sched.Scheduling.items
    copy_of = sched.Scheduling.copy_of
    inbox = sched.Scheduling.inbox
    param = staticmethod(sched.Scheduling.param)
    put = sched.Scheduling.put
    urn = sched.Scheduling.urn

    @classmethod
    def setUpClass(cls):
        # every refusal below counts as a failed login from 127.0.0.1
        s = cls.server = Server(config={"auth_fail_limit": "1000"})
        for login in ("alice", "bob", "carol"):
            s.add_user(login, password="pw-%s-123456" % login)
            s.cli("alias", "add", login, "%s@%s" % (login, D), "--expose")
        # dora signs in with her account password (bridge mode: no app password)
        s.add_user("dora", password="pw-dora-123456")
        s.start()
        cls.u = {login: User(s, login, s.app_password(login, "t"))
                 for login in ("alice", "bob", "carol")}
        cls.u["dora"] = User(s, "dora", "pw-dora-123456")
        for u in cls.u.values():
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def uid(self):
        type(self).n += 1
        return "life-%s-%d" % (self._testMethodName, self.n)

    def set_state(self, login, state):
        """What the mail system does: write the row itself, not through veildav."""
        db = sqlite3.connect(os.path.join(self.server.data, "accounts.db"))
        db.execute("PRAGMA busy_timeout = 5000")
        with db:
            n = db.execute("UPDATE accounts SET state=? WHERE login=?", (state, login)).rowcount
        db.close()
        self.assertEqual(n, 1)

    def answer(self, login, password):
        r = self.server.request("PROPFIND", "/", headers={"Depth": "0"}, auth=(login, password))
        return r.status, sorted((k, v) for k, v in r.headers.items() if k != "date"), r.body

    def assert_refused_like_a_wrong_password(self, login, password):
        self.assertEqual(self.answer(login, password), self.answer(login, "not-the-password"))
        self.assertEqual(self.answer(login, password)[0], 401)

    def test_lock_and_unlock(self):
        for login in ("bob", "dora"):  # an app password, and the account password
            u = self.u[login]
            self.assertEqual(self.answer(login, u.password)[0], 207)
            self.server.cli("user", "lock", login)
            self.assertIn("locked", self.server.cli("user", "show", login).stdout.decode())
            self.assert_refused_like_a_wrong_password(login, u.password)
            self.server.cli("user", "unlock", login)
            self.assertEqual(self.answer(login, u.password)[0], 207)
        # the earlier names of the two commands still work
        self.server.cli("user", "disable", "dora")
        self.assert_refused_like_a_wrong_password("dora", "pw-dora-123456")
        self.server.cli("user", "enable", "dora")
        self.assertEqual(self.answer("dora", "pw-dora-123456")[0], 207)

    def test_state_written_by_the_mail_system(self):
        """A state set in accounts.db directly counts from the next request, though
        the credential is in the server's cache (auth_cache_seconds = 300)."""
        for login in ("carol", "dora"):
            u = self.u[login]
            for _ in range(2):  # verified, then served from the cache
                self.assertEqual(self.answer(login, u.password)[0], 207)
            for state in ("locked", "disabled"):  # 'disabled': schema version 2's word
                self.set_state(login, state)
                self.assert_refused_like_a_wrong_password(login, u.password)
                self.set_state(login, "active")
                self.assertEqual(self.answer(login, u.password)[0], 207)
        listing = self.server.cli("user", "list").stdout.decode()
        self.assertRegex(listing, r"(?m)^carol\s+active\s")

    def test_locked_recipient_is_an_unknown_address(self):
        a, b = self.u["alice"], self.u["bob"]
        bob_urn, bob_url = self.urn(b), b.principal
        self.server.cli("user", "lock", "bob")
        try:
            sent = []
            for address in (cua("bob"), bob_urn, bob_url):
                uid = self.uid()
                path = a.calendars + "calendar/%s.ics" % uid
                self.put(a, path, event(uid, cua("alice"), [
                    "ATTENDEE;PARTSTAT=ACCEPTED:" + cua("alice"), address, cua("nobody")]))
                stored = a.get(path).text
                # the same status as an address of the domain that names no one
                self.assertEqual(self.param(stored, address, "SCHEDULE-STATUS"), "3.7", address)
                self.assertEqual(self.param(stored, cua("nobody"), "SCHEDULE-STATUS"), "3.7")
                sent.append(uid)
        finally:
            self.server.cli("user", "unlock", "bob")
        for uid in sent:  # nothing was stored for bob meanwhile
            self.assertEqual(self.copy_of(b, uid), (None, None))
            self.assertEqual(self.inbox(b, uid), [])
        # active again: the next invitation arrives
        uid = self.uid()
        path = a.calendars + "calendar/%s.ics" % uid
        self.put(a, path, event(uid, cua("alice"), ["ATTENDEE;PARTSTAT=ACCEPTED:" + cua("alice"),
                                                    cua("bob")]))
        self.assertEqual(self.param(a.get(path).text, cua("bob"), "SCHEDULE-STATUS"), "1.2")
        self.assertIsNotNone(self.copy_of(b, uid)[0])


# Version 2 of the account table, as storage/accounts.c created it (the
# version 1 table plus the catch-all switch).
ACCOUNTS_V2 = (
    "CREATE TABLE accounts("
    "  id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  display_name TEXT,"
    "  password_hash TEXT,"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','disabled')),"
    "  created TEXT NOT NULL,"
    "  updated TEXT NOT NULL, catchall_whitelist INTEGER NOT NULL DEFAULT 0 "
    "  CHECK (catchall_whitelist IN (0,1)))")


class Migration(unittest.TestCase):
    def test_v2_to_v3(self):
        s = Server()
        try:
            s.add_user("gus", password="pw-gus-123456")
            s.add_user("hal", password="pw-hal-123456")
            s.cli("alias", "add", "gus", "gus@" + D, "--expose")
            s.cli("policy", "block", "spam.example", "--user", "gus")
            app = s.app_password("gus", "phone")
            path = os.path.join(s.data, "accounts.db")
            # the same rows in a version 2 database, hal disabled
            db = sqlite3.connect(path, isolation_level=None)
            db.executescript(
                "PRAGMA foreign_keys=OFF; BEGIN;"
                "ALTER TABLE accounts RENAME TO accounts_v3;" + ACCOUNTS_V2 + ";"
                "INSERT INTO accounts SELECT id, login, display_name, password_hash, "
                "  CASE login WHEN 'hal' THEN 'disabled' ELSE state END, created, updated, "
                "  catchall_whitelist FROM accounts_v3;"
                "DROP TABLE accounts_v3; DELETE FROM sqlite_sequence;"
                "PRAGMA user_version = 2; COMMIT;")
            self.assertNotIn("AUTOINCREMENT", db.execute(
                "SELECT sql FROM sqlite_master WHERE name='accounts'").fetchone()[0])
            db.close()
            listing = s.cli("user", "list").stdout.decode()  # migrates, once
            self.assertRegex(listing, r"(?m)^hal\s+locked\s")
            self.assertRegex(listing, r"(?m)^gus\s+active\s")
            db = sqlite3.connect(path)
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 3)
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            self.assertEqual(db.execute("SELECT state FROM accounts WHERE login='hal'").fetchone(),
                             ("locked",))
            self.assertEqual(db.execute("SELECT count(*) FROM aliases").fetchone(), (1,))
            self.assertEqual(db.execute("SELECT count(*) FROM app_passwords").fetchone(), (1,))
            self.assertEqual(db.execute("SELECT count(*) FROM block_list").fetchone(), (1,))
            db.close()
            s.start()
            self.assertEqual(s.request("PROPFIND", "/", headers={"Depth": "0"},
                                       auth=("gus", app)).status, 207)
            self.assertEqual(s.request("PROPFIND", "/", headers={"Depth": "0"},
                                       auth=("hal", "pw-hal-123456")).status, 401)
            # ids are never given again: an account made after the newest one was
            # deleted gets a new id, so it can never take over the old one's data
            db = sqlite3.connect(path)
            db.execute("PRAGMA foreign_keys=ON")
            newest = db.execute("SELECT max(id) FROM accounts").fetchone()[0]
            with db:
                db.execute("DELETE FROM accounts WHERE id=?", (newest,))
            db.close()
            s.add_user("ivy", password="pw-ivy-123456")
            db = sqlite3.connect(path)
            self.assertGreater(db.execute("SELECT id FROM accounts WHERE login='ivy'").fetchone()[0],
                               newest)
            # and deleting a row still takes its aliases and rules with it
            db.execute("PRAGMA foreign_keys=ON")
            with db:
                db.execute("DELETE FROM accounts WHERE login='gus'")
            for table in ("aliases", "app_passwords", "block_list"):
                self.assertEqual(db.execute("SELECT count(*) FROM %s" % table).fetchone(), (0,))
            db.close()
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

"""The account lifecycle (issue 17): an account is active or locked (its
subscription expired: no login anywhere, deliveries answered as to an unknown
address, data kept), set with `veildav user lock|unlock` or by the mail system
writing accounts.db itself, which counts from the next request; and removed,
after which nothing of it survives in any file of the data directory."""
import base64
import os
import sqlite3
import time
import unittest
import uuid

from veil import Server, User, free_port, propfind_body
import test_scheduling as sched
import test_sharing as sharing

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
        body = propfind_body("D:displayname")
        seen = a.propfind(bob_url, body, {"Depth": "0"})
        self.server.cli("user", "lock", "bob")
        try:
            # his principal answers others as it did: locking shows only in
            # deliveries, which are answered as to no one
            now = a.propfind(bob_url, body, {"Depth": "0"})
            self.assertEqual((now.status, now.body), (seen.status, seen.body))
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


class LockedSender(unittest.TestCase):
    """A locked account sends no mail, as it logs in nowhere: a change others
    make in its calendar (here its write delegate) sends no invitation by mail
    in its name; the attendee's SCHEDULE-STATUS is 5.3 (no scheduling by mail
    for that sender: what an account without an address of its own gets) and
    nothing is queued.  Unlocked, the next change is sent."""

    def test_no_mail_in_a_locked_account_name(self):
        from smtp_sink import Sink
        sink = Sink().start()
        s = Server(config=dict(UNSENT, smtp_url="smtp://127.0.0.1:%d" % sink.port,
                               mail_retry_seconds="1"))
        try:
            s.add_user("olga", password="pw-olga-123456")
            s.add_user("pat", password="pw-pat-123456")
            s.cli("alias", "add", "olga", "olga@" + D, "--expose")
            s.start()
            olga = User(s, "olga", s.app_password("olga", "t"))
            pat = User(s, "pat", s.app_password("pat", "t"))
            for u in (olga, pat):
                self.assertEqual(u.propfind(u.calendars, None, {"Depth": "0"}).status, 207)
            s.cli("delegate", "add", "olga", "pat", "--write")
            # her urn:uuid names her whatever her state (her mail addresses name no one
            # while she is locked, so an event organized by one schedules nothing)
            urn = sched.Scheduling.urn(self, olga)
            ext = "mailto:quinn@outside.example"

            def put(uid, org=urn):
                path = olga.calendars + "calendar/%s.ics" % uid
                r = pat.put(path, sched.event(uid, org, ["ATTENDEE;PARTSTAT=ACCEPTED:" + org, ext],
                                              summary=uid), ICS)
                self.assertIn(r.status, (201, 204), r.text)
                return sched.Scheduling.param(pat.get(path).text, ext, "SCHEDULE-STATUS")

            self.assertIn(put("before-lock"), ("1.0", "1.1"))
            sink.wait_for(lambda m: b"SUMMARY:before-lock" in m[3])
            s.cli("user", "lock", "olga")
            self.assertEqual(put("while-locked"), "5.3")
            self.assertIsNone(put("while-locked-mailto", cua("olga")))
            db = sqlite3.connect(os.path.join(s.data, "dav.db"))
            self.assertEqual(db.execute("SELECT count(*) FROM mail_queue").fetchone(), (0,))
            db.close()
            s.cli("user", "unlock", "olga")
            self.assertIn(put("after-unlock"), ("1.0", "1.1"))
            sink.wait_for(lambda m: b"SUMMARY:after-unlock" in m[3])
            self.assertFalse(any(b"while-locked" in m[3] for m in sink.messages))
        finally:
            s.cleanup()
            sink.stop()


# Version 1 of the account database, as storage/accounts.c created it
# (ACCOUNTS.md): what a mail system that never ran a newer veildav holds.
ACCOUNTS_V1 = (
    "CREATE TABLE schema_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO schema_info VALUES('name','veil-accounts');"
    "CREATE TABLE domains(id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE, created TEXT NOT NULL);"
    "CREATE TABLE accounts(id INTEGER PRIMARY KEY,"
    "  login TEXT NOT NULL UNIQUE COLLATE NOCASE, display_name TEXT, password_hash TEXT,"
    "  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','disabled')),"
    "  created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE TABLE aliases(id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  address TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    "  domain_id INTEGER NOT NULL REFERENCES domains(id),"
    "  exposed INTEGER NOT NULL DEFAULT 0 CHECK (exposed IN (0,1)), created TEXT NOT NULL);"
    "CREATE INDEX aliases_account ON aliases(account_id);"
    "CREATE TABLE app_passwords(id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, lookup TEXT NOT NULL, hash TEXT NOT NULL, protocols TEXT NOT NULL,"
    "  read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0,1)),"
    "  allow_cidrs TEXT NOT NULL DEFAULT '', expires TEXT, created TEXT NOT NULL,"
    "  last_used TEXT, UNIQUE(account_id, name), UNIQUE(account_id, lookup));"
    "PRAGMA user_version = 1;")


class Migration(unittest.TestCase):
    def test_v1_to_v3(self):
        """A version 1 database, made from version 1's own DDL, goes through
        version 2 (the blocking rules) to 3 (locked, ids never reused) in one
        step, its rows kept and 'disabled' read as locked."""
        s = Server()
        try:
            s.add_user("kim", password="pw-kim-123456")
            s.add_user("lou", password="pw-lou-123456")
            s.cli("alias", "add", "kim", "kim@" + D, "--expose")
            app = s.app_password("kim", "phone")
            path = os.path.join(s.data, "accounts.db")
            db = sqlite3.connect(path)
            rows = {t: db.execute("SELECT %s FROM %s" % (cols, t)).fetchall() for t, cols in (
                ("domains", "id,name,created"),
                ("accounts", "id,login,display_name,password_hash,"
                             "CASE login WHEN 'lou' THEN 'disabled' ELSE state END,created,updated"),
                ("aliases", "id,account_id,address,domain_id,exposed,created"),
                ("app_passwords", "id,account_id,name,lookup,hash,protocols,read_only,"
                                  "allow_cidrs,expires,created,last_used"))}
            db.close()
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.unlink(path + suffix)
            db = sqlite3.connect(path, isolation_level=None)
            db.executescript(ACCOUNTS_V1)
            for table, values in rows.items():
                for row in values:
                    db.execute("INSERT INTO %s VALUES(%s)" % (table, ",".join("?" * len(row))),
                               row)
            db.close()
            os.chmod(path, 0o600)
            listing = s.cli("user", "list").stdout.decode()  # migrates, once
            self.assertRegex(listing, r"(?m)^lou\s+locked\s")
            self.assertRegex(listing, r"(?m)^kim\s+active\s")
            db = sqlite3.connect(path)
            self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0], 3)
            self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])
            self.assertIn("AUTOINCREMENT", db.execute(
                "SELECT sql FROM sqlite_master WHERE name='accounts'").fetchone()[0])
            self.assertEqual(db.execute("SELECT catchall_whitelist FROM accounts").fetchall(),
                             [(0,), (0,)])
            self.assertEqual(db.execute("SELECT address FROM aliases").fetchall(),
                             [("kim@" + D,)])
            self.assertEqual(db.execute("SELECT count(*) FROM app_passwords").fetchone(), (1,))
            db.close()
            s.cli("policy", "block", "spam.example", "--user", "kim")
            self.assertIn("block\tspam.example",
                          s.cli("policy", "list", "--user", "kim").stdout.decode())
            s.start()
            self.assertEqual(s.request("PROPFIND", "/", headers={"Depth": "0"},
                                       auth=("kim", app)).status, 207)
            self.assertEqual(s.request("PROPFIND", "/", headers={"Depth": "0"},
                                       auth=("lou", "pw-lou-123456")).status, 401)
            s.cli("user", "unlock", "lou")
            self.assertEqual(s.request("PROPFIND", "/", headers={"Depth": "0"},
                                       auth=("lou", "pw-lou-123456")).status, 207)
        finally:
            s.cleanup()

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


XML = {"Content-Type": "text/xml; charset=utf-8"}
SYNC = ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
        '<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>'
        '<D:prop><D:getetag/></D:prop></D:sync-collection>')


def lockinfo(owner):
    return ('<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope>'
            '<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>%s'
            '</D:owner></D:lockinfo>' % owner)


def vcard(uid, fn):
    return "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\nEND:VCARD\r\n" % (
        uid, fn, fn)


def files_under(top):
    for base, _, names in os.walk(top):
        for name in names:
            yield os.path.join(base, name)


# Outgoing mail to a port where nothing listens, tried again only after an hour:
# an invitation to someone outside stays in the queue (mail_queue in dav.db).
UNSENT = {"mail_transport": "smtp", "mail_retry_seconds": "3600", "mail_timeout_seconds": "2"}


class Traces(unittest.TestCase):
    """A server per test, and the strings a removed account must leave nowhere."""
    config = {}

    def setUp(self):
        self.server = Server(config=dict(UNSENT, smtp_url="smtp://127.0.0.1:%d" % free_port(),
                                         auth_fail_limit="1000", **self.config))
        self.addCleanup(self.server.cleanup)
        self.marks = {}

    def mark(self, what):
        """A string found nowhere else: each piece of the removed account's data."""
        self.marks[what] = "Zq%s%s" % (what, uuid.uuid4().hex[:16])
        return self.marks[what]

    def ok(self, r, *codes):
        self.assertIn(r.status, codes or (200, 201, 204, 207), r.text)
        return r

    def scan(self, what):
        """{marker: [files holding it]} over every file of the server's directory
        (both databases, their -wal and -shm, the configuration, the log), and the
        bytes read."""
        found, total = {}, 0
        for path in files_under(self.server.dir):
            with open(path, "rb") as f:
                data = f.read()
            total += len(data)
            for name, marker in what.items():
                if marker.encode() in data:
                    found.setdefault(name, []).append(os.path.relpath(path, self.server.dir))
        return found, total

    def queue_mail(self, user, organizer):
        """An invitation to someone outside, waiting in the mail queue: its
        recipient and words are a marker each; the queued message holds both."""
        m = self.mark
        outside = m("outside") + "@elsewhere.example"
        path = user.calendars + "calendar/%s.ics" % m("mailev")
        self.ok(user.put(path, sched.event(m("mailuid"), organizer, [
            "ATTENDEE;PARTSTAT=ACCEPTED:" + organizer, "mailto:" + outside],
            summary=m("mailsummary")), ICS))
        self.assertIn("SCHEDULE-STATUS=1.0", user.get(path).text.replace("\r\n ", ""))
        self.assertEqual(self.queued(self.marks["mailsummary"]), 1)

    def queued(self, marker):
        """Messages in the mail queue holding marker."""
        db = sqlite3.connect(os.path.join(self.server.data, "dav.db"))
        db.execute("PRAGMA busy_timeout = 5000")
        n = sum(marker.encode() in bytes(r[0])
                for r in db.execute("SELECT message FROM mail_queue"))
        db.close()
        return n

    def check_gone(self):
        found, total = self.scan(self.marks)
        self.assertEqual(found, {})
        self.assertIn("amy", self.scan({"amy": self.amy_mark})[0])  # the scan finds data
        return total


class Removal(Traces):
    """`veildav user remove`: the account, and every trace of it in both databases
    and their write-ahead logs, other users' homes included."""
    mkcal = sharing.SharingTest.mkcal
    share = sharing.SharingTest.share
    notifications = sharing.SharingTest.notifications
    invite_for = sharing.SharingTest.invite_for
    accept = sharing.SharingTest.accept
    assert_private = sharing.SharingTest.assert_private
    urn = sharing.SharingTest.urn

    def fill(self, zed, amy):
        """Everything a user leaves: objects, names, properties, shares both ways,
        locks, per-user values, history."""
        m = self.mark
        s = self.server
        s.cli("alias", "add", zed.login, m("alias") + "@" + D, "--expose")
        s.cli("policy", "block", m("block") + ".example", "--user", zed.login)
        s.cli("policy", "catchall", "add", m("catchall"), "--user", zed.login)
        s.app_password(zed.login, m("appname"))
        cal = zed.calendars + "calendar/"
        ev = cal + m("evname") + ".ics"
        self.ok(zed.put(ev, sched.event(m("uid"), "mailto:%s@%s" % (self.marks["alias"], D), [],
                                        summary=m("summary") + " " + m("bigbody") * 400), ICS))
        gone = cal + m("deleted") + ".ics"
        self.ok(zed.put(gone, sched.event("gone-1", "", [], summary="x").replace(
            "ORGANIZER:\r\n", ""), ICS))
        self.ok(zed.delete(gone))  # a tombstone in the change log
        self.ok(zed.put(zed.addressbooks + "addressbook/" + m("cardname") + ".vcf",
                        vcard(m("carduid"), m("fn")), {"Content-Type": "text/vcard"}))
        f = zed.files + m("filename")
        self.ok(zed.put(f, (m("filebody") * 8000).encode()))  # 200 KB: overflow pages
        self.ok(zed.lock(f, lockinfo(m("lockowner")), {"Content-Type": "application/xml"}))
        self.ok(zed.proppatch(cal, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" '
                              'xmlns:X="urn:x-veil-test"><D:set><D:prop><D:displayname>%s'
                              '</D:displayname><X:note>%s</X:note></D:prop></D:set>'
                              '</D:propertyupdate>' % (m("caldisplay"), m("deadprop")), XML))
        # zed shares a calendar with amy, who accepts it into her home
        shared = self.mkcal(zed, m("sharedcal"), m("sharedcaldn"))
        self.ok(zed.put(shared + "e.ics", sched.event(m("shareduid"), "", [], summary=m(
            "sharedsummary")).replace("ORGANIZER:\r\n", ""), ICS))
        self.ok(self.share(zed, shared, [(amy.principal, "read-write", m("sharename"))]), 200)
        self.accept(amy, shared, summary=m("amyview"))
        # ... and the operator shares his address book with her (a view named by his id)
        s.cli("share", "add", "--owner", zed.login, "--collection", "addressbooks/addressbook",
              "--with", "amy")
        # amy shares one with zed, who accepts under a name of his own and locks in it
        amycal = self.mkcal(amy, "amy-cal", "Amy's")
        self.ok(amy.put(amycal + "amy.ics", sched.event(self.amy_mark, "", [], summary=
                        self.amy_mark).replace("ORGANIZER:\r\n", ""), ICS))
        self.ok(self.share(amy, amycal, [(zed.principal, "read-write", "For Zed")]), 200)
        view = self.accept(zed, amycal, summary=m("zedview"))
        self.ok(zed.lock(view + "amy.ics", lockinfo(m("lockowner2")),
                         {"Content-Type": "application/xml"}))
        # zed is amy's write delegate, with his own colour of her calendar
        s.cli("delegate", "add", amy.login, zed.login, "--write")
        self.ok(zed.proppatch(amy.calendars + "calendar/", '<?xml version="1.0"?>'
                              '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:'
                              'ns:caldav"><D:set><D:prop><C:calendar-description>%s'
                              '</C:calendar-description></D:prop></D:set></D:propertyupdate>'
                              % m("peruser"), XML))
        # files of both, written in turns, so that their rows share the store's pages and
        # page splits move zed's cells among amy's (what secure_delete alone leaves)
        bulk = m("bulk")
        for rnd, count in enumerate((120, 120)):  # written, then rewritten in other sizes
            for i in range(count):
                for u, word in ((zed, bulk), (amy, self.amy_mark)):
                    path = u.files + "%s-%d" % (word, i)
                    self.ok(u.put(path, (word * (1 + (i + rnd * 3) % 7 * 9)).encode()))
                    self.ok(u.proppatch(path, '<?xml version="1.0"?><D:propertyupdate xmlns:D='
                                        '"DAV:" xmlns:X="urn:x-veil-test"><D:set><D:prop><X:n>'
                                        '%s</X:n></D:prop></D:set></D:propertyupdate>'
                                        % (word * (1 + (i * 3 + rnd) % 5 * 7)), XML))
        # an invitation to someone outside, waiting in the mail queue
        self.queue_mail(zed, "mailto:%s@%s" % (self.marks["alias"], D))
        # what names zed without being a string of his: his principal id and urn
        self.marks["pid"] = zed.pid
        self.marks["urn"] = self.urn(zed)[len("urn:uuid:"):]

    def test_nothing_survives(self):
        s = self.server
        zed_login = self.mark("login")
        s.add_user(zed_login, password="pw-zed-123456", display_name=self.mark("displayname"))
        s.add_user("amy", password="pw-amy-123456", display_name="Amy")
        s.start()
        zed = User(s, zed_login, s.app_password(zed_login, "t"))
        amy = User(s, "amy", s.app_password("amy", "t"))
        for u in (zed, amy):
            self.ok(u.propfind(u.calendars, None, {"Depth": "0"}))
        self.amy_mark = "Zqamy" + uuid.uuid4().hex[:16]
        self.fill(zed, amy)
        token = self.ok(amy.report(amy.calendars, SYNC % "", {"Depth": "1", **XML})).xml().find(
            "{DAV:}sync-token").text
        before, _ = self.scan(self.marks)
        self.assertEqual(set(before), set(self.marks))  # every piece is there to be found

        refused = s.cli("user", "remove", zed_login, check=False)
        self.assertEqual(refused.returncode, 2)
        s.cli("user", "remove", zed_login, "--yes")
        self.assertEqual(s.cli("user", "show", zed_login, check=False).returncode, 1)
        self.assertEqual(zed.propfind("/", None, {"Depth": "0"}).status, 401)
        # amy keeps her data; what she had of zed is gone without a notice from him
        self.assertEqual(amy.get(amy.calendars + "amy-cal/amy.ics").status, 200)
        self.assertEqual(amy.propfind(amy.calendars + self.marks["sharedcal"] + "/", None,
                                      {"Depth": "0"}).status, 404)
        self.assertEqual(self.notifications(amy), [])
        self.assertEqual(self.queued(self.marks["mailsummary"]), 0)  # his queued mail
        # her clients' sync tokens of the home are refused, so they sync afresh
        r = amy.report(amy.calendars, SYNC % token, {"Depth": "1", **XML})
        self.assertEqual(r.status, 403, r.text)
        self.assertIn("valid-sync-token", r.text)
        running = self.check_gone()  # while the server runs: the WAL is in use
        self.assertIn(b"rewrote", s.cli("store", "scrub").stderr)  # again, by hand
        db = sqlite3.connect(os.path.join(s.data, "dav.db"))
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone(), ("ok",))
        db.close()
        s.stop()
        total = self.check_gone()
        self.assertGreater(total, 100000)
        print("\n  removal scan: %d markers, %d bytes while serving, %d bytes in %d files after"
              % (len(self.marks), running, total, len(list(files_under(s.dir)))), end=" ")



class Sweep(Traces):
    """The mail system deletes an account's row itself: the server's sweep finds the
    principal without an account and removes its data as `veildav user remove` does."""
    config = {"account_sweep_seconds": "1", "account_sweep_max": "1"}

    def delete_rows(self, *logins, foreign_keys=True):
        """As the mail system might: its own connection, without secure_delete,
        and perhaps without foreign keys (SQLite's default), so that the rows
        naming the account stay behind."""
        db = sqlite3.connect(os.path.join(self.server.data, "accounts.db"))
        db.execute("PRAGMA foreign_keys = %s" % ("ON" if foreign_keys else "OFF"))
        db.execute("PRAGMA busy_timeout = 5000")
        with db:
            for login in logins:
                self.assertEqual(db.execute("DELETE FROM accounts WHERE login=?",
                                            (login,)).rowcount, 1)
        db.close()

    def principals(self):
        db = sqlite3.connect(os.path.join(self.server.data, "dav.db"))
        db.execute("PRAGMA busy_timeout = 5000")
        n = db.execute("SELECT count(*) FROM principals WHERE kind=1").fetchone()[0]
        db.close()
        return n

    def wait_for_log(self, text, seconds=30):
        deadline = time.time() + seconds
        while text not in self.server.server_log():
            self.assertLess(time.time(), deadline, "no %r in the log" % text)
            time.sleep(0.1)

    def test_rows_deleted_by_the_mail_system(self):
        s, m = self.server, self.mark
        login = m("login")
        s.add_user(login, password="pw-kay-123456", display_name=m("displayname"))
        s.add_user("amy", password="pw-amy-123456")
        s.cli("alias", "add", login, m("alias") + "@" + D, "--expose")
        s.cli("policy", "block", m("block") + ".example", "--user", login)
        s.cli("policy", "catchall", "add", m("catchall"), "--user", login)
        s.start()
        kay = User(s, login, s.app_password(login, m("appname")))
        amy = User(s, "amy", s.app_password("amy", "t"))
        self.amy_mark = "Zqamy" + uuid.uuid4().hex[:16]
        self.ok(amy.put(amy.files + self.amy_mark, self.amy_mark.encode()))
        self.ok(kay.put(kay.calendars + "calendar/%s.ics" % m("evname"), sched.event(
            m("uid"), "", [], summary=m("summary")).replace("ORGANIZER:\r\n", ""), ICS))
        self.ok(kay.put(kay.files + m("filename"), (m("filebody") * 3000).encode()))
        self.ok(kay.put(kay.addressbooks + "addressbook/c.vcf", vcard(m("carduid"), m("fn")),
                        {"Content-Type": "text/vcard"}))
        self.queue_mail(kay, "mailto:%s@%s" % (self.marks["alias"], D))
        self.marks["pid"] = kay.pid
        self.assertEqual(set(self.scan(self.marks)[0]), set(self.marks))
        self.assertEqual(self.principals(), 2)
        self.delete_rows(login, foreign_keys=False)  # its aliases and rules stay behind
        self.wait_for_log("account sweep: removed the data of 1 deleted account")
        self.assertEqual(self.principals(), 1)
        self.assertEqual(self.queued(self.marks["mailsummary"]), 0)
        db = sqlite3.connect(os.path.join(s.data, "accounts.db"))
        for table in ("aliases", "app_passwords", "catchall_rules", "block_list"):
            self.assertEqual(db.execute("SELECT count(*) FROM %s WHERE account_id NOT IN "
                                        "(SELECT id FROM accounts)" % table).fetchone(), (0,),
                             table)
        self.assertGreater(db.execute("SELECT count(*) FROM app_passwords").fetchone()[0], 0)
        db.close()
        self.assertEqual(kay.propfind("/", None, {"Depth": "0"}).status, 401)
        self.assertEqual(amy.get(amy.files + self.amy_mark).status, 200)
        self.check_gone()  # the sweep scrubbed accounts.db too: the row was deleted without
        s.stop()           # secure_delete
        self.check_gone()

    def test_a_mass_removal_waits_for_the_operator(self):
        s = self.server
        for login in ("pia", "quin", "rae"):
            s.add_user(login, password="pw-%s-123456" % login)
            s.principal_url(login)
        s.start()
        self.delete_rows("pia", "quin")
        self.wait_for_log("more than account_sweep_max (1) principals have no account; "
                          "none removed")
        self.assertEqual(self.principals(), 3)
        self.assertEqual(s.cli("user", "sweep").stdout.decode(), "2\n")  # nothing removed
        self.assertEqual(self.principals(), 3)
        out = s.cli("user", "sweep", "--yes")
        self.assertIn(b"removed the data of 2 deleted accounts", out.stderr)
        self.assertEqual(self.principals(), 1)
        self.assertEqual(s.cli("user", "sweep").stdout.decode(), "0\n")
        log = s.server_log()
        for login in ("pia", "quin"):
            self.assertNotIn(login, log)


if __name__ == "__main__":
    unittest.main()

"""A store written before schema version 5 can hold two members of one
calendar with the same UID (two PUTs raced past the no-uid-conflict check).
Opening it keeps both and keeps the store working; the server logs how many
there are (a count, no names), `veildav store check` lists them, and once one
of the two is deleted nothing is reported."""
import sqlite3
import unittest

from veil import Server, User

EVENT = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Veil tests//EN\r
BEGIN:VEVENT\r
UID:%s\r
DTSTAMP:20240101T000000Z\r
DTSTART:20240102T100000Z\r
DURATION:PT1H\r
SUMMARY:%s\r
END:VEVENT\r
END:VCALENDAR\r
"""


def put_event(user, path, uid, summary):
    return user.put(path, EVENT % (uid, summary), {"Content-Type": "text/calendar"})


class StoreCheck(unittest.TestCase):
    def test_duplicates_from_an_older_store(self):
        server = Server()
        try:
            server.add_user("carol", password="carol-account-password")
            server.start()
            u = User(server, "carol", server.app_password("carol", "t"))
            cal = u.calendars + "calendar/"
            self.assertIn(put_event(u, cal + "first.ics", "shared-uid", "First").status, (201, 204))
            self.assertIn(put_event(u, cal + "second.ics", "other-uid", "Second").status,
                          (201, 204))
            # the store refuses a second member with a taken UID
            self.assertEqual(put_event(u, cal + "third.ics", "shared-uid", "Third").status, 409)
            server.stop()

            clean = server.cli("store", "check", check=False)
            self.assertEqual(clean.returncode, 0, clean.stderr)
            self.assertEqual(clean.stdout, b"")

            # what a version 4 store that lost the race holds
            db = sqlite3.connect(server.data + "/dav.db")
            db.executescript(
                "DROP INDEX nodes_uid_dup; DROP INDEX nodes_uid;"
                "ALTER TABLE nodes DROP COLUMN uid_dup; ALTER TABLE nodes DROP COLUMN sched_tag; DROP TABLE mail_queue;"
                "CREATE INDEX nodes_uid ON nodes(parent, uid) WHERE uid IS NOT NULL;"
                "UPDATE nodes SET uid='shared-uid' WHERE name='second.ics';"
                "PRAGMA user_version = 4;")
            db.close()

            check = server.cli("store", "check", check=False)
            self.assertEqual(check.returncode, 1, check.stderr)
            out = check.stdout.decode()
            line = [l for l in out.splitlines() if "second.ics" in l]
            self.assertEqual(len(line), 1, out)
            fields = line[0].split()
            self.assertEqual(fields, [u.principal, cal, "second.ics", "first.ics"])
            self.assertIn("1 member shares a UID", check.stderr.decode())

            # the server logs the count, never a name, and both still work
            server.start()
            log = server.server_log()
            self.assertIn("1 member sharing a UID", log)
            for secret in ("second.ics", "first.ics", "shared-uid", u.pid, "carol"):
                self.assertNotIn(secret, log)
            self.assertEqual(u.get(cal + "first.ics").status, 200)
            self.assertEqual(u.get(cal + "second.ics").status, 200)
            self.assertEqual(put_event(u, cal + "fourth.ics", "shared-uid", "Fourth").status,
                             409)
            self.assertEqual(u.delete(cal + "second.ics").status, 204)
            server.stop()

            after = server.cli("store", "check", check=False)
            self.assertEqual(after.returncode, 0, after.stderr)
            self.assertEqual(after.stdout, b"")
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

"""Logging to files (issue 17): with `log_file` the server writes daily files
named with the UTC date of each line, and deletes its files older than
`log_retention_days` (7 by default: ../shared/MAIL-POLICY.md §4), at start,
at each new day and on the housekeeping thread's minute.  A test cannot wait
for midnight: files of earlier days are made beforehand, as an earlier run
would have left them, and the day change itself is a unit test on a moved
clock (tests/unit/test_common_log.c)."""
import datetime
import os
import stat
import time
import unittest

from veil import Server, User


def day(offset):
    return (datetime.datetime.now(datetime.timezone.utc).date()
            + datetime.timedelta(days=offset)).isoformat()


class LogFiles(unittest.TestCase):
    def test_daily_files_and_retention(self):
        s = Server(config={"log_file": "veildav.log", "log_level": "debug"})
        try:
            s.add_user("ulla", password="pw-ulla-123456")
            old = {}
            for offset in (-30, -8, -7, -6, -1):  # 7 days kept: today and the 6 before
                path = os.path.join(s.data, "veildav.log." + day(offset))
                with open(path, "w") as f:
                    f.write("a line of %s\n" % day(offset))
                t = time.time() + offset * 86400
                os.utime(path, (t, t))
                old[offset] = path
            others = [os.path.join(s.data, n) for n in
                      ("veildav.log.old", "veildav.log.2026-02-30", "notes.2001-01-01")]
            for path in others:
                with open(path, "w") as f:
                    f.write("not a log file of this server\n")
            before = day(0)
            s.start()
            ulla = User(s, "ulla", "pw-ulla-123456")
            self.assertEqual(ulla.propfind(ulla.files, None, {"Depth": "0"}).status, 207)
            self.assertEqual(s.request("PROPFIND", "/", auth=("ulla", "wrong")).status, 401)
            s.stop()
            after = day(0)
            for offset in (-30, -8, -7):
                self.assertFalse(os.path.exists(old[offset]), offset)
            for offset in (-6, -1):
                self.assertTrue(os.path.exists(old[offset]), offset)
            for path in others:
                self.assertTrue(os.path.exists(path), path)
            # today's file (the one of the day the server started, and of today if
            # midnight passed meanwhile) holds the server's lines, not standard error
            names = ["veildav.log." + d for d in sorted({before, after})]
            text = ""
            for name in names:
                path = os.path.join(s.data, name)
                if os.path.exists(path):
                    self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
                    with open(path) as f:
                        text += f.read()
            self.assertIn("veildav info: ready: listening on", text)
            self.assertIn("PROPFIND 401 credentials refused", text)
            self.assertIn("veildav info: stopping on signal", text)
            self.assertNotIn("ready: listening", s.server_log())
            self.assertNotIn("ulla", text)
            # the client's address appears nowhere (the ready line names the
            # server's own listening address, which is configuration)
            for line in text.splitlines():
                if "ready: listening on" not in line:
                    self.assertNotIn("127.0.0.1", line)
        finally:
            s.cleanup()

    def test_unwritable_log_file_refuses_to_start(self):
        s = Server(config={"log_file": "no-such-dir/veildav.log"})
        try:
            with self.assertRaises(RuntimeError) as e:
                s.start()
            self.assertIn("cannot open the log file", str(e.exception))
        finally:
            s.cleanup()


if __name__ == "__main__":
    unittest.main()

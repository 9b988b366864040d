"""Every write that returned 2xx survives a kill -9 the next instant, and the
store passes SQLite's integrity check afterwards."""
import subprocess
import threading
import time
import unittest

from veil import Server, User


class KillNine(unittest.TestCase):
    def test_acknowledged_writes_survive_kill(self):
        server = Server()
        try:
            server.add_user("dur", password="durability-pass")
            server.start()
            u = User(server, "dur", server.app_password("dur", "t"))
            acked = {}
            lock = threading.Lock()
            stop = time.time() + 3.0

            def writer(n):
                i = 0
                while time.time() < stop:
                    path = "%sw%d-%d.txt" % (u.files, n, i)
                    body = ("writer %d item %d " % (n, i)).encode() * 20
                    try:
                        r = u.put(path, body)
                    except Exception:
                        return  # the server is gone
                    if r.status in (201, 204):
                        with lock:
                            acked[path] = body
                    i += 1

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            server.kill9()  # in the middle of the load
            for t in threads:
                t.join()
            self.assertGreater(len(acked), 20)
            check = subprocess.run(["sqlite3", server.data + "/dav.db", "PRAGMA integrity_check"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            self.assertEqual(check.stdout.decode().strip(), "ok", check.stderr)
            server.start()
            for path, body in acked.items():
                r = u.get(path)
                self.assertEqual(r.status, 200, path)
                self.assertEqual(r.body, body, path)
        finally:
            server.cleanup()


if __name__ == "__main__":
    unittest.main()

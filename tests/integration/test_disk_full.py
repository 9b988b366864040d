"""A full disk: the data directory on a small filesystem the test mounts (a
tmpfs with size=, and an ext4 image on a loop device), filled to the last
block while the server runs; and, without root, a file size limit
(RLIMIT_FSIZE, set on the running server with prlimit) that stops every
file of the store from growing.  Writes are answered 507 (Insufficient
Storage, RFC 4918 §11.5) or, while they still fit, 2xx - never 500 and
never a 2xx for a change that is not stored; reads keep working; the store
passes its integrity check; once space returns the same server writes
again, and every acknowledged write is there.

Mounting needs root (CI runs the tests as root); without it, or where the
kernel refuses the mount, those two are skipped and say why; the file size
limit runs everywhere."""
import os
import resource
import shutil
import subprocess
import tempfile
import unittest

from caldav_util import vcal, vevent
from veil import Server, User

XML = {"Content-Type": "application/xml; charset=utf-8"}
PROP = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:x-full">'
        '<D:set><D:prop><Z:note>%s</Z:note></D:prop></D:set></D:propertyupdate>')


def run(*cmd):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class DiskFull(unittest.TestCase):
    def mount(self, kind):
        """Mounts a small filesystem of `kind`; returns its path (or skips)."""
        if os.geteuid() != 0:
            self.skipTest("mounting a small filesystem needs root (CI runs as root)")
        top = tempfile.mkdtemp(prefix="veil-full-")
        mnt = os.path.join(top, "mnt")
        os.mkdir(mnt)
        self.addCleanup(shutil.rmtree, top, True)
        if kind == "tmpfs":
            r = run("mount", "-t", "tmpfs", "-o", "size=6m,mode=0700", "tmpfs", mnt)
        else:
            if not shutil.which("mkfs.ext4"):
                self.skipTest("mkfs.ext4 is not installed (e2fsprogs)")
            img = os.path.join(top, "fs.img")
            with open(img, "wb") as f:
                f.truncate(12 << 20)
            r = run("mkfs.ext4", "-q", "-F", "-m", "0", img)
            if r.returncode == 0:
                r = run("mount", "-o", "loop", img, mnt)
        if r.returncode != 0:
            self.skipTest("cannot mount a %s here: %s" % (kind, r.stderr.decode().strip()))
        self.addCleanup(run, "umount", "-l", mnt)
        return mnt

    @staticmethod
    def fill(mnt):
        """Writes a file until the filesystem has no block left."""
        path = os.path.join(mnt, "filler")
        chunk = b"\xa5" * 65536
        with open(path, "wb", buffering=0) as f:
            while True:
                try:
                    f.write(chunk)
                except OSError:
                    break
            for size in (4096, 512, 1):
                try:
                    while True:
                        f.write(chunk[:size])
                except OSError:
                    pass
        return path

    @staticmethod
    def limit_size(server):
        """No file of the running server may grow past the largest one now
        (plus a little, so that the writes below start to fail part way)."""
        top = max(os.path.getsize(os.path.join(d, f))
                  for d, _, fs in os.walk(server.dir) for f in fs)
        old = resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, (top + 300000, old[1]))
        return old

    @staticmethod
    def unlimit_size(server, old):
        resource.prlimit(server.proc.pid, resource.RLIMIT_FSIZE, old)

    def check_store(self, server):
        r = server.cli("store", "check", check=False)
        self.assertEqual(r.returncode, 0, r.stderr.decode())

    def full_disk(self, kind):
        if kind == "fsize":
            server = Server()
            fill, unfill = self.limit_size, self.unlimit_size
        else:
            mnt = self.mount(kind)
            server = Server(data=os.path.join(mnt, "data"))
            fill, unfill = (lambda s: self.fill(mnt)), (lambda s, filler: os.unlink(filler))
        self.addCleanup(server.cleanup)
        server.add_user("full", password="full-pass-1")
        server.start()
        u = User(server, "full", server.app_password("full", "t"))
        acked = {}

        def put(name, body):
            r = u.put(u.files + name, body)
            self.assertIn(r.status, (201, 204, 507), "%s: %d %s" % (name, r.status, r.text))
            if r.status != 507:
                acked[name] = body
            return r.status

        for i in range(5):
            self.assertIn(put("before-%d" % i, os.urandom(50000)), (201, 204))
        cal = u.calendars + "calendar/"
        event = vcal(vevent("full-1", ":20270105T100000Z", ":20270105T110000Z"))
        self.assertEqual(u.put(cal + "e.ics", event, {"Content-Type": "text/calendar"}).status,
                         201)

        filler = fill(server)
        # writes until the store cannot grow: 2xx while they fit, then 507
        statuses = [put("full-%d" % i, os.urandom(200000)) for i in range(20)]
        self.assertIn(507, statuses, "no write was refused on a full disk: %r" % statuses)
        self.assertIn(u.proppatch(u.files, PROP % ("x" * 100000), XML).status, (207, 507))
        self.assertIn(u.mkcalendar(u.calendars + "more/").status, (201, 507))
        r = u.put(cal + "e2.ics", vcal(vevent("full-2", ":20270106T100000Z", ":20270106T110000Z",
                                             extra="DESCRIPTION:" + "y" * 70 + "\r\n")),
                  {"Content-Type": "text/calendar"})
        self.assertIn(r.status, (201, 507))
        if r.status == 507:
            self.assertIn("Insufficient storage", r.text)
        # reads go on
        for name, body in acked.items():
            g = u.get(u.files + name)
            self.assertEqual((g.status, g.body), (200, body), name)
        self.assertEqual(u.propfind(u.files, None, {"Depth": "1"}).status, 207)
        self.assertEqual(u.get(cal + "e.ics").status, 200)
        self.check_store(server)

        # space returns: the same server writes again
        unfill(server, filler)
        self.assertIn(put("after", os.urandom(200000)), (201, 204))
        self.assertEqual(u.proppatch(u.files, PROP % "back", XML).status, 207)
        for name, body in acked.items():
            g = u.get(u.files + name)
            self.assertEqual((g.status, g.body), (200, body), name)
        server.stop()
        self.check_store(server)
        server.start()
        for name, body in acked.items():
            self.assertEqual(u.get(u.files + name).body, body, name)
        server.stop()

    def test_tmpfs(self):
        self.full_disk("tmpfs")

    def test_file_size_limit(self):
        self.full_disk("fsize")

    def test_ext4_loop(self):
        self.full_disk("ext4")


if __name__ == "__main__":
    unittest.main()

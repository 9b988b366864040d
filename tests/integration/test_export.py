"""Whole-collection export and import (issue 15): GET of a calendar with
Accept: text/calendar (or ?export) and of an address book with Accept:
text/vcard, streamed a page at a time and only what the caller may read;
`veildav export` writing the same files; `veildav import` splitting a whole
file into objects through the ingest policy, all or nothing, without
scheduling anyone."""
import os
import pty
import re
import select
import subprocess
import unittest
from urllib.parse import unquote

from caldav_util import BERLIN, vcal, vevent, vtodo
from veil import NS, Server, User, propfind_body, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
VCF = {"Content-Type": "text/vcard; charset=utf-8"}


def card(uid, fn, version="3.0", extra=""):
    return ("BEGIN:VCARD\r\nVERSION:%s\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\n%sREV:20260101T000000Z\r\n"
            "END:VCARD\r\n" % (version, uid, fn, fn, extra))


def unfolded_lines(text):
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")


def components(text):
    """[(kind, uid or TZID)] of a whole iCalendar stream, in order."""
    out, depth, kind, key = [], 0, None, None
    for line in unfolded_lines(text):
        if line.startswith("BEGIN:"):
            depth += 1
            if depth == 2:
                kind, key = line[6:], None
        elif line.startswith("END:"):
            if depth == 2:
                out.append((kind, key))
            depth -= 1
        elif depth == 2 and (line.startswith("UID:") or line.startswith("TZID:")):
            key = line.split(":", 1)[1]
    return out


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(field)


class ExportBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("alice", "bob", "carol"):
            s.add_user(login, password="pw-%s-123456" % login, display_name=login.title())
            s.cli("alias", "add", login, "%s@export.example" % login, "--expose")
        s.start()
        cls.alice, cls.bob, cls.carol = [User(s, u, s.app_password(u, "t"))
                                         for u in ("alice", "bob", "carol")]
        for u in (cls.alice, cls.bob, cls.carol):
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def members(self, user, coll):
        r = user.propfind(coll, propfind_body("D:getetag"), {"Depth": "1"})
        self.assertEqual(r.status, 207, r.text)
        return sorted(h for h in responses(r) if h != coll)

    def mkcal(self, user, name, displayname=None):
        path = user.calendars + name + "/"
        body = None
        if displayname:
            body = ('<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" '
                    'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>%s'
                    '</D:displayname></D:prop></D:set></C:mkcalendar>' % displayname)
        self.assertEqual(user.req("MKCALENDAR", path, body).status, 201)
        return path


class GetExport(ExportBase):
    def test_calendar_as_one_stream(self):
        cal = self.mkcal(self.alice, "work", "Work &amp; Play")
        series = vevent("series", ";TZID=Europe/Berlin:20270104T090000", extra="RRULE:FREQ=WEEKLY\r\n")
        moved = vevent("series", ";TZID=Europe/Berlin:20270111T100000",
                       extra="RECURRENCE-ID;TZID=Europe/Berlin:20270111T090000\r\n")
        puts = {"s.ics": vcal(BERLIN, series, moved),
                "b.ics": vcal(BERLIN, vevent("berlin-2", ";TZID=Europe/Berlin:20270105T100000")),
                # a zone by reference (RFC 7809): the export carries its VTIMEZONE
                "n.ics": vcal(vevent("new-york", ";TZID=America/New_York:20270105T100000")),
                "u.ics": vcal(vevent("utc", ":20270106T100000Z"))}
        for name, body in puts.items():
            self.assertEqual(self.alice.put(cal + name, body, ICS).status, 201)
        r = self.alice.get(cal, headers={"Accept": "text/calendar"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "text/calendar; charset=utf-8")
        self.assertEqual(r.header("content-disposition"), 'attachment; filename="Work & Play.ics"')
        self.assertEqual(r.header("vary"), "Accept")
        self.assertIsNone(r.header("etag"))  # a stream read page by page has no validator
        text = r.text
        self.assertTrue(text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil//veildav//EN"
                                        "\r\n"))
        self.assertTrue(text.endswith("END:VCALENDAR\r\n"))
        self.assertEqual(text.count("BEGIN:VCALENDAR"), 1)
        self.assertIn("X-WR-CALNAME:Work & Play\r\n", text)
        comps = components(text)
        self.assertEqual(comps.count(("VTIMEZONE", "Europe/Berlin")), 1)
        self.assertEqual(comps.count(("VTIMEZONE", "America/New_York")), 1)
        self.assertEqual(sorted(u for k, u in comps if k == "VEVENT"),
                         ["berlin-2", "new-york", "series", "series", "utc"])
        # each zone before the first event that names it
        self.assertLess(text.index("TZID:Europe/Berlin"), text.index("TZID=Europe/Berlin"))
        # ?export gives the same; so does a list that prefers it
        self.assertEqual(self.alice.get(cal + "?export").body, r.body)
        self.assertEqual(self.alice.get(cal, headers={"Accept": "text/calendar, text/html;q=0.5"}).body,
                         r.body)

    def test_browsers_keep_the_page(self):
        cal = self.alice.calendars + "calendar/"
        for accept in (None, "*/*", "text/html,application/xhtml+xml,*/*;q=0.8",
                       "text/html, text/calendar;q=0.5", "text/calendar;q=0"):
            r = self.alice.get(cal, headers={"Accept": accept} if accept else None)
            self.assertEqual(r.status, 200, accept)
            self.assertEqual(r.header("content-type"), "text/html; charset=utf-8", accept)
            self.assertEqual(r.header("vary"), "Accept")
            self.assertIsNone(r.header("content-disposition"))
        # other collections have no export: the page
        r = self.alice.get(self.alice.files + "?export")
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")

    def test_address_book(self):
        book = self.alice.addressbooks + "addressbook/"
        for uid in ("c1", "c2"):
            self.assertEqual(self.alice.put(book + uid + ".vcf", card(uid, "Card " + uid), VCF).status,
                             201)
        r = self.alice.get(book, headers={"Accept": "text/vcard"})
        self.assertEqual((r.status, r.header("content-type")), (200, "text/vcard; charset=utf-8"))
        self.assertEqual(r.header("content-disposition"), 'attachment; filename="Contacts.vcf"')
        self.assertEqual(r.text, card("c1", "Card c1") + card("c2", "Card c2"))
        # the version Accept asks for, every card converted
        r = self.alice.get(book, headers={"Accept": "text/vcard; version=4.0"})
        self.assertEqual(r.header("content-type"), "text/vcard; charset=utf-8; version=4.0")
        self.assertEqual(r.text.count("VERSION:4.0"), 2)
        self.assertEqual(self.alice.get(book + "?export").text,
                         card("c1", "Card c1") + card("c2", "Card c2"))

    def test_file_name_is_safe(self):
        cal = self.mkcal(self.alice, "odd", "../../etc/pass\"wd\x7f ü")
        r = self.alice.get(cal + "?export")
        self.assertEqual(r.header("content-disposition"),
                         "attachment; filename=\"etc_pass_wd _.ics\"; "
                         "filename*=UTF-8''etc_pass_wd%20%C3%BC.ics")
        # without a display name: the segment, never anything above it (a principal id)
        cal = self.mkcal(self.alice, "f3d1c0de-0000-4000-8000-000000000001")
        r = self.alice.get(cal + "?export")
        self.assertEqual(r.header("content-disposition"),
                         'attachment; filename="f3d1c0de-0000-4000-8000-000000000001.ics"')
        self.assertNotIn(self.alice.pid, r.header("content-disposition"))

    def test_only_what_the_caller_may_read(self):
        cal = self.mkcal(self.alice, "shared", "Team")
        for uid in ("open-1", "open-2", "secret"):
            self.assertEqual(self.alice.put(cal + uid + ".ics",
                                            vcal(vevent(uid, ":20270107T100000Z")), ICS).status, 201)
        shared = self.server.cli("share", "add", "--owner", "alice", "--collection",
                                 "calendars/shared", "--with", "bob", "--name", "Alice's team")
        view = shared.stdout.decode().split()[1]
        deny = ('<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>%s</D:href></D:principal>'
                '<D:deny><D:privilege><D:read/></D:privilege></D:deny></D:ace></D:acl>'
                % self.bob.principal)
        self.assertEqual(self.alice.req("ACL", cal + "secret.ics", deny,
                                        {"Content-Type": "application/xml"}).status, 200)
        # bob's view, under his own name for it
        r = self.bob.get(view, headers={"Accept": "text/calendar"})
        self.assertEqual(r.status, 200)
        uids = sorted(u for k, u in components(r.text) if k == "VEVENT")
        self.assertEqual(uids, ["open-1", "open-2"])
        self.assertIn("X-WR-CALNAME:Alice's team\r\n", r.text)
        self.assertEqual(r.header("content-disposition"), "attachment; filename=\"Alice's team.ics\"")
        # the owner has everything; a stranger has nothing, as if it did not exist
        r = self.alice.get(cal, headers={"Accept": "text/calendar"})
        self.assertEqual(sorted(u for k, u in components(r.text) if k == "VEVENT"),
                         ["open-1", "open-2", "secret"])
        r = self.carol.get(cal, headers={"Accept": "text/calendar"})
        self.assertEqual(r.status, 404)
        self.assertNotIn("open-1", r.text)


class BigExport(ExportBase):
    N = 100000

    @classmethod
    def setUpClass(cls):
        # the memory test measures the server's own peak: a small sanitizer quarantine
        # (see test_limits.py; freed pages would otherwise stay resident)
        saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "quarantine_size_mb=1"
        try:
            super().setUpClass()
        finally:
            if saved is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = saved

    def test_hundred_thousand_events_in_the_memory_of_a_page(self):
        """A calendar of 100,000 events (loaded with `veildav import`, one transaction) is
        exported in the memory of one page: the server's peak grows by far less than the
        15 MB it sends."""
        parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil tests//EN\r\n", BERLIN]
        for i in range(self.N):
            parts.append("BEGIN:VEVENT\r\nUID:big-%06d\r\nDTSTAMP:20260101T000000Z\r\n"
                         "DTSTART;TZID=Europe/Berlin:2027%02d%02dT%02d0000\r\nDURATION:PT1H\r\n"
                         "SUMMARY:Event %d of the big calendar\r\nEND:VEVENT\r\n"
                         % (i, 1 + i % 12, 1 + i % 28, i % 24, i))
        parts.append("END:VCALENDAR\r\n")
        path = os.path.join(self.server.dir, "big.ics")
        with open(path, "w") as f:
            f.write("".join(parts))
        self.assertEqual(self.mkcal(self.alice, "big").endswith("big/"), True)
        p = self.server.cli("import", "--user", "alice", "--collection", "calendars/big", path,
                            check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("%d items: %d accepted" % (self.N, self.N), p.stderr.decode())
        cal = self.alice.calendars + "big/"
        pid = self.server.proc.pid
        self.alice.get(cal)  # the server's own first-use allocations, before the baseline
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")  # VmHWM := VmRSS
        before = vm_kib(pid, "VmHWM")
        r = self.alice.get(cal, headers={"Accept": "text/calendar"})
        grew = (vm_kib(pid, "VmHWM") - before) / 1024
        self.assertEqual(r.status, 200)
        self.assertGreater(len(r.body), 15 << 20)
        self.assertEqual(r.text.count("BEGIN:VEVENT"), self.N)
        self.assertEqual(r.text.count("BEGIN:VTIMEZONE"), 1)
        self.assertLess(grew, 8, "peak memory grew by %.1f MiB" % grew)


class CliExport(ExportBase):
    def test_files_are_what_get_gives(self):
        cal = self.mkcal(self.bob, "trips", "Trips")
        self.assertEqual(self.bob.put(cal + "t.ics", vcal(BERLIN, vevent(
            "trip", ";TZID=Europe/Berlin:20270201T080000")), ICS).status, 201)
        self.assertEqual(self.bob.put(self.bob.calendars + "tasks/t.ics", vcal(vtodo("todo-1")),
                                      ICS).status, 201)
        book = self.bob.addressbooks + "addressbook/"
        self.assertEqual(self.bob.put(book + "k.vcf", card("k1", "Kay"), VCF).status, 201)
        # a calendar alice shares with bob is hers to export, not his
        self.server.cli("share", "add", "--owner", "alice", "--collection", "calendars/calendar",
                        "--with", "bob")
        out = os.path.join(self.server.dir, "bob-export")
        os.mkdir(out)
        p = self.server.cli("export", "--user", "bob", "--out", out)
        lines = sorted(l.split("\t") for l in p.stdout.decode().splitlines())
        self.assertEqual(lines, [
            ["addressbooks/addressbook", out + "/addressbook.vcf", "1"],
            ["calendars/calendar", out + "/calendar.ics", "0"],
            ["calendars/tasks", out + "/tasks.ics", "1"],
            ["calendars/trips", out + "/trips.ics", "1"]])
        self.assertEqual(sorted(os.listdir(out)),
                         ["addressbook.vcf", "calendar.ics", "tasks.ics", "trips.ics"])
        for name in os.listdir(out):
            self.assertEqual(os.stat(os.path.join(out, name)).st_mode & 0o777, 0o600)
        for name, coll in (("trips.ics", cal), ("tasks.ics", self.bob.calendars + "tasks/"),
                           ("addressbook.vcf", book)):
            with open(os.path.join(out, name), "rb") as f:
                self.assertEqual(f.read(), self.bob.get(coll + "?export").body, name)
        # one collection
        one = os.path.join(self.server.dir, "one")
        os.mkdir(one)
        p = self.server.cli("export", "--user", "bob", "--collection", "calendars/trips",
                            "--out", one)
        self.assertEqual(os.listdir(one), ["trips.ics"])
        for bad, why in ((["--collection", "calendars/nope"], "has no calendars/nope"),
                         (["--collection", "files/x"], "--collection takes"),
                         (["--out", "/nonexistent-dir"], "is not a directory")):
            p = self.server.cli("export", "--user", "bob", *bad, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(why, p.stderr.decode())
        p = self.server.cli("export", "--user", "nobody", check=False)
        self.assertEqual(p.returncode, 1)


class CliImport(ExportBase):
    def imp(self, user, coll, text, *opts, tty=False):
        path = os.path.join(self.server.dir, "in-%d.txt" % id(text))
        with open(path, "w", newline="") as f:
            f.write(text)
        args = [self.server.binary, "--data", self.server.data, "import", "--user", user,
                "--collection", coll] + list(opts) + [path]
        if not tty:
            p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
            return p.returncode, p.stdout.decode(), p.stderr.decode()
        master, slave = pty.openpty()
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave)
        os.close(slave)
        err = b""
        while True:
            ready, _, _ = select.select([master], [], [], 30)
            if not ready:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        out = p.stdout.read().decode()
        p.stdout.close()
        p.wait(timeout=60)
        os.close(master)
        return p.returncode, out, err.decode()

    def test_split_by_uid_with_zones_and_overrides(self):
        cal = self.mkcal(self.carol, "imported")
        text = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Other server//EN\nMETHOD:PUBLISH\n"
                "X-WR-CALNAME:Holidays\n" + BERLIN.replace("\r\n", "\n") +
                "BEGIN:VEVENT\nUID:weekly\nDTSTAMP:20260101T000000Z\n"
                "DTSTART;TZID=Europe/Berlin:20270104T090000\nRRULE:FREQ=WEEKLY\nSUMMARY:Standup\n"
                "END:VEVENT\n"
                "BEGIN:VEVENT\nUID:once\nDTSTART:20270105T100000Z\nSUMMARY:No DTSTAMP\nEND:VEVENT\n"
                "BEGIN:VEVENT\nUID:weekly\nDTSTAMP:20260101T000000Z\n"
                "RECURRENCE-ID;TZID=Europe/Berlin:20270111T090000\n"
                "DTSTART;TZID=Europe/Berlin:20270111T110000\nSUMMARY:Standup, later\nEND:VEVENT\n"
                "END:VCALENDAR\n")
        rc, out, err = self.imp("carol", "calendars/imported", text)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out.splitlines(), ["repaired\tline 23\tweekly\tcrlf",
                                            "repaired\tline 30\tonce\tcrlf dtstamp-missing"])
        self.assertIn("METHOD is not stored", err)
        self.assertIn("2 items: 2 accepted (2 repaired, 0 replacing a member), 0 refused; stored",
                      err)
        self.assertNotIn("\r", err)  # no progress bar when standard error is no terminal
        hrefs = self.members(self.carol, cal)
        self.assertEqual([h.rsplit("/", 1)[1] for h in hrefs], ["once.ics", "weekly.ics"])
        weekly = self.carol.get(cal + "weekly.ics").text
        self.assertEqual(components(weekly), [("VTIMEZONE", "Europe/Berlin"), ("VEVENT", "weekly"),
                                              ("VEVENT", "weekly")])
        self.assertNotIn("METHOD", weekly)
        self.assertNotIn("X-WR-CALNAME", weekly)
        once = self.carol.get(cal + "once.ics").text
        self.assertNotIn("VTIMEZONE", once)
        self.assertIn("DTSTAMP:", once)
        # a time-range query finds the moved occurrence: the index was written
        q = ('<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
             '<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
             '<C:comp-filter name="VEVENT"><C:time-range start="20270111T095000Z" '
             'end="20270111T100500Z"/></C:comp-filter></C:comp-filter></C:filter>'
             '</C:calendar-query>')
        r = self.carol.req("REPORT", cal, q, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertEqual([h.rsplit("/", 1)[1] for h in responses(r)], ["weekly.ics"])

    def test_all_or_nothing(self):
        cal = self.mkcal(self.carol, "strict")
        text = vcal(vevent("good-1", ":20270110T100000Z"),
                    "BEGIN:VEVENT\r\nUID:no-start\r\nDTSTAMP:20260101T000000Z\r\nEND:VEVENT\r\n",
                    vevent("good-2", ":20270111T100000Z"),
                    "BEGIN:VEVENT\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270112T100000Z\r\n"
                    "END:VEVENT\r\n")
        rc, out, err = self.imp("carol", "calendars/strict", text)
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            "refused\tline 10\tno-start\tCALDAV:valid-calendar-object-resource: VEVENT without "
            "DTSTART",
            "refused\tline 20\t(no UID)\tCALDAV:valid-calendar-object-resource: missing UID in "
            "VEVENT"],
            out)
        self.assertIn("nothing stored", err)
        self.assertEqual(self.members(self.carol, cal), [])
        rc, out, err = self.imp("carol", "calendars/strict", text, "--dry-run", "--skip-refused")
        self.assertEqual(rc, 3)
        self.assertIn("dry run: nothing stored", err)
        self.assertEqual(self.members(self.carol, cal), [])
        rc, out, err = self.imp("carol", "calendars/strict", text, "--skip-refused")
        self.assertEqual(rc, 3, err)
        self.assertEqual([h.rsplit("/", 1)[1] for h in self.members(self.carol, cal)],
                         ["good-1.ics", "good-2.ics"])
        # a file that is not iCalendar at all: nothing, and where it went wrong
        rc, out, err = self.imp("carol", "calendars/strict", "BEGIN:VCARD\r\nEND:VCARD\r\n")
        self.assertEqual(rc, 1)
        self.assertIn("is not iCalendar: line 1", err)
        # the collection's own rules: a task list takes no events
        rc, out, err = self.imp("carol", "calendars/tasks", vcal(vevent("ev", ":20270110T100000Z")))
        self.assertEqual(rc, 1)
        self.assertIn("CALDAV:supported-calendar-component", out)

    def test_uid_conflicts(self):
        cal = self.mkcal(self.carol, "conflicts")
        self.assertEqual(self.carol.put(cal + "mine.ics", vcal(vevent("taken", ":20270110T100000Z",
                                                                      summary="Before")),
                                        ICS).status, 201)
        text = vcal(vevent("taken", ":20270110T110000Z", summary="After"),
                    vevent("free", ":20270110T120000Z"))
        rc, out, err = self.imp("carol", "calendars/conflicts", text)
        self.assertEqual(rc, 1)
        self.assertEqual(out, "refused\tline 4\ttaken\tno-uid-conflict: member mine.ics holds "
                              "this UID (--replace replaces it)\n")
        self.assertIn("Before", self.carol.get(cal + "mine.ics").text)
        rc, out, err = self.imp("carol", "calendars/conflicts", text, "--replace")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "replaced\tline 4\ttaken\tmine.ics\n")
        self.assertIn("After", self.carol.get(cal + "mine.ics").text)
        self.assertEqual([h.rsplit("/", 1)[1] for h in self.members(self.carol, cal)],
                         ["free.ics", "mine.ics"])
        # the same card twice in one file: the second is refused, whatever --replace says
        book = self.carol.addressbooks + "addressbook/"
        twice = card("dup", "First") + "\r\n" + card("dup", "Second") + card("other/uid", "Slash")
        rc, out, err = self.imp("carol", "addressbooks/addressbook", twice, "--replace")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "refused\tline 9\tdup\tthe same UID as the item at line 1\n")
        rc, out, err = self.imp("carol", "addressbooks/addressbook", twice, "--skip-refused")
        self.assertEqual(rc, 3)
        names = [unquote(h.rsplit("/", 1)[1]) for h in self.members(self.carol, book)]
        self.assertIn("dup.vcf", names)
        # a UID that is no plain word is named by its hash
        self.assertEqual(len([n for n in names if re.fullmatch(r"[0-9a-f]{40}\.vcf", n)]), 1)

    def test_vcards_repaired_and_refused(self):
        text = ("BEGIN:VCARD\nVERSION:3.0\nUID:lf-card\nFN:Lf\nN:Lf;;;;\nEND:VCARD\n"
                "BEGIN:VCARD\r\nVERSION:2.1\r\nUID:old\r\nFN:Old\r\nEND:VCARD\r\n"
                "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:v4\r\nFN:Four\r\nEND:VCARD\r\n")
        rc, out, err = self.imp("carol", "addressbooks/addressbook", text, "--skip-refused")
        self.assertEqual(rc, 3, err)
        self.assertEqual(out.splitlines(), [
            "repaired\tline 1\tlf-card\tcrlf rev-missing",
            "refused\tline 7\told\tCARDDAV:supported-address-data: vCard 2.1 is not supported; "
            "use 3.0 or 4.0",
            "repaired\tline 12\tv4\trev-missing"])

    def test_progress_bar_on_a_terminal(self):
        self.mkcal(self.carol, "tty")
        text = vcal(*[vevent("tty-%d" % i, ":20270110T100000Z") for i in range(300)])
        rc, out, err = self.imp("carol", "calendars/tty", text, tty=True)
        self.assertEqual(rc, 0, err)
        self.assertIn("\rchecking  [##############################] 100% 300/300", err)
        self.assertIn("\rstoring   [##############################] 100% 300/300", err)

    def test_import_sends_no_invitations(self):
        """Alice imports an event she organizes with bob invited: bob's calendar and inbox
        get nothing (a PUT of the same event would deliver the invitation)."""
        ev = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
              "UID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270301T100000Z\r\nDURATION:PT1H\r\n"
              "SUMMARY:Planning\r\nORGANIZER:mailto:alice@export.example\r\n"
              "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@export.example\r\nEND:VEVENT\r\n"
              "END:VCALENDAR\r\n")

        def bobs(uid):
            found = []
            for coll in ("calendar/", "inbox/"):
                for h in self.members(self.bob, self.bob.calendars + coll):
                    if ("UID:%s\r\n" % uid) in self.bob.get(h).text:
                        found.append(coll)
            return found

        rc, out, err = self.imp("alice", "calendars/calendar", ev % "imported-meeting")
        self.assertEqual(rc, 0, err)
        self.assertEqual(bobs("imported-meeting"), [])
        stored = self.alice.get(self.alice.calendars + "calendar/imported-meeting.ics")
        self.assertNotIn("SCHEDULE-STATUS", stored.text)
        # the control: a client's PUT invites
        self.assertEqual(self.alice.put(self.alice.calendars + "calendar/put-meeting.ics",
                                        ev % "put-meeting", ICS).status, 201)
        self.assertEqual(sorted(bobs("put-meeting")), ["calendar/", "inbox/"])

    def test_round_trip(self):
        """Exported, imported elsewhere, exported again: the same components, byte for
        byte."""
        cal = self.mkcal(self.alice, "roundtrip", "Round trip")
        self.assertEqual(self.alice.put(cal + "a.ics", vcal(BERLIN, vevent(
            "rt-a", ";TZID=Europe/Berlin:20270401T100000", extra="RRULE:FREQ=DAILY;COUNT=3\r\n"),
            vevent("rt-a", ";TZID=Europe/Berlin:20270402T120000",
                   extra="RECURRENCE-ID;TZID=Europe/Berlin:20270402T100000\r\n")), ICS).status, 201)
        self.assertEqual(self.alice.put(cal + "b.ics", vcal(vtodo("rt-b")), ICS).status, 201)
        first = self.alice.get(cal + "?export").text
        self.mkcal(self.carol, "roundtrip", "Round trip")
        rc, out, err = self.imp("carol", "calendars/roundtrip", first)
        self.assertEqual((rc, out), (0, ""), err)  # nothing needed repairing
        second = self.carol.get(self.carol.calendars + "roundtrip/?export").text
        self.assertEqual(second, first)


if __name__ == "__main__":
    unittest.main()

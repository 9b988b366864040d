"""Real clients against a fresh server (issue 15): the python caldav library
(Debian python3-caldav) and vdirsyncer (Debian vdirsyncer), each driven the way
its users drive it - discovery, making calendars and address books, changes on
either side and incremental sync, one occurrence of a repeating event edited,
time-range search, and an idle re-sync that downloads nothing.  Everything
talks to 127.0.0.1 only.

What they found is in the README ("Real clients"): python caldav and
vdirsyncer follow the well-known redirect with the requests library, which
after a 301 resends a PROPFIND without its body (allprop, which holds no
current-user-principal): discovery found no principal.  The redirect is a 307
now."""
import datetime
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from veil import Server, User, propfind_body, responses

try:
    import caldav  # Debian python3-caldav, under /usr/bin/python3
    import icalendar
except ImportError as e:  # tests/run.sh installs it; a missing one is a failure, not a skip
    raise ImportError("python3-caldav is not installed (tests/run.sh installs it): %s" % e)

VDIRSYNCER = shutil.which("vdirsyncer") or "/usr/bin/vdirsyncer"

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
VCF = {"Content-Type": "text/vcard; charset=utf-8"}


def event(uid, start, summary, extra=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Real client tests//EN\r\nBEGIN:VEVENT\r\n"
            "UID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:%s\r\n%s"
            "END:VEVENT\r\nEND:VCALENDAR\r\n" % (uid, start, summary, extra))


def card(uid, fn):
    return ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s\r\nN:%s;;;;\r\n"
            "REV:20260101T000000Z\r\nEND:VCARD\r\n" % (uid, fn, fn))


class RealClientBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(config={"log_level": "debug"})
        cls.server.add_user("alice", password="pw-alice-123456", display_name="Alice")
        cls.server.start()
        cls.password = cls.server.app_password("alice", "clients")
        cls.alice = User(cls.server, "alice", cls.password)
        cls.base = "http://127.0.0.1:%d" % cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def path(self, url):
        return "/" + str(url).split("/", 3)[3]


class PythonCaldav(RealClientBase):
    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.session.close()

    def client(self, url=None):
        c = caldav.DAVClient(url=url or self.base + "/", username="alice", password=self.password)
        self.clients.append(c)
        return c

    def test_discovery(self):
        # the redirect keeps the method and body (see the module's comment)
        for wk in ("/.well-known/caldav", "/.well-known/carddav"):
            r = self.server.request("PROPFIND", wk)
            self.assertEqual((r.status, r.header("location")), (307, self.base + "/"), wk)
        # from the root and from the well-known URI (RFC 6764): the same principal and homes
        for url in (self.base + "/", self.base + "/.well-known/caldav"):
            principal = self.client(url).principal()
            self.assertEqual(self.path(principal.url), self.alice.principal, url)
            self.assertEqual(self.path(principal.calendar_home_set.url), self.alice.calendars)
            names = sorted(c.name for c in principal.calendars())
            self.assertEqual(names, ["Calendar", "Tasks"], url)

    def test_incremental_sync(self):
        principal = self.client().principal()
        cal = principal.make_calendar(name="Sync me", cal_id="pysync")
        self.assertEqual(self.path(cal.url), self.alice.calendars + "pysync/")
        one = cal.save_event(event("py-one", "20270105T100000Z", "One"))
        two = cal.save_event(event("py-two", "20270106T100000Z", "Two"))
        objects = cal.objects_by_sync_token(load_objects=True)
        self.assertEqual(sorted(self.path(o.url) for o in objects),
                         [self.alice.calendars + "pysync/py-one.ics",
                          self.alice.calendars + "pysync/py-two.ics"])
        # nothing changed: nothing reported
        updated, deleted = objects.sync()
        self.assertEqual((list(updated), list(deleted)), ([], []))
        # an add and an edit
        cal.save_event(event("py-three", "20270107T100000Z", "Three"))
        one.vobject_instance.vevent.summary.value = "One, edited"
        one.save()
        updated, deleted = objects.sync()
        self.assertEqual(sorted(self.path(o.url).rsplit("/", 1)[1] for o in updated),
                         ["py-one.ics", "py-three.ics"])
        self.assertEqual(list(deleted), [])
        # a delete
        two.delete()
        updated, deleted = objects.sync()
        self.assertEqual(list(updated), [])
        self.assertEqual([self.path(o.url).rsplit("/", 1)[1] for o in deleted], ["py-two.ics"])
        self.assertIn("One\\, edited", self.alice.get(self.alice.calendars + "pysync/py-one.ics").text)

    def test_one_occurrence_and_time_range_search(self):
        cal = self.client().principal().make_calendar(name="Series", cal_id="pyseries")
        cal.save_event(event("daily", "20270104T090000Z", "Daily", "RRULE:FREQ=DAILY;COUNT=10\r\n"))
        cal.save_event(event("other", "20270120T090000Z", "Later"))

        def edit_occurrence(summary, hour):
            # what the library's users do: the series as stored, the edited occurrence
            # appended as an override, saved whole
            ev = cal.event_by_uid("daily")
            master = [c for c in ev.icalendar_instance.subcomponents if c.name == "VEVENT"][0]
            override = icalendar.Event()
            override.add("UID", "daily")
            override.add("DTSTAMP", datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc))
            override.add("RECURRENCE-ID",
                         datetime.datetime(2027, 1, 6, 9, tzinfo=datetime.timezone.utc))
            override.add("DTSTART", datetime.datetime(2027, 1, 6, hour, tzinfo=datetime.timezone.utc))
            override.add("DURATION", datetime.timedelta(hours=1))
            override.add("SUMMARY", summary)
            self.assertEqual(str(master["UID"]), "daily")
            ev.icalendar_instance.add_component(override)
            ev.save()

        edit_occurrence("Daily, moved", 15)
        # a second edit of the same occurrence: two overrides with one RECURRENCE-ID
        # arrive; the last is kept (ingest repair override-duplicate)
        edit_occurrence("Daily, moved again", 16)
        stored = self.alice.get(self.alice.calendars + "pyseries/daily.ics").text
        self.assertEqual(stored.count("RECURRENCE-ID"), 1)
        self.assertIn("Daily\\, moved again", stored)

        def found(start, end):
            return sorted((str(o.icalendar_component["SUMMARY"]),
                           o.icalendar_component["DTSTART"].dt.hour)
                          for o in cal.search(start=start, end=end, event=True, expand=True))

        # the day of the moved occurrence: only it, at its new time
        self.assertEqual(found(datetime.datetime(2027, 1, 6), datetime.datetime(2027, 1, 7)),
                         [("Daily, moved again", 16)])
        # its old slot is empty; the day before has the series' own occurrence
        self.assertEqual(found(datetime.datetime(2027, 1, 6, 8), datetime.datetime(2027, 1, 6, 10)),
                         [])
        self.assertEqual(found(datetime.datetime(2027, 1, 5), datetime.datetime(2027, 1, 6)),
                         [("Daily", 9)])
        self.assertEqual(found(datetime.datetime(2027, 1, 19), datetime.datetime(2027, 1, 21)),
                         [("Later", 9)])

    def test_tasks(self):
        tasks = [c for c in self.client().principal().calendars() if c.name == "Tasks"][0]
        tasks.save_todo("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\n"
                        "UID:py-todo\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Water plants\r\n"
                        "END:VTODO\r\nEND:VCALENDAR\r\n")
        self.assertEqual([str(t.icalendar_component["SUMMARY"]) for t in tasks.todos()],
                         ["Water plants"])


class Vdirsyncer(RealClientBase):
    """Two-way sync of calendars and address books with local directories."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="veil-vdirsyncer-")
        self.cal = os.path.join(self.dir, "cal")
        self.card = os.path.join(self.dir, "card")
        config = textwrap.dedent("""
            [general]
            status_path = "{d}/status/"

            [pair cal]
            a = "cal_local"
            b = "cal_remote"
            collections = ["from a", "from b"]
            metadata = ["displayname", "color"]

            [storage cal_local]
            type = "filesystem"
            path = "{d}/cal/"
            fileext = ".ics"

            [storage cal_remote]
            type = "caldav"
            url = "{base}/"
            username = "alice"
            password = "{pw}"

            [pair card]
            a = "card_local"
            b = "card_remote"
            collections = ["from a", "from b"]

            [storage card_local]
            type = "filesystem"
            path = "{d}/card/"
            fileext = ".vcf"

            [storage card_remote]
            type = "carddav"
            url = "{base}/"
            username = "alice"
            password = "{pw}"
            """).format(d=self.dir, base=self.base, pw=self.password)
        self.config = os.path.join(self.dir, "config")
        with open(self.config, "w") as f:
            f.write(config)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def vds(self, *args):
        # discover asks before it creates a collection on the other side: yes
        p = subprocess.run([VDIRSYNCER, "-c", self.config] + list(args), input="y\n" * 20,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
                           env=dict(os.environ, HOME=self.dir))
        self.assertEqual(p.returncode, 0, p.stdout)
        return p.stdout

    def log_since(self, mark):
        return self.server.server_log()[mark:]

    def test_two_way_sync(self):
        a = self.alice
        cal, book = a.calendars + "calendar/", a.addressbooks + "addressbook/"
        self.assertEqual(a.put(cal + "server-1.ics", event("server-1", "20270110T100000Z",
                                                           "From the server"), ICS).status, 201)
        self.assertEqual(a.put(book + "server-card.vcf", card("server-card", "Sam Server"),
                               VCF).status, 201)
        self.vds("discover")
        out = self.vds("sync")
        local_cal = os.path.join(self.cal, "calendar")
        local_book = os.path.join(self.card, "addressbook")
        self.assertEqual(sorted(os.listdir(local_cal)), ["server-1.ics"], out)
        self.assertEqual(sorted(os.listdir(local_book)), ["server-card.vcf"], out)
        # stored byte for byte: the file is what the server holds
        with open(os.path.join(local_cal, "server-1.ics"), newline="") as f:
            self.assertEqual(f.read(), a.get(cal + "server-1.ics").text)

        # local adds, including a UID that must be escaped in a URL
        with open(os.path.join(local_cal, "local-1.ics"), "w", newline="") as f:
            f.write(event("local 1+x@example", "20270111T100000Z", "From the laptop"))
        with open(os.path.join(local_book, "local-card.vcf"), "w", newline="") as f:
            f.write(card("local-card", "Laura Local"))
        out = self.vds("sync")
        self.assertIn("Copying (uploading) item local 1+x@example to cal_remote/calendar", out)
        names = [h.rsplit("/", 1)[1] for h in responses(a.propfind(cal, propfind_body("D:getetag"),
                                                                   {"Depth": "1"})) if h != cal]
        self.assertEqual(len(names), 2, names)
        self.assertEqual(a.get(book + "local-card.vcf").status, 200)

        # a change on the server comes down
        self.assertEqual(a.put(cal + "server-1.ics", event("server-1", "20270110T100000Z",
                                                           "Edited on the server"), ICS).status, 204)
        out = self.vds("sync")
        self.assertIn("Copying (updating) item server-1 to cal_local/calendar", out)
        with open(os.path.join(local_cal, "server-1.ics")) as f:
            self.assertIn("Edited on the server", f.read())

        # a local delete goes up, a server delete comes down
        os.unlink(os.path.join(local_book, "local-card.vcf"))
        self.assertEqual(a.delete(book + "server-card.vcf").status, 204)
        out = self.vds("sync")
        self.assertEqual(a.get(book + "local-card.vcf").status, 404)
        self.assertEqual(os.listdir(local_book), [])

        # idle: nothing copied either way, and nothing read but the listings
        mark = len(self.server.server_log())
        out = self.vds("sync")
        self.assertNotIn("Copying", out)
        self.assertNotIn("Deleting", out)
        methods = [line.split("debug: ")[1].split()[0] for line in
                   self.log_since(mark).splitlines() if "debug: " in line]
        self.assertTrue(methods)
        self.assertEqual(set(methods), {"PROPFIND"}, methods)

    def test_collection_made_locally(self):
        self.vds("discover")
        os.makedirs(os.path.join(self.cal, "holidays"))
        with open(os.path.join(self.cal, "holidays", "h.ics"), "w", newline="") as f:
            f.write(event("holiday-1", "20270501T000000Z", "Holiday"))
        self.vds("discover")
        out = self.vds("sync")
        self.assertIn("Copying (uploading) item holiday-1 to cal_remote/holidays", out)
        # made on the server as a calendar (extended MKCOL), with the event in it
        coll = self.alice.calendars + "holidays/"
        r = self.alice.propfind(coll, propfind_body("D:resourcetype"), {"Depth": "0"})
        self.assertIn("<C:calendar/>", r.text)
        self.assertEqual(self.alice.get(coll + "holiday-1.ics").status, 200)
        # metadata: the server's display names come down, a local colour goes up
        self.vds("metasync")
        with open(os.path.join(self.cal, "calendar", "displayname")) as f:
            self.assertEqual(f.read().strip(), "Calendar")
        with open(os.path.join(self.cal, "holidays", "color"), "w") as f:
            f.write("#FF0000")
        self.vds("metasync")
        r = self.alice.propfind(coll, propfind_body("A:calendar-color"), {"Depth": "0"})
        self.assertIn("#FF0000", r.text)


if __name__ == "__main__":
    unittest.main()

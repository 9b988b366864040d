"""What real clients send (issue 15, part B), each test written from the
client's own request: sync-collection with any Depth, names with any byte,
byte ranges.  (The logging half is tests/integration/test_logging.py.)"""
import base64
import html.parser
import os
import socket
import struct
import time
import unittest
from urllib.parse import quote, unquote_to_bytes, urlsplit

from caldav_util import vcal, vevent
from test_caldav import CalDAVBase
from veil import NS, ServerTest, propfind_body

ICS = {"Content-Type": "text/calendar; charset=utf-8"}

# the python caldav library (every version): Calendar.objects_by_sync_token
# builds this body with lxml and sends it with DAVClient.report(url, body,
# depth=1), which adds these two headers
PYCALDAV_HEADERS = {"Depth": "1", "Content-Type": 'application/xml; charset="utf-8"'}


def pycaldav_sync(token=None):
    tok = "<D:sync-token/>" if token is None else "<D:sync-token>%s</D:sync-token>" % token
    return ("<?xml version='1.0' encoding='utf-8'?>\n<D:sync-collection xmlns:D=\"DAV:\">"
            "<D:sync-level>1</D:sync-level>%s<D:prop><D:getetag/></D:prop>"
            "</D:sync-collection>" % tok)


# Apple's home sync as CalDAVTester's sync-report.xml sends it (its
# Resource/CalDAV/reports/sync/8.xml and 9.xml), under Depth 0, 1 or infinity
def apple_sync(level, token=""):
    return ('<?xml version="1.0" encoding="utf-8" ?>\n<D:sync-collection xmlns:D="DAV:">\n'
            "<D:sync-token>%s</D:sync-token>\n<D:sync-level>%s</D:sync-level>\n<D:prop/>\n"
            "</D:sync-collection>" % (token, level))


def sync_result(resp):
    """{href: status} and the new token of a sync-collection answer."""
    out = {}
    for r in resp.xml().findall("D:response", NS):
        lone = r.find("D:status", NS)
        out[r.find("D:href", NS).text] = int(lone.text.split()[1]) if lone is not None else 200
    return out, resp.xml().find("D:sync-token", NS).text


class SyncDepth(CalDAVBase):
    """RFC 6578 §3.2 words sync-collection with Depth: 0, but the level is in
    DAV:sync-level; clients send Depth: 1 (python caldav, Apple), infinity or
    nothing, and every other server answers them."""

    def test_python_caldav_sync_with_depth_one(self):
        cal = self.cal("pysync")
        self.assertEqual(self.mkcal("pysync").status, 201)
        self.assertEqual(self.put(cal + "a.ics", vcal(vevent("py-a", ":20270101T100000Z"))).status,
                         201)
        r = self.alice.report(cal, pycaldav_sync(), PYCALDAV_HEADERS)
        self.assertEqual(r.status, 207, r.text)
        first, token = sync_result(r)
        self.assertEqual(first, {cal + "a.ics": 200})
        # the next sync, with the token, reports only what changed
        self.assertEqual(self.put(cal + "b.ics", vcal(vevent("py-b", ":20270102T100000Z"))).status,
                         201)
        self.assertEqual(self.alice.delete(cal + "a.ics").status, 204)
        r = self.alice.report(cal, pycaldav_sync(token), PYCALDAV_HEADERS)
        self.assertEqual(r.status, 207, r.text)
        changes, token2 = sync_result(r)
        self.assertEqual(changes, {cal + "a.ics": 404, cal + "b.ics": 200})
        # every Depth, and none, answers the same (DAV:sync-level decides)
        for depth in ("0", "1", "infinity", None):
            h = dict(PYCALDAV_HEADERS)
            if depth is None:
                del h["Depth"]
            else:
                h["Depth"] = depth
            r = self.alice.report(cal, pycaldav_sync(token), h)
            self.assertEqual(r.status, 207, (depth, r.text))
            self.assertEqual(sync_result(r), (changes, token2), depth)

    def test_address_book_sync_with_depth_one(self):
        book = self.alice.addressbooks + "addressbook/"
        card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:sync-card\r\nFN:Sync Card\r\nN:Card;Sync;;;\r\n"
                "END:VCARD\r\n")
        self.assertEqual(self.alice.put(book + "c.vcf", card,
                                        {"Content-Type": "text/vcard"}).status, 201)
        r = self.alice.report(book, pycaldav_sync(), PYCALDAV_HEADERS)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(sync_result(r)[0].get(book + "c.vcf"), 200)

    def test_home_sync_level_decides_whatever_the_depth(self):
        home = self.alice.calendars
        self.assertEqual(self.mkcal("homesync").status, 201)
        self.assertEqual(self.put(self.cal("homesync") + "h.ics",
                                  vcal(vevent("hs-1", ":20270103T100000Z"))).status, 201)
        answers = {}
        for level in ("1", "infinite"):
            for depth in ("0", "1", "infinity", None):
                h = {"Content-Type": "text/xml; charset=utf-8"}
                if depth is not None:
                    h["Depth"] = depth
                r = self.alice.report(home, apple_sync(level), h)
                self.assertEqual(r.status, 207, (level, depth, r.text))
                answers[level, depth] = sync_result(r)
            self.assertEqual(len({str(a) for k, a in answers.items() if k[0] == level}), 1, level)
        one, _ = answers["1", "1"]
        inf, token = answers["infinite", "1"]
        # Apple writes the Depth header's "infinity" for RFC 6578's "infinite"
        r = self.alice.report(home, apple_sync("infinity"), {"Depth": "1"})
        self.assertEqual((r.status, sync_result(r)), (207, answers["infinite", "1"]), r.text)
        self.assertEqual(self.alice.report(home, apple_sync("2"), {"Depth": "1"}).status, 400)
        # level 1: the children; level infinite: their members too
        self.assertEqual(one.get(self.cal("homesync")), 200)
        self.assertNotIn(self.cal("homesync") + "h.ics", one)
        self.assertEqual(inf.get(self.cal("homesync") + "h.ics"), 200)
        # a follow-up with Depth: 1 sees only the change
        self.assertEqual(self.put(self.cal("homesync") + "h2.ics",
                                  vcal(vevent("hs-2", ":20270104T100000Z"))).status, 201)
        r = self.alice.report(home, apple_sync("infinite", token),
                              {"Depth": "1", "Content-Type": "text/xml; charset=utf-8"})
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(sync_result(r)[0], {self.cal("homesync"): 200,
                                             self.cal("homesync") + "h2.ics": 200})


def q(name):
    """A name as a client puts it in a URL: every byte but unreserved escaped."""
    return quote(name, safe="")


def last_segment(href):
    """The bytes of an href's last segment."""
    return unquote_to_bytes(urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1])


def listed_names(resp, coll):
    """Names (bytes) of the members of coll in a PROPFIND Depth 1 answer."""
    hrefs = [r.find("D:href", NS).text for r in resp.xml().findall("D:response", NS)]
    return {last_segment(h) for h in hrefs if h.rstrip("/") != coll.rstrip("/")}


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.texts = [], []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"])

    def handle_data(self, data):
        self.texts.append(data)


# Names as clients make them.  A web client put a newline at the end of its
# UIDs and a sync tool named the item after the UID (vdirsyncer:
# quote(uid) + ".ics"); the others are what file managers and rclone store.
NAMES = [b"tab\there", b"100% sure", b"#hash", b"why?", b"with  spaces ", b"\xff\xfe not utf-8",
         b"caf\xc3\xa9", b"back\\slash", b"new\nline", b"ctl\x01\x7f", b"...", b"a&b<c>\"'",
         b"%41%", b"x" * 255, b"\xc0\xaf"]


class Names(CalDAVBase):
    """Names are bytes: any octet but '/' and NUL, percent-encoded wherever
    the server shows it, and the same name back in listings, sync reports
    and multigets."""

    WEB_UID = "20261204T101010Z-4d2f-7kcfm"

    def test_uid_with_newline_from_a_web_client(self):
        cal = self.cal()
        name = self.WEB_UID + "%0A.ics"  # the UID ends in a newline
        body = vcal(vevent(self.WEB_UID + "\\n", ":20270110T100000Z"))
        # vdirsyncer's create: PUT with If-None-Match: *
        r = self.alice.put(cal + name, body, {"Content-Type": "text/calendar; charset=utf-8",
                                              "If-None-Match": "*"})
        self.assertEqual(r.status, 201, r.text)
        r = self.alice.get(cal + name)
        self.assertEqual((r.status, r.body.replace(b"\r\n", b"\n")),
                         (200, body.encode().replace(b"\r\n", b"\n")))
        want = cal + name
        # a listing
        r = self.alice.propfind(cal, propfind_body("D:getetag"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        self.assertIn(self.WEB_UID.encode() + b"\n.ics", listed_names(r, cal))
        self.assertIn(want.encode(), r.body)
        # a sync report (python caldav's)
        r = self.alice.report(cal, pycaldav_sync(), PYCALDAV_HEADERS)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(sync_result(r)[0].get(want), 200)
        # a multiget, with the href as the listing gave it and escaped otherwise
        other = cal + self.WEB_UID.replace("-", "%2D") + "%0a.ics"
        mg = ('<?xml version="1.0" encoding="utf-8"?><C:calendar-multiget xmlns:D="DAV:" '
              'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/>'
              '</D:prop><D:href>%s</D:href><D:href>%s</D:href></C:calendar-multiget>'
              % (want, other))
        r = self.report(cal, mg)
        self.assertEqual(r.status, 207, r.text)
        got = {x.find("D:href", NS).text: x.find(".//C:calendar-data", NS)
               for x in r.xml().findall("D:response", NS)}
        self.assertEqual(set(got), {want, other})
        for data in got.values():
            self.assertIn(self.WEB_UID + "\\n", data.text)
        # and it goes away like any other
        self.assertEqual(self.alice.delete(cal + name).status, 204)
        r = self.alice.report(cal, pycaldav_sync(), PYCALDAV_HEADERS)
        self.assertNotIn(want, sync_result(r)[0])

    def test_file_names_are_bytes(self):
        d = self.alice.files + "names%0A%FF/"  # in a collection named with bytes too
        self.assertEqual(self.alice.mkcol(d).status, 201)
        for i, name in enumerate(NAMES):
            r = self.alice.put(d + q(name), b"body %d" % i)
            self.assertEqual(r.status, 201, (name, r.text))
        for i, name in enumerate(NAMES):
            r = self.alice.get(d + q(name))
            self.assertEqual((r.status, r.body), (200, b"body %d" % i), name)
        # the same name however its bytes are escaped: lower-case hex, a
        # letter escaped that need not be
        r = self.alice.get(d + "new%0aline")
        self.assertEqual(r.body, b"body %d" % NAMES.index(b"new\nline"))
        r = self.alice.get(d + "%63af%C3%A9")
        self.assertEqual(r.body, b"body %d" % NAMES.index(b"caf\xc3\xa9"))
        # the listing is well-formed XML and gives every name back
        r = self.alice.propfind(d, propfind_body("D:getetag", "D:displayname"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        self.assertEqual(listed_names(r, d), set(NAMES))
        for h in (x.find("D:href", NS).text for x in r.xml().findall("D:response", NS)):
            self.assertTrue(all(0x20 < ord(c) < 0x7F for c in h), h)
        # and so does a sync report of the collection
        body = pycaldav_sync()
        r = self.alice.report(d, body, PYCALDAV_HEADERS)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual({last_segment(h) for h in sync_result(r)[0]}, set(NAMES))
        # the HTML listing: valid UTF-8 without control characters, a link
        # per name, a name that cannot be shown shown escaped
        r = self.alice.get(d)
        self.assertEqual(r.status, 200)
        page = r.body.decode("utf-8")
        self.assertFalse([c for c in page if ord(c) < 0x20 and c != "\n"], page)
        links = Links()
        links.feed(page)
        self.assertEqual({last_segment(h) for h in links.hrefs}, set(NAMES))
        shown = "".join(links.texts)
        self.assertIn("new%0Aline", shown)
        self.assertIn("caf\u00e9", shown)
        self.assertIn("a&b<c>\"'", shown)
        # a lock on such a name covers it, and the refusal names it escaped
        lock = ('<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope>'
                '<D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>')
        r = self.alice.lock(d, lock, {"Content-Type": "application/xml", "Depth": "infinity"})
        self.assertEqual(r.status, 200, r.text)
        token = r.header("Lock-Token")
        target = d + q(b"\xff\xfe not utf-8")
        r = self.alice.put(target, b"locked out")
        self.assertEqual(r.status, 423)
        self.assertEqual(r.xml().find(".//D:href", NS).text, d)
        r = self.alice.put(target, b"with the token", {"If": "(%s)" % token})
        self.assertEqual(r.status, 204, r.text)
        self.assertEqual(self.alice.unlock(d, headers={"Lock-Token": token}).status, 204)
        # one byte more than 255 is too long; "." and "..", NUL and "/" are
        # never names
        self.assertEqual(self.alice.put(d + "x" * 256, b"x").status, 414)
        for bad in ("%2e", "%2E%2e", "..", "a%00b", "a%2Fb"):
            self.assertIn(self.alice.put(d + bad, b"x").status, (400, 404, 405, 409), bad)
            self.assertIn(self.alice.get(d + bad).status, (400, 404), bad)

    def test_location_carries_the_name_escaped(self):
        f = self.alice.files
        r = self.alice.mkcol(f + "dir%0Awith%09controls%23/")
        self.assertEqual(r.status, 201)
        self.assertTrue(r.header("Location").endswith(f + "dir%0Awith%09controls%23/"),
                        r.header("Location"))
        self.assertEqual(self.alice.put(f + "src.txt", b"moving").status, 201)
        base = "http://127.0.0.1:%d" % self.server.port
        r = self.alice.copy(f + "src.txt", headers={"Destination": base + f + "copy%FF%3F.txt"})
        self.assertEqual(r.status, 201)
        self.assertTrue(r.header("Location").endswith(f + "copy%FF%3F.txt"), r.header("Location"))
        r = self.alice.move(f + "src.txt", headers={"Destination": base + f + "moved%0D%0A.txt"})
        self.assertEqual(r.status, 201)
        self.assertTrue(r.header("Location").endswith(f + "moved%0D%0A.txt"),
                        r.header("Location"))
        self.assertEqual(self.alice.get(f + "moved%0D%0A.txt").body, b"moving")
        self.assertEqual(self.alice.get(f + "copy%ff%3f.txt").body, b"moving")


def raw_request(server, user, method, path, headers=(), body=b"", read_body=True):
    """One request on a socket of its own, exactly as written (header order
    and spelling kept); returns (status, {lower-case name: value}, body)."""
    tok = base64.b64encode(("%s:%s" % (user.login, user.password)).encode()).decode()
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1:%d" % server.port]
    lines += ["%s: %s" % h for h in headers]
    lines.append("Authorization: Basic " + tok)
    if body:
        lines.append("Content-Length: %d" % len(body))
    s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        hdrs = {}
        for f in fields:
            k, _, v = f.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0")) if read_body and method != "HEAD" else 0
        body = bytearray(rest)
        while len(body) < n:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            body += chunk
        return int(status_line.split()[1]), hdrs, bytes(body)
    finally:
        s.close()


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no " + field)


class ByteRanges(ServerTest):
    """RFC 9110 §14: rclone and GNOME's gvfs read at offsets with Range and do
    not check for 206; a 200 with the whole file gives them wrong bytes."""

    SIZE = 3 * 1024 * 1024 + 17
    DATA = bytes((i * 7 + i // 251) & 0xFF for i in range(SIZE))

    @classmethod
    def setUpClass(cls):
        # the memory test measures the server's own peak: a small sanitizer
        # quarantine (see test_limits.py)
        saved = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (saved + ":" if saved else "") + "quarantine_size_mb=16"
        try:
            super().setUpClass()
        finally:
            if saved is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = saved
        cls.path = cls.alice.files + "video.bin"
        assert cls.alice.put(cls.path, cls.DATA,
                             {"Content-Type": "application/octet-stream"}).status == 201

    def test_rclone_reads_a_chunk(self):
        # rclone's webdav backend: Open with a RangeOption (multi-thread
        # downloads and reads at an offset), Go's net/http header order
        hdrs = [("User-Agent", "rclone/v1.60.1"), ("Range", "bytes=1048576-2097151"),
                ("Accept-Encoding", "gzip")]
        st, h, body = raw_request(self.server, self.alice, "GET", self.path, hdrs)
        self.assertEqual(st, 206)
        self.assertEqual(h["content-range"], "bytes 1048576-2097151/%d" % self.SIZE)
        self.assertEqual(h["content-length"], "1048576")
        self.assertEqual(h["accept-ranges"], "bytes")
        self.assertIn("etag", h)
        self.assertEqual(body, self.DATA[1048576:2097152])
        # the last chunk, open-ended
        hdrs[1] = ("Range", "bytes=3145728-")
        st, h, body = raw_request(self.server, self.alice, "GET", self.path, hdrs)
        self.assertEqual((st, h["content-range"]), (206, "bytes 3145728-%d/%d"
                                                    % (self.SIZE - 1, self.SIZE)))
        self.assertEqual(body, self.DATA[3145728:])

    def test_gvfs_seeks(self):
        # gvfs (libsoup) after a seek on its FUSE mount: from the offset on
        hdrs = [("Accept-Encoding", "gzip, deflate"), ("User-Agent", "gvfs/1.50.3"),
                ("Range", "bytes=4096-")]
        st, h, body = raw_request(self.server, self.alice, "GET", self.path, hdrs)
        self.assertEqual(st, 206)
        self.assertEqual(h["content-range"], "bytes 4096-%d/%d" % (self.SIZE - 1, self.SIZE))
        self.assertEqual(body, self.DATA[4096:])
        # the last bytes, as a suffix
        st, h, body = raw_request(self.server, self.alice, "GET", self.path,
                                  [("Range", "bytes=-10")])
        self.assertEqual((st, body), (206, self.DATA[-10:]))

    def test_head_answers_as_get(self):
        st, h, body = raw_request(self.server, self.alice, "HEAD", self.path,
                                  [("Range", "bytes=10-19")])
        self.assertEqual((st, h["content-range"], h["content-length"], body),
                         (206, "bytes 10-19/%d" % self.SIZE, "10", b""))
        st, h, _ = raw_request(self.server, self.alice, "HEAD", self.path)
        self.assertEqual((st, h["content-length"], h["accept-ranges"]),
                         (200, str(self.SIZE), "bytes"))

    def test_unsatisfiable_and_ignored(self):
        for rng in ("bytes=%d-" % self.SIZE, "bytes=-0", "bytes=%d-%d" % (self.SIZE, self.SIZE + 9)):
            st, h, _ = raw_request(self.server, self.alice, "GET", self.path, [("Range", rng)])
            self.assertEqual((st, h.get("content-range")), (416, "bytes */%d" % self.SIZE), rng)
        # not a valid bytes range, or another unit: ignored, the whole file
        for rng in ("bytes=9-5", "items=0-1", "bytes=x-"):
            st, h, body = raw_request(self.server, self.alice, "GET", self.path, [("Range", rng)])
            self.assertEqual((st, len(body)), (200, self.SIZE), rng)
        # several ranges: the whole file (README: no multipart/byteranges)
        st, h, body = raw_request(self.server, self.alice, "GET", self.path,
                                  [("Range", "bytes=0-9,20-29")])
        self.assertEqual((st, body), (200, self.DATA))
        self.assertNotIn("content-range", h)
        # ... unless only one of them is satisfiable (RFC 9110 §14.2)
        st, h, body = raw_request(self.server, self.alice, "GET", self.path,
                                  [("Range", "bytes=0-9,%d-" % (self.SIZE + 5))])
        self.assertEqual((st, body), (206, self.DATA[:10]))

    def test_if_range(self):
        st, h, _ = raw_request(self.server, self.alice, "HEAD", self.path)
        etag, modified = h["etag"], h["last-modified"]
        cases = [(etag, 206), ('"0123"', 200), ("W/" + etag, 200), (modified, 206),
                 ("Sun, 06 Nov 1994 08:49:37 GMT", 200), ("garbage", 200)]
        for validator, want in cases:
            st, h, body = raw_request(self.server, self.alice, "GET", self.path,
                                      [("Range", "bytes=5-9"), ("If-Range", validator)])
            self.assertEqual(st, want, validator)
            self.assertEqual(body, self.DATA[5:10] if want == 206 else self.DATA, validator)

    def test_calendar_objects_whole_when_transformed(self):
        cal = self.alice.calendars + "calendar/"
        plain = vcal(vevent("range-utc", ":20270110T100000Z"))
        self.assertEqual(self.alice.put(cal + "utc.ics", plain, ICS).status, 201)
        st, h, body = raw_request(self.server, self.alice, "GET", cal + "utc.ics",
                                  [("Range", "bytes=0-14")])
        self.assertEqual((st, body, h["accept-ranges"]), (206, plain.encode()[:15], "bytes"))
        # a TZID without its VTIMEZONE: GET adds it (RFC 7809), so what is
        # sent is not what the ETag names: whole
        zoned = vcal(vevent("range-tz", ";TZID=Europe/Berlin:20270110T100000"))
        self.assertEqual(self.alice.put(cal + "tz.ics", zoned, ICS).status, 201)
        st, h, body = raw_request(self.server, self.alice, "GET", cal + "tz.ics",
                                  [("Range", "bytes=0-14")])
        self.assertEqual((st, h["accept-ranges"]), (200, "none"))
        self.assertIn(b"BEGIN:VTIMEZONE", body)
        self.assertNotIn("content-range", h)
        # a vCard converted to the version asked for: whole as well
        book = self.alice.addressbooks + "addressbook/"
        card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:range-card\r\nFN:Ra Nge\r\nN:Nge;Ra;;;\r\nEND:VCARD\r\n"
        self.assertEqual(self.alice.put(book + "r.vcf", card, {"Content-Type": "text/vcard"}).status,
                         201)
        st, h, body = raw_request(self.server, self.alice, "GET", book + "r.vcf",
                                  [("Accept", "text/vcard; version=4.0"), ("Range", "bytes=0-4")])
        self.assertEqual(st, 200)
        self.assertIn(b"VERSION:4.0", body)

    def test_streamed_from_the_store(self):
        # 24 MiB, read whole and at an offset: the server's peak memory
        # grows by far less than the file (it used to read it all, twice)
        big = self.alice.files + "big.bin"
        data = os.urandom(1 << 20) * 24
        self.assertEqual(self.alice.put(big, data).status, 201)
        pid = self.server.proc.pid
        for rng in (None, "bytes=%d-" % (5 << 20)):
            with open("/proc/%d/clear_refs" % pid, "w") as f:
                f.write("5")  # VmHWM := VmRSS
            before = vm_kib(pid, "VmHWM")
            st, h, body = raw_request(self.server, self.alice, "GET", big,
                                      [("Range", rng)] if rng else [])
            self.assertEqual((st, len(body)), (206 if rng else 200, len(data) - (5 << 20 if rng else 0)))
            self.assertEqual(body, data[5 << 20:] if rng else data)
            grew = (vm_kib(pid, "VmHWM") - before) / 1024
            self.assertLess(grew, 8, "peak memory grew by %.1f MiB" % grew)

    def test_a_file_changed_midway_is_cut_short(self):
        # a download that meets a new version is cut short, never completed
        # with the other version's bytes
        path = self.alice.files + "changing.bin"
        old = b"o" * (8 << 20)
        self.assertEqual(self.alice.put(path, old).status, 201)
        tok = base64.b64encode(("%s:%s" % (self.alice.login, self.alice.password)).encode())
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.connect(("127.0.0.1", self.server.port))
        s.settimeout(30)
        s.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " + tok +
                  b"\r\n\r\n")
        got = s.recv(65536)
        time.sleep(0.3)  # the server's socket buffers fill; it waits
        self.assertEqual(self.alice.put(path, b"n" * (8 << 20)).status, 204)
        while True:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
        s.close()
        head, _, body = got.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head[:40])
        self.assertLess(len(body), len(old))
        self.assertEqual(body, old[:len(body)])


if __name__ == "__main__":
    unittest.main()

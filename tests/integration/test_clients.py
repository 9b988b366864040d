"""What real clients send (issue 15, part B), each test written from the
client's own request: sync-collection with any Depth, names with any byte,
byte ranges.  (The logging half is tests/integration/test_logging.py.)"""
import unittest

from caldav_util import vcal, vevent
from test_caldav import CalDAVBase
from veil import NS

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


if __name__ == "__main__":
    unittest.main()

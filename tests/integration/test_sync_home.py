"""sync-collection on calendar and address book homes (RFC 6578 on a
collection of collections, as Apple's clients use it): level 1 reports the
children whose contents or properties changed, level infinite their changed
members too; shares count in the sharee's home."""
import unittest

from caldav_util import D, error_element, vcal, vevent
from test_sharing import SharingTest
from veil import NS, propfind_body, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}
XML = {"Content-Type": "application/xml; charset=utf-8"}


def sync_body(token="", level="1", props="<D:getetag/>", extra=""):
    return ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            '<D:sync-token>%s</D:sync-token><D:sync-level>%s</D:sync-level>%s'
            '<D:prop>%s</D:prop></D:sync-collection>' % (token, level, extra, props))


class HomeSync(SharingTest):
    def sync(self, user, home, token="", level="1", extra=""):
        r = user.report(home, sync_body(token, level, extra=extra),
                        {"Depth": "0", "Content-Type": "application/xml"})
        self.assertEqual(r.status, 207, r.text)
        # a response is a change (propstats) or a removal (a lone status)
        status = {}
        for resp in r.xml().findall("D:response", NS):
            lone = resp.find("D:status", NS)
            status[resp.find("D:href", NS).text] = [
                int(lone.text.split()[1]) if lone is not None else 200]
        return status, r.xml().find("D:sync-token", NS).text

    def event(self, uid):
        return vcal(vevent(uid, ":20270105T100000Z", ":20270105T110000Z"))

    def test_level_one_reports_changed_children(self):
        u, home = self.alice, self.alice.calendars
        first, token = self.sync(u, home)
        # every child, not the home itself, no members
        self.assertNotIn(home, first)
        for child in ("calendar/", "tasks/", "inbox/", "outbox/", "notification/"):
            self.assertEqual(first[home + child], [200], child)
        self.assertTrue(all(h.endswith("/") for h in first))
        # the home's DAV:sync-token is the report's
        r = u.propfind(home, propfind_body("D:sync-token"), {"Depth": "0"})
        self.assertEqual(responses(r)[home][200][0].text, token)
        # nothing changed: nothing reported, the same token
        same, again = self.sync(u, home, token)
        self.assertEqual((same, again), ({}, token))
        # a new member, a new calendar, a property change, a removal
        self.assertEqual(u.put(home + "calendar/a.ics", self.event("hs-a"), ICS).status, 201)
        changed, t2 = self.sync(u, home, token)
        self.assertEqual(changed, {home + "calendar/": [200]})
        u.mkcalendar(home + "hs-new/")
        changed, t3 = self.sync(u, home, t2)
        self.assertEqual(changed, {home + "hs-new/": [200]})
        r = u.proppatch(home + "tasks/", '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:">'
                        '<D:set><D:prop><D:displayname>Chores</D:displayname></D:prop></D:set>'
                        '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207)
        changed, t4 = self.sync(u, home, t3)
        self.assertEqual(changed, {home + "tasks/": [200]})
        self.assertEqual(u.delete(home + "hs-new/").status, 204)
        changed, t5 = self.sync(u, home, t4)
        self.assertEqual(changed, {home + "hs-new/": [404]})
        # an older token still tells all of it
        changed, _ = self.sync(u, home, token)
        self.assertEqual(changed, {home + "calendar/": [200], home + "tasks/": [200],
                                   home + "hs-new/": [404]})

    def test_level_infinite_reports_members(self):
        u, home = self.alice, self.alice.calendars
        u.mkcalendar(home + "hs-inf/")
        for i in range(3):
            self.assertEqual(u.put(home + "hs-inf/%d.ics" % i, self.event("inf-%d" % i),
                                   ICS).status, 201)
        first, token = self.sync(u, home, level="infinite")
        for i in range(3):
            self.assertEqual(first[home + "hs-inf/%d.ics" % i], [200])
        self.assertEqual(first[home + "hs-inf/"], [200])
        self.assertEqual(u.delete(home + "hs-inf/1.ics").status, 204)
        self.assertEqual(u.put(home + "hs-inf/2.ics", self.event("inf-2"), ICS).status, 204)
        u.mkcalendar(home + "hs-inf2/")
        self.assertEqual(u.put(home + "hs-inf2/x.ics", self.event("inf-x"), ICS).status, 201)
        changed, t2 = self.sync(u, home, token, level="infinite")
        self.assertEqual(changed, {home + "hs-inf/": [200], home + "hs-inf/1.ics": [404],
                                   home + "hs-inf/2.ics": [200], home + "hs-inf2/": [200],
                                   home + "hs-inf2/x.ics": [200]})
        # a removed calendar is one 404, not one per member
        self.assertEqual(u.delete(home + "hs-inf/").status, 204)
        changed, _ = self.sync(u, home, t2, level="infinite")
        self.assertEqual(changed, {home + "hs-inf/": [404]})

    def test_limit_truncates_and_the_token_continues(self):
        u, home = self.alice, self.alice.calendars
        u.mkcalendar(home + "hs-lim/")
        _, token = self.sync(u, home, level="infinite")
        for i in range(4):
            u.put(home + "hs-lim/%d.ics" % i, self.event("lim-%d" % i), ICS)
        seen = set()
        limit = "<D:limit><D:nresults>2</D:nresults></D:limit>"
        for _ in range(5):
            page, token = self.sync(u, home, token, "infinite", limit)
            done = home not in page
            if not done:
                self.assertEqual(page.pop(home), [507])
            self.assertLessEqual(len(page), 2)
            seen.update(page)
            if done:
                break
        self.assertTrue(done)
        self.assertEqual(seen, {home + "hs-lim/"} | {home + "hs-lim/%d.ics" % i
                                                     for i in range(4)})

    def test_tokens_and_levels(self):
        u = self.alice
        _, token = self.sync(u, u.calendars)
        _, ab_token = self.sync(u, u.addressbooks)
        for bad in (ab_token, token.replace(";", ";zz"), "urn:x-veil:sync:00000000-1",
                    token.split(";")[0][:-1] + "999;"):
            r = u.report(u.calendars, sync_body(bad), {"Depth": "0"})
            self.assertEqual(r.status, 403, bad)
            self.assertEqual(error_element(r), D + "valid-sync-token")
        # with sync-level, the level is the body's whatever the Depth (issue 15,
        # tests/integration/test_clients.py); a Depth that is none is still a 400
        r = u.report(u.calendars, sync_body(), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        r = u.report(u.calendars, sync_body(), {"Depth": "one"})
        self.assertEqual(r.status, 400)
        # the file space is no home of collections Veil syncs deeply
        r = u.report(u.files, sync_body(level="infinite"), {"Depth": "0"})
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), D + "sync-traversal-supported")

    def test_sharee_home_follows_the_share(self):
        owner, sharee = self.carol, self.dave
        coll = self.mkcal(owner, "hs-shared", "Shared")
        self.assertEqual(owner.put(coll + "1.ics", self.event("sh-1"), ICS).status, 201)
        _, owner_token = self.sync(owner, owner.calendars)
        _, token = self.sync(sharee, sharee.calendars, level="infinite")
        self.assertEqual(self.share(owner, coll, [(self.urn(sharee), "read-write", "S")]).status,
                         200)
        # sharing changed the owner's calendar (its CS:invite)
        changed, _ = self.sync(owner, owner.calendars, owner_token)
        self.assertEqual(changed[coll], [200])
        view = self.accept(sharee, coll)
        # the new view comes with its members
        changed, token = self.sync(sharee, sharee.calendars, token, "infinite")
        self.assertEqual(changed[view], [200])
        self.assertEqual(changed[view + "1.ics"], [200])
        # the owner's change shows in the sharee's home
        self.assertEqual(owner.put(coll + "2.ics", self.event("sh-2"), ICS).status, 201)
        changed, token = self.sync(sharee, sharee.calendars, token, "infinite")
        self.assertEqual(changed, {view: [200], view + "2.ics": [200]})
        # so does the sharee's own colour for it, which the owner does not see
        _, owner_token = self.sync(owner, owner.calendars)
        r = sharee.proppatch(view, '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" '
                             'xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>'
                             '<A:calendar-color>#FF0000FF</A:calendar-color></D:prop></D:set>'
                             '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207)
        changed, token = self.sync(sharee, sharee.calendars, token)
        self.assertEqual(changed, {view: [200]})
        self.assertEqual(self.sync(owner, owner.calendars, owner_token)[0], {})
        # revoked: the view is gone from the sharee's home
        self.assertEqual(self.share(owner, coll, removes=[self.urn(sharee)]).status, 200)
        changed, _ = self.sync(sharee, sharee.calendars, token)
        self.assertEqual(changed[view], [404])
        self.assertEqual(changed[sharee.calendars + "notification/"], [200])

    def test_address_book_home(self):
        u, home = self.bob, self.bob.addressbooks
        first, token = self.sync(u, home, level="infinite")
        self.assertIn(home + "addressbook/", first)
        card = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:hs-card\r\nFN:Card\r\nN:Card;;;;\r\n"
                "END:VCARD\r\n")
        r = u.put(home + "addressbook/c.vcf", card, {"Content-Type": "text/vcard"})
        self.assertEqual(r.status, 201)
        changed, _ = self.sync(u, home, token, "infinite")
        self.assertEqual(changed, {home + "addressbook/": [200],
                                   home + "addressbook/c.vcf": [200]})


if __name__ == "__main__":
    unittest.main()

"""Sharing calendars and address books (issue 5): the CalendarServer sharing
protocol as Apple clients speak it (CS:share, notifications, CS:invite-reply),
operator shares through `veildav share`, what a sharee may do with their
view, group shares, and what the protocol reveals about whom."""
import unittest
import uuid

from caldav_util import vcal, vevent
from veil import NS, Server, User, propfind_body, prop, responses

D = "{DAV:}"
C = "{urn:ietf:params:xml:ns:caldav}"
CS = "{http://calendarserver.org/ns/}"
A = "{http://apple.com/ns/ical/}"
XML = {"Content-Type": "text/xml; charset=utf-8"}
ICS = {"Content-Type": "text/calendar; charset=utf-8"}

# logins and private addresses that must never show through the protocol
SECRET_LOGINS = ["owner-login-5521", "sharee-login-8830", "third-login-1147",
                 "plain-login-3390", "member-login-6612", "member-login-7723"]
PRIVATE_ALIAS = "bob.private.alias@hidden.example"


def share_body(sets=(), removes=()):
    """sets: (href, 'read'|'read-write', summary) ... removes: href ..."""
    body = '<?xml version="1.0" encoding="utf-8"?><CS:share xmlns:D="DAV:" ' \
           'xmlns:CS="http://calendarserver.org/ns/">'
    for href, access, summary in sets:
        body += "<CS:set><D:href>%s</D:href>%s<CS:%s/></CS:set>" % (
            href, "<CS:summary>%s</CS:summary>" % summary if summary else "", access)
    for href in removes:
        body += "<CS:remove><D:href>%s</D:href></CS:remove>" % href
    return body + "</CS:share>"


def reply_body(uid, accept, hosturl=None, summary=None, href=None):
    return ("<?xml version='1.0' encoding='UTF-8'?><invite-reply "
            "xmlns='http://calendarserver.org/ns/'>%s<%s/>%s<in-reply-to>%s</in-reply-to>%s"
            "</invite-reply>" % (
                "<href xmlns='DAV:'>%s</href>" % href if href else "",
                "invite-accepted" if accept else "invite-declined",
                "<hosturl><href xmlns='DAV:'>%s</href></hosturl>" % hosturl if hosturl else "",
                uid, "<summary>%s</summary>" % summary if summary else ""))


class SharingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        names = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"]
        for login, name in zip(SECRET_LOGINS, names):
            s.add_user(login, password="pw-" + login, display_name=name)
        s.cli("alias", "add", SECRET_LOGINS[0], "alice@share.example", "--expose")
        s.cli("alias", "add", SECRET_LOGINS[1], "bob@share.example", "--expose")
        s.cli("alias", "add", SECRET_LOGINS[1], PRIVATE_ALIAS)
        s.cli("alias", "add", SECRET_LOGINS[2], "carol@share.example", "--expose")
        s.start()
        users = [User(s, login, s.app_password(login, "tests")) for login in SECRET_LOGINS]
        cls.alice, cls.bob, cls.carol, cls.dave, cls.erin, cls.frank = users
        for u in users:  # first request provisions the homes
            assert u.propfind(u.calendars, propfind_body("D:resourcetype"),
                              {"Depth": "0"}).status == 207

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    # --- helpers ---------------------------------------------------------------
    def mkcal(self, owner, name, displayname=None):
        props = ""
        if displayname:
            props = ("<D:set><D:prop><D:displayname>%s</D:displayname></D:prop></D:set>"
                     % displayname)
        body = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav">%s</C:mkcalendar>' % props)
        r = owner.mkcalendar(owner.calendars + name + "/", body, XML)
        self.assertEqual(r.status, 201, r.text)
        return owner.calendars + name + "/"

    def share(self, owner, coll, sets=(), removes=()):
        return owner.post(coll, share_body(sets, removes), XML)

    def notifications(self, user):
        """[(href, root element)] of the user's notification collection, oldest first."""
        base = user.calendars + "notification/"
        r = user.propfind(base, propfind_body("D:getetag", "CS:notificationtype"),
                          {"Depth": "1"})
        self.assertEqual(r.status, 207, r.text)
        out = []
        for href in sorted(responses(r)):
            if href == base:
                continue
            g = user.get(href)
            self.assertEqual(g.status, 200)
            self.assert_private(g.text)
            out.append((href, g.xml()))
        return out

    def invite_for(self, user, hosturl):
        """The newest invite-notification in user's collection for a collection."""
        for href, root in reversed(self.notifications(user)):
            inv = root.find("CS:invite-notification", NS)
            if inv is not None and inv.find("CS:hosturl/D:href", NS).text == hosturl.rstrip("/"):
                return href, inv
        self.fail("no invitation for %s" % hosturl)

    def accept(self, user, coll, summary=None):
        _, inv = self.invite_for(user, coll)
        uid = inv.find("CS:uid", NS).text
        r = user.post(user.calendars, reply_body(uid, True, coll.rstrip("/"), summary),
                      {"Content-Type": "application/xml; charset=utf-8"})
        self.assertEqual(r.status, 200, r.text)
        # CalendarServer's form: the collection's href without its final '/'
        href = r.xml().find("D:href", NS).text
        self.assertTrue(href.startswith(user.calendars) and not href.endswith("/"), href)
        return href + "/"

    def urn(self, user):
        r = user.propfind(user.principal, propfind_body("C:calendar-user-address-set"),
                          {"Depth": "0"})
        for h in prop(responses(r), user.principal, C + "calendar-user-address-set"):
            if h.text.startswith("urn:uuid:"):
                return h.text
        self.fail("no urn:uuid address")

    def props(self, user, href, *names, depth="0"):
        r = user.propfind(href, propfind_body(*names), {"Depth": depth})
        self.assertEqual(r.status, 207, r.text)
        return responses(r)

    def assert_private(self, text):
        for secret in SECRET_LOGINS + [PRIVATE_ALIAS, "127.0.0.1"]:
            self.assertNotIn(secret, text)

    def event(self, uid, summary="Shared event"):
        return vcal(vevent(uid, ":20270105T100000Z", ":20270105T110000Z", summary=summary))

    def invite_users(self, owner, coll):
        m = self.props(owner, coll, "CS:invite")
        inv = prop(m, coll, CS + "invite")
        self.assertIsNotNone(inv)
        self.assert_private(owner.propfind(coll, propfind_body("CS:invite"),
                                           {"Depth": "0"}).text)
        return {u.find("D:href", NS).text: u for u in inv.findall("CS:user", NS)}


class Protocol(SharingTest):
    def test_invite_accept_write_and_revoke(self):
        coll = self.mkcal(self.alice, "family", "Family")
        r = self.share(self.alice, coll, [("mailto:bob@share.example", "read-write", "Our plans")])
        self.assertEqual(r.status, 200, r.text)

        # the owner's collection now says it is shared; the sharee sees nothing yet
        m = self.props(self.alice, coll, "D:resourcetype", "CS:allowed-sharing-modes")
        self.assertIsNotNone(prop(m, coll, D + "resourcetype").find("CS:shared-owner", NS))
        self.assertEqual(self.bob.propfind(coll, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)
        users = self.invite_users(self.alice, coll)
        bob_urn = self.urn(self.bob)
        self.assertEqual(list(users), [bob_urn])
        self.assertIsNotNone(users[bob_urn].find("CS:invite-noresponse", NS))
        self.assertIsNotNone(users[bob_urn].find("CS:access/CS:read-write", NS))
        self.assertEqual(users[bob_urn].find("CS:common-name", NS).text, "Bob")

        # the invitation names the owner by principal URL and display name only
        href, inv = self.invite_for(self.bob, coll)
        self.assertEqual(inv.get("shared-type"), "calendar")
        self.assertEqual(inv.find("D:href", NS).text, bob_urn)
        self.assertIsNotNone(inv.find("CS:invite-noresponse", NS))
        self.assertEqual(inv.find("CS:organizer/D:href", NS).text, self.alice.principal)
        self.assertEqual(inv.find("CS:organizer/CS:common-name", NS).text, "Alice")
        self.assertEqual(inv.find("CS:summary", NS).text, "Our plans")
        self.assertEqual([c.get("name") for c in inv.find("C:supported-calendar-component-set",
                                                          NS)], ["VEVENT", "VTODO", "VJOURNAL"])
        t = self.props(self.bob, href, "CS:notificationtype")
        ntype = prop(t, href, CS + "notificationtype")
        self.assertEqual(ntype.find("CS:invite-notification", NS).get("shared-type"), "calendar")

        # accepting binds it into bob's home under bob's own name for it
        view = self.accept(self.bob, coll, summary="Alice's family")
        m = self.props(self.bob, view, "D:resourcetype", "D:owner", "D:displayname",
                       "D:current-user-privilege-set", "C:schedule-calendar-transp",
                       "CS:shared-url", "CS:allowed-sharing-modes")
        rt = prop(m, view, D + "resourcetype")
        self.assertIsNotNone(rt.find("CS:shared", NS))
        self.assertIsNotNone(rt.find("C:calendar", NS))
        self.assertEqual(prop(m, view, D + "owner").find("D:href", NS).text, self.alice.principal)
        self.assertEqual(prop(m, view, D + "displayname").text, "Alice's family")
        privs = {p[0].tag for p in prop(m, view, D + "current-user-privilege-set")}
        self.assertTrue({D + "read", D + "write", D + "bind", D + "unbind"} <= privs, privs)
        self.assertNotIn(D + "write-acl", privs)
        self.assertNotIn(D + "all", privs)
        self.assertIsNotNone(prop(m, view, C + "schedule-calendar-transp").find(
            "C:transparent", NS))
        self.assertEqual(prop(m, view, CS + "shared-url").find("D:href", NS).text, coll)
        self.assertEqual(len(prop(m, view, CS + "allowed-sharing-modes")), 0)
        # the owner's name is untouched, and the owner is told
        self.assertEqual(prop(self.props(self.alice, coll, "D:displayname"), coll,
                              D + "displayname").text, "Family")
        users = self.invite_users(self.alice, coll)
        self.assertIsNotNone(users[bob_urn].find("CS:invite-accepted", NS))
        # laid out as CalendarServer's, which Apple's suite compares verbatim
        text = self.alice.propfind(coll, propfind_body("CS:invite"), {"Depth": "0"}).text
        self.assertRegex(text, "\n        <CS:invite>\n          <CS:user>\n"
                               "            <CS:uid>[^<]+</CS:uid>\n"
                               "            <D:href>urn:uuid:[^<]+</D:href>\n")
        self.assertIn("\n            <CS:access>\n              <CS:read-write/>\n"
                      "            </CS:access>\n            <CS:invite-accepted/>\n"
                      "          </CS:user>\n        </CS:invite>\n      </D:prop>\n", text)
        replies = [root.find("CS:invite-reply", NS) for _, root in self.notifications(self.alice)]
        replies = [x for x in replies if x is not None and
                   x.find("CS:hosturl/D:href", NS).text == coll.rstrip("/")]
        self.assertEqual(len(replies), 1)
        self.assertIsNotNone(replies[0].find("CS:invite-accepted", NS))
        self.assertEqual(replies[0].find("CS:common-name", NS).text, "Bob")
        self.assertEqual(replies[0].find("CS:in-reply-to", NS).text, inv.find("CS:uid", NS).text)

        # the sharee's home lists it (Depth 1) as a shared calendar
        m = self.props(self.bob, self.bob.calendars, "D:resourcetype", depth="1")
        self.assertIsNotNone(prop(m, view, D + "resourcetype").find("CS:shared", NS))

        # read-write: bob writes, alice sees it and her ctag/sync-token move
        before = self.props(self.alice, coll, "CS:getctag", "D:sync-token")
        r = self.bob.put(view + "bob.ics", self.event("bob-1"), ICS)
        self.assertEqual(r.status, 201, r.text)
        g = self.alice.get(coll + "bob.ics")
        self.assertEqual(g.status, 200)
        self.assertIn("UID:bob-1", g.text)
        after = self.props(self.alice, coll, "CS:getctag", "D:sync-token")
        for name in (CS + "getctag", D + "sync-token"):
            self.assertNotEqual(prop(before, coll, name).text, prop(after, coll, name).text)
        self.assertEqual(self.bob.delete(view + "bob.ics").status, 204)
        self.assertEqual(self.alice.get(coll + "bob.ics").status, 404)
        self.assertEqual(self.alice.put(coll + "alice.ics", self.event("alice-1"), ICS).status, 201)
        self.assertIn("UID:alice-1", self.bob.get(view + "alice.ics").text)

        # revoking: the view and the access are gone, bob is told
        r = self.share(self.alice, coll, removes=[bob_urn])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.bob.propfind(view, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)
        self.assertEqual(self.bob.get(coll + "alice.ics").status, 404)
        self.assertEqual(self.bob.put(coll + "x.ics", self.event("x"), ICS).status, 404)
        _, inv = self.invite_for(self.bob, coll)
        self.assertIsNotNone(inv.find("CS:invite-deleted", NS))
        self.assertEqual(inv.find("CS:summary", NS).text, "Alice's family")
        self.assertIsNone(prop(self.props(self.alice, coll, "D:resourcetype"), coll,
                               D + "resourcetype").find("CS:shared-owner", NS))
        self.assertEqual(self.alice.get(coll + "alice.ics").status, 200)

    def test_invite_by_urn_uuid(self):
        # the urn:uuid address a principal shows (like its URL, a capability)
        # names the sharee as Apple's clients and CalDAVTester write it; a
        # well-formed but unknown one names nobody
        coll = self.alice.addressbooks + "by-urn/"
        r = self.alice.mkcol(coll, '<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:'
                             'carddav"><D:set><D:prop><D:resourcetype><D:collection/>'
                             '<CR:addressbook/></D:resourcetype></D:prop></D:set></D:mkcol>', XML)
        self.assertEqual(r.status, 201, r.text)
        before = len(self.notifications(self.dave))
        unknown = "urn:uuid:0b1d6c1e-2f6e-4d3a-9a41-6f2c8f0e1234"
        r = self.share(self.alice, coll, sets=[(self.urn(self.dave), "read", "Book"),
                                                (unknown, "read", None)])
        self.assertEqual(r.status, 207, r.text)
        st = {h: list(v) for h, v in responses(r).items()}
        self.assertEqual(st[unknown], [403])
        self.assertEqual(st[self.urn(self.dave)], [424])
        r = self.share(self.alice, coll, sets=[(self.urn(self.dave), "read", "Book")])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(len(self.notifications(self.dave)), before + 1)
        _, inv = self.invite_for(self.dave, coll)
        self.assertEqual(inv.get("shared-type"), "addressbook")
        # an address book's organizer is named by urn:uuid, as CalendarServer does
        self.assertEqual(inv.find("CS:organizer/D:href", NS).text, self.urn(self.alice))

    def test_decline(self):
        coll = self.mkcal(self.alice, "declined", "Declined")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:carol@share.example", "read", "Look")]).status, 200)
        _, inv = self.invite_for(self.carol, coll)
        r = self.carol.post(self.carol.calendars,
                            reply_body(inv.find("CS:uid", NS).text, False, coll.rstrip("/"),
                                       href="mailto:carol@share.example"), XML)
        self.assertEqual(r.status, 204, r.text)
        carol = self.urn(self.carol)
        users = self.invite_users(self.alice, coll)
        self.assertIsNotNone(users[carol].find("CS:invite-declined", NS))
        self.assertEqual(self.carol.propfind(coll, propfind_body("D:displayname"),
                                             {"Depth": "0"}).status, 404)
        m = self.props(self.carol, self.carol.calendars, "D:resourcetype", depth="1")
        self.assertFalse(any(prop(m, h, D + "resourcetype") is not None and
                             prop(m, h, D + "resourcetype").find("CS:shared", NS) is not None
                             for h in m))
        # the owner's reply names carol by the exposed address she used
        replies = [root.find("CS:invite-reply", NS) for _, root in self.notifications(self.alice)]
        mine = [x for x in replies if x is not None and
                x.find("CS:hosturl/D:href", NS).text == coll.rstrip("/")]
        self.assertIsNotNone(mine[0].find("CS:invite-declined", NS))
        self.assertEqual(mine[0].find("D:href", NS).text, "mailto:carol@share.example")
        # inviting again after a decline asks again
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:carol@share.example", "read", "Again")]).status, 200)
        _, inv = self.invite_for(self.carol, coll)
        self.assertIsNotNone(inv.find("CS:invite-noresponse", NS))
        self.assertEqual(inv.find("CS:summary", NS).text, "Again")

    def test_read_only_sharee_gets_403_on_put(self):
        coll = self.mkcal(self.alice, "readonly", "Read only")
        self.assertEqual(self.alice.put(coll + "a.ics", self.event("ro-1"), ICS).status, 201)
        self.assertEqual(self.share(self.alice, coll,
                                    [(self.bob.principal, "read", "Read it")]).status, 200)
        view = self.accept(self.bob, coll)
        self.assertEqual(self.bob.get(view + "a.ics").status, 200)
        for path in (view + "new.ics", view + "a.ics"):
            r = self.bob.put(path, self.event("ro-2"), ICS)
            self.assertEqual(r.status, 403, r.text)
            self.assertIsNotNone(r.xml().find("D:need-privileges", NS), r.text)
        r = self.bob.delete(view + "a.ics")
        self.assertEqual(r.status, 403, r.text)
        m = self.props(self.bob, view, "D:current-user-privilege-set")
        privs = {p[0].tag for p in prop(m, view, D + "current-user-privilege-set")}
        self.assertIn(D + "read", privs)
        self.assertNotIn(D + "write", privs)
        self.assertNotIn(D + "bind", privs)
        # the sharee still names and colours their own view
        r = self.bob.proppatch(view, '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
                               '<D:displayname>Mine</D:displayname></D:prop></D:set>'
                               '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(prop(self.props(self.alice, coll, "D:displayname"), coll,
                              D + "displayname").text, "Read only")
        # a read-only sharee cannot re-share
        r = self.share(self.bob, view, [("mailto:carol@share.example", "read", "x")])
        self.assertEqual(r.status, 403, r.text)
        r = self.share(self.bob, coll, [("mailto:carol@share.example", "read", "x")])
        self.assertEqual(r.status, 403, r.text)

    def test_access_change_and_per_sharee_view(self):
        coll = self.mkcal(self.alice, "upgrade", "Upgrade")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read", "v1")]).status, 200)
        view = self.accept(self.bob, coll)
        self.assertEqual(self.bob.put(view + "u.ics", self.event("up-1"), ICS).status, 403)
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read-write", "v2")]).status,
                         200)
        self.assertEqual(self.bob.put(view + "u.ics", self.event("up-1"), ICS).status, 201)
        users = self.invite_users(self.alice, coll)
        entry = users[self.urn(self.bob)]
        self.assertIsNotNone(entry.find("CS:invite-accepted", NS))
        self.assertIsNotNone(entry.find("CS:access/CS:read-write", NS))
        # sharee's name, colour and order are theirs alone
        r = self.bob.proppatch(view, '<D:propertyupdate xmlns:D="DAV:" '
                               'xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>'
                               '<D:displayname>Bob sees</D:displayname>'
                               '<A:calendar-color>#00FF00FF</A:calendar-color>'
                               '<A:calendar-order>7</A:calendar-order></D:prop></D:set>'
                               '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207, r.text)
        r = self.alice.proppatch(coll, '<D:propertyupdate xmlns:D="DAV:" '
                                 'xmlns:A="http://apple.com/ns/ical/"><D:set><D:prop>'
                                 '<A:calendar-color>#FF0000FF</A:calendar-color></D:prop></D:set>'
                                 '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207, r.text)
        mine = self.props(self.bob, view, "D:displayname", "A:calendar-color", "A:calendar-order")
        theirs = self.props(self.alice, coll, "D:displayname", "A:calendar-color",
                            "A:calendar-order")
        self.assertEqual(prop(mine, view, D + "displayname").text, "Bob sees")
        self.assertEqual(prop(mine, view, A + "calendar-color").text, "#00FF00FF")
        self.assertEqual(prop(mine, view, A + "calendar-order").text, "7")
        self.assertEqual(prop(theirs, coll, D + "displayname").text, "Upgrade")
        self.assertEqual(prop(theirs, coll, A + "calendar-color").text, "#FF0000FF")
        # a new sharee's view has no colour or order until they pick one: the
        # owner's place it among the owner's calendars, not the sharee's
        self.assertEqual(self.share(self.alice, coll,
                                    [(self.urn(self.dave), "read", "v3")]).status, 200)
        daves = self.accept(self.dave, coll)
        m = self.props(self.dave, daves, "A:calendar-color", "D:displayname")
        self.assertIsNone(prop(m, daves, A + "calendar-color"))
        r = self.dave.propfind(daves, '<?xml version="1.0"?><D:propfind xmlns:D="DAV:">'
                                '<D:allprop/></D:propfind>', {"Depth": "0"})
        self.assertNotIn("#FF0000FF", r.text)
        self.assertEqual(prop(theirs, coll, A + "calendar-color").text, "#FF0000FF")
        self.assertIsNone(prop(theirs, coll, A + "calendar-order"))

    def test_sharee_removes_view_only(self):
        coll = self.mkcal(self.alice, "leaving", "Leaving")
        self.assertEqual(self.alice.put(coll + "keep.ics", self.event("keep-1"), ICS).status, 201)
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read-write", "x")]).status, 200)
        view = self.accept(self.bob, coll)
        self.assertEqual(self.bob.delete(view).status, 204)
        self.assertEqual(self.bob.propfind(view, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)
        self.assertEqual(self.alice.get(coll + "keep.ics").status, 200)
        m = self.props(self.alice, coll, "D:displayname")
        self.assertEqual(prop(m, coll, D + "displayname").text, "Leaving")
        users = self.invite_users(self.alice, coll)
        self.assertIsNotNone(users[self.urn(self.bob)].find("CS:invite-declined", NS))

    def test_sharee_removing_view_loses_access_and_owner_is_told(self):
        coll = self.mkcal(self.alice, "left-behind", "Left behind")
        self.assertEqual(self.alice.put(coll + "k.ics", self.event("left-1"), ICS).status, 201)
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read-write", "x")]).status, 200)
        view = self.accept(self.bob, coll)
        self.assertEqual(self.bob.get(coll + "k.ics").status, 200)
        self.assertEqual(self.bob.delete(view).status, 204)
        # no view, and no access through the owner's URL either
        self.assertEqual(self.bob.get(coll + "k.ics").status, 404)
        self.assertEqual(self.bob.put(coll + "b.ics", self.event("left-2"), ICS).status, 404)
        replies = [root.find("CS:invite-reply", NS) for _, root in self.notifications(self.alice)]
        mine = [x for x in replies if x is not None and
                x.find("CS:hosturl/D:href", NS).text == coll.rstrip("/")]
        self.assertIsNotNone(mine[-1].find("CS:invite-declined", NS))

    def test_owner_deleting_shared_collection(self):
        # a pending invitation is withdrawn, an accepted sharee loses the view
        # and is told; a new collection at the same URL is not shared
        coll = self.mkcal(self.alice, "doomed", "Doomed")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read-write", "D"),
                                     ("mailto:carol@share.example", "read", "D")]).status, 200)
        view = self.accept(self.bob, coll)
        self.invite_for(self.carol, coll)
        self.assertEqual(self.alice.delete(coll).status, 204)
        self.assertEqual(self.bob.propfind(view, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)
        _, inv = self.invite_for(self.bob, coll)
        self.assertIsNotNone(inv.find("CS:invite-deleted", NS))
        self.assertFalse([1 for _, root in self.notifications(self.carol)
                          if root.find("CS:invite-notification/CS:hosturl/D:href", NS) is not None
                          and root.find("CS:invite-notification/CS:hosturl/D:href", NS).text ==
                          coll.rstrip("/")])
        again = self.mkcal(self.alice, "doomed", "Reborn")
        self.assertEqual(self.alice.put(again + "n.ics", self.event("reborn-1"), ICS).status, 201)
        for user in (self.bob, self.carol):
            self.assertEqual(user.get(again + "n.ics").status, 404)
        inv = prop(self.props(self.alice, again, "CS:invite"), again, CS + "invite")
        self.assertTrue(inv is None or len(inv) == 0)
        rt = prop(self.props(self.alice, again, "D:resourcetype"), again, D + "resourcetype")
        self.assertIsNone(rt.find("CS:shared-owner", NS))

    def test_overwriting_a_shared_collection_revokes_its_shares(self):
        """Issue 14: a COPY or MOVE over a shared collection takes it as a DELETE does:
        the sharee loses the view and is told; nothing of the old share reaches the new one."""
        for method in ("MOVE", "COPY"):
            coll = self.mkcal(self.alice, "over-%s" % method.lower(), "Overwritten")
            other = self.mkcal(self.alice, "src-%s" % method.lower(), "Source")
            self.assertEqual(self.alice.put(other + "s.ics", self.event("src-%s" % method),
                                            ICS).status, 201)
            self.assertEqual(self.share(self.alice, coll,
                                        [("mailto:bob@share.example", "read-write", "O")]).status,
                             200)
            view = self.accept(self.bob, coll)
            r = self.alice.req(method, other, None, {"Destination": coll, "Overwrite": "T"})
            self.assertEqual(r.status, 204, r.text)
            self.assertEqual(self.bob.propfind(view, None, {"Depth": "0"}).status, 404)
            self.assertEqual(self.bob.get(coll + "s.ics").status, 404)
            _, inv = self.invite_for(self.bob, coll)
            self.assertIsNotNone(inv.find("CS:invite-deleted", NS))
            self.assertEqual(self.alice.get(coll + "s.ics").status, 200)

    def test_shared_calendar_cannot_be_the_default(self):
        # RFC 6638 §9.2: schedule-default-calendar-URL names one of the
        # owner's own calendars; the sharee's view of someone else's is not
        inbox = self.dave.calendars + "inbox/"
        name = C + "schedule-default-calendar-URL"
        default = prop(self.props(self.dave, inbox, "C:schedule-default-calendar-URL"), inbox,
                       name)
        self.assertEqual(default.find("D:href", NS).text, self.dave.calendars + "calendar")
        coll = self.mkcal(self.alice, "not-default", "Not default")
        self.assertEqual(self.share(self.alice, coll,
                                    [(self.urn(self.dave), "read-write", "N")]).status,
                         200)
        view = self.accept(self.dave, coll)

        def set_default(href):
            r = self.dave.proppatch(
                inbox, '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                '<D:set><D:prop><C:schedule-default-calendar-URL><D:href>%s</D:href>'
                '</C:schedule-default-calendar-URL></D:prop></D:set></D:propertyupdate>' % href,
                XML)
            self.assertEqual(r.status, 207, r.text)
            return list(responses(r)[inbox])

        for bad in (view, coll, self.dave.calendars + "nope/", self.dave.calendars + "inbox/"):
            self.assertEqual(set_default(bad), [403], bad)
        own = self.mkcal(self.dave, "dave-own", "Mine")
        self.assertEqual(set_default(own), [200])
        default = prop(self.props(self.dave, inbox, "C:schedule-default-calendar-URL"), inbox,
                       name)
        self.assertEqual(default.find("D:href", NS).text, own.rstrip("/"))
        # once that calendar is gone, the default calendar is the default again
        self.assertEqual(self.dave.delete(own).status, 204)
        default = prop(self.props(self.dave, inbox, "C:schedule-default-calendar-URL"), inbox,
                       name)
        self.assertEqual(default.find("D:href", NS).text, self.dave.calendars + "calendar")

    def test_sharee_syncs_the_view(self):
        # sync-collection on the sharee's view reports the owner's changes
        coll = self.mkcal(self.alice, "synced", "Synced")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read", "S")]).status, 200)
        view = self.accept(self.bob, coll)
        body = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>%s'
                '</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>'
                '</D:sync-collection>')
        r = self.bob.req("REPORT", view, body % "", XML)
        self.assertEqual(r.status, 207, r.text)
        token = r.xml().find("D:sync-token", NS).text
        self.assertEqual(self.alice.put(coll + "s.ics", self.event("sync-1"), ICS).status, 201)
        r = self.bob.req("REPORT", view, body % token, XML)
        self.assertEqual(r.status, 207, r.text)
        self.assertEqual(list(responses(r)), [view + "s.ics"])

    def test_notification_by_bare_uid(self):
        # CalendarServer names a notification "<uid>.xml" and finds it by its
        # uid alone too: clients delete an invitation by the CS:uid in it
        coll = self.mkcal(self.alice, "by-uid", "By uid")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:carol@share.example", "read", "U")]).status, 200)
        href, inv = self.invite_for(self.carol, coll)
        uid = inv.find("CS:uid", NS).text
        self.assertTrue(href.endswith("/" + uid + ".xml"), href)
        bare = self.carol.calendars + "notification/" + uid
        self.assertEqual(self.carol.get(bare).status, 200)
        self.assertEqual(self.carol.delete(bare).status, 204)
        self.assertEqual(self.carol.get(href).status, 404)
        # only a notification collection does this
        self.assertEqual(self.alice.put(coll + "plain.ics", self.event("bare-1"), ICS).status, 201)
        self.assertEqual(self.alice.get(coll + "plain").status, 404)

    def test_invalid_invitations(self):
        coll = self.mkcal(self.alice, "refusals")
        bodies = {}
        for href in ("mailto:nobody@nowhere.example", "mailto:" + PRIVATE_ALIAS,
                     "mailto:alice@share.example", "/principals/aaaaaaaaaaaaaaaaaaaaaaaaaa/"):
            r = self.share(self.alice, coll, [(href, "read", "x"),
                                              ("mailto:bob@share.example", "read", "x")])
            self.assertEqual(r.status, 207, r.text)
            m = responses(r)
            self.assertEqual(list(m[href]), [403])
            self.assertEqual(list(m["mailto:bob@share.example"]), [424])
            # only the href the caller sent comes back
            bodies[href] = r.text.replace(href, "HREF")
            self.assert_private(bodies[href])
        # an address nobody exposed answers exactly like one that does not exist
        self.assertEqual(bodies["mailto:nobody@nowhere.example"],
                         bodies["mailto:" + PRIVATE_ALIAS])
        self.assertEqual(bodies["mailto:nobody@nowhere.example"],
                         bodies["mailto:alice@share.example"])
        # nothing happened
        self.assertEqual(self.alice.propfind(coll, propfind_body("CS:invite"),
                                             {"Depth": "0"}).status, 207)
        self.assertIsNone(prop(self.props(self.alice, coll, "CS:invite"), coll, CS + "invite"))
        for _, root in self.notifications(self.bob):
            inv = root.find("CS:invite-notification", NS)
            self.assertFalse(inv is not None and
                             inv.find("CS:hosturl/D:href", NS).text == coll.rstrip("/"))
        # removing someone who is no sharee is fine
        r = self.share(self.alice, coll, removes=["mailto:nobody@nowhere.example"])
        self.assertEqual(r.status, 200, r.text)
        # malformed requests
        r = self.alice.post(coll, share_body([("mailto:bob@share.example", "bogus", None)]), XML)
        self.assertEqual(r.status, 403)
        self.assertIsNotNone(r.xml().find("CS:valid-request", NS))
        r = self.alice.post(coll, "<x:whatever xmlns:x='urn:x'/>", XML)
        self.assertEqual(r.status, 403)
        r = self.alice.post(self.alice.calendars + "inbox/",
                            share_body([("mailto:bob@share.example", "read", None)]), XML)
        self.assertEqual(r.status, 403)
        r = self.alice.post(self.alice.calendars + "nothing-here/",
                            share_body([("mailto:bob@share.example", "read", None)]), XML)
        self.assertEqual(r.status, 404)
        r = self.bob.post(coll, share_body([("mailto:carol@share.example", "read", None)]), XML)
        self.assertEqual(r.status, 404)

    def test_replies_only_for_ones_own_invitations(self):
        coll = self.mkcal(self.alice, "mine-only")
        self.assertEqual(self.share(self.alice, coll,
                                    [("mailto:bob@share.example", "read", "x")]).status, 200)
        _, inv = self.invite_for(self.bob, coll)
        uid = inv.find("CS:uid", NS).text
        for user, body in ((self.carol, reply_body(uid, True)),
                           (self.bob, reply_body(str(uuid.uuid4()), True)),
                           (self.bob, reply_body("", True))):
            r = user.post(user.calendars, body, XML)
            self.assertEqual(r.status, 403, r.text)
            self.assertIsNotNone(r.xml().find("CS:invalid-share", NS) if user is self.carol or
                                 body.count("<in-reply-to></") == 0 else
                                 r.xml().find("CS:valid-request", NS))
        # replies go to one's own home
        r = self.bob.post(self.bob.calendars + "calendar/", reply_body(uid, True), XML)
        self.assertEqual(r.status, 403)
        # accepting twice gives the same view
        a = self.accept(self.bob, coll)
        b = self.accept(self.bob, coll)
        self.assertEqual(a, b)

    def test_sharees_do_not_see_each_other(self):
        coll = self.mkcal(self.alice, "two-sharees")
        r = self.share(self.alice, coll, [("mailto:bob@share.example", "read", "x"),
                                          ("mailto:carol@share.example", "read", "x")])
        self.assertEqual(r.status, 200, r.text)
        view = self.accept(self.bob, coll)
        self.assertEqual(len(self.invite_users(self.alice, coll)), 2)
        m = self.props(self.bob, view, "CS:invite")
        inv = prop(m, view, CS + "invite")
        self.assertEqual(inv.find("CS:organizer/D:href", NS).text, self.alice.principal)
        self.assertEqual([u.find("D:href", NS).text for u in inv.findall("CS:user", NS)],
                         [self.urn(self.bob)])
        self.assertNotIn(self.urn(self.carol), self.bob.propfind(
            view, propfind_body("CS:invite"), {"Depth": "0"}).text)
        # a sharee sees the owner, but not the other sharee
        self.assertEqual(self.bob.propfind(self.alice.principal, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 207)
        self.assertEqual(self.bob.propfind(self.carol.principal, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)

    def test_feature_discovery(self):
        r = self.alice.options(self.alice.calendars + "calendar/")
        self.assertIn("calendarserver-sharing", r.header("DAV"))
        m = self.props(self.alice, self.alice.calendars, "CS:allowed-sharing-modes", depth="1")
        self.assertIsNotNone(prop(m, self.alice.calendars + "calendar/",
                                  CS + "allowed-sharing-modes").find("CS:can-be-shared", NS))
        self.assertIsNotNone(m[self.alice.calendars + "inbox/"].get(404))
        r = self.alice.proppatch(self.alice.calendars + "calendar/",
                                 '<D:propertyupdate xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:'
                                 'ns:caldav" xmlns:CS="http://calendarserver.org/ns/"><D:set>'
                                 '<D:prop><D:resourcetype><D:collection/><C:calendar/>'
                                 '<CS:shared-owner/></D:resourcetype></D:prop></D:set>'
                                 '</D:propertyupdate>', XML)
        self.assertEqual(r.status, 207)
        self.assertIn(403, responses(r)[self.alice.calendars + "calendar/"])


class Operator(SharingTest):
    def cli_share(self, *args, check=True):
        return self.server.cli("share", *args, check=check)

    def test_cli_share_list_remove(self):
        coll = self.mkcal(self.alice, "team", "Team")
        self.assertEqual(self.alice.put(coll + "t.ics", self.event("team-1"), ICS).status, 201)
        p = self.cli_share("add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/team",
                           "--with", SECRET_LOGINS[3], "--read-write", "--name", "Alice's team")
        line = p.stdout.decode().strip()
        login, view = line.split("\t")
        self.assertEqual(login, SECRET_LOGINS[3])
        self.assertTrue(view.startswith(self.dave.calendars), view)
        # accepted at once: dave sees it under the given name and writes to it
        m = self.props(self.dave, view, "D:displayname", "D:resourcetype")
        self.assertEqual(prop(m, view, D + "displayname").text, "Alice's team")
        self.assertIsNotNone(prop(m, view, D + "resourcetype").find("CS:shared", NS))
        self.assertEqual(self.dave.put(view + "d.ics", self.event("dave-1"), ICS).status, 201)
        self.assertEqual(self.alice.get(coll + "d.ics").status, 200)
        listing = self.cli_share("list", "--owner", SECRET_LOGINS[0]).stdout.decode()
        self.assertRegex(listing, r"calendars/team\s+%s\s+read-write\s+accepted" % SECRET_LOGINS[3])
        listing = self.cli_share("list", "--with", SECRET_LOGINS[3]).stdout.decode()
        self.assertIn("calendars/team", listing)
        users = self.invite_users(self.alice, coll)
        self.assertIsNotNone(users[self.urn(self.dave)].find("CS:invite-accepted", NS))
        # changing the access
        self.cli_share("add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/team",
                       "--with", SECRET_LOGINS[3])
        self.assertEqual(self.dave.put(view + "d2.ics", self.event("dave-2"), ICS).status, 403)
        # removing
        self.cli_share("remove", "--owner", SECRET_LOGINS[0], "--collection", "calendars/team",
                       "--with", SECRET_LOGINS[3])
        self.assertEqual(self.dave.propfind(view, propfind_body("D:displayname"),
                                            {"Depth": "0"}).status, 404)
        self.assertEqual(self.dave.get(coll + "t.ics").status, 404)
        self.assertEqual(self.alice.get(coll + "d.ics").status, 200)
        p = self.cli_share("remove", "--owner", SECRET_LOGINS[0], "--collection",
                           "calendars/team", "--with", SECRET_LOGINS[3], check=False)
        self.assertEqual(p.returncode, 1)

    def test_cli_errors(self):
        cases = [
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/calendar"], 2),
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "files/x", "--with",
              SECRET_LOGINS[1]], 2),
            (["add", "--owner", "no-such-user", "--collection", "calendars/calendar", "--with",
              SECRET_LOGINS[1]], 1),
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/missing", "--with",
              SECRET_LOGINS[1]], 1),
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/calendar", "--with",
              SECRET_LOGINS[0]], 1),
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/inbox", "--with",
              SECRET_LOGINS[1]], 1),
            (["add", "--owner", SECRET_LOGINS[0], "--collection", "calendars/calendar", "--with",
              "group:no-such-group"], 1),
            (["frobnicate"], 2),
            (["list", "--bogus"], 2),
        ]
        for args, code in cases:
            p = self.cli_share(*args, check=False)
            self.assertEqual(p.returncode, code, (args, p.stderr))
            self.assertEqual(len(p.stderr.decode().strip().splitlines()) >= 1, True)
        for sub in ("add", "list", "remove"):
            p = self.cli_share(sub, "--help")
            self.assertIn("usage: veildav share " + sub, p.stdout.decode())

    def test_address_book_share(self):
        book = self.alice.addressbooks + "contacts/"
        r = self.alice.mkcol(book, '<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:'
                             'carddav"><D:set><D:prop><D:resourcetype><D:collection/>'
                             '<CR:addressbook/></D:resourcetype><D:displayname>Contacts'
                             '</D:displayname></D:prop></D:set></D:mkcol>', XML)
        self.assertEqual(r.status, 201, r.text)
        p = self.cli_share("add", "--owner", SECRET_LOGINS[0], "--collection",
                           "addressbooks/contacts", "--with", SECRET_LOGINS[1])
        view = p.stdout.decode().strip().split("\t")[1]
        self.assertTrue(view.startswith(self.bob.addressbooks), view)
        m = self.props(self.bob, view, "D:resourcetype", "D:displayname")
        rt = prop(m, view, D + "resourcetype")
        self.assertIsNotNone(rt.find("{urn:ietf:params:xml:ns:carddav}addressbook", NS))
        self.assertIsNotNone(rt.find("CS:shared", NS))
        self.assertEqual(prop(m, view, D + "displayname").text, "Contacts")
        self.cli_share("remove", "--owner", SECRET_LOGINS[0], "--collection",
                       "addressbooks/contacts", "--with", SECRET_LOGINS[1])
        self.assertEqual(self.bob.propfind(view, propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)


def make_group(server, name, display, members):
    """A group principal with members (logins), made with `veildav group`."""
    url = server.cli("group", "add", name, "--display-name", display).stdout.decode().strip()
    for login in members:
        server.cli("group", "member", "add", name, login)
    return url


class Groups(SharingTest):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.family = make_group(cls.server, "family", "The Family",
                                [SECRET_LOGINS[4], SECRET_LOGINS[5]])

    def test_operator_group_share(self):
        coll = self.mkcal(self.alice, "holidays", "Holidays")
        self.assertEqual(self.alice.put(coll + "h.ics", self.event("hol-1"), ICS).status, 201)
        p = self.server.cli("share", "add", "--owner", SECRET_LOGINS[0], "--collection",
                            "calendars/holidays", "--with", "group:family", "--read-write")
        views = dict(line.split("\t") for line in p.stdout.decode().strip().splitlines())
        self.assertEqual(sorted(views), sorted(SECRET_LOGINS[4:6]))
        for user in (self.erin, self.frank):
            view = views[user.login]
            self.assertEqual(user.get(view + "h.ics").status, 200)
            m = self.props(user, view, "D:displayname")
            self.assertEqual(prop(m, view, D + "displayname").text, "Holidays")
        self.assertEqual(self.erin.put(views[self.erin.login] + "e.ics", self.event("erin-1"),
                                       ICS).status, 201)
        self.assertEqual(self.frank.get(views[self.frank.login] + "e.ics").status, 200)
        # the owner sees the group as one sharee, by its urn and chosen name
        users = self.invite_users(self.alice, coll)
        self.assertEqual(len(users), 1)
        entry = list(users.values())[0]
        self.assertEqual(entry.find("CS:common-name", NS).text, "The Family")
        # a member removing their view keeps the others'
        self.assertEqual(self.frank.delete(views[self.frank.login]).status, 204)
        self.assertEqual(self.erin.get(views[self.erin.login] + "h.ics").status, 200)
        listing = self.server.cli("share", "list", "--owner", SECRET_LOGINS[0]).stdout.decode()
        self.assertIn("group:family", listing)
        self.server.cli("share", "remove", "--owner", SECRET_LOGINS[0], "--collection",
                        "calendars/holidays", "--with", "group:family")
        for user in (self.erin, self.frank):
            self.assertEqual(user.propfind(views[user.login], propfind_body("D:displayname"),
                                           {"Depth": "0"}).status, 404)
            self.assertEqual(user.get(coll + "h.ics").status, 404)
        self.assertEqual(self.alice.get(coll + "e.ics").status, 200)

    def test_protocol_group_share(self):
        coll = self.mkcal(self.alice, "club", "Club")
        r = self.share(self.alice, coll, [(self.family, "read", "Club dates")])
        self.assertEqual(r.status, 200, r.text)
        # each member is invited by name of their own
        for user in (self.erin, self.frank):
            _, inv = self.invite_for(user, coll)
            self.assertEqual(inv.find("D:href", NS).text, self.urn(user))
            self.assertEqual(inv.find("CS:summary", NS).text, "Club dates")
        view = self.accept(self.erin, coll, summary="Erin's club")
        self.assertEqual(prop(self.props(self.erin, view, "D:displayname"), view,
                              D + "displayname").text, "Erin's club")
        self.assertEqual(self.erin.put(view + "x.ics", self.event("club-1"), ICS).status, 403)
        self.share(self.alice, coll, removes=[self.family])
        self.assertEqual(self.erin.propfind(view, propfind_body("D:displayname"),
                                            {"Depth": "0"}).status, 404)
        # frank never accepted: his invitation is withdrawn
        for _, root in self.notifications(self.frank):
            inv = root.find("CS:invite-notification", NS)
            self.assertFalse(inv is not None and
                             inv.find("CS:hosturl/D:href", NS).text == coll.rstrip("/"))

    def test_member_invited_in_person_gets_own_access(self):
        # the group reads; one member, invited in person, writes
        coll = self.mkcal(self.alice, "club-rw", "Club rw")
        self.assertEqual(self.share(self.alice, coll, [(self.family, "read", "Club")]).status,
                         200)
        view = self.accept(self.erin, coll)
        self.assertEqual(self.erin.put(view + "e.ics", self.event("rw-1"), ICS).status, 403)
        self.assertEqual(self.share(self.alice, coll,
                                    [(self.urn(self.erin), "read-write", "Yours")]).status, 200)
        self.assertEqual(self.erin.put(view + "e.ics", self.event("rw-1"), ICS).status, 201)
        self.assertEqual(self.frank.put(coll + "f.ics", self.event("rw-2"), ICS).status, 403)
        users = self.invite_users(self.alice, coll)
        self.assertIsNotNone(users[self.urn(self.erin)].find("CS:access/CS:read-write", NS))
        # removing the group leaves erin's own share
        self.assertEqual(self.share(self.alice, coll, removes=[self.family]).status, 200)
        self.assertEqual(self.erin.get(view + "e.ics").status, 200)
        self.assertEqual(self.frank.get(coll + "e.ics").status, 404)

    def invitations_for(self, user, coll):
        return [(href, root.find("CS:invite-notification", NS))
                for href, root in self.notifications(user)
                if root.find("CS:invite-notification", NS) is not None and
                root.find("CS:invite-notification/CS:hosturl/D:href", NS).text ==
                coll.rstrip("/")]

    def test_second_group_rewrites_the_invitation(self):
        # erin is in both groups: the family reads, the friends write
        friends = make_group(self.server, "friends", "Friends",
                             [SECRET_LOGINS[4], SECRET_LOGINS[3]])
        coll = self.mkcal(self.alice, "trips", "Trips")
        self.assertEqual(self.share(self.alice, coll, [(self.family, "read", "Trips")]).status,
                         200)
        view = self.accept(self.erin, coll)
        [(href, first)] = self.invitations_for(self.erin, coll)
        uid = first.find("CS:uid", NS).text
        self.assertIsNotNone(first.find("CS:access/CS:read", NS))
        self.assertEqual(self.erin.put(view + "e.ics", self.event("trip-1"), ICS).status, 403)

        self.assertEqual(self.share(self.alice, coll,
                                    [(friends, "read-write", "Trips")]).status, 200)
        # one invitation still, rewritten: the higher access, the state erin left it in
        [(href2, again)] = self.invitations_for(self.erin, coll)
        self.assertEqual(href2, href)
        self.assertEqual(again.find("CS:uid", NS).text, uid)
        self.assertIsNotNone(again.find("CS:access/CS:read-write", NS))
        self.assertIsNotNone(again.find("CS:invite-accepted", NS))
        self.assertEqual(self.erin.put(view + "e.ics", self.event("trip-1"), ICS).status, 201)
        # replying to it again changes nothing
        self.assertEqual(self.accept(self.erin, coll), view)
        # dave, only a friend, is invited; frank, only family, still reads
        [(_, dave_inv)] = self.invitations_for(self.dave, coll)
        self.assertIsNotNone(dave_inv.find("CS:invite-noresponse", NS))
        [(_, frank_inv)] = self.invitations_for(self.frank, coll)
        self.assertIsNotNone(frank_inv.find("CS:access/CS:read", NS))

        # the family share goes: erin keeps her view through the friends'
        self.assertEqual(self.share(self.alice, coll, removes=[self.family]).status, 200)
        [(_, moved)] = self.invitations_for(self.erin, coll)
        self.assertNotEqual(moved.find("CS:uid", NS).text, uid)
        self.assertIsNotNone(moved.find("CS:access/CS:read-write", NS))
        self.assertIsNotNone(moved.find("CS:invite-accepted", NS))
        self.assertEqual(self.erin.get(view + "e.ics").status, 200)
        self.assertEqual(self.invitations_for(self.frank, coll), [])
        # and loses it with the friends' share
        self.assertEqual(self.share(self.alice, coll, removes=[friends]).status, 200)
        self.assertEqual(self.erin.propfind(view, propfind_body("D:displayname"),
                                            {"Depth": "0"}).status, 404)
        self.assertEqual(self.erin.get(coll + "e.ics").status, 404)


if __name__ == "__main__":
    unittest.main()

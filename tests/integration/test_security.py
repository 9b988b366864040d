"""Security issue 13: what a sharee, a grantee or a stranger must not be able to
do or learn.  Each test is written from a reproducer found by attacking the
server as a hostile user would: alice shares her calendar read-write and her
tasks read-only with bob (bob sees them as calendar-2/ and tasks-2/); carol is
a third user.  Privileges are decided on the node's own chain of ancestors,
bindings are views (operations on them change only the view), and anything a
caller may not read answers exactly like what does not exist."""
import hashlib
import unittest

from caldav_util import vcal, vevent, vtodo
from veil import NS, Server, User, propfind_body, responses

D = "{DAV:}"
XML = {"Content-Type": "application/xml"}
ICS = {"Content-Type": "text/calendar; charset=utf-8"}


def acl_body(*aces):
    return '<D:acl xmlns:D="DAV:">%s</D:acl>' % "".join(aces)


def grant(principal, privileges="<D:all/>"):
    return ("<D:ace><D:principal>%s</D:principal><D:grant><D:privilege>%s</D:privilege>"
            "</D:grant></D:ace>" % (principal, privileges))


def deny(principal, privileges="<D:read/>"):
    return ("<D:ace><D:principal>%s</D:principal><D:deny><D:privilege>%s</D:privilege>"
            "</D:deny></D:ace>" % (principal, privileges))


def href(user):
    return "<D:href>%s</D:href>" % user.principal


class SecurityTest(unittest.TestCase):
    """A fresh server per class; alice's two shares with bob made by the operator."""

    @classmethod
    def setUpClass(cls):
        s = cls.server = Server()
        for login in ("alice", "bob", "carol"):
            s.add_user(login, password="pw-%s-123456" % login)
        s.start()
        cls.alice, cls.bob, cls.carol = [User(s, login, s.app_password(login, "t"))
                                         for login in ("alice", "bob", "carol")]
        for u in (cls.alice, cls.bob, cls.carol):  # provisions the homes
            assert u.propfind(u.calendars, None, {"Depth": "0"}).status == 207
        s.cli("share", "add", "--owner", "alice", "--collection", "calendars/calendar",
              "--with", "bob", "--read-write")
        s.cli("share", "add", "--owner", "alice", "--collection", "calendars/tasks",
              "--with", "bob")
        cls.a_cal = cls.alice.calendars + "calendar/"
        cls.a_tasks = cls.alice.calendars + "tasks/"
        cls.b_cal = cls.bob.calendars + "calendar-2/"
        cls.b_tasks = cls.bob.calendars + "tasks-2/"

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def put_event(self, user, path, uid=None):
        uid = uid or path.rsplit("/", 1)[-1].split(".")[0]
        body = vcal(vevent(uid, ":20270105T100000Z", ":20270105T110000Z"))
        r = user.put(path, body, ICS)
        self.assertIn(r.status, (201, 204), r.text)
        return r

    def put_task(self, user, path):
        uid = path.rsplit("/", 1)[-1].split(".")[0]
        r = user.put(path, vcal(vtodo(uid)), ICS)
        self.assertIn(r.status, (201, 204), r.text)

    def need(self, r, privilege):
        self.assertEqual(r.status, 403, r.text)
        el = r.xml().find("D:need-privileges/D:resource/D:privilege", NS)
        self.assertIsNotNone(el, r.text)
        self.assertEqual(el[0].tag, D + privilege, r.text)
        return r.xml().find("D:need-privileges/D:resource/D:href", NS).text


class ShareeTakeover(SecurityTest):
    def test_acl_on_own_home_gives_nothing_on_a_shared_calendar(self):
        """Defect 1: bob's ACEs on his own home applied to alice's task through his view."""
        self.put_task(self.alice, self.a_tasks + "t1.ics")
        r = self.bob.req("ACL", self.bob.calendars, acl_body(grant(href(self.bob))), XML)
        self.assertEqual(r.status, 200, r.text)
        self.need(self.bob.delete(self.b_tasks + "t1.ics"), "unbind")
        self.need(self.bob.put(self.b_tasks + "t1.ics", vcal(vtodo("t1")), ICS), "write-content")
        self.need(self.bob.put(self.b_tasks + "t2.ics", vcal(vtodo("t2")), ICS), "bind")
        self.assertEqual(self.alice.get(self.a_tasks + "t1.ics").status, 200)
        self.assertEqual(self.alice.get(self.a_tasks + "t2.ics").status, 404)
        # bob's privileges on the view are those alice's share gave him
        r = self.bob.propfind(self.b_tasks, propfind_body("D:current-user-privilege-set"),
                              {"Depth": "0"})
        privs = {p[0].tag for p in r.xml().findall(".//D:privilege", NS)}
        self.assertIn(D + "read", privs)
        self.assertNotIn(D + "write-content", privs)
        self.assertNotIn(D + "unbind", privs)
        self.assertNotIn(D + "all", privs)

    def test_acl_through_a_view_never_writes_the_owners_node(self):
        """Defect 1: an ACL sent on tasks-2/ wrote ACEs onto alice's node, and carol kept
        DAV:all on alice's tasks after bob's share was revoked."""
        for view in (self.b_tasks, self.b_cal):
            r = self.bob.req("ACL", view, acl_body(grant(href(self.carol))), XML)
            self.need(r, "write-acl")
        self.assertEqual(self.carol.propfind(self.a_tasks, None, {"Depth": "0"}).status, 404)
        self.assertEqual(self.carol.propfind(self.a_cal, None, {"Depth": "0"}).status, 404)
        # alice's ACL lists no ACE of bob's making
        r = self.alice.propfind(self.a_tasks, propfind_body("D:acl"), {"Depth": "0"})
        self.assertNotIn(self.carol.principal, r.text)

    def test_sharee_cannot_delete_the_owners_calendar(self):
        """Defect 2: DELETE /calendars/A/calendar/ by the read-write sharee deleted it.
        DAV:unbind is needed on the parent (RFC 3744 §3.10)."""
        self.put_event(self.alice, self.a_cal + "keep.ics")
        where = self.need(self.bob.delete(self.a_cal), "unbind")
        self.assertEqual(where, self.alice.calendars)
        self.assertEqual(self.alice.get(self.a_cal + "keep.ics").status, 200)
        # a member of the shared calendar is bob's to delete: unbind on alice's calendar
        self.put_event(self.alice, self.a_cal + "gone.ics")
        self.assertEqual(self.bob.delete(self.b_cal + "gone.ics").status, 204)
        self.assertEqual(self.alice.get(self.a_cal + "gone.ics").status, 404)

    def test_move_of_a_view_moves_only_the_view(self):
        """Defect 3: MOVE of bob's view moved alice's calendar into bob's home."""
        self.put_event(self.alice, self.a_cal + "stays.ics")
        mine = self.bob.calendars + "mine/"
        r = self.bob.move(self.b_cal, None, {"Destination": mine})
        self.assertEqual(r.status, 201, r.text)
        try:
            self.assertEqual(self.alice.get(self.a_cal + "stays.ics").status, 200)
            self.assertEqual(self.bob.get(mine + "stays.ics").status, 200)
            self.assertEqual(self.bob.get(self.b_cal + "stays.ics").status, 404)
            # it is still alice's: what bob adds there is in her calendar
            self.put_event(self.bob, mine + "added.ics")
            self.assertEqual(self.alice.get(self.a_cal + "added.ics").status, 200)
            # a view cannot leave the sharee's home
            r = self.bob.move(mine, None, {"Destination": self.bob.files + "stolen/"})
            self.assertEqual(r.status, 403, r.text)
            self.assertEqual(self.bob.propfind(self.bob.files + "stolen/", None,
                                               {"Depth": "0"}).status, 404)
        finally:
            r = self.bob.move(mine, None, {"Destination": self.b_cal})
            self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.alice.get(self.a_cal + "stays.ics").status, 200)

    def test_moved_member_belongs_to_the_calendars_owner(self):
        """Defect 9: bob moved his own event into alice's calendar and kept owning it."""
        self.put_event(self.bob, self.bob.calendars + "calendar/bobev.ics")
        r = self.bob.move(self.bob.calendars + "calendar/bobev.ics", None,
                          {"Destination": self.b_cal + "bobev.ics"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.alice.get(self.a_cal + "bobev.ics").status, 200)
        r = self.alice.propfind(self.a_cal + "bobev.ics", propfind_body("D:owner"),
                                {"Depth": "0"})
        self.assertIn(self.alice.principal, r.text)
        self.assertNotIn(self.bob.principal, r.text)
        # the tasks share can be revoked and bob loses the event along with the calendar
        s = self.server
        s.cli("share", "remove", "--owner", "alice", "--collection", "calendars/calendar",
              "--with", "bob")
        try:
            self.assertEqual(self.bob.get(self.a_cal + "bobev.ics").status, 404)
            r = self.bob.put(self.a_cal + "bobev.ics", vcal(vevent("bobev", ":20270105T100000Z")),
                             ICS)
            self.assertEqual(r.status, 404, r.text)
            self.assertEqual(self.alice.delete(self.a_cal + "bobev.ics").status, 204)
        finally:
            s.cli("share", "add", "--owner", "alice", "--collection", "calendars/calendar",
                  "--with", "bob", "--read-write")
            # the view comes back at its old name
            self.assertEqual(self.bob.propfind(self.b_cal, None, {"Depth": "0"}).status, 207)

    def test_locks_cover_writes_through_a_view(self):
        """Defect 12: alice's depth-infinity lock on her calendar did not cover bob's view."""
        self.put_event(self.alice, self.a_cal + "locked.ics")
        body = ('<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                '<D:locktype><D:write/></D:locktype></D:lockinfo>')
        r = self.alice.req("LOCK", self.a_cal, body, dict(XML, Depth="infinity"))
        self.assertEqual(r.status, 200, r.text)
        token = r.header("Lock-Token")
        try:
            ev = vcal(vevent("viewnew", ":20270105T100000Z", ":20270105T110000Z"))
            for path in (self.a_cal, self.b_cal):
                self.assertEqual(self.bob.put(path + "viewnew.ics", ev, ICS).status, 423)
                self.assertEqual(self.bob.put(path + "locked.ics", ev.replace("viewnew", "locked"),
                                              ICS).status, 423)
                self.assertEqual(self.bob.delete(path + "locked.ics").status, 423)
            # the view shows the lock too
            r = self.bob.propfind(self.b_cal + "locked.ics", propfind_body("D:lockdiscovery"),
                                  {"Depth": "0"})
            self.assertIn("activelock", r.text)
        finally:
            r = self.alice.req("UNLOCK", self.a_cal, None, {"Lock-Token": token})
            self.assertEqual(r.status, 204, r.text)
        self.assertEqual(self.bob.delete(self.b_cal + "locked.ics").status, 204)


class AclChain(SecurityTest):
    def test_deny_beyond_eight_ancestors(self):
        """Defect 8: a deny nine collections down was dropped once eight ACL-bearing
        ancestors had been noted."""
        path = self.alice.files
        for i in range(1, 10):
            path += "d%d/" % i
            self.assertEqual(self.alice.mkcol(path).status, 201)
            if i < 9:
                r = self.alice.req("ACL", path, acl_body(grant(href(self.bob), "<D:read/>")), XML)
                self.assertEqual(r.status, 200, r.text)
        r = self.alice.req("ACL", path, acl_body(deny(href(self.bob))), XML)
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.alice.put(path + "secret.txt", b"secret").status, 201)
        self.assertEqual(self.bob.get(path + "secret.txt").status, 404)
        self.assertEqual(self.bob.propfind(path, None, {"Depth": "0"}).status, 404)
        # a listing of d8 does not show d9 either
        parent = path.rsplit("/", 2)[0] + "/"
        r = self.bob.propfind(parent, propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertEqual(r.status, 207)
        self.assertNotIn("d9", r.text)
        self.assertEqual(self.alice.get(path + "secret.txt").status, 200)

    def test_self_ace_is_refused_on_a_node(self):
        """DAV:self names the principal a principal resource is (RFC 3744 §5.5.1); on a
        collection it could never match, so it is refused instead of silently ignored."""
        path = self.alice.files + "selfish/"
        self.assertEqual(self.alice.mkcol(path).status, 201)
        r = self.alice.req("ACL", path, acl_body(grant("<D:self/>", "<D:read/>")), XML)
        self.assertEqual(r.status, 403, r.text)
        self.assertIsNotNone(r.xml().find("D:allowed-principal", NS), r.text)

    def test_principal_privileges_name_self(self):
        """A principal's own resource grants its principal everything (DAV:self), others
        only what their relationship allows."""
        r = self.bob.propfind(self.bob.principal, propfind_body("D:current-user-privilege-set",
                                                                "D:acl"), {"Depth": "0"})
        self.assertEqual(r.status, 207)
        self.assertIn("write-properties", r.text)
        r = self.alice.propfind(self.bob.principal, propfind_body("D:current-user-privilege-set"),
                                {"Depth": "0"})
        self.assertEqual(r.status, 207)  # related through the share
        self.assertNotIn("write-properties", r.text)


class Existence(SecurityTest):
    """Defect 10 and 11: secondary URLs (Destination, tagged If lists) reveal nothing
    about what the caller may not read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a = cls.alice
        assert a.mkcol(a.files + "private/").status == 201
        cls.diary = b"dear diary, nobody must know"
        assert a.put(a.files + "private/diary.txt", cls.diary).status == 201
        assert cls.bob.put(cls.bob.files + "x.txt", b"bob's").status == 201

    def destinations(self):
        a = self.alice.files
        return [a + "private/diary.txt", a + "private/new.txt", a + "nofolder/x.txt",
                a + "x.txt", a + "private/", "/files/aaaaaaaaaaaaaaaaaaaaaaaaaa/x.txt",
                "/files/aaaaaaaaaaaaaaaaaaaaaaaaaa/"]

    def test_destination_in_anothers_space(self):
        for method in ("COPY", "MOVE"):
            for overwrite in ("F", "T"):
                answers = set()
                for dest in self.destinations():
                    url = "http://127.0.0.1:%d%s" % (self.server.port, dest)
                    r = self.bob.req(method, self.bob.files + "x.txt", None,
                                     {"Destination": url, "Overwrite": overwrite})
                    answers.add((r.status, r.body, r.header("content-type")))
                self.assertEqual(len(answers), 1, (method, overwrite, answers))
                self.assertEqual(answers.pop()[0], 409)
        self.assertEqual(self.alice.get(self.alice.files + "private/diary.txt").body, self.diary)
        self.assertEqual(self.bob.get(self.bob.files + "x.txt").status, 200)

    def test_tagged_if_lists_cannot_probe(self):
        etag = '"%s"' % hashlib.sha256(self.diary).hexdigest()[:40]
        self.assertEqual(self.alice.get(self.alice.files + "private/diary.txt").header("etag"),
                         etag)
        url = "http://127.0.0.1:%d%s" % (self.server.port, self.alice.files + "private/diary.txt")
        answers = set()
        for i, guess in enumerate((etag, '"0000"')):
            r = self.bob.put(self.bob.files + "probe%d.txt" % i, b"p",
                             {"If": "<%s> ([%s])" % (url, guess)})
            answers.add(r.status)
        self.assertEqual(answers, {412})
        # Not [etag] on an existing home, a missing home, a hidden file, a missing file
        answers = set()
        for i, target in enumerate((self.alice.files, "/files/aaaaaaaaaaaaaaaaaaaaaaaaaa/",
                                    self.alice.files + "private/diary.txt",
                                    self.alice.files + "private/nothing.txt",
                                    self.alice.principal, "/principals/aaaaaaaaaaaaaaaaaaaaaaaaaa/")):
            url = "http://127.0.0.1:%d%s" % (self.server.port, target)
            r = self.bob.put(self.bob.files + "not%d.txt" % i, b"p",
                             {"If": '<%s> (Not ["x"])' % url})
            answers.add(r.status)
        self.assertEqual(len(answers), 1, answers)
        # and a lock token of alice's cannot be probed either
        body = ('<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                '<D:locktype><D:write/></D:locktype></D:lockinfo>')
        r = self.alice.req("LOCK", self.alice.files + "private/diary.txt", body, XML)
        self.assertEqual(r.status, 200)
        token = r.header("Lock-Token").strip("<>")
        try:
            url = "http://127.0.0.1:%d%s" % (self.server.port,
                                              self.alice.files + "private/diary.txt")
            a = self.bob.put(self.bob.files + "tok1.txt", b"p", {"If": "<%s> (<%s>)" % (url, token)})
            b = self.bob.put(self.bob.files + "tok2.txt", b"p",
                             {"If": "<%s> (<urn:uuid:00000000-0000-0000-0000-000000000000>)" % url})
            self.assertEqual((a.status, b.status), (412, 412))
        finally:
            self.alice.req("UNLOCK", self.alice.files + "private/diary.txt", None,
                           {"Lock-Token": "<%s>" % token})


class LockNull(SecurityTest):
    def test_lock_of_an_unmapped_url_in_a_calendar(self):
        """A LOCK of an unmapped URL would create an empty member, which a calendar or an
        address book cannot hold (RFC 4791 §5.3.2, RFC 6352 §5.1)."""
        body = ('<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>'
                '<D:locktype><D:write/></D:locktype></D:lockinfo>')
        for coll, pre in ((self.alice.calendars + "calendar/", "valid-calendar-data"),
                          (self.alice.addressbooks + "addressbook/", "valid-address-data")):
            r = self.alice.req("LOCK", coll + "empty.ics", body, XML)
            self.assertEqual(r.status, 403, r.text)
            self.assertEqual(r.xml()[0].tag.split("}")[1], pre)
            self.assertEqual(self.alice.get(coll + "empty.ics").status, 404)
        # in the plain file space it still creates the empty locked resource (RFC 4918 §7.3)
        r = self.alice.req("LOCK", self.alice.files + "lockednull.txt", body, XML)
        self.assertEqual(r.status, 201, r.text)
        self.alice.req("UNLOCK", self.alice.files + "lockednull.txt", None,
                       {"Lock-Token": r.header("Lock-Token")})


if __name__ == "__main__":
    unittest.main()

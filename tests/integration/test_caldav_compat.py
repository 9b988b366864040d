"""What real clients (and Apple's CalDAVTester) send that the RFCs leave loose:
odd data kept, older protocol forms understood, Prefer honoured, UID rules kept."""
import unittest

from caldav_util import C, D, NS_DECL, error_element, hrefs, query, time_range_filter, vcal, vevent
from test_caldav import CalDAVBase
from veil import NS, propfind_body, responses

ICS = {"Content-Type": "text/calendar; charset=utf-8"}


class OddData(CalDAVBase):
    def test_end_of_another_type_or_before_start_is_kept(self):
        cal = self.cal()
        odd = vcal(vevent("odd1", ":20270709T120000Z", end=";VALUE=DATE:20270711"))
        r = self.put(cal + "odd1.ics", odd)
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.alice.get(cal + "odd1.ics").body, odd.encode())
        back = vcal(vevent("odd2", ":20270709T120000Z", end=":20270709T110000Z"))
        self.assertEqual(self.put(cal + "odd2.ics", back).status, 201)
        # an end before the start makes the event a point at its start
        r = self.report(cal, query(time_range_filter("VEVENT", "20270709T115900Z",
                                                     "20270709T120100Z")))
        self.assertIn("odd2.ics", hrefs(r))

    def test_repeating_task_without_dtstart_recurs_at_due(self):
        tasks = self.cal("tasks")
        body = vcal("BEGIN:VTODO\r\nUID:due-only\r\nDTSTAMP:20260101T000000Z\r\n"
                    "DUE:20270104T100000Z\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEND:VTODO\r\n")
        self.assertEqual(self.put(tasks + "due.ics", body).status, 201)
        # the fourth instance is due on the 7th: a range around it finds the task
        r = self.report(tasks, query(time_range_filter("VTODO", "20270107T090000Z",
                                                       "20270107T110000Z")))
        self.assertEqual(hrefs(r), ["due.ics"])
        r = self.report(tasks, query(time_range_filter("VTODO", "20270110T000000Z",
                                                       "20270111T000000Z")))
        self.assertEqual(hrefs(r), [])
        undated = vcal("BEGIN:VTODO\r\nUID:undated\r\nDTSTAMP:20260101T000000Z\r\n"
                       "RRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VTODO\r\n")
        self.assertEqual(self.put(tasks + "undated.ics", undated).status, 201)

    def test_far_future_event_and_lone_override_are_found(self):
        cal = self.cal()
        self.assertEqual(self.put(cal + "far.ics", vcal(vevent(
            "far", ":20360101T150000Z", end=":20360101T160000Z"))).status, 201)
        lone = vcal("BEGIN:VEVENT\r\nUID:lone\r\nDTSTAMP:20260101T000000Z\r\n"
                    "RECURRENCE-ID:20360102T150000Z\r\nDTSTART:20360102T150000Z\r\n"
                    "DURATION:PT1H\r\nEND:VEVENT\r\n")
        self.assertEqual(self.put(cal + "lone.ics", lone).status, 201)
        r = self.report(cal, query(time_range_filter("VEVENT", "20351231T000000Z", None)))
        self.assertEqual(hrefs(r), ["far.ics", "lone.ics"])

    def test_unknown_tzid_is_valid_timezone(self):
        body = vcal(vevent("mars", ";TZID=Mars/Olympus_Mons:20270101T100000"))
        r = self.put(self.cal() + "mars.ics", body)
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "valid-timezone")


class Requests(CalDAVBase):
    def test_mkcalendar_body_labelled_text_calendar(self):
        body = ('<?xml version="1.0" encoding="utf-8"?><C:mkcalendar %s><D:set><D:prop>'
                '<D:displayname>Labelled wrongly</D:displayname></D:prop></D:set>'
                '</C:mkcalendar>' % NS_DECL)
        r = self.alice.mkcalendar(self.cal("wrong-label"), body, ICS)
        self.assertEqual(r.status, 201, r.text)
        # a body that is not XML under a non-XML type stays 415 (RFC 4918 §9.3.1)
        r = self.alice.mkcalendar(self.cal("garbage"), "not xml at all", ICS)
        self.assertEqual(r.status, 415)
        r = self.alice.mkcalendar(self.cal("wrong-label"))
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), D + "resource-must-be-null")

    def test_double_slash_is_one_slash(self):
        r = self.alice.propfind(self.alice.calendars + "/calendar/", propfind_body("D:resourcetype"),
                                {"Depth": "0"})
        self.assertEqual(r.status, 207)

    def test_sync_collection_without_sync_level_takes_depth(self):
        cal = self.cal()
        self.put(cal + "s1.ics", vcal(vevent("s1", ":20270101T100000Z")))
        body = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token/>'
                '<D:prop><D:getetag/></D:prop></D:sync-collection>')
        r = self.report(cal, body, depth="1")
        self.assertEqual(r.status, 207, r.text)
        self.assertIn("s1.ics", hrefs(r))
        self.assertIsNotNone(r.xml().find("D:sync-token", NS))
        # with sync-level, the body decides whatever the Depth (issue 15:
        # tests/integration/test_clients.py)
        lvl = body.replace("<D:prop>", "<D:sync-level>1</D:sync-level><D:prop>")
        self.assertEqual(self.report(cal, lvl, depth="1").status, 207)
        # a Depth that is none of 0, 1, infinity is still a bad request
        self.assertEqual(self.report(cal, lvl, depth="2").status, 400)

    def test_propfind_with_two_modes_is_400(self):
        body = '<D:propfind xmlns:D="DAV:"><D:allprop/><D:propname/></D:propfind>'
        r = self.alice.propfind(self.cal(), body, {"Depth": "0"})
        self.assertEqual(r.status, 400)

    def test_time_range_on_text_property_is_invalid_filter(self):
        f = ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
             '<C:prop-filter name="SUMMARY"><C:time-range start="20270101T000000Z" '
             'end="20270102T000000Z"/></C:prop-filter></C:comp-filter></C:comp-filter>')
        r = self.report(self.cal(), query(f))
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "valid-filter")

    def test_unsupported_calendar_data_type_fails_the_report(self):
        f = '<C:comp-filter name="VCALENDAR"/>'
        r = self.report(self.cal(), query(
            f, props='<C:calendar-data content-type="text/vcalendar" version="2.0"/>'))
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "supported-calendar-data")

    def test_multiget_on_the_home(self):
        self.put(self.cal() + "h1.ics", vcal(vevent("h1", ":20270101T100000Z")))
        body = ('<?xml version="1.0"?><C:calendar-multiget %s><D:prop><D:getetag/></D:prop>'
                '<D:href>%sh1.ics</D:href></C:calendar-multiget>' % (NS_DECL, self.cal()))
        r = self.report(self.alice.calendars, body)
        self.assertEqual(r.status, 207)
        self.assertEqual(hrefs(r), ["h1.ics"])

    def test_expand_uses_the_query_time_zone(self):
        cal = self.cal()
        allday = vcal(vevent("ad", ";VALUE=DATE:20271017", extra="RRULE:FREQ=DAILY;COUNT=2\r\n"))
        self.assertEqual(self.put(cal + "ad.ics", allday).status, 201)
        la = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTIMEZONE\r\n"
              "TZID:LA\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:-0700\r\n"
              "TZOFFSETTO:-0700\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nEND:VCALENDAR\r\n")
        # 06:00-07:00Z on the 18th is still the 17th in a -07:00 zone
        body = ('<?xml version="1.0"?><C:calendar-query %s><D:prop><C:calendar-data>'
                '<C:expand start="20271018T060000Z" end="20271018T070000Z"/></C:calendar-data>'
                '</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                '<C:time-range start="20271018T060000Z" end="20271018T070000Z"/>'
                '</C:comp-filter></C:comp-filter></C:filter><C:timezone>%s</C:timezone>'
                '</C:calendar-query>' % (NS_DECL, la))
        r = self.report(cal, body)
        data = r.xml().find(".//C:calendar-data", NS).text
        self.assertIn("DTSTART;VALUE=DATE:20271017", data)
        self.assertNotIn("20271018", data.split("RECURRENCE-ID")[0])


class Prefer(CalDAVBase):
    def test_put_return_representation(self):
        cal = self.cal()
        body = vcal(vevent("rep", ":20270101T100000Z"))
        r = self.put(cal + "rep.ics", body, {"Prefer": "return=representation"})
        self.assertEqual(r.status, 201)
        self.assertEqual(r.body, body.encode())
        self.assertTrue(r.header("ETag"))
        self.assertEqual(r.header("Content-Location"), cal + "rep.ics")
        self.assertIn("return=representation", r.header("Preference-Applied"))
        body2 = body.replace("SUMMARY:Event", "SUMMARY:Changed")
        r = self.put(cal + "rep.ics", body2, {"Prefer": "return=representation"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, body2.encode())
        # a failed If-Match returns what is there now
        r = self.put(cal + "rep.ics", body, {"Prefer": "return=representation",
                                              "If-Match": '"nope"'})
        self.assertEqual(r.status, 412)
        self.assertEqual(r.body, body2.encode())
        # and without the preference: no body, no Location
        r = self.put(cal + "plain.ics", vcal(vevent("plain", ":20270101T100000Z")))
        self.assertEqual((r.status, r.body, r.header("Location")), (201, b"", None))

    def test_depth_noroot_and_minimal_proppatch(self):
        cal = self.cal()
        self.put(cal + "n1.ics", vcal(vevent("n1", ":20270101T100000Z")))
        r = self.alice.propfind(cal, propfind_body("D:getetag"),
                                {"Depth": "1", "Prefer": "depth-noroot"})
        self.assertNotIn(cal, responses(r))
        self.assertIn(cal + "n1.ics", responses(r))
        self.assertIn("depth-noroot", r.header("Preference-Applied"))
        body = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>Min'
                '</D:displayname></D:prop></D:set></D:propertyupdate>')
        r = self.alice.proppatch(cal, body, {"Prefer": "return=minimal"})
        self.assertEqual((r.status, r.body), (200, b""))


class UidRules(CalDAVBase):
    def test_overwrite_with_another_uid_and_move_within(self):
        cal = self.cal()
        self.assertEqual(self.put(cal + "u1.ics", vcal(vevent("uid-1", ":20270101T100000Z"))).status,
                         201)
        r = self.put(cal + "u1.ics", vcal(vevent("uid-2", ":20270101T100000Z")))
        self.assertEqual(r.status, 409)
        self.assertEqual(error_element(r), C + "no-uid-conflict")
        # MOVE inside the same calendar keeps the UID unique: allowed
        r = self.alice.move(cal + "u1.ics", None, {"Destination": cal + "u1-moved.ics"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.alice.get(cal + "u1-moved.ics").status, 200)


class DefaultCollections(CalDAVBase):
    def test_deleted_defaults_come_back_empty(self):
        book = self.alice.addressbooks + "addressbook/"
        card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:c1\r\nFN:C\r\nEND:VCARD\r\n"
        self.assertEqual(self.alice.put(book + "c1.vcf", card, {"Content-Type": "text/vcard"}).status,
                         201)
        self.assertEqual(self.alice.delete(book).status, 204)
        # the next request finds an empty default address book, as clients expect
        r = self.alice.propfind(book, propfind_body("D:resourcetype"), {"Depth": "1"})
        self.assertEqual(list(responses(r)), [book])
        self.assertEqual(self.alice.delete(self.cal("tasks")).status, 204)
        self.assertEqual(self.alice.propfind(self.cal("tasks"), propfind_body("D:resourcetype"),
                                             {"Depth": "0"}).status, 207)
        # a collection of one's own making stays deleted
        self.assertEqual(self.mkcal("mine").status, 201)
        self.assertEqual(self.alice.delete(self.cal("mine")).status, 204)
        self.assertEqual(self.alice.propfind(self.cal("mine"), propfind_body("D:resourcetype"),
                                             {"Depth": "0"}).status, 404)


class Delegation(CalDAVBase):
    def test_proxy_group_member_set_by_proppatch(self):
        from veil import User
        self.server.add_user("dana", password="dana-password-123")
        dana = User(self.server, "dana", self.server.app_password("dana", "t"))
        body = ('<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:group-member-set>'
                '<D:href>%s</D:href></D:group-member-set></D:prop></D:set></D:propertyupdate>'
                % dana.principal)
        r = self.alice.proppatch(self.alice.principal + "calendar-proxy-write/", body)
        self.assertIn(200, list(responses(r).values())[0])
        # the write delegate may now add to alice's calendar
        ev = vcal(vevent("deleg", ":20270101T100000Z"))
        r = dana.put(self.cal() + "deleg.ics", ev, ICS)
        self.assertEqual(r.status, 201, r.text)
        # but not change who alice's delegates are
        r = dana.proppatch(self.alice.principal + "calendar-proxy-read/", body)
        self.assertEqual(r.status, 403)


if __name__ == "__main__":
    unittest.main()

"""The ingest policy (README "Ingest policy"; ical/ingest.h, vcard/ingest.h) against the real
server: each case is a client's request - its headers and its exact bytes - and what the
server stores.  Valid data comes back byte for byte with the ETag the PUT answered; repaired
data comes back repaired, and its PUT answers without an ETag (RFC 4791 §5.3.4, RFC 6352
§6.3.2.3); what cannot be understood is refused with the RFC's precondition.

Where a request comes from a captured client or a public test suite it says so; the others are
written in the shape the named kind of client produces."""
import re
import unittest

from caldav_util import C, error_element
from veil import ServerTest

CR = "{urn:ietf:params:xml:ns:carddav}"
STAMP = r"\d{8}T\d{6}Z"

# python caldav 1.x: CalendarObjectResource._put
PYCALDAV = {"Content-Type": 'text/calendar; charset="utf-8"', "User-Agent": "python/caldav/1.4.0"}
# CalDAVTester's PUTs
CDT_ICS = {"Content-Type": "text/calendar; charset=utf-8"}
CDT_VCF = {"Content-Type": "text/vcard; charset=utf-8"}
# vdirsyncer 0.19 (dav storage): creation and update
VDIR_NEW_VCF = {"Content-Type": "text/vcard", "If-None-Match": "*"}
VDIR_NEW_ICS = {"Content-Type": "text/calendar", "If-None-Match": "*"}

SERIES = ("BEGIN:VEVENT\r\nSUMMARY:Standup\r\nDTSTART:20270104T090000Z\r\n"
          "DTEND:20270104T091500Z\r\nDTSTAMP:20261220T100000Z\r\n"
          "UID:9a5c7d24-4b1e-11f1-8e0a-0242ac120002\r\nRRULE:FREQ=WEEKLY;COUNT=12\r\n"
          "END:VEVENT\r\n")
EDIT1 = ("BEGIN:VEVENT\r\nSUMMARY:Standup (room 2)\r\nDTSTART:20270111T093000Z\r\n"
         "DTEND:20270111T094500Z\r\nDTSTAMP:20261221T100000Z\r\n"
         "UID:9a5c7d24-4b1e-11f1-8e0a-0242ac120002\r\nRECURRENCE-ID:20270111T090000Z\r\n"
         "END:VEVENT\r\n")
EDIT2 = ("BEGIN:VEVENT\r\nSUMMARY:Standup (room 3)\r\nDTSTART:20270111T100000Z\r\n"
         "DTEND:20270111T101500Z\r\nDTSTAMP:20261222T100000Z\r\n"
         "UID:9a5c7d24-4b1e-11f1-8e0a-0242ac120002\r\nRECURRENCE-ID:20270111T090000Z\r\n"
         "END:VEVENT\r\n")


def pycaldav_cal(*comps):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//python-caldav//caldav//en_DK\r\n" +
            "".join(comps) + "END:VCALENDAR\r\n")


class Calendar(ServerTest):
    config = {"log_level": "debug"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cal = cls.alice.calendars + "calendar/"

    def stored(self, name):
        g = self.alice.get(self.cal + name)
        self.assertEqual(g.status, 200)
        return g

    def assert_as_sent(self, name, body, headers):
        r = self.alice.put(self.cal + name, body, headers)
        self.assertIn(r.status, (201, 204), r.text)
        self.assertTrue(r.header("ETag"), "valid data keeps its strong ETag")
        g = self.stored(name)
        self.assertEqual(g.body, body.encode() if isinstance(body, str) else body)
        self.assertEqual(g.header("ETag"), r.header("ETag"))

    def assert_repaired(self, name, body, headers, want):
        r = self.alice.put(self.cal + name, body, headers)
        self.assertIn(r.status, (201, 204), r.text)
        self.assertIsNone(r.header("ETag"), "RFC 4791 §5.3.4: the stored bytes differ")
        g = self.stored(name)
        if hasattr(want, "pattern"):
            self.assertRegex(g.text, want)
        else:
            self.assertEqual(g.text, want)
        return g

    def test_python_caldav_edits_an_occurrence_twice(self):
        # save_event(), then the first edit of 11 January: the series with one override
        first = pycaldav_cal(SERIES, EDIT1)
        r = self.alice.put(self.cal + "standup.ics", first, PYCALDAV)
        self.assertEqual(r.status, 201, r.text)
        self.assertTrue(r.header("ETag"))
        # the second edit of the same occurrence: the old override is still in the object the
        # library holds, and the edited one is appended
        self.assert_repaired("standup.ics", pycaldav_cal(SERIES, EDIT1, EDIT2), PYCALDAV,
                             pycaldav_cal(SERIES, EDIT2))
        # the edit is what a query sees: the occurrence is at 10:00 now
        body = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
                'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>'
                '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                '<C:time-range start="20270111T100000Z" end="20270111T101000Z"/>'
                '</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')
        r = self.alice.report(self.cal, body, {"Depth": "1", "Content-Type": "application/xml"})
        self.assertIn("standup.ics", r.text)
        # the operator sees which repair, and nothing of the user's data
        log = self.server.server_log()
        self.assertIn("calendar object repaired: override-duplicate", log)
        self.assertNotIn("9a5c7d24", log)
        self.assertNotIn("Standup", log)

    def test_outlook_windows_time_zone_name(self):
        # Outlook-style: a Windows zone name as TZID and no VTIMEZONE for it.  Stored with
        # the IANA zone CLDR's windowsZones gives it, so the meeting stays at 10:00 in
        # Berlin (08:00 UTC in July): a time-range query finds it there and not an hour off.
        sent = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\n"
                "BEGIN:VEVENT\r\nUID:outlook-wtz-1\r\nDTSTAMP:20261201T000000Z\r\n"
                "SUMMARY:Planning\r\n"
                "DTSTART;TZID=W. Europe Standard Time:20270701T100000\r\n"
                "DTEND;TZID=W. Europe Standard Time:20270701T110000\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")
        # (GET gives the zone's VTIMEZONE with it, RFC 7809 §3: a client that did not ask
        # for time zones by reference gets them)
        g = self.assert_repaired("outlook-wtz.ics", sent, CDT_ICS,
                                 re.compile(r"DTSTART;TZID=Europe/Berlin:20270701T100000\r\n"
                                            r"DTEND;TZID=Europe/Berlin:20270701T110000\r\n"))
        self.assertNotIn("Standard Time", g.text)

        def found(start, end):
            body = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" '
                    'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop>'
                    '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                    '<C:time-range start="%s" end="%s"/></C:comp-filter></C:comp-filter>'
                    '</C:filter></C:calendar-query>' % (start, end))
            r = self.alice.report(self.cal, body, {"Depth": "1",
                                                   "Content-Type": "application/xml"})
            self.assertEqual(r.status, 207, r.text)
            return "outlook-wtz.ics" in r.text

        self.assertTrue(found("20270701T080000Z", "20270701T081000Z"))
        self.assertFalse(found("20270701T100000Z", "20270701T110000Z"))  # not read as UTC
        self.assertFalse(found("20270701T070000Z", "20270701T080000Z"))
        self.assertIn("calendar object repaired: windows-tzid", self.server.server_log())
        # a proper VTIMEZONE under the Windows name is stored exactly as sent
        proper = sent.replace(
            "BEGIN:VEVENT", "BEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
            "BEGIN:STANDARD\r\nDTSTART:16011028T030000\r\n"
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\n"
            "TZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
            "DTSTART:16010325T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
            "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
            "BEGIN:VEVENT", 1).replace("outlook-wtz-1", "outlook-wtz-2")
        self.assert_as_sent("outlook-wtz2.ics", proper, CDT_ICS)

    def test_caldavtester_created_leading_space(self):
        # CalDAVTester CalDAV/errors.xml "CREATED leading space - fixed" (errors/47.ics, the
        # year substituted), expected back as errors/48.ics (its TRANSP:OPAQUE is Apple's
        # default, which CalDAVTester filters out)
        sent = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//PYVOBJECT//NONSGML Version 1//EN\n"
                "BEGIN:VEVENT\nUID:cdt-47\nDTSTART;VALUE=DATE:20270427\nDURATION:P1DT\n"
                "CREATED:   51222T205954Z\nDTSTAMP:20051222T205953Z\nSUMMARY:event 1\n"
                "END:VEVENT\nEND:VCALENDAR\n")
        self.assert_repaired("created.ics", sent, CDT_ICS,
                             sent.replace("   51222T", "00051222T").replace("\n", "\r\n"))

    def test_datetime_with_a_leading_space(self):
        # a hand-written export: "DTSTART: 2027..." and a list with blanks after its commas
        sent = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Export//EN\r\nBEGIN:VEVENT\r\n"
                "UID:space-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART: 20270301T100000Z\r\n"
                "RRULE:FREQ=DAILY;COUNT=4\r\nEXDATE:20270302T100000Z, 20270303T100000Z\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")
        self.assert_repaired("space.ics", sent, VDIR_NEW_ICS,
                             sent.replace(": 2027", ":2027").replace(", 2027", ",2027"))

    def test_tzid_on_a_utc_time(self):
        # an exporter that writes its zone name on every time, UTC ones included, and no
        # VTIMEZONE: without the repair the unknown zone is refused (valid-timezone)
        sent = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Exchange export//EN\r\n"
                "BEGIN:VEVENT\r\nUID:tzutc-1\r\nDTSTAMP:20261201T000000Z\r\n"
                "DTSTART;TZID=W. Europe Standard Time:20270301T090000Z\r\n"
                "DTEND;TZID=W. Europe Standard Time:20270301T100000Z\r\nSUMMARY:Call\r\n"
                "END:VEVENT\r\nEND:VCALENDAR\r\n")
        self.assert_repaired("tzutc.ics", sent, CDT_ICS,
                             sent.replace(";TZID=W. Europe Standard Time", ""))
        # a zone nobody knows on a local time: refused (a Windows zone name there is
        # windows-tzid's: test_outlook_windows_time_zone_name)
        r = self.alice.put(self.cal + "tzlocal.ics",
                           sent.replace("0000Z\r\n", "0000\r\n")
                               .replace("W. Europe Standard Time", "Atlantis Standard Time"),
                           CDT_ICS)
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), C + "valid-timezone")

    def test_hand_written_object_with_curl(self):
        # curl -T event.ics (no Content-Type): an editor's LF lines, no VERSION, no PRODID,
        # no DTSTAMP
        sent = ("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:curl-1\nDTSTART:20270301T100000Z\n"
                "SUMMARY:Dentist\nEND:VEVENT\nEND:VCALENDAR\n")
        g = self.assert_repaired(
            "curl.ics", sent, {},
            re.compile(r"\ABEGIN:VCALENDAR\r\nVERSION:2\.0\r\nPRODID:-//Veil//veildav//EN\r\n"
                       r"BEGIN:VEVENT\r\nDTSTAMP:" + STAMP + r"\r\nUID:curl-1\r\n"
                       r"DTSTART:20270301T100000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\n"
                       r"END:VCALENDAR\r\n\Z"))
        # stored once repaired, the object is valid: the same bytes again keep their ETag
        self.assert_as_sent("curl.ics", g.body, CDT_ICS)

    def test_fold_inside_a_character(self):
        # a generator that folds every 75 octets, through "é"
        sent = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Generator//EN\r\nBEGIN:VEVENT\r\n"
                "UID:fold-1\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20270301T100000Z\r\n"
                "SUMMARY:R\xc3\r\n \xa9union\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode("latin-1")
        r = self.alice.put(self.cal + "fold.ics", sent, CDT_ICS)
        self.assertEqual(r.status, 201, r.text)
        self.assertIsNone(r.header("ETag"))
        self.assertEqual(self.stored("fold.ics").body,
                         sent.replace(b"R\xc3\r\n \xa9", b"R\r\n \xc3\xa9"))

    def test_valid_data_is_stored_as_sent(self):
        # Thunderbird-style: a long DESCRIPTION on one line (75 octets is a SHOULD NOT for
        # writers), an X- property with an odd escape, a folded ATTENDEE
        sent = ("BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
                "VERSION:2.0\r\nBEGIN:VEVENT\r\nCREATED:20261201T101010Z\r\n"
                "LAST-MODIFIED:20261201T101010Z\r\nDTSTAMP:20261201T101010Z\r\nUID:tb-1\r\n"
                "SUMMARY:Planning\r\nDTSTART:20270301T100000Z\r\nDTEND:20270301T110000Z\r\n"
                "DESCRIPTION:" + "An agenda that runs on and on without a fold " * 3 + "\r\n"
                "X-MOZ-GENERATION:1\r\nX-NOTE:keep \\\" this\r\n"
                "ATTENDEE;CN=Someone With A Rather Long Name;PARTSTAT=NEEDS-ACTION;ROLE=REQ-P\r\n"
                " ARTICIPANT:mailto:someone@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
        self.assert_as_sent("tb.ics", sent, VDIR_NEW_ICS)

    def test_move_into_a_calendar_arrives_repaired(self):
        # a file uploaded to the plain WebDAV space, then moved into the calendar
        sent = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\nBEGIN:VEVENT\nUID:moved-1\n"
                "DTSTAMP:20261201T000000Z\nDTSTART:20270301T100000Z\nEND:VEVENT\n"
                "END:VCALENDAR\n")
        self.assertEqual(self.alice.put(self.alice.files + "moved.ics", sent,
                                        {"Content-Type": "text/calendar"}).status, 201)
        r = self.alice.move(self.alice.files + "moved.ics",
                            headers={"Destination": self.cal + "moved.ics"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.stored("moved.ics").text, sent.replace("\n", "\r\n"))

    def test_what_cannot_be_understood_is_refused(self):
        two_masters = pycaldav_cal(SERIES, SERIES.replace("Standup", "Other"))
        blank_inside = pycaldav_cal(EDIT1.replace("DTSTART:20270111T", "DTSTART:20270111 T"))
        for name, body, pre in (("two.ics", two_masters, "valid-calendar-object-resource"),
                                ("inside.ics", blank_inside, "valid-calendar-data")):
            r = self.alice.put(self.cal + name, body, PYCALDAV)
            self.assertEqual(r.status, 403, name)
            self.assertEqual(error_element(r), C + pre, r.text)
            self.assertEqual(self.alice.get(self.cal + name).status, 404)


APPLE_GROUP = ("BEGIN:VCARD\r\nVERSION:3.0\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n"
               "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:FCBA0FA3-00B2-4C95-B4EC-4CCC4843F8B1\r\n"
               "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ED7A5AEC-AB19-4CE0-AD6A-2923A3E5C4E1:"
               "ABPerson\r\n"
               "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:FCBA0FA3-00B2-4C95-B4EC-4CCC4843F8B1:"
               "ABPerson\r\n"
               "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:ED7A5AEC-AB19-4CE0-AD6A-2923A3E5C4E1:"
               "ABPerson\r\n"
               "X-ADDRESSBOOKSERVER-MEMBER:user01@example.com\r\n"
               "PRODID:-//Apple Inc.//AddressBook 6.1//EN\r\n"
               "UID:760d9b28-5a13-4880-b7eb-5769e6600fa3\r\nFN:Group\r\nN:Group;;;;\r\n"
               "REV:20120503T194243Z\r\nEND:VCARD\r\n")


class AddressBook(ServerTest):
    config = {"log_level": "debug"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ab = cls.alice.addressbooks + "addressbook/"

    def test_card_with_rev_is_stored_as_sent(self):
        # vdirsyncer uploading a card it read elsewhere (REV, VERSION not first: 3.0 allows it)
        sent = ("BEGIN:VCARD\r\nPRODID:-//Nextcloud Contacts v5.5.3\r\nUID:vdir-1\r\n"
                "FN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nVERSION:3.0\r\n"
                "EMAIL;TYPE=HOME:ada@example.org\r\nREV;VALUE=DATE-AND-OR-TIME:20261130T101500Z\r\n"
                "NOTE:" + "A note long enough to pass seventy-five octets on one line. " * 2 +
                "\r\nEND:VCARD\r\n")
        r = self.alice.put(self.ab + "vdir.vcf", sent, VDIR_NEW_VCF)
        self.assertEqual(r.status, 201, r.text)
        etag = r.header("ETag")
        self.assertTrue(etag, "a card that carries REV answers with its strong ETag")
        g = self.alice.get(self.ab + "vdir.vcf")
        self.assertEqual(g.text, sent)
        self.assertEqual(g.header("ETag"), etag)
        # the next sync sees its own ETag: an update keeps REV as the client wrote it
        upd = sent.replace("20261130T101500Z", "20261201T080000Z")
        r = self.alice.put(self.ab + "vdir.vcf", upd, {"Content-Type": "text/vcard",
                                                       "If-Match": etag})
        self.assertEqual(r.status, 204, r.text)
        self.assertEqual(self.alice.get(self.ab + "vdir.vcf").header("ETag"), r.header("ETag"))

    def test_card_without_rev_gets_one(self):
        sent = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:norev-1\r\nFN:No Rev\r\n"
                "END:VCARD\r\n")
        r = self.alice.put(self.ab + "norev.vcf", sent, VDIR_NEW_VCF)
        self.assertEqual(r.status, 201, r.text)
        self.assertIsNone(r.header("ETag"))
        self.assertRegex(self.alice.get(self.ab + "norev.vcf").text,
                         r"\ABEGIN:VCARD\r\nVERSION:4\.0\r\nUID:urn:uuid:norev-1\r\n"
                         r"FN:No Rev\r\nREV:" + STAMP + r"\r\nEND:VCARD\r\n\Z")
        self.assertIn("vCard repaired: rev-missing", self.server.server_log())

    def test_version_first_in_4_0(self):
        sent = ("BEGIN:VCARD\r\nUID:late-4\r\nFN:Late\r\nVERSION:4.0\r\n"
                "REV:20261201T000000Z\r\nEND:VCARD\r\n")
        r = self.alice.put(self.ab + "late4.vcf", sent, VDIR_NEW_VCF)
        self.assertEqual(r.status, 201)
        self.assertIsNone(r.header("ETag"))
        self.assertEqual(self.alice.get(self.ab + "late4.vcf").text,
                         "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:late-4\r\nFN:Late\r\n"
                         "REV:20261201T000000Z\r\nEND:VCARD\r\n")

    def test_apple_group_with_repeated_members(self):
        # CalDAVTester CardDAV/put.xml "PUT groups / 1" (vcardput/16.vcf, shortened)
        r = self.alice.put(self.ab + "group.vcf", APPLE_GROUP, CDT_VCF)
        self.assertEqual(r.status, 201, r.text)
        self.assertIsNone(r.header("ETag"))
        lines = APPLE_GROUP.split("\r\n")
        want = "\r\n".join(lines[:6] + lines[7:])  # the second ED7A...:ABPerson goes
        self.assertEqual(self.alice.get(self.ab + "group.vcf").text, want)

    def test_bare_lf_in_a_folded_photo(self):
        # CalDAVTester CardDAV/errorcondition.xml "PUT with bad PHOTO property"
        # (verrors/17.vcf): LF breaks inside the folded value, no REV
        sent = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:123.17.vcf\r\n"
                "EMAIL;type=INTERNET;type=WORK;type=pref:john.smith@example.com\r\n"
                "FN:John Smith\r\nN:Smith;John;;;\r\nORG:Example Inc.;Bogus Technologies\r\n"
                "PHOTO;ENCODING=b:\r\n YWFhYWFh\n YWFhYWFh\n YWFhYQ==\r\nEND:VCARD\r\n")
        r = self.alice.put(self.ab + "photo.vcf", sent, CDT_VCF)
        self.assertEqual(r.status, 201, r.text)
        self.assertIsNone(r.header("ETag"))
        self.assertEqual(re.sub(r"REV:" + STAMP + r"\r\n", "",
                                self.alice.get(self.ab + "photo.vcf").text),
                         sent.replace("\n ", "\r\n ").replace("\r\r", "\r"))

    def test_missing_version_is_refused(self):
        # 3.0 or 4.0 would be a guess
        r = self.alice.put(self.ab + "nover.vcf", "BEGIN:VCARD\r\nUID:nv\r\nFN:N\r\nEND:VCARD\r\n",
                           VDIR_NEW_VCF)
        self.assertEqual(r.status, 403)
        self.assertEqual(error_element(r), CR + "valid-address-data")


if __name__ == "__main__":
    unittest.main()

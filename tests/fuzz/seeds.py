#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/: what real clients
send (requests from the integration tests, objects from tests/unit/data),
in each target's input format (see the comment at the top of each
fuzz_<target>.c).  Run it again after changing a format; files it does not
write (the regressions kept from findings, regress-*) are left alone.

    tests/fuzz/seeds.py
"""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, "tests", "unit", "data")

NSD = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" ' \
      'xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/" ' \
      'xmlns:A="http://apple.com/ns/ical/"'
XML = '<?xml version="1.0" encoding="utf-8"?>\n'


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def read(*parts):
    with open(os.path.join(DATA, *parts), "rb") as f:
        return f.read()


# --- fuzz_dav: method, path, headers, body --------------------------------------
METHODS = ["PROPFIND", "PROPPATCH", "REPORT", "LOCK", "UNLOCK", "ACL", "POST", "MKCOL",
           "MKCALENDAR", "PUT", "GET", "DELETE", "COPY", "MOVE", "OPTIONS", "HEAD"]
PATHS = ["/", "/principals/", "/principals/$A/", "/principals/$B/",
         "/principals/$A/calendar-proxy-write/", "/calendars/$A/", "/calendars/$A/calendar/",
         "/calendars/$A/calendar/event.ics", "/calendars/$A/calendar/new.ics",
         "/calendars/$A/tasks/", "/calendars/$A/tasks/todo.ics", "/calendars/$A/inbox/",
         "/calendars/$A/outbox/", "/calendars/$A/notification/", "/calendars/$A/$S/",
         "/calendars/$A/newcal/", "/addressbooks/$A/", "/addressbooks/$A/addressbook/",
         "/addressbooks/$A/addressbook/card.vcf", "/addressbooks/$A/addressbook/new.vcf",
         "/files/$A/", "/files/$A/dir/", "/files/$A/dir/file.txt", "/files/$A/locked.txt",
         "/files/$A/new", "/calendars/$B/", "/calendars/$B/calendar/",
         "/calendars/$B/notification/", "/addressbooks/$B/addressbook/", "/files/$B/",
         "/calendars/$A/calendar/missing/x.ics", "/files/$A/dir"]
BOB, READ_ONLY = 0x10, 0x20


def dav(name, method, path, headers=(), body="", who=0):
    b = bytes([METHODS.index(method) | who, PATHS.index(path)])
    for h in headers:
        b += h.encode() + b"\n"
    b += b"\n" + (body.encode() if isinstance(body, str) else body)
    write("dav", name, b)


EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//iOS 17//EN\r\n"
         "BEGIN:VEVENT\r\nUID:new-1@fuzz\r\nDTSTAMP:20260101T000000Z\r\n"
         "DTSTART;TZID=Europe/Berlin:20260110T090000\r\nDTEND;TZID=Europe/Berlin:20260110T100000\r\n"
         "RRULE:FREQ=DAILY;COUNT=5\r\nSUMMARY:New\r\n"
         "ORGANIZER:mailto:alice@fuzz.example\r\nATTENDEE:mailto:bob@fuzz.example\r\n"
         "END:VEVENT\r\nEND:VCALENDAR\r\n")
BERLIN = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTIMEZONE\r\n"
          "TZID:Europe/Berlin\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
          "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
          "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
          "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
          "END:VTIMEZONE\r\nEND:VCALENDAR\r\n")


def dav_seeds():
    allprop = XML + '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
    dav("propfind-allprop", "PROPFIND", "/calendars/$A/calendar/", ["Depth: 1"], allprop)
    dav("propfind-empty", "PROPFIND", "/files/$A/dir/", ["Depth: infinity"], "")
    dav("propfind-propname", "PROPFIND", "/files/$A/", ["Depth: 1"],
        XML + '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>')
    # Apple's discovery and DAVx5's
    dav("propfind-discovery", "PROPFIND", "/", ["Depth: 0", "Prefer: return=minimal"],
        XML + '<D:propfind %s><D:prop><D:current-user-principal/><D:principal-URL/>'
        '<C:calendar-home-set/><CR:addressbook-home-set/><D:resourcetype/><D:displayname/>'
        '<C:calendar-user-address-set/><C:schedule-inbox-URL/><C:schedule-outbox-URL/>'
        '<D:supported-report-set/><CS:email-address-set/><D:owner/>'
        '<D:current-user-privilege-set/></D:prop></D:propfind>' % NSD)
    dav("propfind-principal", "PROPFIND", "/principals/$A/", ["Depth: 0"],
        XML + '<D:propfind %s><D:prop><D:group-membership/><D:group-member-set/>'
        '<CS:calendar-proxy-read-for/><CS:calendar-proxy-write-for/><D:alternate-URI-set/>'
        '<C:calendar-user-type/><D:acl/><D:principal-collection-set/></D:prop></D:propfind>' % NSD)
    dav("propfind-home", "PROPFIND", "/calendars/$A/", ["Depth: 1", "Brief: t"],
        XML + '<D:propfind %s><D:prop><D:sync-token/><CS:getctag/><A:calendar-color/>'
        '<C:supported-calendar-component-set/><C:calendar-timezone/><CS:invite/>'
        '<CS:shared-url/><C:schedule-calendar-transp/><D:quota-available-bytes/>'
        '<D:lockdiscovery/><D:supportedlock/><D:resource-id/></D:prop></D:propfind>' % NSD)
    dav("propfind-addressbook", "PROPFIND", "/addressbooks/$A/addressbook/", ["Depth: 1"],
        XML + '<D:propfind %s><D:prop><D:getetag/><D:getcontenttype/>'
        '<CR:supported-address-data/><CR:max-resource-size/><D:getlastmodified/>'
        '</D:prop></D:propfind>' % NSD)
    dav("proppatch-dead", "PROPPATCH", "/files/$A/dir/file.txt", [],
        XML + '<D:propertyupdate xmlns:D="DAV:" xmlns:Z="http://example.com/z">'
        '<D:set><D:prop><Z:author xml:lang="en">Ann <Z:b>x</Z:b></Z:author></D:prop></D:set>'
        '<D:remove><D:prop><Z:color/></D:prop></D:remove></D:propertyupdate>')
    dav("proppatch-calendar", "PROPPATCH", "/calendars/$A/calendar/", [],
        XML + '<D:propertyupdate %s><D:set><D:prop><D:displayname>Work</D:displayname>'
        '<A:calendar-color>#FF0000FF</A:calendar-color><A:calendar-order>3</A:calendar-order>'
        '<C:calendar-description>d</C:calendar-description>'
        '<C:calendar-timezone><![CDATA[%s]]></C:calendar-timezone>'
        '<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>'
        '</D:prop></D:set></D:propertyupdate>' % (NSD, BERLIN))
    dav("proppatch-view", "PROPPATCH", "/calendars/$A/$S/", [],
        XML + '<D:propertyupdate %s><D:set><D:prop><D:displayname>Bob\'s</D:displayname>'
        '</D:prop></D:set></D:propertyupdate>' % NSD)
    dav("proppatch-proxy", "PROPPATCH", "/principals/$A/calendar-proxy-write/", [],
        XML + '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:group-member-set>'
        '<D:href>/principals/$B/</D:href></D:group-member-set></D:prop></D:set>'
        '</D:propertyupdate>')
    dav("proppatch-protected", "PROPPATCH", "/files/$A/", [],
        XML + '<D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:getetag>x</D:getetag>'
        '</D:prop></D:set></D:propertyupdate>')
    dav("report-query-expand", "REPORT", "/calendars/$A/calendar/", ["Depth: 1"],
        XML + '<C:calendar-query %s><D:prop><D:getetag/><C:calendar-data>'
        '<C:expand start="20260101T000000Z" end="20260301T000000Z"/></C:calendar-data></D:prop>'
        '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        '<C:time-range start="20260101T000000Z" end="20260201T000000Z"/></C:comp-filter>'
        '</C:comp-filter></C:filter><C:timezone>%s</C:timezone></C:calendar-query>'
        % (NSD, BERLIN.replace("\r\n", "&#13;\n")))
    dav("report-query-text", "REPORT", "/calendars/$A/calendar/", ["Depth: 1"],
        XML + '<C:calendar-query %s><D:prop><C:calendar-data><C:comp name="VCALENDAR">'
        '<C:allprop/><C:comp name="VEVENT"><C:prop name="SUMMARY"/><C:prop name="UID" '
        'novalue="yes"/></C:comp></C:comp><C:limit-recurrence-set start="20260101T000000Z" '
        'end="20260201T000000Z"/></C:calendar-data></D:prop><C:filter>'
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter '
        'name="ATTENDEE"><C:text-match collation="i;ascii-casemap" negate-condition="no">bob'
        '</C:text-match><C:param-filter name="PARTSTAT"><C:text-match>NEEDS</C:text-match>'
        '</C:param-filter></C:prop-filter><C:comp-filter name="VALARM"><C:time-range '
        'start="20260101T000000Z"/></C:comp-filter></C:comp-filter></C:comp-filter>'
        '</C:filter></C:calendar-query>' % NSD)
    dav("report-query-todo", "REPORT", "/calendars/$A/tasks/", ["Depth: 1"],
        XML + '<C:calendar-query %s><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter '
        'name="VCALENDAR"><C:comp-filter name="VTODO"><C:prop-filter name="COMPLETED">'
        '<C:is-not-defined/></C:prop-filter><C:prop-filter name="DUE"><C:time-range '
        'end="20270101T000000Z"/></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>'
        '</C:calendar-query>' % NSD)
    dav("report-multiget", "REPORT", "/calendars/$A/calendar/", ["Depth: 1"],
        XML + '<C:calendar-multiget %s><D:prop><D:getetag/><C:calendar-data/>'
        '<C:schedule-tag/></D:prop><D:href>/calendars/$A/calendar/event.ics</D:href>'
        '<D:href>/calendars/$A/calendar/missing.ics</D:href>'
        '<D:href>/calendars/$A/calendar/event%%2eics</D:href></C:calendar-multiget>' % NSD)
    dav("report-freebusy", "REPORT", "/calendars/$A/calendar/", ["Depth: 1"],
        XML + '<C:free-busy-query %s><C:time-range start="20260101T000000Z" '
        'end="20260301T000000Z"/></C:free-busy-query>' % NSD)
    dav("report-sync", "REPORT", "/calendars/$A/calendar/", ["Depth: 1"],
        XML + '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1'
        '</D:sync-level><D:prop><D:getetag/></D:prop><D:limit><D:nresults>1</D:nresults>'
        '</D:limit></D:sync-collection>')
    dav("report-sync-token", "REPORT", "/calendars/$A/calendar/", ["Depth: 0"],
        XML + '<D:sync-collection xmlns:D="DAV:"><D:sync-token>urn:x-veil:sync:00000000-1'
        '</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>'
        '</D:sync-collection>')
    dav("report-sync-home", "REPORT", "/calendars/$A/", ["Depth: 1"],
        XML + '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>infinite'
        '</D:sync-level><D:prop><D:getetag/><D:displayname/></D:prop></D:sync-collection>')
    dav("report-card-query", "REPORT", "/addressbooks/$A/addressbook/", ["Depth: 1"],
        XML + '<CR:addressbook-query %s><D:prop><D:getetag/><CR:address-data>'
        '<CR:prop name="EMAIL"/><CR:prop name="FN" novalue="yes"/></CR:address-data></D:prop>'
        '<CR:filter test="anyof"><CR:prop-filter name="EMAIL" test="allof"><CR:text-match '
        'collation="i;unicode-casemap" match-type="starts-with">carol</CR:text-match>'
        '<CR:param-filter name="TYPE"><CR:text-match match-type="equals">work</CR:text-match>'
        '</CR:param-filter></CR:prop-filter><CR:prop-filter name="NICKNAME"><CR:is-not-defined/>'
        '</CR:prop-filter></CR:filter><CR:limit><CR:nresults>5</CR:nresults></CR:limit>'
        '</CR:addressbook-query>' % NSD)
    dav("report-card-multiget", "REPORT", "/addressbooks/$A/addressbook/", ["Depth: 1"],
        XML + '<CR:addressbook-multiget %s><D:prop><D:getetag/><CR:address-data '
        'content-type="text/vcard" version="3.0"/></D:prop>'
        '<D:href>/addressbooks/$A/addressbook/card.vcf</D:href></CR:addressbook-multiget>' % NSD)
    dav("report-expand-property", "REPORT", "/principals/$A/", ["Depth: 0"],
        XML + '<D:expand-property xmlns:D="DAV:"><D:property name="calendar-proxy-write-for" '
        'namespace="http://calendarserver.org/ns/"><D:property name="displayname"/>'
        '<D:property name="principal-URL"/><D:property name="calendar-user-address-set" '
        'namespace="urn:ietf:params:xml:ns:caldav"/></D:property><D:property '
        'name="group-membership"><D:property name="group-member-set"/></D:property>'
        '</D:expand-property>')
    dav("report-pps", "REPORT", "/principals/", ["Depth: 0"],
        XML + '<D:principal-property-search %s test="anyof"><D:property-search><D:prop>'
        '<D:displayname/></D:prop><D:match match-type="starts-with">bo</D:match>'
        '</D:property-search><D:property-search><D:prop><C:calendar-user-address-set/>'
        '</D:prop><D:match>mailto:bob@fuzz.example</D:match></D:property-search><D:prop>'
        '<D:displayname/><C:calendar-user-type/></D:prop><D:apply-to-principal-collection-set/>'
        '</D:principal-property-search>' % NSD)
    dav("report-principal-match", "REPORT", "/calendars/$A/", ["Depth: 0"],
        XML + '<D:principal-match xmlns:D="DAV:"><D:self/><D:prop><D:displayname/></D:prop>'
        '</D:principal-match>')
    dav("report-acl-set", "REPORT", "/files/$A/dir/", ["Depth: 0"],
        XML + '<D:acl-principal-prop-set xmlns:D="DAV:"><D:prop><D:displayname/></D:prop>'
        '</D:acl-principal-prop-set>')
    dav("report-search-set", "REPORT", "/principals/", ["Depth: 0"],
        XML + '<D:principal-search-property-set xmlns:D="DAV:"/>')
    lockinfo = (XML + '<D:lockinfo xmlns:D="DAV:"><D:lockscope><D:%s/></D:lockscope>'
                '<D:locktype><D:write/></D:locktype><D:owner><D:href>http://x/~a</D:href>'
                '</D:owner></D:lockinfo>')
    dav("lock-exclusive", "LOCK", "/files/$A/dir/file.txt", ["Timeout: Second-600", "Depth: 0"],
        lockinfo % "exclusive")
    dav("lock-shared-dir", "LOCK", "/files/$A/dir/", ["Timeout: Infinite, Second-4100000000"],
        lockinfo % "shared")
    dav("lock-unmapped", "LOCK", "/files/$A/new", ["Depth: 0"], lockinfo % "exclusive")
    dav("lock-refresh", "LOCK", "/files/$A/locked.txt", ["If: (<$L>)", "Timeout: Second-60"])
    dav("unlock", "UNLOCK", "/files/$A/locked.txt", ["Lock-Token: <$L>"])
    dav("put-locked", "PUT", "/files/$A/locked.txt",
        ["If: </files/$A/locked.txt> (<$L> [\"x\"]) (Not <DAV:no-lock>)"], "new content\n")
    dav("acl", "ACL", "/files/$A/dir/", [],
        XML + '<D:acl xmlns:D="DAV:"><D:ace><D:principal><D:href>/principals/$B/</D:href>'
        '</D:principal><D:grant><D:privilege><D:read/></D:privilege><D:privilege><D:write/>'
        '</D:privilege></D:grant></D:ace><D:ace><D:principal><D:authenticated/></D:principal>'
        '<D:deny><D:privilege><D:write-acl/></D:privilege></D:deny></D:ace><D:ace>'
        '<D:principal><D:property><D:owner/></D:property></D:principal><D:grant>'
        '<D:privilege><D:all/></D:privilege></D:grant></D:ace></D:acl>')
    dav("post-share", "POST", "/calendars/$A/calendar/", ["Content-Type: application/xml"],
        XML + '<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:set>'
        '<D:href>/principals/$B/</D:href><CS:summary>Work</CS:summary><CS:read-write/>'
        '</CS:set><CS:remove><D:href>mailto:carol@fuzz.example</D:href></CS:remove>'
        '</CS:share>')
    dav("post-share-card", "POST", "/addressbooks/$A/addressbook/", [],
        XML + '<CS:share xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><CS:set>'
        '<D:href>mailto:bob@fuzz.example</D:href><CS:read/></CS:set></CS:share>')
    dav("post-invite-reply", "POST", "/calendars/$B/", ["Content-Type: application/xml"],
        XML + "<invite-reply xmlns='http://calendarserver.org/ns/'><href xmlns='DAV:'>"
        "/principals/$A/</href><invite-accepted/><hosturl><href xmlns='DAV:'>"
        "/calendars/$A/calendar</href></hosturl><in-reply-to>x</in-reply-to>"
        "<summary>ok</summary></invite-reply>", who=BOB)
    dav("post-freebusy", "POST", "/calendars/$A/outbox/", ["Content-Type: text/calendar"],
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VFREEBUSY\r\nUID:fb-1\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20260101T000000Z\r\nDTEND:20260201T000000Z\r\n"
        "ORGANIZER:mailto:alice@fuzz.example\r\nATTENDEE:mailto:bob@fuzz.example\r\n"
        "END:VFREEBUSY\r\nEND:VCALENDAR\r\n")
    dav("mkcol-extended", "MKCOL", "/calendars/$A/newcal/", [],
        XML + '<D:mkcol %s><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/>'
        '</D:resourcetype><D:displayname>New</D:displayname>'
        '<C:supported-calendar-component-set><C:comp name="VTODO"/>'
        '</C:supported-calendar-component-set></D:prop></D:set></D:mkcol>' % NSD)
    dav("mkcol-plain", "MKCOL", "/files/$A/new", [], "")
    dav("mkcalendar", "MKCALENDAR", "/calendars/$A/newcal/", [],
        XML + '<C:mkcalendar %s><D:set><D:prop><D:displayname>Cal</D:displayname>'
        '<C:calendar-timezone>%s</C:calendar-timezone><A:calendar-color>#00FF00</A:calendar-color>'
        '<C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/>'
        '</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>'
        % (NSD, BERLIN.replace("\r\n", "\n")))
    dav("put-event", "PUT", "/calendars/$A/calendar/new.ics",
        ["Content-Type: text/calendar; charset=utf-8", "If-None-Match: *"], EVENT)
    dav("put-event-update", "PUT", "/calendars/$A/calendar/event.ics",
        ["Content-Type: text/calendar", "If-Match: \"x\"", "If-Schedule-Tag-Match: \"y\""],
        EVENT.replace("new-1@fuzz", "weekly-1@fuzz"))
    dav("put-card", "PUT", "/addressbooks/$A/addressbook/new.vcf", ["Content-Type: text/vcard"],
        read("vcard", "davx5-4.0.vcf"))
    dav("put-card3", "PUT", "/addressbooks/$A/addressbook/new.vcf",
        ["Content-Type: text/x-vcard"], read("vcard", "apple-3.0-photo.vcf"))
    dav("put-file", "PUT", "/files/$A/new", ["Content-Type: application/octet-stream"],
        b"\x00\x01binary")
    dav("put-schedule", "PUT", "/calendars/$A/calendar/event.ics", ["Schedule-Reply: F"],
        EVENT.replace("new-1@fuzz", "weekly-1@fuzz").replace("ATTENDEE:", "ATTENDEE;PARTSTAT=DECLINED:"),
        who=BOB)
    dav("get-range", "GET", "/files/$A/dir/file.txt", ["Range: bytes=2-5, -3",
                                                       "If-Range: Mon, 01 Jan 2026 00:00:00 GMT"])
    dav("get-event", "GET", "/calendars/$A/calendar/event.ics",
        ["CalDAV-Timezones: F", "If-None-Match: W/\"x\", \"y\""])
    dav("get-card", "GET", "/addressbooks/$A/addressbook/card.vcf",
        ["Accept: text/vcard; version=3.0, text/vcard;q=0.5"])
    dav("get-listing", "GET", "/files/$A/dir/")
    dav("head", "HEAD", "/calendars/$A/calendar/event.ics", ["If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT"])
    dav("delete", "DELETE", "/calendars/$A/calendar/event.ics", ["If-Match: *"])
    dav("delete-locked", "DELETE", "/files/$A/locked.txt", ["If: (<$L>)"])
    dav("delete-view", "DELETE", "/calendars/$A/$S/")
    dav("copy", "COPY", "/files/$A/dir/", ["Destination: http://dav.example/files/$A/copy/",
                                            "Depth: infinity", "Overwrite: F"])
    dav("copy-event", "COPY", "/calendars/$A/calendar/event.ics",
        ["Destination: /calendars/$A/$S/copied.ics"])
    dav("move-event", "MOVE", "/calendars/$A/calendar/event.ics",
        ["Destination: /calendars/$A/tasks/moved.ics", "Overwrite: T"])
    dav("move-view", "MOVE", "/calendars/$A/$S/", ["Destination: /calendars/$A/renamed/"])
    dav("move-file", "MOVE", "/files/$A/dir/file.txt",
        ["Destination: /files/$B/stolen.txt"])
    dav("options", "OPTIONS", "/calendars/$A/calendar/")
    dav("xpath", "PROPFIND", "/", ["X-Path: /files/$A/a%20b%0A%FF/", "Depth: 1"], allprop)
    dav("bob-propfind", "PROPFIND", "/calendars/$A/", ["Depth: 1"], allprop, who=BOB)
    dav("readonly-put", "PUT", "/files/$A/new", [], "x", who=READ_ONLY)
    dav("notification", "PROPFIND", "/calendars/$B/notification/", ["Depth: 1"],
        XML + '<D:propfind %s><D:prop><CS:notificationtype/><D:getetag/></D:prop></D:propfind>'
        % NSD, who=BOB)


# --- fuzz_ical: 3 selector bytes, then the object ----------------------------------
def ical_seeds():
    objs = {}
    for f in sorted(os.listdir(os.path.join(DATA, "ical"))):
        objs[f] = read("ical", f)
    objs["event-recurring"] = EVENT.encode()
    objs["floating-allday"] = (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//x//EN\nBEGIN:VEVENT\nUID:f\n"
        "DTSTART;VALUE=DATE:20260105\nRRULE:FREQ=MONTHLY;BYDAY=1MO,-1FR;BYSETPOS=1\n"
        "EXDATE;VALUE=DATE:20260202\nRDATE;VALUE=DATE:20260301\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:f\nRECURRENCE-ID;VALUE=DATE:20260105\nDTSTART;VALUE=DATE:20260106\n"
        "END:VEVENT\nEND:VCALENDAR\n").encode()
    objs["alarm-journal"] = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VTODO\r\nUID:t\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T090000\r\nDURATION:P1D\r\n"
        "RRULE:FREQ=HOURLY;INTERVAL=5;BYHOUR=9,14;UNTIL=20260301T000000Z\r\n"
        "EXRULE:FREQ=WEEKLY;BYDAY=SA,SU\r\nBEGIN:VALARM\r\nACTION:AUDIO\r\n"
        "TRIGGER;RELATED=END:-PT5M\r\nREPEAT:3\r\nDURATION:PT1M\r\nEND:VALARM\r\n"
        "END:VTODO\r\nEND:VCALENDAR\r\n").encode()
    objs["freebusy"] = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VFREEBUSY\r\nUID:fb\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nDTEND:20260201T000000Z\r\n"
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260102T100000Z/PT1H,20260103T100000Z/20260103T120000Z\r\n"
        "END:VFREEBUSY\r\nEND:VCALENDAR\r\n").encode()
    objs["availability"] = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VAVAILABILITY\r\nUID:av\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nBEGIN:AVAILABLE\r\nUID:a1\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260105T090000Z\r\nDTEND:20260105T170000Z\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nEND:AVAILABLE\r\nEND:VAVAILABILITY\r\n"
        "END:VCALENDAR\r\n").encode()
    objs["repairs"] = (
        "\xef\xbb\xbfBEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:r\nDTSTART: 20260105T100000Z\n"
        "DTEND;TZID=Europe/Berlin:20260105T110000Z\nSUMMARY:caf\xc3\n \xa9\nEND:VEVENT\n"
        "BEGIN:VEVENT\nUID:r\nRECURRENCE-ID:20260105T100000Z\nDTSTART:20260105T100000Z\n"
        "END:VEVENT\nBEGIN:VEVENT\nUID:r\nRECURRENCE-ID:20260105T100000Z\n"
        "DTSTART:20260105T120000Z\nEND:VEVENT\nEND:VCALENDAR").encode("latin-1")
    for i, (name, body) in enumerate(sorted(objs.items())):
        sel = bytes([i % 16, (i * 37) % 256, (i * 11) % 256])
        write("ical", name.replace(".ics", ""), sel + body)


# --- fuzz_vcard: the body ------------------------------------------------------------
def vcard_seeds():
    for f in sorted(os.listdir(os.path.join(DATA, "vcard"))):
        if f.endswith(".vcf"):
            write("vcard", f[:-4], read("vcard", f))
    write("vcard", "two-cards",
          "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nN:;A;;;\r\nitem1.EMAIL;TYPE=INTERNET,pref:a@x\r\n"
          "item1.X-ABLabel:_$!<Other>!$_\r\nADR;TYPE=HOME:;;1 St\\, x;Town;;;\r\n"
          "X-ADDRESSBOOKSERVER-KIND:group\r\nX-ADDRESSBOOKSERVER-MEMBER:urn:uuid:1\r\n"
          "UID:g\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:2\r\nFN:B\r\n"
          "KIND:group\r\nMEMBER:urn:uuid:1\r\nMEMBER:urn:uuid:1\r\nPHOTO:data:image/png;base64,AAAA\r\n"
          "TEL;VALUE=uri;TYPE=\"voice,home\":tel:+1\r\nEND:VCARD\r\n")


# --- fuzz_itip: keys bit, old NUL new ---------------------------------------------------
def itip_event(start, summary, bob_ps, extra="", method=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n%s"
            "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\n"
            "DURATION:PT1H\r\nSUMMARY:%s\r\nORGANIZER;CN=Org:mailto:alice@fuzz.example\r\n"
            "ATTENDEE;PARTSTAT=ACCEPTED:urn:uuid:a11ce\r\n"
            "ATTENDEE;PARTSTAT=%s;RSVP=TRUE:mailto:bob@fuzz.example\r\n"
            "ATTENDEE;SCHEDULE-AGENT=CLIENT:mailto:carol@fuzz.example\r\n%s"
            "END:VEVENT\r\nEND:VCALENDAR\r\n" % (method, start, summary, bob_ps, extra))


def itip_seeds():
    v1 = itip_event("20270105T100000Z", "one", "NEEDS-ACTION")
    v2 = itip_event("20270106T100000Z", "two", "ACCEPTED")
    rec = itip_event("20270105T100000Z", "weekly", "NEEDS-ACTION", "RRULE:FREQ=WEEKLY;COUNT=4\r\n")
    rec2 = rec.replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:u1\r\nDTSTAMP:20260101T000000Z\r\n"
                       "RECURRENCE-ID:20270112T100000Z\r\nDTSTART:20270112T120000Z\r\n"
                       "DURATION:PT1H\r\nORGANIZER:mailto:alice@fuzz.example\r\n"
                       "ATTENDEE;PARTSTAT=DECLINED:mailto:bob@fuzz.example\r\nEND:VEVENT\r\n"
                       "END:VCALENDAR")
    write("itip", "new", b"\x00" + v1.encode())
    write("itip", "change", b"\x01" + v1.encode() + b"\x00" + v2.encode())
    write("itip", "recurring", b"\x01" + rec.encode() + b"\x00" + rec2.encode())
    write("itip", "cancel", b"\x00" + v1.encode() + b"\x00" +
          v1.replace("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@fuzz.example\r\n", "")
          .encode())
    write("itip", "request", b"\x00" + v1.encode() + b"\x00" +
          itip_event("20270105T100000Z", "one", "NEEDS-ACTION", method="METHOD:REQUEST\r\n")
          .encode())
    write("itip", "reply", b"\x01" + v1.encode() + b"\x00" +
          ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
           "UID:u1\r\nDTSTAMP:20260102T000000Z\r\nDTSTART:20270105T100000Z\r\n"
           "ORGANIZER:mailto:alice@fuzz.example\r\nATTENDEE;PARTSTAT=ACCEPTED:"
           "mailto:bob@fuzz.example\r\nREQUEST-STATUS:2.0;Success\r\nEND:VEVENT\r\n"
           "END:VCALENDAR\r\n").encode())
    write("itip", "freebusy", b"\x00" +
          ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REQUEST\r\n"
           "BEGIN:VFREEBUSY\r\nUID:fb-1\r\nDTSTAMP:20260101T000000Z\r\n"
           "DTSTART:20260101T000000Z\r\nDTEND:20260201T000000Z\r\n"
           "ORGANIZER:mailto:alice@fuzz.example\r\nATTENDEE:mailto:bob@fuzz.example\r\n"
           "END:VFREEBUSY\r\nEND:VCALENDAR\r\n").encode())


def small_seeds():
    for i, v in enumerate([
            '(<urn:uuid:181d4fae-7d8c-11d0-a765-00a0c91e6bf2> ["I am an ETag"]) (["I am another ETag"])',
            '<http://www.example.com/specs/> (<urn:uuid:aaa>) (Not <DAV:no-lock> [W/"x"]) '
            '<http://x/y> (<urn:uuid:b>)',
            '</files/a/b> (<opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4>)',
            '(Not <DAV:no-lock>)']):
        write("ifheader", "%d" % i, v)
    for i, v in enumerate(["/calendars/abc/calendar/x%20y.ics", "/files/a/%E2%82%AC/%0A.txt",
                           "//files///a/", "http://dav.example:8443/files/a/b?x=1#f",
                           "/files/a/..%2f/", "https://DAV.example:8443", "/a/b://c/d",
                           "/files/a/%ff%fe raw\xc3\xa9/"]):
        write("uri", "%d" % i, v)
    for i, v in enumerate([b"\x00bytes=0-99", b"\x01bytes=-5, 10-", b"\x02 Bytes = 1-1,,3-4",
                           b"\x03bytes=5-2", b"\x04Second-600, Infinite",
                           b"\x05return=minimal; foo, depth-noroot", b"\x06infinity",
                           b"\x07return=\"representation\""]):
        write("headers", "%d" % i, v)
    import base64
    for i, v in enumerate([b"alice:secret", b"\xc3\xa9l\xc3\xa8ve:pa:ss", b"bob:",
                           b":nologin"]):
        write("auth", "%d" % i, b"Basic " + base64.b64encode(v))
    write("auth", "xff", "192.0.2.7, 10.0.0.1 , ::1")
    for i, v in enumerate(["urn:x-veil:sync:0123abcd-42",
                           "urn:x-veil:sync:0123abcd-7;89abcdef-3,00112233-10.2",
                           "urn:x-veil:sync:0123abcd-0;", "urn:x-veil:sync:0123abcd-+5"]):
        write("synctoken", "%d" % i, v)
    write("config", "default", "\n".join([
        "listen = 127.0.0.1:8008", "realm = Veil", "log_level = info", "threads = 0",
        "require_app_passwords = no", "trusted_proxies = 127.0.0.1 ::1, 10.0.0.0/8",
        "max_body_bytes = 64M", "max_resource_size = 10M", "max_property_bytes = 64k",
        "public_url = https://dav.example.org:8443", "sync_full = yes",
        "# tls_cert = /etc/veildav/cert.pem", "ical_max_expand_steps = 4000000", ""]))


if __name__ == "__main__":
    dav_seeds()
    ical_seeds()
    vcard_seeds()
    itip_seeds()
    small_seeds()

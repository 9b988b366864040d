"""Helpers for CalDAV tests: iCalendar builders and report bodies."""
from veil import NS

C = "{urn:ietf:params:xml:ns:caldav}"
D = "{DAV:}"


def vcal(*components, extra=""):
    body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil tests//EN\r\n" + extra
    for c in components:
        body += c
    return body + "END:VCALENDAR\r\n"


def vevent(uid, start, end=None, summary="Event", extra="", dtstamp="20260101T000000Z"):
    s = "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\n" % (uid, dtstamp)
    s += "DTSTART%s\r\n" % start
    if end:
        s += "DTEND%s\r\n" % end
    s += "SUMMARY:%s\r\n%sEND:VEVENT\r\n" % (summary, extra)
    return s


def vtodo(uid, extra=""):
    return ("BEGIN:VTODO\r\nUID:%s\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Task %s\r\n%s"
            "END:VTODO\r\n" % (uid, uid, extra))


BERLIN = ("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
          "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
          "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
          "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
          "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
          "END:VTIMEZONE\r\n")

NS_DECL = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"'


def query(filter_xml, props="<D:getetag/>", extra=""):
    return ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query %s><D:prop>%s</D:prop>'
            '<C:filter>%s</C:filter>%s</C:calendar-query>' % (NS_DECL, props, filter_xml, extra))


def time_range_filter(comp, start, end, inner=""):
    tr = "<C:time-range"
    if start:
        tr += ' start="%s"' % start
    if end:
        tr += ' end="%s"' % end
    tr += "/>"
    return ('<C:comp-filter name="VCALENDAR"><C:comp-filter name="%s">%s%s</C:comp-filter>'
            '</C:comp-filter>' % (comp, tr, inner))


def hrefs(resp):
    return sorted(r.find("D:href", NS).text.rsplit("/", 1)[-1]
                  for r in resp.xml().findall("D:response", NS)
                  if r.find("D:propstat", NS) is not None)


def error_element(resp):
    """The precondition element of a DAV:error body, as '{ns}name'."""
    root = resp.xml()
    if root.tag != D + "error" or not len(root):
        return None
    return root[0].tag


def collection_items(test, user, coll):
    """{href: body} of the calendar objects in a collection, each read with GET."""
    from veil import propfind_body, responses
    r = user.propfind(coll, propfind_body("D:getetag"), {"Depth": "1"})
    test.assertEqual(r.status, 207, r.text)
    out = {}
    for href in responses(r):
        if href.endswith(".ics"):
            g = user.get(href)
            test.assertEqual(g.status, 200)
            out[href] = g.text
    return out

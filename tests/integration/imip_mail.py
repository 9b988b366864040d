"""Mail messages carrying iTIP, shaped as real mailers send them (iMIP,
RFC 6047), for `veildav deliver`'s tests: the MIME layout, transfer encodings
and header fields of Gmail, Outlook, Apple Mail and Thunderbird invitations
and replies.  Written by hand (CRLF, folded fields, boundaries) rather than
through Python's email package, so the bytes are the ones under test."""
import base64
import quopri


def crlf(s):
    return s.replace("\r\n", "\n").replace("\n", "\r\n")


def b64(data, width=76):
    e = base64.b64encode(data).decode()
    return "\r\n".join(e[i:i + width] for i in range(0, len(e), width))


def qp(text):
    return quopri.encodestring(text.encode()).decode().replace("\r\n", "\n").replace("\n", "\r\n")


# --- iCalendar ---------------------------------------------------------------

def vevent_lines(uid, organizer=None, attendees=(), seq=0, summary="Meeting",
                 start="20270110T100000Z", end="20270110T110000Z", extra=()):
    lines = ["BEGIN:VEVENT", "UID:%s" % uid, "DTSTAMP:20261215T093000Z"]
    if start:
        lines += ["DTSTART:%s" % start, "DTEND:%s" % end]
    if organizer:
        lines.append("ORGANIZER;CN=Org:mailto:%s" % organizer)
    for a in attendees:
        lines.append(a if a.startswith("ATTENDEE") else
                     "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
                     "RSVP=TRUE:mailto:%s" % a)
    lines += ["SEQUENCE:%d" % seq, "SUMMARY:%s" % summary] + list(extra) + ["END:VEVENT"]
    return lines


def calendar(method, events, prodid="-//Google Inc//Google Calendar 70.9054//EN", head=()):
    lines = ["BEGIN:VCALENDAR", "PRODID:%s" % prodid, "VERSION:2.0", "CALSCALE:GREGORIAN",
             "METHOD:%s" % method] + list(head)
    for e in events:
        lines += e
    return "\r\n".join(lines + ["END:VCALENDAR", ""])


def request(uid, organizer, attendees, **kw):
    return calendar("REQUEST", [vevent_lines(uid, organizer, attendees, **kw)])


def cancel(uid, organizer, attendees, seq=1):
    return calendar("CANCEL", [vevent_lines(uid, organizer, attendees, seq=seq,
                                            extra=["STATUS:CANCELLED"])])


def reply(uid, attendee, partstat="ACCEPTED", organizer=None, prodid=None):
    ev = vevent_lines(uid, organizer, ["ATTENDEE;PARTSTAT=%s;CN=Them:mailto:%s"
                                       % (partstat, attendee)])
    return calendar("REPLY", [ev], prodid=prodid or "-//Google Inc//Google Calendar 70.9054//EN")


def outlook_reply(uid, attendee, partstat="ACCEPTED"):
    """Outlook/Exchange answers without ORGANIZER (and with its own properties)."""
    return crlf("""BEGIN:VCALENDAR
METHOD:REPLY
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VEVENT
ATTENDEE;PARTSTAT=%s;CN=Carla Diaz:mailto:%s
COMMENT;LANGUAGE=en-US:\\n
UID:%s
SUMMARY;LANGUAGE=en-US:Accepted: Review
DTSTART:20270113T090000Z
DTEND:20270113T100000Z
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20261216T080000Z
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:0
X-MICROSOFT-CDO-APPT-SEQUENCE:0
X-MICROSOFT-CDO-OWNER-CRITICAL-CHANGE:20261216T080000Z
END:VEVENT
END:VCALENDAR
""" % (partstat, attendee, uid))


def outlook_request(uid, organizer, attendee, summary="Budget"):
    """Exchange's REQUEST: a Windows time zone name with its VTIMEZONE, an alarm."""
    return crlf("""BEGIN:VCALENDAR
METHOD:REQUEST
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
ORGANIZER;CN=J\u00fcrgen M\u00fcller:mailto:%s
ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Bob:mailto:%s
DESCRIPTION;LANGUAGE=de-DE:Besprechung \u00fcber das Budget\\n
UID:%s
SUMMARY;LANGUAGE=de-DE:%s
DTSTART;TZID=W. Europe Standard Time:20270112T140000
DTEND;TZID=W. Europe Standard Time:20270112T150000
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20261215T101500Z
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:0
X-MICROSOFT-CDO-APPT-SEQUENCE:0
X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE
BEGIN:VALARM
DESCRIPTION:REMINDER
TRIGGER;RELATED=START:-PT15M
ACTION:DISPLAY
END:VALARM
END:VEVENT
END:VCALENDAR
""" % (organizer, attendee, uid, summary))


# --- messages ------------------------------------------------------------------

def method_of(cal):
    """The METHOD the calendar says (for Content-Type), REQUEST when none."""
    found = [l[7:] for l in cal.split("\r\n") if l.startswith("METHOD:")]
    return found[0] if found else "REQUEST"


def auth_field(authserv_id, results):
    return "Authentication-Results: %s;\r\n\t%s\r\n" % (authserv_id, ";\r\n\t".join(results))


def gmail(cal, sender, to, auth=""):
    """multipart/mixed > multipart/alternative (text/plain and text/html in
    quoted-printable, text/calendar 7bit with method) + invite.ics in base64."""
    method = method_of(cal)
    return (crlf("Received: from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])\n"
                 "        by mx.veil.example (Postfix) with ESMTPS id 4XyZ1;\n"
                 "        Tue, 15 Dec 2026 09:30:01 +0000 (UTC)\n") + auth + crlf(
        """MIME-Version: 1.0
Sender: Google Calendar <calendar-notification@google.com>
Message-ID: <calendar-1b2c3d4e@google.com>
Date: Tue, 15 Dec 2026 09:30:00 +0000
Subject: Invitation: Meeting @ Sun 10 Jan 2027 10am - 11am (UTC) (%(to)s)
From: =?UTF-8?Q?Ana_Lima?= <%(sender)s>
To: %(to)s
Content-Type: multipart/mixed; boundary="000000000000f2e5a0061d5f3a01"

--000000000000f2e5a0061d5f3a01
Content-Type: multipart/alternative; boundary="000000000000f2e59f061d5f3a00"

--000000000000f2e59f061d5f3a00
Content-Type: text/plain; charset="UTF-8"; format=flowed; delsp=yes
Content-Transfer-Encoding: quoted-printable

%(plain)s
--000000000000f2e59f061d5f3a00
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<p>You have been invited =E2=80=93 Meeting</p>

--000000000000f2e59f061d5f3a00
Content-Type: text/calendar; charset="UTF-8"; method=%(method)s
Content-Transfer-Encoding: 7bit

""" % {"sender": sender, "to": to, "method": method,
       "plain": qp("You have been invited to the following event \u2013 Meeting\n")})
        + cal + crlf("""
--000000000000f2e59f061d5f3a00--

--000000000000f2e5a0061d5f3a01
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

""") + b64(cal.encode()) + crlf("""
--000000000000f2e5a0061d5f3a01--
""")).encode()


def outlook(cal, sender, to, auth=""):
    """multipart/alternative, ISO-8859-1 text in quoted-printable, the
    calendar in base64 with method= in Content-Type."""
    method = method_of(cal)
    bnd = "_000_DB9PR83MB0123456789ABCDEF0123456789ABDB9PR83MB0123EURP_"
    return (auth + crlf("""From: =?iso-8859-1?Q?J=FCrgen_M=FCller?= <%(sender)s>
To: Bob <%(to)s>
Subject: Budget
Thread-Topic: Budget
Date: Tue, 15 Dec 2026 10:15:00 +0000
Message-ID:
 <DB9PR83MB0123456789ABCDEF0123456789AB@DB9PR83MB0123.EURPRD83.prod.outlook.com>
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
Content-Type: multipart/alternative;
\tboundary="%(bnd)s"
MIME-Version: 1.0

--%(bnd)s
Content-Type: text/plain; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable

Besprechung =FCber das Budget

--%(bnd)s
Content-Type: text/calendar; charset="utf-8"; method=%(method)s
Content-Transfer-Encoding: base64

""" % {"sender": sender, "to": to, "bnd": bnd, "method": method}) + b64(cal.encode())
            + crlf("""

--%s--
""" % bnd)).encode()


def outlook_whole(cal, sender, to, auth=""):
    """Exchange's reply: the message itself is text/calendar, in base64."""
    return (auth + crlf("""From: Carla Diaz <%s>
To: %s
Subject: Accepted: Review
Date: Wed, 16 Dec 2026 08:00:00 +0000
Content-Type: text/calendar; charset="utf-8"; method=REPLY
Content-Transfer-Encoding: base64
MIME-Version: 1.0

""" % (sender, to)) + b64(cal.encode()) + "\r\n").encode()


def apple(cal, sender, to, auth=""):
    """Apple Mail: parameters on folded lines, the calendar quoted-printable."""
    bnd = "Apple-Mail=_8E3F4A1B-2C3D-4E5F-8A9B-0C1D2E3F4A5B"
    return (auth + crlf("""From: =?utf-8?Q?=C3=89lodie_Martin?= <%(sender)s>
Content-Type: multipart/alternative;
\tboundary="%(bnd)s"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))
Subject: Invitation
To: %(to)s

--%(bnd)s
Content-Transfer-Encoding: quoted-printable
Content-Type: text/plain;
\tcharset=utf-8

Caf=C3=A9

--%(bnd)s
Content-Transfer-Encoding: quoted-printable
Content-Type: text/calendar;
\tcharset=utf-8;
\tmethod=REQUEST;
\tname=invite.ics

""" % {"sender": sender, "to": to, "bnd": bnd}) + qp(cal) + crlf("""
--%s--
""" % bnd)).encode()


def plain(text, sender, to):
    return crlf("From: %s\nTo: %s\nSubject: hello\nContent-Type: text/plain\n\n%s\n"
                % (sender, to, text)).encode()

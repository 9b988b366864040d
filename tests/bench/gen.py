"""Seeded generator of realistic calendar and contact data for the benchmark,
with a reference computation of which events a time range must return.

Events: timed events in Europe/Berlin (half with a VTIMEZONE, half by
reference, RFC 7809), all-day and floating events, weekly series with COUNT or
UNTIL, EXDATEs and an overridden instance, attendees and alarms.  Tasks.
vCards 3.0 and 4.0 with photos, groups and long UTF-8 lines.

Every instance is placed on a Tuesday, Wednesday or Thursday between 08:00
and 18:00 local time, and the query windows start and end on Mondays at 00:00
UTC, so the expected result does not depend on how a server reads floating
or all-day times (any zone within ±14 h gives the same answer)."""
import base64
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
EPOCH = date(2027, 1, 4)           # a Monday; data spans two years from here
SPAN_WEEKS = 104

VTIMEZONE_BERLIN = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n")

WORDS = ("Planning", "Review", "Lunch", "Dentist", "Standup", "Budget", "Café", "Überblick",
         "Réunion", "Yoga", "Training", "1:1", "Workshop", "Call", "Geburtstag", "Kickoff")
NAMES = ("Zoë", "Jürgen", "Anaïs", "Björn", "Łukasz", "Søren", "Maëlle", "Ömer", "Chloé",
         "José", "Ingrid", "Nikolaj", "Amélie", "Dmitri", "Aoife", "Kenji")


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def fmt_utc(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


class Event:
    """One calendar object and the UTC spans of its instances."""

    def __init__(self, name, text, spans):
        self.name, self.text, self.spans = name, text, spans

    def overlaps(self, start, end):
        return any(a < end and b > start for a, b in self.spans)


def _slot(rng):
    """A Tuesday-Thursday day offset and an hour between 08:00 and 17:00."""
    week = rng.randrange(SPAN_WEEKS)
    day = EPOCH + timedelta(weeks=week, days=rng.choice((1, 2, 3)))
    return day, rng.randrange(8, 17), rng.choice((0, 15, 30))


def _attendees(rng):
    out = ""
    for _ in range(rng.choice((0, 0, 1, 2, 5))):
        n = rng.choice(NAMES)
        out += ("ATTENDEE;CN=%s;PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT:mailto:%s@example.org\r\n"
                % (n, n.encode("ascii", "ignore").decode().lower() or "x"))
    if out:
        out = "ORGANIZER;CN=Bench:mailto:bench@example.org\r\n" + out
    return out


def _alarm(rng):
    if rng.random() < 0.5:
        return ("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n"
                "TRIGGER:-PT%dM\r\nEND:VALARM\r\n" % rng.choice((5, 10, 15, 30)))
    return ""


def make_event(rng, i):
    uid = "bench-ev-%06d@veil.test" % i
    kind = rng.random()
    day, hour, minute = _slot(rng)
    summary = "%s %s" % (rng.choice(WORDS), rng.choice(NAMES))
    stamp = "DTSTAMP:20260101T000000Z\r\n"
    tz_block = ""
    extra = _attendees(rng) + _alarm(rng)
    comps = []
    spans = []
    if kind < 0.10:  # all-day, one or two days
        days = rng.choice((1, 1, 2))
        end = day + timedelta(days=days)
        comps.append("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n"
                     "SUMMARY:%s\r\nTRANSP:TRANSPARENT\r\n%sEND:VEVENT\r\n"
                     % (uid, stamp, day.strftime("%Y%m%d"), end.strftime("%Y%m%d"), summary, extra))
        # as UTC midnight-to-midnight; windows on Monday 00:00 make the zone irrelevant
        spans.append((datetime(day.year, day.month, day.day, tzinfo=UTC),
                      datetime(end.year, end.month, end.day, tzinfo=UTC)))
    elif kind < 0.15:  # floating
        start = datetime(day.year, day.month, day.day, hour, minute)
        comps.append("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART:%s\r\nDURATION:PT1H\r\nSUMMARY:%s\r\n"
                     "%sEND:VEVENT\r\n" % (uid, stamp, fmt_local(start), summary, extra))
        s = start.replace(tzinfo=UTC)
        spans.append((s, s + timedelta(hours=1)))
    else:
        with_vtz = rng.random() < 0.5  # else by reference (RFC 7809)
        if with_vtz:
            tz_block = VTIMEZONE_BERLIN
        start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
        length = timedelta(minutes=rng.choice((30, 45, 60, 90)))
        if kind < 0.40:  # a weekly series on the same weekday
            count = rng.choice((4, 8, 13, 26, 52))
            starts = [start + timedelta(weeks=k) for k in range(count)]
            starts = [s.replace(tzinfo=BERLIN) for s in starts]  # same local time across DST
            rule = "RRULE:FREQ=WEEKLY;COUNT=%d\r\n" % count
            if rng.random() < 0.3:
                until = starts[-1]
                rule = "RRULE:FREQ=WEEKLY;UNTIL=%s\r\n" % fmt_utc(until)
            ex = ""
            if count > 4 and rng.random() < 0.5:
                k = rng.randrange(1, count)
                ex = "EXDATE;TZID=Europe/Berlin:%s\r\n" % fmt_local(starts[k])
                starts = starts[:k] + starts[k + 1:]
            comps.append("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART;TZID=Europe/Berlin:%s\r\n"
                         "DTEND;TZID=Europe/Berlin:%s\r\n%s%sSUMMARY:%s\r\n%sEND:VEVENT\r\n"
                         % (uid, stamp, fmt_local(start), fmt_local(start + length), rule, ex,
                            summary, extra))
            spans += [(s.astimezone(UTC), (s + length).astimezone(UTC)) for s in starts]
            if len(starts) > 2 and rng.random() < 0.4:  # one instance moved by an hour
                k = rng.randrange(1, len(starts))
                rid = starts[k]
                moved = rid + timedelta(hours=1)
                comps.append("BEGIN:VEVENT\r\nUID:%s\r\n%sRECURRENCE-ID;TZID=Europe/Berlin:%s\r\n"
                             "DTSTART;TZID=Europe/Berlin:%s\r\nDTEND;TZID=Europe/Berlin:%s\r\n"
                             "SUMMARY:%s (moved)\r\nEND:VEVENT\r\n"
                             % (uid, stamp, fmt_local(rid), fmt_local(moved),
                                fmt_local(moved + length), summary))
                spans[k] = (moved.astimezone(UTC), (moved + length).astimezone(UTC))
        else:
            comps.append("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART;TZID=Europe/Berlin:%s\r\n"
                         "DTEND;TZID=Europe/Berlin:%s\r\nSUMMARY:%s\r\nLOCATION:Raum %d\r\n"
                         "%sEND:VEVENT\r\n" % (uid, stamp, fmt_local(start),
                                               fmt_local(start + length), summary,
                                               rng.randrange(100), extra))
            spans.append((start.astimezone(UTC), (start + length).astimezone(UTC)))
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil bench//EN\r\n" + tz_block +
            "".join(comps) + "END:VCALENDAR\r\n")
    return Event("ev%06d.ics" % i, text, spans)


def make_task(rng, i):
    day, hour, _ = _slot(rng)
    due = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    status = rng.choice(("NEEDS-ACTION", "NEEDS-ACTION", "IN-PROCESS", "COMPLETED"))
    done = "COMPLETED:%s\r\n" % fmt_utc(due) if status == "COMPLETED" else ""
    return ("td%06d.ics" % i,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil bench//EN\r\nBEGIN:VTODO\r\n"
            "UID:bench-td-%06d@veil.test\r\nDTSTAMP:20260101T000000Z\r\nDUE:%s\r\n"
            "SUMMARY:%s\r\nSTATUS:%s\r\n%sPRIORITY:%d\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
            % (i, fmt_utc(due), rng.choice(WORDS), status, done, rng.randrange(10)))


def _fold(line):
    """RFC 6350 §3.2 folding at 75 octets without splitting UTF-8 sequences."""
    raw = line.encode("utf-8")
    out, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        limit = 75 if not out else 74
        if len(cur) + len(b) > limit:
            out.append(cur)
            cur = b""
        cur += b
    out.append(cur)
    del raw
    return b"\r\n ".join(out).decode("utf-8")


PHOTO = base64.b64encode(bytes(range(256)) * 8).decode()  # 2 KiB


def make_card(rng, i):
    given, family = rng.choice(NAMES), rng.choice(NAMES) + "sson"
    email = "%s.%d@%s" % (given.encode("ascii", "ignore").decode().lower() or "p", i,
                          rng.choice(("example.org", "mail.example", "firma.example")))
    uid = "bench-card-%06d" % i
    if i % 20 == 19:  # an Apple-style group
        members = "".join("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:bench-card-%06d\r\n" % (i - k)
                          for k in range(1, 6))
        return ("c%06d.vcf" % i, email,
                "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:Group %d\r\nN:Group %d;;;;\r\n"
                "X-ADDRESSBOOKSERVER-KIND:group\r\n%sEND:VCARD\r\n" % (uid, i, i, members))
    note = _fold("NOTE:" + ("Notiz für %s – très longue ligne avec des caractères accentués, "
                            "ääöüß, 日本語のテキスト, " % given) * rng.choice((1, 2, 4)))
    photo = ""
    if rng.random() < 0.2:
        photo = _fold("PHOTO;ENCODING=b;TYPE=JPEG:" + PHOTO) + "\r\n"
    if rng.random() < 0.5:
        body = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n"
                "item1.EMAIL;type=INTERNET;type=pref:%s\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n"
                "TEL;type=CELL:+49 151 %07d\r\n%s%s\r\nEND:VCARD\r\n"
                % (uid, given, family, family, given, email, i, photo, note))
    else:
        body = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n"
                "EMAIL;TYPE=work:%s\r\nTEL;TYPE=cell;VALUE=uri:tel:+49-151-%07d\r\n%s%s\r\n"
                "END:VCARD\r\n" % (uid, given, family, family, given, email, i, photo, note))
    return "c%06d.vcf" % i, email, body


def dataset(n, seed=2026):
    """(events, tasks, cards) for N objects per collection; deterministic."""
    rng = random.Random(seed)
    events = [make_event(rng, i) for i in range(n)]
    tasks = [make_task(rng, i) for i in range(max(1, n // 10))]
    cards = [make_card(rng, i) for i in range(n)]
    return events, tasks, cards


def windows():
    """(label, start, end): one week and one year, Monday 00:00 UTC to Monday 00:00 UTC."""
    wk = datetime(2027, 6, 7, tzinfo=UTC)
    yr = datetime(2027, 1, 4, tzinfo=UTC)
    return [("week", wk, wk + timedelta(weeks=1)), ("year", yr, yr + timedelta(weeks=52))]

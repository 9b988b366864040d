"""Seeded generator of realistic calendar and contact data for the benchmark,
with the reference answer to every time-range query it asks.

Events span five years (2024-2028) like a calendar with history, in three
time zones (each object either carries its VTIMEZONE or names the zone by
reference, RFC 7809): single timed events, events without an end, all-day and
floating events, weekly, daily-on-workdays and monthly series bounded by
COUNT or UNTIL, open-ended weekly series and yearly all-day anniversaries,
EXDATEs, overridden instances (moved, some into another week), attendees and
alarms.  Tasks with due dates, alarms, categories, subtasks and a few weekly
repeats.  vCards 3.0 and 4.0 with photos, several e-mail addresses, long
folded UTF-8 lines, and groups in both Apple's and RFC 6350's form.

The reference (`Event.overlaps`) expands every object itself, in UTC, with the
RFC 4791 §9.9 rules.  Floating and all-day times depend on the zone a server
reads them in, so no floating or all-day instance is placed within 14 hours of
a query window's edge: any reading gives the same answer.  Only the standard
library is used, so every server gets byte-identical objects for a seed."""
import base64
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
FIRST_DAY = date(2024, 1, 1)          # a Monday; the data covers 260 weeks from here
WEEKS = 260
HORIZON = datetime(2029, 1, 1, tzinfo=UTC)   # instances after this are never asked about
SLACK = timedelta(hours=14)            # furthest any zone is from UTC


def windows():
    """(label, start, end) of the calendar-query time ranges, in UTC."""
    wk = datetime(2027, 6, 7, tzinfo=UTC)
    yr = datetime(2027, 1, 4, tzinfo=UTC)
    return [("week", wk, wk + timedelta(weeks=1)), ("year", yr, yr + timedelta(weeks=52))]


EDGES = sorted({t for _l, s, e in windows() for t in (s, e)})

ZONES = {
    "Europe/Berlin": ("+0100", "+0200", "CET", "CEST",
                      "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "19700329T020000",
                      "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "19701025T030000"),
    "America/New_York": ("-0500", "-0400", "EST", "EDT",
                         "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "20070311T020000",
                         "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "20071104T020000"),
    "Asia/Tokyo": ("+0900", None, "JST", None, None, None, None, None),
}
TZINFO = {name: ZoneInfo(name) for name in ZONES}


def vtimezone(tzid):
    std, dst, stdname, dstname, dstrule, dststart, stdrule, stdstart = ZONES[tzid]
    if dst is None:
        return ("BEGIN:VTIMEZONE\r\nTZID:%s\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:%s\r\n"
                "TZOFFSETTO:%s\r\nTZNAME:%s\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n"
                "END:VTIMEZONE\r\n" % (tzid, std, std, stdname))
    return ("BEGIN:VTIMEZONE\r\nTZID:%s\r\n"
            "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nTZNAME:%s\r\n"
            "DTSTART:%s\r\nRRULE:%s\r\nEND:DAYLIGHT\r\n"
            "BEGIN:STANDARD\r\nTZOFFSETFROM:%s\r\nTZOFFSETTO:%s\r\nTZNAME:%s\r\n"
            "DTSTART:%s\r\nRRULE:%s\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
            % (tzid, std, dst, dstname, dststart, dstrule, dst, std, stdname, stdstart, stdrule))


WORDS = ("Planning", "Review", "Lunch", "Dentist", "Standup", "Budget", "Café", "Überblick",
         "Réunion", "Yoga", "Training", "1:1", "Workshop", "Call", "Geburtstag", "Kickoff",
         "Retro", "Sprechstunde", "Präsentation", "Déjeuner", "Elternabend", "会議")
NAMES = ("Zoë", "Jürgen", "Anaïs", "Björn", "Łukasz", "Søren", "Maëlle", "Ömer", "Chloé",
         "José", "Ingrid", "Nikolaj", "Amélie", "Dmitri", "Aoife", "Kenji")
FAMILIES = ("Müller", "Nørgaard", "Dubois", "Kowalski", "García", "Öztürk", "Svensson",
            "Yamada", "O'Brien", "Lefèvre", "Schäfer", "Novák")
DOMAINS = ("example.org", "mail.example", "firma.example", "uni.example")


def ascii_name(s):
    """A mailbox-safe form of a name: 'Zoë' -> 'zoe', "O'Brien" -> 'obrien'."""
    plain = {"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "ë": "e", "ï": "i",
             "ç": "c", "ø": "o", "å": "a", "ł": "l", "ñ": "n", "á": "a", "ó": "o", "ú": "u",
             "í": "i", "š": "s", "ž": "z", "č": "c", "ř": "r", "ě": "e", "ů": "u", "ý": "y"}
    return "".join(c for c in "".join(plain.get(c, c) for c in s.lower())
                   if c.isascii() and c.isalnum())


def fmt_local(dt):
    return dt.strftime("%Y%m%dT%H%M%S")


def fmt_utc(dt):
    return dt.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fmt_date(d):
    return d.strftime("%Y%m%d")


def _epoch(dt):
    return int(dt.timestamp())


class Event:
    """One calendar object and the UTC spans of its instances (epoch seconds;
    instances after HORIZON are left out, no window reaches them)."""

    def __init__(self, name, text, spans):
        self.name, self.text, self.spans = name, text, spans

    def overlaps(self, start, end):
        """RFC 4791 §9.9: a zero-length instance overlaps when it starts inside
        [start, end); one with a duration when it starts before end and ends
        after start."""
        s0, e0 = _epoch(start), _epoch(end)
        for a, b in self.spans:
            if (s0 <= a < e0) if a == b else (a < e0 and b > s0):
                return True
        return False


def near_edge(spans_dt):
    """Does any (naive-as-UTC) span come within SLACK of a window edge?"""
    for a, b in spans_dt:
        for edge in EDGES:
            if a - SLACK <= edge <= b + SLACK:
                return True
    return False


def _day(rng, weekdays=(0, 1, 2, 3, 4)):
    while True:
        d = FIRST_DAY + timedelta(days=rng.randrange(WEEKS * 7))
        if d.weekday() in weekdays:
            return d


def _attendees(rng):
    k = rng.choice((0, 0, 0, 1, 2, 3, 8))
    if not k:
        return ""
    out = "ORGANIZER;CN=Bench User:mailto:bench@example.org\r\n"
    for _ in range(k):
        g, f = rng.choice(NAMES), rng.choice(FAMILIES)
        out += fold("ATTENDEE;CN=\"%s %s\";CUTYPE=INDIVIDUAL;PARTSTAT=%s;ROLE=REQ-PARTICIPANT;"
                    "RSVP=TRUE:mailto:%s.%s@%s"
                    % (g, f, rng.choice(("NEEDS-ACTION", "ACCEPTED", "DECLINED", "TENTATIVE")),
                       ascii_name(g), ascii_name(f), rng.choice(DOMAINS))) + "\r\n"
    return out


def _alarm(rng):
    if rng.random() < 0.6:
        return ("BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\n"
                "TRIGGER:-PT%dM\r\nX-WR-ALARMUID:%08x\r\nEND:VALARM\r\n"
                % (rng.choice((5, 10, 15, 30, 60)), rng.getrandbits(32)))
    return ""


def _describe(rng):
    if rng.random() < 0.3:
        return fold("DESCRIPTION:" + "Agenda: %s, %s und %s — bitte Unterlagen mitbringen. "
                    % (rng.choice(WORDS), rng.choice(WORDS), rng.choice(WORDS))
                    * rng.choice((1, 3))) + "\r\n"
    return ""


def _vcal(body, tz_block=""):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Veil bench//gen.py//EN\r\n"
            "CALSCALE:GREGORIAN\r\n" + tz_block + body + "END:VCALENDAR\r\n")


class _Series:
    """A recurring event in a time zone: its rule text and its instances."""

    def __init__(self, tzid, starts, length, rule):
        self.tzid, self.starts, self.length, self.rule = tzid, starts, length, rule


def _weekly(rng, tz, start, open_ended):
    interval = rng.choice((1, 1, 1, 2))
    starts, k = [], 0
    if open_ended:
        while True:
            s = start + timedelta(weeks=k * interval)  # same wall time across DST
            if s.astimezone(UTC) >= HORIZON:
                break
            starts.append(s)
            k += 1
        return starts, "FREQ=WEEKLY" + (";INTERVAL=%d" % interval if interval > 1 else "")
    count = rng.choice((4, 6, 10, 13, 26, 52))
    starts = [start + timedelta(weeks=k * interval) for k in range(count)]
    rule = "FREQ=WEEKLY;%sCOUNT=%d" % ("INTERVAL=%d;" % interval if interval > 1 else "", count)
    if rng.random() < 0.3:
        rule = "FREQ=WEEKLY;%sUNTIL=%s" % ("INTERVAL=%d;" % interval if interval > 1 else "",
                                           fmt_utc(starts[-1]))
    return starts, rule


def _workdays(rng, start):
    count = rng.choice((5, 10, 15, 20))
    starts, d = [], start
    while len(starts) < count:
        if d.weekday() < 5:
            starts.append(d)
        d += timedelta(days=1)
    return starts, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=%d" % count


def _monthly(rng, start):
    count = rng.choice((6, 12, 24))
    starts = []
    for k in range(count):
        m = start.month - 1 + k
        starts.append(start.replace(year=start.year + m // 12, month=m % 12 + 1))
    return starts, "FREQ=MONTHLY;BYMONTHDAY=%d;COUNT=%d" % (start.day, count)


# what a calendar with a few years of history holds: mostly single events, a
# fifth weekly series, and only a handful of series that never end
KINDS, KIND_WEIGHTS = zip(
    ("once", 47), ("weekly", 20), ("allday", 12), ("floating", 6), ("workdays", 6),
    ("monthly", 5), ("floating-weekly", 2), ("anniversary", 1), ("open-weekly", 1))


def make_event(rng, i):
    """One calendar object (retried until floating/all-day times keep clear of
    the window edges)."""
    while True:
        ev = _make_event(rng, i)
        if ev is not None:
            return ev


def _make_event(rng, i):
    uid = "%08x-bench-ev-%06d@veil.test" % (rng.getrandbits(32), i)
    name = "ev%06d.ics" % i
    stamp = "DTSTAMP:20260101T000000Z\r\n"
    summary = "SUMMARY:%s %s\r\n" % (rng.choice(WORDS), rng.choice(NAMES))
    extra = _attendees(rng) + _alarm(rng) + _describe(rng)
    kind = rng.choices(KINDS, KIND_WEIGHTS)[0]

    if kind in ("allday", "anniversary"):
        yearly = kind == "anniversary"
        d = _day(rng, range(7))
        days = 1 if yearly else rng.choice((1, 1, 1, 2, 3))
        if yearly:
            if d.month == 2 and d.day == 29:
                return None
            years = range(d.year, HORIZON.year + 1)
            spans_dt = [(datetime(y, d.month, d.day, tzinfo=UTC),
                         datetime(y, d.month, d.day, tzinfo=UTC) + timedelta(days=1))
                        for y in years]
        else:
            s = datetime(d.year, d.month, d.day, tzinfo=UTC)
            spans_dt = [(s, s + timedelta(days=days))]
        if near_edge(spans_dt):
            return None
        end_line = ("DTEND;VALUE=DATE:%s\r\n" % fmt_date(d + timedelta(days=days))
                    if rng.random() < 0.8 else "")  # no DTEND: one day (RFC 5545 §3.6.1)
        if end_line == "" and days != 1:
            end_line = "DTEND;VALUE=DATE:%s\r\n" % fmt_date(d + timedelta(days=days))
        body = ("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART;VALUE=DATE:%s\r\n%s%s%s"
                "TRANSP:TRANSPARENT\r\n%sEND:VEVENT\r\n"
                % (uid, stamp, fmt_date(d), end_line,
                   "RRULE:FREQ=YEARLY\r\n" if yearly else "", summary,
                   _alarm(rng) if yearly else extra))
        return Event(name, _vcal(body), [(_epoch(a), _epoch(b)) for a, b in spans_dt])

    if kind in ("floating", "floating-weekly"):
        d = _day(rng)
        s = datetime(d.year, d.month, d.day, rng.randrange(7, 20), rng.choice((0, 30)))
        length = timedelta(minutes=rng.choice((30, 60, 90)))
        count = 1 if kind == "floating" else rng.choice((4, 8, 12))
        starts = [s + timedelta(weeks=k) for k in range(count)]
        spans_dt = [(x.replace(tzinfo=UTC), (x + length).replace(tzinfo=UTC)) for x in starts]
        if near_edge(spans_dt):
            return None
        body = ("BEGIN:VEVENT\r\nUID:%s\r\n%sDTSTART:%s\r\nDURATION:PT%dM\r\n%s%s%sEND:VEVENT\r\n"
                % (uid, stamp, fmt_local(s), length.seconds // 60,
                   "RRULE:FREQ=WEEKLY;COUNT=%d\r\n" % count if count > 1 else "", summary, extra))
        return Event(name, _vcal(body), [(_epoch(a), _epoch(b)) for a, b in spans_dt])

    # timed, in a zone
    tzid = rng.choice(("Europe/Berlin", "Europe/Berlin", "America/New_York", "Asia/Tokyo"))
    tz = TZINFO[tzid]
    tz_block = vtimezone(tzid) if rng.random() < 0.5 else ""   # else by reference
    d = _day(rng)
    start = datetime(d.year, d.month, d.day, rng.randrange(7, 21), rng.choice((0, 15, 30, 45)),
                     tzinfo=tz)
    length = timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120, 480)))
    dt = lambda prop, x: "%s;TZID=%s:%s\r\n" % (prop, tzid, fmt_local(x))  # noqa: E731

    if kind == "once":  # a few without an end (zero length, RFC 4791 §9.9)
        if rng.random() < 0.08:
            body = ("BEGIN:VEVENT\r\nUID:%s\r\n%s%s%s%sEND:VEVENT\r\n"
                    % (uid, stamp, dt("DTSTART", start), summary, extra))
            spans = [(_epoch(start), _epoch(start))]
        else:
            body = ("BEGIN:VEVENT\r\nUID:%s\r\n%s%s%s%sLOCATION:Raum %d\r\n%sEND:VEVENT\r\n"
                    % (uid, stamp, dt("DTSTART", start), dt("DTEND", start + length), summary,
                       rng.randrange(1, 400), extra))
            spans = [(_epoch(start), _epoch(start + length))]
        return Event(name, _vcal(body, tz_block), spans)

    if kind == "weekly":
        starts, rule = _weekly(rng, tz, start, open_ended=False)
    elif kind == "workdays":
        starts, rule = _workdays(rng, start)
    elif kind == "monthly":
        if start.day > 28:
            return None
        starts, rule = _monthly(rng, start)
    else:
        starts, rule = _weekly(rng, tz, start, open_ended=True)
    master = "BEGIN:VEVENT\r\nUID:%s\r\n%s%s%sRRULE:%s\r\n" % (
        uid, stamp, dt("DTSTART", start), dt("DTEND", start + length), rule)
    instances = {k: (s, s + length) for k, s in enumerate(starts)}
    if len(starts) > 3 and rng.random() < 0.5:
        k = rng.randrange(1, len(starts))
        master += dt("EXDATE", starts[k])
        del instances[k]
    overrides = ""
    candidates = [k for k in instances if k > 0]
    if len(candidates) > 2 and rng.random() < 0.4:
        k = rng.choice(candidates)
        moved = starts[k] + rng.choice((timedelta(hours=1), timedelta(days=3),
                                        timedelta(days=-2, hours=2)))
        overrides = ("BEGIN:VEVENT\r\nUID:%s\r\n%s%s%s%s%s (moved)\r\nSEQUENCE:1\r\n"
                     "END:VEVENT\r\n"
                     % (uid, stamp, dt("RECURRENCE-ID", starts[k]), dt("DTSTART", moved),
                        dt("DTEND", moved + length), summary.rstrip("\r\n")))
        instances[k] = (moved, moved + length)
    body = master + summary + extra + "END:VEVENT\r\n" + overrides
    spans = [(_epoch(a), _epoch(b)) for a, b in instances.values() if a.astimezone(UTC) < HORIZON]
    return Event(name, _vcal(body, tz_block), spans)


def make_task(rng, i):
    d = _day(rng)
    due = datetime(d.year, d.month, d.day, rng.randrange(8, 19), tzinfo=UTC)
    status = rng.choice(("NEEDS-ACTION", "NEEDS-ACTION", "IN-PROCESS", "COMPLETED"))
    lines = ["BEGIN:VTODO", "UID:bench-td-%06d@veil.test" % i, "DTSTAMP:20260101T000000Z",
             "CREATED:20260101T000000Z", "SUMMARY:%s %s" % (rng.choice(WORDS), rng.choice(NAMES)),
             "STATUS:" + status, "PRIORITY:%d" % rng.randrange(10),
             "CATEGORIES:%s" % rng.choice(("Arbeit", "Privat", "Einkauf,Haushalt", "Büro"))]
    if rng.random() < 0.8:
        repeats = rng.random() < 0.1
        if repeats or rng.random() < 0.4:
            lines.append("DTSTART:%s" % fmt_utc(due - timedelta(days=rng.randrange(1, 7))))
        lines.append("DUE:%s" % fmt_utc(due))
        if repeats:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=%d" % rng.choice((4, 10)))
        if rng.random() < 0.3:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Fällig",
                      "TRIGGER;RELATED=END:-PT1H", "END:VALARM"]
    if status == "COMPLETED":
        lines += ["COMPLETED:%s" % fmt_utc(due), "PERCENT-COMPLETE:100"]
    if i % 10 and rng.random() < 0.2:
        lines.append("RELATED-TO;RELTYPE=PARENT:bench-td-%06d@veil.test" % (i - i % 10))
    lines.append("END:VTODO")
    return "td%06d.ics" % i, _vcal("\r\n".join(fold(x) for x in lines) + "\r\n")


def fold(line):
    """RFC 5545 §3.1 / RFC 6350 §3.2: fold at 75 octets, never inside a UTF-8 sequence."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur)
            cur = b""
        cur += b
    out.append(cur)
    return b"\r\n ".join(out).decode("utf-8")


# a small JPEG-looking blob (SOI, JFIF header, then bytes): 2-6 KiB once base64'd
_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


class Card:
    def __init__(self, name, emails, text):
        self.name, self.emails, self.text = name, emails, text


def make_card(rng, i):
    """A contact; every 25th card is a group of the five cards before it."""
    uid = "bench-card-%06d" % i
    v4 = rng.random() < 0.5
    if i % 25 == 24:
        members = ["bench-card-%06d" % (i - k) for k in range(1, 6)]
        if v4:
            body = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:%s\r\nKIND:group\r\n"
                    "FN:Gruppe %d – Verein\r\n%sEND:VCARD\r\n"
                    % (uid, i, "".join("MEMBER:urn:uuid:%s\r\n" % m for m in members)))
        else:
            body = ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:%s\r\nFN:Gruppe %d – Verein\r\n"
                    "N:Gruppe %d;;;;\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n%sEND:VCARD\r\n"
                    % (uid, i, i, "".join("X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:%s\r\n" % m
                                          for m in members)))
        return Card("c%06d.vcf" % i, [], body)
    given, family = rng.choice(NAMES), rng.choice(FAMILIES)
    local = "%s.%s" % (ascii_name(given), ascii_name(family))
    emails = ["%s.%d@%s" % (local, i, rng.choice(DOMAINS))]
    if rng.random() < 0.3:
        emails.append("%s%d@privat.example" % (ascii_name(given), i))
    note = fold("NOTE:" + ("Notiz für %s %s – très longue ligne avec des caractères accentués, "
                           "ääöüß, 日本語のテキスト, Ελληνικά. " % (given, family))
                * rng.choice((1, 2, 5)))
    photo = ""
    if rng.random() < 0.2:
        blob = _JPEG + rng.randbytes(rng.choice((1500, 3000, 4500)))
        b64 = base64.b64encode(blob).decode()
        photo = fold(("PHOTO:data:image/jpeg;base64," if v4 else "PHOTO;ENCODING=b;TYPE=JPEG:")
                     + b64) + "\r\n"
    adr = fold("ADR;TYPE=home:;;%s %d;%s;;%05d;%s" % (
        rng.choice(("Hauptstraße", "Rue de l'Église", "Łąkowa", "Østergade")), rng.randrange(1, 200),
        rng.choice(("München", "Besançon", "Kraków", "København")), rng.randrange(1, 99999),
        rng.choice(("Deutschland", "France", "Polska", "Danmark")))) + "\r\n"
    extra = "BDAY:%04d%02d%02d\r\n" % (rng.randrange(1950, 2005), rng.randrange(1, 13),
                                       rng.randrange(1, 29)) if rng.random() < 0.3 else ""
    if v4:
        mails = "".join("EMAIL;TYPE=%s:%s\r\n" % (t, e) for t, e in zip(("work", "home"), emails))
        body = ("BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:%s\r\nFN:%s %s\r\nN:%s;%s;;;\r\n"
                "%sTEL;TYPE=cell;VALUE=uri:tel:+49-151-%07d\r\nORG:%s GmbH\r\n%s%s%s%s\r\n"
                "REV:20260101T000000Z\r\nEND:VCARD\r\n"
                % (uid, given, family, family, given, mails, i, family, extra, adr, photo, note))
    else:
        mails = "item1.EMAIL;type=INTERNET;type=pref:%s\r\nitem1.X-ABLabel:_$!<Work>!$_\r\n" \
            % emails[0]
        if len(emails) > 1:
            mails += "EMAIL;type=INTERNET;type=HOME:%s\r\n" % emails[1]
        body = ("BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17.0//EN\r\nUID:%s\r\n"
                "FN:%s %s\r\nN:%s;%s;;;\r\n%sTEL;type=CELL;type=VOICE:+49 151 %07d\r\n"
                "ORG:%s GmbH;\r\n%s%s%s%s\r\nREV:2026-01-01T00:00:00Z\r\nEND:VCARD\r\n"
                % (uid, given, family, family, given, mails, i, family, extra, adr, photo, note))
    return Card("c%06d.vcf" % i, emails, body)


def dataset(n, seed=2026):
    """(events, tasks, cards) for N objects per collection (N/10 tasks); the
    same seed and N always give the same bytes."""
    rng = random.Random(seed * 1000003 + n)
    events = [make_event(rng, i) for i in range(n)]
    tasks = [make_task(rng, i) for i in range(max(1, n // 10))]
    cards = [make_card(rng, i) for i in range(n)]
    return events, tasks, cards


def email_probe(cards):
    """A text-match an address book client sends while one types a name: the
    'given.family' part of the middle card's address, and the cards whose
    EMAIL contains it (case-insensitively; the addresses are ASCII)."""
    probe = next(c for c in cards[len(cards) // 2:] if c.emails).emails[0].split(".")
    needle = "%s.%s." % (probe[0], probe[1])
    return needle, {c.name for c in cards if any(needle in e.lower() for e in c.emails)}


if __name__ == "__main__":  # a quick look at what the generator writes
    import sys
    ev, td, cd = dataset(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
    for e in ev[:8]:
        print(e.text)
    print(td[0][1])
    print(cd[0].text)
    for label, s, e in windows():
        print(label, sum(1 for x in ev if x.overlaps(s, e)))

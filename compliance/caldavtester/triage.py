#!/usr/bin/python3
"""Sorts the failures of a CalDAVTester run (compliance/caldavtester.sh) into
what Veil does differently on purpose and what is left to look at.

    triage.py WORKDIR [FILE ...] [--show KIND] [--all] [--dispute]

WORKDIR is the run's CDT_WORKDIR (logs/*.log and serverinfo.xml).  For each
failed test it reads the verifier's message from the JSON result dump and:

- calendar-data mismatches: re-compares the diff's expected ("-") and
  received ("+") lines after normalising what Veil deliberately writes
  differently from CalendarServer (RFC 6638 does not ask for any of it):
  each local user's addresses (mailto:, urn:uuid:, principal URL) as one,
  the EMAIL parameter, X-CALENDARSERVER-* properties and parameters, and
  the TRANSP CalendarServer adds to unanswered invitations.  What is still
  different after that is a "real" difference and is printed;
- WAITCOUNT timeouts, status codes and the other verifiers are listed with
  their first line, so a cascade (a failure after an earlier one in the same
  suite) can be told from its cause.

Prints one line per failure (file, suite / test, kind, detail) and a count
per kind; --show KIND prints the residual diffs of that kind; --all also
lists failures already in disputed.txt (marked); --dispute prints, instead,
disputed.txt lines (with the RFC reason) for the undisputed failures that
differ only in what REASONS explains.  Standard library only.
"""
import collections
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def load_subs(workdir):
    subs = {}
    root = ET.parse(os.path.join(workdir, "serverinfo.xml")).getroot()
    for s in root.iter("substitution"):
        subs[s.findtext("key")] = s.findtext("value") or ""
    return subs


def address_map(subs):
    """{address in lower case: "<who>"}: every form of one principal's
    calendar user address maps to the same token."""
    m = {}
    for key, value in subs.items():
        g = re.match(r"^\$([a-z]*)(cuaddr|cuaddralt|cuaddrurn|principal|principaluri)(\d+):$", key)
        if not g:
            continue
        who = "<%s%s>" % (g.group(1) or "user", g.group(3))
        m[value.lower()] = who
        if g.group(2).startswith("principal"):
            m[value.rstrip("/").lower()] = who
    for key in ("i18n", "admin", "apprentice"):
        for k, v in subs.items():
            if k in ("$%scuaddr:" % key, "$%scuaddrurn:" % key, "$principal_%s:" % key):
                m[v.lower()] = "<%s>" % key
    return m


def unfold(lines):
    """Diff lines (prefix + text) with iCalendar folding undone."""
    out = []
    for line in lines:
        if not line:
            continue
        tag, text = line[0], line[1:].rstrip("\r")
        if text.startswith(" ") and out and out[-1][0] == tag:
            out[-1] = (tag, out[-1][1] + text[1:])
        else:
            out.append((tag, text))
    return out


def split_prop(line):
    """NAME, [params], value of a content line (quoted parameter values kept)."""
    i, n, quoted = 0, len(line), False
    while i < n:
        c = line[i]
        if c == '"':
            quoted = not quoted
        elif c == ":" and not quoted:
            break
        i += 1
    head, value = line[:i], line[i + 1:]
    parts, cur, quoted = [], "", False
    for c in head:
        if c == '"':
            quoted = not quoted
        if c == ";" and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return parts[0], parts[1:], value


def normalise(line, addrs, found, rsvp):
    """The line as Veil and CalendarServer would agree on it, or None when
    it is one CalendarServer alone writes; records in found what it took."""
    name, params, value = split_prop(line)
    uname = name.upper()
    if uname.startswith("X-CALENDARSERVER-"):
        found.add("X-CALENDARSERVER")
        return None
    if uname == "TRANSP":
        found.add("TRANSP")
        return None
    keep = []
    for p in params:
        pn = p.split("=", 1)[0].upper()
        if pn == "EMAIL":
            found.add("EMAIL")
            continue
        if pn.startswith("X-CALENDARSERVER-"):
            found.add("X-CALENDARSERVER")
            continue
        if rsvp and p.upper() == "RSVP=TRUE" and uname == "ATTENDEE":
            # CalendarServer asks every attendee it resets for a reply
            found.add("RSVP")
            continue
        if pn in ("SENT-BY",):
            v = p.split("=", 1)[1].strip('"')
            tok = addrs.get(v.lower()) or addrs.get(v.rstrip("/").lower())
            if tok:
                p = "%s=%s" % (pn, tok)
        keep.append(p)
    if uname in ("ATTENDEE", "ORGANIZER"):
        v = value.strip()
        tok = addrs.get(v.lower()) or addrs.get(v.rstrip("/").lower())
        if not tok and "/principals/" in v:
            tok = addrs.get(v[v.index("/principals/"):].rstrip("/").lower())
        if tok:
            if tok != value:
                found.add("address form")
            value = tok
    return "%s;%s:%s" % (uname, ";".join(sorted(keep)), value) if keep else "%s:%s" % (uname, value)


def compare_calendar_diff(details, addrs):
    """("same", kinds) when the diff goes away after normalising, else
    ("real", residual lines).  RSVP=TRUE counts as CalendarServer's only when
    it is what the expected data has and the response lacks."""
    body = details.split("---", 1)[-1]
    lines = [l for l in body.split("\n") if l[:1] in "-+ " and not l.startswith(("---", "+++"))]
    result = None
    for rsvp in (False, True):
        found = set()
        exp, got = collections.Counter(), collections.Counter()
        for tag, text in unfold(lines):
            if tag not in "-+":
                continue
            n = normalise(text, addrs, found, rsvp and tag == "-")
            if n is None:
                continue
            if rsvp and tag == "+" and "RSVP=TRUE" in n.upper():
                n = normalise(text, addrs, set(), True)
            (exp if tag == "-" else got)[n] += 1
        if exp == got:
            return "same", sorted(found if rsvp else found - {"RSVP"})
        if result is None:
            residual = ["- " + l for l in sorted((exp - got).elements())]
            residual += ["+ " + l for l in sorted((got - exp).elements())]
            result = ("real", residual)
    return result


def wait_steps(cdt, name):
    """{(suite, test): ["WAITDELETEALL 2 $inboxpath2:/", ...]} of a test file, so a
    WAITCOUNT failure can say what it waited for."""
    out = {}
    try:
        root = ET.parse(os.path.join(cdt, "scripts", "tests", name)).getroot()
    except (ET.ParseError, OSError):
        return out
    for suite in root.findall("test-suite"):
        for test in suite.findall("test"):
            steps = []
            for req in test.findall("request"):
                method = (req.findtext("method") or "").strip()
                if method.startswith("WAIT"):
                    steps.append("%s %s" % (method, (req.findtext("ruri") or "").strip()))
            out[(suite.get("name"), test.get("name"))] = steps
    return out


def results_of(log):
    lines = open(log, encoding="utf-8", errors="replace").read().splitlines()
    for line in reversed(lines):
        if line.startswith("[") and line.endswith("]"):
            try:
                return json.loads(line)
            except ValueError:
                pass
    return None


# Why each difference the normalisation takes away is Veil's on purpose.
REASONS = {
    "address form": "Veil keeps each calendar user address as the organizer's client wrote it "
    "(mailto:, case included); CalendarServer rewrites every local user's address to its urn "
    "form. RFC 5545 §3.3.3 makes any URI a calendar user address and RFC 6638 asks for no "
    "rewriting; the test wants the rewritten form.",
    "TRANSP": "CalendarServer marks an attendee's copy TRANSP:TRANSPARENT until they answer; "
    "RFC 6638 asks for nothing of the kind and lets the attendee set TRANSP (§3.2.2.1), so "
    "Veil keeps the organizer's TRANSP.",
    "RSVP": "CalendarServer adds RSVP=TRUE to every attendee that has not answered; RSVP is the "
    "organizer's request for a reply (RFC 5545 §3.2.17, FALSE by default) and RFC 6638 does "
    "not ask the server to add it, so Veil keeps what the organizer's client wrote.",
    "EMAIL": "CalendarServer adds the EMAIL parameter (RFC 7986 §6.2) from its directory; Veil "
    "adds no address the client did not write (privacy).",
    "X-CALENDARSERVER": "X-CALENDARSERVER-* properties and parameters are CalendarServer's own "
    "extensions (RFC 5545 §3.8.8.2), not part of RFC 6638.",
}


def dispute_line(name, test, kind):
    """The disputed.txt line for a failure of kind "data: only A+B", or None."""
    if not kind.startswith("data: only ") or kind == "data: only order":
        return None
    parts = kind[len("data: only "):].split("+")
    if any(p not in REASONS for p in parts):
        return None
    return "%s\t%s\tThe calendar data differs only in what CalendarServer writes differently: %s" % (
        name, test, " ".join(REASONS[p] for p in parts))


def disputed():
    out = {}
    path = os.path.join(HERE, "disputed.txt")
    for line in open(path, encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            f, test, reason = line.rstrip("\n").split("\t", 2)
            out[(f, test)] = reason
    return out


def classify(details, addrs):
    d = (details or "").strip()
    if "calendarDataMatch" in d and "does not exactly match" in d:
        how, what = compare_calendar_diff(d, addrs)
        if how == "same":
            return "data: only " + "+".join(what) if what else "data: only order", []
        return "data: real", what
    m = re.match(r"Count did not change: (\d+)", d)
    if m:
        return "waitcount", ["%s items seen" % m.group(1)]
    m = re.search(r"Failed Verifier: (\w+)", d)
    if m:
        rest = [l.strip() for l in d.splitlines()[1:] if l.strip()]
        if m.group(1) == "statusCode":
            return "status", rest[:1]
        return m.group(1), rest[:6]
    return "other", d.splitlines()[:3]


def main(argv):
    show, every, dispute, args = None, False, False, []
    i = 0
    while i < len(argv):
        if argv[i] == "--show":
            show = argv[i + 1]
            i += 2
            continue
        if argv[i] == "--all":
            every = True
        elif argv[i] == "--dispute":
            dispute = True
        else:
            args.append(argv[i])
        i += 1
    if not args:
        sys.stderr.write(__doc__)
        return 2
    work, only = args[0], args[1:]
    addrs = address_map(load_subs(work))
    known = disputed()
    counts = collections.Counter()
    logs = os.path.join(work, "logs")
    for fn in sorted(os.listdir(logs)):
        if not fn.endswith(".xml.log"):
            continue
        name = fn[:-4].replace("_", "/", 1)
        if only and name not in only:
            continue
        results = results_of(os.path.join(logs, fn))
        if not results:
            print("%s\t-\tno result dump" % name)
            counts["no dump"] += 1
            continue
        waits = wait_steps(os.environ.get("CALDAVTESTER_DIR", "/work/cdt/ccs-caldavtester"), name)
        for entry in results:
            if entry.get("result") == 2 and not entry.get("tests") and not dispute:
                print("%s\t(start)\tERROR\t%s" % (name, (entry.get("details") or "").strip()[:100]))
                counts["start error"] += 1
            for suite in entry.get("tests", []):
                earlier = False
                for t in suite.get("tests", []):
                    if t.get("result") not in (1, 2):
                        continue
                    test = "%s / %s" % (suite.get("name"), t.get("name"))
                    kind, detail = classify(t.get("details"), addrs)
                    if kind == "waitcount":
                        detail = ["%s (waited: %s)" % (detail[0], "; ".join(
                            waits.get((suite.get("name"), t.get("name")), [])))]
                    benign = kind.startswith("data: only")
                    if earlier and not benign:
                        kind += " (after an earlier failure)"
                    earlier = earlier or not benign
                    mark = known.get((name, test))
                    if mark and not every:
                        counts["disputed"] += 1
                        continue
                    counts[kind] += 1
                    if dispute:
                        line = dispute_line(name, test, kind)
                        if line and not mark:
                            print(line)
                        continue
                    print("%s\t%s\t%s%s\t%s" % (name, test, kind, " [disputed]" if mark else "",
                                                detail[0] if detail and kind != show else ""))
                    if show and kind.startswith(show):
                        for l in detail:
                            print("        " + l)
    if dispute:
        return 0
    print()
    for k, v in counts.most_common():
        print("%5d  %s" % (v, k))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

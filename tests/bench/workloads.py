"""The workloads, each a function of a started server that records figures in
a Result: m[metric] = value, and ok[metric] = False with a note when the
server's answer was wrong (a fast wrong answer is a failure, not a win)."""
import os
import resource
import subprocess
import threading
import time

import gen
from client import NSDECL, XML, Client, basic, multistatus, names, timed

HERE = os.path.dirname(os.path.abspath(__file__))


class Result:
    def __init__(self):
        self.m, self.ok, self.notes = {}, {}, []

    def fail(self, metric, note):
        self.ok[metric] = False
        self.notes.append(note)


def fmt_ical(dt):
    return dt.strftime("%Y%m%dT%H%M%SZ")


# --- 1. bulk PUT ----------------------------------------------------------------------------

def put_all(srv, items, ctype, clients):
    """PUT (path, body) items over `clients` keep-alive connections, each
    taking the next item when free; (seconds, failures, first failure)."""
    lock = threading.Lock()
    it = iter(items)
    failed = []

    def worker():
        c = Client(srv)
        try:
            while True:
                with lock:
                    nxt = next(it, None)
                if nxt is None:
                    return
                st, body = c.req("PUT", nxt[0], nxt[1], {"Content-Type": ctype})
                if st not in (200, 201, 204):
                    with lock:
                        failed.append("%s -> %d %s" % (nxt[0], st, body[:200]))
        except Exception as exc:  # a dropped connection counts as a failure
            with lock:
                failed.append("%s: %s" % (type(exc).__name__, exc))
        finally:
            c.close()

    t = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return time.perf_counter() - t, len(failed), (failed[0] if failed else "")


def bulk_put(srv, r, label, items, ctype, clients, batches):
    """PUT items in consecutive batches; the figure is the median batch rate,
    with the server's CPU time per object beside it."""
    rates, cpu0 = [], srv.cpu_seconds()
    size = max(1, len(items) // batches)
    chunks = [items[k:k + size] for k in range(0, len(items), size)]
    if len(chunks) > batches:  # the remainder joins the last batch
        chunks[batches - 1:] = [sum(chunks[batches - 1:], [])]
    fails = 0
    for chunk in chunks:
        dt, nfail, first = put_all(srv, chunk, ctype, clients)
        rates.append(len(chunk) / dt)
        fails += nfail
        if nfail and first:
            r.notes.append("%s: %s" % (label, first))
    rates.sort()
    r.m[label + "_obj_s"] = rates[len(rates) // 2]
    r.m[label + "_cpu_ms"] = (srv.cpu_seconds() - cpu0) * 1000.0 / max(1, len(items))
    if fails:
        r.fail(label + "_obj_s", "%s: %d of %d PUTs failed" % (label, fails, len(items)))


# --- 2. PROPFIND ------------------------------------------------------------------------------

PROPFIND_ETAG_TYPE = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
                      '<D:getetag/><D:getcontenttype/></D:prop></D:propfind>')


def propfind_depth1(srv, r, c, want, runs, max_runs, budget):
    t = timed(lambda: c.req("PROPFIND", srv.calendar, PROPFIND_ETAG_TYPE,
                            dict(XML, Depth="1")), runs, max_runs, budget)
    st, body = t.result
    r.m["propfind_ms"] = t.median * 1000
    r.m["propfind_p99_ms"] = t.percentile(99) * 1000
    r.m["propfind_runs"] = len(t.samples)
    r.m["propfind_kib"] = len(body) / 1024.0
    got = names(multistatus(body)[0], srv.calendar) if st == 207 else set()
    if got != want:
        r.fail("propfind_ms", "PROPFIND Depth 1: %d members listed, %d expected (status %d)"
               % (len(got), len(want), st))


# --- 3. calendar-query ------------------------------------------------------------------------

def calendar_query(start, end):
    return ('<?xml version="1.0" encoding="utf-8"?><C:calendar-query %s><D:prop><D:getetag/>'
            '</D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            '<C:time-range start="%s" end="%s"/></C:comp-filter></C:comp-filter></C:filter>'
            '</C:calendar-query>' % (NSDECL, fmt_ical(start), fmt_ical(end)))


def time_range_queries(srv, r, c, events, runs, budget):
    for label, start, end in gen.windows():
        want = {e.name for e in events if e.overlaps(start, end)}
        body = calendar_query(start, end)
        t = timed(lambda: c.report(srv.calendar, body), runs, budget=budget)
        st, data = t.result
        got = names(multistatus(data)[0], srv.calendar) if st == 207 else set()
        key = "query_%s" % label
        r.m[key + "_ms"] = t.median * 1000
        r.m[key + "_hrefs"] = len(got)
        r.m[key + "_expected"] = len(want)
        if got != want:
            missing, extra = sorted(want - got), sorted(got - want)
            r.fail(key + "_ms", "calendar-query %s: %d hrefs, %d expected (status %d; missing %s;"
                   " extra %s)" % (label, len(got), len(want), st, missing[:5], extra[:5]))
            r.ok[key + "_hrefs"] = False


# --- 4. multiget and addressbook-query ---------------------------------------------------------

def multiget(srv, r, c, key, collection, report, data_prop, members, runs, budget):
    body = ('<?xml version="1.0" encoding="utf-8"?><%s %s><D:prop><D:getetag/><%s/></D:prop>%s'
            '</%s>' % (report, NSDECL, data_prop,
                       "".join("<D:href>%s%s</D:href>" % (collection, m) for m in members),
                       report))
    t = timed(lambda: c.report(collection, body), runs, budget=budget)
    st, data = t.result
    r.m[key + "_ms"] = t.median * 1000
    r.m[key + "_kib"] = len(data) / 1024.0
    got = names(multistatus(data)[0], collection) if st == 207 else set()
    if got != set(members):
        r.fail(key + "_ms", "%s: %d of %d objects returned (status %d)"
               % (report, len(got & set(members)), len(members), st))


def addressbook_query(srv, r, c, cards, runs, budget):
    needle, want = gen.email_probe(cards)
    body = ('<?xml version="1.0" encoding="utf-8"?><CR:addressbook-query %s><D:prop><D:getetag/>'
            '</D:prop><CR:filter><CR:prop-filter name="EMAIL"><CR:text-match '
            'match-type="contains">%s</CR:text-match></CR:prop-filter></CR:filter>'
            '</CR:addressbook-query>' % (NSDECL, needle))
    t = timed(lambda: c.report(srv.addressbook, body), runs, budget=budget)
    st, data = t.result
    got = names(multistatus(data)[0], srv.addressbook) if st == 207 else set()
    r.m["ab_query_ms"] = t.median * 1000
    r.m["ab_query_hrefs"] = len(got)
    if got != want:
        r.fail("ab_query_ms", "addressbook-query EMAIL contains %r: %d hrefs, %d expected "
               "(status %d)" % (needle, len(got), len(want), st))
        r.ok["ab_query_hrefs"] = False


# --- 5. sync-collection -------------------------------------------------------------------------

def sync_body(token):
    return ('<?xml version="1.0" encoding="utf-8"?><D:sync-collection xmlns:D="DAV:">'
            '<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/>'
            '</D:prop></D:sync-collection>' % token)


def sync_collection(srv, r, c, events, extra_event, runs, budget):
    """Initial sync, then 10 changes (8 edits, 1 new event, 1 deletion), then
    the incremental sync from the initial token, which must list exactly those."""
    t = timed(lambda: c.report(srv.calendar, sync_body(""), depth="0"), runs, budget=budget)
    st, data = t.result
    hrefs, token = multistatus(data) if st == 207 else ({}, None)
    r.m["sync_initial_ms"] = t.median * 1000
    want = {e.name for e in events}
    if names(hrefs, srv.calendar) != want or not token:
        r.fail("sync_initial_ms", "sync-collection initial: %d members, %d expected, token %r "
               "(status %d)" % (len(names(hrefs, srv.calendar)), len(want), token, st))
        return
    edited = events[:8]
    for e in edited:
        c.req("PUT", srv.calendar + e.name, e.text.replace("SUMMARY:", "SUMMARY:Geändert ", 1),
              {"Content-Type": "text/calendar; charset=utf-8"})
    c.req("PUT", srv.calendar + extra_event.name, extra_event.text,
          {"Content-Type": "text/calendar; charset=utf-8"})
    gone = events[-1].name
    c.req("DELETE", srv.calendar + gone)
    t = timed(lambda: c.report(srv.calendar, sync_body(token), depth="0"), runs, budget=budget)
    st, data = t.result
    hrefs, _ = multistatus(data) if st == 207 else ({}, None)
    r.m["sync_incr_ms"] = t.median * 1000
    changed = names(hrefs, srv.calendar)
    want = {e.name for e in edited} | {extra_event.name}
    if changed != want or gone not in names(hrefs, srv.calendar, 404):
        r.fail("sync_incr_ms", "sync-collection incremental: %d changed + %d removed, 9 + 1 "
               "expected (status %d)" % (len(changed), len(names(hrefs, srv.calendar, 404)), st))


# --- 6. mixed read load with wrk -----------------------------------------------------------------

def mixed_requests(srv, events, cards):
    """Request lines 'METHOD PATH [BODY]' for mixed.lua, in the proportions of
    a busy client population: GETs, PROPFIND Depth 0, multigets of 5, and a
    one-day calendar-query."""
    pf = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
          '<D:getcontenttype/></D:prop></D:propfind>')
    lines, n_ev, n_cd = [], len(events), len(cards)
    day0 = gen.windows()[0][1]
    for k in range(100):
        ev = [events[(k * 97 + j * 31) % n_ev].name for j in range(10)]
        cd = [cards[(k * 89 + j * 29) % n_cd].name for j in range(6)]
        for j in range(6):
            lines.append("GET %s%s" % (srv.calendar, ev[j]))
        for j in range(4):
            lines.append("GET %s%s" % (srv.addressbook, cd[j]))
        for j in range(4):
            lines.append("PROPFIND %s%s %s" % (srv.calendar, ev[6 + j], pf))
        for j in range(3):
            mg = "".join("<D:href>%s%s</D:href>" % (srv.calendar, events[(k * 13 + j * 7 + x) % n_ev]
                                                    .name) for x in range(5))
            lines.append('REPORT %s <?xml version="1.0"?><C:calendar-multiget %s><D:prop>'
                         '<D:getetag/><C:calendar-data/></D:prop>%s</C:calendar-multiget>'
                         % (srv.calendar, NSDECL, mg))
        for j in range(2):
            mg = "".join("<D:href>%s%s</D:href>" % (srv.addressbook, cards[(k * 11 + j * 5 + x) % n_cd]
                                                    .name) for x in range(5))
            lines.append('REPORT %s <?xml version="1.0"?><CR:addressbook-multiget %s><D:prop>'
                         '<D:getetag/><CR:address-data/></D:prop>%s</CR:addressbook-multiget>'
                         % (srv.addressbook, NSDECL, mg))
        day = day0 + gen.timedelta(days=k % 7)
        lines.append("REPORT %s %s" % (srv.calendar, calendar_query(day, day + gen.timedelta(days=1))))
    return lines


def mixed_load(srv, r, events, cards, seconds, runs):
    """wrk (one thread, 16 connections) for `seconds`, `runs` times; medians
    of requests/s and latency percentiles, the server's CPU per request, and
    wrk's own CPU share (the load generator must not be the limit)."""
    reqfile = os.path.join(srv.dir, "mixed.txt")
    with open(reqfile, "w") as f:
        f.write("\n".join(mixed_requests(srv, events, cards)) + "\n")
    samples = []
    for _ in range(runs):
        cpu0, ru0, t0 = srv.cpu_seconds(), resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
        out = subprocess.run(["wrk", "-t1", "-c16", "-d%ds" % seconds, "--timeout", "60s",
                              "-s", os.path.join(HERE, "mixed.lua"), srv.base, "--",
                              basic(srv.auth) or "-", reqfile],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=seconds + 300)
        wall = time.time() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = srv.cpu_seconds() - cpu0
        line = [x for x in out.stdout.decode(errors="replace").splitlines()
                if x.startswith("MIXED ")]
        if not line:
            r.fail("mixed_req_s", "wrk: " + out.stdout.decode(errors="replace")[-300:])
            return
        reqs, dur_us, errs, non2xx, p50, p90, p99 = line[0].split()[1:8]
        reqs, dur = int(reqs), int(dur_us) / 1e6
        samples.append({
            "mixed_req_s": reqs / dur, "mixed_p50_ms": float(p50), "mixed_p90_ms": float(p90),
            "mixed_p99_ms": float(p99), "mixed_cpu_ms": cpu * 1000.0 / max(1, reqs),
            "mixed_wrk_cpu_pct": 100.0 * ((ru1.ru_utime + ru1.ru_stime) -
                                          (ru0.ru_utime + ru0.ru_stime)) / wall,
            "errors": int(errs) + int(non2xx), "reqs": reqs})
    for key in samples[0]:
        vals = sorted(s[key] for s in samples)
        r.m[key if key.startswith("mixed") else "mixed_" + key] = vals[len(vals) // 2]
    errors = sum(s["errors"] for s in samples)
    if errors:
        r.fail("mixed_req_s", "mixed load: %d of %d requests failed"
               % (errors, sum(s["reqs"] for s in samples)))


# --- scheduling (Veil only: the peers schedule nothing) ----------------------------------------

SCHED_ATTENDEES = 10


def scheduling_users(srv):
    """Ten more users with exposed addresses, made through the CLI before the
    server starts; the bench user organizes."""
    srv.cli("alias", "add", "bench", "bench@bench.example", "--expose")
    for i in range(SCHED_ATTENDEES):
        login = "att%02d" % i
        srv.cli("user", "add", login, "--password-stdin", stdin=b"att-password-1234\n")
        srv.cli("alias", "add", login, "%s@bench.example" % login, "--expose")


def scheduling_put(srv, r, c, runs, budget):
    """An organizer's new invitation to ten local attendees: the PUT stores the
    organizer's copy and, in the same transaction, each attendee's copy and
    inbox item.  Median latency of a PUT of a new event."""
    attendees = "".join("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:att%02d@bench.example\r\n" % i
                        for i in range(SCHED_ATTENDEES))
    count = [0]

    def one():
        count[0] += 1
        uid = "sched-%d" % count[0]
        body = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\n"
                "UID:%s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20270301T%02d0000Z\r\n"
                "DURATION:PT1H\r\nSUMMARY:meeting %d\r\nORGANIZER:mailto:bench@bench.example\r\n"
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bench@bench.example\r\n%s"
                "END:VEVENT\r\nEND:VCALENDAR\r\n" % (uid, count[0] % 24, count[0], attendees))
        st, _b = c.req("PUT", srv.calendar + uid + ".ics", body,
                       {"Content-Type": "text/calendar; charset=utf-8"})
        return st

    t = timed(one, max(runs, 20), budget=budget)
    if t.result != 201:
        r.fail("sched_put_ms", "scheduling PUT answered %s" % t.result)
    r.m["sched_put_ms"] = t.median * 1000.0

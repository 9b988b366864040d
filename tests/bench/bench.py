#!/usr/bin/python3
"""Veil against Radicale and Xandikos, same data, same workloads, same run.

Usage: tests/bench/run.sh [--quick] [--n 1000,10000] [--peer-max N] [--servers a,b,c]
       [--out FILE.tsv]

For each N and each server: a fresh server with one user is loaded with N
events, N/10 tasks and N contacts, then measured.  Peers are skipped for an N
above --peer-max (their load at 12-20 PUT/s would take hours); the table says
so.  Latencies are medians of several runs; every ratio compares figures of
this one run.  Only 127.0.0.1 is contacted."""
import argparse
import base64
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import servers  # noqa: E402

TOP = os.path.dirname(os.path.dirname(HERE))
NSDECL = ('xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
          'xmlns:CR="urn:ietf:params:xml:ns:carddav"')


class Client:
    """One keep-alive connection with Basic auth (when the server has any)."""

    def __init__(self, srv):
        self.srv = srv
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=600)
        self.auth = None
        if srv.auth:
            self.auth = "Basic " + base64.b64encode(("%s:%s" % srv.auth).encode()).decode()

    def req(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        if isinstance(body, str):
            body = body.encode("utf-8")
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.srv.port, timeout=600)
                if attempt:
                    raise
        return 0, b""

    def close(self):
        self.conn.close()


def timed(fn, runs):
    """(median seconds, max seconds, last result) over runs calls."""
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), max(times), result


def put_all(srv, items, content_type, clients):
    """PUT (path, body) items with `clients` connections; objects/s and failures."""
    lock = threading.Lock()
    it = iter(items)
    failures = [0]

    def worker():
        c = Client(srv)
        while True:
            with lock:
                nxt = next(it, None)
            if nxt is None:
                break
            st, _ = c.req("PUT", nxt[0], nxt[1], {"Content-Type": content_type})
            if st not in (200, 201, 204):
                with lock:
                    failures[0] += 1
        c.close()

    t = time.perf_counter()
    with ThreadPoolExecutor(clients) as ex:
        for _ in range(clients):
            ex.submit(worker)
    dt = time.perf_counter() - t
    return len(items) / dt if dt else 0.0, failures[0]


def hrefs_in(body):
    out, pos = [], 0
    text = body.decode("utf-8", "replace")
    while True:
        i = text.find("href>", pos)
        if i < 0:
            break
        j = text.find("</", i)
        out.append(text[i + 5:j])
        pos = j
    return out


def responses_with_200(body):
    """Hrefs of DAV:response elements that carry a 200 propstat."""
    text = body.decode("utf-8", "replace")
    out = []
    for chunk in text.split("response>")[1::2]:
        hs = hrefs_in(chunk.encode())
        if hs and " 200 " in chunk:
            out.append(hs[0])
    return out


def fmt_ical(dt):
    return dt.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def run_one(srv, n, quick, events, tasks, cards):
    """Load and measure one server at one N; returns {metric: value}."""
    m = {}
    runs = 3 if quick else 5
    srv.start()
    try:
        c = Client(srv)
        # one request first: a server that checks passwords with a slow hash
        # pays it once, then serves from its credential cache, as in real use
        c.req("OPTIONS", srv.calendar)
        ev_items = [(srv.calendar + e.name, e.text) for e in events]
        single = min(len(ev_items) // 10 or 1, 500)
        m["put_1_client_obj_s"], f1 = put_all(srv, ev_items[:single], "text/calendar", 1)
        m["put_16_clients_obj_s"], f2 = put_all(srv, ev_items[single:], "text/calendar", 16)
        _, f3 = put_all(srv, [(srv.tasks + name, body) for name, body in tasks], "text/calendar", 16)
        _, f4 = put_all(srv, [(srv.addressbook + name, body) for name, _e, body in cards],
                        "text/vcard", 16)
        m["put_failures"] = f1 + f2 + f3 + f4

        body = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
                '<D:getcontenttype/></D:prop></D:propfind>')
        med, worst, (st, data) = timed(lambda: c.req("PROPFIND", srv.calendar, body, {
            "Depth": "1", "Content-Type": "application/xml"}), runs)
        m["propfind_d1_median_ms"], m["propfind_d1_max_ms"] = med * 1000, worst * 1000
        m["propfind_d1_bytes"] = len(data)
        m["propfind_d1_items"] = len(responses_with_200(data)) - 1

        for label, start, end in gen.windows():
            q = ('<?xml version="1.0"?><C:calendar-query %s><D:prop><D:getetag/></D:prop>'
                 '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
                 '<C:time-range start="%s" end="%s"/></C:comp-filter></C:comp-filter></C:filter>'
                 '</C:calendar-query>' % (NSDECL, fmt_ical(start), fmt_ical(end)))
            med, worst, (st, data) = timed(lambda: c.req("REPORT", srv.calendar, q, {
                "Depth": "1", "Content-Type": "application/xml"}), runs)
            got = {h.rsplit("/", 1)[-1] for h in responses_with_200(data)}
            want = {e.name for e in events if e.overlaps(start, end)}
            m["query_%s_median_ms" % label] = med * 1000
            m["query_%s_hrefs" % label] = len(got)
            m["query_%s_expected" % label] = len(want)
            m["query_%s_correct" % label] = int(got == want)

        names = [e.name for e in events[:100]]
        mg = ('<?xml version="1.0"?><C:calendar-multiget %s><D:prop><D:getetag/><C:calendar-data/>'
              '</D:prop>%s</C:calendar-multiget>'
              % (NSDECL, "".join("<D:href>%s%s</D:href>" % (srv.calendar, x) for x in names)))
        med, _w, (st, data) = timed(lambda: c.req("REPORT", srv.calendar, mg, {
            "Depth": "1", "Content-Type": "application/xml"}), runs)
        m["cal_multiget100_median_ms"] = med * 1000
        m["cal_multiget100_ok"] = int(len(responses_with_200(data)) == len(names))

        target = cards[len(cards) // 2][1]
        aq = ('<?xml version="1.0"?><CR:addressbook-query %s><D:prop><D:getetag/></D:prop>'
              '<CR:filter><CR:prop-filter name="EMAIL"><CR:text-match match-type="equals">%s'
              '</CR:text-match></CR:prop-filter></CR:filter></CR:addressbook-query>' % (NSDECL, target))
        med, _w, (st, data) = timed(lambda: c.req("REPORT", srv.addressbook, aq, {
            "Depth": "1", "Content-Type": "application/xml"}), runs)
        m["ab_query_email_median_ms"] = med * 1000
        m["ab_query_email_ok"] = int(len(responses_with_200(data)) == 1)

        cn = [x[0] for x in cards[:100]]
        am = ('<?xml version="1.0"?><CR:addressbook-multiget %s><D:prop><D:getetag/>'
              '<CR:address-data/></D:prop>%s</CR:addressbook-multiget>'
              % (NSDECL, "".join("<D:href>%s%s</D:href>" % (srv.addressbook, x) for x in cn)))
        med, _w, (st, data) = timed(lambda: c.req("REPORT", srv.addressbook, am, {
            "Depth": "1", "Content-Type": "application/xml"}), runs)
        m["ab_multiget100_median_ms"] = med * 1000

        sync = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>%s'
                '</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop>'
                '</D:sync-collection>')
        med, _w, (st, data) = timed(lambda: c.req("REPORT", srv.calendar, sync % "", {
            "Depth": "0", "Content-Type": "application/xml"}), runs)
        m["sync_initial_median_ms"] = med * 1000
        text = data.decode("utf-8", "replace")
        token = text[text.find("<D:sync-token>") + 14:text.find("</D:sync-token>")] \
            if "<D:sync-token>" in text else None
        if token is None and "sync-token>" in text:  # other prefixes
            i = text.rfind("sync-token>", 0, text.rfind("sync-token>"))
            token = text[i + 11:text.find("<", i + 11)]
        for e in events[:10]:
            c.req("PUT", srv.calendar + e.name, e.text.replace("SUMMARY:", "SUMMARY:Changed "),
                  {"Content-Type": "text/calendar"})
        med, _w, (st, data) = timed(lambda: c.req("REPORT", srv.calendar, sync % (token or ""), {
            "Depth": "0", "Content-Type": "application/xml"}), runs)
        m["sync_incremental_median_ms"] = med * 1000
        m["sync_incremental_items"] = len(hrefs_in(data)) if st == 207 else -1

        m.update(mixed_load(srv, events, cards, 5 if quick else 20))
        m["peak_rss_mib"] = srv.peak_rss_kib() / 1024.0
        m["rss_after_mib"] = srv.rss_kib() / 1024.0
        m["disk_mib"] = servers.dir_size(srv.data_dir) / 1048576.0
        c.close()
    finally:
        srv.stop()
    return m


LUA = r'''
-- Mixed read load: GET, PROPFIND and small REPORTs, Basic auth on each request.
local reqs = {}
local counter = 0
function init(args)
  local auth = args[1]
  local f = io.open(args[2])
  for line in f:lines() do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    local headers = {}
    if auth ~= "-" then headers["Authorization"] = auth end
    if method == "PROPFIND" then headers["Depth"] = "0" end
    if method == "REPORT" then headers["Depth"] = "1" end
    if body ~= "" then headers["Content-Type"] = "application/xml" end
    table.insert(reqs, wrk.format(method, path, headers, body ~= "" and body or nil))
  end
  f:close()
end
function request()
  counter = counter + 1
  return reqs[(counter % #reqs) + 1]
end
function done(summary, latency, requests)
  io.write(string.format("MIXED %d %d %d %.1f %.1f %.1f %.1f\n", summary.requests,
    summary.duration, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000.0, latency:percentile(90) / 1000.0,
    latency:percentile(99) / 1000.0, latency.max / 1000.0))
end
'''


def mixed_load(srv, events, cards, seconds):
    """wrk, 16 connections, 2 threads: requests/s and latency percentiles."""
    workdir = srv.dir
    lua = os.path.join(workdir, "mixed.lua")
    with open(lua, "w") as f:
        f.write(LUA)
    lines = []
    pf = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
          '</D:prop></D:propfind>')
    for k in range(200):
        e = events[(k * 37) % len(events)]
        lines.append("GET %s%s" % (srv.calendar, e.name))
        lines.append("PROPFIND %s%s %s" % (srv.calendar, e.name, pf))
        c = cards[(k * 53) % len(cards)]
        lines.append("GET %s%s" % (srv.addressbook, c[0]))
        mg = ('<C:calendar-multiget %s><D:prop><D:getetag/></D:prop>%s</C:calendar-multiget>'
              % (NSDECL, "".join("<D:href>%s%s</D:href>" % (srv.calendar, events[(k + j) % len(events)].name)
                                 for j in range(5))))
        lines.append("REPORT %s %s" % (srv.calendar, mg))
    reqfile = os.path.join(workdir, "mixed.txt")
    with open(reqfile, "w") as f:
        f.write("\n".join(lines) + "\n")
    auth = "-"
    if srv.auth:
        auth = "Basic " + base64.b64encode(("%s:%s" % srv.auth).encode()).decode()
    cpu0 = proc_cpu(srv.pid)
    out = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % seconds, "--timeout", "30s",
                          "-s", lua, srv.base, "--", auth, reqfile],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=seconds + 120)
    cpu = proc_cpu(srv.pid) - cpu0
    res = {}
    for line in out.stdout.decode(errors="replace").splitlines():
        if line.startswith("MIXED "):
            reqs, dur_us, errors, p50, p90, p99, mx = line.split()[1:]
            reqs, dur = int(reqs), int(dur_us) / 1e6
            res = {"mixed_req_s": reqs / dur if dur else 0, "mixed_errors": int(errors),
                   "mixed_p50_ms": float(p50), "mixed_p99_ms": float(p99),
                   "mixed_cpu_ms_per_req": cpu * 1000.0 / reqs if reqs else 0}
    return res


def proc_cpu(pid):
    """CPU seconds (user + system) of a process and its threads."""
    try:
        fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


# metric, unit, higher-is-better
METRICS = [
    ("put_1_client_obj_s", "obj/s", True), ("put_16_clients_obj_s", "obj/s", True),
    ("propfind_d1_median_ms", "ms", False), ("propfind_d1_max_ms", "ms", False),
    ("propfind_d1_bytes", "B", None),
    ("query_week_median_ms", "ms", False), ("query_week_hrefs", "", None),
    ("query_year_median_ms", "ms", False), ("query_year_hrefs", "", None),
    ("cal_multiget100_median_ms", "ms", False), ("ab_query_email_median_ms", "ms", False),
    ("ab_multiget100_median_ms", "ms", False),
    ("sync_initial_median_ms", "ms", False), ("sync_incremental_median_ms", "ms", False),
    ("mixed_req_s", "req/s", True), ("mixed_p50_ms", "ms", False), ("mixed_p99_ms", "ms", False),
    ("mixed_cpu_ms_per_req", "ms", False),
    ("peak_rss_mib", "MiB", False), ("rss_after_mib", "MiB", False), ("disk_mib", "MiB", False),
]


def check_notes(m, expected_week, expected_year):
    notes = []
    for label, exp in (("week", expected_week), ("year", expected_year)):
        if not m.get("query_%s_correct" % label):
            notes.append("WRONG %s query (%s of %s)" % (label, m.get("query_%s_hrefs" % label), exp))
    if m.get("put_failures"):
        notes.append("%d PUTs failed" % m["put_failures"])
    if m.get("cal_multiget100_ok") == 0:
        notes.append("multiget incomplete")
    if m.get("ab_query_email_ok") == 0:
        notes.append("EMAIL query wrong")
    if m.get("mixed_errors"):
        notes.append("%d mixed-load errors" % m["mixed_errors"])
    return notes


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", default=None)
    ap.add_argument("--peer-max", type=int, default=1000)
    ap.add_argument("--servers", default="veildav,radicale,xandikos")
    ap.add_argument("--out", default=os.path.join(TOP, "build", "bench-results.tsv"))
    ap.add_argument("--veildav", default=os.environ.get("VEILDAV", os.path.join(TOP, "build", "veildav")))
    a = ap.parse_args(argv)
    sizes = [int(x) for x in (a.n or ("1000" if a.quick else "1000,10000")).split(",")]
    names = a.servers.split(",")
    work = tempfile.mkdtemp(prefix="veil-bench-")
    rows = {}  # (n, server) -> metrics
    for n in sizes:
        events, tasks, cards = gen.dataset(n)
        exp = {label: sum(1 for e in events if e.overlaps(s, t)) for label, s, t in gen.windows()}
        for name in names:
            if name != "veildav" and n > a.peer_max:
                print("# N=%d %s: skipped (above --peer-max %d)" % (n, name, a.peer_max), flush=True)
                continue
            srv = {"veildav": lambda: servers.Veil(work, a.veildav),
                   "radicale": lambda: servers.Radicale(work),
                   "xandikos": lambda: servers.Xandikos(work)}[name]()
            print("# N=%d %s ..." % (n, name), flush=True)
            t = time.time()
            try:
                m = run_one(srv, n, a.quick, events, tasks, cards)
            except Exception as exc:  # a peer that falls over is reported, not fatal
                print("# N=%d %s failed: %s" % (n, name, exc), flush=True)
                continue
            m["notes"] = check_notes(m, exp["week"], exp["year"])
            rows[(n, name)] = m
            print("# N=%d %s done in %.0f s %s" % (n, name, time.time() - t, "; ".join(m["notes"])),
                  flush=True)
    report(rows, sizes, names, a.out)
    return 0


def report(rows, sizes, names, out):
    peers = [x for x in names if x != "veildav"]
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tsv = ["n\tmetric\tunit\t" + "\t".join(names)]
    for n in sizes:
        print("\n## N = %d" % n)
        head = "| metric | " + " | ".join(names) + " | " + " | ".join(
            "Veil/%s" % p for p in peers) + " |"
        print(head)
        print("|" + " --- |" * (head.count("|") - 1))
        for key, unit, higher in METRICS:
            vals = [rows.get((n, s), {}).get(key) for s in names]
            cells = ["-" if v is None else ("%.0f" % v if v >= 100 else "%.2f" % v) for v in vals]
            ratios = []
            v0 = rows.get((n, "veildav"), {}).get(key)
            for p in peers:
                vp = rows.get((n, p), {}).get(key)
                if v0 is None or vp is None or higher is None or not v0 or not vp:
                    ratios.append("-")
                else:
                    ratios.append("%.1f×" % (v0 / vp if higher else vp / v0))
            print("| %s (%s) | %s | %s |" % (key, unit, " | ".join(cells), " | ".join(ratios)))
            tsv.append("%d\t%s\t%s\t%s" % (n, key, unit, "\t".join(
                "" if v is None else "%.3f" % v for v in vals)))
        for s in names:
            notes = rows.get((n, s), {}).get("notes")
            if notes:
                print("- %s: %s" % (s, "; ".join(notes)))
            elif (n, s) not in rows:
                print("- %s: not run at this N" % s)
    with open(out, "w") as f:
        f.write("\n".join(tsv) + "\n")
    print("\nratios: how many times better Veil is (speed-up for times, factor for rates)")
    print("TSV: %s" % out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/python3
"""Veil against Radicale and Xandikos: same data, same workloads, same run.

Usage: tests/bench/run.sh [--n 1000,10000,100000] [--quick] [--servers veildav,radicale,xandikos]
                          [--peer-budget MINUTES] [--put-tail K] [--out FILE.tsv]

For every N and every server: a fresh server with one user is loaded with N
events, N/10 tasks and N contacts (gen.py), then measured (workloads.py).
The bulk PUT figures are taken over the last K events of the calendar
(--put-tail, default 1,000: all of them at N = 1,000): a tenth with one
client, the rest with 16.  What comes before them is loaded unmeasured —
through HTTP for Veil, straight into the peers' own storage (hours through
their HTTP interface at 10,000) — and the server is restarted before the
measured part.  A peer is skipped at an N where its run at a smaller N,
scaled linearly, would exceed --peer-budget.  Latencies are medians of
several runs after one unmeasured warm-up; ratios compare figures of this one
run.  Only 127.0.0.1 is contacted."""
import argparse
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import report  # noqa: E402
import servers  # noqa: E402
import workloads as w  # noqa: E402
from client import XML, Client  # noqa: E402

TOP = os.path.dirname(os.path.dirname(HERE))
ICS, VCF = "text/calendar; charset=utf-8", "text/vcard; charset=utf-8"


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


class Plan:
    """How many repetitions: full, or --quick."""

    def __init__(self, quick):
        self.runs = 3 if quick else 5              # latency runs (after a warm-up)
        self.propfind_max = 5 if quick else 20     # PROPFIND runs for its p99, while in budget
        self.budget = 15 if quick else 60          # seconds one latency figure may take
        self.mixed_seconds = 5 if quick else 20
        self.mixed_runs = 1 if quick else 3
        self.put_batches = 3 if quick else 5


def run_server(srv, n, data, plan, tail):
    events, tasks, cards = data
    r = w.Result()
    head = n - min(n, tail)
    c = None
    srv.prepare()
    if srv.name == "veildav":
        w.scheduling_users(srv)
    cal = [(srv.calendar + e.name, e.text) for e in events]
    try:
        if head:
            if srv.can_fill:
                log("  filling %d events, %d tasks, %d cards into the store"
                    % (head, len(tasks), len(cards)))
                srv.fill(srv.calendar, [(e.name, e.text) for e in events[:head]])
                srv.fill(srv.tasks, tasks)
                srv.fill(srv.addressbook, [(x.name, x.text) for x in cards])
            else:
                srv.start()
                log("  importing %d events, %d tasks, %d cards over HTTP"
                    % (head, len(tasks), len(cards)))
                t = time.perf_counter()
                loads = [(cal[:head], ICS), ([(srv.tasks + a, b) for a, b in tasks], ICS),
                         ([(srv.addressbook + x.name, x.text) for x in cards], VCF)]
                for items, ctype in loads:
                    _dt, fails, first = w.put_all(srv, items, ctype, 16)
                    if fails:
                        r.fail("import_obj_s", "import: %d PUTs failed: %s" % (fails, first))
                r.m["import_obj_s"] = sum(len(i) for i, _c in loads) / (time.perf_counter() - t)
                srv.stop()
        srv.start()
        c = Client(srv)
        c.req("OPTIONS", srv.calendar)  # a slow password hash is paid once, then cached
        if head:  # whatever a peer builds on first sight of filled objects, built now
            for coll in (srv.calendar, srv.tasks, srv.addressbook):
                c.req("PROPFIND", coll, w.PROPFIND_ETAG_TYPE, dict(XML, Depth="1"))
        single = max(1, (n - head) // 10)
        log("  PUT %d events with 1 client, %d with 16" % (single, n - head - single))
        w.bulk_put(srv, r, "put1", cal[head:head + single], ICS, 1, plan.put_batches)
        w.bulk_put(srv, r, "put16", cal[head + single:], ICS, 16, plan.put_batches)
        if not head:
            for items, ctype in (([(srv.tasks + a, b) for a, b in tasks], ICS),
                                 ([(srv.addressbook + x.name, x.text) for x in cards], VCF)):
                _dt, fails, first = w.put_all(srv, items, ctype, 16)
                if fails:
                    r.fail("put16_obj_s", "loading: %d PUTs failed: %s" % (fails, first))
        r.m["disk_mib"] = servers.disk_bytes(srv.data_dir) / 1048576.0

        log("  PROPFIND, calendar-query, multiget, addressbook-query")
        w.propfind_depth1(srv, r, c, {e.name for e in events}, plan.runs, plan.propfind_max,
                          plan.budget)
        w.time_range_queries(srv, r, c, events, plan.runs, plan.budget)
        w.multiget(srv, r, c, "cal_multiget", srv.calendar, "C:calendar-multiget",
                   "C:calendar-data", [e.name for e in events[::max(1, n // 100)][:100]],
                   plan.runs, plan.budget)
        w.addressbook_query(srv, r, c, cards, plan.runs, plan.budget)
        w.multiget(srv, r, c, "ab_multiget", srv.addressbook, "CR:addressbook-multiget",
                   "CR:address-data", [x.name for x in cards[::max(1, n // 100)][:100]],
                   plan.runs, plan.budget)
        if srv.name == "veildav":
            log("  scheduling: organizer PUTs with %d local attendees" % w.SCHED_ATTENDEES)
            w.scheduling_put(srv, r, c, plan.runs, plan.budget)
        log("  mixed load (wrk, 16 connections, %d x %d s)" % (plan.mixed_runs, plan.mixed_seconds))
        w.mixed_load(srv, r, events, cards, plan.mixed_seconds, plan.mixed_runs)
        log("  sync-collection")
        extra = gen.make_event(random.Random(n), n + 1)
        w.sync_collection(srv, r, c, events, extra, plan.runs, plan.budget)
        r.m["rss_peak_mib"] = srv.status_kib("VmHWM") / 1024.0
        r.m["rss_end_mib"] = srv.status_kib("VmRSS") / 1024.0
        # the part of it that is the server's own (heap, caches), not shared
        # library code or mapped files
        r.m["rss_anon_mib"] = srv.status_kib("RssAnon") / 1024.0
    finally:
        if c:
            c.close()
        srv.stop()
    return r


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="N = 1,000, 3 runs per latency, one 5 s mixed run")
    ap.add_argument("--n", help="object counts, comma-separated (default 1000,10000)")
    ap.add_argument("--servers", default="veildav,radicale,xandikos")
    ap.add_argument("--peer-budget", type=float, default=90,
                    help="minutes a peer may take at one N, projected from the smaller N")
    ap.add_argument("--put-tail", type=int,
                    help="events whose PUT is measured (the last ones of the calendar; "
                    "default 1,000, 300 with --quick)")
    ap.add_argument("--out", help="TSV file (default build/bench/results-DATE.tsv)")
    ap.add_argument("--veildav", default=os.environ.get("VEILDAV",
                                                        os.path.join(TOP, "build", "veildav")))
    a = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds: every server stopped
    plan = Plan(a.quick)
    if a.put_tail is None:  # the peers manage 10-30 PUTs/s: 1,000 of them take minutes
        a.put_tail = 300 if a.quick else 1000
    sizes = [int(x) for x in (a.n or ("1000" if a.quick else "1000,10000")).split(",")]
    names = a.servers.split(",")
    stamp = time.strftime("%Y-%m-%d")
    out = a.out or os.path.join(TOP, "build", "bench", "results-%s.tsv" % stamp)
    work = tempfile.mkdtemp(prefix="veil-bench-")
    rows, skipped, took = {}, {}, {}
    load0 = os.getloadavg()
    for n in sizes:
        log("N = %d: generating data" % n)
        data = gen.dataset(n)
        for name in names:
            prev = [(m, took[(m, name)]) for m in sizes if m < n and (m, name) in took]
            if name != "veildav" and prev:
                m, secs = prev[-1]
                projected = secs * n / m / 60.0
                if projected > a.peer_budget:
                    skipped[(n, name)] = ("not run: projected %.0f min from its N = %d run "
                                          "(--peer-budget %.0f)" % (projected, m, a.peer_budget))
                    log("N = %d, %s: %s" % (n, name, skipped[(n, name)]))
                    continue
            srv = servers.make(name, work, a.veildav)
            log("N = %d, %s (%s): starting" % (n, name, srv.version()))
            t = time.time()
            try:
                rows[(n, name)] = run_server(srv, n, data, plan, a.put_tail)
            except Exception as exc:  # a server that falls over is reported, not fatal
                skipped[(n, name)] = "failed: %s: %s" % (type(exc).__name__, exc)
                log("N = %d, %s: %s" % (n, name, skipped[(n, name)]))
                continue
            finally:
                if not os.environ.get("VEIL_BENCH_KEEP"):
                    shutil.rmtree(srv.dir, ignore_errors=True)
            took[(n, name)] = time.time() - t
            log("N = %d, %s: done in %.0f s %s" % (n, name, took[(n, name)],
                                                    "; ".join(rows[(n, name)].notes)))
            write(out, stamp, rows, sizes, names, skipped, load0, a.quick, partial=True)
    lines = write(out, stamp, rows, sizes, names, skipped, load0, a.quick)
    print("\n".join(lines))
    print("\nTSV: %s\nTable: %s" % (out, os.path.splitext(out)[0] + ".md"))
    return 0


def write(out, stamp, rows, sizes, names, skipped, load0, quick, partial=False):
    """The table and the TSV; also written after every server, so a run that
    is stopped early keeps what it measured."""
    lines = ["Benchmark %s on %s, %d cores, load average %.1f at start and %.1f at end; %s%s" % (
        time.strftime("%Y-%m-%d %H:%M"), platform.node() or "this machine", os.cpu_count(),
        load0[0], os.getloadavg()[0], "quick" if quick else "full",
        " (partial: the run is still going or was stopped)" if partial else ""), ""]
    lines += report.table(rows, sizes, names)
    lines += ["", "✓/✗: the answer against the reference computation; ✗ on a figure: that "
              "server's answer was wrong. Veil vs peer: how many times better Veil is (a speed-up "
              "for times, a factor for rates and sizes)."]
    lines += report.notes(rows, sizes, names, skipped)
    lines += report.targets(rows, sizes, names)
    report.write_tsv(out, rows, stamp)
    with open(os.path.splitext(out)[0] + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    return lines


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

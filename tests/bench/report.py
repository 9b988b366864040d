"""The benchmark's output: one Markdown table (every metric for every server
and N, and how many times better Veil is than each peer), the targets of
issue 6 checked at the largest N the peers ran, and a TSV with every figure."""
import os

# key, label, unit, better: "high" (a rate), "low" (a time or a size), None (information)
METRICS = [
    ("put1_obj_s", "bulk PUT, 1 client", "obj/s", "high"),
    ("put16_obj_s", "bulk PUT, 16 clients", "obj/s", "high"),
    ("sched_put_ms", "organizer PUT with 10 local attendees, median (Veil: RFC 6638)", "ms", "low"),
    ("put16_cpu_ms", "server CPU per PUT (16 clients)", "ms", "low"),
    ("import_obj_s", "bulk import before the measured PUTs (Veil)", "obj/s", None),
    ("propfind_ms", "PROPFIND Depth 1 getetag+getcontenttype, median", "ms", "low"),
    ("propfind_p99_ms", "PROPFIND Depth 1, p99", "ms", "low"),
    ("propfind_kib", "PROPFIND Depth 1, response size", "KiB", None),
    ("query_week_ms", "calendar-query, one week", "ms", "low"),
    ("query_week_hrefs", "calendar-query, one week: hrefs", "", None),
    ("query_year_ms", "calendar-query, one year", "ms", "low"),
    ("query_year_hrefs", "calendar-query, one year: hrefs", "", None),
    ("cal_multiget_ms", "calendar-multiget, 100 hrefs", "ms", "low"),
    ("ab_query_ms", "addressbook-query, EMAIL text-match", "ms", "low"),
    ("ab_query_hrefs", "addressbook-query: hrefs", "", None),
    ("ab_multiget_ms", "addressbook-multiget, 100 hrefs", "ms", "low"),
    ("sync_initial_ms", "sync-collection, initial", "ms", "low"),
    ("sync_incr_ms", "sync-collection, after 10 changes", "ms", "low"),
    ("mixed_req_s", "mixed reads, 16 connections", "req/s", "high"),
    ("mixed_p50_ms", "mixed reads, p50", "ms", "low"),
    ("mixed_p99_ms", "mixed reads, p99", "ms", "low"),
    ("mixed_cpu_ms", "server CPU per mixed request", "ms", "low"),
    ("mixed_wrk_cpu_pct", "wrk's own CPU (of one core)", "%", None),
    ("rss_peak_mib", "peak RSS (VmHWM)", "MiB", "low"),
    ("rss_end_mib", "RSS at the end (VmRSS)", "MiB", "low"),
    ("rss_anon_mib", "of which private (RssAnon)", "MiB", "low"),
    ("disk_mib", "on-disk size after load", "MiB", "low"),
]
UNITS = {k: u for k, _l, u, _b in METRICS}

# issue 6's targets, against the faster peer at N = 10,000
TARGET_50 = ("put1_obj_s", "put16_obj_s", "propfind_ms", "query_week_ms", "query_year_ms",
             "ab_query_ms", "mixed_req_s")
TARGET_10 = ("propfind_p99_ms", "cal_multiget_ms", "ab_multiget_ms", "sync_initial_ms",
             "sync_incr_ms", "mixed_p50_ms", "mixed_p99_ms")


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def better(key, veil, peer):
    """How many times better Veil's figure is than the peer's, or None."""
    direction = next(b for k, _l, _u, b in METRICS if k == key)
    if direction is None or not veil or not peer:
        return None
    return veil / peer if direction == "high" else peer / veil


def cell(res, key):
    if res is None:
        return "-"
    v = res.m.get(key)
    if v is None:
        return "-"
    if key.endswith("_hrefs"):
        exp = res.m.get(key.replace("_hrefs", "_expected"))
        mark = " ✗" if res.ok.get(key) is False else " ✓"
        return fmt(v) + mark + (" (ref %d)" % exp if exp is not None and mark == " ✗" else "")
    return fmt(v) + (" ✗" if res.ok.get(key) is False else "")


def ratio_cell(key, veil, peer):
    if veil is None or peer is None or key not in veil.m or key not in peer.m:
        return "-"
    x = better(key, veil.m[key], peer.m[key])
    if x is None:
        return ""
    if veil.ok.get(key) is False:
        return "FAIL (Veil wrong)"
    text = ("%.0f×" if x >= 10 else "%.1f×") % x
    return text + (" (peer wrong)" if peer.ok.get(key) is False else "")


def table(rows, sizes, names):
    """rows: {(n, server): Result}.  The one Markdown table."""
    peers = [s for s in names if s != "veildav"]
    out = ["| N | metric | " + " | ".join(names + ["Veil vs %s" % p for p in peers]) + " |",
           "|" + " --- |" * (2 + len(names) + len(peers))]
    for n in sizes:
        present = [s for s in names if (n, s) in rows]
        if not present:
            continue
        for key, label, unit, _b in METRICS:
            if all(rows[(n, s)].m.get(key) is None for s in present):
                continue
            veil = rows.get((n, "veildav"))
            out.append("| %s | %s%s | %s |" % (
                "{:,}".format(n), label, " (%s)" % unit if unit else "",
                " | ".join([cell(rows.get((n, s)), key) for s in names] +
                           [ratio_cell(key, veil, rows.get((n, p))) for p in peers])))
    return out


def notes(rows, sizes, names, skipped):
    out = []
    for n in sizes:
        for s in names:
            res = rows.get((n, s))
            if (n, s) in skipped:
                out.append("- N = {:,}, {}: {}".format(n, s, skipped[(n, s)]))
            elif res is not None:
                for note in res.notes:
                    out.append("- N = {:,}, {}: {}".format(n, s, note))
    return out


def targets(rows, sizes, names):
    """Issue 6's targets at the largest N where a peer ran (10,000 in a full run)."""
    peers = [s for s in names if s != "veildav"]
    both = [n for n in sizes if (n, "veildav") in rows and any((n, p) in rows for p in peers)]
    if not both:
        return []
    n = 10000 if 10000 in both else max(both)
    veil = rows[(n, "veildav")]
    out = ["", "Targets at N = {:,} (Veil against the faster peer that answered correctly):".format(n),
           "", "| metric | target | Veil | faster peer | × better | met |", "| --- | --- | --- | --- | --- | --- |"]

    def line(key, need, label):
        cands = [(rows[(n, p)].m[key], p) for p in peers if (n, p) in rows
                 and rows[(n, p)].m.get(key) is not None and rows[(n, p)].ok.get(key) is not False]
        if key not in veil.m or not cands:
            out.append("| %s | %s | %s | no correct peer figure | | |" % (label, need, cell(veil, key)))
            return
        high = next(b for k, _l, _u, b in METRICS if k == key) == "high"
        pv, p = max(cands) if high else min(cands)
        x = better(key, veil.m[key], pv)
        ok = veil.ok.get(key) is not False and x is not None and x >= need
        out.append("| %s | ≥ %g× | %s | %s %s | %s | %s |" % (
            label, need, cell(veil, key), p, fmt(pv), "%.1f×" % x if x else "-",
            "yes" if ok else "**no**"))

    labels = {k: l for k, l, _u, _b in METRICS}
    for key in TARGET_50:
        line(key, 50, labels[key])
    for key in TARGET_10:
        line(key, 10, labels[key])
    line("rss_peak_mib", 3, "peak RSS (≤ 1/3 of the smaller peer's)")
    big = [m for m in sizes if m > n and (m, "veildav") in rows]
    if big and veil.m.get("rss_peak_mib"):
        m = max(big)
        r = rows[(m, "veildav")].m.get("rss_peak_mib", 0) / veil.m["rss_peak_mib"]
        out.append("| Veil peak RSS at N = {:,} / at N = {:,} | ≤ 2 | {:.2f} | | | {} |".format(
            m, n, r, "yes" if r <= 2 else "**no**"))
    vs = [(m, rows[(m, "veildav")]) for m in sizes if (m, "veildav") in rows]
    if len(vs) > 1:
        out += ["", "Veil's calendar-query time against N and the number of matches:", ""]
        for m, res in vs:
            out.append("- N = {:,}: week {} ms for {} hrefs, year {} ms for {} hrefs ({} µs per "
                       "match)".format(m, fmt(res.m.get("query_week_ms")),
                                       fmt(res.m.get("query_week_hrefs")),
                                       fmt(res.m.get("query_year_ms")),
                                       fmt(res.m.get("query_year_hrefs")),
                                       fmt(1000.0 * res.m.get("query_year_ms", 0) /
                                           max(1, res.m.get("query_year_hrefs", 1)))))
    return out


def write_tsv(path, rows, stamp):
    """Long format, one figure a line: date, n, server, metric, value, unit, ok."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("date\tn\tserver\tmetric\tvalue\tunit\tok\n")
        for (n, s), res in sorted(rows.items()):
            for key, v in sorted(res.m.items()):
                f.write("%s\t%d\t%s\t%s\t%.4f\t%s\t%d\n" % (stamp, n, s, key, v, UNITS.get(key, ""),
                                                           0 if res.ok.get(key) is False else 1))

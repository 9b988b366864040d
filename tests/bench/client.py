"""HTTP client side of the benchmark: keep-alive connections with Basic auth,
request bodies, multistatus parsing and timing.  Standard library only."""
import base64
import http.client
import statistics
import time
import xml.etree.ElementTree as ET
from urllib.parse import unquote

NSDECL = ('xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
          'xmlns:CR="urn:ietf:params:xml:ns:carddav"')
XML = {"Content-Type": "application/xml; charset=utf-8"}


def basic(auth):
    return "Basic " + base64.b64encode(("%s:%s" % auth).encode()).decode() if auth else None


class Client:
    """One keep-alive connection; Basic auth on every request when the server
    has authentication."""

    def __init__(self, srv, timeout=900):
        self.srv, self.timeout = srv, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
        self.auth = basic(srv.auth)

    def req(self, method, path, body=None, headers=None):
        """(status, body bytes); reconnects once if the server closed the
        kept-alive connection."""
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        if isinstance(body, str):
            body = body.encode("utf-8")
        for attempt in (0, 1):
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.srv.port,
                                                       timeout=self.timeout)
                if attempt:
                    raise
        return 0, b""

    def report(self, path, body, depth="1"):
        return self.req("REPORT", path, body, dict(XML, Depth=depth))

    def close(self):
        self.conn.close()


def multistatus(body):
    """{decoded href: status code} of a multistatus: a response's own status,
    else 200 when it has a 200 propstat, else the first propstat's; plus the
    DAV:sync-token when there is one."""
    out, token = {}, None
    root = ET.fromstring(body)
    for r in root.findall("{DAV:}response"):
        href = unquote(r.findtext("{DAV:}href", "").strip())
        st = r.findtext("{DAV:}status")
        codes = [ps.findtext("{DAV:}status", "") for ps in r.findall("{DAV:}propstat")]
        if st:
            code = _code(st)
        elif any(_code(c) == 200 for c in codes):
            code = 200
        else:
            code = _code(codes[0]) if codes else 0
        out[href] = code
    t = root.find("{DAV:}sync-token")
    if t is not None:
        token = (t.text or "").strip()
    return out, token


def _code(status_line):
    try:
        return int(status_line.split()[1])
    except (IndexError, ValueError):
        return 0


def names(hrefs, collection, code=200):
    """Member names of a collection among multistatus hrefs with a status."""
    return {h[len(collection):] if h.startswith(collection) else h.rsplit("/", 1)[-1]
            for h, c in hrefs.items() if c == code and h.rstrip("/") != collection.rstrip("/")}


class Timing:
    """Latencies of repeated runs of one request (seconds)."""

    def __init__(self, samples, result):
        self.samples, self.result = samples, result

    @property
    def median(self):
        return statistics.median(self.samples)

    def percentile(self, p):
        """Nearest-rank percentile; with fewer than 100 samples p99 is the worst."""
        s = sorted(self.samples)
        k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.4999)) - 1))
        return s[k]


def timed(fn, runs, max_runs=None, budget=None):
    """One unmeasured warm-up call, then `runs` measured calls (up to
    max_runs while the total stays under budget seconds).  The warm-up lets a
    server build whatever caches it keeps, as it would for a client that
    comes back; when the warm-up alone exceeds the budget, 3 runs are kept."""
    t = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t
    if budget and first * runs > budget:
        runs = max(3, min(runs, int(budget / max(first, 1e-9))))
    samples, start = [], time.perf_counter()
    while True:
        t = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t)
        if len(samples) >= (max_runs or runs):
            break
        if len(samples) >= runs and (not budget or time.perf_counter() - start > budget):
            break
    return Timing(samples, result)

"""Test harness: a real veildav on 127.0.0.1 with a fresh data directory.

Nothing is mocked: each server is the built binary, its store is a real
SQLite file, and tests speak HTTP to it with http.client.
"""
import base64
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

NS = {
    "D": "DAV:",
    "C": "urn:ietf:params:xml:ns:caldav",
    "CR": "urn:ietf:params:xml:ns:carddav",
    "CS": "http://calendarserver.org/ns/",
    "A": "http://apple.com/ns/ical/",
}


def veildav_binary():
    """The binary under test: $VEILDAV, else build/veildav."""
    path = os.environ.get("VEILDAV") or os.path.join(ROOT, "build", "veildav")
    if not os.access(path, os.X_OK):
        raise RuntimeError("veildav binary not found at %s (build first or set VEILDAV)" % path)
    return path


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased name -> value (last wins)
        self.header_list = []
        self.body = body

    def header(self, name):
        return self.headers.get(name.lower())

    def xml(self):
        return ET.fromstring(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Server:
    """A veildav process with its own data directory."""

    def __init__(self, config=None, keep=False, data=None):
        """data: the data directory (default: DIR/data in a fresh temporary
        DIR, which holds the log too)."""
        self.dir = tempfile.mkdtemp(prefix="veil-it-")
        self.data = data or os.path.join(self.dir, "data")
        self.port = free_port()
        self.binary = veildav_binary()
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")
        self.cli("init", "--listen", "127.0.0.1:%d" % self.port)
        if config:
            with open(os.path.join(self.data, "veildav.conf"), "a") as f:
                for k, v in config.items():
                    f.write("%s = %s\n" % (k, v))

    # --- administration through the real CLI -------------------------------
    def cli(self, *args, stdin=None, check=True):
        p = subprocess.run([self.binary, "--data", self.data] + list(args),
                           input=stdin.encode() if isinstance(stdin, str) else stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        if check and p.returncode != 0:
            raise RuntimeError("veildav %s failed (%d): %s" % (" ".join(args), p.returncode,
                                                               p.stderr.decode()))
        return p

    def add_user(self, login, password=None, display_name=None):
        args = ["user", "add", login]
        if display_name:
            args += ["--display-name", display_name]
        if password is not None:
            self.cli(*(args + ["--password-stdin"]), stdin=password + "\n")
        else:
            password = self.cli(*args).stdout.decode().strip()
        return password

    def app_password(self, login, name, *extra):
        p = self.cli("app-password", "create", "--user", login, "--name", name, *extra)
        return p.stdout.decode().strip()

    def principal_url(self, login):
        return self.cli("user", "show", login).stdout.decode().strip().splitlines()[0]

    def pid(self, login):
        return self.principal_url(login).rstrip("/").split("/")[-1]

    # --- process -------------------------------------------------------------
    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "--data", self.data, "serve"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("veildav exited: %s" % open(self.log_path).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("veildav did not start listening")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None
        self.check_sanitizers()

    SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                       "WARNING: ThreadSanitizer")

    def check_sanitizers(self):
        """A sanitizer report in the server's log fails the test that ran it."""
        log = self.server_log()
        for mark in self.SANITIZER_MARKS:
            if mark in log:
                start = log.index(mark)
                raise AssertionError("the server reported a sanitizer error:\n" +
                                     log[max(0, start - 200):start + 3000])

    def kill9(self):
        # a killed process cannot report; its log is still checked on the next stop
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def cleanup(self):
        self.stop()
        if not os.environ.get("VEIL_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    def server_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- HTTP ------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, auth=None, conn=None):
        h = dict(headers or {})
        if auth:
            token = base64.b64encode(("%s:%s" % auth).encode("utf-8")).decode()
            h["Authorization"] = "Basic " + token
        if isinstance(body, str):
            body = body.encode("utf-8")
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
            resp.header_list = r.getheaders()
            return resp
        finally:
            if own:
                c.close()


class User:
    """A login with credentials bound to a server: u.get(path) ..."""

    def __init__(self, server, login, password):
        self.server, self.login, self.password = server, login, password
        self.pid = server.pid(login)
        self.files = "/files/%s/" % self.pid
        self.principal = "/principals/%s/" % self.pid
        self.calendars = "/calendars/%s/" % self.pid
        self.addressbooks = "/addressbooks/%s/" % self.pid

    def req(self, method, path, body=None, headers=None, **kw):
        return self.server.request(method, path, body, headers, auth=(self.login, self.password),
                                   **kw)

    def __getattr__(self, name):
        method = name.upper().replace("_", "-")
        return lambda path, body=None, headers=None: self.req(method, path, body, headers)


class ServerTest(unittest.TestCase):
    """Base class: one server per test class, with user 'alice' ready."""

    config = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server(config=cls.config)
        pw = cls.server.add_user("alice", password="alice-account-password",
                                 display_name="Alice")
        cls.alice_pw = pw
        cls.server.start()
        cls.alice = User(cls.server, "alice", cls.server.app_password("alice", "tests"))

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()


def propfind_body(*props):
    inner = "".join("<%s/>" % p for p in props)
    return ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
            'xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" '
            'xmlns:A="http://apple.com/ns/ical/" xmlns:CR="urn:ietf:params:xml:ns:carddav">'
            '<D:prop>%s</D:prop></D:propfind>' % inner)


def responses(resp):
    """multistatus -> {href: {status-code: [elements]}}"""
    out = {}
    root = resp.xml()
    for r in root.findall("D:response", NS):
        href = r.find("D:href", NS).text
        stats = {}
        for ps in r.findall("D:propstat", NS):
            code = int(ps.find("D:status", NS).text.split()[1])
            stats.setdefault(code, []).extend(list(ps.find("D:prop", NS)))
        st = r.find("D:status", NS)
        if st is not None:
            stats.setdefault(int(st.text.split()[1]), [])
        out[href] = stats
    return out


def prop(resp_map, href, tag, code=200):
    """The element named tag ('{DAV:}getetag') among href's props with code."""
    for el in resp_map.get(href, {}).get(code, []):
        if el.tag == tag:
            return el
    return None

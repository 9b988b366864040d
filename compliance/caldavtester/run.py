#!/usr/bin/python3
"""Runs Apple's CalDAVTester against a real veildav (python3, standard library only).

Called by compliance/caldavtester.sh, which documents the environment.  Steps:

 1. provision a template data directory once per run with the CLI: the accounts
    CalDAVTester's files log in as (user01..user40 with password = login, admin,
    apprentice, i18nuser, public01..10), their exposed addresses, and the group,
    resource and location principals;
 2. start a server on that template once to read each principal's urn:uuid
    address, and write serverinfo.xml with Veil's real URLs (principal ids are
    random, so the serverinfo is generated per run);
 3. for every test file: copy the template (a fresh, identical store, so results
    do not depend on order), start veildav on it, run testcaldav.py under
    Python 2.7 with the "log" and "jsondump" observers, stop the server, and
    count what passed, failed and was skipped.  Files that expect redirects to
    CalDAVTester's HTTPS address ($hostssl:, the well-known files) run over
    TLS: veildav serves HTTPS with a self-signed certificate made by openssl,
    and testcaldav.py gets --ssl;
 4. print a table, write results.tsv and results.md in the work directory, and
    end with "caldavtester: N passed, M failed, K skipped".
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from base64 import b64encode
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

OK, FAILED, ERROR, IGNORED = 0, 1, 2, 3

# What Veil implements, as CalDAVTester's feature names.  Files, suites and
# tests that need anything else are counted as skipped.
FEATURES = [
    "caldav", "carddav", "COPY Method", "MOVE Method", "Extended MKCOL",
    "ACL Method", "acl-principal-prop-set REPORT", "principal-match REPORT",
    "principal-property-search REPORT", "principal-search-property-set REPORT",
    "current-user-principal", "ctag", "expand-property", "sync-report",
    "sync-report-limit", "sync-report-home", "well-known", "own-root", "auth-on-root", "prefer",
    "prefer-minimal", "prefer-representation", "prefer-noroot", "brief", "proxy",
    "timezones-by-reference", "resource-id", "shared-calendars",
    "shared-addressbooks", "split-calendars", "share-calendars-to-groups", "default-addressbook",
    "implicit-scheduling", "no-duplicate-uids",
]

NUM_USERS = 40
EMAIL_DOMAIN = "example.com"


def env(name, default=None):
    v = os.environ.get(name)
    return v if v not in (None, "") else default


def die(msg):
    sys.stderr.write("caldavtester: %s\n" % msg)
    sys.exit(2)


# --- accounts -------------------------------------------------------------

def accounts():
    """(login, password, display name, exposed address or None) of every
    account the test files use."""
    out = []
    for i in range(1, NUM_USERS + 1):
        out.append(("user%02d" % i, "user%02d" % i, "User %02d" % i,
                    "user%02d@%s" % (i, EMAIL_DOMAIN)))
    for i in range(1, 11):
        out.append(("public%02d" % i, "public%02d" % i, "Public %02d" % i,
                    "public%02d@%s" % (i, EMAIL_DOMAIN)))
    out.append(("admin", "admin", "Super User", "admin@%s" % EMAIL_DOMAIN))
    out.append(("apprentice", "apprentice", "Apprentice Super User",
                "apprentice@%s" % EMAIL_DOMAIN))
    out.append(("i18nuser", "i18nuser", "\u307e\u3060", "i18nuser@%s" % EMAIL_DOMAIN))
    return out


class Veil:
    def __init__(self, binary, data):
        self.binary = binary
        self.data = data
        self.proc = None
        self.port = None
        self.log_path = None

    def cli(self, *args, stdin=None):
        p = subprocess.run([self.binary, "--data", self.data] + list(args),
                           input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            die("veildav %s failed: %s" % (" ".join(args), p.stderr.decode(errors="replace").strip()))
        return p.stdout.decode()

    def start(self, port, log_path, tls=None):
        """tls: (certificate, key) PEM paths to serve HTTPS instead of HTTP."""
        self.port = port
        self.log_path = log_path
        log = open(log_path, "ab")
        cmd = [self.binary, "--data", self.data, "serve", "--listen", "127.0.0.1:%d" % port]
        if tls:
            cmd += ["--tls-cert", tls[0], "--tls-key", tls[1]]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                die("veildav exited at start; see %s" % log_path)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        die("veildav did not start listening on 127.0.0.1:%d" % port)

    def stop(self):
        """Stops the server; returns its exit status (None if it had died)."""
        if not self.proc:
            return None
        if self.proc.poll() is not None:
            return self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -9


# Settings of the server under test.  Depth: infinity PROPFIND is a deployment
# choice (RFC 4918 §9.1); CalDAVTester's files assume it is refused, as on
# Apple's server.
CONFIG = {"propfind_infinity": "no"}
# CDT_CONFIG="key=value;key=value" adds settings (e.g. mail_transport = smtp
# and smtp_url for a local SMTP sink, to run implicitimip.xml)
for _kv in filter(None, (os.environ.get("CDT_CONFIG") or "").split(";")):
    _k, _, _v = _kv.partition("=")
    CONFIG[_k.strip()] = _v.strip()


# Group memberships of CalDAVTester's test directory (the fixture its
# aclreports, expandproperty and proxy files assume; members are logins or
# "group:NAME").
GROUP_MEMBERS = {
    "group01": ["user01"],
    "group02": ["user06", "user07"],
    "group03": ["user08", "user09"],
    "group04": ["group:group02", "group:group03", "user10"],
    "group05": ["group:group06", "user20"],
    "group06": ["user21"],
    "group07": ["user22", "user23", "user24"],
}


def provision(veil):
    veil.cli("init", "--listen", "127.0.0.1:1")
    with open(os.path.join(veil.data, "veildav.conf"), "a", encoding="utf-8") as f:
        for k, v in CONFIG.items():
            f.write("%s = %s\n" % (k, v))
    principals = {}
    for login, password, display, address in accounts():
        veil.cli("user", "add", login, "--display-name", display, "--password-stdin",
                 stdin=(password + "\n").encode())
        if address:
            veil.cli("alias", "add", login, address, "--expose")
        principals[login] = veil.cli("user", "show", login).splitlines()[0].strip()
    for i in range(1, 41):
        name = "group%02d" % i
        principals[name] = veil.cli("group", "add", name, "--display-name",
                                    "Group %02d" % i).strip()
    for group, members in GROUP_MEMBERS.items():
        for m in members:
            veil.cli("group", "member", "add", group, m)
    for kind, count, label, rtype in (("resource", 20, "Resource", "resource"),
                                      ("location", 10, "Location", "location")):
        for i in range(1, count + 1):
            name = "%s%02d" % (kind, i)
            principals[name] = veil.cli("resource", "add", name, "--type", rtype,
                                        "--display-name", "%s %02d" % (label, i)).strip()
    # the test directory's delegates: user01 writes and user03 reads resource01..10
    for i in range(1, 11):
        veil.cli("delegate", "add", "resource:resource%02d" % i, "user01", "--write")
        veil.cli("delegate", "add", "resource:resource%02d" % i, "user03")
    return principals


def user_addresses(port, principals):
    """Each principal's calendar-user-address-set, read over HTTP as the user."""
    body = (b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:" '
            b'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-user-address-set/>'
            b'</D:prop></D:propfind>')
    urns = {}
    passwords = dict((a[0], a[1]) for a in accounts())
    for login, url in principals.items():
        # groups do not log in: a member reads its address (the test directory's
        # groups are visible to their members only); resources are not needed
        reader = login
        if login in GROUP_MEMBERS:
            reader = next((m for m in GROUP_MEMBERS[login] if not m.startswith("group:")), None)
        if reader not in passwords:
            continue
        password = passwords[reader]
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, url), data=body,
                                     method="PROPFIND")
        req.add_header("Depth", "0")
        req.add_header("Content-Type", "application/xml")
        req.add_header("Authorization", "Basic " + b64encode(
            ("%s:%s" % (reader, password)).encode()).decode())
        with urllib.request.urlopen(req, timeout=30) as resp:
            tree = ET.fromstring(resp.read())
        for href in tree.iter("{DAV:}href"):
            if href.text and href.text.startswith("urn:uuid:"):
                urns[login] = href.text
        if login not in urns:
            die("no urn:uuid address for %s" % login)
    return urns


# --- serverinfo -----------------------------------------------------------

def serverinfo(port, tls_port, principals, urns, features, waitcount):
    subs = []

    def sub(key, value):
        subs.append("\t\t<substitution><key>%s</key><value>%s</value></substitution>"
                    % (escape(key), escape(value)))

    # XPath prefixes and namespaces the verifiers refer to.
    sub("$multistatus-response-prefix:", "/{DAV:}multistatus/{DAV:}response")
    sub("$multistatus-href-prefix:", "/{DAV:}multistatus/{DAV:}response/{DAV:}href")
    sub("$verify-response-prefix:", "{DAV:}response/{DAV:}propstat/{DAV:}prop")
    sub("$verify-property-prefix:", "/{DAV:}multistatus/{DAV:}response/{DAV:}propstat/{DAV:}prop")
    sub("$verify-bad-response:", "/{DAV:}multistatus/{DAV:}response/{DAV:}status")
    sub("$verify-error-response:", "/{DAV:}multistatus/{DAV:}response/{DAV:}error")
    sub("$CALDAV:", "urn:ietf:params:xml:ns:caldav")
    sub("$CARDDAV:", "urn:ietf:params:xml:ns:carddav")
    sub("$CS:", "http://calendarserver.org/ns/")

    # Veil's URL layout: /principals/<pid>/, /calendars/<pid>/, /addressbooks/<pid>/.
    # The "users"/"uids" variants of CalDAVTester's layout are the same URLs here:
    # there is no login-named URL.
    sub("$root:", "/")
    sub("$principalcollection:", "/principals/")
    for t in ("uidstype", "userstype", "groupstype", "locationstype", "resourcestype"):
        sub("$%s:" % t, "")
    for t in ("principals_uids", "principals_users", "principals_groups",
              "principals_resources", "principals_locations"):
        sub("$%s:" % t, "/principals/")
    sub("$calendars:", "/calendars/")
    for t in ("calendars_uids", "calendars_users", "calendars_resources", "calendars_locations"):
        sub("$%s:" % t, "/calendars/")
    sub("$calendar:", "calendar")
    sub("$tasks:", "tasks")
    sub("$polls:", "polls")
    sub("$inbox:", "inbox")
    sub("$outbox:", "outbox")
    sub("$dropbox:", "dropbox")
    sub("$attachments:", "dropbox")
    sub("$notification:", "notification")
    sub("$freebusy:", "freebusy")
    sub("$calendar_home_items_initial_sync:", "[calendar/,tasks/,inbox/,outbox/,notification/]")
    # RFC 6578 responses list members only, not the collection itself
    sub("$calendar_sync_extra_items:", "[]")
    sub("$calendar_sync_extra_count:", "0")
    sub("$servertoserver:", "/inbox")
    sub("$timezoneservice:", "/timezones")
    sub("$timezonestdservice:", "/stdtimezones")
    sub("$addressbooks:", "/addressbooks/")
    for t in ("addressbooks_uids", "addressbooks_users"):
        sub("$%s:" % t, "/addressbooks/")
    sub("$addressbook:", "addressbook")
    sub("$directory:", "/directory/")
    sub("$add-member:", ";add-member")

    def pid(login):
        return principals[login].rstrip("/").split("/")[-1]

    for special in ("admin", "apprentice"):
        sub("$user%s:" % special, special)
        sub("$user%sguid:" % special, pid(special))
        sub("$pswd%s:" % special, special)
        sub("$principal_%s:" % special, principals[special])
        sub("$principaluri_%s:" % special, principals[special])
    sub("$userproxy:", "superuser")
    sub("$pswdproxy:", "superuser")

    for i in range(1, NUM_USERS + 1):
        login = "user%02d" % i
        p = pid(login)
        home = "/calendars/%s" % p
        abhome = "/addressbooks/%s" % p
        email = "%s@%s" % (login, EMAIL_DOMAIN)
        sub("$userid%d:" % i, login)
        sub("$userguid%d:" % i, p)
        sub("$username%d:" % i, "User %02d" % i)
        sub("$username-encoded%d:" % i, "User%%20%02d" % i)
        sub("$firstname%d:" % i, "User")
        sub("$lastname%d:" % i, "%02d" % i)
        sub("$pswd%d:" % i, login)
        sub("$principal%d:" % i, principals[login])
        sub("$principaluri%d:" % i, principals[login])
        sub("$principal%dnoslash:" % i, principals[login].rstrip("/"))
        sub("$calendarhome%d:" % i, home)
        sub("$calendarhomealt%d:" % i, home)
        sub("$calendarpath%d:" % i, home + "/calendar")
        sub("$calendarpathalt%d:" % i, home + "/calendar")
        sub("$taskspath%d:" % i, home + "/tasks")
        sub("$pollspath%d:" % i, home + "/polls")
        sub("$inboxpath%d:" % i, home + "/inbox")
        sub("$outboxpath%d:" % i, home + "/outbox")
        sub("$dropboxpath%d:" % i, home + "/dropbox")
        sub("$notificationpath%d:" % i, home + "/notification")
        sub("$freebusypath%d:" % i, home + "/freebusy")
        sub("$email%d:" % i, email)
        sub("$cuaddr%d:" % i, "mailto:" + email)
        sub("$cuaddralt%d:" % i, "mailto:" + email)
        sub("$cuaddraltnoslash%d:" % i, "mailto:" + email)
        sub("$cuaddrurn%d:" % i, urns[login])
        sub("$addressbookhome%d:" % i, abhome)
        sub("$addressbookpath%d:" % i, abhome + "/addressbook")
    for i in range(1, 11):
        login = "public%02d" % i
        p = pid(login)
        email = "%s@%s" % (login, EMAIL_DOMAIN)
        sub("$publicuserid%d:" % i, login)
        sub("$publicuserguid%d:" % i, p)
        sub("$publicusername%d:" % i, "Public %02d" % i)
        sub("$publicpswd%d:" % i, login)
        sub("$publicprincipal%d:" % i, principals[login])
        sub("$publicprincipaluri%d:" % i, principals[login])
        sub("$publiccalendarhome%d:" % i, "/calendars/" + p)
        sub("$publiccalendarpath%d:" % i, "/calendars/%s/calendar" % p)
        sub("$publicemail%d:" % i, email)
        sub("$publiccuaddr%d:" % i, "mailto:" + email)
        sub("$publiccuaddralt%d:" % i, "mailto:" + email)
        sub("$publiccuaddrurn%d:" % i, urns[login])
    # Resource, location and group principals: named after CalDAVTester's ids
    # where the server has them; otherwise paths that do not exist.
    for kind, letter, count, label in (("resource", "r", 20, "Resource"),
                                       ("location", "l", 10, "Location"),
                                       ("group", "g", 40, "Group")):
        for i in range(1, count + 1):
            name = "%s%02d" % (kind, i)
            url = principals.get(name, "/principals/%s-absent/" % name)
            p = url.rstrip("/").split("/")[-1]
            sub("$%sid%d:" % (kind, i), name)
            sub("$%sguid%d:" % (kind, i), p)
            sub("$%sname%d:" % (kind, i), "%s %02d" % (label, i))
            sub("$%sprincipal%d:" % (letter, i), url)
            sub("$%sprincipaluri%d:" % (letter, i), url)
            sub("$%scuaddralt%d:" % (letter, i), url)
            sub("$%scuaddrurn%d:" % (letter, i), urns.get(name, "urn:uuid:" + p))
            if kind == "group":
                sub("$gemail%d:" % i, "%s@%s" % (name, EMAIL_DOMAIN))
            else:
                sub("$%scalendarhome%d:" % (letter, i), "/calendars/" + p)
                sub("$%scalendarpath%d:" % (letter, i), "/calendars/%s/calendar" % p)
                sub("$%sinboxpath%d:" % (letter, i), "/calendars/%s/inbox" % p)
                sub("$%soutboxpath%d:" % (letter, i), "/calendars/%s/outbox" % p)
    p = pid("i18nuser")
    sub("$i18nid:", "i18nuser")
    sub("$i18nguid:", p)
    sub("$i18nname:", "\u307e\u3060")
    sub("$i18npswd:", "i18nuser")
    sub("$i18ncalendarpath:", "/calendars/%s/calendar" % p)
    sub("$i18nemail:", "i18nuser@" + EMAIL_DOMAIN)
    sub("$i18ncuaddr:", "mailto:i18nuser@" + EMAIL_DOMAIN)
    sub("$i18ncuaddrurn:", urns["i18nuser"])
    sub("$principaldisabled:", "/principals/disabledgroup-absent/")
    sub("$principaluridisabled:", "/principals/disabledgroup-absent/")
    sub("$cuaddrdisabled:", "/principals/disabledgroup-absent/")
    sub("$cuaddr2:", "MAILTO:user02@" + EMAIL_DOMAIN)

    filters = ["ATTENDEE:X-CALENDARSERVER-DTSTAMP", "CALSCALE", "PRODID", "DTSTAMP",
               "CREATED", "LAST-MODIFIED", "X-WR-CALNAME", "CLASS=PUBLIC", "PRIORITY=0",
               "TRANSP=OPAQUE", "SEQUENCE=0"]
    lines = ['<?xml version="1.0" encoding="utf-8" standalone="no"?>',
             '<!DOCTYPE serverinfo SYSTEM "serverinfo.dtd">',
             "<!-- generated by compliance/caldavtester/run.py for one run of veildav -->",
             "<serverinfo>",
             "\t<host>127.0.0.1</host>",
             "\t<nonsslport>%d</nonsslport>" % port,
             "\t<sslport>%d</sslport>" % tls_port,
             "\t<authtype>basic</authtype>",
             "\t<waitcount>%d</waitcount>" % waitcount,
             "\t<waitdelay>0.25</waitdelay>",
             "\t<waitsuccess>10</waitsuccess>",
             "\t<features>"]
    lines += ["\t\t<feature>%s</feature>" % escape(f) for f in features]
    lines += ["\t</features>", "\t<substitutions>"] + subs + ["\t</substitutions>"]
    lines += ["\t<calendardatafilter>%s</calendardatafilter>" % f for f in filters]
    lines += ["\t<addressdatafilter>PRODID</addressdatafilter>",
              "\t<addressdatafilter>REV</addressdatafilter>", "</serverinfo>", ""]
    return "\n".join(lines)


# --- one test file --------------------------------------------------------

def make_cert(directory):
    """A self-signed certificate for 127.0.0.1 (openssl command line), for the
    files that run over HTTPS."""
    cert = os.path.join(directory, "tls-cert.pem")
    key = os.path.join(directory, "tls-key.pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if p.returncode != 0:
        die("openssl could not make a test certificate: %s"
            % p.stderr.decode(errors="replace").strip())
    return cert, key


def wants_tls(path):
    """Files that check redirects against $hostssl: (CalDAVTester's HTTPS
    address) describe a server reached over TLS, as real deployments are:
    they run against an HTTPS listener with CalDAVTester's --ssl, so that a
    redirect to the server itself is the https URL they expect."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "$hostssl:" in f.read()
    except OSError:
        return False


def python2():
    cand = env("CALDAVTESTER_PYTHON")
    if cand:
        return cand
    for name in ("python2.7", "python2"):
        path = shutil.which(name)
        if path and _is_py27(path):
            return path
    try:
        root = subprocess.run(["pyenv", "root"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode().strip()
    except OSError:
        root = os.path.expanduser("~/.pyenv")
    versions = os.path.join(root or os.path.expanduser("~/.pyenv"), "versions")
    if os.path.isdir(versions):
        for v in sorted(os.listdir(versions), reverse=True):
            path = os.path.join(versions, v, "bin", "python")
            if v.startswith("2.7") and _is_py27(path):
                return path
    die("no Python 2.7 found (set CALDAVTESTER_PYTHON)")


def _is_py27(path):
    try:
        out = subprocess.run([path, "-c", "import sys; print(sys.version_info[:2] == (2, 7))"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.stdout.strip() == b"True"


def suite_sizes(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError):
        return []
    return [len(s.findall("test")) for s in root.findall("test-suite")]


def count(results, sizes):
    """(passed, failed, skipped, status, notes, failed test names) from a dump."""
    ok = fail = skip = 0
    status = "done"
    notes = []
    failed = []
    for entry in results:
        if entry.get("result") == IGNORED and not entry.get("tests"):
            status = "SKIPPED"
            skip += sum(sizes) or 1
            notes.append((entry.get("details") or "").strip())
        elif entry.get("result") == ERROR:
            status = "ERROR"
            fail += 1
            notes.append(((entry.get("details") or "error").strip().splitlines() or ["error"])[0])
        for i, suite in enumerate(entry.get("tests", [])):
            if suite.get("result") == IGNORED:
                skip += sizes[i] if i < len(sizes) else 1
                continue
            for t in suite.get("tests", []):
                r = t.get("result")
                if r == OK:
                    ok += 1
                elif r == IGNORED:
                    skip += 1
                else:
                    fail += 1
                    failed.append("%s / %s" % (suite.get("name", "?"), t.get("name", "?")))
    if status == "SKIPPED" and (ok or fail):
        status = "done"
    return ok, fail, skip, status, [n for n in notes if n], failed


def count_from_log(log):
    ok = fail = skip = 0
    for line in open(log, encoding="utf-8", errors="replace"):
        m = re.match(r"^\s+Test: .*\[(OK|FAILED|ERROR|IGNORED)\]\s*$", line)
        if m:
            if m.group(1) == "OK":
                ok += 1
            elif m.group(1) == "IGNORED":
                skip += 1
            else:
                fail += 1
    return ok, fail, skip


def run_file(cfg, name, port, tls_port, serverinfo_path):
    safe = name.replace("/", "_")
    data = os.path.join(cfg["work"], "data-" + safe)
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(cfg["template"], data)
    veil = Veil(cfg["veildav"], data)
    server_log = os.path.join(cfg["logs"], safe + ".server.log")
    tls = wants_tls(os.path.join(cfg["cdt"], "scripts", "tests", name))
    if tls:
        if "tls" not in cfg:
            cfg["tls"] = make_cert(cfg["work"])
        veil.start(tls_port, server_log, tls=cfg["tls"])
    else:
        veil.start(port, server_log)
    log = os.path.join(cfg["logs"], safe + ".log")
    cmd = [cfg["python2"], "testcaldav.py", "-s", serverinfo_path, "--print-details-onfail",
           "--observer", "log", "--observer", "jsondump"]
    if tls:
        cmd.append("--ssl")
    if cfg["trace"]:
        cmd += ["--observer", "trace"]
    cmd.append(name)
    envp = dict(os.environ)
    envp["PYTHONPATH"] = os.pathsep.join([os.path.join(HERE, "py2"),
                                           os.path.join(cfg["pycalendar"], "src"),
                                           cfg["cdt"]])
    envp["PYTHONUNBUFFERED"] = "1"
    envp.pop("PYTHONHOME", None)
    rc = None
    with open(log, "wb") as out:
        try:
            rc = subprocess.run(cmd, cwd=cfg["cdt"], env=envp, stdout=out,
                                stderr=subprocess.STDOUT, timeout=cfg["timeout"]).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
    server_rc = veil.stop()
    results = None
    text = open(log, encoding="utf-8", errors="replace").read()
    for line in reversed(text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            try:
                results = json.loads(line)
                break
            except ValueError:
                pass
    sizes = suite_sizes(os.path.join(cfg["cdt"], "scripts", "tests", name))
    if results is None:
        ok, fail, skip = count_from_log(log)
        fail += 1
        row = [ok, fail, skip, "TIMEOUT" if rc == "timeout" else "CRASH",
               ["no result dump (rc=%s); counts are partial" % rc], []]
    else:
        row = list(count(results, sizes))
    if server_rc not in (0, None) and server_rc != -signal.SIGTERM:
        row[1] += 1
        row[3] = "SERVER-EXIT"
        row[4].append("veildav exited with %s; see %s" % (server_rc, server_log))
    if not cfg["keep"]:
        shutil.rmtree(data, ignore_errors=True)
    return row


# --- main -----------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_list(args):
    if args:
        return args
    listfile = env("CDT_LIST_FILE", os.path.join(HERE, "tests-core.txt"))
    names = []
    for line in open(listfile, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return names


def disputed():
    """Tests we believe are wrong about the RFC: {file: {test: reason}}."""
    path = os.path.join(HERE, "disputed.txt")
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                f, test, reason = line.rstrip("\n").split("\t", 2)
                out.setdefault(f, {})[test] = reason
    return out


def main(argv):
    cdt = env("CALDAVTESTER_DIR") or die("set CALDAVTESTER_DIR to a checkout of apple/ccs-caldavtester")
    pycal = env("PYCALENDAR_DIR") or die("set PYCALENDAR_DIR to a checkout of apple/ccs-pycalendar")
    if not os.path.exists(os.path.join(cdt, "testcaldav.py")):
        die("%s has no testcaldav.py" % cdt)
    if not os.path.isdir(os.path.join(pycal, "src", "pycalendar")):
        die("%s has no src/pycalendar" % pycal)
    binary = env("VEILDAV")
    if not binary:
        for cand in ("build/veildav", "build-asan/veildav"):
            if os.access(os.path.join(TOP, cand), os.X_OK):
                binary = os.path.join(TOP, cand)
                break
    if not binary or not os.access(binary, os.X_OK):
        die("no veildav binary: build it (cmake --build build) or set VEILDAV")
    work = env("CDT_WORKDIR") or subprocess.run(
        ["mktemp", "-d", "/tmp/veil-cdt.XXXXXX"], stdout=subprocess.PIPE).stdout.decode().strip()
    os.makedirs(work, exist_ok=True)
    cfg = {
        "cdt": os.path.abspath(cdt), "pycalendar": os.path.abspath(pycal),
        "veildav": os.path.abspath(binary), "work": work,
        "logs": os.path.join(work, "logs"), "template": os.path.join(work, "template"),
        "python2": python2(), "timeout": int(env("CDT_FILE_TIMEOUT", "300")),
        "trace": env("CDT_TRACE") == "1", "keep": env("CDT_KEEP") == "1",
    }
    os.makedirs(cfg["logs"], exist_ok=True)
    files = test_list(argv)
    for f in files:
        if not os.path.exists(os.path.join(cdt, "scripts", "tests", f)):
            die("no such test file: %s" % f)

    sys.stderr.write("caldavtester: provisioning accounts in %s\n" % cfg["template"])
    shutil.rmtree(cfg["template"], ignore_errors=True)
    tmpl = Veil(cfg["veildav"], cfg["template"])
    principals = provision(tmpl)
    port = int(env("CDT_PORT", "0")) or free_port()
    tls_port = int(env("CDT_TLS_PORT", "0")) or free_port()
    while tls_port == port:
        tls_port = free_port()
    tmpl.start(port, os.path.join(cfg["logs"], "provision.server.log"))
    try:
        urns = user_addresses(port, principals)
    finally:
        tmpl.stop()
    features = [f.strip() for f in env("CDT_FEATURES", ",".join(FEATURES)).split(",") if f.strip()]
    info_path = os.path.join(work, "serverinfo.xml")
    with open(info_path, "w", encoding="utf-8") as f:
        f.write(serverinfo(port, tls_port, principals, urns, features, int(env("CDT_WAITCOUNT", "4"))))

    wrong = disputed()
    rows = []
    for name in files:
        sys.stderr.write("caldavtester: %s ...\n" % name)
        ok, fail, skip, status, notes, failed = run_file(cfg, name, port, tls_port,
                                                        info_path)
        rows.append((name, ok, fail, skip, status, notes, failed))
        sys.stderr.write("caldavtester: %s %d passed, %d failed, %d skipped %s\n"
                         % (name, ok, fail, skip, status))
    return report(cfg, rows, wrong)


def report(cfg, rows, wrong):
    tot = [0, 0, 0]
    width = max([len(r[0]) for r in rows] + [10])
    print("%-*s %6s %6s %7s  %s" % (width, "test file", "passed", "failed", "skipped", "status"))
    tsv = ["file\tpassed\tfailed\tskipped\tstatus"]
    md = ["| test file | passed | failed | skipped | status |", "| --- | --- | --- | --- | --- |"]
    details = []
    for name, ok, fail, skip, status, notes, failed in rows:
        tot[0] += ok
        tot[1] += fail
        tot[2] += skip
        print("%-*s %6d %6d %7d  %s%s" % (width, name, ok, fail, skip, status,
                                          ("  (" + "; ".join(notes) + ")") if notes else ""))
        tsv.append("%s\t%d\t%d\t%d\t%s" % (name, ok, fail, skip, status))
        md.append("| %s | %d | %d | %d | %s |" % (name, ok, fail, skip, status))
        for t in failed:
            reason = wrong.get(name, {}).get(t)
            details.append("- %s: %s%s" % (name, t, (" — disputed: " + reason) if reason else ""))
            print("    FAILED %s%s" % (t, "  [disputed: %s]" % reason if reason else ""))
    md.append("| **total** | **%d** | **%d** | **%d** | |" % tuple(tot))
    with open(os.path.join(cfg["work"], "results.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(tsv) + "\n")
    with open(os.path.join(cfg["work"], "results.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
        if details:
            f.write("\nFailed tests:\n\n" + "\n".join(details) + "\n")
    print("results: %s/results.md, logs: %s" % (cfg["work"], cfg["logs"]))
    print("caldavtester: %d passed, %d failed, %d skipped" % tuple(tot))
    return 1 if tot[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

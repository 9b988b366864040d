"""The servers the benchmark compares, each on 127.0.0.1 with a fresh data
directory and one user: veildav, Radicale, Xandikos.

A server is prepared once (data directory, user, collections), may be started
and stopped several times, and exposes: base URL, port, auth (login,
password) or None, the calendar / tasks / addressbook collection paths, the
process for /proc figures, and data_dir for the on-disk size.

Peers can also be filled straight into their own storage while stopped
(`fill`), in exactly the layout their PUT handler writes, because loading
10,000 objects through their HTTP interface takes hours; the PUT figures are
always measured over HTTP (see bench.py)."""
import os
import shutil
import signal
import socket
import subprocess
import time

USER, PASSWORD = "bench", "bench-password-2026"
PIDFILE = os.environ.get("VEIL_BENCH_PIDFILE")  # run.sh's trap stops whatever is listed


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def disk_bytes(path):
    """Space the files under path occupy on disk (allocated blocks, as du)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_blocks * 512
            except OSError:
                pass
    return total


class Base:
    name = "?"
    auth = (USER, PASSWORD)
    can_fill = False

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, self.name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.log = os.path.join(self.dir, "server.log")

    def argv(self):
        raise NotImplementedError

    def start(self):
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        if PIDFILE:
            with open(PIDFILE, "a") as f:
                f.write("%d\n" % self.proc.pid)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start; see %s" % (self.name, self.log))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("%s did not listen on %d" % (self.name, self.port))

    def stop(self):
        """SIGTERM to the server's process group, SIGKILL after 20 s."""
        if self.proc and PIDFILE:  # run.sh's trap must not signal a reused pid
            with open(PIDFILE) as f:
                keep = [x for x in f if x.strip() != str(self.proc.pid)]
            with open(PIDFILE, "w") as f:
                f.writelines(keep)
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.proc = None

    def status_kib(self, field):
        """A figure from /proc/PID/status (VmHWM: peak resident memory)."""
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except (OSError, AttributeError):
            pass
        return 0

    def cpu_seconds(self):
        """User + system CPU time of the server process, all its threads."""
        try:
            with open("/proc/%d/stat" % self.proc.pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, AttributeError, IndexError, ValueError):
            return 0.0

    def version(self):
        return ""


class Veil(Base):
    name = "veildav"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary
        self.data = os.path.join(self.dir, "data")
        self.data_dir = self.data

    def cli(self, *args, stdin=None):
        return subprocess.run([self.binary, "--data", self.data] + list(args), input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout

    def prepare(self):
        # the defaults an operator gets, durable ones included (sync_full = yes:
        # SQLite synchronous=FULL, an fsync on every commit)
        self.cli("init", "--listen", "127.0.0.1:%d" % self.port)
        self.cli("user", "add", USER, "--password-stdin", stdin=(PASSWORD + "\n").encode())
        principal = self.cli("user", "show", USER).decode().splitlines()[0]
        pid = principal.rstrip("/").split("/")[-1]
        self.calendar = "/calendars/%s/calendar/" % pid
        self.tasks = "/calendars/%s/tasks/" % pid
        self.addressbook = "/addressbooks/%s/addressbook/" % pid

    def argv(self):
        return [self.binary, "--data", self.data, "serve"]

    def version(self):
        try:
            out = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)),
                                  "describe", "--always", "--dirty"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            return "git " + out.stdout.decode().strip()
        except OSError:
            return ""


def deb_version(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", pkg],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return out.stdout.decode().strip()


class Radicale(Base):
    """Radicale 3: htpasswd users (plain, no delay), owner_only rights,
    the multifilesystem store: one file per object under the collection's
    folder, whose properties sit in .Radicale.props."""
    name = "radicale"
    can_fill = True

    def prepare(self):
        self.root = os.path.join(self.dir, "collections")
        home = os.path.join(self.root, "collection-root", USER)
        props = {"calendar": '{"tag": "VCALENDAR", "C:supported-calendar-component-set": "VEVENT"}',
                 "tasks": '{"tag": "VCALENDAR", "C:supported-calendar-component-set": "VTODO"}',
                 "addressbook": '{"tag": "VADDRESSBOOK"}'}
        for coll, text in props.items():
            os.makedirs(os.path.join(home, coll))
            with open(os.path.join(home, coll, ".Radicale.props"), "w") as f:
                f.write(text)
        with open(os.path.join(home, ".Radicale.props"), "w") as f:
            f.write("{}")
        users = os.path.join(self.dir, "users")
        with open(users, "w") as f:
            f.write("%s:%s\n" % (USER, PASSWORD))
        self.conf = os.path.join(self.dir, "config")
        with open(self.conf, "w") as f:
            f.write("[server]\nhosts = 127.0.0.1:%d\nmax_connections = 32\n"
                    "max_content_length = 100000000\ntimeout = 600\n\n"
                    "[auth]\ntype = htpasswd\nhtpasswd_filename = %s\n"
                    "htpasswd_encryption = plain\ndelay = 0\n\n"
                    "[rights]\ntype = owner_only\n\n[storage]\nfilesystem_folder = %s\n\n"
                    "[web]\ntype = none\n\n[logging]\nlevel = warning\nmask_passwords = True\n"
                    % (self.port, users, self.root))
        self.calendar = "/%s/calendar/" % USER
        self.tasks = "/%s/tasks/" % USER
        self.addressbook = "/%s/addressbook/" % USER
        self.data_dir = self.root

    def argv(self):
        return ["radicale", "--config", self.conf]

    def fill(self, collection, items):
        """Write (name, text) objects as Radicale stores them (its item cache
        is rebuilt on first read, which the warm-up pays)."""
        folder = os.path.join(self.root, "collection-root", collection.strip("/"))
        for name, text in items:
            with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)

    def version(self):
        return deb_version("radicale")


class Xandikos(Base):
    """Xandikos: one git repository (with a work tree) per collection; it has
    no authentication of its own (it expects a reverse proxy), so the
    Authorization header the clients send is ignored."""
    name = "xandikos"
    auth = None
    can_fill = True

    def prepare(self):
        self.store = os.path.join(self.dir, "store")
        for path, kind in (("calendars/calendar", "calendar"), ("calendars/tasks", "calendar"),
                           ("contacts/addressbook", "addressbook")):
            full = os.path.join(self.store, USER, path)
            os.makedirs(full)
            subprocess.run(["git", "init", "-q", full], check=True)
            subprocess.run(["git", "config", "-f", os.path.join(full, ".git", "config"),
                            "xandikos.type", kind], check=True)
        self.calendar = "/%s/calendars/calendar/" % USER
        self.tasks = "/%s/calendars/tasks/" % USER
        self.addressbook = "/%s/contacts/addressbook/" % USER
        self.data_dir = self.store

    def argv(self):
        return ["xandikos", "-d", self.store, "-l", "127.0.0.1", "-p", str(self.port),
                "--current-user-principal", "/%s/" % USER]

    def fill(self, collection, items):
        """Write the objects into the collection's work tree and commit them
        in one commit, as its PUT does one at a time."""
        repo = os.path.join(self.store, collection.strip("/"))
        for name, text in items:
            with open(os.path.join(repo, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)
        git = ["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost",
               "-c", "core.autocrlf=false"]
        subprocess.run(git + ["add", "-A", "."], check=True)
        subprocess.run(git + ["commit", "-q", "-m", "bench fill"], check=True)

    def version(self):
        return deb_version("xandikos")


def make(name, workdir, veildav):
    if name == "veildav":
        return Veil(workdir, veildav)
    return {"radicale": Radicale, "xandikos": Xandikos}[name](workdir)

"""The servers the benchmark compares, each started on 127.0.0.1 with a fresh
data directory and one user, and stopped again: veildav, Radicale, Xandikos.

Each exposes: start(), stop(), pid, base (http://127.0.0.1:PORT), auth
(login, password) or None, calendar / tasks / addressbook collection paths,
and data_dir for the on-disk size."""
import os
import shutil
import signal
import socket
import subprocess
import time

USER, PASSWORD = "bench", "bench-password-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, log, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited at start; see %s" % log)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not listen on %d" % port)


def dir_size(path):
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


class Base:
    name = "?"
    auth = (USER, PASSWORD)

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, self.name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.proc = None
        self.log = os.path.join(self.dir, "server.log")

    @property
    def pid(self):
        return self.proc.pid

    def popen(self, argv):
        self.proc = subprocess.Popen(argv, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port, self.proc, self.log)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def _status_kib(self, field):
        try:
            for line in open("/proc/%d/status" % self.proc.pid):
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def peak_rss_kib(self):
        return self._status_kib("VmHWM")

    def rss_kib(self):
        return self._status_kib("VmRSS")


class Veil(Base):
    name = "veildav"

    def __init__(self, workdir, binary):
        super().__init__(workdir)
        self.binary = binary
        self.data = os.path.join(self.dir, "data")

    def cli(self, *args, stdin=None):
        return subprocess.run([self.binary, "--data", self.data] + list(args), input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True).stdout

    def start(self):
        # default, durable settings (synchronous=FULL): what an operator gets
        self.cli("init", "--listen", "127.0.0.1:%d" % self.port)
        self.cli("user", "add", USER, "--password-stdin", stdin=(PASSWORD + "\n").encode())
        pid = self.cli("user", "show", USER).decode().splitlines()[0].rstrip("/").split("/")[-1]
        self.calendar = "/calendars/%s/calendar/" % pid
        self.tasks = "/calendars/%s/tasks/" % pid
        self.addressbook = "/addressbooks/%s/addressbook/" % pid
        self.data_dir = self.data
        self.popen([self.binary, "--data", self.data, "serve"])


class Radicale(Base):
    name = "radicale"

    def start(self):
        root = os.path.join(self.dir, "collections", "collection-root", USER)
        for coll, props in (("calendar", '{"tag": "VCALENDAR", "C:supported-calendar-component-set": "VEVENT"}'),
                            ("tasks", '{"tag": "VCALENDAR", "C:supported-calendar-component-set": "VTODO"}'),
                            ("addressbook", '{"tag": "VADDRESSBOOK"}')):
            os.makedirs(os.path.join(root, coll))
            with open(os.path.join(root, coll, ".Radicale.props"), "w") as f:
                f.write(props)
        with open(os.path.join(root, ".Radicale.props"), "w") as f:
            f.write("{}")
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write("%s:%s\n" % (USER, PASSWORD))
        conf = os.path.join(self.dir, "config")
        with open(conf, "w") as f:
            f.write("[server]\nhosts = 127.0.0.1:%d\nmax_connections = 32\n"
                    "max_content_length = 100000000\ntimeout = 120\n\n"
                    "[auth]\ntype = htpasswd\nhtpasswd_filename = %s\nhtpasswd_encryption = plain\n"
                    "delay = 0\n\n[rights]\ntype = owner_only\n\n"
                    "[storage]\nfilesystem_folder = %s\n\n[web]\ntype = none\n\n"
                    "[logging]\nlevel = warning\nmask_passwords = True\n"
                    % (self.port, os.path.join(self.dir, "users"),
                       os.path.join(self.dir, "collections")))
        self.calendar = "/%s/calendar/" % USER
        self.tasks = "/%s/tasks/" % USER
        self.addressbook = "/%s/addressbook/" % USER
        self.data_dir = os.path.join(self.dir, "collections")
        self.popen(["radicale", "--config", conf])


class Xandikos(Base):
    name = "xandikos"
    auth = None  # Xandikos has no authentication of its own (it expects a proxy)

    def start(self):
        store = os.path.join(self.dir, "store")
        for path, kind in (("calendars/calendar", "calendar"), ("calendars/tasks", "calendar"),
                           ("contacts/addressbook", "addressbook")):
            full = os.path.join(store, USER, path)
            os.makedirs(full)
            subprocess.run(["git", "init", "-q", full], check=True)
            subprocess.run(["git", "config", "-f", os.path.join(full, ".git", "config"),
                            "xandikos.type", kind], check=True)
        self.calendar = "/%s/calendars/calendar/" % USER
        self.tasks = "/%s/calendars/tasks/" % USER
        self.addressbook = "/%s/contacts/addressbook/" % USER
        self.data_dir = store
        self.popen(["xandikos", "-d", store, "-l", "127.0.0.1", "-p", str(self.port),
                    "--current-user-principal", "/%s/" % USER])

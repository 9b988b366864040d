"""A real SMTP server on 127.0.0.1 (Debian's python3-aiosmtpd) that keeps what
it is given, for the tests of outgoing mail.  Recipients listed in `refuse`
get a permanent 550, those in `defer` a passing 451."""
import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from veil import free_port


class Sink:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []  # (mail_from, [rcpt], email.message.EmailMessage, raw bytes)
        self.refuse = set()
        self.defer = set()
        self.lock = threading.Lock()
        self.controller = None

    # aiosmtpd handler hooks
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if address.lower() in self.defer:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg, raw))
        return "250 Message accepted"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def wait_for(self, pred, timeout=20):
        """The first message pred accepts, waiting for it to come."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for m in self.messages:
                    if pred(m):
                        return m
            time.sleep(0.05)
        raise AssertionError("no such message came to the SMTP sink")

    def to(self, rcpt, method=None, timeout=20):
        def pred(m):
            if rcpt.lower() not in [r.lower() for r in m[1]]:
                return False
            return method is None or ("METHOD:%s" % method) in calendar_text(m[2])
        return self.wait_for(pred, timeout)


def calendar_part(msg):
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return part
    return None


def calendar_text(msg):
    part = calendar_part(msg)
    return part.get_content() if part is not None else ""

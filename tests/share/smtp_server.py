"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd, in a thread), keeping what it receives.

`start_smtp_server(**smtp_options)` is a context manager yielding an `SmtpServer` (`.host`,
`.port`, `.messages` as EmailMessage objects, `.envelopes`); extra options go to aiosmtpd
(authentication, say), and `refuse=` names recipients to turn away with a 550. The
`smtp_server` fixture in tests/share/conftest.py is one with the defaults.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    # (MAIL FROM, RCPT TO list) of each message, as the client gave them in the envelope.
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


class Collector:
    """Keeps every message it is given; refuses the recipients in `refuse` with a 550."""

    def __init__(self, server: SmtpServer, refuse: frozenset[str] = frozenset()):
        self.server, self.refuse = server, refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.messages.append(message)
        self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port nothing listens on (the kernel's pick, released again)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def start_smtp_server(refuse: frozenset[str] = frozenset(), **smtp_options) -> Iterator[SmtpServer]:
    # aiosmtpd's Controller cannot listen on port 0 (it connects to its own port to check it
    # started), so a free port is picked first; another process may take it in between.
    for attempt in range(5):
        server = SmtpServer(HOST, free_port())
        controller = Controller(Collector(server, refuse), hostname=HOST, port=server.port,
                                **smtp_options)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 4:
                raise
    try:
        yield server
    finally:
        controller.stop()

"""One-time e-mail verification codes for share links, sent over SMTP with the standard library.

Configured by the MAIL_* keys of config.py; without MAIL_SERVER mail is off and the share views
offer no e-mail verification. Whatever goes wrong on the way (no route, refused connection,
timeout, a failed STARTTLS or login, a refused recipient) is one MailError with a message fit
for the viewer; the details go to the log for the operator, never to the page.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Mapping
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_FROM = "Lockstep <no-reply@localhost>"
MAX_ADDRESS = 254  # RFC 5321's limit on a forward path
MAX_SUBJECT_TITLE = 120
# CR and LF would start a new header (or the body); other control characters have no place in a
# header either. Checked before anything is built, so no crafted value reaches the server.
CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# RFC 5322's dot-atom on both sides (letters of any script allowed), with a dot in the domain.
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
CODE = re.compile(r"[A-Za-z0-9-]{4,32}")

NOT_SENT = "The verification e-mail could not be sent. Please try again in a few minutes."


class MailError(Exception):
    """The code could not be sent; the message is safe to show the viewer."""


def mail_enabled(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


def send_code(config: Mapping[str, Any], to: str, code: str, link_title: str) -> None:
    """E-mails `code` to `to` for the share link called `link_title`; raises MailError."""
    if not mail_enabled(config):
        raise MailError("E-mail verification is not available on this server.")
    message = build_message(config, to, code, link_title)
    host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
    try:
        _deliver(config, host, port, message)
    except (OSError, smtplib.SMTPException) as exc:  # ssl.SSLError and timeouts are OSErrors
        log.warning("Verification e-mail to %s:%s failed: %s: %s", host, port,
                    type(exc).__name__, exc)
        raise MailError(NOT_SENT) from exc


def build_message(config: Mapping[str, Any], to: str, code: str,
                  link_title: str) -> EmailMessage:
    """The message for `send_code`, after refusing any value that could inject a header."""
    recipient = _recipient(to)
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise MailError("The verification code is not valid.")
    if not isinstance(link_title, str) or CONTROL.search(link_title):
        raise MailError("This link's title cannot be used in an e-mail.")
    title = " ".join(link_title.split()) or "a shared document"
    short = title if len(title) <= MAX_SUBJECT_TITLE else title[: MAX_SUBJECT_TITLE - 1] + "…"
    sender = config.get("MAIL_FROM") or DEFAULT_FROM
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = f"Your code to open “{short}”"
    message["Date"] = formatdate(usegmt=True)
    # A domain of our own: make_msgid() would otherwise look up this host's name in DNS.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2]
                                       or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(
        f"Your verification code for “{title}” is:\n\n"
        f"    {code}\n\n"
        "Enter it on the page that asked for it. If you did not ask for a code, you can ignore "
        "this e-mail: nobody can open the link with your address without it.\n"
    )
    return message


def _recipient(to: str) -> Address:
    if not isinstance(to, str) or CONTROL.search(to):
        raise MailError("This e-mail address is not valid.")
    address = to.strip()
    if len(address) > MAX_ADDRESS or not ADDRESS.fullmatch(address):
        raise MailError("This e-mail address is not valid.")
    local, _, domain = address.rpartition("@")
    try:
        # An internationalised domain goes out in its ASCII form, which every server accepts.
        return Address(username=local, domain=domain.encode("idna").decode("ascii"))
    except (UnicodeError, ValueError) as exc:
        raise MailError("This e-mail address is not valid.") from exc


def _deliver(config: Mapping[str, Any], host: str, port: int, message: EmailMessage) -> None:
    timeout = float(config.get("MAIL_TIMEOUT_SECONDS") or 10)
    with smtplib.SMTP(host, port, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            # Raises (SMTPNotSupportedError) when the server offers no STARTTLS: the code and
            # the password are never sent in the clear once TLS was asked for.
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)

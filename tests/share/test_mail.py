"""Verification codes over SMTP, against a real local server (aiosmtpd, tests/share/conftest.py),
a closed port and a server that never answers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from share.smtp_server import free_port, start_smtp_server

from app.share.mail import NOT_SENT, MailError, mail_enabled, send_code

ROOT = Path(__file__).resolve().parents[2]


def settings(server, **overrides) -> dict:
    return {"MAIL_SERVER": server.host, "MAIL_PORT": server.port, "MAIL_TIMEOUT_SECONDS": 5,
            **overrides}


def closed_port_settings(**overrides) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT_SECONDS": 5,
            **overrides}


# --- configuration ----------------------------------------------------------------------------


def _config_in_a_clean_process(**env) -> dict:
    """The MAIL_* settings of config.Config as a fresh interpreter reads them from `env`."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("MAIL_")}
    script = ("import config, json; print(json.dumps({k: getattr(config.Config, k) "
              "for k in dir(config.Config) if k.startswith('MAIL_')}))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def test_mail_is_off_by_default():
    values = _config_in_a_clean_process()
    assert values == {
        "MAIL_SERVER": None, "MAIL_PORT": 25, "MAIL_USE_TLS": False, "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None, "MAIL_FROM": "Lockstep <no-reply@localhost>",
        "MAIL_TIMEOUT_SECONDS": 10,
    }
    assert mail_enabled(values) is False
    assert mail_enabled({}) is False


def test_mail_settings_come_from_the_environment():
    values = _config_in_a_clean_process(
        MAIL_SERVER="smtp.example.com", MAIL_PORT="587", MAIL_USE_TLS="true",
        MAIL_USERNAME="lockstep", MAIL_PASSWORD="pw", MAIL_FROM="Deals <deals@example.com>",
        MAIL_TIMEOUT_SECONDS="3")
    assert values["MAIL_SERVER"] == "smtp.example.com" and values["MAIL_PORT"] == 587
    assert values["MAIL_USE_TLS"] is True and values["MAIL_TIMEOUT_SECONDS"] == 3
    assert values["MAIL_FROM"] == "Deals <deals@example.com>"
    assert mail_enabled(values) is True


def test_the_testing_config_never_sends_mail():
    import config

    assert config.TestingConfig.MAIL_SERVER is None


def test_sending_with_mail_off_is_a_mail_error():
    with pytest.raises(MailError, match="not available"):
        send_code({"MAIL_SERVER": None}, "ana@acme.com", "123456", "Q3 proposal")


# --- delivery ---------------------------------------------------------------------------------


def test_the_code_reaches_a_real_server(smtp_server):
    send_code(settings(smtp_server), "ana@acme.com", "482913", "Q3 proposal")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ana@acme.com"
    assert message["Subject"] == "Your code to open “Q3 proposal”"
    assert message["From"] == "Lockstep <no-reply@localhost>"
    assert message["Message-ID"].endswith("@localhost>")
    assert message["Auto-Submitted"] == "auto-generated"
    body = message.get_body(("plain",)).get_content()
    assert "482913" in body and "Q3 proposal" in body
    assert smtp_server.envelopes == [("no-reply@localhost", ["ana@acme.com"])]


def test_the_sender_comes_from_the_settings(smtp_server):
    send_code(settings(smtp_server, MAIL_FROM="Acme Deals <deals@acme.example>"),
              "bo@example.org", "ABC-123", "Renewal")
    message = smtp_server.messages[0]
    assert message["From"] == "Acme Deals <deals@acme.example>"
    assert message["Message-ID"].endswith("@acme.example>")
    assert smtp_server.envelopes[0][0] == "deals@acme.example"


def test_non_ascii_titles_and_domains_survive(smtp_server):
    send_code(settings(smtp_server), "ana@bücher.example", "771204", "Angebot für Müller · Q3")
    message = smtp_server.messages[0]
    assert message["Subject"] == "Your code to open “Angebot für Müller · Q3”"
    assert message["To"] == "ana@xn--bcher-kva.example"
    assert smtp_server.envelopes[0][1] == ["ana@xn--bcher-kva.example"]
    assert "Angebot für Müller · Q3" in message.get_body(("plain",)).get_content()


def test_a_long_title_is_cut_in_the_subject_only(smtp_server):
    title = "Proposal " * 40
    send_code(settings(smtp_server), "ana@acme.com", "482913", title)
    message = smtp_server.messages[0]
    assert len(message["Subject"]) < 150 and message["Subject"].endswith("…”")
    assert " ".join(title.split()) in message.get_body(("plain",)).get_content()


def test_login_when_a_username_is_set():
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        seen.append((auth_data.login, auth_data.password))
        if auth_data.password == b"right-password":
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535 itself

    # Plain-text AUTH only because this server is on the loopback interface of the test.
    with start_smtp_server(authenticator=authenticator, auth_require_tls=False) as server:
        send_code(settings(server, MAIL_USERNAME="lockstep", MAIL_PASSWORD="right-password"),
                  "ana@acme.com", "482913", "Q3 proposal")
        assert seen == [(b"lockstep", b"right-password")]
        assert len(server.messages) == 1
        with pytest.raises(MailError) as caught:
            send_code(settings(server, MAIL_USERNAME="lockstep", MAIL_PASSWORD="wrong-password"),
                      "ana@acme.com", "482913", "Q3 proposal")
        assert str(caught.value) == NOT_SENT
        assert "wrong-password" not in str(caught.value)
        assert len(server.messages) == 1


# --- failures ---------------------------------------------------------------------------------


def test_an_unreachable_server_is_a_mail_error_that_leaks_nothing():
    config = closed_port_settings()
    with pytest.raises(MailError) as caught:
        send_code(config, "ana@acme.com", "482913", "Q3 proposal")
    message = str(caught.value)
    assert message == NOT_SENT
    for detail in ("127.0.0.1", str(config["MAIL_PORT"]), "refused", "Errno"):
        assert detail not in message


def test_an_unknown_host_is_a_mail_error():
    with pytest.raises(MailError) as caught:
        send_code({"MAIL_SERVER": "no-such-host.invalid", "MAIL_TIMEOUT_SECONDS": 5},
                  "ana@acme.com", "482913", "Q3 proposal")
    assert str(caught.value) == NOT_SENT


def test_a_server_that_never_answers_times_out():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection in the kernel, and never says hello
        started = time.monotonic()
        with pytest.raises(MailError):
            send_code({"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": silent.getsockname()[1],
                       "MAIL_TIMEOUT_SECONDS": 1}, "ana@acme.com", "482913", "Q3 proposal")
        assert time.monotonic() - started < 5


def test_a_refused_recipient_is_a_mail_error():
    with start_smtp_server(refuse=frozenset({"nobody@acme.com"})) as server:
        with pytest.raises(MailError) as caught:
            send_code(settings(server), "nobody@acme.com", "482913", "Q3 proposal")
        assert str(caught.value) == NOT_SENT
        assert server.messages == []


def test_tls_is_required_when_asked_for(smtp_server):
    """This server offers no STARTTLS: nothing may go out in the clear."""
    with pytest.raises(MailError):
        send_code(settings(smtp_server, MAIL_USE_TLS=True), "ana@acme.com", "482913",
                  "Q3 proposal")
    assert smtp_server.messages == []


# --- header injection and bad values, refused before any connection --------------------------

INJECTIONS = {
    "CRLF in the address": ("ana@acme.com\r\nBcc: victim@example.org", "Q3 proposal"),
    "LF in the address": ("ana@acme.com\nBcc: victim@example.org", "Q3 proposal"),
    "CR in the address": ("ana@acme.com\rBcc: victim@example.org", "Q3 proposal"),
    "CRLF in the title": ("ana@acme.com", "Q3\r\nBcc: victim@example.org"),
    "LF in the title": ("ana@acme.com", "Q3\nBcc: victim@example.org"),
    "CR in the title": ("ana@acme.com", "Q3\rBcc: victim@example.org"),
    "NUL in the title": ("ana@acme.com", "Q3\x00"),
    "Unicode line separator": ("ana@acme.com", "Q3\u2028Bcc: victim@example.org"),
}


@pytest.mark.parametrize("name", INJECTIONS)
def test_header_injection_is_refused_before_connecting(name):
    to, title = INJECTIONS[name]
    # A closed port: had it tried to connect, the error would be the delivery failure.
    with pytest.raises(MailError) as caught:
        send_code(closed_port_settings(), to, "482913", title)
    assert str(caught.value) != NOT_SENT


@pytest.mark.parametrize("name", INJECTIONS)
def test_header_injection_sends_nothing_to_a_live_server(smtp_server, name):
    to, title = INJECTIONS[name]
    with pytest.raises(MailError):
        send_code(settings(smtp_server), to, "482913", title)
    assert smtp_server.messages == []


@pytest.mark.parametrize("to", [
    "", "ana", "ana@", "@acme.com", "ana@acme", "ana @acme.com", "ana@acme.com, bo@acme.com",
    "ana@acme.com,bo@acme.com", "<ana@acme.com>", "Ana <ana@acme.com>", "ana@@acme.com",
    "a" * 250 + "@acme.com", None, 42,
])
def test_invalid_addresses_are_refused(to):
    with pytest.raises(MailError, match="address is not valid"):
        send_code(closed_port_settings(), to, "482913", "Q3 proposal")


@pytest.mark.parametrize("code", ["", "12", "12 34", "1234\r\n", "x" * 64, None])
def test_invalid_codes_are_refused(code):
    with pytest.raises(MailError, match="code is not valid"):
        send_code(closed_port_settings(), "ana@acme.com", code, "Q3 proposal")

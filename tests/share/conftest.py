"""Share test fixtures: `world` (tests/fixtures/share.py) and `smtp_server`, a real SMTP server
on 127.0.0.1 (tests/share/smtp_server.py).

    def test_sends(smtp_server):
        send_code({"MAIL_SERVER": smtp_server.host, "MAIL_PORT": smtp_server.port}, ...)
        assert smtp_server.messages[0]["To"] == "ana@acme.com"
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixtures.share import world  # noqa: F401 - the shared fixture
from share.smtp_server import SmtpServer, start_smtp_server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """Started for the test and stopped after it; `.messages` holds what it received."""
    with start_smtp_server() as server:
        yield server

"""Checks on text cells, and the guard for cells Lockstep itself writes to CSV or XLSX."""

from __future__ import annotations

import re

from app.deals.csv_import.model import ValueProblem
from app.deals.currencies import CODES

# The same characters app.core.text refuses: C0 controls bar tab and line breaks, DEL, and
# lone surrogates (PostgreSQL refuses NUL; no database stores a lone surrogate).
_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
LIMITS = {"external_id": 64, "name": 300, "account": 300, "stage": 120, "owner_name": 300,
          "owner_email": 254}
SHOWN = 60


def shown(value: str) -> str:
    """A value quoted for a message, cut short so a 100 KB cell does not fill the screen."""
    if len(value) > SHOWN:
        value = value[:SHOWN] + "…"
    return "'" + value.replace("\r", "\\r").replace("\n", "\\n") + "'"


def is_blank(value: str) -> bool:
    return not value or value.isspace()


def clean_text(value: str, limit: int) -> str:
    """The value as written, or ValueProblem naming what a database could not keep."""
    if len(value) > limit:
        raise ValueProblem(f"longer than {limit} characters ({len(value)})")
    bad = _INVALID.search(value)
    if bad:
        code = ord(bad.group())
        kind = "lone surrogate" if 0xD800 <= code <= 0xDFFF else "control character"
        raise ValueProblem(f"{kind} U+{code:04X} at position {bad.start() + 1}")
    return value


def optional_text(value: str, limit: int) -> str | None:
    return None if is_blank(value) else clean_text(value, limit)


def currency_code(value: str) -> str | None:
    code = value.strip()
    if not code:
        return None
    if code.upper() not in CODES:
        raise ValueProblem(f"{shown(code)} is not an ISO 4217 currency code")
    return code.upper()


def looks_like_email(value: str) -> bool:
    return re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) is not None

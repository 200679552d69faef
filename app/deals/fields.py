"""Validation of one deal as the API or a form sends it. The CSV import has its own, more
forgiving readers (app.deals.csv_import); both produce a `DealInput`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.text import is_clean_text
from app.deals.currencies import is_currency
from app.deals.models import OUTCOMES

MAX_EXTERNAL_ID = 64
MAX_NAME = 300
MAX_STAGE = 120
MAX_DOMAINS = 20
# Numeric(18, 2): 16 digits before the point.
MAX_AMOUNT = Decimal("9999999999999999.99")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
FIELDS = ("external_id", "name", "account", "account_domains", "owner_email", "amount",
          "currency", "stage", "status", "created_at", "close_date", "closed_at", "updated_at")


@dataclass(frozen=True)
class DealInput:
    external_id: str
    name: str
    stage: str | None
    status: str | None
    close_date: date
    account: str | None = None
    account_domains: tuple[str, ...] = ()
    owner_email: str | None = None
    owner_name: str | None = None
    amount: Decimal | None = None
    currency: str | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    # Only set by the CSV import: which record of the file this came from.
    row: int | None = field(default=None, compare=False)


def clean_deal(values: dict[str, Any]) -> DealInput:
    """Return the deal, or raise ValueError with {field: message} for every bad field."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name in sorted(set(values) - set(FIELDS)):
        errors[name] = "Unknown field."
    for name, reader in _READERS.items():
        try:
            cleaned[name] = reader(values.get(name))
        except ValueError as exc:
            errors[name] = str(exc)
    if not errors and not cleaned["stage"] and not cleaned["status"]:
        errors["stage"] = "Give a stage or a status."
    if errors:
        raise ValueError(errors)
    return DealInput(**cleaned)


def end_of_day(day: date) -> datetime:
    """When a deal closed if the CRM gives only the date: the end of that day, UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1)


def _text(value: Any, limit: int, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise ValueError("Required.")
        return None
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    if not value.strip() and required:
        raise ValueError("Required.")
    if len(value) > limit:
        raise ValueError(f"At most {limit} characters.")
    if not is_clean_text(value):
        raise ValueError("Contains control characters or invalid text.")
    return value  # stored as written: no trimming


def _email(value: Any) -> str | None:
    text = _text(value, 254, required=False)
    if text is None:
        return None
    text = text.strip()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise ValueError("Not an e-mail address.")
    return text


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError("Must be a decimal number, e.g. \"184500.00\".")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError(f"Not a decimal number: {str(value)[:40]!r}.") from exc
    if not amount.is_finite():
        raise ValueError("Must be a finite number.")
    if amount < 0:
        raise ValueError("Cannot be negative.")
    if amount > MAX_AMOUNT:
        raise ValueError("Too large: at most 16 digits before the decimal point.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("At most 2 decimal places.")
    return amount.quantize(Decimal("0.01"))


def _currency(value: Any) -> str | None:
    text = _text(value, 3, required=False)
    if text is None:
        return None
    if not is_currency(text.upper()):
        raise ValueError(f"Not an ISO 4217 currency code: {text!r}.")
    return text.upper()


def _status(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if value not in OUTCOMES:
        raise ValueError(f"Must be one of {', '.join(OUTCOMES)}.")
    return value


def _date(value: Any) -> date:
    if value in (None, ""):
        raise ValueError("Required.")
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("Must be a date like 2027-03-31.")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Not a real date: {value!r}.") from exc


def _datetime(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("Must be an ISO 8601 date and time.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Not an ISO 8601 date and time: {value!r}.") from exc
    # Without an offset the time is taken as UTC, as CRMs' APIs send it.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _domains(value: Any) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("A list of domains such as [\"acme.com\"].")
    domains = tuple(dict.fromkeys(v.strip().lower().lstrip("@") for v in value if v.strip()))
    if len(domains) > MAX_DOMAINS:
        raise ValueError(f"At most {MAX_DOMAINS} domains.")
    if bad := [d for d in domains if not _DOMAIN.match(d)]:
        raise ValueError(f"Not a domain: {bad[0][:60]!r}.")
    return domains


_READERS = {
    "external_id": lambda v: _text(v, MAX_EXTERNAL_ID, required=True),
    "name": lambda v: _text(v, MAX_NAME, required=True),
    "account": lambda v: _text(v, MAX_NAME, required=False),
    "account_domains": _domains,
    "owner_email": _email,
    "amount": _amount,
    "currency": _currency,
    "stage": lambda v: _text(v, MAX_STAGE, required=False),
    "status": _status,
    "created_at": _datetime,
    "close_date": _date,
    "closed_at": _datetime,
    "updated_at": _datetime,
}

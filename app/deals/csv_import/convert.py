"""One data record of the file -> a DealRecord, or the reasons it cannot be one."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

from app.deals.csv_import.amounts import parse_amount
from app.deals.csv_import.dates import parse_when
from app.deals.csv_import.domains import parse_domains
from app.deals.csv_import.locales import resolve_locale
from app.deals.csv_import.model import DealRecord, ImportPlan, RowIssue, ValueProblem
from app.deals.csv_import.sfid import salesforce_id
from app.deals.csv_import.sources import SOURCES
from app.deals.csv_import.stages import (
    StageMap,
    parse_flag,
    status_from_flags,
    status_from_word,
)
from app.deals.csv_import.text import (
    LIMITS,
    clean_text,
    currency_code,
    is_blank,
    looks_like_email,
    shown,
)

BLANK = "required value is blank"
_NAME = partial(clean_text, limit=LIMITS["name"])
_ACCOUNT = partial(clean_text, limit=LIMITS["account"])
_STAGE = partial(clean_text, limit=LIMITS["stage"])
_OWNER_NAME = partial(clean_text, limit=LIMITS["owner_name"])


def _email_text(value: str) -> str:
    return clean_text(value.strip(), LIMITS["owner_email"])


class Converted(NamedTuple):
    record: DealRecord | None
    issues: list[RowIssue]
    warnings: list[RowIssue]


class _Cells:
    """One record's cells by field, collecting what is wrong with them."""

    def __init__(self, row: int, cells: list[str], index: dict[str, int],
                 headers: dict[str, str]):
        self.row, self._cells, self._index, self._headers = row, cells, index, headers
        self.issues: list[RowIssue] = []
        self.warnings: list[RowIssue] = []

    def has(self, field: str) -> bool:
        return field in self._index

    def raw(self, field: str) -> str:
        index = self._index.get(field)
        return self._cells[index] if index is not None and index < len(self._cells) else ""

    def read(self, field: str, parse: Callable[[str], Any], *, required: bool = False) -> Any:
        """parse(cell), or None for an absent or blank cell (an issue when required)."""
        raw = self.raw(field)
        if not raw or raw.isspace():
            if required:
                self.fail(field, BLANK)
            return None
        try:
            return parse(raw)
        except ValueProblem as exc:
            self.fail(field, str(exc))
            return None

    def fail(self, field: str, reason: str) -> None:
        self.issues.append(RowIssue(self.row, reason, self._headers.get(field)))

    def warn(self, field: str, reason: str) -> None:
        self.warnings.append(RowIssue(self.row, reason, self._headers.get(field)))


class RowConverter:
    def __init__(self, plan: ImportPlan, stages: StageMap):
        self._source = SOURCES[plan.source]
        self._locale = resolve_locale(plan.locale)
        self._stages = stages
        self._index = {c.field: c.index for c in plan.columns if c.field}
        self._headers = {c.field: c.header for c in plan.columns if c.field}
        self._when = partial(parse_when, locale=self._locale)
        self._amount = partial(parse_amount, locale=self._locale)

    def convert(self, row: int, cells: list[str]) -> Converted:
        c = _Cells(row, cells, self._index, self._headers)
        external_id = c.read("external_id", self._external_id, required=True)
        name = c.read("name", _NAME, required=True)
        owner_email, owner_name = self._owner(c)
        amount, currency = self._money(c)
        status = self._status(c)
        close_date, closed_at = self._closing(c, status)
        account, domains = c.read("account", _ACCOUNT), self._domains(c)
        stage = c.read("stage", _STAGE)
        created_at, updated_at = self._moment(c, "created_at"), self._moment(c, "updated_at")
        if c.issues:
            return Converted(None, c.issues, c.warnings)
        return Converted(DealRecord(
            row, external_id, name, account, domains, owner_email, owner_name, amount,
            currency, stage, status, close_date, closed_at, created_at, updated_at),
            c.issues, c.warnings)

    def _external_id(self, raw: str) -> str:
        if self._source.salesforce_ids:
            return salesforce_id(raw)
        return clean_text(raw.strip(), LIMITS["external_id"])

    def _moment(self, c: _Cells, field: str):
        when = c.read(field, self._when)
        return when.utc() if when else None

    def _owner(self, c: _Cells) -> tuple[str | None, str | None]:
        email = c.read("owner_email", _email_text)
        name = c.read("owner_name", _OWNER_NAME)
        either = c.read("owner", _OWNER_NAME)
        if either is not None:
            if looks_like_email(either.strip()):
                email = either.strip()
            else:
                name = either
        if email is not None and not looks_like_email(email):
            c.warn("owner_email", f"{shown(email)} is not an e-mail address; left out")
            email = None
        return email, name

    def _money(self, c: _Cells):
        amount, code = c.read("amount", self._amount) or (None, None)
        currency = c.read("currency", currency_code)
        if code and currency and code != currency:
            c.fail("amount", f"amount {shown(c.raw('amount'))} says {code}, but the currency "
                             f"column says {currency}")
        return amount, currency or code

    def _status(self, c: _Cells) -> str | None:
        if c.has("is_closed"):
            closed = c.read("is_closed", parse_flag, required=True)
            won = c.read("is_won", parse_flag, required=True)
            if closed is None or won is None:
                return None
            try:
                return status_from_flags(closed, won)
            except ValueProblem as exc:
                c.fail("is_won", str(exc))
                return None
        if self._source.status_column:
            return c.read("status", status_from_word, required=True)
        return c.read("stage", self._stages.status_of, required=True)

    def _closing(self, c: _Cells, status: str | None):
        """(close date, closed at). Pipedrive's won or lost time, when given, is when a closed
        deal closed, and its date the close date (the expected close date is a forecast)."""
        close = c.read("close_date", self._when)
        ended = None
        if self._source.status_column:
            moments = {f: c.read(f, self._when) for f in ("won_at", "lost_at", "closed_on")}
            if status in ("won", "lost"):
                ended = moments[f"{status}_at"] or moments["closed_on"]
        if ended is not None:
            return ended.day, ended.utc()
        if is_blank(c.raw("close_date")):
            c.fail("close_date", BLANK)
        return (close.day if close else None), None

    def _domains(self, c: _Cells) -> tuple[str, ...]:
        raw = c.raw("account_domains")
        if is_blank(raw):
            return ()
        domains, warnings = parse_domains(raw)
        for warning in warnings:
            c.warn("account_domains", warning)
        return domains

"""What the CSV import hands to the deals service: the plan shown before anything is written,
the deals it read, and the problems it found, each with the data record it belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

STATUSES = ("open", "won", "lost")
# Deal fields and the helper columns some sources need to work them out.
FIELDS = ("external_id", "name", "account", "account_domains", "owner_email", "owner_name",
          "owner", "amount", "currency", "stage", "status", "is_closed", "is_won", "close_date",
          "won_at", "lost_at", "closed_on", "created_at", "updated_at")
LABELS = {
    "external_id": "external id", "name": "name", "account": "account",
    "account_domains": "account domains", "owner_email": "owner e-mail",
    "owner_name": "owner name", "owner": "owner (e-mail or name)", "amount": "amount",
    "currency": "currency", "stage": "stage", "status": "status", "is_closed": "closed flag",
    "is_won": "won flag", "close_date": "close date", "won_at": "won time",
    "lost_at": "lost time", "closed_on": "closed time", "created_at": "created",
    "updated_at": "last modified",
}


class ImportFileError(Exception):
    """The whole file is refused; the message says why in words the uploader can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValueProblem(ValueError):
    """One cell cannot be read; the message names the value."""


@dataclass(frozen=True)
class RowIssue:
    """A problem with one data record. `row` 1 is the first record after the header, however
    many line breaks sit inside quoted fields; `column` is the file's header, when one is to
    blame."""

    row: int
    reason: str
    column: str | None = None


@dataclass(frozen=True, slots=True)
class DealRecord:
    """One deal as the file states it. Field names match app.deals.fields.DealInput.
    Text is as written (no trimming); ids are trimmed, Salesforce ids in their 18-character
    form; datetimes are aware, in UTC; `closed_at` is None unless the CRM wrote the moment."""

    row: int
    external_id: str
    name: str
    account: str | None
    account_domains: tuple[str, ...]
    owner_email: str | None
    owner_name: str | None
    amount: Decimal | None
    currency: str | None
    stage: str | None
    status: str
    close_date: date
    closed_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None

    def values(self) -> tuple:
        """Everything but the row: what makes two records of one id identical."""
        return (self.external_id, self.name, self.account, self.account_domains,
                self.owner_email, self.owner_name, self.amount, self.currency, self.stage,
                self.status, self.close_date, self.closed_at, self.created_at, self.updated_at)


@dataclass(frozen=True)
class ColumnMapping:
    """One column of the file: its position, its header as written, the field it feeds
    (None: ignored)."""

    index: int
    header: str
    field: str | None


@dataclass(frozen=True)
class ImportPlan:
    """What `inspect` learnt from the file's first bytes and header: enough for a preview and
    for `read`."""

    source: str
    crm: str
    encoding: str
    delimiter: str
    locale: str | None
    headers: tuple[str, ...]
    columns: tuple[ColumnMapping, ...]
    missing: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def mapping(self) -> dict[str, str]:
        """Field -> the header that feeds it."""
        return {c.field: c.header for c in self.columns if c.field}

    @property
    def ignored(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.field is None)

    @property
    def ready(self) -> bool:
        return not self.missing

    def index_of(self, field: str) -> int | None:
        return next((c.index for c in self.columns if c.field == field), None)

    def header_of(self, field: str) -> str | None:
        return next((c.header for c in self.columns if c.field == field), None)

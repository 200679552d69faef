"""Applying deals from a CRM (API batches and CSV imports) to the database.

Helpers here only flush; the services that call them own the transaction, so a batch either
lands whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from app.auth.models import User
from app.core.sql import in_values
from app.core.timeutil import utcnow
from app.deals.fields import DealInput, end_of_day
from app.deals.models import Account, Deal, DealStageChange
from app.deals.pipeline import looks_closed, resolve_stage, stage_key
from app.extensions import db


@dataclass(frozen=True)
class Issue:
    row: int
    reason: str


@dataclass
class UpsertReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[Issue] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    new_stages: list[str] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    keep_deals: bool = True  # an import of 100,000 rows does not keep them all in memory
    source: str = ""  # the CRM export format, for imports
    # Deals whose outcome changed: the assets used in them need their search evidence redone.
    closed_or_reopened: set[int] = field(default_factory=set)
    # Past this many, issues are counted but not kept: a 100,000-row file with an unknown owner
    # on every row must not hold (and answer with) 100,000 warnings.
    max_issues: int = 1000
    warned_rows: int = 0
    rejected_rows: int = 0

    def warn(self, issue: Issue) -> None:
        self.warned_rows += 1
        if len(self.warnings) < self.max_issues:
            self.warnings.append(issue)

    def reject(self, issue: Issue) -> None:
        self.rejected_rows += 1
        if len(self.rejected) < self.max_issues:
            self.rejected.append(issue)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class StageRef:
    stage_id: int | None  # None when the label was not added (it looked closed)
    outcome: str | None
    new: bool


class Resolver:
    """Owners, accounts and stages looked up once per batch, not once per deal."""

    def __init__(self, inputs: list[DealInput]) -> None:
        emails = {i.owner_email.strip().lower() for i in inputs if i.owner_email}
        names = {i.owner_name for i in inputs if i.owner_name and not i.owner_email}
        self.by_email: dict[str, User] = {}
        if emails:
            users = db.session.scalars(select(User).where(
                in_values(func.lower(User.email), sorted(emails))))
            self.by_email = {u.email.lower(): u for u in users}
        self.by_name: dict[str, list[User]] = {}
        if names:
            for user in db.session.scalars(select(User).where(in_values(User.name,
                                                                        sorted(names)))):
                self.by_name.setdefault(user.name, []).append(user)
        accounts = {i.account for i in inputs if i.account}
        self.stages: dict[tuple[str, str], StageRef] = {}
        self.accounts: dict[str, Account] = {}
        if accounts:
            rows = db.session.scalars(select(Account).where(in_values(Account.name, accounts)))
            self.accounts = {a.name: a for a in rows}

    def stage(self, label: str, outcome: str | None) -> StageRef:
        """The pipeline stage of a label, remembered for the rest of the batch. A new label
        that looks closed is only added when the deal's outcome is known."""
        key = (stage_key(label), outcome or "")
        if key not in self.stages:
            unsure = outcome is None and looks_closed(label)
            resolution = resolve_stage(label, outcome or "open", create=not unsure)
            found = resolution.stage
            self.stages[key] = StageRef(found.id if found else None,
                                        found.outcome if found else None, resolution.new)
        return self.stages[key]

    def owner(self, item: DealInput, report: UpsertReport, row: int) -> User | None:
        """E-mail first (any case), then the exact full name; blank is unassigned."""
        if item.owner_email:
            user = self.by_email.get(item.owner_email.strip().lower())
            if user is None:
                report.warn(Issue(row, f"unknown owner {item.owner_email!r}: the "
                                                  "deal is imported unassigned"))
            return user
        if item.owner_name:
            users = self.by_name.get(item.owner_name, [])
            if len(users) == 1:
                return users[0]
            problem = "unknown owner" if not users else "several users are called"
            report.warn(Issue(row, f"{problem} {item.owner_name!r}: the deal is "
                                              "imported unassigned"))
        return None

    def account(self, item: DealInput) -> Account | None:
        if not item.account:
            return None
        account = self.accounts.get(item.account)
        if account is None:
            account = Account(name=item.account, domains="")
            db.session.add(account)
            self.accounts[item.account] = account
        merged = list(dict.fromkeys(account.domain_list + list(item.account_domains)))
        if merged != account.domain_list:
            account.domains = " ".join(merged)[:1000]
        return account


def existing_deals(external_ids: Iterable[str]) -> dict[str, Deal]:
    ids = list(external_ids)
    found: dict[str, Deal] = {}
    for start in range(0, len(ids), 500):  # stay below the databases' parameter limits
        chunk = ids[start:start + 500]
        found.update((d.external_id, d) for d in
                     db.session.scalars(select(Deal).where(in_values(Deal.external_id, chunk))))
    return found


def outcome_of(item: DealInput, stage_outcome: str | None) -> str | None:
    """The deal's status: given, or what its stage means. None when that cannot be told."""
    if item.status:
        return item.status
    if stage_outcome is not None:
        return stage_outcome
    return None if looks_closed(item.stage or "") else "open"


def apply_one(item: DealInput, row: int, deal: Deal | None, resolver: Resolver,
              report: UpsertReport, source: str) -> Deal | None:
    """Create or update one deal from `item` (flush only); returns the deal it created, if it
    created one. A dry run does the same and rolls back, so its counts are exactly what a real
    run would do."""
    if deal is not None and _is_stale(deal, item):
        report.unchanged += 1
        report.warn(Issue(row, "older than the version already stored "
                                          f"({deal.source_updated_at.isoformat()}); skipped"))
        return None
    label = item.stage or _default_label(item.status)
    resolution = resolver.stage(label, item.status)
    status = outcome_of(item, resolution.outcome)
    if status is None:
        report.reject(Issue(row, f"stage {label!r} looks closed but nothing says "
                                          "whether it was won or lost; add it to stage_map"))
        return None
    if resolution.new and label not in report.new_stages:
        report.new_stages.append(label)
    values = _values(item, label, resolution.stage_id, status, resolver, report, row)
    created = deal is None
    if deal is None:
        deal = _create(item, values, source)
        report.created += 1
    elif _differs(deal, values, item):
        _update(deal, item, values, source, report)
        report.updated += 1
    else:
        report.unchanged += 1
        return None
    deal.updated_at = utcnow()
    deal.source_updated_at = item.updated_at or deal.source_updated_at
    if report.keep_deals:
        report.deals.append(deal)
    return deal if created else None


def _create(item: DealInput, values: dict, source: str) -> Deal:
    now = utcnow()
    deal = Deal(external_id=item.external_id, created_at=item.created_at or now, **values)
    db.session.add(deal)
    _record_change(deal, values, values["closed_at"] or item.created_at or item.updated_at or now,
                   source)
    return deal


def _update(deal: Deal, item: DealInput, values: dict, source: str,
            report: UpsertReport) -> None:
    moved = _moved(deal, values)
    if values["status"] != deal.status or values["closed_at"] != deal.closed_at:
        report.closed_or_reopened.add(deal.id)
    for name, value in values.items():
        setattr(deal, name, value)
    if item.created_at:
        deal.created_at = item.created_at
    if moved:
        _record_change(deal, values, values["closed_at"] or item.updated_at or utcnow(), source)


def _is_stale(deal: Deal, item: DealInput) -> bool:
    return bool(item.updated_at and deal.source_updated_at
                and item.updated_at < deal.source_updated_at)


def _default_label(status: str | None) -> str:
    return {"won": "Closed Won", "lost": "Closed Lost"}.get(status or "open", "Prospecting")


def _values(item: DealInput, label: str, stage_id: int, status: str, resolver: Resolver,
            report: UpsertReport, row: int) -> dict:
    owner = resolver.owner(item, report, row)
    account = resolver.account(item)
    closed_at = None if status == "open" else (item.closed_at or end_of_day(item.close_date))
    return {"name": item.name, "account": account, "owner_id": owner.id if owner else None,
            "amount": item.amount, "currency": item.currency, "stage": label,
            "stage_id": stage_id, "status": status, "close_date": item.close_date,
            "closed_at": closed_at}


def _differs(deal: Deal, values: dict, item: DealInput) -> bool:
    if item.created_at and item.created_at != deal.created_at:
        return True
    return any(getattr(deal, name) != value for name, value in values.items())


def _moved(deal: Deal, values: dict) -> bool:
    return (deal.stage_id, deal.stage, deal.status) != (values["stage_id"], values["stage"],
                                                        values["status"])


def _record_change(deal: Deal, values: dict, at: datetime, source: str) -> None:
    deal.history.append(DealStageChange(stage=values["stage"], stage_id=values["stage_id"],
                                        status=values["status"], changed_at=at, source=source))

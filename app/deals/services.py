"""Writes to deals: upserts from the CRM (API batches), edits, and recorded usage of content.

Each public function is one unit of work and commits once at its end, or not at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.auth.models import User
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import Role, is_admin
from app.core.timeutil import utcnow
from app.deals import events
from app.deals.fields import FIELDS, DealInput, clean_deal
from app.deals.models import RECORDED_ACTIONS, Deal, UsageEvent
from app.deals.permissions import can_edit_deal, ensure_can_view_deal
from app.deals.upsert import Resolver, UpsertReport, apply_one, existing_deals
from app.extensions import db
from app.library.models import Asset
from app.library.permissions import ensure_can_view_asset

MAX_BATCH = 1000


def upsert_deals(actor: User, raw: list[dict[str, Any]], source: str = "api") -> UpsertReport:
    """Create or update deals by `external_id`. Every row is checked first: one bad row
    rejects the batch (422, each row's errors listed) and nothing is written."""
    if not raw or len(raw) > MAX_BATCH:
        raise ValidationFailed(f"Send between 1 and {MAX_BATCH} deals.")
    inputs, errors = _clean_all(raw)
    if errors:
        raise ValidationFailed("Some deals are not valid; nothing was saved.",
                               {"rejected": errors})
    report = UpsertReport()
    apply_batch(actor, inputs, source, report)
    if report.rejected:
        db.session.rollback()
        raise ValidationFailed("Some deals are not valid; nothing was saved.",
                               {"rejected": [{"index": i.row, "errors": {"stage": i.reason}}
                                             for i in report.rejected]})
    db.session.commit()
    return report


def apply_batch(actor: User, inputs: list[DealInput], source: str,
                report: UpsertReport) -> None:
    """Apply validated deals (flush only; the caller commits or rolls back). Shared by the API
    and the CSV import, which calls it once per chunk of its file."""
    _ensure_may_upsert(actor, inputs)
    resolver = Resolver(inputs)
    stored = existing_deals(i.external_id for i in inputs)
    _ensure_owns_existing(actor, stored.values())
    before = {deal.id: _counted_state(deal) for deal in stored.values()}
    created = []
    for index, item in enumerate(inputs):
        new = apply_one(item, item.row if item.row is not None else index,
                        stored.get(item.external_id), resolver, report, source)
        if new is not None:
            created.append(new)
    db.session.flush()
    events.deals_changed(report.closed_or_reopened)
    report.closed_or_reopened.clear()
    # New deals, and deals whose analytics-relevant state changed (a re-import of an unchanged
    # CRM export touches nothing).
    events.deals_touched([deal.id for deal in created] +
                         [deal.id for deal in stored.values()
                          if _counted_state(deal) != before[deal.id]])


def _counted_state(deal: Deal) -> tuple:
    return (deal.status, deal.closed_at, deal.amount, deal.currency, deal.close_date,
            deal.owner_id, deal.stage_id, deal.account_id)


def _clean_all(raw: list[dict[str, Any]]) -> tuple[list[DealInput], list[dict]]:
    inputs, errors = [], []
    for index, values in enumerate(raw):
        if not isinstance(values, dict):
            errors.append({"index": index, "errors": {"_": "Each deal is a JSON object."}})
            continue
        try:
            inputs.append(clean_deal(values))
        except ValueError as exc:
            errors.append({"index": index, "external_id": str(values.get("external_id"))[:64],
                           "errors": exc.args[0]})
    repeated = {k for k, n in Counter(i.external_id for i in inputs).items() if n > 1}
    for index, item in enumerate(inputs):
        if item.external_id in repeated:
            errors.append({"index": index, "external_id": item.external_id,
                           "errors": {"external_id": "Appears more than once in the batch."}})
    return inputs, errors


def _ensure_may_upsert(actor: User, inputs: list[DealInput]) -> None:
    if is_admin(actor):
        return
    if actor.role != Role.REP:
        raise PermissionDenied("Only admins and the deals' owners can send deals.")
    own = actor.email.lower()
    if any((i.owner_email or "").strip().lower() != own for i in inputs):
        raise PermissionDenied("Reps can only send deals whose owner_email is their own.")


def _ensure_owns_existing(actor: User, deals) -> None:
    if not is_admin(actor) and any(d.owner_id != actor.id for d in deals):
        raise PermissionDenied("One of these deals belongs to someone else.")


def update_deal(actor: User, deal_id: int, changes: dict[str, Any]) -> Deal:
    """Change some fields of one deal (the rest stay as they are)."""
    deal = ensure_can_view_deal(actor, db.session.get(Deal, deal_id))
    if not can_edit_deal(actor, deal):
        raise PermissionDenied("Only the deal's owner or an admin can change it.")
    if "external_id" in changes and changes["external_id"] != deal.external_id:
        raise ValidationFailed("external_id cannot change.", {"external_id": "read_only"})
    values = dict(current_values(deal), **changes)
    try:
        item = clean_deal(values)
    except ValueError as exc:
        raise ValidationFailed("Some fields are not valid.", exc.args[0]) from exc
    report = UpsertReport()
    apply_batch(actor, [item], "web", report)
    if report.rejected:
        db.session.rollback()
        raise ValidationFailed(report.rejected[0].reason, {"stage": "looks_closed"})
    db.session.commit()
    return deal


def current_values(deal: Deal) -> dict[str, Any]:
    """The deal as API input, so a partial change can be validated like a whole one."""
    values = {
        "external_id": deal.external_id, "name": deal.name,
        "account": deal.account.name if deal.account else None,
        "account_domains": deal.account.domain_list if deal.account else [],
        "owner_email": deal.owner.email if deal.owner else None,
        "amount": str(deal.amount) if deal.amount is not None else None,
        "currency": deal.currency, "stage": deal.stage, "status": deal.status,
        "close_date": deal.close_date.isoformat(),
        "closed_at": deal.closed_at.isoformat() if deal.closed_at else None,
    }
    return {name: value for name, value in values.items() if name in FIELDS}


# --- usage -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ForkContent:
    """What a fork stands for in usage: its source asset and the version it was based on."""
    asset_id: int
    version_id: int


# Forks live in their own area; it registers how to find a fork the actor may use.
_fork_lookup: list[Callable[[User, int], ForkContent | None]] = []


def register_fork_lookup(lookup: Callable[[User, int], ForkContent | None]) -> None:
    if lookup not in _fork_lookup:
        _fork_lookup.append(lookup)


def record_usage(actor: User, deal_id: int, action: str, asset_id: int | None = None,
                 fork_id: int | None = None) -> UsageEvent:
    """`actor` used an asset (its current version) or a fork on a deal."""
    deal = ensure_can_view_deal(actor, db.session.get(Deal, deal_id))
    if not can_edit_deal(actor, deal):
        raise PermissionDenied("Only the deal's owner or an admin can record use on it.")
    if action not in RECORDED_ACTIONS:
        raise ValidationFailed(f"action must be one of {', '.join(RECORDED_ACTIONS)}.",
                               {"action": "invalid"})
    asset_id, version_id = _content(actor, asset_id, fork_id)
    event = _append_usage(deal, asset_id, version_id, fork_id, actor.id, action)
    db.session.commit()
    return event


def record_view(deal_id: int, asset_id: int, version_id: int, fork_id: int | None,
                user_id: int | None) -> UsageEvent | None:
    """A prospect viewed this content through a share link tied to the deal: usage with action
    `viewed`, credited to the link's owner. The caller (the share area) checked the link and
    commits; None when the deal is gone."""
    deal = db.session.get(Deal, deal_id)
    if deal is None:
        return None
    return _append_usage(deal, asset_id, version_id, fork_id, user_id, "viewed")


def _append_usage(deal: Deal, asset_id: int, version_id: int, fork_id: int | None,
                  user_id: int | None, action: str) -> UsageEvent:
    """The event, with the deal as it is now, so analytics can ask where content was used."""
    now = utcnow()
    event = UsageEvent(deal_id=deal.id, asset_id=asset_id, version_id=version_id,
                       fork_id=fork_id, user_id=user_id, action=action, deal_stage=deal.stage,
                       deal_stage_id=deal.stage_id, deal_status=deal.status,
                       # recorded on a closed deal: after its close, whatever closed_at says
                       after_close=deal.status != "open",
                       occurred_at=now)
    db.session.add(event)
    db.session.flush()
    events.usage_recorded({asset_id})
    events.deals_touched({deal.id})
    return event


def _content(actor: User, asset_id: int | None, fork_id: int | None) -> tuple[int, int]:
    if (asset_id is None) == (fork_id is None):
        raise ValidationFailed("Give either asset_id or fork_id.", {"asset_id": "one_of"})
    if fork_id is not None:
        found = next((f for f in (lookup(actor, fork_id) for lookup in _fork_lookup) if f),
                     None)
        if found is None:
            raise NotFound("No such fork.")
        return found.asset_id, found.version_id
    asset = ensure_can_view_asset(actor, db.session.get(Asset, asset_id))
    if asset.status == "archived":
        raise ValidationFailed("Archived assets cannot be used in deals.",
                               {"asset_id": "archived"})
    if asset.current_version_id is None:
        raise ValidationFailed("The asset has no file yet.", {"asset_id": "no_version"})
    return asset.id, asset.current_version_id

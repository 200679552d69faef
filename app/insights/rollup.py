"""Keeping the influence rollup in step with usage and deals.

Every write that can change what a deal counts for (a new usage event, a deal created, moved,
closed, reopened, re-priced) calls `refresh_deals` with the deal ids, inside its own transaction:
the deal's Influence rows are worked out again from its usage events and its current state, and
the per-asset totals move by the difference. So reports read maintained figures, never the raw
usage, and are current the moment the write commits. `rebuild` does the same for every deal at
once (after a restore, or to check the maintained figures: the tests compare the two).

The per-deal work is small (one deal's events, a few dozen at most) and is where attribution
splits a won amount into exact cents (stats.attribute); everything a report shows is then an SQL
aggregate over these rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import delete, distinct, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from app.deals import influence
from app.deals.models import Deal, UsageEvent
from app.extensions import db
from app.insights import progress
from app.insights.models import COUNTERS, SUMS, AssetEffect, Influence, InfluenceUse
from app.insights.stats import MODELS, attribute

CHUNK = 500
_ROW_FIELDS = ("first_used_at", "last_used_at", "first_stage_id", "uses", "fork_uses", "stages",
               "outcome", "amount", "currency", "close_date", "owner_id", *MODELS)


def refresh_deals(deal_ids: Iterable[int]) -> None:
    """Rewrite these deals' influence rows and move the asset totals by the difference. Flushes;
    the caller's transaction commits (or rolls it all back)."""
    ids = sorted(set(deal_ids))
    for start in range(0, len(ids), CHUNK):
        _refresh_chunk(ids[start:start + CHUNK])


def refresh_deals_with_usage(deal_ids: Iterable[int]) -> None:
    """refresh_deals for those of `deal_ids` that have any usage (a deal without usage has no
    rows, and most deals of a CRM import have none)."""
    ids = sorted(set(deal_ids))
    used: list[int] = []
    for start in range(0, len(ids), CHUNK):
        used += db.session.scalars(select(distinct(UsageEvent.deal_id)).where(
            UsageEvent.deal_id.in_(ids[start:start + CHUNK])))
    refresh_deals(used)


def _refresh_chunk(ids: list[int]) -> None:
    db.session.flush()
    old = {(row.deal_id, row.asset_id): row for row in db.session.scalars(
        select(Influence).where(Influence.deal_id.in_(ids)))}
    new, uses = compute_with_uses(ids)
    if {key: _values(row) for key, row in old.items()} == new and uses == _kept_uses(ids):
        return
    delta: dict[tuple[int, str], dict[str, int | Decimal]] = defaultdict(_zero)
    for (_, asset_id), row in old.items():
        _add(delta[(asset_id, row.currency)], _values(row), -1)
    for (_, asset_id), values in new.items():
        _add(delta[(asset_id, values["currency"])], values, +1)
    db.session.execute(delete(InfluenceUse).where(InfluenceUse.deal_id.in_(ids)))
    db.session.execute(delete(Influence).where(Influence.deal_id.in_(ids)))
    for row in old.values():
        db.session.expunge(row)
    _insert(new, uses)
    _apply(delta)


def _kept_uses(ids: list[int]) -> dict[tuple[int, int, int, int], object]:
    return {(r.deal_id, r.asset_id, r.version_id, r.stage_id): r.first_used_at
            for r in db.session.execute(
                select(InfluenceUse.deal_id, InfluenceUse.asset_id, InfluenceUse.version_id,
                       InfluenceUse.stage_id, InfluenceUse.first_used_at)
                .where(InfluenceUse.deal_id.in_(ids)))}


def _insert(rows: dict, uses: dict) -> None:
    if rows:  # render_nulls: rows without an amount or owner do not split the batch
        db.session.execute(insert(Influence).execution_options(render_nulls=True), [
            {"deal_id": deal_id, "asset_id": asset_id, **values}
            for (deal_id, asset_id), values in rows.items()])
    if uses:
        db.session.execute(insert(InfluenceUse), [
            {"deal_id": d, "asset_id": a, "version_id": v, "stage_id": s, "first_used_at": at}
            for (d, a, v, s), at in uses.items()])


def compute(deal_ids: list[int]) -> dict[tuple[int, int], dict]:
    """(deal_id, asset_id) -> the Influence row's values, from the deals' usage as it is now."""
    return compute_with_uses(deal_ids)[0]


def compute_with_uses(deal_ids: list[int]) -> tuple[dict, dict]:
    """compute(), and (deal_id, asset_id, version_id, stage_id) -> the first counted use of
    that version at that stage (the InfluenceUse rows)."""
    if not deal_ids:
        return {}, {}
    deals = {d.id: d for d in db.session.execute(
        select(Deal.id, Deal.status, Deal.closed_at, Deal.amount, Deal.currency,
               Deal.close_date, Deal.owner_id)
        .where(Deal.id.in_(deal_ids)))}
    events = defaultdict(list)
    for event in db.session.execute(
            select(UsageEvent.deal_id, UsageEvent.asset_id, UsageEvent.version_id,
                   UsageEvent.fork_id, UsageEvent.deal_stage_id, UsageEvent.deal_status,
                   UsageEvent.occurred_at)
            .where(UsageEvent.deal_id.in_(deal_ids))
            .order_by(UsageEvent.deal_id, UsageEvent.occurred_at, UsageEvent.id)):
        events[event.deal_id].append(event)
    rows: dict[tuple[int, int], dict] = {}
    uses: dict[tuple[int, int, int, int], object] = {}
    for deal_id, deal_events in events.items():
        deal = deals[deal_id]
        counted = [e for e in deal_events if influence.counts(
            deal.status, deal.closed_at, e.deal_status, e.occurred_at)]
        rows.update(_deal_rows(deal, counted))
        for event in counted:  # oldest first
            uses.setdefault((deal_id, event.asset_id, event.version_id, event.deal_stage_id),
                            event.occurred_at)
    return rows, uses


def _deal_rows(deal, counted) -> dict[tuple[int, int], dict]:
    rows: dict[tuple[int, int], dict] = {}
    amount = Decimal(deal.amount) if deal.amount is not None else None
    for event in counted:
        row = rows.get((deal.id, event.asset_id))
        if row is None:
            rows[(deal.id, event.asset_id)] = row = {
                "first_used_at": event.occurred_at, "first_stage_id": event.deal_stage_id,
                "uses": 0, "fork_uses": 0, "stage_ids": set(), "outcome": deal.status,
                "amount": amount,
                "currency": deal.currency or "", "close_date": deal.close_date,
                "owner_id": deal.owner_id,
                **{model: Decimal("0.00") for model in MODELS}}
        row["last_used_at"] = event.occurred_at
        row["stage_ids"].add(event.deal_stage_id)
        row["uses"] += 1
        row["fork_uses"] += event.fork_id is not None
    for row in rows.values():
        row["stages"] = "," + "".join(f"{stage},"
                                      for stage in sorted(row.pop("stage_ids")))[:398]
    if deal.status == "won" and amount is not None and counted:
        touches = [event.asset_id for event in counted]
        for model in MODELS:
            for asset_id, share in attribute(amount, touches, model).items():
                rows[(deal.id, asset_id)][model] = share
    return rows


def _values(row) -> dict:
    values = {name: getattr(row, name) for name in _ROW_FIELDS}
    if values["amount"] is not None:
        values["amount"] = Decimal(values["amount"])
    for model in MODELS:
        values[model] = Decimal(values[model] or 0).quantize(Decimal("0.01"))
    return values


def _zero() -> dict[str, int | Decimal]:
    return {**{name: 0 for name in COUNTERS}, **{name: Decimal(0) for name in SUMS}}


def _add(totals: dict, values: dict, sign: int) -> None:
    totals[values["outcome"]] += sign
    if values["outcome"] == "won" and values["amount"] is not None:
        totals["won_amount"] += sign * values["amount"]
    for model in MODELS:
        totals[model] += sign * values[model]


def _apply(delta: dict[tuple[int, str], dict]) -> None:
    """Add each (asset, currency)'s difference to its totals in one upsert per row, so two
    transactions changing one asset's totals both count (no read-then-write)."""
    changes = [{"asset_id": asset_id, "currency": currency, **values}
               for (asset_id, currency), values in delta.items()
               if any(values[name] for name in (*COUNTERS, *SUMS))]
    if not changes:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = AssetEffect.__table__
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.asset_id, table.c.currency],
        set_={name: table.c[name] + statement.excluded[name] for name in (*COUNTERS, *SUMS)})
    db.session.execute(statement, changes)
    touched = sorted({change["asset_id"] for change in changes})
    db.session.execute(delete(AssetEffect).where(
        AssetEffect.asset_id.in_(touched), AssetEffect.open == 0, AssetEffect.won == 0,
        AssetEffect.lost == 0))


def rebuild() -> int:
    """Recompute every influence row and every total from scratch, and the deals' progress
    (app.insights.progress); returns the influence rows written."""
    db.session.execute(delete(AssetEffect))
    db.session.execute(delete(InfluenceUse))
    db.session.execute(delete(Influence))
    used = list(db.session.scalars(select(distinct(UsageEvent.deal_id))
                                   .order_by(UsageEvent.deal_id)))
    written = 0
    for start in range(0, len(used), CHUNK):
        rows, uses = compute_with_uses(used[start:start + CHUNK])
        _insert(rows, uses)
        written += len(rows)
    db.session.execute(insert(AssetEffect).from_select(
        ["asset_id", "currency", *COUNTERS, *SUMS], totals_from_influence()))
    progress.rebuild()
    db.session.commit()
    return written


def totals_from_influence():
    """The per-asset totals as one aggregate over the influence rows (what AssetEffect holds)."""
    won = Influence.outcome == "won"
    return (select(Influence.asset_id, Influence.currency,
                   func.sum(_flag(Influence.outcome == "open")),
                   func.sum(_flag(won)), func.sum(_flag(Influence.outcome == "lost")),
                   func.coalesce(func.sum(_when(won, Influence.amount)), 0),
                   *(func.sum(getattr(Influence, model)) for model in MODELS))
            .group_by(Influence.asset_id, Influence.currency))


def _flag(condition):
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def _when(condition, value):
    from sqlalchemy import case

    return case((condition, value), else_=None)


def differences() -> list[str]:
    """What differs between the maintained rollup and a recomputation from the raw usage (empty
    when they agree). Reads only."""
    found: list[str] = []
    deal_ids = sorted(set(db.session.scalars(select(distinct(UsageEvent.deal_id)))) |
                      set(db.session.scalars(select(distinct(Influence.deal_id)))))
    for start in range(0, len(deal_ids), CHUNK):
        chunk = deal_ids[start:start + CHUNK]
        stored = {(row.deal_id, row.asset_id): _values(row) for row in db.session.scalars(
            select(Influence).where(Influence.deal_id.in_(chunk)))}
        expected, uses = compute_with_uses(chunk)
        for key in sorted(stored.keys() | expected.keys()):
            if stored.get(key) != expected.get(key):
                found.append(f"deal {key[0]}, asset {key[1]}: kept {stored.get(key)}, "
                             f"recomputed {expected.get(key)}")
        kept_uses = _kept_uses(chunk)
        for key in sorted(kept_uses.keys() | uses.keys()):
            if kept_uses.get(key) != uses.get(key):
                found.append(f"deal {key[0]}, asset {key[1]}, version {key[2]}, stage {key[3]}: "
                             f"first use kept {kept_uses.get(key)}, recomputed {uses.get(key)}")
    kept = {(r.asset_id, r.currency): tuple(Decimal(getattr(r, n)) for n in (*COUNTERS, *SUMS))
            for r in db.session.scalars(select(AssetEffect))}
    summed = {(row[0], row[1]): tuple(Decimal(v or 0) for v in row[2:])
              for row in db.session.execute(totals_from_influence())}
    for key in sorted(kept.keys() | summed.keys()):
        if kept.get(key) != summed.get(key):
            found.append(f"asset {key[0]} {key[1] or 'no currency'}: totals {kept.get(key)}, "
                         f"rows add up to {summed.get(key)}")
    return found + progress.differences()

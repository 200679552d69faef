"""How deals move through the pipeline, kept per deal so no report re-reads every stage change:
how far each deal got (DealPath) and, per open stage it entered, whether it moved on within
PROGRESS_DAYS (StageEntry).

Every deal write calls `refresh_deals` inside its own transaction (registered on
app.deals.events.on_deals_touched), which works the deal's rows out again from its history in
Python. `rebuild` recomputes everything with two set-based SQL statements: a second, independent
reading of the same rule, which `differences` (and the tests) compare with the kept rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import and_, case, delete, exists, func, insert, select
from sqlalchemy.orm import aliased

from app.deals.models import DealStageChange, PipelineStage
from app.extensions import db
from app.insights.models import PROGRESS_DAYS, DealPath, StageEntry
from app.insights.sqlparts import days_between

CHUNK = 500


def refresh_deals(deal_ids: Iterable[int]) -> None:
    """Rewrite these deals' path and stage entries from their stage history (flush only)."""
    ids = sorted(set(deal_ids))
    if not ids:
        return
    db.session.flush()
    stages = {s.id: (s.position, s.outcome) for s in db.session.execute(
        select(PipelineStage.id, PipelineStage.position, PipelineStage.outcome))}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        paths, entries = compute(chunk, stages)
        db.session.execute(delete(StageEntry).where(StageEntry.deal_id.in_(chunk)))
        db.session.execute(delete(DealPath).where(DealPath.deal_id.in_(chunk)))
        # render_nulls: rows with and without a furthest stage go in one batch, not one by one
        if paths:
            db.session.execute(insert(DealPath).execution_options(render_nulls=True), paths)
        if entries:
            db.session.execute(insert(StageEntry), entries)


def compute(deal_ids: list[int], stages: dict[int, tuple[int, str]]) -> tuple[list, list]:
    """The DealPath and StageEntry rows of these deals, from their history as it is now."""
    history = defaultdict(list)
    for change in db.session.execute(
            select(DealStageChange.deal_id, DealStageChange.stage_id, DealStageChange.status,
                   DealStageChange.changed_at)
            .where(DealStageChange.deal_id.in_(deal_ids))
            .order_by(DealStageChange.deal_id, DealStageChange.changed_at, DealStageChange.id)):
        history[change.deal_id].append(change)
    paths, entries = [], []
    for deal_id, changes in history.items():
        open_positions = [stages[c.stage_id][0] for c in changes
                          if stages[c.stage_id][1] == "open"]
        paths.append({"deal_id": deal_id,
                      "furthest_open": max(open_positions) if open_positions else None})
        entries += _entries(deal_id, changes, stages)
    return paths, entries


def _entries(deal_id: int, changes: list, stages: dict[int, tuple[int, str]]) -> list[dict]:
    window = timedelta(days=PROGRESS_DAYS)
    entered = {}
    for change in changes:  # oldest first: the first entry into each open stage
        if stages[change.stage_id][1] == "open":
            entered.setdefault(change.stage_id, change.changed_at)
    rows = []
    for stage_id, since in entered.items():
        here = stages[stage_id][0]
        advanced = any(
            since < later.changed_at and later.changed_at - since <= window
            and (later.status == "won" or (later.status == "open"
                                           and stages[later.stage_id][0] > here))
            for later in changes)
        rows.append({"deal_id": deal_id, "stage_id": stage_id, "entered_at": since,
                     "advanced": advanced})
    return rows


# --- recomputation in SQL ---------------------------------------------------------------------

def paths_query():
    stage = aliased(PipelineStage)
    return (select(DealStageChange.deal_id,
                   func.max(_open_position(stage)).label("furthest_open"))
            .join(stage, stage.id == DealStageChange.stage_id)
            .group_by(DealStageChange.deal_id))


def _open_position(stage):
    return case((stage.outcome == "open", stage.position))


def moved_on(deal_id, since, position):
    """SQL: the deal left the stage at `position` (to a later open stage, or won) within
    PROGRESS_DAYS after `since`. The one spelling of the rule; _entries is its Python twin."""
    later = aliased(DealStageChange)
    later_stage = aliased(PipelineStage)
    return exists().where(
        later.deal_id == deal_id, later.changed_at > since,
        days_between(later.changed_at, since) <= PROGRESS_DAYS,
        later_stage.id == later.stage_id,
        (later.status == "won") | and_(later.status == "open", later_stage.position > position))


def entries_query():
    here = aliased(PipelineStage)
    first = (select(DealStageChange.deal_id.label("deal_id"),
                    DealStageChange.stage_id.label("stage_id"),
                    here.position.label("position"),
                    func.min(DealStageChange.changed_at).label("entered_at"))
             .join(here, here.id == DealStageChange.stage_id)
             .where(here.outcome == "open")
             .group_by(DealStageChange.deal_id, DealStageChange.stage_id, here.position)
             ).subquery()
    advanced = moved_on(first.c.deal_id, first.c.entered_at, first.c.position)
    return select(first.c.deal_id, first.c.stage_id, first.c.entered_at,
                  advanced.label("advanced"))


def rebuild() -> None:
    """Recompute every deal's path and stage entries (flush only; the caller commits)."""
    db.session.execute(delete(StageEntry))
    db.session.execute(delete(DealPath))
    db.session.execute(insert(DealPath).from_select(["deal_id", "furthest_open"], paths_query()))
    db.session.execute(insert(StageEntry).from_select(
        ["deal_id", "stage_id", "entered_at", "advanced"], entries_query()))


def differences() -> list[str]:
    """Where the kept rows differ from the SQL recomputation (empty when they agree)."""
    found: list[str] = []
    kept = dict(db.session.execute(select(DealPath.deal_id, DealPath.furthest_open)).all())
    expected = dict(db.session.execute(paths_query()).all())
    for deal_id in sorted(kept.keys() | expected.keys()):
        if kept.get(deal_id, "missing") != expected.get(deal_id, "missing"):
            found.append(f"deal {deal_id}: furthest open stage kept "
                         f"{kept.get(deal_id, 'missing')}, recomputed "
                         f"{expected.get(deal_id, 'missing')}")
    kept_entries = {(r.deal_id, r.stage_id): (r.entered_at, bool(r.advanced))
                    for r in db.session.execute(
                        select(StageEntry.deal_id, StageEntry.stage_id, StageEntry.entered_at,
                               StageEntry.advanced))}
    expected_entries = {(r.deal_id, r.stage_id): (r.entered_at, bool(r.advanced))
                        for r in db.session.execute(entries_query())}
    for key in sorted(kept_entries.keys() | expected_entries.keys()):
        if kept_entries.get(key) != expected_entries.get(key):
            found.append(f"deal {key[0]}, stage {key[1]}: (entered, advanced) kept "
                         f"{kept_entries.get(key, 'missing')}, recomputed "
                         f"{expected_entries.get(key, 'missing')}")
    return found

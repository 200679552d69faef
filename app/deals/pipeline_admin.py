"""Admins shape the pipeline: rename a stage, say what it means, reorder, merge one into
another (what an auto-added CRM label usually needs)."""

from __future__ import annotations

from sqlalchemy import select, update

from app.auth.models import User
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import is_admin
from app.core.text import is_clean_text
from app.deals import events
from app.deals.models import (
    OUTCOMES,
    Deal,
    DealStageChange,
    PipelineStage,
    PipelineStageAlias,
    UsageEvent,
)
from app.deals.pipeline import MAX_STAGE_LENGTH, ensure_default_pipeline, stage_key
from app.extensions import db
from app.library.taxonomy import STAGES as CONTENT_STAGES


def _stage(actor: User, stage_id: int) -> PipelineStage:
    if not is_admin(actor):
        raise PermissionDenied("Only admins change the pipeline.")
    stage = db.session.get(PipelineStage, stage_id)
    if stage is None:
        raise NotFound("No such stage.")
    return stage


def update_stage(actor: User, stage_id: int, name: str, outcome: str,
                 content_stage: str | None) -> PipelineStage:
    stage = _stage(actor, stage_id)
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_STAGE_LENGTH or not is_clean_text(name):
        raise ValidationFailed(f"Name the stage in 1 to {MAX_STAGE_LENGTH} characters.")
    if outcome not in OUTCOMES:
        raise ValidationFailed("A stage is open, won or lost.")
    if content_stage not in (None, "", *CONTENT_STAGES):
        raise ValidationFailed("Unknown content stage.")
    taken = db.session.scalar(select(PipelineStage.id).where(
        PipelineStage.key == stage_key(name), PipelineStage.id != stage.id))
    if taken:
        raise Conflict("Another stage already has this name; merge them instead.")
    reclassified = stage.outcome != outcome
    stage.name, stage.key, stage.outcome = name, stage_key(name), outcome
    stage.content_stage = content_stage or None
    if reclassified:
        events.pipeline_changed()
    db.session.commit()
    return stage


def move_stage(actor: User, stage_id: int, offset: int) -> None:
    stage = _stage(actor, stage_id)
    stages = list(db.session.scalars(select(PipelineStage).order_by(PipelineStage.position)))
    index = stages.index(stage)
    target = max(0, min(len(stages) - 1, index + offset))
    stages.insert(target, stages.pop(index))
    for position, item in enumerate(stages):
        item.position = position
    events.pipeline_changed()
    db.session.commit()


def merge_stage(actor: User, stage_id: int, into_id: int) -> None:
    """Every deal, history row and usage event at `stage_id` moves to `into_id`; the CRM's
    labels are kept, so a later import of the same label lands in the merged stage."""
    stage, into = _stage(actor, stage_id), _stage(actor, into_id)
    if stage.id == into.id:
        raise ValidationFailed("Choose another stage to merge into.")
    for model, column in ((Deal, Deal.stage_id), (DealStageChange, DealStageChange.stage_id),
                          (UsageEvent, UsageEvent.deal_stage_id),
                          (PipelineStageAlias, PipelineStageAlias.stage_id)):
        db.session.execute(update(model).where(column == stage.id).values({column: into.id}))
    # Derived rows that name the merged stage are rewritten before it goes.
    events.deals_touched(db.session.scalars(
        select(DealStageChange.deal_id).where(DealStageChange.stage_id == into.id)
        .union(select(UsageEvent.deal_id).where(UsageEvent.deal_stage_id == into.id))))
    db.session.add(PipelineStageAlias(key=stage.key, stage_id=into.id))
    db.session.delete(stage)
    db.session.flush()
    _renumber()
    events.pipeline_changed()
    db.session.commit()


def _renumber() -> None:
    stages = db.session.scalars(select(PipelineStage).order_by(PipelineStage.position))
    for position, item in enumerate(stages):
        item.position = position


def ensure_pipeline() -> None:
    """A new installation's default stages (the migration creates them too; this covers a
    database emptied by hand)."""
    ensure_default_pipeline()
    db.session.commit()

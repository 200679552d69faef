"""The sales pipeline: ordered stages, each open, won or lost, and how CRM stage labels find
their stage.

Rules (documented in the README):
- A label matches a stage by name, ignoring case; then the labels of stages merged into it;
  then the built-in aliases for the default pipelines of Salesforce, HubSpot and Pipedrive
  ("Needs Analysis" is Discovery).
- A label nothing matches becomes a new stage, placed after the last open stage (or at the end
  for a closed deal's label) with the deal's outcome, and the import reports it. Admins can then
  rename, reorder or merge it on the pipeline page.
- A label that looks closed ("Closed Won", "Verloren", "lost"...) is never guessed to be open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.deals.models import PipelineStage, PipelineStageAlias
from app.extensions import db

MAX_STAGE_LENGTH = 120
# name, outcome, the library funnel stage that fits
DEFAULT_PIPELINE = (
    ("Prospecting", "open", "awareness"),
    ("Discovery", "open", "discovery"),
    ("Evaluation", "open", "evaluation"),
    ("Proposal", "open", "proposal"),
    ("Negotiation", "open", "closing"),
    ("Closed Won", "won", None),
    ("Closed Lost", "lost", None),
)
# Default stage labels of the CRMs Lockstep imports from, by the default stage they mean.
ALIASES = {
    "prospecting": ("appointment scheduled", "appointmentscheduled", "lead in", "new"),
    "discovery": ("qualification", "needs analysis", "qualified to buy", "qualifiedtobuy",
                  "contact made"),
    "evaluation": ("value proposition", "id. decision makers", "perception analysis",
                   "presentation scheduled", "presentationscheduled", "demo scheduled"),
    "proposal": ("proposal/price quote", "decision maker bought-in", "decisionmakerboughtin",
                 "proposal made"),
    "negotiation": ("negotiation/review", "contract sent", "contractsent",
                    "negotiations started"),
    "closed won": ("closedwon", "won"),
    "closed lost": ("closedlost", "lost"),
}
_ALIAS_TARGET = {alias: target for target, aliases in ALIASES.items() for alias in aliases}
_CLOSED_LOOKING = re.compile(
    r"\b(closed|won|lost|gewonnen|verloren|gagn[ée]e?|perdue?|ganad[oa]|perdid[oa]|vinto|perso)\b"
    r"|closedwon|closedlost", re.IGNORECASE)


def stage_key(label: str) -> str:
    return " ".join(label.split()).lower()


def looks_closed(label: str) -> bool:
    return bool(_CLOSED_LOOKING.search(label or ""))


def ensure_default_pipeline() -> None:
    """Create the default stages when the pipeline is empty (a new installation)."""
    if db.session.scalar(select(func.count()).select_from(PipelineStage)):
        return
    for position, (name, outcome, content_stage) in enumerate(DEFAULT_PIPELINE):
        db.session.add(PipelineStage(name=name, key=stage_key(name), position=position,
                                     outcome=outcome, content_stage=content_stage))
    db.session.flush()


def ordered_stages() -> list[PipelineStage]:
    return list(db.session.scalars(select(PipelineStage).order_by(PipelineStage.position)))


def find_stage(label: str) -> PipelineStage | None:
    """The stage a CRM label means, by name or alias; None when nothing matches."""
    key = stage_key(label)
    stage = db.session.scalar(select(PipelineStage).where(PipelineStage.key == key))
    if stage is None:
        stage = db.session.scalar(select(PipelineStage).join(
            PipelineStageAlias, PipelineStageAlias.stage_id == PipelineStage.id)
            .where(PipelineStageAlias.key == key))
    if stage is None and key in _ALIAS_TARGET:
        stage = db.session.scalar(
            select(PipelineStage).where(PipelineStage.key == _ALIAS_TARGET[key]))
    return stage


@dataclass(frozen=True)
class Resolution:
    stage: PipelineStage | None
    new: bool  # the label was added to the pipeline (or would be, in a dry run)


def resolve_stage(label: str, outcome: str, *, create: bool = True) -> Resolution:
    """The stage for `label`, adding it to the pipeline when nothing matches (see the rules)."""
    ensure_default_pipeline()
    stage = find_stage(label)
    if stage is not None:
        return Resolution(stage, False)
    if not create:
        return Resolution(None, True)
    return Resolution(_add_stage(label, outcome), True)


def _add_stage(label: str, outcome: str) -> PipelineStage:
    name = " ".join(label.split())[:MAX_STAGE_LENGTH]
    position = _position_for(outcome)
    # Make room: every stage at or after the new position moves one down.
    db.session.execute(update(PipelineStage).where(PipelineStage.position >= position)
                       .values(position=PipelineStage.position + 1))
    stage = PipelineStage(name=name, key=stage_key(name), position=position, outcome=outcome)
    try:
        with db.session.begin_nested():
            db.session.add(stage)
    except IntegrityError:
        # Another import added the same label meanwhile; use theirs.
        stage = db.session.scalar(select(PipelineStage).where(PipelineStage.key == stage.key))
    return stage


def _position_for(outcome: str) -> int:
    if outcome == "open":
        last_open = db.session.scalar(select(func.max(PipelineStage.position))
                                      .where(PipelineStage.outcome == "open"))
        if last_open is not None:
            return last_open + 1
    last = db.session.scalar(select(func.max(PipelineStage.position)))
    return 0 if last is None else last + 1

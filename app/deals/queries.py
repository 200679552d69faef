"""Reads of deals and their usage, always filtered by what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.auth.models import User
from app.core.pagination import Page, paginate
from app.core.permissions import Role
from app.core.text import strip_invalid
from app.deals import influence
from app.deals.models import OUTCOMES, Deal, DealStageChange, PipelineStage, UsageEvent
from app.deals.permissions import SEES_ALL_DEALS, ensure_can_view_deal
from app.extensions import db
from app.library.models import Asset
from app.library.queries import visible_assets


@dataclass
class DealFilters:
    status: str | None = None
    stage: str | None = None
    owner_id: int | None = None
    external_id: str | None = None
    q: str | None = None


def visible_deals(actor: User) -> Select:
    query = select(Deal)
    if actor.role not in SEES_ALL_DEALS:
        query = query.where(Deal.owner_id == actor.id)
    return query


def list_deals(actor: User, filters: DealFilters, page: int = 1, per_page: int = 25,
               max_per_page: int = 100) -> Page:
    query = visible_deals(actor)
    if filters.status in OUTCOMES:
        query = query.where(Deal.status == filters.status)
    if filters.stage:
        # By the pipeline stage's name or the CRM label, in any case.
        key = strip_invalid(filters.stage).strip().lower()
        query = query.join(PipelineStage, PipelineStage.id == Deal.stage_id).where(
            or_(PipelineStage.key == key, func.lower(Deal.stage) == key))
    if filters.owner_id:
        query = query.where(Deal.owner_id == filters.owner_id)
    if filters.external_id:
        query = query.where(Deal.external_id == filters.external_id)  # ids are case-sensitive
    if filters.q:
        query = query.where(func.lower(Deal.name).contains(strip_invalid(filters.q).lower(),
                                                            autoescape=True))
    query = query.options(selectinload(Deal.owner), selectinload(Deal.account),
                          selectinload(Deal.pipeline_stage))
    query = query.order_by(Deal.close_date.desc(), Deal.id.desc())
    return paginate(query, page, per_page, max_per_page=max_per_page)


def get_deal(actor: User, deal_id: int) -> Deal:
    return ensure_can_view_deal(actor, db.session.get(Deal, deal_id))


def usage_of(actor: User, deal_id: int) -> list[UsageEvent]:
    deal = get_deal(actor, deal_id)
    query = (select(UsageEvent).where(UsageEvent.deal_id == deal.id)
             .options(selectinload(UsageEvent.asset), selectinload(UsageEvent.version),
                      selectinload(UsageEvent.user))
             .order_by(UsageEvent.occurred_at, UsageEvent.id))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # "stage" or "usage"
    item: DealStageChange | UsageEvent


def timeline(actor: User, deal_id: int) -> list[TimelineEntry]:
    """Stage changes and content used, oldest first."""
    deal = get_deal(actor, deal_id)
    entries = [TimelineEntry(c.changed_at, "stage", c) for c in deal.history]
    entries += [TimelineEntry(u.occurred_at, "usage", u) for u in usage_of(actor, deal_id)]
    return sorted(entries, key=lambda e: (e.at, e.kind))


def open_deals_of(actor: User) -> list[Deal]:
    """The deals a user can record use on from a page: their own open ones."""
    return list(db.session.scalars(
        select(Deal).where(Deal.owner_id == actor.id, Deal.status == "open")
        .options(selectinload(Deal.pipeline_stage)).order_by(Deal.close_date, Deal.name)))


def owners(actor: User) -> list[User]:
    """People who own deals, for the owner filter (reps see only themselves)."""
    if actor.role not in SEES_ALL_DEALS:
        return [actor]
    return list(db.session.scalars(select(User).where(User.id.in_(
        select(Deal.owner_id).where(Deal.owner_id.is_not(None)))).order_by(User.name)))


def assets_for_open_deals(actor: User, limit: int = 8) -> list[tuple[Deal, list[Asset]]]:
    """A rep's open deals, each with published content of its stage's funnel stage."""
    if actor.role != Role.REP:
        return []
    deals = open_deals_of(actor)[:10]
    stages = {d.pipeline_stage.content_stage for d in deals if d.pipeline_stage.content_stage}
    by_stage: dict[str, list[Asset]] = {}
    if stages:
        visible = visible_assets(actor).where(Asset.status == "published",
                                              Asset.stage.in_(stages))
        for asset in db.session.scalars(visible.order_by(Asset.updated_at.desc())):
            by_stage.setdefault(asset.stage, []).append(asset)
    return [(d, by_stage.get(d.pipeline_stage.content_stage, [])[:limit]) for d in deals]


def pipeline() -> list[PipelineStage]:
    return list(db.session.scalars(select(PipelineStage).order_by(PipelineStage.position)))


def deals_per_stage() -> dict[int, int]:
    rows = db.session.execute(select(Deal.stage_id, func.count()).group_by(Deal.stage_id))
    return dict(rows.all())


def asset_evidence(session: Session, asset_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per asset: (deals it was used in, of those won). Use counts for a deal if it happened
    by the rule in `app.deals.influence`; assets without such use are left out. Search ranks by
    these (registered in the application factory)."""
    counted = influence.counts_sql()
    won = case((Deal.status == "won", Deal.id))
    found: dict[int, tuple[int, int]] = {}
    ids = sorted(set(asset_ids))
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(UsageEvent.asset_id, func.count(func.distinct(Deal.id)),
                   func.count(func.distinct(won)))
            .join(Deal, Deal.id == UsageEvent.deal_id)
            .where(UsageEvent.asset_id.in_(ids[start:start + 500]), counted)
            .group_by(UsageEvent.asset_id))
        found.update({asset_id: (used, won_) for asset_id, used, won_ in rows})
    return found

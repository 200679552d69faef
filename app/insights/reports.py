"""The dashboard's other tables: win rate over time, funnel coverage, rep adoption and the
marketing view. Each is one or two SQL aggregates; Python only shapes the rows."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, distinct, exists, func, select

from app.auth.models import User
from app.core.timeutil import today, utcnow
from app.deals.models import Deal, UsageEvent
from app.extensions import db
from app.insights import stats
from app.insights.metrics import (
    Filters,
    deal_conditions,
    industry_condition,
    period_and_owner,
)
from app.insights.models import Influence
from app.insights.sqlparts import month_of
from app.library.models import Asset
from app.library.taxonomy import STAGES as FUNNEL_STAGES

UNUSED_DAYS = 90


def _rate(won: int, lost: int) -> dict:
    interval = stats.wilson_interval(won, won + lost)
    return {"won": won, "lost": lost, "win_rate": won / (won + lost) if won + lost else None,
            "win_rate_ci": list(interval) if interval else None}


def _flagged(f: Filters, *columns):
    """Deals in view with `has`: whether library content influenced them, worked out once per
    deal by an outer join to the deals the rollup names (a hash join, where an EXISTS per deal
    made PostgreSQL probe the rollup 100,000 times)."""
    influenced = (select(Influence.deal_id).where(*period_and_owner(f, Influence))
                  .distinct().subquery())
    return (select(*columns, Deal.status.label("status"),
                   influenced.c.deal_id.is_not(None).label("has"))
            .select_from(Deal).outerjoin(influenced, influenced.c.deal_id == Deal.id)
            .where(*deal_conditions(f))).subquery()


def _counts(deals) -> list:
    """won/lost with content, won/lost without, over a _flagged subquery."""
    has, won, lost = deals.c.has, deals.c.status == "won", deals.c.status == "lost"
    return [func.count(case((has & won, 1))), func.count(case((has & lost, 1))),
            func.count(case((~has & won, 1))), func.count(case((~has & lost, 1)))]


def win_rate_over_time(f: Filters) -> list[dict]:
    """Per close month: the win rate of closed deals that library content influenced, and of
    those it did not."""
    deals = _flagged(f, month_of(Deal.close_date).label("month"))
    query = (select(deals.c.month, *_counts(deals))
             .where(deals.c.status.in_(("won", "lost")))
             .group_by(deals.c.month).order_by(deals.c.month))
    return [{"month": m, "with_content": _rate(a, b), "without_content": _rate(c, d)}
            for m, a, b, c, d in db.session.execute(query)]


def funnel_coverage(rows: list[dict]) -> list[dict]:
    """Per funnel stage of the library: how many assets target it, how many have enough closed
    deals to judge, and how many of those beat their baseline (lift > 1): effective content."""
    coverage = []
    for stage in FUNNEL_STAGES:
        at_stage = [r for r in rows if r["stage"] == stage]
        judged = [r for r in at_stage if r["enough_data"] and r["lift"] is not None]
        effective = [r for r in judged if r["lift"] > 1]
        best = max(effective, key=lambda r: r["lift"], default=None)
        coverage.append({"stage": stage, "assets": len(at_stage), "judged": len(judged),
                         "effective": len(effective),
                         "best": {"asset_id": best["asset_id"], "title": best["title"],
                                  "lift": best["lift"]} if best else None})
    return coverage


def rep_adoption(f: Filters, only_user_id: int | None = None) -> list[dict]:
    """Per deal owner: deals, how many library content influenced, how many assets they used,
    and their win rate with and without content."""
    deals = _flagged(f, Deal.owner_id.label("owner_id"))
    query = (select(deals.c.owner_id, func.count(), func.count(case((deals.c.has, 1))),
                     *_counts(deals))
             .where(deals.c.owner_id.is_not(None))
             .group_by(deals.c.owner_id))
    # The rollup rows carry their deal's owner and close date: no join to every deal.
    assets = (select(Influence.owner_id, func.count(distinct(Influence.asset_id)))
              .where(Influence.owner_id.is_not(None), *period_and_owner(f, Influence))
              .group_by(Influence.owner_id))
    if f.industry is not None:
        assets = assets.where(Influence.deal_id.in_(
            select(Deal.id).where(industry_condition(f.industry))))
    if only_user_id is not None:
        query = query.where(deals.c.owner_id == only_user_id)
        assets = assets.where(Influence.owner_id == only_user_id)
    used = dict(db.session.execute(assets).all())
    rows = list(db.session.execute(query))
    names = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_([r[0] for r in rows]))).all()) if rows else {}
    out = []
    for owner_id, deals, with_content, a, b, c, d in rows:
        out.append({"user_id": owner_id, "name": names.get(owner_id, ""), "deals": deals,
                    "deals_with_content": with_content,
                    "content_share": with_content / deals if deals else None,
                    "assets_used": used.get(owner_id, 0),
                    "with_content": _rate(a, b), "without_content": _rate(c, d)})
    return sorted(out, key=lambda r: (-r["deals"], r["name"]))


def marketing_view(rows: list[dict]) -> dict:
    """What reps use and ignore: the assets used on the most deals in the last 90 days, those
    never used, retirement candidates (published for 90 days, no deal used them in that time) and
    stale assets (past their review date)."""
    since = utcnow() - timedelta(days=UNUSED_DAYS)
    # Deals each asset was used on (in a way that counts) in the last 90 days, from the rollup:
    # a few hundred thousand rows rather than millions of usage events.
    recent = dict(db.session.execute(
        select(Influence.asset_id, func.count()).where(Influence.last_used_at >= since)
        .group_by(Influence.asset_id)).all())
    # One index probe per published asset, not a scan of every usage event.
    ever = set(db.session.scalars(select(Asset.id).where(
        Asset.status == "published", exists().where(UsageEvent.asset_id == Asset.id))))
    published = db.session.execute(
        select(Asset.id, Asset.title, Asset.kind, Asset.stage, Asset.created_at,
               Asset.review_by).where(Asset.status == "published")).all()
    old_enough = utcnow() - timedelta(days=UNUSED_DAYS)
    by_id = {r["asset_id"]: r for r in rows}

    def brief(asset, **extra):
        row = by_id.get(asset.id, {})
        return {"asset_id": asset.id, "title": asset.title, "kind": asset.kind,
                "stage": asset.stage, "deals_influenced": row.get("deals_influenced", 0),
                **extra}

    used = sorted((a for a in published if recent.get(a.id)),
                  key=lambda a: (-recent[a.id], a.title))
    return {
        "most_used": [brief(a, deals_90_days=recent[a.id]) for a in used[:20]],
        "never_used": [brief(a) for a in published if a.id not in ever][:50],
        "retirement_candidates": [
            brief(a, created_at=a.created_at) for a in published
            if not recent.get(a.id) and _aware(a.created_at) <= old_enough][:50],
        "stale": [brief(a, review_by=a.review_by) for a in published
                  if a.review_by is not None and a.review_by < today()][:50],
    }


def _aware(moment):
    from app.core.timeutil import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


"""One asset in depth: its metrics, the matched (stratified) lift, velocity, stage progression,
the split by version, the deals it touched, the reps who use it and its forks' share."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, case, distinct, exists, func, literal, select
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.deals import influence
from app.deals.models import Account, Deal, PipelineStage, UsageEvent
from app.extensions import db
from app.insights import cache, stats
from app.insights.currency import Rates, current_rates
from app.insights.metrics import (
    Baseline,
    Filters,
    Tally,
    closed_totals,
    deal_conditions,
    industry_condition,
    metrics_of,
    period_and_owner,
    tallies,
    used_at_stage,
)
from app.insights.models import DealPath, Influence, InfluenceUse, StageEntry
from app.insights.progress import moved_on
from app.insights.sqlparts import converted, days_between, median_of
from app.library.models import Asset, AssetVersion


def _influenced_by(asset_id: int, f: Filters, deal=Deal):
    """Rollup rows that say `asset_id` influenced `deal` (at the filtered stage, if any)."""
    condition = and_(Influence.deal_id == deal.id, Influence.asset_id == asset_id)
    if f.stage_id is not None:
        condition = and_(condition, used_at_stage(f.stage_id))
    return exists().where(condition)


# --- matched lift -----------------------------------------------------------------------------

def matched_lift(asset_id: int, f: Filters, rates: Rates) -> dict:
    """Cochran-Mantel-Haenszel risk ratio over strata of (account industry, amount quartile,
    stage). A deal the asset influenced sits in the stratum of the stage of the asset's first use
    (or the filtered stage); a closed deal it did not influence is compared at every open stage up
    to the furthest its history reached (every stage, when its history starts closed), among
    deals of its industry and amount band.

    The strata of all closed deals do not depend on the asset and are shared (app.insights.cache);
    the asset's own deals are then counted twice, where they are exposed and where they would sit
    as controls, so that controls = all - the asset's own."""
    banded = _banded(f, rates).subquery()
    won = func.count(case((banded.c.status == "won", 1)))
    lost = func.count(case((banded.c.status == "lost", 1)))
    stage = literal(f.stage_id) if f.stage_id is not None else Influence.first_stage_id
    on_asset = and_(Influence.deal_id == banded.c.deal_id, Influence.asset_id == asset_id)
    if f.stage_id is not None:
        on_asset = and_(on_asset, used_at_stage(f.stage_id))
    exposed_query = (select(banded.c.industry, banded.c.band, stage, won, lost)
                     .join(Influence, on_asset)
                     .group_by(banded.c.industry, banded.c.band, stage))
    exposed = {(i, b, s): (w, lo) for i, b, s, w, lo in db.session.execute(exposed_query)}
    if not exposed:
        return {"matched_lift": None, "strata": 0, "matched_deals": 0}
    everyone = cache.cached(("strata", f, rates.reporting, tuple(sorted(rates.rates.items()))),
                            lambda: _strata(f, rates))
    theirs = _strata(f, rates, only=select(Influence.deal_id).where(
        Influence.asset_id == asset_id,
        *([used_at_stage(f.stage_id)] if f.stage_id is not None else [])))
    strata = []
    for key, (a, b) in sorted(exposed.items()):
        all_won, all_lost = everyone.get(key, (0, 0))
        own_won, own_lost = theirs.get(key, (0, 0))
        strata.append((a, b, all_won - own_won, all_lost - own_lost))
    informative = [s for s in strata if s[0] + s[1] and s[2] + s[3]]
    return {"matched_lift": stats.mantel_haenszel_risk_ratio(strata),
            "strata": len(informative),
            "matched_deals": sum(a + b for a, b, _, _ in informative)}


def _banded(f: Filters, rates: Rates):
    """Closed deals in view with their industry and amount band: quartiles of the converted
    amounts (0: no amount or no rate). The band limits come from NTILE(4) over every closed deal
    in view, worked out once and shared; a deal's band is then a comparison, so a query about one
    asset's deals does not sort them all again."""
    amount = converted(Deal.amount, Deal.currency, rates)
    limits = cache.cached(("bands", f, rates.reporting, tuple(sorted(rates.rates.items()))),
                          lambda: _band_limits(f, rates))
    band = case((amount.is_(None), 0),
                *((amount <= limit, number) for number, limit in enumerate(limits, start=1)),
                else_=len(limits) + 1) if limits else case((amount.is_(None), 0), else_=1)
    return (select(Deal.id.label("deal_id"), Deal.status.label("status"),
                   func.coalesce(func.lower(Account.industry), "").label("industry"),
                   band.label("band"))
            .select_from(Deal).outerjoin(Account, Account.id == Deal.account_id)
            .where(Deal.status.in_(("won", "lost")), *deal_conditions(f)))


def _band_limits(f: Filters, rates: Rates) -> list[float]:
    """The highest converted amount of each of the first three quartiles (NTILE(4))."""
    amount = converted(Deal.amount, Deal.currency, rates)
    tiles = (select(amount.label("amount"), func.ntile(4).over(order_by=amount).label("tile"))
             .where(Deal.status.in_(("won", "lost")), amount.is_not(None),
                    *deal_conditions(f))).subquery()
    rows = db.session.execute(select(tiles.c.tile, func.max(tiles.c.amount))
                              .group_by(tiles.c.tile).order_by(tiles.c.tile)).all()
    return [float(top) for tile, top in rows if tile < 4]


def _strata(f: Filters, rates: Rates, only=None) -> dict[tuple, tuple[int, int]]:
    """(industry, band, stage) -> (won, lost) of closed deals in view as controls: at every open
    stage up to the furthest they reached (DealPath, kept by app.insights.progress). `only`
    narrows it to a set of deal ids. SQL counts the deals per (industry, band, furthest stage);
    each such group then counts at the few open stages up to its furthest."""
    banded = _banded(f, rates)
    if only is not None:
        banded = banded.where(Deal.id.in_(only))
    banded = banded.subquery()
    query = (select(banded.c.industry, banded.c.band, DealPath.furthest_open,
                    func.count(case((banded.c.status == "won", 1))),
                    func.count(case((banded.c.status == "lost", 1))))
             .join(DealPath, DealPath.deal_id == banded.c.deal_id)
             .group_by(banded.c.industry, banded.c.band, DealPath.furthest_open))
    open_stages = db.session.execute(select(PipelineStage.id, PipelineStage.position)
                                     .where(PipelineStage.outcome == "open")).all()
    strata: dict[tuple, tuple[int, int]] = {}
    for industry, band, furthest, won, lost in db.session.execute(query):
        for stage_id, position in open_stages:
            if furthest is None or position <= furthest:
                before = strata.get((industry, band, stage_id), (0, 0))
                strata[(industry, band, stage_id)] = (before[0] + won, before[1] + lost)
    return strata


# --- velocity ---------------------------------------------------------------------------------

def velocity(asset_id: int, f: Filters) -> dict:
    """Median days from the asset's first counted use to close, over the won deals it
    influenced; and the median cycle (created to closed) of won deals it did not influence."""
    influenced = (select(days_between(Deal.closed_at, Influence.first_used_at))
                  .select_from(Influence).join(Deal, Deal.id == Influence.deal_id)
                  .where(Influence.asset_id == asset_id, Influence.outcome == "won",
                         *deal_conditions(f)))
    if f.stage_id is not None:
        influenced = influenced.where(used_at_stage(f.stage_id))
    others = (select(days_between(Deal.closed_at, Deal.created_at))
              .where(Deal.status == "won", *deal_conditions(f), ~_influenced_by(asset_id, f)))
    return {"median_days_first_use_to_close": median_of(influenced),
            "baseline_median_cycle_days": median_of(others)}


# --- stage progression ------------------------------------------------------------------------

def stage_progression(asset_id: int, f: Filters) -> list[dict]:
    """Per stage S the asset was used at: of the deals it was used on while at S, the share that
    moved past S (a later open stage, or won) within 30 days of that first use; against the
    same share for every deal that was at S, counted from when it entered S (StageEntry, kept
    by app.insights.progress)."""
    stages = {s.id: s for s in db.session.scalars(select(PipelineStage))}
    used = (select(InfluenceUse.stage_id, InfluenceUse.deal_id,
                   func.min(InfluenceUse.first_used_at).label("since"))
            .where(InfluenceUse.asset_id == asset_id)
            .group_by(InfluenceUse.stage_id, InfluenceUse.deal_id))
    if f.on_deals:
        used = used.join(Deal, Deal.id == InfluenceUse.deal_id).where(*deal_conditions(f))
    if f.stage_id is not None:
        used = used.where(InfluenceUse.stage_id == f.stage_id)
    asset_rates = _advanced_share(used.subquery())
    all_rates = cache.cached(("progression", f), lambda: _baseline_progression(f))
    rows = []
    for stage_id, (deals, advanced) in asset_rates.items():
        stage = stages.get(stage_id)
        if stage is None or stage.outcome != "open":
            continue
        base_deals, base_advanced = all_rates.get(stage_id, (0, 0))
        rows.append({"stage_id": stage_id, "stage": stage.name, "position": stage.position,
                     "deals": deals, "advanced": advanced,
                     "advanced_share": advanced / deals if deals else None,
                     "baseline_deals": base_deals, "baseline_advanced": base_advanced,
                     "baseline_share": base_advanced / base_deals if base_deals else None})
    return sorted(rows, key=lambda r: r["position"])


def _baseline_progression(f: Filters) -> dict[int, tuple[int, int]]:
    """stage_id -> (deals in view that entered it, of which advanced within PROGRESS_DAYS)."""
    query = (select(StageEntry.stage_id, func.count(),
                    func.count(case((StageEntry.advanced, 1))))
             .group_by(StageEntry.stage_id))
    if f.on_deals:
        query = query.join(Deal, Deal.id == StageEntry.deal_id).where(*deal_conditions(f))
    return {stage_id: (deals, moved) for stage_id, deals, moved in db.session.execute(query)}


def _advanced_share(at_stage) -> dict[int, tuple[int, int]]:
    """stage_id -> (deals, of which advanced within PROGRESS_DAYS), for rows (stage, deal,
    since) of `at_stage`."""
    here = aliased(PipelineStage)
    advanced = moved_on(at_stage.c.deal_id, at_stage.c.since, here.position)
    query = (select(at_stage.c[0], func.count(), func.count(case((advanced, 1))))
             .select_from(at_stage).join(here, here.id == at_stage.c[0])
             .group_by(at_stage.c[0]))
    return {stage_id: (deals, moved) for stage_id, deals, moved in db.session.execute(query)}


# --- versions ---------------------------------------------------------------------------------

def per_version(asset_id: int, f: Filters, rates: Rates, pool: Baseline) -> list[dict]:
    """The metrics split by the version that was used (a deal used with two versions counts for
    each). Attribution is per asset, so it is not split."""
    pairs = (select(distinct(InfluenceUse.version_id).label("version_id"),
                    InfluenceUse.deal_id.label("deal_id"))
             .where(InfluenceUse.asset_id == asset_id))
    if f.stage_id is not None:
        pairs = pairs.where(InfluenceUse.stage_id == f.stage_id)
    pairs = pairs.subquery()
    won = Influence.outcome == "won"
    query = (select(pairs.c.version_id, Influence.currency,
                    func.count(case((Influence.outcome == "open", 1))),
                    func.count(case((won, 1))),
                    func.count(case((Influence.outcome == "lost", 1))),
                    func.coalesce(func.sum(case((won, Influence.amount))), 0))
             .join(Influence, and_(Influence.deal_id == pairs.c.deal_id,
                                   Influence.asset_id == asset_id))
             .where(*period_and_owner(f, Influence))
             .group_by(pairs.c.version_id, Influence.currency))
    if f.industry is not None:
        query = query.where(Influence.deal_id.in_(
            select(Deal.id).where(industry_condition(f.industry))))
    found: dict[int, Tally] = defaultdict(Tally)
    for version_id, currency, open_, won_, lost, amount in db.session.execute(query):
        tally = found[version_id]
        tally.open, tally.won, tally.lost = tally.open + open_, tally.won + won_, tally.lost + lost
        tally.revenue.add(rates, currency or "", amount)
    numbers = dict(db.session.execute(select(AssetVersion.id, AssetVersion.number).where(
        AssetVersion.id.in_(list(found)))).all()) if found else {}
    rows = []
    for version_id, tally in found.items():
        metrics = metrics_of(tally, pool)
        metrics.pop("attributed_revenue")
        rows.append({"version": numbers.get(version_id), **metrics})
    return sorted(rows, key=lambda r: r["version"] or 0)


# --- deals, reps, forks -----------------------------------------------------------------------

def deals_touched(asset_id: int, f: Filters, owner_id: int | None = None,
                  limit: int = 200) -> list[dict]:
    """Deals the asset was used on, newest use first; use that does not count (after close)
    is listed with counts = False. The newest `limit` deals are found from the usage index
    alone, then only they are read."""
    last_use = func.max(UsageEvent.occurred_at).label("last_use")
    newest = (select(UsageEvent.deal_id.label("deal_id"), last_use)
              .where(UsageEvent.asset_id == asset_id)
              .group_by(UsageEvent.deal_id).order_by(last_use.desc(), UsageEvent.deal_id.desc())
              .limit(limit))
    if f.on_deals or owner_id is not None:
        newest = newest.join(Deal, Deal.id == UsageEvent.deal_id).where(*deal_conditions(f))
    if owner_id is not None:
        newest = newest.where(Deal.owner_id == owner_id)
    newest = newest.subquery()
    query = (select(Deal, newest.c.last_use, Influence.first_used_at, Influence.first_stage_id)
             .join(newest, newest.c.deal_id == Deal.id)
             .outerjoin(Influence, and_(Influence.deal_id == Deal.id,
                                        Influence.asset_id == asset_id))
             .order_by(newest.c.last_use.desc(), Deal.id.desc()))
    stages = dict(db.session.execute(select(PipelineStage.id, PipelineStage.name)).all())
    return [{"deal": deal, "last_use": last, "counts": first is not None,
             "first_used_at": first, "stage_at_first_use": stages.get(stage_id)}
            for deal, last, first, stage_id in db.session.execute(query)]


def reps_using(asset_id: int, f: Filters) -> list[dict]:
    """Who recorded use of the asset (or had a deal-linked link viewed): deals it influenced
    for them and how many of those were won."""
    per_deal = (select(distinct(UsageEvent.user_id).label("user_id"),
                       UsageEvent.deal_id.label("deal_id"))
                .join(Deal, Deal.id == UsageEvent.deal_id)
                .where(UsageEvent.asset_id == asset_id, UsageEvent.user_id.is_not(None),
                       influence.counts_sql(), *deal_conditions(f))).subquery()
    query = (select(User.id, User.name, func.count(), func.count(case((Deal.status == "won", 1))),
                    func.count(case((Deal.status == "lost", 1))))
             .join(per_deal, per_deal.c.user_id == User.id)
             .join(Deal, Deal.id == per_deal.c.deal_id)
             .group_by(User.id, User.name).order_by(func.count().desc(), User.name))
    return [{"user_id": uid, "name": name, "deals": deals, "won": won, "lost": lost}
            for uid, name, deals, won, lost in db.session.execute(query)]


def fork_share(asset_id: int, f: Filters) -> dict:
    from app.forks.models import Fork

    query = (select(func.count(), func.count(case((Influence.fork_uses > 0, 1))),
                    func.coalesce(func.sum(Influence.uses), 0),
                    func.coalesce(func.sum(Influence.fork_uses), 0))
             .where(Influence.asset_id == asset_id, *period_and_owner(f, Influence)))
    if f.industry is not None:
        query = query.where(Influence.deal_id.in_(
            select(Deal.id).where(industry_condition(f.industry))))
    deals, via_forks, uses, fork_uses = db.session.execute(query).one()
    forks = db.session.scalar(select(func.count()).select_from(Fork).where(
        Fork.source_asset_id == asset_id))
    return {"forks": forks, "deals_via_forks": via_forks,
            "deals_via_forks_share": via_forks / deals if deals else None,
            "uses": int(uses), "fork_uses": int(fork_uses),
            "fork_use_share": int(fork_uses) / int(uses) if uses else None}


def asset_effectiveness(asset: Asset, f: Filters) -> dict:
    """Everything the asset page and `GET /api/v1/analytics/assets/<id>` show (no people)."""
    rates = current_rates()
    pool = closed_totals(f)
    tally = tallies(f, rates, [asset.id]).get(asset.id) or Tally()
    return {"asset_id": asset.id, "title": asset.title, "kind": asset.kind,
            "stage": asset.stage, "product": asset.product, "status": asset.status,
            **metrics_of(tally, pool),
            **matched_lift(asset.id, f, rates),
            "velocity": velocity(asset.id, f),
            "stage_progression": stage_progression(asset.id, f),
            "versions": per_version(asset.id, f, rates, pool),
            "forks": fork_share(asset.id, f),
            "reporting_currency": rates.reporting}


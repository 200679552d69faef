"""Per-asset effectiveness: influence, win rate with its interval, baseline, lift, Fisher's p,
revenue and attribution. The definitions are the README's ("Insights: definitions").

Counts and sums are SQL aggregates over the influence rollup (app.insights.rollup). Without deal
filters they come straight from the maintained per-asset totals; with a period, owner, industry or
stage at use they are aggregated from the rollup rows that match. Python then only turns a
handful of numbers per asset into rates, intervals and tests (app.insights.stats).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, exists, func, select

from app.auth.models import User
from app.deals.models import Account, Deal
from app.extensions import db
from app.insights import stats
from app.insights.currency import Money, Rates, current_rates
from app.insights.models import AssetEffect, Influence, InfluenceUse
from app.library.models import Asset
from app.library.queries import visible_assets

MIN_CLOSED = 10  # fewer closed influenced deals than this: "not enough data"


@dataclass(frozen=True)
class Filters:
    """Deals by close date (inclusive), owner and account industry; assets by kind and product;
    use by the deal's stage at the time."""
    date_from: date | None = None
    date_to: date | None = None
    owner_id: int | None = None
    industry: str | None = None
    kind: str | None = None
    product: str | None = None
    stage_id: int | None = None

    @property
    def on_deals(self) -> bool:
        return any(v is not None for v in (self.date_from, self.date_to, self.owner_id,
                                          self.industry, self.stage_id))


def period_and_owner(f: Filters, row=Deal) -> list:
    """The period (by close date) and owner conditions on `row`: a deal, or an influence rollup
    row, which carries copies of its deal's close date and owner."""
    conditions = []
    if f.date_from is not None:
        conditions.append(row.close_date >= f.date_from)
    if f.date_to is not None:
        conditions.append(row.close_date <= f.date_to)
    if f.owner_id is not None:
        conditions.append(row.owner_id == f.owner_id)
    return conditions


def industry_condition(industry: str, deal=Deal):
    return deal.account_id.in_(select(Account.id).where(
        func.lower(Account.industry) == industry.strip().lower()))


def deal_conditions(f: Filters, deal=Deal) -> list:
    conditions = period_and_owner(f, deal)
    if f.industry is not None:
        conditions.append(industry_condition(f.industry, deal))
    return conditions


def asset_conditions(f: Filters) -> list:
    conditions = []
    if f.kind is not None:
        conditions.append(Asset.kind == f.kind)
    if f.product is not None:
        conditions.append(func.lower(Asset.product) == f.product.strip().lower())
    return conditions


def used_at_stage(stage_id: int, rollup=Influence):
    """The rollup row's asset was used on its deal, in a way that counts, while at this stage."""
    return exists().where(InfluenceUse.deal_id == rollup.deal_id,
                          InfluenceUse.asset_id == rollup.asset_id,
                          InfluenceUse.stage_id == stage_id)


@dataclass
class Tally:
    """Counts and amounts of one asset (or version) before rates and tests."""
    open: int = 0
    won: int = 0
    lost: int = 0
    revenue: Money = field(default_factory=Money)
    attributed: dict[str, Money] = field(default_factory=lambda: {m: Money() for m in
                                                                  stats.MODELS})


@dataclass(frozen=True)
class Baseline:
    won: int
    lost: int


def closed_totals(f: Filters) -> Baseline:
    """Closed deals in the period and deal filters: the pool each asset is compared with."""
    row = db.session.execute(
        select(func.count(case((Deal.status == "won", 1))),
               func.count(case((Deal.status == "lost", 1))))
        .where(Deal.status.in_(("won", "lost")), *deal_conditions(f))).one()
    return Baseline(won=row[0], lost=row[1])


def tallies(f: Filters, rates: Rates, asset_ids: list[int] | None = None) -> dict[int, Tally]:
    """asset_id -> Tally, from the maintained totals when no deal filter applies."""
    if f.on_deals:
        query = _from_rollup(f)
    else:
        query = select(AssetEffect.asset_id, AssetEffect.currency, AssetEffect.open,
                       AssetEffect.won, AssetEffect.lost, AssetEffect.won_amount,
                       *(getattr(AssetEffect, model) for model in stats.MODELS))
        if asset_ids is not None:
            query = query.where(AssetEffect.asset_id.in_(asset_ids))
    if asset_ids is not None and f.on_deals:
        query = query.where(Influence.asset_id.in_(asset_ids))
    found: dict[int, Tally] = defaultdict(Tally)
    for row in db.session.execute(query):
        asset_id, currency, open_, won, lost, won_amount, *attributed = row
        tally = found[asset_id]
        tally.open += int(open_ or 0)
        tally.won += int(won or 0)
        tally.lost += int(lost or 0)
        tally.revenue.add(rates, currency, Decimal(won_amount or 0))
        for model, value in zip(stats.MODELS, attributed, strict=True):
            tally.attributed[model].add(rates, currency, Decimal(value or 0))
    return found


def _from_rollup(f: Filters):
    """The totals of the rollup rows the deal filters keep. Period, owner and the stages at use
    are read from the rows themselves (copies of the deal's, kept by the writes); industry needs
    the deal's account."""
    won = Influence.outcome == "won"
    query = (select(Influence.asset_id, Influence.currency,
                    func.count(case((Influence.outcome == "open", 1))),
                    func.count(case((won, 1))),
                    func.count(case((Influence.outcome == "lost", 1))),
                    func.coalesce(func.sum(case((won, Influence.amount))), 0),
                    *(func.sum(getattr(Influence, model)) for model in stats.MODELS))
             .where(*period_and_owner(f, Influence))
             .group_by(Influence.asset_id, Influence.currency))
    if f.industry is not None:
        query = query.join(Deal, Deal.id == Influence.deal_id).where(
            industry_condition(f.industry))
    if f.stage_id is not None:
        query = query.where(Influence.stages.contains(f",{int(f.stage_id)},"))
    return query


def metrics_of(tally: Tally, pool: Baseline) -> dict:
    """The backticked metrics of the definitions, for one asset (or version) against `pool`."""
    closed = tally.won + tally.lost
    base_won, base_lost = pool.won - tally.won, pool.lost - tally.lost
    win_rate = tally.won / closed if closed else None
    baseline = base_won / (base_won + base_lost) if base_won + base_lost else None
    interval = stats.wilson_interval(tally.won, closed)
    return {
        "deals_influenced": tally.open + closed, "open": tally.open, "won": tally.won,
        "lost": tally.lost, "win_rate": win_rate,
        "win_rate_ci": list(interval) if interval else None,
        "baseline_win_rate": baseline, "lift": stats.lift(win_rate, baseline),
        "p_value": stats.fisher_exact_p(tally.won, tally.lost, base_won, base_lost)
        if closed and base_won + base_lost else None,
        "enough_data": closed >= MIN_CLOSED,
        "influenced_revenue": tally.revenue.rounded(),
        "attributed_revenue": {m: tally.attributed[m].rounded() for m in stats.MODELS},
        "unconverted_revenue": {k: v.quantize(Decimal("0.01"))
                                for k, v in tally.revenue.unconverted.items()},
    }


SORTS = {
    "lift": lambda r: (r["lift"] is not None, r["enough_data"], r["lift"] or 0),
    "influenced_revenue": lambda r: r["influenced_revenue"],
    "attributed_revenue": lambda r: r["attributed_revenue"]["linear"],
    "deals_influenced": lambda r: r["deals_influenced"],
    "win_rate": lambda r: (r["win_rate"] is not None, r["win_rate"] or 0),
}


def asset_rows(actor: User, f: Filters, sort: str = "lift") -> list[dict]:
    """One row per asset the actor may see (and the asset filters keep), best first."""
    rates = current_rates()
    assets = db.session.execute(
        visible_assets(actor).with_only_columns(Asset.id, Asset.title, Asset.kind, Asset.stage,
                                                Asset.product, Asset.status)
        .where(*asset_conditions(f))).all()
    found = tallies(f, rates)
    pool = closed_totals(f)
    rows = []
    for asset in assets:
        row = {"asset_id": asset.id, "title": asset.title, "kind": asset.kind,
               "stage": asset.stage, "product": asset.product, "status": asset.status,
               **metrics_of(found.get(asset.id) or Tally(), pool)}
        rows.append(row)
    key = SORTS.get(sort, SORTS["lift"])
    rows.sort(key=lambda r: (key(r), -r["asset_id"]), reverse=True)
    return rows


def reporting_currency() -> str:
    return current_rates().reporting


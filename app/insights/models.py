"""What the insights area keeps so the dashboard does not re-read every usage event: one row per
(deal, asset) that counts as influence, and per-asset totals kept in step with them.

Both are derived data. `rollup.refresh_deals` rewrites a deal's rows from its usage and its
current state whenever either changes, and `rollup.rebuild` recomputes everything; tests check
that the two always agree. Amounts stay in the deal's currency: conversion to the reporting
currency happens when a report is read, so a new rate table never needs a rebuild.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

MONEY = Numeric(18, 2)


class Influence(db.Model):
    """A deal that an asset (or a fork of it) influenced: used under app.deals.influence's rule.
    `outcome`, `amount`, `currency`, `close_date` and `owner_id` copy the deal's, so totals are
    one indexed read; the attributed amounts are this asset's share of the deal's amount when it
    was won."""

    __tablename__ = "insights_influence"
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"),
                                         primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"),
                                          primary_key=True)
    first_used_at: Mapped[datetime]
    last_used_at: Mapped[datetime]
    # The deal's stage at the asset's first counted use (matched lift, funnel coverage).
    first_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"))
    uses: Mapped[int]
    fork_uses: Mapped[int]
    # Every stage the deal was at when the asset was used in a way that counts: ",3,5," (the
    # "stage at use" filter is then a LIKE on these rows, not a look through millions of uses).
    stages: Mapped[str] = mapped_column(String(400), default=",")
    outcome: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="")  # "" when the deal has none
    # Copies of the deal's, so the period and owner filters need no join to every deal.
    close_date: Mapped[date] = mapped_column(index=True)
    owner_id: Mapped[int | None] = mapped_column(index=True)
    first_touch: Mapped[Decimal] = mapped_column(MONEY, default=0)
    last_touch: Mapped[Decimal] = mapped_column(MONEY, default=0)
    linear: Mapped[Decimal] = mapped_column(MONEY, default=0)
    position_based: Mapped[Decimal] = mapped_column(MONEY, default=0)

    # Covers the filtered dashboards' aggregate (period, owner, stage at use; grouped by asset
    # and currency), so SQLite reads it in order from the index alone: 0.35 s -> 0.09 s at
    # 228,000 rows (docs/BENCHMARKS.md, Insights).
    __table_args__ = (Index("ix_insights_influence_asset_totals", "asset_id", "currency",
                            "close_date", "owner_id", "outcome", "amount", "first_touch",
                            "last_touch", "linear", "position_based", "stages"),)


class AssetEffect(db.Model):
    """Per asset and deal currency: the sums of its Influence rows (unfiltered reports)."""

    __tablename__ = "insights_asset_effect"
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"),
                                          primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    open: Mapped[int] = mapped_column(default=0)
    won: Mapped[int] = mapped_column(default=0)
    lost: Mapped[int] = mapped_column(default=0)
    won_amount: Mapped[Decimal] = mapped_column(MONEY, default=0)
    first_touch: Mapped[Decimal] = mapped_column(MONEY, default=0)
    last_touch: Mapped[Decimal] = mapped_column(MONEY, default=0)
    linear: Mapped[Decimal] = mapped_column(MONEY, default=0)
    position_based: Mapped[Decimal] = mapped_column(MONEY, default=0)


COUNTERS = ("open", "won", "lost")
SUMS = ("won_amount", "first_touch", "last_touch", "linear", "position_based")


class InfluenceUse(db.Model):
    """Which version of an asset was used on a deal at which stage, with the first such counted
    use: what the per-version split, the stage-at-use filter and an asset's stage progression
    read, instead of the asset's raw usage events (over 100,000 for a popular asset). Kept with
    its deal's Influence rows (rollup.refresh_deals), so a row here always has one there."""

    __tablename__ = "insights_influence_use"
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"),
                                         primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"),
                                          primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id", ondelete="CASCADE"),
                                            primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"), primary_key=True)
    first_used_at: Mapped[datetime]

    __table_args__ = (Index("ix_insights_influence_use_asset_stage", "asset_id", "stage_id"),
                      Index("ix_insights_influence_use_stage_asset", "stage_id", "asset_id",
                            "deal_id"))


class DealPath(db.Model):
    """How far each deal got through the open stages, from its stage history: the matched lift
    compares a closed deal at every open stage up to this one. Kept by app.insights.progress."""

    __tablename__ = "insights_deal_path"
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"),
                                         primary_key=True)
    # The position of the furthest open stage the history shows; None when it shows none (a
    # deal first seen already closed is taken to have passed every stage).
    furthest_open: Mapped[int | None]


class StageEntry(db.Model):
    """A deal's first entry into an open stage and whether it moved past that stage (to a later
    open stage, or won) within PROGRESS_DAYS: the stage-progression baseline every asset is
    compared with. Kept by app.insights.progress."""

    __tablename__ = "insights_stage_entry"
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"),
                                         primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"), primary_key=True)
    entered_at: Mapped[datetime]
    advanced: Mapped[bool]

    __table_args__ = (Index("ix_insights_stage_entry_stage_advanced", "stage_id", "advanced"),)


PROGRESS_DAYS = 30

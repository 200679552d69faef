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

    __table_args__ = (Index("ix_insights_influence_asset_outcome", "asset_id", "outcome"),)


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

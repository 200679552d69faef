"""Accounts, deals, their stage history, the pipeline, and usage events (facts appended by the
services; analytics only reads them)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.models import Asset, AssetVersion

OUTCOMES = ("open", "won", "lost")
ACTIONS = ("emailed", "presented", "shared_link", "sent_in_proposal", "viewed")
# Actions a person records by hand; `viewed` comes from tracked share links.
RECORDED_ACTIONS = ACTIONS[:-1]


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PipelineStage(db.Model):
    """One stage of the sales pipeline, in order, with what reaching it means."""

    __tablename__ = "pipeline_stage"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # lower(name): CRM exports write stage labels in any case.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(10), default="open")
    # The library's funnel stage whose content fits deals at this stage (a rep's home page).
    content_stage: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (CheckConstraint(_in("outcome", OUTCOMES), name="outcome"),)


class PipelineStageAlias(db.Model):
    """Another label that means a stage: what was left of a stage merged into another."""

    __tablename__ = "pipeline_stage_alias"
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id", ondelete="CASCADE"),
                                          index=True)


class Account(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    # Lower-case e-mail domains of the account's people, space-separated ("acme.com acme.de").
    domains: Mapped[str] = mapped_column(String(1000), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def domain_list(self) -> list[str]:
        return self.domains.split()


class Deal(db.Model):
    """An opportunity as the CRM knows it. `created_at` is the CRM's when it sends one;
    `updated_at` is when Lockstep last changed the row."""

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                 index=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    stage: Mapped[str] = mapped_column(String(120))  # the CRM's label, as written
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    close_date: Mapped[date] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The CRM's own last-modified time, when it sends one: an update older than this is stale.
    source_updated_at: Mapped[datetime | None]

    account: Mapped[Account | None] = relationship()
    owner: Mapped[User | None] = relationship()
    pipeline_stage: Mapped[PipelineStage] = relationship()
    history: Mapped[list[DealStageChange]] = relationship(
        back_populates="deal", order_by="(DealStageChange.changed_at, DealStageChange.id)")

    __table_args__ = (
        CheckConstraint(_in("status", OUTCOMES), name="status"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_not_negative"),
        Index("ix_deal_name_lower", func.lower(name)),
    )


class DealStageChange(db.Model):
    """The deal's stage and status from `changed_at` on: the first row is its state when
    Lockstep first saw it, one more row for every change after that."""

    __tablename__ = "deal_stage_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(120))
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"))
    status: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(20))  # import, api, web

    deal: Mapped[Deal] = relationship(back_populates="history")


class UsageEvent(db.Model):
    """Someone used a version of an asset (or a fork of it) on a deal. Never updated."""

    __tablename__ = "usage_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deal.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id"))
    fork_id: Mapped[int | None] = mapped_column(index=True)  # forks arrive in a later area
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    action: Mapped[str] = mapped_column(String(20))
    # The deal as it was at that moment, so analytics can ask where content was used.
    deal_stage: Mapped[str] = mapped_column(String(120))
    deal_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stage.id"))
    deal_status: Mapped[str] = mapped_column(String(10))
    after_close: Mapped[bool] = mapped_column(default=False)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    deal: Mapped[Deal] = relationship()
    asset: Mapped[Asset] = relationship()
    version: Mapped[AssetVersion] = relationship()
    user: Mapped[User | None] = relationship()

    __table_args__ = (CheckConstraint(_in("action", ACTIONS), name="action"),
                      # An asset's uses by deal, covering what its analytics page lists (the
                      # deals it touched, the reps who used it) without reading the rows.
                      Index("ix_usage_event_asset_deal_use", "asset_id", "deal_id",
                            "occurred_at", "user_id", "deal_status"))

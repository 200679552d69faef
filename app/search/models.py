"""The index outbox and the search log (facts appended by services, read by analytics)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.timeutil import utcnow
from app.extensions import db


class SearchOutbox(db.Model):
    """An asset whose index entry is out of date. Written in the same transaction as the change,
    marked applied once the index has it; unapplied rows are replayed by `flask search sync`.
    Applied rows are kept a day so a rebuild can re-apply what changed while it ran."""

    __tablename__ = "search_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(index=True)  # no FK: the asset may be gone
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    applied_at: Mapped[datetime | None] = mapped_column(index=True)


class SearchLog(db.Model):
    __tablename__ = "search_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                index=True)
    role: Mapped[str] = mapped_column(String(20))
    query: Mapped[str] = mapped_column(String(500))
    # Normalised for grouping: lower-case, single spaces.
    query_key: Mapped[str] = mapped_column(String(500), index=True)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    sort: Mapped[str] = mapped_column(String(20))
    result_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SearchClick(db.Model):
    __tablename__ = "search_click"
    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("search_log.id", ondelete="CASCADE"),
                                           index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

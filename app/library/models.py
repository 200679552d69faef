"""Assets and their immutable versions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from app.auth.models import User
from app.core.db import TimestampMixin
from app.core.timeutil import today, utcnow
from app.extensions import db
from app.library.taxonomy import KINDS, STAGES, STATUSES


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


asset_tag = Table(
    "asset_tag",
    db.metadata,
    Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Tag(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Asset(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    stage: Mapped[str | None] = mapped_column(String(20), index=True)
    persona: Mapped[str] = mapped_column(String(80), default="")
    industry: Mapped[str] = mapped_column(String(80), default="")
    product: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    review_by: Mapped[date | None]
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("asset_version.id", use_alter=True, ondelete="SET NULL")
    )

    owner: Mapped[User] = relationship()
    tags: Mapped[list[Tag]] = relationship(secondary=asset_tag, order_by=Tag.name)
    current_version: Mapped[AssetVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[AssetVersion]] = relationship(
        back_populates="asset",
        foreign_keys="AssetVersion.asset_id",
        order_by="AssetVersion.number.desc()",
    )

    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(f"stage IS NULL OR {_in('stage', STAGES)}", name="stage"),
        CheckConstraint(_in("status", STATUSES), name="status"),
    )

    @property
    def is_stale(self) -> bool:
        return self.review_by is not None and self.review_by < today()

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]


class AssetVersion(db.Model):
    """One uploaded file of an asset. Rows are never updated after they are written."""

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(db.BigInteger)
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    notes: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    restored_from: Mapped[int | None]
    page_count: Mapped[int | None]
    # Loaded only when asked for: lists of versions should not drag megabytes of text along.
    text: Mapped[str] = deferred(mapped_column(Text, default=""))
    text_note: Mapped[str | None] = mapped_column(String(500))
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    # Office files laid out as PDF by LibreOffice: what the viewer and page thumbnails show.
    preview_pdf_key: Mapped[str | None] = mapped_column(String(200))

    asset: Mapped[Asset] = relationship(back_populates="versions", foreign_keys=[asset_id])
    author: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("asset_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(_in("kind", KINDS), name="kind"),
    )

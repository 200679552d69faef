"""Collections and their ordered items."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import TimestampMixin
from app.extensions import db
from app.library.models import Asset

# A collection is curated in draft and shown to reps and leaders only once it is published.
COLLECTION_STATUSES = ("draft", "published")


class Collection(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # Listed on the library home page when true (and published); curators opt in.
    featured: Mapped[bool] = mapped_column(default=False)

    owner: Mapped[User] = relationship()
    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", order_by="CollectionItem.position",
        cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"status IN {COLLECTION_STATUSES!r}", name="status"),
    )

    @property
    def is_published(self) -> bool:
        return self.status == "published"


class CollectionItem(db.Model):
    __tablename__ = "collection_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]

    collection: Mapped[Collection] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()

    __table_args__ = (UniqueConstraint("collection_id", "asset_id"),)

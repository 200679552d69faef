"""Share links (one asset or fork, or a deal room of several), their visits, and what each
visit looked at.

A link's token is a secret in its URL. It is kept (the rep copies the link again later) but never
looked up directly: requests find the link by the token's SHA-256 and then compare the token in
constant time, so neither the database index nor a string compare leaks how much of a guess
was right. Visits are facts appended by the viewer; seconds per page arrive in beacons and are
summed into `VisitTime` rows, one per (visit, item, page).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.models import Asset


class ShareLink(TimestampMixin, db.Model):
    __tablename__ = "share_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("deal.id", ondelete="SET NULL"),
                                                index=True)
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text, default="")
    # A deal room shows its items as a list with a welcome note; a plain link opens its one item.
    is_room: Mapped[bool] = mapped_column(default=False)
    expires_at: Mapped[datetime | None]
    require_email: Mapped[bool] = mapped_column(default=False)
    verify_email: Mapped[bool] = mapped_column(default=False)
    allow_download: Mapped[bool] = mapped_column(default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    allowed_domains: Mapped[list] = mapped_column(JSON, default=list)
    # Aggregate-only tracking: no e-mail and no IP hash is kept for this link's visits.
    anonymous: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    items: Mapped[list[ShareItem]] = relationship(
        back_populates="link", order_by="ShareItem.position", cascade="all, delete-orphan")


class ShareItem(db.Model):
    """One asset or one fork in a link, at its place in the order."""

    __tablename__ = "share_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int]
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    fork_id: Mapped[int | None] = mapped_column(ForeignKey("fork.id", ondelete="CASCADE"),
                                                index=True)

    link: Mapped[ShareLink] = relationship(back_populates="items")
    asset: Mapped[Asset] = relationship()


class ShareVisit(db.Model):
    """One viewer's session on a link. Beacons name it by its key (app.share.tokens.visit_key,
    derived from the id and the app's secret), so a beacon can only add time to the visit
    whose page was handed that key."""

    __tablename__ = "share_visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"),
                                         index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    viewer_email: Mapped[str | None] = mapped_column(String(254), index=True)
    email_verified: Mapped[bool] = mapped_column(default=False)
    device: Mapped[str] = mapped_column(String(10), default="unknown")
    location: Mapped[str] = mapped_column(String(80), default="")
    # HMAC of the address with the app's secret; None in anonymous mode. Never the address.
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # A signed-in Lockstep user (staff) or a link-preview bot: kept, never counted as a prospect.
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    bot: Mapped[bool] = mapped_column(default=False)
    anonymous: Mapped[bool] = mapped_column(default=False)
    seconds: Mapped[float] = mapped_column(default=0.0)
    downloads: Mapped[int] = mapped_column(default=0)
    beacons: Mapped[int] = mapped_column(default=0)

    link: Mapped[ShareLink] = relationship()
    times: Mapped[list[VisitTime]] = relationship(cascade="all, delete-orphan",
                                                  back_populates="visit")

    @property
    def staff(self) -> bool:
        return self.staff_user_id is not None

    @property
    def prospect(self) -> bool:
        return self.staff_user_id is None and not self.bot

    __table_args__ = (Index("ix_share_visit_link_started", "link_id", "started_at"),)


class VisitTime(db.Model):
    """Seconds a visit spent on one page of one item (page 0: an item without pages)."""

    __tablename__ = "visit_time"
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("share_visit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("share_item.id", ondelete="CASCADE"),
                                         index=True)
    page: Mapped[int]
    seconds: Mapped[float] = mapped_column(default=0.0)
    # The version shown, so views count for the version that was actually read.
    version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id"))

    visit: Mapped[ShareVisit] = relationship(back_populates="times")

    __table_args__ = (UniqueConstraint("visit_id", "item_id", "page"),
                      CheckConstraint("page >= 0", name="page"),
                      CheckConstraint("seconds >= 0", name="seconds"))


class EmailCode(db.Model):
    """A one-time code sent to prove a viewer owns the e-mail they gave. Only hashes are kept:
    of the code, and (in `email`) a keyed hash of the address (viewer.email_key)."""

    __tablename__ = "share_email_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"),
                                         index=True)
    email: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class Notification(db.Model):
    """Something a user should see in the app: for now, a prospect's first visit to a link."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    link_id: Mapped[int | None] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

"""Forks, the personalization fields found in asset versions, and suggestions back to marketing.

A fork never copies the source file: it remembers the exact source version and what the rep
changed (field values, slide choices, edited text, a cover page), and the tailored file is
rendered from those on demand. So a fork costs a row, and "update my fork" only has to carry the
rep's choices onto a newer version.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.models import Asset, AssetVersion

# How a fork is tailored, from its source version's kind.
METHODS = ("text", "docx", "pptx", "pdf")
SUGGESTION_STATUSES = ("pending", "accepted", "declined")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class VersionFields(db.Model):
    """The personalization fields of one asset version, found when it was stored, with the
    defaults marketing gives them. `fields` is a list of {"name", "default"} in file order."""

    __tablename__ = "version_fields"
    version_id: Mapped[int] = mapped_column(
        ForeignKey("asset_version.id", ondelete="CASCADE"), primary_key=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    problems: Mapped[list] = mapped_column(JSON, default=list)
    slide_count: Mapped[int | None]
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)

    def defaults(self) -> dict[str, str]:
        return {f["name"]: f.get("default") or "" for f in self.fields}

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.fields]


class Fork(TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    source_asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"), index=True)
    # The exact version this fork tailors; "update my fork" moves it to a newer one.
    source_version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id"), index=True)
    # The version the fork was first made from, kept for lineage after updates.
    forked_version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id"))
    parent_fork_id: Mapped[int | None] = mapped_column(
        ForeignKey("fork.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    account: Mapped[str] = mapped_column(String(300), default="")
    method: Mapped[str] = mapped_column(String(10))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    # PPTX: the source's 1-based slide numbers to keep, in order; None keeps them all.
    slides: Mapped[list | None] = mapped_column(JSON)
    # Text kinds: the rep's edited source (Markdown, HTML or plain text), fields still in it.
    body: Mapped[str | None] = mapped_column(Text)
    # PDF: the cover page ({"contact", "note"}; the account is `account`).
    cover: Mapped[dict | None] = mapped_column(JSON)
    # Bumped by every change; a write that names an older revision is refused (two tabs).
    revision: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship()
    source_asset: Mapped[Asset] = relationship()
    source_version: Mapped[AssetVersion] = relationship(foreign_keys=[source_version_id])
    forked_version: Mapped[AssetVersion] = relationship(foreign_keys=[forked_version_id])
    parent: Mapped[Fork | None] = relationship(remote_side="Fork.id")

    __table_args__ = (CheckConstraint(_in("method", METHODS), name="method"),)


class Suggestion(db.Model):
    """A rep offers a fork's changes to marketing; a marketer accepts or declines it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    fork_id: Mapped[int] = mapped_column(ForeignKey("fork.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # What was suggested, frozen: the fork may change afterwards.
    source_version_id: Mapped[int] = mapped_column(ForeignKey("asset_version.id"))
    body: Mapped[str | None] = mapped_column(Text)
    slides: Mapped[list | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    # The source version an accepted suggestion became.
    result_version_id: Mapped[int | None] = mapped_column(ForeignKey("asset_version.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fork: Mapped[Fork] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    source_version: Mapped[AssetVersion] = relationship(foreign_keys=[source_version_id])

    __table_args__ = (CheckConstraint(_in("status", SUGGESTION_STATUSES), name="status"),)

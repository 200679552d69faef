"""Users, browser sessions, API tokens, invitations and sign-in throttling counters."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import TimestampMixin
from app.core.timeutil import utcnow
from app.extensions import db


def new_session_nonce() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, TimestampMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased; the unique index on lower(email) keeps it case-insensitive everywhere.
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Part of the session cookie's user id: rotating it ends every session of the user at once.
    session_nonce: Mapped[str] = mapped_column(String(64), default=new_session_nonce)
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime | None]

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    __table_args__ = (Index("uq_user_email_lower", func.lower(email), unique=True),)

    # The secret of the browser session this request belongs to (not a column): set when the
    # session is started or loaded, and written into the cookie by Flask-Login via get_id().
    session_secret = None  # str | None; unannotated so SQLAlchemy does not map it

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_nonce}:{self.session_secret or ''}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class ApiToken(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    # sha256 of the token: tokens are 256-bit random, so a fast hash is enough and allows lookup.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class UserSession(db.Model):
    """One signed-in browser. Signing out deletes its row, which ends that browser only."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # sha256 of the secret in the signed cookie: a copy of the table signs nobody in.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginThrottle(db.Model):
    """Failed sign-ins counted per account ("a:<email>") and per client IP ("i:<ip>") in a
    fixed window that starts with the first failure. A counter row rather than an event log,
    so that checking and counting an attempt is one atomic upsert (see app/auth/throttle.py)."""

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(index=True)

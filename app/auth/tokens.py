"""API tokens: issued, used and revoked by their owners; admins may revoke anyone's.

Tokens are 256-bit random and stored as SHA-256 (a fast hash is enough for that much entropy and
allows lookup); the token itself is shown once, when it is made.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.auth.models import ApiToken, User
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.permissions import is_admin
from app.core.text import is_clean_text
from app.core.timeutil import utcnow
from app.extensions import db

TOKEN_PREFIX = "lst_"  # noqa: S105 - a public prefix, not a secret
MAX_LABEL = 120
MAX_ACTIVE_TOKENS = 50
MAX_LIFETIME_DAYS = 3650
# Writing on every API call would turn reads into writes; a 5-minute resolution is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def _clean_label(label: str) -> str:
    label = (label or "").strip()
    if len(label) > MAX_LABEL or not is_clean_text(label):
        raise ValidationFailed(f"Labels have at most {MAX_LABEL} printable characters.",
                               {"label": "invalid"})
    return label


def issue_token(user: User, label: str = "", expires_at: datetime | None = None) -> str:
    """Return a new API token for `user` and commit; only its hash is kept."""
    label = _clean_label(label)
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("The expiry must be in the future.", {"expires": "past"})
    active = select(func.count()).where(ApiToken.user_id == user.id, _usable(utcnow()))
    if (db.session.scalar(active) or 0) >= MAX_ACTIVE_TOKENS:
        raise Conflict(f"You already have {MAX_ACTIVE_TOKENS} active tokens; revoke one first.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, label=label, token_hash=_sha256(token),
                            prefix=token[:12], expires_at=expires_at))
    db.session.commit()
    return token


def create_token(actor: User, label: str, expires_in_days: int | None) -> str:
    """Self-service: a labelled token for the actor, optionally expiring after some days."""
    if not _clean_label(label):
        raise ValidationFailed("Give the token a label, e.g. “CRM sync”.", {"label": "missing"})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_LIFETIME_DAYS:
        raise ValidationFailed(f"Tokens expire after 1 to {MAX_LIFETIME_DAYS} days, or never.",
                               {"expires": "invalid"})
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    return issue_token(actor, label, expires_at)


def revoke_token(actor: User, token_id: int) -> ApiToken:
    """Owners revoke their own tokens, admins anyone's; others' tokens do not exist for them."""
    row = db.session.get(ApiToken, token_id)
    if row is None or (row.user_id != actor.id and not is_admin(actor)):
        raise NotFound("No such token.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return row


def user_for_token(token: str) -> User | None:
    """The active user an unexpired, unrevoked token belongs to; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    now = utcnow()
    if row is None or not row.is_usable(now) or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        row.last_used_at = now
        db.session.commit()
    return row.user


def _usable(now: datetime):
    return ApiToken.revoked_at.is_(None) & (ApiToken.expires_at.is_(None)
                                            | (ApiToken.expires_at > now))

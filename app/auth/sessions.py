"""Browser sessions: one row per signed-in browser, so signing out ends that browser only.

The session cookie carries "<user id>:<user nonce>:<session secret>". Deleting the session's row
ends that one browser (and any copy of its cookie); rotating the user's nonce ends every
session at once. Helpers here only flush: the service that calls them commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from app.auth.models import ApiToken, User, UserSession, new_session_nonce
from app.core.timeutil import utcnow
from app.extensions import db


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(user: User, lifetime: timedelta) -> None:
    """A new browser session for `user`; get_id() now names it for Flask-Login's cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, secret_hash=_sha256(secret)))
    # Sessions past their lifetime can no longer be used; a sign-in is a write anyway.
    db.session.execute(delete(UserSession).where(UserSession.created_at < utcnow() - lifetime))
    user.session_secret = secret


def end_session(user: User) -> None:
    """End the browser session this request came with, and only that one."""
    if user.session_secret:
        db.session.execute(delete(UserSession).where(
            UserSession.user_id == user.id,
            UserSession.secret_hash == _sha256(user.session_secret)))
    user.session_secret = None


def end_all_sessions(user: User) -> None:
    """Every browser session and every API token of the user stop working on their next use."""
    user.session_nonce = new_session_nonce()
    user.session_secret = None
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def user_for_session(session_id: str, lifetime: timedelta) -> User | None:
    """The user a session cookie names, if that session is still open."""
    parts = (session_id or "").split(":")
    if len(parts) != 3:
        return None
    user_id, nonce, secret = parts
    if not (user_id.isascii() and user_id.isdigit()) or len(user_id) > 10:
        return None
    if not nonce or not nonce.isascii() or not secret:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    started = db.session.scalar(select(UserSession.created_at).where(
        UserSession.user_id == user.id, UserSession.secret_hash == _sha256(secret)))
    if started is None or utcnow() - started > lifetime:
        return None
    user.session_secret = secret
    return user

"""Account operations: the only place that changes users, tokens and sign-in state."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update

from app.auth.models import ApiToken, LoginAttempt, User, new_session_nonce
from app.auth.passwords import hash_password, verify_password
from app.core.errors import Conflict, NotFound, PermissionDenied, TooManyRequests, ValidationFailed
from app.core.permissions import ROLES, Role
from app.core.text import is_clean_text, strip_invalid
from app.core.timeutil import utcnow
from app.extensions import db

EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]{2,}$")
TOKEN_PREFIX = "lst_"  # noqa: S105 - a public prefix, not a secret
BAD_CREDENTIALS = "Email or password is incorrect."
THROTTLED = "Too many failed sign-in attempts. Wait a few minutes and try again."


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account: int
    per_ip: int
    window: timedelta


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 254 or not EMAIL_RE.match(email) or not is_clean_text(email):
        raise ValidationFailed("Enter a valid email address.", {"email": "invalid"})
    return email


def _validate_name_and_role(name: str, role: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120 or not is_clean_text(name):
        raise ValidationFailed("Enter a name of 1 to 120 characters.", {"name": "invalid"})
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", {"role": "invalid"})
    return name


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, name: str, role: str, password: str | None = None) -> User:
    email = normalize_email(email)
    name = _validate_name_and_role(name, role)
    if find_user_by_email(email):
        raise Conflict("A user with this email already exists.", {"email": "taken"})
    user = User(email=email, name=name, role=role, password_hash=None)
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def invite_user(actor: User, email: str, name: str, role: str) -> tuple[User, str]:
    """Create an account without a password; the returned one-time token lets its owner set one."""
    _ensure_admin(actor)
    user = create_user(email, name, role)
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = _sha256(token)
    user.invited_at = utcnow()
    db.session.commit()
    return user, token


def invited_user(token: str) -> User:
    user = db.session.scalar(select(User).where(User.invite_token_hash == _sha256(token or "")))
    if user is None or not user.active:
        raise NotFound("This invitation link is not valid any more.")
    return user


def accept_invite(token: str, password: str) -> User:
    user = invited_user(token)
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    db.session.commit()
    return user


def authenticate(email: str, password: str, ip: str, policy: ThrottlePolicy) -> User:
    """The same message and the same scrypt cost whether or not the account exists."""
    email_key = strip_invalid(email or "").strip().lower()[:254]
    _refuse_if_throttled(email_key, ip, policy)
    user = find_user_by_email(email_key) if email_key else None
    ok = verify_password(user.password_hash if user else None, password or "")
    ok = ok and user is not None and user.active
    db.session.add(LoginAttempt(email_key=email_key, ip=ip[:64], succeeded=ok))
    db.session.commit()
    if not ok:
        raise ValidationFailed(BAD_CREDENTIALS)
    return user


def _refuse_if_throttled(email_key: str, ip: str, policy: ThrottlePolicy) -> None:
    since = utcnow() - policy.window
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.at < utcnow() - timedelta(days=1)))
    if _recent_failures(LoginAttempt.email_key == email_key, since) >= policy.per_account:
        raise TooManyRequests(THROTTLED)
    if _recent_failures(LoginAttempt.ip == ip[:64], since) >= policy.per_ip:
        raise TooManyRequests(THROTTLED)


def _recent_failures(who, since) -> int:
    # Failures count only after the last success, so a user who signs in starts afresh.
    last_ok = select(func.max(LoginAttempt.at)).where(who, LoginAttempt.succeeded.is_(True))
    last_ok_at = db.session.scalar(last_ok)
    start = max(since, last_ok_at) if last_ok_at else since
    query = select(func.count()).where(
        who, LoginAttempt.succeeded.is_(False), LoginAttempt.at > start
    )
    return db.session.scalar(query) or 0


def end_all_sessions(user: User) -> None:
    """Every cookie and API token of the user stops working on its next request."""
    user.session_nonce = new_session_nonce()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def sign_out(user: User) -> None:
    end_all_sessions(user)
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed("Your current password is incorrect.", {"current_password": "wrong"})
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    db.session.commit()


def _ensure_admin(actor: User) -> None:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only admins can manage users.")


def _get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    _ensure_admin(actor)
    user = _get_user(user_id)
    if user.id == actor.id and not active:
        raise Conflict("You cannot deactivate your own account.")
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.commit()
    return user


def change_role(actor: User, user_id: int, role: str) -> User:
    _ensure_admin(actor)
    user = _get_user(user_id)
    if role not in ROLES:
        raise ValidationFailed(f"Role must be one of {', '.join(ROLES)}.", {"role": "invalid"})
    if user.id == actor.id and role != Role.ADMIN:
        raise Conflict("You cannot remove your own admin role.")
    user.role = role
    db.session.commit()
    return user


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, label: str = "") -> str:
    """Return a new API token; only its hash is stored, so this is the one time it is seen."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, label=label[:120], token_hash=_sha256(token), prefix=token[:12])
    db.session.add(row)
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _sha256(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    # Writing on every API call would turn reads into writes; a 5-minute resolution is enough.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        row.last_used_at = now
        db.session.commit()
    return row.user


def user_for_session(session_id: str) -> User | None:
    user_id, _, nonce = (session_id or "").partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_nonce, nonce):
        return None
    return user

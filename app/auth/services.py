"""Account operations: the only place that changes users, sessions and sign-in state.

Sessions live in app/auth/sessions.py, API tokens in app/auth/tokens.py and sign-in throttling in
app/auth/throttle.py; the names other areas use are re-exported here.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from app.auth import throttle
from app.auth.models import User
from app.auth.passwords import hash_password, verify_password
from app.auth.sessions import end_all_sessions, end_session, start_session, user_for_session
from app.auth.throttle import THROTTLED, ThrottlePolicy
from app.auth.tokens import TOKEN_PREFIX, issue_token, user_for_token
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import ROLES, Role
from app.core.text import is_clean_text, strip_invalid
from app.core.timeutil import utcnow
from app.extensions import db

__all__ = ["BAD_CREDENTIALS", "THROTTLED", "TOKEN_PREFIX", "ThrottlePolicy", "issue_token",
           "user_for_session", "user_for_token"]

EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]{2,}$")
BAD_CREDENTIALS = "Email or password is incorrect."
INVITE_EXPIRED = "This invitation link has expired. Ask an admin to send you a new one."


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
    return user, _new_invite(user)


def reinvite_user(actor: User, user_id: int) -> tuple[User, str]:
    """A fresh invitation link for someone who has not set a password yet (the old one dies)."""
    _ensure_admin(actor)
    user = _get_user(user_id)
    if user.password_hash is not None:
        raise Conflict(f"{user.name} has already set a password.")
    return user, _new_invite(user)


def _new_invite(user: User) -> str:
    token = secrets.token_urlsafe(32)
    user.invite_token_hash = _sha256(token)
    user.invited_at = utcnow()
    db.session.commit()
    return token


def invited_user(token: str, max_age: timedelta) -> User:
    user = db.session.scalar(select(User).where(User.invite_token_hash == _sha256(token or "")))
    if user is None or not user.active:
        raise NotFound("This invitation link is not valid any more.")
    if user.invited_at is None or utcnow() - user.invited_at > max_age:
        raise NotFound(INVITE_EXPIRED)
    return user


def accept_invite(token: str, password: str, max_age: timedelta, lifetime: timedelta) -> User:
    """Set the password, spend the link and sign this browser in."""
    user = invited_user(token, max_age)
    user.password_hash = hash_password(password)
    user.invite_token_hash = None
    start_session(user, lifetime)
    db.session.commit()
    return user


def sign_in(email: str, password: str, ip: str, policy: ThrottlePolicy,
            lifetime: timedelta) -> User:
    """Check the credentials and start a browser session (user.get_id() names it).

    The same message and the same scrypt cost whether or not the account exists."""
    email_key = strip_invalid(email or "").strip().lower()[:254]
    ip = ip[:64]
    throttle.claim_attempt(email_key, ip, policy)
    user = find_user_by_email(email_key) if email_key else None
    ok = verify_password(user.password_hash if user else None, password or "")
    if not (ok and user is not None and user.active):
        raise ValidationFailed(BAD_CREDENTIALS)
    throttle.give_back_on_success(email_key, ip)
    start_session(user, lifetime)
    db.session.commit()
    return user


def sign_out(user: User) -> None:
    """End this browser's session only: other browsers and API tokens carry on."""
    end_session(user)
    db.session.commit()


def sign_out_everywhere(user: User) -> None:
    """End every browser session and revoke every API token of the user."""
    end_all_sessions(user)
    db.session.commit()


def change_password(user: User, current_password: str, new_password: str,
                    lifetime: timedelta) -> None:
    """Ends every session and token of the user, then starts a new session for this browser."""
    if not verify_password(user.password_hash, current_password or ""):
        raise ValidationFailed("Your current password is incorrect.", {"current_password": "wrong"})
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)
    start_session(user, lifetime)
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

"""Reads for the account and admin pages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import ApiToken, User
from app.core.pagination import Page, paginate
from app.extensions import db

OWN_TOKENS_SHOWN = 100


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, so they can be told)."""
    query = (select(ApiToken).where(ApiToken.user_id == user.id)
             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(OWN_TOKENS_SHOWN))
    return list(db.session.scalars(query))


def all_tokens(page: int = 1, per_page: int = 50) -> Page:
    """Every user's tokens for admins, newest first, with their owners loaded."""
    query = (select(ApiToken).options(joinedload(ApiToken.user))
             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return paginate(query, page, per_page)


def users_by_name() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))

"""Roles and the role checks every view and API endpoint uses. Rules about a product area's
objects (who may see an asset) live in that area."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import abort
from flask_login import current_user

from app.core.errors import PermissionDenied

if TYPE_CHECKING:
    from app.auth.models import User


class Role(StrEnum):
    REP = "rep"
    MARKETER = "marketer"
    LEADER = "leader"
    ADMIN = "admin"


ROLES = tuple(role.value for role in Role)
CONTENT_MANAGERS = frozenset({Role.MARKETER, Role.ADMIN})


def role_required(*roles: Role) -> Callable:
    """View decorator: signed-in users with one of `roles` (any role when none are given)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def manages_content(user: User) -> bool:
    return user.role in CONTENT_MANAGERS


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN


def ensure_manages_content(user: User) -> None:
    if not manages_content(user):
        raise PermissionDenied("Only marketers and admins can do this.")

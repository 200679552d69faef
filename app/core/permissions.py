"""Roles and the permission checks every view and API endpoint uses."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING, Any

from flask import abort
from flask_login import current_user

from app.core.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from app.auth.models import User
    from app.library.models import Asset


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


def can_view_asset(user: User, asset: Asset) -> bool:
    return manages_content(user) or asset.status == "published"


def can_edit_asset(user: User, asset: Asset) -> bool:
    """Marketers edit the assets they own; admins edit everything."""
    return user.role == Role.ADMIN or (user.role == Role.MARKETER and asset.owner_id == user.id)


def ensure_can_view_asset(user: User, asset: Asset | None) -> Asset:
    # Hidden assets answer 404, not 403, so their existence does not leak.
    if asset is None or not can_view_asset(user, asset):
        raise NotFound("No such asset.")
    return asset


def ensure_can_edit_asset(user: User, asset: Asset | None) -> Asset:
    ensure_can_view_asset(user, asset)
    if not can_edit_asset(user, asset):
        raise PermissionDenied("Only the asset's owner or an admin can change it.")
    return asset


def ensure_manages_content(user: User) -> None:
    if not manages_content(user):
        raise PermissionDenied("Only marketers and admins can do this.")

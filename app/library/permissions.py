"""Who may see and change an asset. Roles come from core; the rules about assets live here,
so core knows no product area."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.errors import NotFound, PermissionDenied
from app.core.permissions import Role, manages_content

if TYPE_CHECKING:
    from app.auth.models import User
    from app.library.models import Asset


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

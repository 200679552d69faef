"""Who may see a collection. Curating (editing) is checked in services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.errors import NotFound
from app.core.permissions import manages_content

if TYPE_CHECKING:
    from app.auth.models import User
    from app.collections.models import Collection


def can_view_collection(user: User, collection: Collection) -> bool:
    """Marketers and admins see drafts they are curating; reps and leaders published ones."""
    return manages_content(user) or collection.status == "published"


def ensure_can_view_collection(user: User, collection: Collection | None) -> Collection:
    # Like assets, a hidden collection answers 404 so its existence does not leak.
    if collection is None or not can_view_collection(user, collection):
        raise NotFound("No such collection.")
    return collection

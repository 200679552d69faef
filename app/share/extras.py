"""What share links add to other areas' pages (registered by the application factory)."""

from __future__ import annotations

from app.auth.models import User
from app.library.models import Asset

SHARE_PANEL = "share/_share_panel.html"


def share_asset(actor: User, asset: Asset, **_context) -> dict | None:
    """"Share" on a published asset: a tracked link, or the start of a deal room."""
    if asset.status != "published" or asset.current_version_id is None:
        return None
    return {"panels": [SHARE_PANEL], "share_asset_id": asset.id}


def share_fork(actor: User, fork, **_context) -> dict | None:
    """"Share" on the rep's own fork."""
    if fork.owner_id != actor.id or fork.source_asset.status != "published":
        return None
    return {"panels": [SHARE_PANEL], "share_fork_id": fork.id}

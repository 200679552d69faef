"""What forks adds to other areas' pages (registered by the application factory)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.forks import queries, sources
from app.forks.forms import ForkForm
from app.forks.models import Fork
from app.forks.permissions import sees_all_forks
from app.library.models import Asset
from app.library.permissions import can_edit_asset


def asset_forks(actor: User, asset: Asset, **_context) -> dict | None:
    """The asset page: "Fork and tailor", the viewer's own forks of it, and for marketing,
    leaders and admins its fork tree, its fields and what reps change."""
    version = asset.current_version
    if version is None:
        return None
    method = sources.method_for(version)
    values = {"panels": ["forks/_asset_panel.html"], "fork_form": ForkForm(),
              "fork_method": method,
              "forkable": asset.status == "published" and method is not None,
              "my_asset_forks": list(db.session.scalars(
                  select(Fork).where(Fork.source_asset_id == asset.id,
                                     Fork.owner_id == actor.id).order_by(Fork.id)))}
    if sees_all_forks(actor):
        forks = queries.forks_of_asset(actor, asset.id)
        values.update(fork_tree=queries.fork_tree(forks), fork_total=len(forks),
                      learned=queries.learning(asset) if forks else None,
                      known_fields=sources.fields_of(version) if method else None,
                      edits_defaults=can_edit_asset(actor, asset))
    return values

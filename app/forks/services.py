"""Writing forks: create (from an asset or another fork), tailor, and carry onto a newer source
version. Each public function is one unit of work and commits once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.core.converters import MAX_ID
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.forks import placeholders, sources, validation
from app.forks.models import Fork
from app.forks.permissions import ensure_can_edit_fork, ensure_can_view_fork
from app.library.models import Asset, AssetVersion
from app.library.permissions import ensure_can_view_asset


def create_fork(actor: User, *, asset_id: int | None = None, parent_fork_id: int | None = None,
                title: Any = None, account: Any = None, fields: Any = None, body: Any = None,
                slides: Any = None, cover: Any = None) -> Fork:
    """A private fork of a published asset's current version, or of another fork (whose
    tailoring it starts from)."""
    parent = None
    if parent_fork_id is not None:
        parent = ensure_can_view_fork(actor, db.session.get(Fork, parent_fork_id))
        asset, version = parent.source_asset, parent.source_version
        if asset_id is not None and asset_id != asset.id:
            raise ValidationFailed("That fork is not a fork of this asset.",
                                   {"parent_fork_id": "other_asset"})
    else:
        asset = ensure_can_view_asset(actor, db.session.get(Asset, asset_id))
        version = asset.current_version
    ensure_forkable(asset, version)
    method = sources.method_for(version)
    fork = Fork(owner_id=actor.id, source_asset_id=asset.id, source_version_id=version.id,
                forked_version_id=version.id, parent_fork_id=parent.id if parent else None,
                method=method, title="", account="", values={})
    if parent:
        fork.values, fork.slides = dict(parent.values), parent.slides
        fork.body, fork.cover, fork.account = parent.body, parent.cover, parent.account
    elif method == "text":
        fork.body = sources.source_text(version)
    _apply(fork, version, {"account": account, "fields": fields, "body": body,
                           "slides": slides, "cover": cover})
    fork.title = validation.clean_title(title or _default_title(asset, fork.account))
    db.session.add(fork)
    db.session.commit()
    return fork


def ensure_forkable(asset: Asset, version: AssetVersion | None) -> None:
    if asset.status != "published":
        raise ValidationFailed("Only published assets can be forked; this one is "
                               f"{asset.status}.", {"asset_id": asset.status})
    if version is None:
        raise ValidationFailed("The asset has no file yet.", {"asset_id": "no_version"})
    if sources.method_for(version) is None:
        raise ValidationFailed(sources.why_not_tailorable(version), {"asset_id": "kind"})


def update_fork(actor: User, fork_id: int, changes: dict[str, Any],
                revision: int | None = None) -> Fork:
    """Change a fork's title, account, field values, slides, text or cover. `revision`, when
    given, must be the fork's current one: a second tab's older edit is refused, not merged."""
    fork = ensure_can_edit_fork(actor, db.session.get(Fork, fork_id))
    _apply(fork, fork.source_version, changes)
    if "title" in changes:
        fork.title = validation.clean_title(changes["title"])
    _bump_revision(fork, revision)
    db.session.commit()
    return fork


def _apply(fork: Fork, version: AssetVersion, changes: dict[str, Any]) -> None:
    known = sources.fields_of(version)
    if changes.get("account") is not None:
        fork.account = validation.clean_line(changes["account"], "account",
                                             validation.MAX_ACCOUNT)
    if changes.get("fields") is not None:
        fork.values = validation.clean_values(changes["fields"], known.names)
    if changes.get("slides") is not None:
        if fork.method != "pptx":
            raise ValidationFailed("Only PowerPoint forks have slides to choose.",
                                   {"slides": "invalid"})
        fork.slides = validation.clean_slides(changes["slides"], known.slide_count)
    if changes.get("body") is not None:
        if fork.method != "text":
            raise ValidationFailed("Only Markdown, HTML and text forks have editable text.",
                                   {"body": "invalid"})
        fork.body = validation.clean_body(changes["body"])
    if changes.get("cover") is not None:
        if fork.method != "pdf":
            raise ValidationFailed("Only PDF forks have a cover page.", {"cover": "invalid"})
        fork.cover = validation.clean_cover(changes["cover"])


def _bump_revision(fork: Fork, expected: int | None) -> None:
    """Compare-and-set in the database, so two writers that read the same revision cannot
    both win, whatever the isolation level."""
    current = expected if expected is not None else fork.revision
    db.session.flush()
    # A revision no fork reaches (the column's last value) can only be a client's invention;
    # comparing it would try to store one past the column's range (a 500 on PostgreSQL).
    moved = None if current >= MAX_ID else db.session.execute(
        update(Fork).where(Fork.id == fork.id, Fork.revision == current)
        .values(revision=current + 1).execution_options(synchronize_session=False))
    if moved is None or moved.rowcount != 1:
        db.session.rollback()
        raise Conflict("This fork was changed elsewhere (another tab or device). Reload it "
                       "and make your change again.")
    set_committed_value(fork, "revision", current + 1)


def _default_title(asset: Asset, account: str) -> str:
    title = f"{asset.title} for {account}" if account else f"{asset.title} (my copy)"
    return title[:validation.MAX_TITLE]


def get_fork(actor: User, fork_id: int) -> Fork:
    return ensure_can_view_fork(actor, db.session.get(Fork, fork_id))


def usage_content(actor: User, fork_id: int):
    """What a fork stands for when it is used in a deal: its source asset and version. Only
    its owner records its use; someone else's fork is not found."""
    from app.deals.services import ForkContent

    fork = db.session.get(Fork, fork_id)
    if fork is None or fork.owner_id != actor.id:
        return None
    if fork.source_asset.status == "archived":
        raise ValidationFailed("The source of this fork is archived; it cannot be used in deals.",
                               {"fork_id": "archived"})
    return ForkContent(asset_id=fork.source_asset_id, version_id=fork.source_version_id)


def set_field_defaults(actor: User, asset_id: int, defaults: dict[str, str]):
    """Marketing's default for each field of the asset's current version (blank clears one)."""
    from app.library.permissions import ensure_can_edit_asset

    asset = ensure_can_edit_asset(actor, db.session.get(Asset, asset_id))
    if asset.current_version is None:
        raise ValidationFailed("The asset has no file yet.", {"asset_id": "no_version"})
    row = sources.fields_of(asset.current_version)
    given = {placeholders.normalise(k) for k in defaults}
    cleaned = validation.clean_values(defaults, row.names)
    row.fields = [{"name": f["name"], "default": cleaned.get(f["name"], "")
                   if f["name"] in given else f.get("default") or ""} for f in row.fields]
    db.session.commit()
    return row

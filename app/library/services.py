"""Writes to the library: create and edit assets, add and restore versions, archive.

Each public function is one unit of work and commits once at its end. Blobs are stored (by
`ingest`) before the rows that reference them are committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.permissions import ensure_manages_content
from app.core.text import is_clean_text
from app.extensions import db
from app.library import office_pdf
from app.library.fields import clean_fields
from app.library.filenames import title_from_filename
from app.library.ingest import IngestedFile, IngestLimits, ingest
from app.library.models import Asset, AssetVersion, Tag
from app.library.permissions import ensure_can_edit_asset
from app.storage.flask import get_storage

VERSION_NUMBER_ATTEMPTS = 8


def ingest_limits() -> IngestLimits:
    cfg = current_app.config
    return IngestLimits(
        max_bytes=cfg["MAX_UPLOAD_BYTES"],
        extract_timeout=cfg["EXTRACT_TIMEOUT_SECONDS"],
        extract_max_bytes=cfg["EXTRACT_MAX_BYTES"],
        tmp_dir=cfg["UPLOAD_TMP_DIR"],
        soffice=office_pdf.find_soffice(cfg["SOFFICE_PATH"]) if cfg["OFFICE_PREVIEWS"] else None,
        office_timeout=cfg["OFFICE_PREVIEW_TIMEOUT_SECONDS"],
    )


def create_asset(actor: User, stream: BinaryIO, filename: str | None, values: dict[str, Any],
                 notes: str = "") -> Asset:
    """A new asset whose first version is the uploaded file. Drafts unless told otherwise."""
    ensure_manages_content(actor)
    values = dict(values)
    values.setdefault("status", "draft")
    if not values.get("title"):
        values["title"] = title_from_filename(filename or "")
    fields = clean_fields(values)
    ingested = ingest(stream, filename, get_storage(), ingest_limits())
    asset = Asset(owner_id=actor.id, kind=ingested.filetype.kind)
    _apply_fields(asset, fields)
    db.session.add(asset)
    db.session.flush()
    _append_version(asset, actor, ingested, notes)
    db.session.commit()
    return asset


def update_asset(actor: User, asset_id: int, values: dict[str, Any]) -> Asset:
    asset = ensure_can_edit_asset(actor, db.session.get(Asset, asset_id))
    _apply_fields(asset, clean_fields(values))
    db.session.commit()
    return asset


def archive_asset(actor: User, asset_id: int) -> Asset:
    return update_asset(actor, asset_id, {"status": "archived"})


def add_version(actor: User, asset_id: int, stream: BinaryIO, filename: str | None,
                notes: str = "", *, commit: bool = True) -> AssetVersion:
    """`commit=False` leaves the new version in the caller's unit of work (another area's
    service that records why the version was made, in the same transaction)."""
    asset = ensure_can_edit_asset(actor, db.session.get(Asset, asset_id))
    notes = clean_notes(notes)
    ingested = ingest(stream, filename, get_storage(), ingest_limits())
    version = _append_version(asset, actor, ingested, notes)
    if commit:
        db.session.commit()
    return version


def restore_version(actor: User, asset_id: int, number: int, notes: str = "") -> AssetVersion:
    """Make an old version current again by copying it as the newest version."""
    asset = ensure_can_edit_asset(actor, db.session.get(Asset, asset_id))
    old = db.session.scalar(
        select(AssetVersion).where(AssetVersion.asset_id == asset.id, AssetVersion.number == number)
    )
    if old is None:
        raise NotFound(f"Version {number} does not exist.")
    copy = {name: getattr(old, name) for name in _COPIED_ON_RESTORE}
    notes = clean_notes(notes) or f"Restored version {number}."
    version = _insert_next_version(asset, dict(copy, author_id=actor.id, notes=notes,
                                               restored_from=number))
    db.session.commit()
    return version


_COPIED_ON_RESTORE = ("storage_key", "sha256", "size", "content_type", "kind", "filename",
                      "page_count", "text", "text_note", "thumbnail_key", "preview_pdf_key")


def clean_notes(notes: str | None) -> str:
    notes = (notes or "").strip()
    if len(notes) > 2000 or not is_clean_text(notes, multiline=True):
        raise ValidationFailed("Version notes have at most 2,000 characters.", {"notes": "invalid"})
    return notes


def _append_version(asset: Asset, actor: User, ingested: IngestedFile, notes: str) -> AssetVersion:
    extraction = ingested.extraction
    return _insert_next_version(asset, {
        "storage_key": ingested.blob.key,
        "sha256": ingested.blob.sha256,
        "size": ingested.blob.size,
        "content_type": ingested.filetype.content_type,
        "kind": ingested.filetype.kind,
        "filename": ingested.filename,
        "page_count": extraction.page_count,
        "text": extraction.text.replace("\x00", ""),
        "text_note": (extraction.note or None) and extraction.note[:500],
        "thumbnail_key": ingested.thumbnail_key,
        "preview_pdf_key": ingested.preview_pdf_key,
        "author_id": actor.id,
        "notes": clean_notes(notes),
    })


# Other areas that learn something from each new version (forks find its personalization
# fields), called inside the unit of work that stores it; registered by the application factory.
_version_added: list[Callable[[AssetVersion], None]] = []


def on_version_added(hook: Callable[[AssetVersion], None]) -> None:
    if hook not in _version_added:
        _version_added.append(hook)


def _insert_next_version(asset: Asset, values: dict[str, Any]) -> AssetVersion:
    """Take number max+1; when a concurrent upload took it first, the unique constraint says so
    and we try the next one inside a savepoint, so the rest of the unit of work survives."""
    for _ in range(VERSION_NUMBER_ATTEMPTS):
        latest = db.session.scalar(
            select(func.max(AssetVersion.number)).where(AssetVersion.asset_id == asset.id)
        )
        version = AssetVersion(asset_id=asset.id, number=(latest or 0) + 1, **values)
        try:
            with db.session.begin_nested():
                db.session.add(version)
        except IntegrityError:
            continue
        asset.current_version = version
        asset.kind = version.kind
        for hook in _version_added:
            hook(version)
        return version
    raise Conflict("Too many uploads to this asset at the same moment; try again.")


def _apply_fields(asset: Asset, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name == "tags":
            asset.tags = _tags_named(value)
        elif name == "stage" or name == "review_by":
            setattr(asset, name, value)
        else:
            setattr(asset, name, value if value is not None else "")


def _tags_named(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = _create_tag(name)
        tags.append(tag)
    return tags


def _create_tag(name: str) -> Tag:
    # Two editors may introduce the same new tag at once; the loser reuses the winner's row.
    tag = Tag(name=name)
    try:
        with db.session.begin_nested():
            db.session.add(tag)
    except IntegrityError:
        tag = db.session.scalar(select(Tag).where(Tag.name == name))
    return tag

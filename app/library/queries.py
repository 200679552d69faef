"""Reads of the library, always filtered by what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, distinct, func, or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import NotFound, PermissionDenied
from app.core.pagination import Page, paginate
from app.core.permissions import manages_content
from app.core.text import strip_invalid
from app.core.timeutil import today
from app.extensions import db
from app.library.models import Asset, AssetVersion, Tag, asset_tag
from app.library.permissions import ensure_can_view_asset

SORTS = {
    "updated": Asset.updated_at.desc(),
    "title": Asset.title.asc(),
    "created": Asset.created_at.desc(),
}


@dataclass
class AssetFilters:
    stage: str | None = None
    kind: str | None = None
    status: str | None = None
    persona: str | None = None
    industry: str | None = None
    product: str | None = None
    tag: str | None = None
    owner_id: int | None = None
    stale: bool | None = None
    q: str | None = None
    sort: str = "updated"


LABELS = ("persona", "industry", "product")


def label_key(value: str) -> str:
    """The one rule for comparing persona, industry and product values, in the library's
    filters and menus as in the search facets: case and runs of spaces do not matter.
    Applied in Python, so SQLite (whose lower() folds ASCII only) and PostgreSQL agree."""
    return " ".join(value.split()).lower()


def visible_assets(actor: User) -> Select:
    query = select(Asset)
    if not manages_content(actor):
        query = query.where(Asset.status == "published")
    return query


def list_assets(actor: User, filters: AssetFilters, page: int = 1, per_page: int = 25) -> Page:
    query = _filtered(visible_assets(actor), filters)
    query = query.options(selectinload(Asset.tags), selectinload(Asset.current_version),
                          selectinload(Asset.owner))
    query = query.order_by(SORTS.get(filters.sort, SORTS["updated"]), Asset.id.desc())
    return paginate(query, page, per_page)


def _filtered(query: Select, f: AssetFilters) -> Select:
    f = AssetFilters(**{name: strip_invalid(value) if isinstance(value, str) else value
                        for name, value in vars(f).items()})
    for column, value in ((Asset.stage, f.stage), (Asset.kind, f.kind), (Asset.status, f.status),
                          (Asset.owner_id, f.owner_id)):
        if value not in (None, ""):
            query = query.where(column == value)
    for name in LABELS:
        if value := getattr(f, name):
            query = query.where(getattr(Asset, name).in_(_spellings(name, value)))
    if f.tag:
        query = query.where(Asset.tags.any(Tag.name == label_key(f.tag)))
    if f.stale is not None:
        stale = Asset.review_by < today()
        query = query.where(stale if f.stale else or_(Asset.review_by.is_(None), ~stale))
    if f.q:
        # Title filter for the list page; full-text search lives in the search package.
        pattern = "%" + f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Asset.title.ilike(pattern, escape="\\"))
    return query


def get_asset(actor: User, asset_id: int) -> Asset:
    return ensure_can_view_asset(actor, db.session.get(Asset, asset_id))


def list_versions(actor: User, asset_id: int) -> list[AssetVersion]:
    asset = get_asset(actor, asset_id)
    if not manages_content(actor):
        raise PermissionDenied("Only marketers and admins see the version history.")
    return list(asset.versions)


def get_version(actor: User, asset_id: int, number: int) -> AssetVersion:
    """Reps and leaders get the current version only; marketers and admins get any."""
    asset = get_asset(actor, asset_id)
    version = db.session.scalar(
        select(AssetVersion).where(AssetVersion.asset_id == asset.id, AssetVersion.number == number)
    )
    if version is None:
        raise NotFound(f"Version {number} does not exist.")
    if version.id != asset.current_version_id and not manages_content(actor):
        raise PermissionDenied("Only marketers and admins can open earlier versions.")
    return version


def version_text(version: AssetVersion, limit: int = 4000) -> str:
    return (version.text or "")[:limit]


def _spellings(name: str, value: str) -> list[str]:
    """Every stored spelling of `value` under label_key: "cfo" finds "CFO" and "Cfo"."""
    column = getattr(Asset, name)
    key = label_key(value)
    stored = db.session.scalars(select(distinct(column)).where(column != ""))
    return [v for v in stored if label_key(v) == key]


def label_values(actor: User) -> dict[str, list[str]]:
    """Persona/industry/product values and tags on the assets the actor may see, for filter
    menus and form suggestions. Spellings that label_key treats as one value are offered
    once, as most assets write it."""
    visible = visible_assets(actor).subquery()
    values = {}
    for name in LABELS:
        column = visible.c[name]
        rows = db.session.execute(select(column, func.count()).where(column != "")
                                  .group_by(column))
        values[name] = _one_spelling_each(rows)
    tags = (select(distinct(Tag.name)).join(asset_tag, asset_tag.c.tag_id == Tag.id)
            .join(visible, visible.c.id == asset_tag.c.asset_id).order_by(Tag.name))
    values["tag"] = list(db.session.scalars(tags))
    return values


def _one_spelling_each(rows) -> list[str]:
    best: dict[str, tuple[int, str]] = {}
    for value, count in rows:
        key = label_key(value)
        # Most used spelling wins; ties go to the one that sorts first.
        if key not in best or (-count, value) < (-best[key][0], best[key][1]):
            best[key] = (count, value)
    return [best[key][1] for key in sorted(best)]


def review_due(actor: User, on: date | None = None) -> int:
    query = visible_assets(actor).where(Asset.review_by < (on or today()),
                                        Asset.status != "archived")
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def referenced_blob_keys() -> set[str]:
    """Every storage key a version row points at: its file, thumbnail and preview PDF."""
    files = db.session.scalars(select(distinct(AssetVersion.storage_key)))
    keys = set(files)
    for column in (AssetVersion.thumbnail_key, AssetVersion.preview_pdf_key):
        keys |= set(db.session.scalars(select(distinct(column)).where(column.is_not(None))))
    return keys

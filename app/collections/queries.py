"""Reads of collections. Each actor gets only the collections they may see, and in each only
the assets they may see: counts included, so a draft never shows up even as a number."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select

from app.auth.models import User
from app.collections.models import Collection, CollectionItem
from app.collections.permissions import ensure_can_view_collection
from app.core.permissions import manages_content
from app.extensions import db
from app.library.models import Asset
from app.library.queries import visible_assets


@dataclass(frozen=True)
class CollectionView:
    """A collection as one actor sees it: `items` holds only the assets they may see, in the
    curator's order. Templates and APIs get this, never the row with all its items."""

    collection: Collection
    items: list[Asset]

    id = property(lambda self: self.collection.id)
    title = property(lambda self: self.collection.title)
    description = property(lambda self: self.collection.description)
    status = property(lambda self: self.collection.status)
    featured = property(lambda self: self.collection.featured)
    owner = property(lambda self: self.collection.owner)
    owner_id = property(lambda self: self.collection.owner_id)
    is_published = property(lambda self: self.collection.is_published)

    @property
    def item_count(self) -> int:
        return len(self.items)


def visible_collections(actor: User) -> Select:
    query = select(Collection)
    if not manages_content(actor):
        query = query.where(Collection.status == "published")
    return query


def _views(actor: User, collections: list[Collection]) -> list[CollectionView]:
    """Attach each collection's visible assets, read in one query for all of them."""
    ids = [c.id for c in collections]
    items: dict[int, list[Asset]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            visible_assets(actor)
            .add_columns(CollectionItem.collection_id)
            .join(CollectionItem, CollectionItem.asset_id == Asset.id)
            .where(CollectionItem.collection_id.in_(ids))
            .order_by(CollectionItem.collection_id, CollectionItem.position))
        for asset, collection_id in rows:
            items[collection_id].append(asset)
    return [CollectionView(c, items[c.id]) for c in collections]


def all_collections(actor: User) -> list[CollectionView]:
    query = visible_collections(actor).order_by(Collection.featured.desc(), Collection.title)
    return _views(actor, list(db.session.scalars(query)))


def featured_collections(actor: User, limit: int = 6) -> list[CollectionView]:
    """The library home page's list: published and featured, for everyone (a curator sees
    here what the reps see)."""
    query = (select(Collection)
             .where(Collection.featured.is_(True), Collection.status == "published")
             .order_by(Collection.updated_at.desc(), Collection.id.desc()).limit(limit))
    return _views(actor, list(db.session.scalars(query)))


def get_collection(actor: User, collection_id: int) -> CollectionView:
    collection = ensure_can_view_collection(actor, db.session.get(Collection, collection_id))
    return _views(actor, [collection])[0]


def collections_matching(actor: User, text: str, limit: int = 3) -> list[CollectionView]:
    """Collections the actor may see whose title or description contains every word."""
    words = [w for w in text.lower().split() if len(w) > 2 and w.isalnum()][:6]
    if not words:
        return []
    conditions = [or_(Collection.title.ilike(f"%{w}%"), Collection.description.ilike(f"%{w}%"))
                  for w in words]
    query = (visible_collections(actor).where(*conditions)
             .order_by(Collection.featured.desc(), Collection.title).limit(limit))
    return _views(actor, list(db.session.scalars(query)))

"""Reads of collections, showing each actor only the assets they may see."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.collections.models import Collection, CollectionItem
from app.core.errors import NotFound
from app.extensions import db
from app.library.permissions import can_view_asset


def _with_items():
    return selectinload(Collection.items).selectinload(CollectionItem.asset)


def all_collections(actor: User) -> list[Collection]:
    query = select(Collection).options(_with_items()).order_by(Collection.featured.desc(),
                                                                Collection.title)
    return list(db.session.scalars(query))


def featured_collections(actor: User, limit: int = 6) -> list[Collection]:
    query = (select(Collection).where(Collection.featured.is_(True)).options(_with_items())
             .order_by(Collection.updated_at.desc()).limit(limit))
    return list(db.session.scalars(query))


def get_collection(actor: User, collection_id: int) -> Collection:
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        raise NotFound("No such collection.")
    return collection


def visible_items(actor: User, collection: Collection) -> list:
    return [item.asset for item in collection.items if can_view_asset(actor, item.asset)]


def collections_matching(actor: User, text: str, limit: int = 3) -> list[Collection]:
    """Collections whose title or description contains every word of the query."""
    words = [w for w in text.lower().split() if len(w) > 2 and w.isalnum()][:6]
    if not words:
        return []
    conditions = [or_(Collection.title.ilike(f"%{w}%"), Collection.description.ilike(f"%{w}%"))
                  for w in words]
    query = select(Collection).where(*conditions).options(_with_items()).limit(limit)
    return list(db.session.scalars(query))

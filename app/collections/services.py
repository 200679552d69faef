"""Writes to collections: marketers curate, admins may change any."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.collections.models import COLLECTION_STATUSES, Collection, CollectionItem
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import Role, ensure_manages_content
from app.core.text import is_clean_text
from app.extensions import db
from app.library.models import Asset

MAX_ITEMS = 100


def _clean(title: str, description: str) -> tuple[str, str]:
    title, description = (title or "").strip(), (description or "").strip()
    errors = {}
    if not title or len(title) > 200 or not is_clean_text(title):
        errors["title"] = "Enter a title of 1 to 200 plain characters."
    if len(description) > 2000 or not is_clean_text(description, multiline=True):
        errors["description"] = "At most 2,000 plain characters."
    if errors:
        raise ValidationFailed("Some fields are not valid.", errors)
    return title, description


def _editable(actor: User, collection_id: int) -> Collection:
    ensure_manages_content(actor)
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        raise NotFound("No such collection.")
    if actor.role != Role.ADMIN and collection.owner_id != actor.id:
        raise PermissionDenied("Only the collection's owner or an admin can change it.")
    return collection


def _status(status: str | None) -> str:
    if status not in COLLECTION_STATUSES:
        raise ValidationFailed("Choose draft or published.", {"status": "draft or published"})
    return status


def create_collection(actor: User, title: str, description: str = "", featured: bool = False,
                      status: str = "draft") -> Collection:
    """New collections start as drafts: reps see one only once its curator publishes it."""
    ensure_manages_content(actor)
    title, description = _clean(title, description)
    collection = Collection(title=title, description=description, owner_id=actor.id,
                            featured=bool(featured), status=_status(status))
    db.session.add(collection)
    db.session.commit()
    return collection


def update_collection(actor: User, collection_id: int, title: str, description: str,
                      featured: bool, status: str) -> Collection:
    collection = _editable(actor, collection_id)
    collection.title, collection.description = _clean(title, description)
    collection.featured = bool(featured)
    collection.status = _status(status)
    db.session.commit()
    return collection


def delete_collection(actor: User, collection_id: int) -> None:
    db.session.delete(_editable(actor, collection_id))
    db.session.commit()


def set_items(actor: User, collection_id: int, asset_ids: list[int]) -> Collection:
    """Replace the collection's contents with `asset_ids`, in that order."""
    collection = _editable(actor, collection_id)
    ordered = list(dict.fromkeys(asset_ids))
    if len(ordered) > MAX_ITEMS:
        raise ValidationFailed(f"A collection holds at most {MAX_ITEMS} assets.")
    found = set(db.session.scalars(select(Asset.id).where(Asset.id.in_(ordered))))
    if missing := [i for i in ordered if i not in found]:
        raise ValidationFailed("Some assets do not exist.", {"assets": missing[:20]})
    collection.items.clear()
    db.session.flush()
    collection.items.extend(CollectionItem(asset_id=asset_id, position=n)
                            for n, asset_id in enumerate(ordered))
    db.session.commit()
    return collection


def add_item(actor: User, collection_id: int, asset_id: int) -> Collection:
    collection = _editable(actor, collection_id)
    current = [item.asset_id for item in collection.items]
    return set_items(actor, collection_id, current + [asset_id])


def move_item(actor: User, collection_id: int, asset_id: int, offset: int) -> Collection:
    collection = _editable(actor, collection_id)
    ids = [item.asset_id for item in collection.items]
    if asset_id not in ids:
        raise NotFound("That asset is not in this collection.")
    index = ids.index(asset_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return set_items(actor, collection_id, ids)


def remove_item(actor: User, collection_id: int, asset_id: int) -> Collection:
    collection = _editable(actor, collection_id)
    return set_items(actor, collection_id,
                     [item.asset_id for item in collection.items if item.asset_id != asset_id])

"""Builds what the index sees of an asset, straight from the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.library.models import Asset, AssetVersion
from app.search.engine import SearchDocument

BATCH = 200


def _load(session: Session, query) -> list[Asset]:
    options = (selectinload(Asset.tags), selectinload(Asset.owner),
               selectinload(Asset.current_version).undefer(AssetVersion.text))
    return list(session.scalars(query.options(*options)))


def to_document(asset: Asset) -> SearchDocument:
    version = asset.current_version
    return SearchDocument(
        asset_id=asset.id, title=asset.title, description=asset.description or "",
        tags=tuple(asset.tag_names), stage=asset.stage, kind=asset.kind,
        persona=asset.persona or "", industry=asset.industry or "", product=asset.product or "",
        owner=asset.owner.name if asset.owner else "", status=asset.status,
        filename=version.filename if version else "", text=(version.text or "") if version else "",
        created_at=asset.created_at, updated_at=asset.updated_at, review_by=asset.review_by,
    )


def documents_for(session: Session, asset_ids: Iterable[int]) -> tuple[list[SearchDocument],
                                                                        set[int]]:
    """Documents for the assets that exist, and the ids that no longer do."""
    wanted = set(asset_ids)
    assets = _load(session, select(Asset).where(Asset.id.in_(wanted)))
    return [to_document(a) for a in assets], wanted - {a.id for a in assets}


def all_documents(session: Session) -> Iterator[SearchDocument]:
    """Every asset, in id order and in batches, so a reindex never loads the library at once."""
    last_id = 0
    while True:
        batch = _load(session, select(Asset).where(Asset.id > last_id).order_by(Asset.id)
                      .limit(BATCH))
        if not batch:
            return
        yield from (to_document(a) for a in batch)
        last_id = batch[-1].id
        session.expunge_all()

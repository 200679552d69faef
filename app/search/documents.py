"""Builds what the index sees of an asset, straight from the database.

Deal evidence (how many deals used an asset, and how many of those were won) belongs to
another area; it registers a provider here (`provide_evidence`, wired by the application
factory), so search reads it without importing that area. Without one, both counts are 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.library.models import Asset, AssetVersion
from app.search.engine import SearchDocument

BATCH = 200
Evidence = dict[int, tuple[int, int]]
"""asset id -> (deals it was used in, of those won); assets with none may be left out."""
EvidenceProvider = Callable[[Session, list[int]], Evidence]
_evidence: list[EvidenceProvider] = []


def provide_evidence(provider: EvidenceProvider) -> None:
    """Register the one source of per-asset deal counts (registering again replaces it)."""
    _evidence[:] = [provider]


def evidence_for(session: Session, asset_ids: list[int]) -> Evidence:
    """asset id -> (deals used in, won) from the registered provider; {} without one."""
    return _evidence[0](session, asset_ids) if _evidence and asset_ids else {}


def _load(session: Session, query) -> list[Asset]:
    options = (selectinload(Asset.tags), selectinload(Asset.owner),
               selectinload(Asset.current_version).undefer(AssetVersion.text))
    return list(session.scalars(query.options(*options)))


def to_document(asset: Asset, evidence: tuple[int, int] = (0, 0)) -> SearchDocument:
    version = asset.current_version
    used, won = evidence
    return SearchDocument(
        asset_id=asset.id, title=asset.title, description=asset.description or "",
        tags=tuple(asset.tag_names), stage=asset.stage, kind=asset.kind,
        persona=asset.persona or "", industry=asset.industry or "", product=asset.product or "",
        owner=asset.owner.name if asset.owner else "", status=asset.status,
        filename=version.filename if version else "", text=(version.text or "") if version else "",
        created_at=asset.created_at, updated_at=asset.updated_at, review_by=asset.review_by,
        used_deals=used, won_deals=won,
    )


def _documents(session: Session, assets: list[Asset]) -> list[SearchDocument]:
    evidence = evidence_for(session, [a.id for a in assets])
    return [to_document(a, evidence.get(a.id, (0, 0))) for a in assets]


def documents_for(session: Session, asset_ids: Iterable[int]) -> tuple[list[SearchDocument],
                                                                        set[int]]:
    """Documents for the assets that exist, and the ids that no longer do."""
    wanted = set(asset_ids)
    assets = _load(session, select(Asset).where(Asset.id.in_(wanted)))
    return _documents(session, assets), wanted - {a.id for a in assets}


def all_documents(session: Session) -> Iterator[SearchDocument]:
    """Every asset, in id order and in batches, so a reindex never loads the library at once."""
    last_id = 0
    while True:
        batch = _load(session, select(Asset).where(Asset.id > last_id).order_by(Asset.id)
                      .limit(BATCH))
        if not batch:
            return
        yield from _documents(session, batch)
        last_id = batch[-1].id
        session.expunge_all()

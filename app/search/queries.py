"""Searches, for the search page, the typeahead and the API.

The index answers the query; the database decides what is shown. Assets whose outbox rows are
still pending (their index entries may lag) and that the viewer may not see in the database are
excluded before the engine counts anything, so totals and facet counts never include them.
Every other index entry holds a state read after its last change (see app.search.sync). Then the
shown hits are checked against the database's visibility rules, and their titles, badges and
snippet texts come from the database, all in one query, and their deal counts in one more.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from app.auth.models import User
from app.core.permissions import manages_content
from app.core.timeutil import today
from app.extensions import db
from app.library.models import Asset, AssetVersion
from app.library.queries import visible_assets
from app.search import documents, outbox, sync
from app.search.engine import FACETS, SORTS, STATUSES, Hit, SearchRequest, SearchResponse
from app.search.lifecycle import get_engine, rebuild_if_needed
from app.search.models import SearchOutbox


@dataclass
class SearchPage:
    response: SearchResponse
    assets: dict[int, Asset]
    search_id: int | None
    request: SearchRequest


def visible_statuses(actor: User) -> tuple[str, ...]:
    """The engine's first cut; the database check below is what decides."""
    return STATUSES if manages_content(actor) else ("published",)


def clean_filters(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [v[:80] for v in values if v][:10]
            for name, values in raw.items() if name in FACETS and values}


def run_search(actor: User, text: str, filters: dict[str, list[str]], sort: str = "relevance",
               page: int = 1, per_page: int = 20, highlights: bool = True) -> SearchPage:
    request = SearchRequest(
        text=text or "", filters=clean_filters(filters), statuses=visible_statuses(actor),
        sort=sort if sort in SORTS else "relevance", page=max(1, page),
        per_page=min(max(1, per_page), 50), today=today(), exclude=hidden_while_pending(actor),
    )
    engine = get_engine()
    for _ in range(_RECHECKS + 1):
        shown = ShownHits(actor, with_text=highlights)
        response = engine.search(request, shown.texts if highlights else None)
        rebuild_if_needed(engine)  # this search may have found the index damaged
        shown.load([hit.asset_id for hit in response.hits])
        dropped = {hit.asset_id for hit in response.hits} - set(shown.assets)
        if not dropped:
            break
        # The index holds something the database hides (changed outside the app, or a lost
        # write): search again without it, so the total and the facet counts do not count it
        # either, and queue those assets so the index heals.
        request = replace(request, exclude=request.exclude | dropped)
        outbox.request_reindex(dropped)
        db.session.commit()
    response.hits = [shown.refreshed(hit) for hit in response.hits if hit.asset_id in shown.assets]
    return SearchPage(response=response, assets=shown.assets, search_id=None, request=request)


# A page whose hits the database hides is searched again this many times at most.
_RECHECKS = 2


def hidden_while_pending(actor: User) -> frozenset[int]:
    """Apply pending changes first; of what is still pending (another writer holds the lock),
    the assets the actor may not see in the database. One query when nothing is pending."""
    pending = _pending_visibility(actor)
    if pending:
        sync.sync_after_commit()
        pending = _pending_visibility(actor)
    return frozenset(asset_id for asset_id, visible in pending if not visible)


def _pending_visibility(actor: User) -> list[tuple[int, bool]]:
    visible = visible_assets(actor).with_only_columns(Asset.id)
    rows = db.session.execute(
        select(SearchOutbox.asset_id, SearchOutbox.asset_id.in_(visible))
        .where(SearchOutbox.applied_at.is_(None)).distinct()
    ).all()
    return [(asset_id, bool(visible)) for asset_id, visible in rows]


class ShownHits:
    """The shown hits' rows and texts, loaded once, in one query, only where the viewer may
    see them (app.library.queries.visible_assets). `texts` is the engine's texts_for."""

    def __init__(self, actor: User, with_text: bool) -> None:
        self.actor, self.with_text = actor, with_text
        self.assets: dict[int, Asset] = {}
        self._texts: dict[int, str] = {}
        self._evidence: documents.Evidence = {}
        self._loaded: set[int] | None = None

    def texts(self, asset_ids: list[int]) -> dict[int, str]:
        self.load(asset_ids)
        return self._texts

    def load(self, asset_ids: list[int]) -> None:
        wanted = set(asset_ids)
        if self._loaded is not None and wanted <= self._loaded:
            return
        self.assets, self._texts = current_rows(self.actor, wanted, self.with_text)
        self._evidence = documents.evidence_for(db.session, sorted(self.assets))
        self._loaded = wanted

    def refreshed(self, hit: Hit) -> Hit:
        """What the page shows comes from the database, not from the index's stored copy."""
        asset = self.assets[hit.asset_id]
        used, won = self._evidence.get(hit.asset_id, (0, 0))
        return replace(hit, title=asset.title, kind=asset.kind, stage=asset.stage,
                       updated_at=asset.updated_at, used_deals=used, won_deals=won)


def current_rows(actor: User, asset_ids: set[int],
                 with_text: bool = True) -> tuple[dict[int, Asset], dict[int, str]]:
    """The assets among asset_ids that the actor may see, and their current versions' texts."""
    if not asset_ids:
        return {}, {}
    query = visible_assets(actor).where(Asset.id.in_(asset_ids))
    if not with_text:
        return {a.id: a for a in db.session.scalars(query)}, {}
    query = query.add_columns(AssetVersion.text).outerjoin(
        AssetVersion, AssetVersion.id == Asset.current_version_id)
    rows = db.session.execute(query).all()
    return {a.id: a for a, _ in rows}, {a.id: text or "" for a, text in rows}

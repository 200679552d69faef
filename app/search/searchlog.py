"""Appends searches and the results people opened to the search log."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import NotFound
from app.core.text import strip_invalid
from app.extensions import db
from app.library.models import Asset
from app.library.permissions import ensure_can_view_asset
from app.search.engine import SearchRequest
from app.search.models import SearchClick, SearchLog


def query_key(text: str) -> str:
    return " ".join(strip_invalid(text).lower().split())[:500]


def record_search(actor: User, request: SearchRequest, result_count: int) -> int:
    filters = {name: [strip_invalid(v) for v in values] for name, values in request.filters.items()}
    entry = SearchLog(user_id=actor.id, role=actor.role, query=strip_invalid(request.text)[:500],
                      query_key=query_key(request.text), filters=filters,
                      sort=request.sort, result_count=result_count)
    db.session.add(entry)
    db.session.commit()
    return entry.id


def record_click(actor: User, search_id: int, asset_id: int, position: int) -> None:
    """Only the searcher's own searches and assets they may see count, so nobody can inflate
    click-through with crafted links."""
    entry = db.session.get(SearchLog, search_id)
    if entry is None or entry.user_id != actor.id:
        raise NotFound("No such search.")
    ensure_can_view_asset(actor, db.session.get(Asset, asset_id))
    db.session.add(SearchClick(search_id=search_id, asset_id=asset_id,
                               position=max(0, min(position, 10_000))))
    db.session.commit()

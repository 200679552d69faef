"""Appends searches and the results people opened to the search log.

A search is what someone typed, not each page they looked at: paging, re-sorting or picking a
facet of the same query by the same person within SAME_SEARCH_WINDOW is the same search, so it
keeps the first row (and its result count) and clicks on any of its pages count for it. For
browsing without words, the filters are what was asked, so a different filter set is a new one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.errors import NotFound
from app.core.text import strip_invalid
from app.core.timeutil import utcnow
from app.extensions import db
from app.library.models import Asset
from app.library.permissions import ensure_can_view_asset
from app.search.engine import SearchRequest
from app.search.models import SearchClick, SearchLog


def query_key(text: str) -> str:
    return " ".join(strip_invalid(text).lower().split())[:500]


SAME_SEARCH_WINDOW = timedelta(minutes=10)


def record_search(actor: User, request: SearchRequest, result_count: int) -> int:
    """The id of this search in the log: a new row, or the row it continues."""
    key = query_key(request.text)
    filters = {name: [strip_invalid(v) for v in values] for name, values in request.filters.items()}
    if (same := _continued(actor, key, filters)) is not None:
        return same
    entry = SearchLog(user_id=actor.id, role=actor.role, query=strip_invalid(request.text)[:500],
                      query_key=key, filters=filters, sort=request.sort,
                      result_count=result_count)
    db.session.add(entry)
    db.session.commit()
    return entry.id


def _continued(actor: User, key: str, filters: dict[str, list[str]]) -> int | None:
    recent = db.session.execute(
        select(SearchLog.id, SearchLog.filters)
        .where(SearchLog.user_id == actor.id, SearchLog.query_key == key,
               SearchLog.created_at >= utcnow() - SAME_SEARCH_WINDOW)
        .order_by(SearchLog.id.desc()).limit(20)
    ).all()
    wanted = _canonical(filters)
    return next((row.id for row in recent if key or _canonical(row.filters) == wanted), None)


def _canonical(filters: dict) -> dict:
    return {name: sorted(values) for name, values in (filters or {}).items() if values}


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

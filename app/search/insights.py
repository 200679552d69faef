"""What marketers learn from the search log (top queries, content gaps, ignored results), and
what an empty search box offers (popular and recent assets)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.core.timeutil import UTC
from app.extensions import db
from app.search.models import SearchClick, SearchLog


@dataclass(frozen=True)
class QueryStat:
    query: str
    searches: int  # a search is a query typed, not each page of it (app.search.searchlog)
    users: int
    results: int  # the latest search's result count: what someone asking now would get
    clicks: int


def _window(start: date, end: date):
    begin = datetime.combine(start, time.min, tzinfo=UTC)
    finish = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return SearchLog.created_at >= begin, SearchLog.created_at < finish


def _stats(start: date, end: date, limit: int = 50) -> list[QueryStat]:
    clicks = (select(SearchClick.search_id, func.count().label("n"))
              .group_by(SearchClick.search_id).subquery())
    per_query = (
        select(SearchLog.query_key.label("key"), func.count(SearchLog.id).label("searches"),
               func.count(func.distinct(SearchLog.user_id)).label("users"),
               func.max(SearchLog.id).label("last_id"),
               func.coalesce(func.sum(clicks.c.n), 0).label("clicks"))
        .outerjoin(clicks, clicks.c.search_id == SearchLog.id)
        .where(*_window(start, end), SearchLog.query_key != "")
        .group_by(SearchLog.query_key)
    ).subquery()
    last = aliased(SearchLog)
    rows = db.session.execute(
        select(per_query.c.key, per_query.c.searches, per_query.c.users, last.result_count,
               per_query.c.clicks).join(last, last.id == per_query.c.last_id)
    ).all()
    stats = [QueryStat(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]
    return sorted(stats, key=lambda s: (-s.searches, s.query))[:limit]


def top_queries(start: date, end: date) -> list[QueryStat]:
    return _stats(start, end)


def content_gaps(start: date, end: date) -> list[QueryStat]:
    """Queries that found nothing: what reps look for and marketing has not written."""
    return [s for s in _stats(start, end, limit=10_000) if s.results == 0][:50]


def ignored_queries(start: date, end: date) -> list[QueryStat]:
    """Queries with results that nobody opened: the content exists but does not look right."""
    return [s for s in _stats(start, end, limit=10_000) if s.results > 0 and s.clicks == 0][:50]


def discovery_lists(actor, days: int = 30, limit: int = 8) -> dict:
    """For an empty search box: what colleagues open most, and what changed lately."""
    from app.library.models import Asset
    from app.library.queries import visible_assets

    since = datetime.now(UTC) - timedelta(days=days)
    visible = visible_assets(actor).where(Asset.status != "archived").subquery()
    opened = (select(SearchClick.asset_id, func.count().label("opens"))
              .where(SearchClick.created_at >= since).group_by(SearchClick.asset_id).subquery())
    popular = db.session.execute(
        select(Asset, opened.c.opens).join(opened, opened.c.asset_id == Asset.id)
        .where(Asset.id.in_(select(visible.c.id))).order_by(opened.c.opens.desc()).limit(limit)
    ).all()
    recent = db.session.scalars(
        select(Asset).where(Asset.id.in_(select(visible.c.id)))
        .order_by(Asset.updated_at.desc()).limit(limit)
    ).all()
    return {"popular": popular, "recent": recent}

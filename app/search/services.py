"""The search service: keeps the index in step with the database and answers searches.

Views, the API and the CLI call these functions; only app.search.engine knows about Whoosh.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.permissions import manages_content
from app.core.timeutil import today, utcnow
from app.extensions import db
from app.library.models import Asset, AssetVersion
from app.search import outbox
from app.search.documents import all_documents, documents_for
from app.search.engine import FACETS, SORTS, STATUSES, SearchEngine, SearchRequest, SearchResponse
from app.search.engine import open_engine as open_search_engine
from app.search.models import SearchOutbox

log = logging.getLogger("lockstep.search")
EXTENSION_KEY = "lockstep.search"
SYNC_BATCH = 500
KEEP_APPLIED = timedelta(days=1)
# How long a transaction may have been open before its outbox row was written and still commit.
IN_FLIGHT_MARGIN = timedelta(minutes=2)
_rebuild_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = None  # opened on first use, once per worker process
    outbox.on_changes_committed(_sync_quietly)


def get_engine() -> SearchEngine:
    engine = current_app.extensions.get(EXTENSION_KEY)
    if engine is None:
        engine = open_search_engine(current_app.config["SEARCH_INDEX_DIR"])
        current_app.extensions[EXTENSION_KEY] = engine
        if engine.needs_rebuild:
            _rebuild_in_background(current_app._get_current_object())
    return engine


def _rebuild_in_background(app: Flask) -> None:
    """A missing or corrupt index is rebuilt from the database while searches keep answering."""
    if not _rebuild_lock.acquire(blocking=False):
        return

    def run() -> None:
        try:
            with app.app_context():
                count = reindex()
                log.warning("search index was missing or damaged; rebuilt %d assets", count)
        except Exception:
            log.exception("rebuilding the search index failed")
        finally:
            _rebuild_lock.release()

    threading.Thread(target=run, name="search-rebuild", daemon=True).start()


def sync_outbox(batch: int = SYNC_BATCH, wait_for_lock: bool = True) -> int:
    """Apply unapplied outbox rows to the index; returns how many assets were applied.

    After a commit the sync is opportunistic (`wait_for_lock=False`): on SQLite, which has one
    writer at a time, it gives up at once rather than queue behind other requests' writes; its
    rows stay pending for the next commit, search or `flask search sync`."""
    fail_fast = not wait_for_lock and db.engine.dialect.name == "sqlite"
    # One checked-out connection for the whole sync, so the timeout set here is reset on the
    # same connection before it returns to the pool.
    with db.engine.connect() as connection:
        if fail_fast:
            connection.exec_driver_sql("PRAGMA busy_timeout=50")
        try:
            with Session(bind=connection) as session:
                return _sync_batches(session, batch)
        finally:
            if fail_fast:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA busy_timeout=15000")


def _sync_batches(session: Session, batch: int) -> int:
    applied = 0
    while rows := session.execute(
        select(SearchOutbox.id, SearchOutbox.asset_id).where(SearchOutbox.applied_at.is_(None))
        .order_by(SearchOutbox.id).limit(batch)
    ).all():
        _apply(session, {row.asset_id for row in rows})
        # Only the rows read are marked: a change committed meanwhile keeps its own row.
        session.execute(update(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows]))
                        .values(applied_at=utcnow()))
        session.commit()
        applied += len({row.asset_id for row in rows})
    session.execute(delete(SearchOutbox).where(SearchOutbox.applied_at < utcnow() - KEEP_APPLIED))
    session.commit()
    return applied


def _apply(session: Session, asset_ids: set[int]) -> None:
    docs, gone = documents_for(session, asset_ids)
    engine = get_engine()
    engine.index(docs)
    engine.remove(gone)


def _sync_quietly() -> None:
    if not has_app_context():
        return
    try:
        sync_outbox(wait_for_lock=False)
    except Exception:
        # The rows stay in the outbox; the next commit, search or `flask search sync` retries.
        log.warning("search outbox sync failed; will retry", exc_info=True)


def outbox_pending() -> bool:
    return bool(db.session.scalar(select(exists().where(SearchOutbox.applied_at.is_(None)))))


def reindex(procs: int = 2) -> int:
    """Rebuild the whole index into a new directory and swap it in atomically.

    A change that another worker applies to the old index while the rebuild is reading would be
    lost at the swap, so afterwards every change recorded since the rebuild began (with a margin
    for transactions that were still open) is applied again to the new index."""
    started = utcnow() - IN_FLIGHT_MARGIN
    with Session(db.engine) as session:
        count = {"n": 0}

        def counted():
            for doc in all_documents(session):
                count["n"] += 1
                yield doc

        get_engine().rebuild(counted(), procs=procs)
        # Older unapplied rows are in the rebuild; newer ones, applied or not, are applied again.
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.asset_id, SearchOutbox.created_at).where(
                or_(SearchOutbox.applied_at.is_(None), SearchOutbox.created_at >= started))
        ).all()
        if recent := {row.asset_id for row in rows if row.created_at >= started}:
            _apply(session, recent)
        # Only the rows read here: one committed since keeps waiting for the next sync.
        session.execute(update(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows]),
                                                   SearchOutbox.applied_at.is_(None))
                        .values(applied_at=utcnow()))
        session.commit()
    return count["n"]


@dataclass
class SearchPage:
    response: SearchResponse
    assets: dict[int, Asset]
    search_id: int | None
    request: SearchRequest


def visible_statuses(actor: User) -> tuple[str, ...]:
    return STATUSES if manages_content(actor) else ("published",)


def clean_filters(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    return {name: [v[:80] for v in values if v][:10]
            for name, values in raw.items() if name in FACETS and values}


def run_search(actor: User, text: str, filters: dict[str, list[str]], sort: str = "relevance",
               page: int = 1, per_page: int = 20) -> SearchPage:
    if outbox_pending():
        _sync_quietly()
    request = SearchRequest(
        text=text or "", filters=clean_filters(filters), statuses=visible_statuses(actor),
        sort=sort if sort in SORTS else "relevance", page=max(1, page),
        per_page=min(max(1, per_page), 50), today=today(),
    )
    response = get_engine().search(request, text_for=current_text)
    ids = [hit.asset_id for hit in response.hits]
    assets = {a.id: a for a in db.session.scalars(select(Asset).where(Asset.id.in_(ids)))}
    # A hit whose row is gone (deleted since the last sync) is dropped rather than shown broken.
    response.hits = [hit for hit in response.hits if hit.asset_id in assets]
    return SearchPage(response=response, assets=assets, search_id=None, request=request)


def current_text(asset_id: int) -> str:
    return db.session.scalar(
        select(AssetVersion.text).join(Asset, Asset.current_version_id == AssetVersion.id)
        .where(Asset.id == asset_id)
    ) or ""

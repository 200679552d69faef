"""The search engine of this process: opened on first use, rebuilt from the database in the
background whenever its index is found missing or damaged (when it is opened or by any later
read or write), and rebuilt on demand by `flask search reindex`."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.extensions import db
from app.search import outbox
from app.search.documents import all_documents, documents_for
from app.search.engine import Changes, SearchEngine, open_engine

log = logging.getLogger("lockstep.search")
EXTENSION_KEY = "lockstep.search"
# How long a transaction may have been open before its outbox row was written and still commit.
IN_FLIGHT_MARGIN = timedelta(minutes=2)
REBUILD_RETRY_SECONDS = 30.0  # after a failed background rebuild, before trying again
_open_lock = threading.Lock()
_rebuild_lock = threading.Lock()
_last_failure = {"at": float("-inf")}


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION_KEY] = None  # opened on first use, once per worker process


def get_engine() -> SearchEngine:
    engine = _opened()
    rebuild_if_needed(engine)
    return engine


def _opened() -> SearchEngine:
    engine = current_app.extensions.get(EXTENSION_KEY)
    if engine is None:
        with _open_lock:  # two threads of a fresh worker must not open two engines
            engine = current_app.extensions.get(EXTENSION_KEY)
            if engine is None:
                engine = open_engine(current_app.config["SEARCH_INDEX_DIR"])
                current_app.extensions[EXTENSION_KEY] = engine
    return engine


def rebuild_if_needed(engine: SearchEngine) -> None:
    """The engine flags an index it had to replace with an empty one; callers ask again after
    each search, so damage found long after start-up is repaired too."""
    if engine.needs_rebuild:
        _rebuild_in_background(current_app._get_current_object())


def _rebuild_in_background(app: Flask) -> None:
    """A missing or corrupt index is rebuilt from the database while searches keep answering."""
    if time.monotonic() - _last_failure["at"] < REBUILD_RETRY_SECONDS:
        return
    if not _rebuild_lock.acquire(blocking=False):
        return  # already rebuilding

    def run() -> None:
        try:
            with app.app_context():
                count = reindex()
                log.warning("search index was missing or damaged; rebuilt %d assets", count)
        except Exception:
            _last_failure["at"] = time.monotonic()
            log.exception("rebuilding the search index failed")
        finally:
            _rebuild_lock.release()

    threading.Thread(target=run, name="search-rebuild", daemon=True).start()


def reindex(procs: int = 2) -> int:
    """Rebuild the whole index into a new directory and swap it in atomically.

    The rebuild reads the database for a while; every change recorded since it began (with a
    margin for transactions that were still open) is read again and written to the new index
    just before the swap, while writes to the old index wait (SearchEngine.rebuild), so no
    change can be applied to the old index alone and lost."""
    started = utcnow() - IN_FLIGHT_MARGIN
    settled: list[int] = []
    count = {"n": 0}

    def counted(session: Session):
        for doc in all_documents(session):
            count["n"] += 1
            yield doc

    def catch_up() -> Changes:
        with Session(db.engine) as session:
            # Older unapplied rows are in the rebuild; newer ones, applied or not, are redone.
            rows = outbox.to_settle_after_rebuild(session, started)
            settled.extend(row.id for row in rows if row.applied_at is None)
            return documents_for(session, {row.asset_id for row in rows
                                           if row.created_at >= started})

    with Session(db.engine) as session:
        # Not get_engine(): that could start a second rebuild of a damaged index.
        _opened().rebuild(counted(session), procs=procs, catch_up=catch_up)
    with Session(db.engine) as session:
        # Only the rows read here: one committed since keeps waiting for the next sync.
        outbox.mark_applied(session, settled)
        session.commit()
    return count["n"]

"""Applies the outbox to the index.

It runs after every commit that left outbox rows, before a search if rows are pending, from
`flask search sync`, and on a short timer after an attempt that met a busy database or index,
so an idle server catches up too. After a commit and before a search the attempt is
opportunistic: on SQLite (one writer at a time) it gives up at once instead of queueing behind
other requests' writes, and logs one line.

Each batch: read pending rows, then let the engine load the assets' documents while it holds
the index's write lock (so the later of two writers also read the later state), and mark the
rows applied only once the index has them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from flask import Flask, current_app, has_app_context
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.extensions import db
from app.search import outbox
from app.search.documents import documents_for
from app.search.engine import Changes, IndexBusyError
from app.search.lifecycle import get_engine, rebuild_if_needed

log = logging.getLogger("lockstep.search")
SYNC_BATCH = 500
KEEP_APPLIED = timedelta(days=1)
FAIL_FAST_MS = 50  # SQLite busy timeout of an opportunistic sync
INDEX_WAIT_SECONDS = 1.0  # how long an opportunistic sync waits for the index's write lock
BUSY_TIMEOUT_MS = 15000  # the app's usual SQLite busy timeout (app.core.db)
RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0
SQLITE_BUSY_CODES = {5, 6}  # SQLITE_BUSY, SQLITE_LOCKED


def init_app(app: Flask) -> None:
    outbox.on_changes_committed(sync_after_commit)


def sync_outbox(batch: int = SYNC_BATCH, wait_for_lock: bool = True) -> int:
    """Apply unapplied outbox rows to the index; returns how many assets were applied.
    `wait_for_lock=False`: fail at once (OperationalError) if SQLite is busy, and with
    IndexBusyError if another writer holds the index for over INDEX_WAIT_SECONDS."""
    index_wait = None if wait_for_lock else INDEX_WAIT_SECONDS
    with _connection(fail_fast=not wait_for_lock) as connection:
        with Session(bind=connection) as session:
            return _sync_batches(session, batch, index_wait)


@contextmanager
def _connection(fail_fast: bool) -> Iterator[Connection]:
    """One checked-out connection for the whole sync, so a busy timeout set here is reset on
    the same connection before it returns to the pool."""
    fail_fast = fail_fast and db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        if not fail_fast:
            yield connection
            return
        _busy_timeout(connection, FAIL_FAST_MS)
        try:
            yield connection
        finally:
            connection.rollback()
            _busy_timeout(connection, BUSY_TIMEOUT_MS)


def _busy_timeout(connection: Connection, ms: int) -> None:
    connection.exec_driver_sql(f"PRAGMA busy_timeout={int(ms)}")
    # The PRAGMA began a SQLAlchemy transaction. Left open, the Session bound to this
    # connection would join it, its commit() would commit nothing and every mark would be
    # rolled back with it (every sync re-applied the whole outbox).
    connection.commit()


def _sync_batches(session: Session, batch: int, index_wait: float | None) -> int:
    applied = 0
    while rows := outbox.pending(session, batch):
        asset_ids = {row.asset_id for row in rows}
        engine = get_engine()
        try:
            engine.apply(partial(_load, asset_ids), timeout=index_wait)
        finally:
            rebuild_if_needed(engine)  # the write may have found the index damaged
        outbox.mark_applied(session, [row.id for row in rows])
        outbox.prune(session, utcnow() - KEEP_APPLIED)
        session.commit()
        applied += len(asset_ids)
    session.rollback()  # end the read transaction
    return applied


def _load(asset_ids: set[int]) -> Changes:
    """Called by the engine under its write lock: a new session, so the state read is the one
    committed by now and not a snapshot taken before the lock."""
    with Session(db.engine) as session:
        return documents_for(session, asset_ids)


def sync_after_commit() -> None:
    """After a commit that left outbox rows, and before a search that finds rows pending.
    Never raises: what it cannot apply stays pending for the next commit, search, retry or
    `flask search sync`."""
    if not has_app_context():
        return
    try:
        sync_outbox(wait_for_lock=False)
    except Exception as exc:  # the rows stay in the outbox
        if busy := _contention(exc):
            log.warning("search outbox sync deferred (%s busy); retrying in %g s", busy,
                        RETRY_SECONDS)
        else:
            log.warning("search outbox sync failed; retrying in %g s", RETRY_SECONDS,
                        exc_info=True)
        _retry.schedule(current_app._get_current_object())


def _contention(exc: Exception) -> str | None:
    if isinstance(exc, IndexBusyError):
        return "index"
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    # Python reports extended codes (SQLITE_BUSY_SNAPSHOT is 517); the low byte is the class.
    if isinstance(exc, OperationalError) and code is not None and code & 0xFF in SQLITE_BUSY_CODES:
        return "database"
    return None


class _Retry:
    """At most one pending retry per process, waiting for locks (it is off the request path),
    backing off while it keeps failing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def schedule(self, app: Flask, delay: float | None = None) -> None:
        delay = RETRY_SECONDS if delay is None else delay
        with self._lock:
            if self._timer is None:
                self._timer = threading.Timer(delay, self._run, args=(app, delay))
                self._timer.daemon = True
                self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _run(self, app: Flask, delay: float) -> None:
        with self._lock:
            self._timer = None
        with app.app_context():
            try:
                sync_outbox(wait_for_lock=True)
            except Exception:
                later = min(delay * 2, MAX_RETRY_SECONDS)
                log.warning("search outbox sync failed again; retrying in %g s", later,
                            exc_info=True)
                self.schedule(app, later)


_retry = _Retry()

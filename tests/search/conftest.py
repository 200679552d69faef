"""Fixtures for the search area's tests against the app: API tokens, outbox and index probes,
and another writer holding the index's write lock."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select


@pytest.fixture(autouse=True)
def _no_background_work_left(request):
    """A retry timer or a background rebuild started by one test must not run in the next."""
    yield
    if "app" not in request.fixturenames:
        return
    from app.search import lifecycle, sync

    sync._retry.cancel()
    if lifecycle._rebuild_lock.acquire(timeout=60):
        lifecycle._rebuild_lock.release()


@pytest.fixture
def pending_rows(app):
    """How many outbox rows are not applied yet."""
    from app.extensions import db
    from app.search.models import SearchOutbox

    def count() -> int:
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(SearchOutbox)
                                     .where(SearchOutbox.applied_at.is_(None)))

    return count


@pytest.fixture
def index_generation(app):
    """(live generation directory, latest Whoosh commit in it): changes on every index write."""

    def read() -> tuple[str, int]:
        root = Path(app.config["SEARCH_INDEX_DIR"])
        live = (root / "CURRENT").read_text().strip()
        tocs = [int(m.group(1)) for p in (root / live).iterdir()
                if (m := re.fullmatch(r"_MAIN_(\d+)\.toc", p.name))]
        return live, max(tocs)

    return read


@pytest.fixture
def index_locked(app, monkeypatch):
    """`with index_locked():` another writer holds the live index's write lock; writers here
    give up after 0.2 s instead of 10 s (1 s for an opportunistic sync)."""
    from app.search import sync
    from app.search.engine import whoosh_writer
    from app.search.engine.whoosh_store import Store

    monkeypatch.setattr(whoosh_writer, "WRITE_TIMEOUT", 0.2)
    monkeypatch.setattr(sync, "INDEX_WAIT_SECONDS", 0.2)

    @contextmanager
    def held():
        store = Store(app.config["SEARCH_INDEX_DIR"])
        writer = store.open(store.current()).writer()
        try:
            yield
        finally:
            writer.cancel()

    return held


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")[1]


@pytest.fixture
def rep(api_token):
    return api_token("rep")[1]

"""The outbox applied to the index: marks that stick, re-applies that write nothing, the later
state winning over an earlier read, writes that give up leaving rows pending, busy locks logged
in one line and retried, damage found after start-up repaired, and rebuilds losing nothing."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from helpers import upload_asset
from sqlalchemy import event, insert, update

from app.core.timeutil import utcnow
from app.extensions import db


def md(*lines: str) -> bytes:
    return ("\n\n".join(lines) + "\n").encode()


def create(client, headers, text: bytes, **fields) -> int:
    response = upload_asset(client, headers, text, "note.md", **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def search(client, headers, q: str) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def ids(result: dict) -> list[int]:
    return [hit["id"] for hit in result["results"]]


def wait_until(condition, timeout: float = 30.0) -> None:
    """For work another thread does; the deadline only guards against a hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def change_unsynced(asset_id: int, **values) -> None:
    """Commit a change and its outbox row without the after-commit sync (Core statements do not
    go through the ORM's flush): a change whose own sync has not run yet, as when another
    worker committed it and is about to apply it."""
    from app.library.models import Asset
    from app.search.models import SearchOutbox

    db.session.execute(update(Asset).where(Asset.id == asset_id)
                       .values(**values, updated_at=utcnow()))
    db.session.execute(insert(SearchOutbox).values(asset_id=asset_id, created_at=utcnow()))
    db.session.commit()


@contextmanager
def after_reading_assets(app, thread: threading.Thread, action):
    """Run `action()` each time `thread` has just read asset rows from the database, as
    app.search.documents does to build the index's documents."""
    statement = re.compile(r"^SELECT\b.*\sFROM asset\s.*\sWHERE asset\.id IN", re.S)

    def listener(_conn, _cursor, sql, _params, _context, _many):
        if threading.current_thread() is thread and statement.match(sql):
            action()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(engine, "after_cursor_execute", listener)


def test_commits_leave_nothing_pending_and_searches_write_nothing(
        client, marketer, rep, pending_rows, index_generation):
    first = create(client, marketer, md("walrus tusk care"), status="published")
    create(client, marketer, md("walrus diet sheet"), status="published")
    assert client.patch(f"/api/v1/assets/{first}", json={"title": "Walrus guide"},
                        headers=marketer).status_code == 200
    assert pending_rows() == 0
    before = index_generation()
    for q in ("walrus", "guide", "tusk", "walrus"):
        search(client, rep, q)
    assert index_generation() == before
    assert ids(search(client, rep, "guide")) == [first]


def test_reapplying_an_applied_change_writes_nothing(app, client, marketer, pending_rows,
                                                     index_generation):
    from app.search import sync
    from app.search.models import SearchOutbox

    asset = create(client, marketer, md("ibex climbing notes"), status="published")
    before = index_generation()
    with app.app_context():
        # The index has this change but its mark was lost (say the worker died in between).
        db.session.execute(insert(SearchOutbox).values(asset_id=asset, created_at=utcnow()))
        db.session.commit()
        assert sync.sync_outbox() == 1
    assert pending_rows() == 0
    assert index_generation() == before


def test_of_two_syncs_the_later_read_wins(app, client, marketer, rep, monkeypatch):
    """Sync A reads the asset, then the asset changes and sync B applies the change, then A
    writes. Before the fix A wrote what it had read and the index kept the older state."""
    from app.search import lifecycle, sync
    from app.search.engine import STATUSES, IndexBusyError, SearchRequest, whoosh_writer

    monkeypatch.setattr(whoosh_writer, "WRITE_TIMEOUT", 0.3)
    asset = create(client, marketer, md("quagga field notes"), status="published",
                   title="Quagga notes")
    read, go, errors = threading.Event(), threading.Event(), []

    def first_sync() -> None:
        with app.app_context():
            try:
                sync.sync_outbox()
            except Exception as exc:  # reported to the main thread
                errors.append(exc)

    def pause_once() -> None:
        if not read.is_set():
            read.set()
            go.wait(30)

    with app.app_context():
        change_unsynced(asset, title="Quagga first draft")
    first = threading.Thread(target=first_sync)
    with after_reading_assets(app, first, pause_once):
        first.start()
        assert read.wait(30)
        with app.app_context():
            change_unsynced(asset, title="Quagga final", status="archived")
            with suppress(IndexBusyError):  # with the fix, A holds the lock while it reads
                sync.sync_outbox()
        go.set()
        first.join(60)
    assert errors == []
    with app.app_context():
        sync.sync_outbox()  # what is still pending, as the next commit or search would
        engine = lifecycle.get_engine()
        assert engine.search(SearchRequest("quagga", {}, ("published",))).total == 0
        everyone = engine.search(SearchRequest("quagga", {}, STATUSES))
        assert [hit.title for hit in everyone.hits] == ["Quagga final"]
    assert search(client, rep, "quagga")["total"] == 0


def test_a_write_that_gives_up_leaves_its_rows_pending(app, client, marketer, pending_rows):
    from app.search import sync
    from app.search.engine import IndexBusyError, open_engine

    asset = create(client, marketer, md("zebu herd report"), status="published")
    with app.app_context():
        change_unsynced(asset, title="Zebu renamed")
        other = open_engine(app.config["SEARCH_INDEX_DIR"])
        # Another process's reindex swaps generations under every attempt of this write.
        with after_reading_assets(app, threading.current_thread(), lambda: other.rebuild([])):
            with pytest.raises(IndexBusyError):
                sync.sync_outbox()
        other.close()
    assert pending_rows() == 1
    with app.app_context():
        assert sync.sync_outbox() == 1
    assert pending_rows() == 0


def test_a_busy_index_is_one_log_line_and_the_change_lands_later(
        client, marketer, rep, pending_rows, index_locked, caplog):
    asset = create(client, marketer, md("okapi habitat"), status="published", title="Okapi")
    caplog.set_level(logging.INFO, logger="lockstep.search")
    caplog.clear()
    with index_locked():
        response = client.patch(f"/api/v1/assets/{asset}", json={"title": "Okapi renamed"},
                                headers=marketer)
        assert response.status_code == 200
        assert pending_rows() == 1
    logged = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records
              if r.name == "lockstep.search"]
    assert logged == [("WARNING", "search outbox sync deferred (index busy); retrying in 1 s",
                       None)]
    wait_until(lambda: pending_rows() == 0)  # nothing else asks: the retry applies it
    assert ids(search(client, rep, "renamed")) == [asset]


def test_an_index_damaged_after_start_up_is_rebuilt(app, client, marketer, rep):
    from app.search import lifecycle

    asset = create(client, marketer, md("tapir conservation"), status="published")
    assert ids(search(client, rep, "tapir")) == [asset]  # the engine is open and warm
    lifecycle._rebuild_lock.acquire(timeout=60)  # a start-up rebuild, if any, is over
    lifecycle._rebuild_lock.release()
    assert app.extensions[lifecycle.EXTENSION_KEY].needs_rebuild is False
    root = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(root / (root / "CURRENT").read_text().strip())
    assert client.get("/api/v1/search", query_string={"q": "tapir"},
                      headers=rep).status_code == 200
    lifecycle._rebuild_lock.acquire(timeout=60)  # wait for the background rebuild, if any
    lifecycle._rebuild_lock.release()
    assert ids(search(client, rep, "tapir")) == [asset]


def test_a_change_synced_while_a_rebuild_swaps_is_not_lost(app, client, marketer, rep,
                                                          monkeypatch):
    """An edit committed after the rebuild caught up but before its swap: its sync must not
    land in the old index alone (it waits, gives up, and the change is applied later)."""
    from app.search import lifecycle
    from app.search.engine import whoosh_writer

    monkeypatch.setattr(whoosh_writer, "WRITE_TIMEOUT", 0.3)
    asset = create(client, marketer, md("serval sighting log"), status="published",
                   title="Original serval")

    def edit() -> None:
        app.test_client().patch(f"/api/v1/assets/{asset}", json={"title": "Renamed caracal"},
                                headers=marketer)

    with app.app_context():
        engine = lifecycle.get_engine()
        original = engine.rebuild

        def rebuild_with_a_late_edit(docs, procs=1, catch_up=None):
            def late_catch_up():
                changes = catch_up()
                editor = threading.Thread(target=edit)
                editor.start()
                editor.join(30)
                return changes

            original(docs, procs=procs, catch_up=late_catch_up)

        monkeypatch.setattr(engine, "rebuild", rebuild_with_a_late_edit)
        lifecycle.reindex(procs=1)
    assert ids(search(client, rep, "caracal")) == [asset]


ON_SQLITE = os.environ.get("LOCKSTEP_TEST_DB", "sqlite") == "sqlite"


@pytest.mark.skipif(not ON_SQLITE, reason="SQLite's single writer: on PostgreSQL a sync waits "
                    "for row locks instead of failing fast")
def test_a_busy_sqlite_database_is_one_log_line_and_retried(app, client, marketer, rep,
                                                            pending_rows, caplog):
    from app.search import sync

    asset = create(client, marketer, md("dugong survey"), status="published")
    with app.app_context():
        change_unsynced(asset, title="Dugong census")
    other = sqlite3.connect(db_path(app), isolation_level=None)
    caplog.set_level(logging.INFO, logger="lockstep.search")
    caplog.clear()
    try:
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        with app.app_context():
            sync.sync_after_commit()
    finally:
        other.execute("ROLLBACK")
        other.close()
    logged = [(r.getMessage(), r.exc_info) for r in caplog.records if r.name == "lockstep.search"]
    assert logged == [("search outbox sync deferred (database busy); retrying in 1 s", None)]
    wait_until(lambda: pending_rows() == 0)
    assert ids(search(client, rep, "census")) == [asset]


def db_path(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")

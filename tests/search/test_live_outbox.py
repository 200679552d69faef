"""The outbox drains on a live server: uploads, edits and searches through gunicorn (two
workers, four threads each) on SQLite, the embedded default. Before the fix every mark of an
opportunistic sync was rolled back on SQLite, so nearly every row stayed pending and each
search re-applied them all."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from search.gunicorn_app import GunicornLockstep

UPLOADS = 30


@pytest.fixture
def server(tmp_path):
    live = GunicornLockstep(tmp_path).start()
    yield live
    live.stop()


def wait_until(condition, timeout: float = 30.0) -> bool:
    """For work the server's retry timers do; the deadline only guards against a hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("LOCKSTEP_TEST_DB", "sqlite") != "sqlite",
                    reason="always on SQLite (its own database file): runs in the SQLite suite")
def test_uploads_edits_and_searches_leave_nothing_pending(server):
    def work(n: int) -> int:
        asset_id = server.upload(f"# Note {n}\n\nthe gnu{n} migration, with zebras\n",
                                 status="published")
        server.search("zebras")
        server.edit(asset_id, title=f"Wildebeest {n}")
        server.search(f"gnu{n}")
        return asset_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        assets = list(pool.map(work, range(UPLOADS)))
    assert wait_until(lambda: server.pending() == 0), (
        f"{server.pending()} outbox rows still pending\n{server.log()[-3000:]}")
    found = server.search("zebras")
    assert found["total"] == UPLOADS
    assert server.search("wildebeest")["total"] == UPLOADS
    assert sorted(hit["id"] for hit in server.search("gnu7")["results"]) == [assets[7]]

    # With nothing else going on, each request's own sync applies its change before it answers.
    for n in range(5):
        asset_id = server.upload(f"quiet note {n} about okapis\n", status="published")
        assert server.pending() == 0
        server.edit(asset_id, title=f"Okapi {n}")
        assert server.pending() == 0
    assert server.search("okapi")["total"] == 5

    before = server.index_generation()
    for q in ("zebras", "wildebeest", "gnu3", "migration", "zebras"):
        server.search(q)
        server.search(q, role="marketer")
    assert server.index_generation() == before  # nothing changed, so nothing was written
    assert server.pending() == 0
    assert "Traceback" not in server.log()

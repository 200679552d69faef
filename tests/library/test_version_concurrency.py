"""Two uploads to one asset at the same moment never get the same version number."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import SAMPLE_PDF, corpus_file, multipart, upload_asset
from sqlalchemy import event

from app.extensions import db


def _post_version(app, headers, asset_id, n):
    client = app.test_client()
    data = corpus_file(SAMPLE_PDF) + f"\n% upload {n}\n".encode()
    return client.post(f"/api/v1/assets/{asset_id}/versions", headers=headers,
                       **multipart({"file": (data, f"v{n}.pdf")}))


@pytest.fixture
def asset(client, api_token):
    _, headers = api_token("marketer")
    body = upload_asset(client, headers, corpus_file(SAMPLE_PDF), "deck.pdf").get_json()
    return body["id"], headers


def test_forced_collision_is_retried_with_the_next_number(app, asset):
    """Both requests read max(number) = 1, then both try to insert 2; one must retry as 3."""
    asset_id, headers = asset
    barrier = threading.Barrier(2, timeout=20)
    waited = threading.local()

    def hold_first_insert(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO asset_version") and not getattr(waited, "x", 0):
            waited.x = 1
            barrier.wait()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", hold_first_insert)
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda n: _post_version(app, headers, asset_id, n), [1, 2]))
    finally:
        event.remove(engine, "before_cursor_execute", hold_first_insert)
    assert [r.status_code for r in results] == [201, 201], [r.get_json() for r in results]
    assert sorted(r.get_json()["number"] for r in results) == [2, 3]


def test_many_concurrent_uploads_get_distinct_consecutive_numbers(app, client, asset):
    asset_id, headers = asset
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda n: _post_version(app, headers, asset_id, n), range(6)))
    assert all(r.status_code == 201 for r in results), [r.get_json() for r in results]
    numbers = sorted(r.get_json()["number"] for r in results)
    assert numbers == [2, 3, 4, 5, 6, 7]
    listed = client.get(f"/api/v1/assets/{asset_id}/versions", headers=headers).get_json()
    assert [v["number"] for v in listed] == [7, 6, 5, 4, 3, 2, 1]
    # Number n+1 is taken only once n is committed, so the last upload to commit is the newest.
    current = client.get(f"/api/v1/assets/{asset_id}", headers=headers).get_json()
    newest = next(r.get_json() for r in results if r.get_json()["number"] == 7)
    assert current["current_version"]["number"] == 7
    assert current["current_version"]["sha256"] == newest["sha256"]

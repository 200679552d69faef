"""The index never shows what the database hides: while an asset's change waits in the outbox
(another writer holds the index), the search page, the typeahead and the API show its
database state, and count it nowhere (totals and facets) if the viewer may not see it."""

from __future__ import annotations

import time

from helpers import login, multipart, upload_asset
from sqlalchemy import update

from app.extensions import db


def create(client, headers, text: bytes, **fields) -> int:
    response = upload_asset(client, headers, text, "note.md", status="published", **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def api_search(client, headers, q: str) -> dict:
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers)
    assert response.status_code == 200
    return response.get_json()


def wait_until(condition, timeout: float = 30.0) -> None:
    """For the retry timer's work; the deadline only guards against a hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.05)


def test_pending_changes_are_shown_as_the_database_has_them(
        app, client, marketer, rep, make_user, pending_rows, index_locked):
    hidden = create(client, marketer, b"ocelot brochure\n", title="Ocelot brochure",
                    stage="proposal")
    shown = create(client, marketer, b"ocelot pricing, old figures\n", title="Ocelot pricing",
                   stage="closing")
    browser = app.test_client()
    login(browser, make_user("rep").email)
    with index_locked():  # the index keeps the old state of both assets for now
        assert client.delete(f"/api/v1/assets/{hidden}", headers=marketer).status_code == 200
        assert client.patch(f"/api/v1/assets/{shown}", json={"title": "Ocelot price list"},
                            headers=marketer).status_code == 200
        assert client.post(f"/api/v1/assets/{shown}/versions", headers=marketer, **multipart(
            {"file": (b"ocelot pricing with the sparkling new figures\n", "v2.md")}
        )).status_code == 201
        waiting = pending_rows()
        assert waiting >= 3  # at least one row per change; one flush writes one row per asset

        result = api_search(client, rep, "ocelot")
        assert [hit["id"] for hit in result["results"]] == [shown]
        assert result["total"] == 1
        assert result["facets"]["stage"] == [{"value": "closing", "count": 1}]
        assert result["results"][0]["title"] == "Ocelot price list"
        assert "sparkling" in " ".join(result["results"][0]["highlights"])

        html = browser.get("/search?q=ocelot").get_data(as_text=True)
        assert f"/open/{shown}" in html and f"/open/{hidden}" not in html
        assert "Ocelot price list" in html and "Ocelot brochure" not in html
        assert 'proposal <span class="count">' not in html
        assert 'closing <span class="count">1</span>' in html

        suggested = browser.get("/search/suggest?q=ocelot").get_json()["results"]
        assert [(s["id"], s["title"]) for s in suggested] == [(shown, "Ocelot price list")]
        assert pending_rows() == waiting  # nothing could be written meanwhile
    wait_until(lambda: pending_rows() == 0)  # the retry applies them once the lock is free
    assert [hit["id"] for hit in api_search(client, rep, "ocelot")["results"]] == [shown]
    assert api_search(client, marketer, "ocelot")["total"] == 2  # marketers see archived


def test_a_hit_hidden_in_the_database_is_dropped_even_if_the_index_disagrees(
        app, client, marketer, rep, make_user):
    """Belt and braces: an index entry that somehow kept an old status (here the database is
    changed behind the app's back, with no outbox row) is never shown, nor its snippet."""
    from app.library.models import Asset

    asset = create(client, marketer, b"caracal roadmap\n", title="Caracal roadmap")
    with app.app_context():
        db.session.execute(update(Asset).where(Asset.id == asset).values(status="draft"))
        db.session.commit()
    found = api_search(client, rep, "caracal")
    assert (found["results"], found["total"]) == ([], 0)
    assert not any(count for counts in found["facets"].values() for count in
                   (counts.values() if isinstance(counts, dict) else
                    [c.get("count", 0) for c in counts]))
    browser = app.test_client()
    login(browser, make_user("rep").email)
    assert "Caracal roadmap" not in browser.get("/search?q=caracal").get_data(as_text=True)
    assert browser.get("/search/suggest?q=caracal").get_json()["results"] == []
    assert [hit["id"] for hit in api_search(client, marketer, "caracal")["results"]] == [asset]

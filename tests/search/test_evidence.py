"""Search gets its evidence: deal usage recorded through the deals API, and deals closing,
reach the index (the deals area's event asks search to re-index), and the win_rate and
most_used sorts rank by them. Counts are worked out by hand below."""

from __future__ import annotations

import re

from helpers import login, upload_asset

from app.core.timeutil import utcnow
from app.extensions import db

OPEN = {"stage": "Evaluation", "close_date": "2030-06-30"}


def create(client, headers, title: str) -> int:
    response = upload_asset(client, headers, b"lynx habitat notes for the field team\n",
                            "note.md", status="published", title=title)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def upsert(client, admin, **deal) -> int:
    response = client.post("/api/v1/deals", json=deal, headers=admin)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()["deals"][0]["id"]


def use(client, headers, deal_id: int, asset_id: int) -> None:
    response = client.post(f"/api/v1/deals/{deal_id}/usage", headers=headers,
                           json={"asset_id": asset_id, "action": "presented"})
    assert response.status_code == 201, response.get_json()


def ranked(client, headers, sort: str) -> list[int]:
    response = client.get("/api/v1/search", query_string={"q": "lynx", "sort": sort},
                          headers=headers)
    assert response.status_code == 200
    return [hit["id"] for hit in response.get_json()["results"]]


def test_win_rate_and_most_used_rank_by_real_usage(app, client, api_token, pending_rows):
    from app.deals.queries import asset_evidence
    from app.search import lifecycle

    _, marketer = api_token("marketer")
    _, admin = api_token("admin")
    rep, rep_headers = api_token("rep")
    a, b, c, d = (create(client, marketer, f"Field guide {n}") for n in "ABCD")
    deals = {n: upsert(client, admin, external_id=f"OPP-{n}", name=f"Deal {n}",
                       owner_email=rep.email, **OPEN) for n in range(1, 8)}
    # Used while the deals were open.
    for deal, assets in {1: (a, b), 2: (a, b), 3: (a, c, c, d), 6: (a, d), 7: (d,)}.items():
        for asset in assets:
            use(client, rep_headers, deals[deal], asset)
    closed_at = utcnow().isoformat()  # after every use above
    for n, status in {1: "won", 2: "won", 3: "lost", 4: "won", 5: "won"}.items():
        upsert(client, admin, external_id=f"OPP-{n}", name=f"Deal {n}", owner_email=rep.email,
               status=status, closed_at=closed_at, **OPEN)
    # Used after the deal had closed: evidence of nothing.
    use(client, rep_headers, deals[4], c)
    use(client, rep_headers, deals[5], c)
    assert pending_rows() == 0

    # (deals used in, of those won) -> Bayesian win rate (won + 1) / (used + 2):
    # A: 1 2 3 6 -> (4, 2) 0.50;  B: 1 2 -> (2, 2) 0.75;  C: 3 (twice) -> (1, 0) 0.33;
    # D: 3 6 7 -> (3, 0) 0.20. Counting C's use after close would give (3, 2) 0.60.
    with app.app_context():
        assert asset_evidence(db.session, [a, b, c, d]) == {
            a: (4, 2), b: (2, 2), c: (1, 0), d: (3, 0)}
    assert ranked(client, rep_headers, "win_rate") == [b, a, c, d]
    assert ranked(client, rep_headers, "most_used") == [a, d, b, c]
    # The badges show the same counts, from the database, in the API and on the page.
    results = client.get("/api/v1/search", query_string={"q": "lynx"},
                         headers=rep_headers).get_json()["results"]
    assert {hit["id"]: (hit["used_deals"], hit["won_deals"]) for hit in results} == {
        a: (4, 2), b: (2, 2), c: (1, 0), d: (3, 0)}
    login(client, rep.email)
    page = client.get("/search", query_string={"q": "lynx", "sort": "most_used"}).text
    badges = re.findall(r'class="badge evidence"[^>]*>([^<]+)<', page)
    assert badges == ["used in 4 deals · 2 won", "used in 3 deals · 0 won",
                      "used in 2 deals · 2 won", "used in 1 deal · 0 won"]

    # Reopening a won deal: its use no longer counts as a win (the deals event re-indexes).
    upsert(client, admin, external_id="OPP-1", name="Deal 1", owner_email=rep.email,
           status="open", **OPEN)
    assert pending_rows() == 0
    # A: (4, 1) 0.33;  B: (2, 1) 0.50;  C: 0.33;  D: 0.20 -- B, then A and C tied.
    assert ranked(client, rep_headers, "win_rate")[0] == b
    assert ranked(client, rep_headers, "win_rate")[-1] == d
    with app.app_context():
        lifecycle.reindex(procs=1)  # a full rebuild reads the same evidence
    assert ranked(client, rep_headers, "most_used") == [a, d, b, c]
    assert ranked(client, rep_headers, "win_rate")[0] == b

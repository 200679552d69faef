"""Beacons: seconds per page summed as sent, bounded by wall time, rate-limited, scoped to their
visit; deal-linked views become usage; the rep hears of a first visit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fixtures.share import make_link, open_viewer, token_of, visit_key

from app.extensions import db


def start(app, link, seconds_ago: int = 600, **headers):
    """Open the link in a fresh browser and pretend the visit began `seconds_ago`."""
    from app.share.models import ShareVisit

    viewer = app.test_client()
    html = open_viewer(viewer, link, headers=headers).get_data(as_text=True)
    key = visit_key(html)
    with app.app_context():
        visit = db.session.get(ShareVisit, int(key.split(".")[0]))
        visit.started_at = visit.started_at - timedelta(seconds=seconds_ago)
        db.session.commit()
    return viewer, key


def beacon(viewer, link, body, **kw):
    return viewer.post(f"/s/{token_of(link)}/beacon", data=body if isinstance(body, bytes | str)
                       else __import__("json").dumps(body), content_type="text/plain", **kw)


def item_of(link, index=0):
    return link["items"][index]["id"]


def test_page_seconds_are_summed_and_reported(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer, key = start(app, link)
    item = item_of(link)
    assert beacon(viewer, link, {"v": key, "t": [[item, 1, 10], [item, 2, 4.5]],
                                 "tz": "Europe/Berlin"}).status_code == 200
    assert beacon(viewer, link, {"v": key, "t": [[item, 1, 2.5], [item, 4, 7]]}).status_code == 200
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    (visit,) = views["items"]
    assert visit["pages"] == {"1": 12.5, "2": 4.5, "4": 7.0}
    assert visit["seconds"] == 24.0
    assert visit["completion"] == 75  # pages 1, 2 and 4 of 4
    assert "Europe/Berlin" in visit["location"]
    page = client.get(f"/share/{link['id']}")
    assert page.status_code == 302  # the API client is not signed in to the pages


def test_a_visit_never_holds_more_seconds_than_have_passed(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer, key = start(app, link, seconds_ago=30)
    item = item_of(link)
    body = {"v": key, "t": [[item, 1, 20]]}
    for _ in range(5):  # a replayed beacon
        assert beacon(viewer, link, body).status_code == 200
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert 30 <= views["items"][0]["seconds"] <= 36  # 30 s passed, plus 5 s of grace


@pytest.mark.parametrize("body", [
    b"", b"not json", b"[]", b'"x"', "\udcff".encode("utf-8", "surrogatepass"),
    {"t": [[1, 1, 1]]}, {"v": "1.deadbeef", "t": []}, {"v": None, "t": []}, {"v": ["x"]},
])
def test_broken_and_forged_beacons_are_refused(app, client, world, body):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer, _ = start(app, link)
    response = beacon(viewer, link, body)
    assert response.status_code in (400, 404), response.get_data(as_text=True)
    assert response.get_json()["error"]["code"]


@pytest.mark.parametrize("entries", [
    [[999, 1, 1]], [[0, 1, 1]], "x", [[1, 1]], [[1, "1", 1]], [[1, 1, -3]], [[1, 1, "NaN"]],
    [[1, 1, True]], [[1, 99, 1]], [[1, 0, 1]], [[1, 1, 1]] * 101, [[1, 1, 1e309]],
])
def test_bad_entries_are_refused_and_nothing_is_written(app, client, world, entries):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer, key = start(app, link)
    item = item_of(link)
    if isinstance(entries, list):
        entries = [[item if e[0] == 1 else e[0], *e[1:]] for e in entries]
    response = viewer.post(f"/s/{token_of(link)}/beacon", json={"v": key, "t": entries})
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert views["items"][0]["seconds"] == 0 and views["items"][0]["pages"] == {}


def test_a_beacon_cannot_write_to_another_links_visit(app, client, world):
    headers = world["rep_headers"]
    link = make_link(client, headers, asset_ids=[world["assets"]["pdf"]])
    other = make_link(client, headers, asset_ids=[world["assets"]["md"]])
    viewer, key = start(app, link)
    response = beacon(viewer, other, {"v": key, "t": [[item_of(other), 0, 5]]})
    assert response.status_code == 404
    forged = key.split(".")[0] + "." + "0" * 40
    assert beacon(viewer, link, {"v": forged, "t": [[item_of(link), 1, 5]]}).status_code == 404
    next_visit = f"{int(key.split('.')[0]) + 1}.{key.split('.')[1]}"
    assert beacon(viewer, link, {"v": next_visit, "t": [[item_of(link), 1, 5]]}).status_code == 404


def test_beacons_are_rate_limited_per_visit(app, client, world):
    from app.auth.ratelimit import limiter_of

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer, key = start(app, link, seconds_ago=3600)
    app.config["SHARE_BEACON_LIMIT"] = "3 per minute"
    limiter_of(app).reset()
    try:
        codes = [beacon(viewer, link, {"v": key, "t": [[item_of(link), 1, 1]]}).status_code
                 for _ in range(5)]
    finally:
        app.config["SHARE_BEACON_LIMIT"] = "100000 per minute"
        limiter_of(app).reset()
    assert codes == [200, 200, 200, 429, 429]
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert views["items"][0]["pages"] == {"1": 3.0}


def test_many_visits_from_one_address_are_limited(app, client, world):
    from app.auth.ratelimit import limiter_of

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]])
    app.config["SHARE_VISIT_LIMIT"] = "3 per hour"
    limiter_of(app).reset()
    try:
        codes = [open_viewer(app.test_client(), link,
                             headers={"User-Agent": f"Browser {n}"}).status_code
                 for n in range(5)]
    finally:
        app.config["SHARE_VISIT_LIMIT"] = "100000 per minute"
        limiter_of(app).reset()
    assert codes == [200, 200, 200, 429, 429]
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert views["visits"] == 3


def test_views_of_a_deal_linked_link_are_usage_once_per_visit_and_item(app, client, world):
    headers = world["rep_headers"]
    a, deal_id = world["assets"], world["deal"]["id"]
    link = make_link(client, headers, asset_ids=[a["pdf"], a["md"]], deal_id=deal_id)
    viewer, key = start(app, link)
    pdf_item, md_item = item_of(link, 0), item_of(link, 1)
    beacon(viewer, link, {"v": key, "t": [[pdf_item, 1, 3], [pdf_item, 2, 3]]})
    beacon(viewer, link, {"v": key, "t": [[pdf_item, 3, 3], [md_item, 0, 8]]})
    usage = client.get(f"/api/v1/deals/{deal_id}/usage", headers=headers).get_json()
    viewed = sorted((u["asset_id"], u["action"], u["version"], u["user"]["id"]) for u in usage)
    assert viewed == sorted([(a["pdf"], "viewed", 1, world["rep"].id),
                             (a["md"], "viewed", 1, world["rep"].id)])
    # A second prospect visit counts again; a staff visit never does.
    other, other_key = start(app, link, **{"User-Agent": "Another browser"})
    beacon(other, link, {"v": other_key, "t": [[md_item, 0, 2]]})
    assert len(client.get(f"/api/v1/deals/{deal_id}/usage", headers=headers).get_json()) == 3


def test_the_rep_is_notified_of_a_first_visit(app, client, world):
    from helpers import login

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     title="Q3 proposal")
    open_viewer(app.test_client(), link)
    open_viewer(app.test_client(), link)  # the same viewer again: no second note
    rep = app.test_client()
    login(rep, world["rep"].email)
    page = rep.get("/notifications").get_data(as_text=True)
    assert page.count("opened &#39;Q3 proposal&#39;") == 1
    assert 'aria-label="1 unread"' in rep.get("/share").get_data(as_text=True)


def test_concurrent_beacons_of_one_visit_lose_no_seconds(app, client, world, live_server):
    """Beacons of one visit arriving together, over real HTTP on a threaded server: every
    accepted second is stored (bench/share.py found lost updates before the fix)."""
    import http.client
    import json
    from concurrent.futures import ThreadPoolExecutor

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    _, key = start(app, link, seconds_ago=3600)
    item = item_of(link)
    host, port = live_server.url.removeprefix("http://").split(":")

    def send(n: int) -> float:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        accepted = 0.0
        for _ in range(10):
            body = json.dumps({"v": key, "t": [[item, 1 + n % 4, 0.25]]})
            connection.request("POST", f"/s/{token_of(link)}/beacon", body,
                               {"Content-Type": "text/plain"})
            response = connection.getresponse()
            data = json.loads(response.read())
            assert response.status == 200, data
            accepted += data["accepted"]
        connection.close()
        return accepted

    with ThreadPoolExecutor(8) as pool:
        accepted = sum(pool.map(send, range(8)))
    assert accepted == 20.0  # 8 threads x 10 beacons x 0.25 s
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    (visit,) = views["items"]
    assert visit["seconds"] == 20.0
    assert visit["pages"] == {"1": 5.0, "2": 5.0, "3": 5.0, "4": 5.0}

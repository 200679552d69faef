"""Search insights count searches, not page views: paging, re-sorting and facets of the same
query are one search; the numbers below are worked out by hand from the steps of the test."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import login, upload_asset
from sqlalchemy import func, select, update

from app.core.timeutil import today, utcnow
from app.extensions import db


def create(client, headers, text: str, **fields) -> int:
    response = upload_asset(client, headers, f"{text}\n".encode(), "note.md",
                            status="published", **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def search_page(client, **args) -> str:
    response = client.get("/search", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def search_id_on(html: str) -> int:
    return int(re.search(r"/search/(\d+)/open/", html).group(1))


def open_result(client, search_id: int, asset_id: int) -> None:
    assert client.get(f"/search/{search_id}/open/{asset_id}").status_code == 302


def logged_searches(app) -> int:
    from app.search.models import SearchLog

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SearchLog))


def test_insights_count_each_query_once_per_person(app, client, make_user, api_token):
    from app.search import insights
    from app.search.insights import QueryStat
    from app.search.models import SearchLog

    _, marketer = api_token("marketer")
    lynx1 = create(client, marketer, "lynx field guide", stage="proposal")
    lynx2 = create(client, marketer, "lynx pricing", stage="closing")
    serval = create(client, marketer, "serval brochure")
    create(client, marketer, "tiger deck")
    alice, bob = app.test_client(), app.test_client()
    bob_user, bob_api = api_token("rep")
    login(alice, make_user("rep").email)
    login(bob, bob_user.email)

    # Alice: one "lynx" search, looked at page 2, re-sorted, narrowed by a facet.
    first = search_id_on(search_page(alice, q="lynx"))
    search_page(alice, q="lynx", page=2)
    search_page(alice, q="lynx", sort="newest")
    narrowed = search_page(alice, q="lynx", stage="proposal")
    assert search_id_on(narrowed) == first
    open_result(alice, first, lynx1)
    open_result(alice, search_id_on(narrowed), lynx2)
    search_page(alice, q="okapi")
    search_page(alice, q="OKAPI ")  # the same words
    search_page(alice, q="serval")
    search_page(alice, q="tiger")
    assert logged_searches(app) == 4

    # Bob: "Lynx" (opened once), "okapi", and "serval" after it was archived.
    open_result(bob, search_id_on(search_page(bob, q="Lynx")), lynx1)
    search_page(bob, q="okapi")
    assert client.delete(f"/api/v1/assets/{serval}", headers=marketer).status_code == 200
    search_page(bob, q="serval")
    # Through the API the same: a second page of one query is the same search.
    api_first = client.get("/api/v1/search", query_string={"q": "tiger"}, headers=bob_api)
    api_again = client.get("/api/v1/search", query_string={"q": "tiger", "page": 2,
                                                           "sort": "newest"}, headers=bob_api)
    assert api_first.get_json()["search_id"] == api_again.get_json()["search_id"]
    assert logged_searches(app) == 8

    # Alice's "tiger" was 11 minutes ago: asking again now is a new search.
    with app.app_context():
        db.session.execute(update(SearchLog).where(SearchLog.query_key == "tiger",
                                                   SearchLog.user_id != bob_user.id)
                           .values(created_at=utcnow() - timedelta(minutes=11)))
        db.session.commit()
    search_page(alice, q="tiger")
    # Browsing without words: the filters are the question, so a new filter set is new.
    search_page(alice, stage="proposal")
    search_page(alice, stage="proposal", page=2)
    search_page(alice, stage="closing")
    assert logged_searches(app) == 11

    # From yesterday: shortly after midnight the backdated search falls on the day before.
    since = today() - timedelta(days=1)
    with app.app_context():
        top = insights.top_queries(since, today())
        gaps = insights.content_gaps(since, today())
        ignored = insights.ignored_queries(since, today())
    # query, searches, people, latest result count, opened
    tiger = QueryStat("tiger", 3, 2, 1, 0)  # Alice twice (11 minutes apart), Bob once
    lynx = QueryStat("lynx", 2, 2, 2, 3)  # Alice's two opens and Bob's one
    okapi = QueryStat("okapi", 2, 2, 0, 0)
    serval_stat = QueryStat("serval", 2, 2, 0, 0)  # found 1 for Alice, 0 since the archive
    assert top == [tiger, lynx, okapi, serval_stat]
    assert gaps == [okapi, serval_stat]
    assert ignored == [tiger]

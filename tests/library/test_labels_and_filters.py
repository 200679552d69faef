"""Filter menus offer only what the viewer may see, and persona, industry and product match by
one rule everywhere (library list, API, search facets): case and runs of spaces do not matter,
on SQLite as on PostgreSQL, non-ASCII letters included."""

import re

import pytest
from helpers import upload_asset

from app.auth.models import User
from app.extensions import db
from app.library.models import Tag
from app.library.queries import label_values


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")


def create(client, headers, text, **fields):
    body = f"# {text}\n\n{text}, narwhal edition.\n".encode()
    response = upload_asset(client, headers, body, "note.md", **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def labels_for(app, user_id):
    with app.app_context():
        return label_values(db.session.get(User, user_id))


def test_tag_menu_lists_only_tags_on_assets_the_viewer_may_see(app, client, marketer,
                                                              make_user, login_as):
    owner, headers = marketer
    create(client, headers, "live", status="published", tags="roi, pricing")
    create(client, headers, "draft", status="draft", tags="launch-secret")
    archived = create(client, headers, "old", status="published", tags="legacy, roi")
    client.delete(f"/api/v1/assets/{archived}", headers=headers)
    dropped = create(client, headers, "retagged", status="published", tags="orphaned")
    client.patch(f"/api/v1/assets/{dropped}", json={"tags": ["pricing"]}, headers=headers)
    with app.app_context():
        assert db.session.scalar(db.select(Tag.id).where(Tag.name == "orphaned")) is not None

    rep = make_user("rep")
    assert labels_for(app, rep.id)["tag"] == ["pricing", "roi"]
    assert labels_for(app, owner.id)["tag"] == ["launch-secret", "legacy", "pricing", "roi"]
    login_as("rep")
    html = client.get("/").get_data(as_text=True)
    offered = re.findall(r'<a href="/\?tag=([^"&]+)"', html)
    assert offered == ["pricing", "roi"]


def test_label_menus_merge_spellings_and_hide_drafts(app, client, marketer, make_user):
    owner, headers = marketer
    for persona in ("cfo", "CFO", "cfo", "Cfo"):
        create(client, headers, persona, status="published", persona=persona)
    create(client, headers, "a", status="published", industry="Ärzte")
    create(client, headers, "b", status="published", industry="ärzte")
    create(client, headers, "c", status="published", product="Cloud  Suite")
    create(client, headers, "d", status="published", product="cloud suite")
    create(client, headers, "e", status="draft", persona="Secret buyer", product="cloud suite")

    rep = labels_for(app, make_user("rep").id)
    assert rep["persona"] == ["cfo"]  # the spelling most assets use
    assert rep["industry"] == ["Ärzte"]  # a tie goes to the one that sorts first
    assert rep["product"] == ["Cloud  Suite"]
    curator = labels_for(app, owner.id)
    assert curator["persona"] == ["cfo", "Secret buyer"]
    assert curator["product"] == ["cloud suite"]  # the draft makes it the most used


def test_filters_ignore_case_and_spacing_in_list_api_and_search(app, client, marketer,
                                                                login_as):
    _, headers = marketer
    cfo = {create(client, headers, f"narwhal {n}", status="published", persona=spelling)
           for n, spelling in enumerate(("CFO", "cfo", "Cfo"))}
    doctors = {create(client, headers, f"narwhal dr {n}", status="published", industry=spelling,
                      product="Cloud Suite")
               for n, spelling in enumerate(("Ärzte", "ärzte"))}
    create(client, headers, "narwhal other", status="published", persona="CTO",
           industry="Retail", product="Cloud")

    def api(**query):
        body = client.get("/api/v1/assets", query_string=query, headers=headers).get_json()
        return {item["id"] for item in body["items"]}

    def search(**query):
        body = client.get("/api/v1/search", query_string={"q": "narwhal", **query},
                          headers=headers).get_json()
        return {hit["id"] for hit in body["results"]}

    for value in ("cfo", "CFO", " cFo "):
        assert api(persona=value) == cfo
        assert search(persona=value) == cfo
    for value in ("ÄRZTE", "ärzte"):
        assert api(industry=value) == doctors
        assert search(industry=value) == doctors
    assert api(product="cloud   suite") == doctors
    assert search(product="cloud   suite") == doctors
    assert api(persona="cf") == set()  # whole values, not prefixes

    login_as("rep")
    html = client.get("/", query_string={"persona": "cfo"}).get_data(as_text=True)
    assert "3 assets" in html
    listed = set(map(int, re.findall(r'<h3><a href="/assets/(\d+)">', html)))
    assert listed == cfo

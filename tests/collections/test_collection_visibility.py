"""Collections have their own draft/published state; reps and leaders see only published ones,
and in every place a collection appears (list, detail, home page, search) its items and counts
cover only the assets the viewer may see."""

import re

import pytest
from helpers import csrf_token, login, upload_asset

from app.auth.models import User
from app.collections import services
from app.collections.models import Collection
from app.extensions import db

CARD = re.compile(r'<a class="panel collection-card" href="/collections/(\d+)">\s*<h3>([^<]*)</h3>'
                  r'\s*<p class="muted small">(\d+) assets?')
SEARCH_HIT = re.compile(r"<strong>Collection: ([^<]*)</strong> <span class=\"muted\">(\d+) assets")


def md(text: str) -> bytes:
    return f"# {text}\n\n{text} for the walrus team.\n".encode()


@pytest.fixture
def library(app, client, api_token):
    """A marketer's published, draft and archived assets, and three collections over them."""
    owner, headers = api_token("marketer")

    def create(text, status):
        response = upload_asset(client, headers, md(text), "note.md", status=status)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    published, draft = create("walrus pricing", "published"), create("walrus plan", "draft")
    archived = create("walrus old deck", "published")
    assert client.delete(f"/api/v1/assets/{archived}", headers=headers).status_code == 200
    with app.app_context():
        actor = db.session.get(User, owner.id)
        kits = {}
        for title, status, featured in (("Walrus launch kit", "published", True),
                                        ("Walrus secret kit", "draft", True),
                                        ("Walrus reference kit", "published", False)):
            collection = services.create_collection(actor, title, "Walrus material", featured,
                                                    status)
            services.set_items(actor, collection.id, [draft, published, archived])
            kits[title] = collection.id
    return {"published": published, "draft": draft, "archived": archived, "kits": kits,
            "owner": owner}


def cards(html: str) -> dict[str, int]:
    return {title: int(count) for _id, title, count in CARD.findall(html)}


@pytest.mark.parametrize("role", ["rep", "leader"])
def test_readers_see_published_collections_with_visible_items_only(client, library, login_as,
                                                                   role):
    login_as(role)
    listing = client.get("/collections").get_data(as_text=True)
    assert cards(listing) == {"Walrus launch kit": 1, "Walrus reference kit": 1}

    kits = library["kits"]
    detail = client.get(f"/collections/{kits['Walrus launch kit']}").get_data(as_text=True)
    linked = set(map(int, re.findall(r'<h3><a href="/assets/(\d+)">', detail)))
    assert linked == {library["published"]}
    assert "· 1 asset ·" in detail  # curated by … · 1 asset · featured
    assert client.get(f"/collections/{kits['Walrus secret kit']}").status_code == 404

    home = client.get("/").get_data(as_text=True)
    featured = home.split('aria-label="Featured collections"')[1].split("All collateral")[0]
    assert cards(featured) == {"Walrus launch kit": 1}

    results = client.get("/search?q=walrus+kit").get_data(as_text=True)
    assert dict(SEARCH_HIT.findall(results)) == {"Walrus launch kit": "1",
                                                  "Walrus reference kit": "1"}


def test_curators_see_drafts_and_every_item(client, library, login_as):
    login_as("marketer")
    listing = client.get("/collections").get_data(as_text=True)
    assert cards(listing) == {"Walrus launch kit": 3, "Walrus secret kit": 3,
                              "Walrus reference kit": 3}
    draft = client.get(f"/collections/{library['kits']['Walrus secret kit']}")
    assert draft.status_code == 200
    assert "Reps and leaders do not see this collection until it is published." in draft.get_data(
        as_text=True)
    home = client.get("/").get_data(as_text=True)
    featured = home.split('aria-label="Featured collections"')[1].split("All collateral")[0]
    assert cards(featured) == {"Walrus launch kit": 3}  # the home page lists what reps get


def test_new_collections_are_unfeatured_drafts_until_published(app, client, login_as, make_user):
    curator = login_as("marketer")
    token = csrf_token(client)
    created = client.post("/collections", data={"title": "Fresh kit", "csrf_token": token})
    assert created.status_code == 302
    url = created.headers["Location"]
    with app.app_context():
        collection = db.session.scalars(db.select(Collection)).one()
        assert (collection.status, collection.featured, collection.owner_id) == (
            "draft", False, curator.id)
        direct = services.create_collection(db.session.get(User, curator.id), "Via service")
        assert (direct.status, direct.featured) == ("draft", False)

    reader = app.test_client()
    login(reader, make_user("rep").email)
    assert reader.get(url).status_code == 404
    saved = client.post(url, data={"title": "Fresh kit", "status": "published", "featured": "y",
                                   "csrf_token": token})
    assert saved.status_code == 302
    assert reader.get(url).status_code == 200
    assert cards(reader.get("/").get_data(as_text=True)) == {"Fresh kit": 0}
    client.post(url, data={"title": "Fresh kit", "status": "draft", "csrf_token": token})
    assert reader.get(url).status_code == 404


@pytest.mark.parametrize("status", ["archived", "", "Published", "published\x00"])
def test_an_unknown_status_is_refused_and_changes_nothing(app, client, login_as, status):
    curator = login_as("marketer")
    with app.app_context():
        collection = services.create_collection(db.session.get(User, curator.id), "Kit")
        collection_id = collection.id
    response = client.post(f"/collections/{collection_id}", follow_redirects=True,
                           data={"title": "Renamed", "status": status,
                                 "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "Choose draft or published." in response.get_data(as_text=True)
    with app.app_context():
        collection = db.session.get(Collection, collection_id)
        assert (collection.title, collection.status) == ("Kit", "draft")


def test_search_matches_only_collections_the_reader_may_see(app, library, make_user):
    from app.collections.queries import collections_matching

    with app.app_context():
        rep = db.session.get(User, make_user("rep").id)
        marketer = db.session.get(User, library["owner"].id)
        seen = {c.title: [a.id for a in c.items] for c in collections_matching(rep, "walrus kit")}
        assert seen == {"Walrus launch kit": [library["published"]],
                        "Walrus reference kit": [library["published"]]}
        curated = collections_matching(marketer, "secret walrus")
        assert [(c.title, [a.id for a in c.items]) for c in curated] == [
            ("Walrus secret kit", [library["draft"], library["published"], library["archived"]])]
        assert collections_matching(rep, "secret walrus") == []

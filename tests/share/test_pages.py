"""The rep's link pages: one-click link from an asset or fork, a deal room, options through the
form, items added, moved and removed, the report with its heat bar, and admins over links of a
rep who left."""

from __future__ import annotations

import re

import pytest
from fixtures.share import make_link, open_viewer, token_of, visit_key
from helpers import csrf_token, login

from app.extensions import db


def signed_in(app, user):
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


def link_id_of(response) -> int:
    return int(re.search(r"/share/(\d+)$", response.headers["Location"]).group(1))


def test_share_from_the_asset_page_and_set_options(app, client, world):
    rep = signed_in(app, world["rep"])
    asset_page = rep.get(f"/assets/{world['assets']['pdf']}").get_data(as_text=True)
    assert "Create a tracked link" in asset_page
    token = csrf_token(rep)
    created = rep.post("/share", data={"asset_id": world["assets"]["pdf"], "csrf_token": token})
    assert created.status_code == 302
    link_id = link_id_of(created)
    page = rep.get(f"/share/{link_id}").get_data(as_text=True)
    assert "/s/" in page and "No prospect has opened it yet" in page
    saved = rep.post(f"/share/{link_id}", data={
        "csrf_token": token, "title": "For Ana", "message": "Hi Ana", "allow_download": "y",
        "require_email": "y", "allowed_domains": "acme.com, acme.de", "password": "letmein",
        "deal_id": str(world["deal"]["id"]), "expires_at": "2031-05-01T09:30"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    link = client.get(f"/api/v1/share-links/{link_id}", headers=world["rep_headers"]).get_json()
    assert (link["title"], link["message"], link["allow_download"], link["require_email"],
            link["has_password"], link["allowed_domains"], link["deal_id"]) == (
        "For Ana", "Hi Ana", True, True, True, ["acme.com", "acme.de"], world["deal"]["id"])
    assert link["expires_at"].startswith("2031-05-01T09:30:00")
    # Saving again without a password keeps it; "remove the password" removes it.
    rep.post(f"/share/{link_id}", data={"csrf_token": token, "title": "For Ana"})
    assert client.get(f"/api/v1/share-links/{link_id}",
                      headers=world["rep_headers"]).get_json()["has_password"] is True
    rep.post(f"/share/{link_id}", data={"csrf_token": token, "title": "For Ana",
                                        "clear_password": "y"})
    assert client.get(f"/api/v1/share-links/{link_id}",
                      headers=world["rep_headers"]).get_json()["has_password"] is False


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "x" * 300}, "Field cannot be longer than 200 characters."),
    ({"title": ""}, "Give the link a title."),
    ({"expires_at": "not a date"}, "Not a valid datetime value."),
    ({"expires_at": "2001-01-01T00:00"}, "The expiry must be in the future."),
    ({"allowed_domains": "<script>"}, "Not a domain: &lt;script&gt;."),
    ({"password": "abc"}, "A link password has 4 to 200 characters."),
    ({"deal_id": "999999"}, "No such deal."),
])
def test_bad_options_through_the_form_change_nothing(app, client, world, data, message):
    """Each bad value on its own, beside a valid title, so it is that value that is refused."""
    rep = signed_in(app, world["rep"])
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]],
                     title="Kept", allow_download=False)
    before = client.get(f"/api/v1/share-links/{link['id']}",
                        headers=world["rep_headers"]).get_json()
    response = rep.post(f"/share/{link['id']}", data={"csrf_token": csrf_token(rep),
                                                      "title": "Changed", "allow_download": "y",
                                                      **data})
    assert response.status_code in (400, 422), data
    assert message in response.get_data(as_text=True)
    after = client.get(f"/api/v1/share-links/{link['id']}",
                       headers=world["rep_headers"]).get_json()
    assert after == before


def test_the_form_needs_its_csrf_token(app, client, world):
    rep = signed_in(app, world["rep"])
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    assert rep.post(f"/share/{link['id']}", data={"title": "No CSRF"}).status_code == 400


def test_a_deal_room_through_the_form_and_its_items(app, client, world):
    rep = signed_in(app, world["rep"])
    a = world["assets"]
    assert "Md asset" in rep.get("/share/room").get_data(as_text=True)
    token = csrf_token(rep)
    created = rep.post("/share", data={"csrf_token": token, "room": "1", "title": "Acme room",
                                       "asset_id": [a["md"], a["pdf"]],
                                       "message": "Welcome to your room"})
    link_id = link_id_of(created)
    headers = world["rep_headers"]

    def order():
        link = client.get(f"/api/v1/share-links/{link_id}", headers=headers).get_json()
        return [i["asset_id"] for i in link["items"]], [i["id"] for i in link["items"]]

    assets, items = order()
    assert assets == [a["md"], a["pdf"]]
    rep.post(f"/share/{link_id}/items", data={"csrf_token": token, "action": "down",
                                              "item": items[0]})
    assert order()[0] == [a["pdf"], a["md"]]
    rep.post(f"/share/{link_id}/items", data={"csrf_token": token, "action": "remove",
                                              "item": items[1]})
    assert order()[0] == [a["md"]]
    rep.post(f"/share/{link_id}/items", data={"csrf_token": token, "action": "add",
                                              "content": f"a:{a['pdf']}"})
    assert order()[0] == [a["md"], a["pdf"]]
    for bad in ({"action": "add", "content": "a:999999"}, {"action": "add", "content": "x:1"},
                {"action": "add", "content": f"a:{a['md']}"},
                {"action": "add", "content": f"a:{a['draft']}"}):
        rep.post(f"/share/{link_id}/items", data={"csrf_token": token, **bad})
        assert order()[0] == [a["md"], a["pdf"]], bad
    assert rep.post(f"/share/{link_id}/items", data={"csrf_token": token, "action": "drop"}
                    ).status_code == 400


def test_the_report_shows_the_heat_of_each_page(app, client, world):
    from datetime import timedelta

    from app.share.models import ShareVisit

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    viewer = app.test_client()
    key = visit_key(open_viewer(viewer, link).get_data(as_text=True))
    with app.app_context():
        visit = db.session.get(ShareVisit, int(key.split(".")[0]))
        visit.started_at -= timedelta(minutes=5)
        db.session.commit()
    item = link["items"][0]["id"]
    viewer.post(f"/s/{token_of(link)}/beacon", json={"v": key, "t": [[item, 1, 30], [item, 3, 15]]})
    page = signed_in(app, world["rep"]).get(f"/share/{link['id']}").get_data(as_text=True)
    assert "Page 1: 30 s, 1 visits" in page and "Page 3: 15 s, 1 visits" in page
    assert "Page 2: 0 s, 0 visits" in page and "Page 4: 0 s, 0 visits" in page
    assert "50%" in page  # two of four pages seen


def test_a_fork_link_survives_its_owner_leaving_and_an_admin_revokes_it(app, client, world):
    from app.auth.models import User

    headers = world["rep_headers"]
    fork = client.post(f"/api/v1/assets/{world['assets']['md']}/forks",
                       json={"account": "Acme", "body": "# For Acme\n\nTailored.\n"},
                       headers=headers).get_json()
    link = make_link(client, headers, fork_ids=[fork["id"]])
    with app.app_context():
        db.session.get(User, world["rep"].id).active = False
        db.session.commit()
    html = open_viewer(app.test_client(), link).get_data(as_text=True)
    assert "For Acme" in html and "Tailored." in html
    admin = signed_in(app, world["admin_user"])
    assert "they have left" in admin.get(f"/share/{link['id']}").get_data(as_text=True)
    everyone = admin.get("/share?all=1").get_data(as_text=True)
    assert f"/share/{link['id']}" in everyone
    admin.post(f"/share/{link['id']}/revoke", data={"csrf_token": csrf_token(admin)})
    assert open_viewer(app.test_client(), link).status_code == 410


def test_another_rep_cannot_see_or_change_a_link(app, client, world, make_user):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    other = signed_in(app, make_user("rep"))
    token = csrf_token(other)
    assert other.get(f"/share/{link['id']}").status_code == 404
    for path in ("", "/revoke", "/reactivate", "/items"):
        assert other.post(f"/share/{link['id']}{path}", data={"csrf_token": token,
                                                              "action": "up"}
                          ).status_code == 404, path
    assert f"/share/{link['id']}" not in other.get("/share?all=1").get_data(as_text=True)


def test_saving_options_keeps_a_closed_deal_tied(app, client, world):
    from app.deals.models import Deal

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]],
                     deal_id=world["deal"]["id"])
    with app.app_context():
        db.session.get(Deal, world["deal"]["id"]).status = "won"
        db.session.commit()
    admin = signed_in(app, world["admin_user"])
    page = admin.get(f"/share/{link['id']}").get_data(as_text=True)
    deal_id = re.search(r'<option value="(\d+)" selected>', page).group(1)
    admin.post(f"/share/{link['id']}", data={"csrf_token": csrf_token(admin), "title": "T",
                                             "deal_id": deal_id})
    assert client.get(f"/api/v1/share-links/{link['id']}", headers=world["rep_headers"]
                      ).get_json()["deal_id"] == world["deal"]["id"]

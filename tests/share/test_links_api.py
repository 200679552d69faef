"""The share-links API: who may make, see, change and revoke which links, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fixtures.share import make_link, open_viewer, token_of


def test_a_rep_shares_a_published_asset_and_gets_an_unguessable_url(client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    token = token_of(link)
    assert len(token) == 32 and set(token) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")  # 192 bits
    assert link["state"] == "active" and link["room"] is False
    assert link["title"] == "Pdf asset" and [i["asset_id"] for i in link["items"]] == [
        world["assets"]["pdf"]]
    other = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    assert token_of(other) != token
    assert open_viewer(client, link).status_code == 200


def test_several_items_make_a_deal_room_in_order(client, world):
    a = world["assets"]
    link = make_link(client, world["rep_headers"], asset_ids=[a["md"], a["pdf"]],
                     title="For Acme", message="Hello Ana", deal_id=world["deal"]["id"])
    assert link["room"] is True and link["deal_id"] == world["deal"]["id"]
    assert [i["asset_id"] for i in link["items"]] == [a["md"], a["pdf"]]
    html = open_viewer(client, link).get_data(as_text=True)
    assert html.index("Md asset") < html.index("Pdf asset") and "Hello Ana" in html


def test_owner_reads_changes_and_revokes_others_get_404(client, world, api_token):
    headers = world["rep_headers"]
    link = make_link(client, headers, asset_ids=[world["assets"]["pdf"]])
    url = f"/api/v1/share-links/{link['id']}"
    _, other_rep = api_token("rep")
    _, leader = api_token("leader")
    for outsider in (other_rep, leader, world["marketer_headers"]):
        assert client.get(url, headers=outsider).status_code == 404
        assert client.patch(url, json={"title": "x"}, headers=outsider).status_code == 404
        assert client.delete(url, headers=outsider).status_code == 404
        assert client.get(f"{url}/views", headers=outsider).status_code == 404
        assert client.get("/api/v1/share-links", headers=outsider).get_json() == []
    expiry = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    changed = client.patch(url, json={"title": "Q3 proposal", "allow_download": True,
                                      "expires_at": expiry.isoformat(), "password": "s3cret!",
                                      "allowed_domains": ["Acme.com", "@acme.de"]},
                           headers=headers).get_json()
    assert changed.get("title") == "Q3 proposal", changed
    assert changed["allow_download"] is True
    assert changed["has_password"] is True and changed["require_email"] is True
    assert changed["allowed_domains"] == ["acme.com", "acme.de"]
    assert datetime.fromisoformat(changed["expires_at"]) == expiry
    assert client.get("/api/v1/share-links", headers=headers).get_json()[0]["id"] == link["id"]
    revoked = client.delete(url, headers=headers).get_json()
    assert revoked["state"] == "revoked"
    # An admin sees and revokes anyone's link (a rep who left).
    assert client.get(url, headers=world["admin"]).status_code == 200


@pytest.mark.parametrize(("body", "field"), [
    ({}, "asset_ids"),
    ({"asset_ids": []}, "asset_ids"),
    ({"asset_ids": [1, 1]}, "asset_ids"),
    ({"asset_ids": [999999]}, "asset_ids"),
    ({"asset_ids": ["1"]}, "asset_ids"),
    ({"asset_ids": list(range(1, 60))}, "asset_ids"),
    ({"fork_ids": [424242]}, "fork_ids"),
    ({"expires_at": "2001-01-01T00:00:00+00:00"}, "expires_at"),
    ({"expires_at": "2031-01-01T00:00:00"}, "expires_at"),
    ({"expires_at": "tomorrow"}, "expires_at"),
    ({"password": "abc"}, "password"),
    ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
    ({"allowed_domains": ["x" * 300]}, "allowed_domains"),
    ({"allowed_domains": "acme.com"}, "allowed_domains"),
    ({"verify_email": True}, "verify_email"),
    ({"deal_id": 999999}, "deal_id"),
    ({"title": "x" * 201}, "title"),
    ({"title": "a\x00b"}, "title"),
    ({"require_email": "maybe"}, "require_email"),
    ({"unknown": 1}, "unknown"),
])
def test_bad_input_is_refused_with_the_field_named(client, world, body, field):
    body = {"asset_ids": [world["assets"]["pdf"]], **body} if field != "asset_ids" else body
    if field == "asset_ids" and body.get("asset_ids") == [1, 1]:
        body = {"asset_ids": [world["assets"]["pdf"]] * 2}
    before = client.get("/api/v1/share-links", headers=world["rep_headers"]).get_json()
    response = client.post("/api/v1/share-links", json=body, headers=world["rep_headers"])
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["error"]), response.get_json()
    assert client.get("/api/v1/share-links", headers=world["rep_headers"]).get_json() == before


def test_only_published_assets_and_own_forks_and_deals_can_be_shared(client, world, api_token):
    headers = world["rep_headers"]
    draft = client.post("/api/v1/share-links", json={"asset_ids": [world["assets"]["draft"]]},
                        headers=headers)
    assert draft.status_code == 422  # a rep cannot even see the draft
    marketer_draft = client.post("/api/v1/share-links", headers=world["marketer_headers"],
                                 json={"asset_ids": [world["assets"]["draft"]]})
    assert marketer_draft.status_code == 422
    assert "published" in marketer_draft.get_json()["error"]["message"]
    fork = client.post(f"/api/v1/assets/{world['assets']['md']}/forks", json={"account": "Acme"},
                       headers=headers).get_json()
    _, other_rep = api_token("rep")
    stolen = client.post("/api/v1/share-links", json={"fork_ids": [fork["id"]]}, headers=other_rep)
    assert stolen.status_code == 422
    not_my_deal = client.post("/api/v1/share-links", headers=other_rep, json={
        "asset_ids": [world["assets"]["pdf"]], "deal_id": world["deal"]["id"]})
    assert not_my_deal.status_code == 422
    mine = make_link(client, headers, fork_ids=[fork["id"]])
    assert mine["items"][0]["fork_id"] == fork["id"]
    assert mine["items"][0]["asset_id"] == world["assets"]["md"]

"""Recording which content was used on which deal: the API, the "Use in deal" form, the deal
timeline, and the rules (own deals, visible and live assets, use after close)."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token, login, upload_asset

from app.extensions import db

DEAL = {"external_id": "OPP-1", "name": "Acme renewal", "stage": "Evaluation",
        "close_date": "2030-06-30"}


def md(text: str) -> bytes:
    return f"# {text}\n\nBody of {text}.\n".encode()


@pytest.fixture
def world(client, api_token):
    """A rep with an open deal, a marketer's published, draft and archived assets."""
    marketer, m_headers = api_token("marketer")
    rep, r_headers = api_token("rep")
    _, admin = api_token("admin")
    deal = client.post("/api/v1/deals", json=dict(DEAL, owner_email=rep.email),
                       headers=admin).get_json()["deals"][0]
    assets = {}
    for status in ("published", "draft", "archived"):
        response = upload_asset(client, m_headers, md(f"{status} guide"), f"{status}.md",
                                status=status, title=f"{status.title()} guide")
        assert response.status_code == 201, response.get_json()
        assets[status] = response.get_json()["id"]
    return {"rep": rep, "rep_headers": r_headers, "admin": admin, "deal": deal,
            "assets": assets, "marketer": marketer, "marketer_headers": m_headers}


def use(client, headers, deal_id, **body):
    return client.post(f"/api/v1/deals/{deal_id}/usage", json=body, headers=headers)


def test_a_rep_records_use_with_the_deal_as_it_was(client, world):
    deal, headers = world["deal"], world["rep_headers"]
    response = use(client, headers, deal["id"], asset_id=world["assets"]["published"],
                   action="presented")
    assert response.status_code == 201, response.get_json()
    event = response.get_json()
    assert {k: event[k] for k in ("deal_id", "asset_id", "asset_title", "version", "fork_id",
                                  "action", "deal_stage", "deal_status", "after_close")} == {
        "deal_id": deal["id"], "asset_id": world["assets"]["published"],
        "asset_title": "Published guide", "version": 1, "fork_id": None,
        "action": "presented", "deal_stage": "Evaluation", "deal_status": "open",
        "after_close": False}
    assert event["user"]["id"] == world["rep"].id
    listed = client.get(f"/api/v1/deals/{deal['id']}/usage", headers=headers).get_json()
    assert [e["id"] for e in listed] == [event["id"]]


def test_the_version_used_is_the_one_current_then(client, world):
    deal, headers = world["deal"], world["rep_headers"]
    asset = world["assets"]["published"]
    use(client, headers, deal["id"], asset_id=asset, action="emailed")
    new = client.post(f"/api/v1/assets/{asset}/versions", headers=world["marketer_headers"],
                      **_file(md("published guide v2"), "v2.md"))
    assert new.status_code == 201
    use(client, headers, deal["id"], asset_id=asset, action="sent_in_proposal")
    listed = client.get(f"/api/v1/deals/{deal['id']}/usage", headers=headers).get_json()
    assert [(e["action"], e["version"]) for e in listed] == [("emailed", 1),
                                                            ("sent_in_proposal", 2)]


def _file(data: bytes, name: str) -> dict:
    from helpers import multipart

    return multipart({"file": (data, name)})


def test_hidden_archived_and_missing_assets_cannot_be_used(client, world):
    deal, headers = world["deal"], world["rep_headers"]
    assert use(client, headers, deal["id"], asset_id=world["assets"]["draft"],
               action="emailed").status_code == 404
    archived = use(client, headers, deal["id"], asset_id=world["assets"]["archived"],
                   action="emailed")
    assert archived.status_code == 404  # reps do not see archived assets at all
    admin_archived = use(client, world["admin"], deal["id"],
                         asset_id=world["assets"]["archived"], action="emailed")
    assert admin_archived.status_code == 422
    assert admin_archived.get_json()["error"]["message"] == ("Archived assets cannot be used "
                                                             "in deals.")
    assert use(client, headers, deal["id"], asset_id=999_999, action="emailed"
               ).status_code == 404
    assert use(client, headers, deal["id"], action="emailed").status_code == 422
    assert use(client, headers, deal["id"], asset_id=world["assets"]["published"],
               fork_id=1, action="emailed").status_code == 422
    assert use(client, headers, deal["id"], fork_id=1, action="emailed").status_code == 404
    assert use(client, headers, deal["id"], asset_id=world["assets"]["published"],
               action="viewed").status_code == 422  # views come from share links only
    assert use(client, headers, deal["id"], asset_id=world["assets"]["published"],
               action="<script>").status_code == 422
    assert client.get(f"/api/v1/deals/{deal['id']}/usage", headers=headers).get_json() == []


def test_only_the_deals_owner_or_an_admin_records_use(client, world, api_token):
    deal, asset = world["deal"], world["assets"]["published"]
    _, other_rep = api_token("rep")
    _, leader = api_token("leader")
    assert use(client, other_rep, deal["id"], asset_id=asset, action="emailed"
               ).status_code == 404
    assert use(client, leader, deal["id"], asset_id=asset, action="emailed").status_code == 403
    assert use(client, world["marketer_headers"], deal["id"], asset_id=asset,
               action="emailed").status_code == 403
    assert use(client, world["admin"], deal["id"], asset_id=asset, action="emailed"
               ).status_code == 201
    assert client.get(f"/api/v1/deals/{deal['id']}/usage", headers=other_rep).status_code == 404
    assert len(client.get(f"/api/v1/deals/{deal['id']}/usage", headers=leader).get_json()) == 1


def test_use_after_close_is_allowed_but_flagged(client, world):
    deal, headers = world["deal"], world["rep_headers"]
    closed = client.post("/api/v1/deals", headers=world["admin"], json=dict(
        DEAL, owner_email=world["rep"].email, status="won",
        closed_at="2026-01-05T12:00:00Z"))
    assert closed.status_code == 200
    event = use(client, headers, deal["id"], asset_id=world["assets"]["published"],
                action="emailed").get_json()
    assert (event["deal_status"], event["after_close"]) == ("won", True)


def test_use_in_deal_form_and_the_deal_timeline(client, world, app):
    rep, deal = world["rep"], world["deal"]
    assert login(client, rep.email).status_code == 302
    asset = world["assets"]["published"]
    page = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert "Use in deal" in page and "Acme renewal · Evaluation" in page
    response = client.post("/usage", data={"csrf_token": csrf_token(client),
                                           "deal_id": deal["id"], "asset_id": asset,
                                           "action": "presented",
                                           "next": f"/assets/{asset}"})
    assert response.status_code == 302 and response.headers["Location"] == f"/assets/{asset}"
    flashed = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert "Recorded: presented in “Acme renewal”." in flashed
    # An off-site `next` is ignored.
    response = client.post("/usage", data={"csrf_token": csrf_token(client),
                                           "deal_id": deal["id"], "asset_id": asset,
                                           "action": "emailed", "next": "https://evil.test/"})
    assert response.headers["Location"] == "/"
    timeline = client.get(f"/deals/{deal['id']}").get_data(as_text=True)
    entries = re.findall(r'<li class="timeline-(\w+)">', timeline)
    assert entries == ["stage", "usage", "usage"]
    assert "Published guide" in timeline and "v1 · at Evaluation" in timeline
    from app.deals.models import UsageEvent

    with app.app_context():
        assert db.session.query(UsageEvent).count() == 2


def test_use_in_deal_form_refuses_bad_input_without_writing(client, world, app):
    assert login(client, world["rep"].email).status_code == 302
    token = csrf_token(client)
    asset = world["assets"]["published"]
    for data in ({"deal_id": "x", "asset_id": asset, "action": "emailed"},
                 {"deal_id": world["deal"]["id"], "asset_id": asset, "action": "nope"},
                 {"deal_id": world["deal"]["id"], "asset_id": world["assets"]["draft"],
                  "action": "emailed"}):
        response = client.post("/usage", data=dict(data, csrf_token=token, next="/"))
        assert response.status_code == 302
    assert client.post("/usage", data={"deal_id": world["deal"]["id"], "asset_id": asset,
                                       "action": "emailed"}).status_code == 400  # no CSRF
    from app.deals.models import UsageEvent

    with app.app_context():
        assert db.session.query(UsageEvent).count() == 0


def test_use_in_deal_is_offered_under_each_published_search_result(client, world, app):
    assert login(client, world["rep"].email).status_code == 302
    html = client.get("/search?q=guide").get_data(as_text=True)
    hits = html.split('<li class="hit">')[1:]
    assert len(hits) == 1 and "Published guide" in hits[0]  # reps see only the published one
    assert "Use in deal" in hits[0] and "Acme renewal · Evaluation" in hits[0]
    asset = world["assets"]["published"]
    response = client.post("/usage", data={"csrf_token": csrf_token(client),
                                           "deal_id": world["deal"]["id"], "asset_id": asset,
                                           "action": "shared_link", "next": "/search?q=guide"})
    assert response.headers["Location"] == "/search?q=guide"
    from app.deals.models import UsageEvent

    with app.app_context():
        assert [e.action for e in db.session.query(UsageEvent)] == ["shared_link"]
    marketer = app.test_client()
    login(marketer, world["marketer"].email)
    assert "Use in deal" not in marketer.get("/search?q=guide").get_data(as_text=True)


def test_use_on_a_deal_closed_today_is_after_close_though_closed_at_is_tonight(client, world,
                                                                                app):
    """Without a close time from the CRM, closed_at is the end of the close date: later today.
    Use recorded after the deal was marked won must still not count for it; reopening the deal
    makes every use count again."""
    from app.core.timeutil import utcnow
    from app.deals.queries import asset_evidence

    deal, headers, asset_id = world["deal"], world["rep_headers"], world["assets"]["published"]
    today = utcnow().date().isoformat()
    closed = client.post("/api/v1/deals", headers=world["admin"], json=dict(
        DEAL, owner_email=world["rep"].email, status="won", close_date=today))
    assert closed.status_code == 200, closed.get_json()
    event = use(client, headers, deal["id"], asset_id=asset_id, action="emailed").get_json()
    assert (event["deal_status"], event["after_close"]) == ("won", True)
    with app.app_context():
        assert asset_evidence(db.session, [asset_id]) == {}

    reopened = client.post("/api/v1/deals", headers=world["admin"], json=dict(
        DEAL, owner_email=world["rep"].email, status="open", close_date="2030-06-30"))
    assert reopened.status_code == 200
    listed = client.get(f"/api/v1/deals/{deal['id']}/usage", headers=headers).get_json()
    assert [e["after_close"] for e in listed] == [False]
    with app.app_context():
        assert asset_evidence(db.session, [asset_id]) == {asset_id: (1, 0)}


def test_use_before_close_counts_and_the_timeline_marks_only_later_use(client, world):
    deal, headers, asset_id = world["deal"], world["rep_headers"], world["assets"]["published"]
    before = use(client, headers, deal["id"], asset_id=asset_id, action="emailed")
    assert before.status_code == 201
    client.post("/api/v1/deals", headers=world["admin"], json=dict(
        DEAL, owner_email=world["rep"].email, status="won", closed_at="2099-01-01T00:00:00Z"))
    use(client, headers, deal["id"], asset_id=asset_id, action="presented")
    listed = client.get(f"/api/v1/deals/{deal['id']}/usage", headers=headers).get_json()
    assert [(e["action"], e["after_close"]) for e in listed] == [("emailed", False),
                                                                 ("presented", True)]
    login(client, world["rep"].email)
    page = client.get(f"/deals/{deal['id']}").get_data(as_text=True)
    assert page.count("after close: does not count") == 1

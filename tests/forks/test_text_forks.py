"""Text forks through the API: fork, tailor, render, update from the source (three-way merge),
suggest to marketing, accept or decline, and use in a deal. Expected texts are written out by
hand in each test."""

from __future__ import annotations

import re

import pytest
from helpers import multipart, upload_asset

from app.extensions import db

TEMPLATE = ("# Hello {{company}}\n\nWe help teams like yours.\n\n"
            "Pricing starts at 10 seats.\n\nBest,\n{{rep_name}}\n")


@pytest.fixture
def people(api_token):
    marketer, m_headers = api_token("marketer")
    rep, r_headers = api_token("rep")
    other, o_headers = api_token("rep")
    leader, l_headers = api_token("leader")
    admin, a_headers = api_token("admin")
    return {"marketer": (marketer, m_headers), "rep": (rep, r_headers),
            "other": (other, o_headers), "leader": (leader, l_headers),
            "admin": (admin, a_headers)}


def publish(client, headers, data: bytes = TEMPLATE.encode(), filename: str = "email.md",
            **fields) -> int:
    response = upload_asset(client, headers, data, filename, status="published",
                            title=fields.pop("title", "Intro email"), **fields)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def new_version(client, headers, asset_id: int, text: str, filename: str = "email.md"):
    from helpers import multipart

    response = client.post(f"/api/v1/assets/{asset_id}/versions", headers=headers,
                           **multipart({"file": (text.encode(), filename)}))
    assert response.status_code == 201, response.get_json()


def fork(client, headers, asset_id: int, **body):
    return client.post(f"/api/v1/assets/{asset_id}/forks", json=body, headers=headers)


def test_fork_finds_fields_and_renders_the_tailored_text(client, people):
    asset = publish(client, people["marketer"][1])
    response = fork(client, people["rep"][1], asset, account="Acme",
                    fields={"company": "Acme <Corp>", "rep_name": "Dana"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["title"] == "Intro email for Acme"
    assert body["method"] == "text" and body["source_version"] == 1
    assert body["fields"] == {"company": "Acme <Corp>", "rep_name": "Dana"}
    assert body["source_current_version"] == 1
    assert [f["name"] for f in body["field_definitions"]] == ["company", "rep_name"]
    assert body["body"] == TEMPLATE and body["source_update"] is None

    rendered = client.get(f"/api/v1/forks/{body['id']}/render", buffered=True,
                          headers=people["rep"][1])
    assert rendered.status_code == 200
    assert rendered.headers["Content-Disposition"].startswith("attachment")
    assert rendered.get_data(as_text=True) == TEMPLATE.replace(
        "{{company}}", "Acme <Corp>").replace("{{rep_name}}", "Dana")
    html = client.get(f"/api/v1/forks/{body['id']}/render?format=html", buffered=True,
                      headers=people["rep"][1]).get_data(as_text=True)
    assert "<h1>Hello Acme &lt;Corp&gt;</h1>" in html and "<Corp>" not in html


def test_script_in_the_source_and_in_values_never_survives(client, people):
    hostile = ("# Offer\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
               '<img src=x onerror="alert(3)">\n\n{{company}}\n')
    asset = publish(client, people["marketer"][1], hostile.encode())
    created = fork(client, people["rep"][1], asset,
                   fields={"company": '<img src=x onerror=alert(4)>'}).get_json()
    html = client.get(f"/api/v1/forks/{created['id']}/render?format=html", buffered=True,
                      headers=people["rep"][1]).get_data(as_text=True).lower()
    tags = re.findall(r"<[^>]*>", html)
    assert "<script>" not in tags and not [t for t in tags if "javascript" in t]
    assert not [t for t in tags if "onerror" in t]
    # What was markup in the field value is shown as text.
    assert "&lt;img src=x onerror=alert(4)&gt;" in html


def test_a_fork_is_private_to_its_owner_and_marketing(client, people):
    asset = publish(client, people["marketer"][1])
    fork_id = fork(client, people["rep"][1], asset).get_json()["id"]
    for role, status in {"rep": 200, "other": 404, "marketer": 200, "leader": 200,
                         "admin": 200}.items():
        assert client.get(f"/api/v1/forks/{fork_id}",
                          headers=people[role][1]).status_code == status, role
        assert client.get(f"/api/v1/forks/{fork_id}/render", buffered=True,
                          headers=people[role][1]).status_code == status, role
    # Seeing is not changing: only the owner (and admins) tailor it.
    for role, status in {"other": 404, "marketer": 403, "leader": 403, "admin": 200}.items():
        assert client.patch(f"/api/v1/forks/{fork_id}", json={"account": "X"},
                            headers=people[role][1]).status_code == status, role
    listed = client.get(f"/api/v1/assets/{asset}/forks", headers=people["rep"][1])
    assert listed.status_code == 403
    listed = client.get(f"/api/v1/assets/{asset}/forks", headers=people["leader"][1])
    assert [f["id"] for f in listed.get_json()] == [fork_id]
    assert [f["id"] for f in client.get("/api/v1/forks", headers=people["other"][1])
            .get_json()] == []


@pytest.mark.parametrize("payload, reason", [
    ({"fields": {"compnay": "Acme"}}, "unknown_field"),
    ({"fields": {"company": "x" * 100_000}}, "too_long"),
    ({"fields": {"company": "bad\x00value"}}, "invalid"),
    ({"slides": [1, 2]}, "invalid"),
    ({"cover": {"contact": "A"}}, "invalid"),
    ({"title": "t" * 201}, None),
])
def test_bad_tailoring_is_refused_and_nothing_is_stored(client, people, payload, reason):
    asset = publish(client, people["marketer"][1])
    response = fork(client, people["rep"][1], asset, **payload)
    assert response.status_code == 422, response.get_json()
    if reason:
        assert reason in response.get_json()["error"]["details"].values()
    assert client.get("/api/v1/forks", headers=people["rep"][1]).get_json() == []


def test_drafts_and_archived_assets_cannot_be_forked(client, people):
    marketer = people["marketer"][1]
    draft = upload_asset(client, marketer, b"# Draft\n", "d.md").get_json()["id"]
    assert fork(client, people["rep"][1], draft).status_code == 404  # reps cannot see drafts
    assert fork(client, marketer, draft).status_code == 422
    asset = publish(client, marketer)
    fork_id = fork(client, people["rep"][1], asset).get_json()["id"]
    assert client.patch(f"/api/v1/assets/{asset}", json={"status": "archived"},
                        headers=marketer).status_code == 200
    assert fork(client, people["marketer"][1], asset).status_code == 422
    child = fork(client, people["rep"][1], asset, parent_fork_id=fork_id)
    assert child.status_code == 422  # a fork of a fork of an archived source


def test_fork_of_a_fork_keeps_lineage_and_tailoring(client, people):
    asset = publish(client, people["marketer"][1])
    parent = fork(client, people["rep"][1], asset, account="Acme",
                  fields={"company": "Acme"}).get_json()
    child = fork(client, people["rep"][1], asset, parent_fork_id=parent["id"],
                 account="Acme EU").get_json()
    assert child["parent_fork_id"] == parent["id"]
    assert child["fields"]["company"] == "Acme"
    # Another rep cannot fork a fork they cannot see.
    assert fork(client, people["other"][1], asset,
                parent_fork_id=parent["id"]).status_code == 404


def test_two_tabs_editing_one_fork_the_older_revision_loses(client, people):
    asset = publish(client, people["marketer"][1])
    created = fork(client, people["rep"][1], asset).get_json()
    first = client.patch(f"/api/v1/forks/{created['id']}", headers=people["rep"][1],
                         json={"account": "Tab one", "revision": created["revision"]})
    assert first.status_code == 200 and first.get_json()["revision"] == created["revision"] + 1
    second = client.patch(f"/api/v1/forks/{created['id']}", headers=people["rep"][1],
                          json={"account": "Tab two", "revision": created["revision"]})
    assert second.status_code == 409
    assert client.get(f"/api/v1/forks/{created['id']}",
                      headers=people["rep"][1]).get_json()["account"] == "Tab one"


def test_a_revision_at_the_end_of_the_range_is_a_conflict_not_a_crash(client, people):
    """Schemathesis sent the column's largest value; one more did not fit (PostgreSQL: 500)."""
    asset = publish(client, people["marketer"][1])
    created = fork(client, people["rep"][1], asset).get_json()
    for revision in (2**31 - 1, created["revision"] + 5):
        response = client.patch(f"/api/v1/forks/{created['id']}", headers=people["rep"][1],
                                json={"account": "", "revision": revision})
        assert response.status_code == 409, response.get_json()
    after = client.get(f"/api/v1/forks/{created['id']}", headers=people["rep"][1]).get_json()
    assert after["revision"] == created["revision"] and after["account"] == created["account"]


def test_update_from_source_merges_edits_that_do_not_overlap(client, people):
    marketer, rep = people["marketer"][1], people["rep"][1]
    asset = publish(client, marketer)
    created = fork(client, rep, asset).get_json()
    mine = TEMPLATE.replace("We help teams like yours.", "We help retailers like Acme.")
    client.patch(f"/api/v1/forks/{created['id']}", json={"body": mine}, headers=rep)
    theirs = TEMPLATE.replace("Pricing starts at 10 seats.", "Pricing starts at 5 seats.")
    new_version(client, marketer, asset, theirs)

    shown = client.get(f"/api/v1/forks/{created['id']}", headers=rep).get_json()
    assert shown["source_update"] == {"version": 2, "added_lines": 1, "removed_lines": 1}
    assert (shown["source_version"], shown["source_current_version"]) == (1, 2)
    response = client.post(f"/api/v1/forks/{created['id']}/update-from-source", headers=rep,
                           json={})
    assert response.status_code == 200, response.get_json()
    merged = response.get_json()["fork"]
    assert merged["source_version"] == 2 and merged["forked_version"] == 1
    assert merged["body"] == ("# Hello {{company}}\n\nWe help retailers like Acme.\n\n"
                              "Pricing starts at 5 seats.\n\nBest,\n{{rep_name}}\n")
    assert merged["source_update"] is None


def test_overlapping_edits_are_conflicts_for_the_rep_to_resolve(client, people):
    marketer, rep = people["marketer"][1], people["rep"][1]
    asset = publish(client, marketer)
    fork_id = fork(client, rep, asset).get_json()["id"]
    mine = TEMPLATE.replace("Pricing starts at 10 seats.", "Acme gets 20% off.")
    client.patch(f"/api/v1/forks/{fork_id}", json={"body": mine}, headers=rep)
    new_version(client, marketer, asset,
                TEMPLATE.replace("Pricing starts at 10 seats.", "Pricing starts at 5 seats."))

    refused = client.post(f"/api/v1/forks/{fork_id}/update-from-source", headers=rep, json={})
    assert refused.status_code == 409
    conflicts = refused.get_json()["error"]["details"]["conflicts"]
    assert [(c["mine"].strip(), c["theirs"].strip()) for c in conflicts] == [
        ("Acme gets 20% off.", "Pricing starts at 5 seats.")]
    unchanged = client.get(f"/api/v1/forks/{fork_id}", headers=rep).get_json()
    assert unchanged["body"] == mine and unchanged["source_version"] == 1

    resolved = client.post(f"/api/v1/forks/{fork_id}/update-from-source", headers=rep,
                           json={"resolutions": {"0": "mine"}})
    assert resolved.status_code == 200, resolved.get_json()
    assert resolved.get_json()["fork"]["body"] == mine


def test_a_suggestion_accepted_becomes_the_next_version_credited_to_the_rep(client, people):
    marketer, rep = people["marketer"][1], people["rep"][1]
    rep_user = people["rep"][0]
    asset = publish(client, marketer)
    fork_id = fork(client, rep, asset).get_json()["id"]
    unchanged = client.post(f"/api/v1/forks/{fork_id}/suggest", json={"comment": "hi"},
                            headers=rep)
    assert unchanged.status_code == 422  # nothing to suggest yet
    better = TEMPLATE.replace("We help teams like yours.", "Teams like yours ship 2x faster.")
    client.patch(f"/api/v1/forks/{fork_id}", json={"body": better}, headers=rep)
    suggestion = client.post(f"/api/v1/forks/{fork_id}/suggest", headers=rep,
                             json={"comment": "Prospects ask for numbers"})
    assert suggestion.status_code == 201
    suggestion_id = suggestion.get_json()["id"]
    assert client.post(f"/api/v1/forks/{fork_id}/suggest", json={"comment": "again"},
                       headers=rep).status_code == 409
    queue = client.get("/api/v1/suggestions", headers=marketer).get_json()
    assert [s["id"] for s in queue] == [suggestion_id]
    # Another marketer does not own the asset; a rep cannot decide at all.
    _, stranger = people["admin"]
    assert client.post(f"/api/v1/suggestions/{suggestion_id}/accept", json={},
                       headers=rep).status_code == 403

    accepted = client.post(f"/api/v1/suggestions/{suggestion_id}/accept",
                           json={"reply": "Great idea"}, headers=marketer)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted"
    assert accepted.get_json()["result_version"] == 2
    versions = client.get(f"/api/v1/assets/{asset}/versions", headers=marketer).get_json()
    newest = versions[0] if isinstance(versions, list) else versions["items"][0]
    assert newest["number"] == 2
    assert newest["notes"] == (f"Suggested by {rep_user.name} (fork #{fork_id}): "
                               "Prospects ask for numbers")
    download = client.get(f"/api/v1/assets/{asset}/versions/2/download", headers=marketer)
    assert download.get_data() == better.encode()
    assert client.post(f"/api/v1/suggestions/{suggestion_id}/decline", json={"reply": "no"},
                       headers=stranger).status_code == 409  # already decided


def test_a_declined_suggestion_carries_the_reply(client, people):
    marketer, rep = people["marketer"][1], people["rep"][1]
    asset = publish(client, marketer)
    fork_id = fork(client, rep, asset).get_json()["id"]
    client.patch(f"/api/v1/forks/{fork_id}", json={"body": "Totally different\n"}, headers=rep)
    sid = client.post(f"/api/v1/forks/{fork_id}/suggest", json={"comment": "Shorter"},
                      headers=rep).get_json()["id"]
    assert client.post(f"/api/v1/suggestions/{sid}/decline", json={},
                       headers=marketer).status_code == 422  # a decline needs a reply
    declined = client.post(f"/api/v1/suggestions/{sid}/decline",
                           json={"reply": "Legal needs the pricing line"}, headers=marketer)
    assert declined.status_code == 200
    assert declined.get_json()["reply"] == "Legal needs the pricing line"
    versions = client.get(f"/api/v1/assets/{asset}/versions", headers=marketer).get_json()
    numbers = [v["number"] for v in (versions if isinstance(versions, list)
                                     else versions["items"])]
    assert numbers == [1]


def test_using_a_fork_in_a_deal_counts_for_its_source(app, client, people):
    marketer, rep = people["marketer"][1], people["rep"][1]
    rep_user = people["rep"][0]
    asset = publish(client, marketer)
    fork_id = fork(client, rep, asset, account="Acme").get_json()["id"]
    deal = client.post("/api/v1/deals", headers=people["admin"][1], json={
        "external_id": "OPP-1", "name": "Acme renewal", "owner_email": rep_user.email,
        "stage": "Evaluation", "close_date": "2030-01-31"}).get_json()["deals"][0]["id"]
    used = client.post(f"/api/v1/deals/{deal}/usage", headers=rep,
                       json={"fork_id": fork_id, "action": "emailed"})
    assert used.status_code == 201, used.get_json()
    assert (used.get_json()["asset_id"], used.get_json()["fork_id"],
            used.get_json()["version"]) == (asset, fork_id, 1)
    # Someone else's fork is not found.
    other_deal = client.post("/api/v1/deals", headers=people["admin"][1], json={
        "external_id": "OPP-2", "name": "Other", "owner_email": people["other"][0].email,
        "stage": "Evaluation", "close_date": "2030-01-31"}).get_json()["deals"][0]["id"]
    assert client.post(f"/api/v1/deals/{other_deal}/usage", headers=people["other"][1],
                       json={"fork_id": fork_id, "action": "emailed"}).status_code == 404
    from app.deals.queries import asset_evidence

    with app.app_context():
        assert asset_evidence(db.session, [asset]) == {asset: (1, 0)}


def test_a_fork_behind_its_source_is_updated_and_suggested_again(client, people):
    """A waiting suggestion made against an older source version cannot be accepted; the rep
    updates the fork and suggests again, which replaces the waiting one."""
    marketer, rep = people["marketer"][1], people["rep"][1]
    asset = publish(client, marketer)
    fork_id = fork(client, rep, asset).get_json()["id"]
    client.patch(f"/api/v1/forks/{fork_id}", json={"body": TEMPLATE + "A closing line.\n"},
                 headers=rep)
    first = client.post(f"/api/v1/forks/{fork_id}/suggest", json={"comment": "Add a close"},
                        headers=rep).get_json()["id"]
    newer = TEMPLATE.replace("Hello", "Hi")
    assert client.post(f"/api/v1/assets/{asset}/versions", headers=marketer, **multipart(
        {"file": (newer.encode(), "email.md")})).status_code == 201
    stale = client.post(f"/api/v1/suggestions/{first}/accept", json={}, headers=marketer)
    assert stale.status_code == 409
    updated = client.post(f"/api/v1/forks/{fork_id}/update-from-source", json={}, headers=rep)
    assert updated.status_code == 200, updated.get_json()
    second = client.post(f"/api/v1/forks/{fork_id}/suggest", json={"comment": "Again"},
                         headers=rep)
    assert second.status_code == 201, second.get_json()
    queue = client.get("/api/v1/suggestions", headers=marketer).get_json()
    waiting = [s["id"] for s in (queue if isinstance(queue, list) else queue["items"])]
    assert waiting == [second.get_json()["id"]]
    accepted = client.post(f"/api/v1/suggestions/{second.get_json()['id']}/accept", json={},
                           headers=marketer)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["result_version"] == 3

"""Fork pages through the HTML forms: fork from the asset page, tailor, a stale second tab,
conflicts on "update my fork", the suggestion queue, field defaults, hostile input."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token, login, multipart, upload_asset

TEMPLATE = b"# Hello {{company}}\n\nIntro.\n\nPricing: 10 seats.\n"


@pytest.fixture
def marketer(api_token):
    return api_token("marketer")


def publish(client, headers, data: bytes = TEMPLATE, filename: str = "email.md") -> int:
    response = upload_asset(client, headers, data, filename, status="published",
                            title="Intro email")
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def post(client, url: str, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client), **fields})


def fork_from_page(client, asset_id: int, account: str = "Acme") -> int:
    response = post(client, f"/assets/{asset_id}/fork", account=account)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/forks/(\d+)$", response.headers["Location"]).group(1))


def test_the_asset_page_offers_a_fork_and_marketing_sees_the_tree(client, marketer, login_as,
                                                                  app, make_user):
    _, m_headers = marketer
    asset = publish(client, m_headers)
    rep = login_as("rep", name="Rita Rep")
    page = client.get(f"/assets/{asset}").get_data(as_text=True)
    assert "Fork and tailor" in page and "Forks (" not in page  # reps do not see the tree
    fork_id = fork_from_page(client, asset)
    assert "Intro email for Acme" in client.get(f"/forks/{fork_id}").get_data(as_text=True)

    leader = app.test_client()
    login(leader, make_user("leader").email)
    tree = leader.get(f"/assets/{asset}").get_data(as_text=True)
    assert "Forks (1)" in tree and rep.name in tree
    assert "Fields reps fill" not in tree  # nothing filled yet


def test_a_stale_tab_is_refused_and_the_fresh_edit_kept(client, marketer, login_as):
    asset = publish(client, marketer[1])
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    first = post(client, f"/forks/{fork_id}", title="Mine", account="Acme", revision="1",
                 body="# Hello {{company}}\n\nTab one.\n")
    assert first.status_code == 302
    stale = post(client, f"/forks/{fork_id}", title="Mine", account="Acme", revision="1",
                 body="# Hello {{company}}\n\nTab two.\n")
    assert stale.status_code == 409
    assert "changed elsewhere" in stale.get_data(as_text=True)
    assert "Tab one." in client.get(f"/forks/{fork_id}").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"field-company": "x" * 2_001}, "at most 2,000 characters"),
    ({"field-nope": "x"}, "is not a field of this asset"),
    ({"title": ""}, "Give the fork a title."),
])
def test_bad_form_input_is_shown_and_nothing_changes(client, marketer, login_as, fields,
                                                     message):
    asset = publish(client, marketer[1])
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    form = {"title": "T", "account": "Acme", **fields}
    response = post(client, f"/forks/{fork_id}", **form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Intro email for Acme" in client.get(f"/forks/{fork_id}").get_data(as_text=True)


def test_conflicts_are_shown_and_resolved_from_the_page(client, marketer, login_as):
    _, m_headers = marketer
    asset = publish(client, m_headers)
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    post(client, f"/forks/{fork_id}", title="T", account="Acme",
         body="# Hello {{company}}\n\nIntro.\n\nPricing: 20% off for Acme.\n")
    client.post(f"/api/v1/assets/{asset}/versions", headers=m_headers, **multipart(
        {"file": (b"# Hello {{company}}\n\nIntro.\n\nPricing: 5 seats.\n", "email.md")}))
    page = client.get(f"/forks/{fork_id}").get_data(as_text=True)
    assert "source updated" in page and "Version 2 is out" in page
    assert "<del>10</del>" in page and "<ins>5</ins>" in page  # the diff, word by word

    conflicted = post(client, f"/forks/{fork_id}/update")
    assert conflicted.status_code == 409
    text = conflicted.get_data(as_text=True)
    assert 'name="resolve-0"' in text and "Pricing: 20% off for Acme." in text
    done = post(client, f"/forks/{fork_id}/update", **{"resolve-0": "custom",
                                                       "custom-0": "Pricing: 5 seats, 20% off."})
    assert done.status_code == 302
    page = client.get(f"/forks/{fork_id}").get_data(as_text=True)
    assert "Pricing: 5 seats, 20% off." in page and "Version 2 is out" not in page


def test_preview_is_sanitized_and_only_for_text_forks(client, marketer, login_as):
    asset = publish(client, marketer[1])
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    html = post(client, f"/forks/{fork_id}/preview",
                body='# {{company}}\n\n<script>alert(1)</script><a href="javascript:x">a</a>',
                **{"field-company": "<b>Acme</b>"}).get_data(as_text=True)
    assert "<script>" not in html and "javascript:" not in html
    assert "<h1>&lt;b&gt;Acme&lt;/b&gt;</h1>" in html
    assert client.post(f"/forks/{fork_id}/preview", data={"body": "x"}).status_code == 400


def test_marketing_sets_field_defaults_and_the_fork_uses_them(app, client, marketer,
                                                              login_as):
    user, m_headers = marketer
    asset = publish(client, m_headers)
    owner = app.test_client()
    login(owner, user.email)
    saved = post(owner, f"/assets/{asset}/field-defaults", **{"default-company": "your team"})
    assert saved.status_code == 302
    refused = post(owner, f"/assets/{asset}/field-defaults", **{"default-x": "?"})
    assert refused.status_code == 302  # back to the page with the reason
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    download = client.get(f"/forks/{fork_id}/download", buffered=True)
    assert download.get_data(as_text=True).startswith("# Hello your team\n")


def test_the_slide_picker_keeps_and_orders_slides(client, marketer, login_as):
    from forks.test_office_forks import pptx_bytes

    asset = publish(client, marketer[1], pptx_bytes(["One", "Two", "Three"]), "deck.pptx")
    login_as("rep")
    fork_id = fork_from_page(client, asset)
    page = client.get(f"/forks/{fork_id}").get_data(as_text=True)
    assert page.count('class="slide"') == 3
    # No LibreOffice preview in this test: each slide shows its text instead of a picture.
    assert "Three Body of Three for {{company}}" in page and "/pages/3.png" not in page
    saved = post(client, f"/forks/{fork_id}", title="Deck", account="Acme",
                 **{"slides-shown": "1", "keep-3": "1", "order-3": "1", "keep-1": "1",
                    "order-1": "2", "order-2": "3"})  # slide 2 unticked: dropped
    assert saved.status_code == 302
    fork = client.get(f"/api/v1/forks/{fork_id}").get_json()
    assert fork["slides"] == [3, 1]
    none_kept = post(client, f"/forks/{fork_id}", title="Deck", **{"slides-shown": "1"})
    assert none_kept.status_code == 422 and "Keep at least one slide." in none_kept.get_data(
        as_text=True)


def test_a_fork_of_a_fork_from_the_page(client, marketer, login_as):
    asset = publish(client, marketer[1])
    login_as("rep")
    parent = fork_from_page(client, asset)
    post(client, f"/forks/{parent}", title="Parent", account="Acme", **{"field-company": "Acme"})
    response = post(client, f"/assets/{asset}/fork", account="Acme EU", parent_fork_id=parent)
    child = int(re.search(r"/forks/(\d+)$", response.headers["Location"]).group(1))
    shown = client.get(f"/api/v1/forks/{child}").get_json()
    assert shown["parent_fork_id"] == parent and shown["account"] == "Acme EU"
    assert shown["fields"] == {"company": "Acme"}
    other = publish(client, marketer[1], b"# Other {{x}}\n", "other.md")
    wrong = client.post(f"/api/v1/assets/{other}/forks", json={"parent_fork_id": parent},
                        headers={"X-CSRFToken": csrf_token(client)})
    assert wrong.status_code == 422

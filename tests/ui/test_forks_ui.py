"""Forks in headless Chromium: a rep forks a Markdown email template from its asset page,
fills the fields and edits the text with the live preview updating, downloads it, suggests it
to marketing; the marketer accepts it from the queue and the asset gets version 2."""

from __future__ import annotations

import re

import pytest
from fixtures.browser import sign_in
from helpers import PASSWORD, upload_asset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TEMPLATE = b"# Hello {{company}}\n\nWe help teams like yours.\n\nBest,\n{{rep_name}}\n"


def test_rep_tailors_a_template_and_marketing_accepts_the_suggestion(
        open_page, live_server, app, make_user):
    marketer = make_user("marketer", name="Mia Marketer")
    rep = make_user("rep", name="Rita Rep")
    client = app.test_client()
    from app.auth import services
    from app.extensions import db

    with app.app_context():
        token = services.issue_token(db.session.get(type(marketer), marketer.id), "ui")
    created = upload_asset(client, {"Authorization": f"Bearer {token}"}, TEMPLATE, "intro.md",
                           status="published", title="Intro email")
    assert created.status_code == 201
    asset_id = created.get_json()["id"]

    page = open_page()
    sign_in(page, live_server, rep.email, PASSWORD)
    page.goto(f"{live_server.url}/assets/{asset_id}")
    page.get_by_label("For account").fill("Acme Corp")
    page.get_by_role("button", name="Fork and tailor").click()
    expect(page).to_have_url(re.compile(r"/forks/\d+$"))
    expect(page.locator(".fork-head h1")).to_have_text("Intro email for Acme Corp")
    preview = page.locator("[data-rendered]")
    expect(preview.locator("h1")).to_have_text("Hello {{company}}")

    page.get_by_label("Company", exact=True).fill("Acme <b>Corp</b>")
    expect(preview.locator("h1")).to_have_text("Hello Acme <b>Corp</b>")  # text, not markup
    body = page.locator("textarea[name=body]")
    body.fill(body.input_value().replace("We help teams like yours.",
                                         "We helped **Beta** cut costs by 30%."))
    expect(preview.locator("strong")).to_have_text("Beta")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash.info")).to_have_text("Saved.")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download tailored file").click()
    saved = download.value.path().read_text(encoding="utf-8")
    assert saved == ("# Hello Acme <b>Corp</b>\n\nWe helped **Beta** cut costs by 30%.\n\n"
                     "Best,\nRita Rep\n")  # {{rep_name}}: the rep's own name unless they type one

    page.get_by_label("What should marketing change, and why?").fill("Numbers land better")
    page.get_by_role("button", name="Suggest to marketing").click()
    expect(page.locator(".suggestion-item")).to_contain_text("pending")

    marketing = open_page()
    sign_in(marketing, live_server, marketer.email, PASSWORD)
    marketing.goto(f"{live_server.url}/suggestions")
    card = marketing.locator(".suggestion-card")
    expect(card).to_have_count(1)
    expect(card.locator(".diff .ins")).to_have_text("We helped **Beta** cut costs by 30%.")
    expect(card.locator(".diff .del")).to_have_text("We help teams like yours.")
    card.get_by_label("Reply to Rita Rep").fill("Shipping it")
    card.get_by_role("button", name="Accept as next version").click()
    expect(marketing.locator(".flash.info")).to_have_text("Suggestion accepted.")
    marketing.goto(f"{live_server.url}/assets/{asset_id}")
    expect(marketing.locator("dl.facts")).to_contain_text(re.compile(r"Version\s*2 ·"))
    expect(marketing.locator(".fork-tree li")).to_contain_text("Rita Rep")

    page.reload()
    expect(page.locator(".suggestion-item")).to_contain_text("Mia Marketer: Shipping it")

"""Deals in headless Chromium: an admin imports a CRM export through the preview page, a rep
records use of an asset in one of their deals, and the deal's timeline shows it."""

from __future__ import annotations

import re

import pytest
from fixtures.browser import sign_in
from helpers import PASSWORD, upload_asset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

EXPORT = ('"Opportunity Owner","Account Name","Opportunity Name","Stage","Amount Currency",'
          '"Amount","Close Date","Opportunity ID"\n'
          '"Rita Rep","Acme Corp","Acme renewal","Needs Analysis","USD","184,500.00",'
          '"6/30/2030","0065g00000QkR2m"\n'
          '"Rita Rep","Beta GmbH","Beta rollout","Closed Won","EUR","9,500.00","3/15/2026",'
          '"0065g00000QkR2M"\n')


def test_admin_imports_and_rep_uses_content_in_a_deal(open_page, live_server, app, make_user,
                                                      api_token, tmp_path):
    admin = make_user("admin")
    rep = make_user("rep", name="Rita Rep")
    _, marketer = api_token("marketer")
    client = app.test_client()
    created = upload_asset(client, marketer, b"# ROI guide\n\nPayback in months.\n", "roi.md",
                           status="published", title="ROI guide", stage="discovery")
    assert created.status_code == 201
    asset_id = created.get_json()["id"]

    page = open_page()
    sign_in(page, live_server, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/deals/import")
    export = tmp_path / "opportunities.csv"
    export.write_text(EXPORT, encoding="utf-8")
    page.set_input_files("input[name=file]", str(export))
    page.get_by_label("Number and date format").select_option("en_US")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import preview")
    expect(page.locator("text=Detected Salesforce report")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("New deals")
    page.get_by_role("button", name="Import 2 deals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import done")
    page.get_by_role("link", name="See the deals").click()
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Acme renewal")).to_contain_text("USD 184,500.00")
    expect(rows.filter(has_text="Acme renewal")).to_contain_text("Discovery")

    rep_page = open_page()
    sign_in(rep_page, live_server, rep.email, PASSWORD)
    rep_page.goto(f"{live_server.url}/assets/{asset_id}")
    rep_page.locator("summary", has_text="Use in deal").click()
    # Only the rep's open deal is offered: the won one is closed.
    options = rep_page.locator(".use-in-deal select[name=deal_id] option")
    expect(options).to_have_text(["Acme renewal · Discovery"])
    rep_page.locator(".use-in-deal select[name=action]").select_option("presented")
    rep_page.get_by_role("button", name="Record").click()
    expect(rep_page.locator(".flash.info")).to_have_text(
        "Recorded: presented in “Acme renewal”.")
    rep_page.goto(f"{live_server.url}/deals")
    expect(rep_page.locator("table.table tbody tr")).to_have_count(2)
    rep_page.get_by_role("link", name="Acme renewal").click()
    expect(rep_page).to_have_url(re.compile(r"/deals/\d+$"))
    usage = rep_page.locator("li.timeline-usage")
    expect(usage).to_have_count(1)
    expect(usage).to_contain_text("Rita Rep presented ROI guide")
    expect(usage).to_contain_text("at Needs Analysis")

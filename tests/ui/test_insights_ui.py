"""Insights in headless Chromium: a leader reads the dashboard (charts drawn, no console or CSP
errors), narrows it with the filters, follows an asset to its page and downloads a table."""

from __future__ import annotations

import csv
import io

import pytest
from fixtures.browser import sign_in
from fixtures.insights import build
from helpers import PASSWORD
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_leader_reads_filters_and_downloads(open_page, live_server, app, monkeypatch):
    world = build(app, monkeypatch)
    page = open_page()
    sign_in(page, live_server, world.users["L"].email, PASSWORD)
    page.goto(f"{live_server.url}/insights")
    expect(page.get_by_role("heading", name="Content effectiveness")).to_be_visible()
    chart = page.get_by_role("img", name="Win rate with 95% interval against the baseline, "
                                          "per asset")
    expect(chart).to_be_visible()
    assert chart.locator("rect.bar").count() == 3
    expect(chart).to_contain_text("lift 2.25*")

    page.get_by_label("Industry").select_option("Retail")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert "industry=Retail" in page.url
    # Retail: A influenced D9 (open) and D11 (lost); the table shows it.
    row = page.locator("table.insights-table tr", has_text="Asset A")
    expect(row).to_contain_text("0%")

    page.locator("table.insights-table a", has_text="Asset A").click()
    page.wait_for_url("**/insights/assets/**")
    expect(page.get_by_role("heading", name="Asset A")).to_be_visible()
    with page.expect_download() as download:
        page.locator("section", has_text="By version").get_by_text("Download CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    assert rows[0][0] == "version" and [r[0] for r in rows[1:]] == ["2"]  # Retail: D9, D11

"""The in-app PDF viewer in headless Chromium: "Open" on a PDF draws its pages with the vendored
pdf.js under the app's own CSP, with no console errors, and hidden PDFs stay hidden.

Headless Chromium has no PDF plugin, and the file itself is served under a sandboxing CSP that
would stop one anyway; the viewer is how a PDF actually renders in the browser.
"""

from __future__ import annotations

import re

import pytest
from fixtures.browser import sign_in
from helpers import PASSWORD, SAMPLE_PDF, corpus_file, upload_asset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Share of non-white pixels: a blank canvas has none; a page of the sample has 0.2% or more.
INKED = 0.001
CANVAS_INK = """canvas => {
    const {data} = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) {
        if (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200) inked += 1;
    }
    return inked / (canvas.width * canvas.height);
}"""


def create_asset(app, user, data: bytes, filename: str, **fields) -> int:
    from app.auth.services import issue_token
    from app.extensions import db

    with app.app_context():
        token = issue_token(db.session.get(type(user), user.id), "viewer tests")
        db.session.remove()
    response = upload_asset(app.test_client(), {"Authorization": f"Bearer {token}"}, data,
                            filename, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def test_open_draws_every_page_of_a_pdf(page, live_server, app, make_user):
    marketer, rep = make_user("marketer"), make_user("rep")
    asset_id = create_asset(app, marketer, corpus_file(SAMPLE_PDF), "pricing.pdf",
                            title="Pricing deck", status="published")
    sign_in(page, live_server, rep.email, PASSWORD)
    page.goto(f"{live_server.url}/assets/{asset_id}")
    with page.expect_navigation() as navigation:
        page.get_by_role("link", name="Open", exact=True).click()
    response = navigation.value
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy and "sandbox" not in policy
    expect(page).to_have_url(re.compile(rf"/assets/{asset_id}/versions/1/view$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing deck")

    viewer = page.locator(".pdf-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    expect(viewer).to_have_attribute("data-page-count", "4")
    expect(page.locator(".pdf-status")).to_have_text("4 pages")
    pages = page.get_by_role("img", name=re.compile(r"^Page \d of 4$"))
    expect(pages).to_have_count(4)
    expect(pages.nth(0)).to_have_attribute("data-rendered", "true")
    assert pages.nth(0).evaluate(CANVAS_INK) > INKED
    pages.nth(3).scroll_into_view_if_needed()  # later pages are drawn as they come into view
    expect(pages.nth(3)).to_have_attribute("data-rendered", "true")
    assert pages.nth(3).evaluate(CANVAS_INK) > INKED
    width = pages.nth(0).evaluate("c => c.getBoundingClientRect().width")
    assert 300 < width <= 1000

    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read() == corpus_file(SAMPLE_PDF)


def test_viewer_keeps_hidden_pdfs_hidden(page, live_server, app, make_user):
    marketer, rep = make_user("marketer"), make_user("rep")
    pdf = corpus_file(SAMPLE_PDF)
    draft = create_asset(app, marketer, pdf, "draft.pdf", status="draft")
    versioned = create_asset(app, marketer, pdf, "v1.pdf", status="published")
    from app.auth.services import issue_token
    from app.extensions import db

    with app.app_context():
        token = issue_token(db.session.get(type(marketer), marketer.id), "viewer tests")
    second = app.test_client().post(
        f"/api/v1/assets/{versioned}/versions", headers={"Authorization": f"Bearer {token}"},
        data={"file": (__import__("io").BytesIO(pdf + b"\n"), "v2.pdf")},
        content_type="multipart/form-data")
    assert second.status_code == 201
    sign_in(page, live_server, rep.email, PASSWORD)
    assert page.request.get(f"{live_server.url}/assets/{draft}/versions/1/view").status == 404
    assert page.request.get(f"{live_server.url}/assets/{draft}/versions/1/download"
                            "?stream=1").status == 404
    assert page.request.get(f"{live_server.url}/assets/{versioned}/versions/1/view").status == 403
    assert page.request.get(f"{live_server.url}/assets/{versioned}/versions/2/view").status == 200

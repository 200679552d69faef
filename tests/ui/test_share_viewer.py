"""A prospect opens a tracked PDF link in headless Chromium: pdf.js draws the pages, beacons
report the seconds on each page, and closing the tab mid-view still reports. On a phone-sized
screen the page fits the width."""

from __future__ import annotations

import time

import pytest
from helpers import SAMPLE_PDF, corpus_file, upload_asset
from playwright.sync_api import expect

from app.extensions import db

pytestmark = pytest.mark.browser
# Headless Chromium names itself in its User-Agent, and the viewer rightly takes it for a bot.
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0 Safari/537.36")
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Mobile Safari/537.36")


def bearer(app, user) -> dict:
    from app.auth.services import issue_token

    with app.app_context():
        token = issue_token(db.session.get(type(user), user.id), "share tests")
        db.session.remove()
    return {"Authorization": f"Bearer {token}"}


def create_asset(app, user, data: bytes, filename: str, **fields) -> int:
    response = upload_asset(app.test_client(), bearer(app, user), data, filename, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def make_link(app, user, asset_id: int) -> dict:
    response = app.test_client().post("/api/v1/share-links", json={"asset_ids": [asset_id]},
                                      headers=bearer(app, user))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def page_seconds(app) -> dict[int, float]:
    from app.share.models import VisitTime

    with app.app_context():
        rows = db.session.scalars(db.select(VisitTime)).all()
        found = {row.page: row.seconds for row in rows}
        db.session.remove()
        return found


def wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_page_beacons_arrive_and_a_closed_tab_still_reports(open_page, live_server, app,
                                                            make_user):
    marketer, rep = make_user("marketer"), make_user("rep")
    asset_id = create_asset(app, marketer, corpus_file(SAMPLE_PDF), "pricing.pdf",
                            title="Pricing deck", status="published")
    link = make_link(app, rep, asset_id)
    token = link["url"].rsplit("/s/", 1)[1]
    page = open_page(user_agent=DESKTOP)
    response = page.goto(f"{live_server.url}/s/{token}")
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    viewer = page.locator(".pdf-viewer")
    expect(viewer).to_have_attribute("data-state", "ready")
    pages = page.get_by_role("img", name=__import__("re").compile(r"^Page \d of 4$"))
    expect(pages).to_have_count(4)
    page.wait_for_timeout(3500)  # reading page 1
    pages.nth(2).evaluate("c => c.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(3500)  # reading page 3
    assert page_seconds(app) == {}  # nothing sent yet: the first timed beacon is at 10 s
    page.close(run_before_unload=True)  # the tab closes mid-view
    seconds = wait_for(lambda: page_seconds(app))
    assert set(seconds) <= {1, 2, 3, 4} and seconds.get(1, 0) >= 2 and seconds.get(3, 0) >= 2
    assert 5 <= sum(seconds.values()) <= 9, seconds


def test_a_timed_beacon_reports_while_the_page_stays_open(open_page, live_server, app,
                                                          make_user):
    marketer, rep = make_user("marketer"), make_user("rep")
    asset_id = create_asset(app, marketer, corpus_file(SAMPLE_PDF), "pricing.pdf",
                            title="Pricing deck", status="published")
    token = make_link(app, rep, asset_id)["url"].rsplit("/s/", 1)[1]
    page = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                     user_agent=PHONE)
    page.goto(f"{live_server.url}/s/{token}")
    expect(page.locator(".pdf-viewer")).to_have_attribute("data-state", "ready")
    # The phone layout: nothing wider than the screen, pages scaled to fit.
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    width = page.locator(".pdf-page").first.evaluate("c => c.getBoundingClientRect().width")
    assert 250 < width <= 390
    seconds = wait_for(lambda: page_seconds(app), timeout=15)
    assert 8 <= sum(seconds.values()) <= 13, seconds  # the 10-second beacon, page 1
    assert set(seconds) == {1}
    assert visit_devices(app) == ["phone"]


def visit_devices(app) -> list[str]:
    from app.share.models import ShareVisit

    with app.app_context():
        found = [v.device for v in db.session.scalars(db.select(ShareVisit))]
        db.session.remove()
        return found


def test_headless_chromium_is_taken_for_a_bot_and_sees_no_content(open_page, live_server, app,
                                                                  make_user):
    marketer, rep = make_user("marketer"), make_user("rep")
    asset_id = create_asset(app, marketer, corpus_file(SAMPLE_PDF), "pricing.pdf",
                            title="Pricing deck", status="published")
    token = make_link(app, rep, asset_id)["url"].rsplit("/s/", 1)[1]
    page = open_page()  # Chromium's own headless User-Agent
    page.goto(f"{live_server.url}/s/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shared with you")
    assert page.locator(".pdf-viewer").count() == 0
    assert visit_devices(app) == ["bot"]

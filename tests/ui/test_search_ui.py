"""The rep's search experience in a real browser: results as you type, keyboard navigation,
facets that live in the URL, and the insights page for marketers."""

import io

import pytest
from fixtures.browser import sign_in
from helpers import PASSWORD

from app.extensions import db

pytestmark = pytest.mark.browser


def _publish(app, owner_id, title, body, **fields):
    from app.auth.models import User
    from app.library import services

    with app.app_context():
        owner = db.session.get(User, owner_id)
        asset = services.create_asset(owner, io.BytesIO(body.encode()), f"{title}.md",
                                      {"title": title, "status": "published", **fields})
        return asset.id


def test_typeahead_keyboard_and_shareable_facets(page, live_server, app, make_user):
    marketer = make_user("marketer")
    first = _publish(app, marketer.id, "Hospital security brief", "HIPAA controls for hospitals",
                     stage="evaluation", industry="Healthcare")
    _publish(app, marketer.id, "Hospital pricing sheet", "Pricing for hospital groups",
             stage="proposal", industry="Healthcare")
    rep = make_user("rep")
    sign_in(page, live_server, rep.email, PASSWORD)

    box = page.locator("form.topsearch input[name=q]")
    box.press_sequentially("hospit", delay=40)
    options = page.locator("#typeahead li[role=option]")
    options.first.wait_for()
    assert options.count() == 2
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    chosen = options.nth(0).locator("a").inner_text()
    box.press("Enter")
    page.wait_for_url("**/assets/*")
    assert page.locator("h1").inner_text() == chosen

    page.goto(live_server.url + "/search?q=hospital")
    assert "2 results" in page.locator("h1").inner_text()
    page.locator("aside.filters a", has_text="evaluation").click()
    page.wait_for_url("**stage=evaluation**")
    assert "1 result" in page.locator("h1").inner_text()
    shared_url = page.url
    assert page.locator("p.snippet mark").first.inner_text().lower().startswith("hospital")
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url(f"**/assets/{first}")

    other = make_user("leader")
    second_page = page.context.browser.new_context().new_page()
    sign_in(second_page, live_server, other.email, PASSWORD)
    second_page.goto(shared_url)
    assert "1 result" in second_page.locator("h1").inner_text()
    second_page.context.close()


def test_typo_shows_did_you_mean_and_insights_list_the_gap(page, live_server, app, make_user):
    marketer = make_user("marketer")
    _publish(app, marketer.id, "Procurement checklist", "Procurement questions answered")
    sign_in(page, live_server, marketer.email, PASSWORD)
    page.goto(live_server.url + "/search?q=checklsit")  # same stem as nothing: a real typo
    assert page.locator("p.suggestion a").inner_text() == "checklist"
    assert "1 result" in page.locator("h1").inner_text()  # and the typo still finds it
    page.goto(live_server.url + "/search?q=quantum+blockchain")
    assert "0 results" in page.locator("h1").inner_text()
    page.goto(live_server.url + "/search/insights")
    gaps = page.locator("section", has_text="Content gaps")
    assert "quantum blockchain" in gaps.inner_text()

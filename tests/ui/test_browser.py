"""Real user journeys in headless Chromium against the app served over HTTP.

Every page these tests open is watched by the `page`/`open_page` fixtures: a console error (which
includes any Content Security Policy violation, e.g. an inline script in a template) or an
uncaught JavaScript error fails the test. Between them the journeys visit the login, library,
detail, edit, upload, versions, admin and invitation pages.
"""

from __future__ import annotations

import base64
import io
import re

import pytest
from fixtures.browser import sign_in
from helpers import PASSWORD, SAMPLE_DOCX, SAMPLE_PDF, corpus_file, upload_asset
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SMALL_PDF = "pdf/pypdf/crazyones.pdf"
IMAGE_PDF = "pdf/pypdf/jpeg.pdf"
CSP_PARTS = ("default-src 'self'", "script-src 'self'", "object-src 'none'",
             "frame-ancestors 'none'")
# Chromium logs every 4xx response, documents included, as a console error.
CLIENT_ERROR = r"Failed to load resource: the server responded with a status of 4\d\d"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_csp(response) -> None:
    assert response is not None and response.ok, response and response.status
    policy = response.headers.get("content-security-policy", "")
    for part in CSP_PARTS:
        assert part in policy, f"{response.url}: CSP lacks {part!r}: {policy!r}"
    assert "unsafe-inline" not in policy


def goto(page, url: str):
    response = page.goto(url)
    assert_csp(response)
    return response


def create_asset_via_api(app, user, data: bytes, filename: str, **fields) -> int:
    """Upload through /api/v1/assets with a bearer token, as an integration would."""
    from app.auth.services import issue_token
    from app.extensions import db

    with app.app_context():
        token = issue_token(db.session.get(type(user), user.id), "browser tests")
        db.session.remove()
    response = upload_asset(app.test_client(), {"Authorization": f"Bearer {token}"},
                            data, filename, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


# a. Sign in and out ---------------------------------------------------------------------------

def test_sign_in_with_the_form_and_sign_out(page, live_server, make_user, console):
    user = make_user("rep")
    console.allow(r"/login\): " + CLIENT_ERROR)  # the refused sign-in answers 4xx

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login"))  # the library needs a session
    response = sign_in(page, live_server, user.email, "not the password")
    assert response.status >= 400
    expect(page.locator(".flash.error")).to_have_text("Email or password is incorrect.")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    response = sign_in(page, live_server, user.email, PASSWORD)
    assert_csp(response)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Library")
    expect(page.locator(".who")).to_have_text(f"{user.name} · rep")
    expect(page.get_by_role("link", name="Upload", exact=True)).to_have_count(0)  # reps can't

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash.info")).to_have_text("You are signed out.")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login"))


# b. Three files at once, one of them lying about its type ---------------------------------------

def test_marketer_uploads_three_files_with_one_progress_bar_each(page, live_server, make_user,
                                                                 console, tmp_path):
    marketer = make_user("marketer")
    files = [write(tmp_path, "q3-pricing-guide.pdf", corpus_file(SAMPLE_PDF)),
             write(tmp_path, "report.pdf", png_bytes()),
             write(tmp_path, "customer_story.docx", corpus_file(SAMPLE_DOCX))]
    console.allow(r"/api/v1/assets\): " + CLIENT_ERROR)  # the lying file is refused with 4xx

    sign_in(page, live_server, marketer.email, PASSWORD)
    page.get_by_role("link", name="Upload", exact=True).click()
    expect(page).to_have_url(re.compile(r"/assets/new$"))
    assert_csp(page.request.get(page.url))
    page.set_input_files("#files", files)
    rows = page.locator("#queue li")
    expect(rows).to_have_count(3)
    expect(rows.locator("progress")).to_have_count(3)
    expect(rows.locator(".name")).to_have_text([f.name for f in files])
    expect(rows.locator(".status")).to_have_text(["Ready"] * 3)

    page.get_by_label("Funnel stage").select_option("discovery")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#upload-form")).to_have_attribute("data-finished", "true")

    good = [rows.nth(0), rows.nth(2)]
    for row in good:
        expect(row).to_have_class(re.compile(r"\bdone\b"))
        expect(row.locator("progress")).to_have_js_property("value", 100)
        expect(row.get_by_role("link", name="Uploaded: open")).to_have_attribute(
            "href", re.compile(r"^/assets/\d+$"))
    liar = rows.nth(1)
    expect(liar).to_have_class(re.compile(r"\bfailed\b"))
    expect(liar.locator(".status")).to_have_text(
        "The file is named report.pdf but its contents are a PNG image.")
    expect(liar.get_by_role("link")).to_have_count(0)

    good[0].get_by_role("link", name="Uploaded: open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("q3 pricing guide")
    expect(page.locator(".meta-panel .badge.stage")).to_have_text("discovery")

    goto(page, f"{live_server.url}/")
    expect(page.locator(".results-head h1")).to_contain_text("2 assets")
    titles = sorted(page.locator(".card h3").all_inner_texts())
    assert titles == ["customer story", "q3 pricing guide"]
    expect(page.locator(".card .badge.status-draft")).to_have_count(2)  # drafts by default


# c. Without JavaScript the plain form still works ----------------------------------------------

def test_upload_without_javascript_posts_the_plain_form(open_page, live_server, make_user,
                                                        tmp_path):
    page = open_page(java_script_enabled=False)
    marketer = make_user("marketer")
    sign_in(page, live_server, marketer.email, PASSWORD)

    goto(page, f"{live_server.url}/assets/new")
    page.set_input_files("#files", write(tmp_path, "battlecard.pdf", corpus_file(SMALL_PDF)))
    page.get_by_label("Title").fill("Competitive battlecard")
    page.get_by_label("Status").select_option("published")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Upload", exact=True).click()
    assert_csp(navigation.value)
    expect(page).to_have_url(re.compile(r"/assets/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Competitive battlecard")
    expect(page.locator(".flash.info")).to_have_text("Uploaded “Competitive battlecard”.")
    expect(page.locator(".meta-panel .badge.status-published")).to_have_text("published")
    expect(page.locator(".facts")).to_contain_text("battlecard.pdf")


# d. A rep finds, filters, opens and downloads published content ---------------------------------

def test_rep_finds_filters_opens_and_downloads(page, live_server, app, make_user):
    marketer = make_user("marketer")
    rep = make_user("rep")
    pdf = corpus_file(IMAGE_PDF)
    create_asset_via_api(app, marketer, pdf, "roi-calculator.pdf", title="ROI walkthrough",
                         stage="evaluation", status="published", tags="roi, finance")
    create_asset_via_api(app, marketer, corpus_file(SMALL_PDF), "intro.pdf",
                         title="Intro deck", stage="awareness", status="published")
    draft_id = create_asset_via_api(app, marketer, corpus_file(SMALL_PDF), "secret.pdf",
                                    title="Unannounced pricing", stage="evaluation",
                                    status="draft")

    sign_in(page, live_server, rep.email, PASSWORD)
    cards = page.locator(".card")
    expect(cards).to_have_count(2)
    expect(page.get_by_text("Unannounced pricing")).to_have_count(0)
    card = cards.filter(has_text="ROI walkthrough")
    thumb = card.locator("img")
    expect(thumb).to_have_js_property("complete", True)
    assert thumb.evaluate("img => img.naturalWidth") > 0
    thumbnail = page.request.get(live_server.url + thumb.get_attribute("src"))
    assert thumbnail.ok and thumbnail.headers["content-type"] == "image/png"  # a real render

    page.locator(".filters").get_by_role("link", name="evaluation", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]stage=evaluation\b"))
    assert_csp(page.request.get(page.url))
    expect(cards).to_have_count(1)
    expect(cards.locator("h3")).to_have_text("ROI walkthrough")
    expect(page.locator(".filters a.on")).to_have_text("evaluation")

    card.get_by_role("link", name="ROI walkthrough").click()
    expect(page).to_have_url(re.compile(r"/assets/\d+$"))
    assert_csp(page.request.get(page.url))
    expect(page.get_by_role("heading", level=1)).to_have_text("ROI walkthrough")
    preview = page.locator(".preview-img")
    expect(preview).to_have_js_property("complete", True)
    assert preview.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("link", name="Versions")).to_have_count(0)  # reps see no history
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "roi-calculator.pdf"
    with open(download.path(), "rb") as fh:
        assert fh.read() == pdf

    hidden = page.request.get(f"{live_server.url}/assets/{draft_id}")
    assert hidden.status == 404


# e. Edit metadata, add a version, restore version 1 ----------------------------------------------

def drop_file(page, selector: str, name: str, data: bytes, mime: str) -> None:
    """Drop a file on `selector` the way a user dragging it from their desktop would."""
    transfer = page.evaluate_handle(
        """([name, b64, mime]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mime}));
            return transfer;
        }""",
        [name, base64.b64encode(data).decode(), mime],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_marketer_edits_metadata_and_restores_a_version(page, live_server, make_user, tmp_path):
    marketer = make_user("marketer")
    first, second = corpus_file(SAMPLE_PDF), corpus_file(SMALL_PDF)
    sign_in(page, live_server, marketer.email, PASSWORD)

    goto(page, f"{live_server.url}/assets/new")
    drop_file(page, "#dropzone", "one-pager.pdf", first, "application/pdf")
    expect(page.locator("#queue li .name")).to_have_text(["one-pager.pdf"])
    page.get_by_label("Title").fill("Pricing one-pager")  # one file: the title is kept
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("link", name="Uploaded: open").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pricing one-pager")

    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"/assets/\d+/edit$"))
    assert_csp(page.request.get(page.url))
    page.get_by_label("Funnel stage").select_option("proposal")
    page.get_by_label("Tags").fill("pricing, enterprise")
    page.get_by_label("Persona").fill("CFO")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/assets/\d+$"))
    expect(page.locator(".flash.info")).to_have_text("Saved.")
    expect(page.locator(".meta-panel .badge.stage")).to_have_text("proposal")
    expect(page.locator(".facts a.tag")).to_have_text(["enterprise", "pricing"])
    expect(page.locator(".facts")).to_contain_text("CFO")

    page.get_by_role("link", name="Versions").click()
    expect(page).to_have_url(re.compile(r"/assets/\d+/versions$"))
    assert_csp(page.request.get(page.url))
    page.set_input_files("input[name=file]", write(tmp_path, "one-pager-v2.pdf", second))
    page.get_by_label("What changed").fill("Shorter copy")
    page.get_by_role("button", name="Upload new version").click()
    expect(page.locator(".flash.info")).to_have_text("Version 2 is now current.")
    rows = page.locator("table.table tbody tr")
    expect(rows).to_have_count(2)

    rows.filter(has=page.locator("td:first-child", has_text=re.compile(r"^1$"))) \
        .get_by_role("button", name="Restore").click()
    expect(page.locator(".flash.info")).to_have_text("Version 1 restored as version 3.")
    expect(rows).to_have_count(3)
    expect(rows.locator("td:first-child")).to_have_text(["3 current", "2", "1"])
    expect(rows.nth(0)).to_contain_text("restored from 1")
    expect(rows.nth(0)).to_contain_text("one-pager.pdf")
    expect(rows.nth(1)).to_contain_text("Shorter copy")
    expect(rows.get_by_role("button", name="Restore")).to_have_count(2)

    page.get_by_role("link", name="Pricing one-pager").click()
    expect(page.locator(".facts")).to_contain_text("3 ·")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").click()
    with open(download_info.value.path(), "rb") as fh:
        assert fh.read() == first


# f. An admin invites a colleague, who sets a password -------------------------------------------

def test_admin_invites_a_user_who_sets_a_password(page, open_page, live_server, make_user):
    admin = make_user("admin")
    sign_in(page, live_server, admin.email, PASSWORD)
    page.get_by_role("link", name="Users").click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    assert_csp(page.request.get(page.url))

    invite = page.locator("form", has=page.get_by_role("button", name="Invite"))
    invite.get_by_label("Email").fill("new.rep@example.test")
    invite.get_by_label("Name").fill("Noor Newrep")
    invite.get_by_label("Role").select_option("rep")
    invite.get_by_role("button", name="Invite").click()
    expect(page.locator(".flash.info")).to_contain_text("Noor Newrep was invited.")
    link = page.locator(".invite-link code").inner_text()
    assert re.fullmatch(re.escape(live_server.url) + r"/invite/[\w-]{20,}", link), link
    expect(page.locator("tr", has_text="new.rep@example.test")).to_contain_text("Invited")

    newcomer = open_page()  # a fresh profile: nobody is signed in there
    goto(newcomer, link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Welcome to Lockstep")
    newcomer.get_by_label("Choose a password").fill("a long enough password")
    newcomer.get_by_role("button", name="Set password and sign in").click()
    expect(newcomer).to_have_url(f"{live_server.url}/")
    expect(newcomer.locator(".who")).to_have_text("Noor Newrep · rep")

    goto(page, f"{live_server.url}/admin/users")  # not reload(): that would re-post the invite
    expect(page.locator("tr", has_text="new.rep@example.test")).to_contain_text("Active")


# g. The console watch really catches CSP violations ----------------------------------------------

def test_console_watch_catches_csp_violations(page, live_server, make_user, console):
    """Guards the guard: an inline script injected into a page is refused by the CSP and the
    refusal reaches the console watch that every other browser test relies on."""
    user = make_user("rep")
    sign_in(page, live_server, user.email, PASSWORD)
    assert not console.unexpected()
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")
    expect(page.locator("body")).to_be_visible()
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.injected") is None
    assert any("Content Security Policy" in e for e in console.errors), console.errors
    console.clear()

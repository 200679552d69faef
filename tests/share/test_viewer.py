"""The public viewer: tokens, states, gates, headers, content URLs, staff and bot visits."""

from __future__ import annotations

import re

import pytest
from fixtures.share import make_link, open_viewer, token_of
from helpers import login

from app.extensions import db


def visits(app, **where):
    from app.share.models import ShareVisit

    with app.app_context():
        return [(v.viewer_email, v.staff_user_id is not None, v.bot, v.ip_hash is not None)
                for v in db.session.scalars(db.select(ShareVisit).order_by(ShareVisit.id))]


def test_viewer_headers_and_no_login(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    response = open_viewer(app.test_client(), link)
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    html = response.get_data(as_text=True)
    assert "pdf-viewer" in html and "Your IP address is never stored" in html
    # The content goes through the link's own ticketed URL, never an asset URL.
    assert f"/assets/{world['assets']['pdf']}" not in html
    src = re.search(r'data-src="([^"]+)"', html).group(1)
    assert src.startswith(f"/s/{token_of(link)}/c/")


@pytest.mark.parametrize("token", [
    "A" * 32, "A" * 31, "A" * 33, "A" * 5000, "ÄÖÜäöü" * 6, "..%2F..%2Fetc%2Fpasswd",
    "' OR 1=1 --", "%00" * 11])
def test_unknown_and_malformed_tokens_get_a_plain_404(client, world, token):
    make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    response = client.get(f"/s/{token}")
    assert response.status_code == 404
    assert "Pdf asset" not in response.get_data(as_text=True)


def test_a_truncated_real_token_is_not_found(client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]])
    token = token_of(link)
    assert client.get(f"/s/{token[:-1]}").status_code == 404
    assert client.get(f"/s/{token}x").status_code == 404
    assert client.get(f"/s/{token.swapcase()}").status_code == 404


def test_revoked_expired_and_archived_answer_410_and_leak_nothing(app, client, world):
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.share.models import ShareLink

    headers = world["rep_headers"]
    link = make_link(client, headers, asset_ids=[world["assets"]["pdf"]], title="Secret plan")
    viewer = app.test_client()
    client.delete(f"/api/v1/share-links/{link['id']}", headers=headers)
    gone = open_viewer(viewer, link)
    assert gone.status_code == 410 and "Secret plan" not in gone.get_data(as_text=True)
    assert "turned off" in gone.get_data(as_text=True)
    assert gone.headers["Referrer-Policy"] == "no-referrer"
    # Without a session and its CSRF token, nobody re-activates it.
    assert client.post(f"/share/{link['id']}/reactivate").status_code == 400
    with app.app_context():
        row = db.session.get(ShareLink, link["id"])
        row.revoked_at = None
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    expired = open_viewer(viewer, link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    with app.app_context():
        db.session.get(ShareLink, link["id"]).expires_at = None
        db.session.commit()
    assert open_viewer(viewer, link).status_code == 200
    client.delete(f"/api/v1/assets/{world['assets']['pdf']}", headers=world["marketer_headers"])
    archived = open_viewer(viewer, link)
    assert archived.status_code == 410 and "Secret plan" not in archived.get_data(as_text=True)


def test_a_deal_room_hides_an_archived_item_and_keeps_the_rest(app, client, world):
    a = world["assets"]
    link = make_link(client, world["rep_headers"], asset_ids=[a["pdf"], a["md"]])
    client.delete(f"/api/v1/assets/{a['pdf']}", headers=world["marketer_headers"])
    html = open_viewer(app.test_client(), link).get_data(as_text=True)
    assert "<h2>Md asset</h2>" in html and "<h2>Pdf asset</h2>" not in html


def test_password_gate(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     password="open sesame")
    viewer = app.test_client()
    gate = open_viewer(viewer, link).get_data(as_text=True)
    assert "Password" in gate and "We win on" not in gate
    token = re.search(r'name="csrf_token" value="([^"]+)"', gate).group(1)
    wrong = viewer.post(f"/s/{token_of(link)}", data={"password": "nope", "csrf_token": token})
    assert wrong.status_code == 422 and "We win on" not in wrong.get_data(as_text=True)
    no_csrf = viewer.post(f"/s/{token_of(link)}", data={"password": "open sesame"})
    assert no_csrf.status_code == 400
    right = viewer.post(f"/s/{token_of(link)}", data={"password": "open sesame",
                                                       "csrf_token": token})
    assert right.status_code == 303
    page = open_viewer(viewer, link).get_data(as_text=True)
    assert "We win on" in page and "<script>alert" not in page  # sanitized
    # A new password shuts out those who passed the old one.
    client.patch(f"/api/v1/share-links/{link['id']}", json={"password": "new one!"},
                 headers=world["rep_headers"])
    assert "We win on" not in open_viewer(viewer, link).get_data(as_text=True)


def test_email_gate_with_allowed_domains(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     allowed_domains=["acme.com"])
    viewer = app.test_client()
    gate = open_viewer(viewer, link).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', gate).group(1)
    for email in ("ana@evil.com", "ana@acme.com.evil.com", "not-an-email", "",
                  "a@b@acme.com", "x" * 300 + "@acme.com", "ana@acme.com\r\nBcc: x@y.z"):
        refused = viewer.post(f"/s/{token_of(link)}", data={"email": email, "csrf_token": token})
        assert refused.status_code == 422, email
    assert "We win on" not in open_viewer(viewer, link).get_data(as_text=True)
    ok = viewer.post(f"/s/{token_of(link)}", data={"email": "Ana@EU.Acme.com",
                                                    "csrf_token": token})
    assert ok.status_code == 303
    assert "We win on" in open_viewer(viewer, link).get_data(as_text=True)
    assert visits(app) == [("ana@eu.acme.com", False, False, True)]
    # A signed-in session does not widen the gate: the rep's own browser sees the gate too.
    staff = app.test_client()
    login(staff, world["rep"].email)
    assert "We win on" not in open_viewer(staff, link).get_data(as_text=True)


def test_staff_and_bot_visits_are_kept_apart(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]])
    staff = app.test_client()
    login(staff, world["marketer"].email)
    assert open_viewer(staff, link).status_code == 200
    bot = open_viewer(app.test_client(), link, headers={
        "User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"})
    assert bot.status_code == 200 and "We win on" not in bot.get_data(as_text=True)
    open_viewer(app.test_client(), link)
    assert visits(app) == [(None, True, False, True), (None, False, True, True),
                           (None, False, False, True)]
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert (views["visits"], views["prospect_visits"], views["viewers"]) == (3, 1, 1)
    assert sorted((i["staff"], i["bot"]) for i in views["items"]) == [
        (False, False), (False, True), (True, False)]


def test_reloads_are_one_visit(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]])
    viewer = app.test_client()
    for _ in range(5):
        assert open_viewer(viewer, link).status_code == 200
    # Another browser on the same address and device, moments later: the same visit too.
    open_viewer(app.test_client(), link)
    assert len(visits(app)) == 1


def test_content_urls_are_tied_to_their_link_and_expire(app, client, world):
    headers = world["rep_headers"]
    link = make_link(client, headers, asset_ids=[world["assets"]["pdf"]])
    other = make_link(client, headers, asset_ids=[world["assets"]["pdf"]])
    viewer = app.test_client()
    src = re.search(r'data-src="([^"]+)"', open_viewer(viewer, link).get_data(as_text=True)
                    ).group(1)
    pdf = viewer.get(src)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Referrer-Policy"] == "no-referrer"
    assert "sandbox" in pdf.headers["Content-Security-Policy"]
    ticket = src.rsplit("/", 1)[1]
    assert viewer.get(f"/s/{token_of(other)}/c/{ticket}").status_code == 410
    assert viewer.get(src[:-2] + "xx").status_code == 410
    assert viewer.get(src.replace("/c/", "/d/")).status_code == 410  # not a download ticket
    app.config["SHARE_CONTENT_URL_SECONDS"] = -1
    try:
        assert viewer.get(src).status_code == 410
    finally:
        app.config["SHARE_CONTENT_URL_SECONDS"] = 600
    client.delete(f"/api/v1/share-links/{link['id']}", headers=headers)
    assert viewer.get(src).status_code == 410


def test_downloads_only_when_allowed_and_watermarked(app, client, world):
    from io import BytesIO

    from pypdf import PdfReader

    headers = world["rep_headers"]
    link = make_link(client, headers, asset_ids=[world["assets"]["pdf"]], require_email=True)
    viewer = app.test_client()
    gate = open_viewer(viewer, link).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', gate).group(1)
    viewer.post(f"/s/{token_of(link)}", data={"email": "ana@acme.com", "csrf_token": csrf})
    html = open_viewer(viewer, link).get_data(as_text=True)
    assert "data-download" not in html
    src = re.search(r'data-src="([^"]+)"', html).group(1)
    assert viewer.get(src.replace("/c/", "/d/")).status_code == 410
    client.patch(f"/api/v1/share-links/{link['id']}", json={"allow_download": True},
                 headers=headers)
    html = open_viewer(viewer, link).get_data(as_text=True)
    download = re.search(r'href="([^"]+)" data-download', html).group(1)
    response = viewer.get(download)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 4
    for page in reader.pages:
        assert "ana@acme.com" in page.extract_text()
    views = client.get(f"/api/v1/share-links/{link['id']}/views", headers=headers).get_json()
    assert views["items"][0]["downloaded"] == 1

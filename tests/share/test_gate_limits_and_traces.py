"""What the viewer's gates and traces promise beyond the happy path: wrong passwords and code
requests are limited, codes keep no address, deletion reaches the rep's notices, the PDF drawn in
the page is watermarked like a download, staff visits are not usage, no raw IP is stored, and a
revoked link comes back only through re-activation."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from fixtures.share import make_link, open_viewer, token_of
from helpers import csrf_token, login

from app.extensions import db


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def small_limits(app, monkeypatch):
    from app.auth.ratelimit import limiter_of

    limiter_of(app).reset()

    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, f"SHARE_{name.upper()}_LIMIT", value)

    yield set_limits
    limiter_of(app).reset()


def test_wrong_passwords_are_limited_per_link_and_network(app, client, world, small_limits):
    small_limits(password="3 per minute")
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     password="open sesame")
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))

    def attempt(password):
        return viewer.post(f"/s/{token_of(link)}", data={"password": password,
                                                          "csrf_token": csrf})

    assert [attempt("guess").status_code for _ in range(3)] == [422, 422, 422]
    refused = attempt("open sesame")  # even the right one waits once the allowance is spent
    assert refused.status_code == 429
    assert "Too many wrong passwords" in refused.get_data(as_text=True)
    other = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                      password="open sesame")
    elsewhere = app.test_client()
    csrf_other = csrf_of(open_viewer(elsewhere, other).get_data(as_text=True))
    assert elsewhere.post(f"/s/{token_of(other)}", data={
        "password": "open sesame", "csrf_token": csrf_other}).status_code == 303


def test_code_requests_are_limited_per_network_and_keep_no_address(app, client, world,
                                                                    smtp_server, small_limits):
    from app.share.models import EmailCode

    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    try:
        small_limits(code_send="2 per hour")
        link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                         require_email=True, verify_email=True, anonymous=True)
        statuses = []
        for n in range(3):
            viewer = app.test_client()
            csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
            statuses.append(viewer.post(f"/s/{token_of(link)}", data={
                "email": f"stranger{n}@acme.com", "csrf_token": csrf}).status_code)
        assert statuses == [303, 303, 429]
        assert len(smtp_server.messages) == 2
        with app.app_context():
            kept = db.session.scalars(db.select(EmailCode.email)).all()
        assert len(kept) == 2 and not any("@" in value for value in kept)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_deleting_a_viewer_reaches_the_reps_notices_and_export_lists_them(app, client, world):
    from app.share.models import Notification

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     require_email=True)
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    viewer.post(f"/s/{token_of(link)}", data={"email": "ana@acme.com", "csrf_token": csrf})
    open_viewer(viewer, link)
    admin = app.test_client()
    login(admin, world["admin_user"].email)
    exported = admin.get("/admin/share/viewers?email=ana@acme.com&format=json").get_json()
    assert [n["text"] for n in exported["notifications"]] == ["ana@acme.com opened 'Md asset'"]
    page = admin.get("/admin/share/viewers?email=ana@acme.com").get_data(as_text=True)
    assert admin.post("/admin/share/viewers", data={
        "email": "ana@acme.com", "action": "delete", "csrf_token": csrf_of(page)}
    ).status_code == 302
    with app.app_context():
        texts = db.session.scalars(db.select(Notification.text)).all()
    assert texts == ["A deleted viewer opened 'Md asset'"]


def test_the_pdf_drawn_in_the_page_carries_the_watermark(app, client, world):
    from pypdf import PdfReader

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]],
                     require_email=True)
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    viewer.post(f"/s/{token_of(link)}", data={"email": "ana@acme.com", "csrf_token": csrf})
    html = open_viewer(viewer, link).get_data(as_text=True)
    inline = viewer.get(re.search(r'data-src="([^"]+)"', html).group(1))
    assert inline.status_code == 200 and inline.content_type == "application/pdf"
    pages = PdfReader(BytesIO(inline.data)).pages
    assert len(pages) == 4 and all("ana@acme.com" in p.extract_text() for p in pages)


def test_a_staff_visit_is_neither_usage_nor_a_notice(app, client, world, login_as):
    from app.deals.models import UsageEvent
    from app.share.models import Notification

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["pdf"]],
                     deal_id=world["deal"]["id"])
    staff = app.test_client()
    login(staff, world["marketer"].email)
    html = open_viewer(staff, link).get_data(as_text=True)
    key = re.search(r'data-visit="([^"]+)"', html).group(1)
    beacon = staff.post(f"/s/{token_of(link)}/beacon",
                        json={"v": key, "t": [[link["items"][0]["id"], 1, 5]]})
    assert beacon.status_code in (200, 204), beacon.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(UsageEvent)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 0
    views = client.get(f"/api/v1/share-links/{link['id']}/views",
                       headers=world["rep_headers"]).get_json()
    assert (views["visits"], views["prospect_visits"]) == (1, 0)
    assert views["items"][0]["staff"] is True


def test_no_raw_address_is_stored_anywhere(app, client, world):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]])
    address = "203.0.113.77"
    viewer = app.test_client()
    html = open_viewer(viewer, link, environ_base={"REMOTE_ADDR": address}).get_data(
        as_text=True)
    key = re.search(r'data-visit="([^"]+)"', html).group(1)
    beacon = viewer.post(f"/s/{token_of(link)}/beacon",
                         json={"v": key, "t": [[link["items"][0]["id"], 0, 3]]},
                         environ_base={"REMOTE_ADDR": address})
    assert beacon.status_code == 200, beacon.get_json()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(table.select()).all():
                assert not any(isinstance(v, str) and address in v for v in row), table.name


def test_a_revoked_link_returns_only_through_reactivation(app, client, world):
    from datetime import timedelta

    from app.core.timeutil import utcnow
    from app.share.models import ShareLink

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]])
    rep = app.test_client()
    login(rep, world["rep"].email)
    assert client.delete(f"/api/v1/share-links/{link['id']}",
                         headers=world["rep_headers"]).status_code in (200, 204)
    assert open_viewer(app.test_client(), link).status_code == 410
    assert rep.post(f"/share/{link['id']}/reactivate",
                    data={"csrf_token": csrf_token(rep)}).status_code == 302
    assert "We win on" in open_viewer(app.test_client(), link).get_data(as_text=True)
    # An expired link needs a new expiry first: re-activating it changes nothing.
    with app.app_context():
        row = db.session.get(ShareLink, link["id"])
        row.expires_at, row.revoked_at = utcnow() - timedelta(days=1), utcnow()
        db.session.commit()
    refused = rep.post(f"/share/{link['id']}/reactivate", data={"csrf_token": csrf_token(rep)},
                       follow_redirects=True)
    assert "give it a later expiry date first" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ShareLink, link["id"]).revoked_at is not None
    assert open_viewer(app.test_client(), link).status_code == 410

"""The e-mail gate with a one-time code, against a real SMTP server started by the test."""

from __future__ import annotations

import re

import pytest
from fixtures.share import make_link, open_viewer, token_of

from app.extensions import db


@pytest.fixture
def mail_on(app, smtp_server):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    yield smtp_server
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sent_code(server, n: int = -1) -> str:
    message = server.messages[n]
    body = message.get_body(("plain",)).get_content() if message.is_multipart() else \
        message.get_content()
    return re.search(r"\b(\d{6})\b", body).group(1)


def ask_code(viewer, link, email="ana@acme.com"):
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    response = viewer.post(f"/s/{token_of(link)}", data={"email": email, "csrf_token": csrf})
    assert response.status_code == 303
    page = open_viewer(viewer, link).get_data(as_text=True)
    assert "six-digit code" in page and "We win on" not in page
    return csrf_of(page)


def test_verification_needs_mail_to_be_set_up(client, world):
    response = client.post("/api/v1/share-links", headers=world["rep_headers"], json={
        "asset_ids": [world["assets"]["md"]], "verify_email": True})
    assert response.status_code == 422 and "SMTP" in response.get_json()["error"]["message"]


def test_the_code_opens_the_link_and_marks_the_viewer_verified(app, client, world, mail_on):
    from app.share.models import ShareVisit

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True, title="Q3 plan")
    viewer = app.test_client()
    csrf = ask_code(viewer, link)
    (message,) = mail_on.messages
    assert message["To"] == "ana@acme.com" and "Q3 plan" in message["Subject"]
    code = sent_code(mail_on)
    wrong = "000000" if code != "000000" else "111111"
    refused = viewer.post(f"/s/{token_of(link)}/code", data={"code": wrong, "csrf_token": csrf})
    assert refused.status_code == 422 and "We win on" not in refused.get_data(as_text=True)
    ok = viewer.post(f"/s/{token_of(link)}/code", data={"code": code, "csrf_token": csrf})
    assert ok.status_code == 303
    assert "We win on" in open_viewer(viewer, link).get_data(as_text=True)
    with app.app_context():
        visit = db.session.scalar(db.select(ShareVisit))
        assert (visit.viewer_email, visit.email_verified) == ("ana@acme.com", True)
    # The code is spent: another browser cannot reuse it.
    other = app.test_client()
    csrf = ask_code(other, link, "ana@acme.com")
    assert other.post(f"/s/{token_of(link)}/code", data={"code": code, "csrf_token": csrf}
                      ).status_code == 422 or sent_code(mail_on) == code


def test_guessing_the_code_stops_after_five_tries(app, client, world, mail_on):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True)
    viewer = app.test_client()
    csrf = ask_code(viewer, link)
    code = sent_code(mail_on)
    guesses = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != code][:5]
    for guess in guesses:
        assert viewer.post(f"/s/{token_of(link)}/code",
                           data={"code": guess, "csrf_token": csrf}).status_code == 422
    late = viewer.post(f"/s/{token_of(link)}/code", data={"code": code, "csrf_token": csrf})
    assert late.status_code == 422 and "expired" in late.get_data(as_text=True)


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 56", "１２３４５６",
                                  "' OR 1=1 --", "9" * 5000])
def test_malformed_codes_are_refused(app, client, world, mail_on, code):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True)
    viewer = app.test_client()
    csrf = ask_code(viewer, link)
    response = viewer.post(f"/s/{token_of(link)}/code", data={"code": code, "csrf_token": csrf})
    assert response.status_code == 422
    assert "We win on" not in open_viewer(viewer, link).get_data(as_text=True)


def test_skipping_the_code_step_does_not_open_the_link(app, client, world, mail_on):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True)
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    # Straight to the code form without asking for one, then a forged session value.
    assert viewer.post(f"/s/{token_of(link)}/code", data={"code": "123456", "csrf_token": csrf}
                       ).status_code == 303
    assert "We win on" not in open_viewer(viewer, link).get_data(as_text=True)
    with viewer.session_transaction() as session:
        session["share"] = {str(link["id"]): {"stamp": "forged", "passed": True}}
    assert "We win on" not in open_viewer(viewer, link).get_data(as_text=True)


def test_an_unreachable_server_gives_a_clear_error_and_no_code(app, client, world, mail_on):
    from app.share.models import EmailCode

    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True)
    app.config["MAIL_PORT"] = 1  # nothing listens there
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    response = viewer.post(f"/s/{token_of(link)}", data={"email": "ana@acme.com",
                                                          "csrf_token": csrf})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(EmailCode)) == 0


def test_a_new_code_with_a_password_gate_does_not_ask_the_password_again(app, client, world,
                                                                          mail_on):
    link = make_link(client, world["rep_headers"], asset_ids=[world["assets"]["md"]],
                     verify_email=True, password="open sesame")
    viewer = app.test_client()
    csrf = csrf_of(open_viewer(viewer, link).get_data(as_text=True))
    assert viewer.post(f"/s/{token_of(link)}", data={
        "email": "ana@acme.com", "password": "wrong one", "csrf_token": csrf}).status_code == 422
    assert mail_on.messages == []
    assert viewer.post(f"/s/{token_of(link)}", data={
        "email": "ana@acme.com", "password": "open sesame", "csrf_token": csrf}
    ).status_code == 303
    again = viewer.post(f"/s/{token_of(link)}", data={"email": "ana@acme.com",
                                                       "csrf_token": csrf})
    assert again.status_code == 303 and len(mail_on.messages) == 2
    ok = viewer.post(f"/s/{token_of(link)}/code", data={"code": sent_code(mail_on),
                                                         "csrf_token": csrf})
    assert ok.status_code == 303
    assert "We win on" in open_viewer(viewer, link).get_data(as_text=True)

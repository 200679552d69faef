"""Invitation links expire (7 days by default, INVITE_EXPIRY_DAYS); admins can send new ones."""

import re
from datetime import timedelta

from helpers import csrf_token

from app.auth.models import User
from app.extensions import db

LINK = re.compile(r"<code>http://localhost(/invite/[^<]+)</code>")


def _invite(client, email="new.person@example.test", days=7):
    response = client.post("/admin/users/invite", data={
        "email": email, "name": "New Person", "role": "rep", "csrf_token": csrf_token(client)})
    assert response.status_code == 201
    assert f"works for {days} day" in response.get_data(as_text=True)
    return LINK.search(response.get_data(as_text=True)).group(1)


def _age_invitation(app, email, days, seconds=0):
    with app.app_context():
        user = db.session.query(User).filter_by(email=email).one()
        user.invited_at -= timedelta(days=days, seconds=seconds)
        db.session.commit()
        return user.id


def _accept(app, path):
    invitee = app.test_client()
    return invitee.post(path, data={"password": "my own passphrase",
                                    "csrf_token": csrf_token(invitee)})


def test_a_link_works_until_seven_days_have_passed(app, client, login_as):
    login_as("admin")
    path = _invite(client)
    _age_invitation(app, "new.person@example.test", 6, 23 * 3600)
    assert app.test_client().get(path).status_code == 200
    _age_invitation(app, "new.person@example.test", 0, 3601)
    page = app.test_client().get(path)
    assert page.status_code == 404
    assert "This invitation link has expired" in page.get_data(as_text=True)
    assert _accept(app, path).status_code == 404
    with app.app_context():
        assert db.session.query(User).filter_by(email="new.person@example.test").one(
            ).password_hash is None


def test_the_expiry_is_configurable(app, client, login_as, monkeypatch):
    monkeypatch.setitem(app.config, "INVITE_EXPIRY_DAYS", 30)
    login_as("admin")
    path = _invite(client, "later@example.test", days=30)
    _age_invitation(app, "later@example.test", 29)
    assert _accept(app, path).status_code == 302
    monkeypatch.setitem(app.config, "INVITE_EXPIRY_DAYS", 1)
    soon = _invite(client, "soon@example.test", days=1)
    _age_invitation(app, "soon@example.test", 1, 1)
    assert app.test_client().get(soon).status_code == 404


def test_an_admin_sends_a_new_link_and_the_old_one_dies(app, client, login_as):
    login_as("admin")
    old = _invite(client)
    user_id = _age_invitation(app, "new.person@example.test", 8)
    response = client.post(f"/admin/users/{user_id}/invite",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 200
    new = LINK.search(response.get_data(as_text=True)).group(1)
    assert new != old
    assert app.test_client().get(old).status_code == 404
    assert _accept(app, new).status_code == 302


def test_no_new_link_for_someone_who_has_a_password(app, client, login_as, make_user):
    member = make_user("rep")
    login_as("admin")
    response = client.post(f"/admin/users/{member.id}/invite",
                           data={"csrf_token": csrf_token(client)}, follow_redirects=True)
    assert response.status_code == 200
    assert "has already set a password" in response.get_data(as_text=True)
    assert client.post(f"/admin/users/{member.id}/invite").status_code == 400  # no CSRF
    assert client.post("/admin/users/999999/invite",
                       data={"csrf_token": csrf_token(client)}).status_code == 302

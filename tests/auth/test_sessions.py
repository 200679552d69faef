"""Browser sessions: sign out ends one, sign out everywhere / password change / deactivation end
all of them and the API tokens too."""

from datetime import timedelta

import pytest
from helpers import PASSWORD, csrf_token, login

from app.auth import services, sessions
from app.auth.models import ApiToken, User, UserSession
from app.extensions import db


def _token_for(app, user) -> dict:
    with app.app_context():
        token = services.issue_token(db.session.get(User, user.id), "CRM sync")
    return {"Authorization": f"Bearer {token}"}


def _browsers(app, user, count=2):
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        assert login(client, user.email).status_code == 302
    return clients


def test_each_sign_in_is_its_own_session(app, make_user):
    user = make_user("rep")
    _browsers(app, user, 3)
    with app.app_context():
        assert db.session.query(UserSession).filter_by(user_id=user.id).count() == 3


def test_sign_out_keeps_the_api_token_of_an_integration(app, make_user):
    user = make_user("marketer")
    headers = _token_for(app, user)
    browser, = _browsers(app, user, 1)
    assert browser.post("/logout", data={"csrf_token": csrf_token(browser)}).status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    with app.app_context():
        assert db.session.query(ApiToken).one().revoked_at is None
        assert db.session.query(UserSession).count() == 0


def test_sign_out_everywhere_ends_every_session_and_token(app, make_user):
    user = make_user("rep")
    headers = _token_for(app, user)
    here, elsewhere = _browsers(app, user)
    response = here.post("/account/sign-out-everywhere", data={"csrf_token": csrf_token(here)})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert here.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert login(app.test_client(), user.email).status_code == 302  # the password still works


def test_sign_out_everywhere_needs_csrf(app, make_user):
    user = make_user("rep")
    headers = _token_for(app, user)
    here, elsewhere = _browsers(app, user)
    assert here.post("/account/sign-out-everywhere").status_code == 400
    assert elsewhere.get("/").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200


def test_password_change_ends_other_sessions_and_tokens(app, make_user):
    user = make_user("marketer")
    headers = _token_for(app, user)
    here, elsewhere = _browsers(app, user)
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "csrf_token": csrf_token(here)})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    with app.app_context():
        assert db.session.query(UserSession).filter_by(user_id=user.id).count() == 1


def test_deactivation_ends_sessions_and_tokens(app, client, make_user, login_as):
    target = make_user("rep")
    headers = _token_for(app, target)
    victim, = _browsers(app, target, 1)
    login_as("admin")
    client.post(f"/admin/users/{target.id}/active/0", data={"csrf_token": csrf_token(client)})
    assert victim.get("/").status_code == 302
    client.post(f"/admin/users/{target.id}/active/1", data={"csrf_token": csrf_token(client)})
    # Reactivation lets them sign in again, but what was ended stays ended.
    assert victim.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401


def test_a_session_ends_after_its_lifetime(app, make_user):
    user = make_user("rep")
    browser, = _browsers(app, user, 1)
    with app.app_context():
        row = db.session.query(UserSession).one()
        row.created_at -= app.permanent_session_lifetime + timedelta(seconds=1)
        db.session.commit()
    assert browser.get("/").status_code == 302
    fresh, = _browsers(app, user, 1)  # signing in again works, and drops the dead row
    with app.app_context():
        assert db.session.query(UserSession).count() == 1


@pytest.mark.parametrize("session_id", [
    "", "{id}", "{id}:", "{id}::", "x:y:z", "{id}:nonce:", "١:nonce:secret", "²:nonce:secret",
    "99999999999999999999:nonce:secret", "{id}:ünïcode:secret", "{id}:{nonce}:wrong-secret",
    "{id}:{nonce}", "{id}:{nonce}:{secret}:extra", "{id}:wrong-nonce:{secret}",
    "{id}:{nonce}:{secret}\x00",
])
def test_forged_session_ids_sign_nobody_in(app, make_user, session_id):
    user = make_user("rep")
    with app.app_context():
        row = db.session.get(User, user.id)
        sessions.start_session(row, timedelta(days=1))
        db.session.commit()
        forged = session_id.format(id=row.id, nonce=row.session_nonce, secret=row.session_secret)
        assert sessions.user_for_session(forged, timedelta(days=1)) is None
        genuine = f"{row.id}:{row.session_nonce}:{row.session_secret}"
        assert sessions.user_for_session(genuine, timedelta(days=1)).id == user.id

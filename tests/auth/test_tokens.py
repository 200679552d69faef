"""API token self-service: create with a label and expiry, see last use, revoke; admins revoke
anyone's; expired and revoked tokens get 401."""

import re
from datetime import timedelta

import pytest
from helpers import csrf_token, login

from app.auth import tokens
from app.auth.models import ApiToken, User
from app.core.errors import Conflict
from app.core.timeutil import utcnow
from app.extensions import db

NEW_TOKEN = re.compile(r'class="panel invite-link new-token">[^<]*<code>(lst_[^<]+)</code>')


def _create(client, label="CRM sync", expires="never"):
    return client.post("/account/tokens", data={"label": label, "expires": expires,
                                                "csrf_token": csrf_token(client)})


def _created_token(response) -> str:
    assert response.status_code == 201, response.get_data(as_text=True)
    return NEW_TOKEN.search(response.get_data(as_text=True)).group(1)


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _rows(app):
    with app.app_context():
        rows = db.session.query(ApiToken).order_by(ApiToken.id).all()
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("role", ["rep", "leader", "marketer", "admin"])
def test_every_role_creates_a_token_that_works_once_shown(app, client, login_as, role):
    user = login_as(role)
    response = _create(client, "CRM sync", "30")
    token = _created_token(response)
    me = app.test_client().get("/api/v1/me", headers=_bearer(token))
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    (row,) = _rows(app)
    assert (row.user_id, row.label, row.prefix) == (user.id, "CRM sync", token[:12])
    assert row.token_hash != token and token not in row.token_hash
    assert timedelta(days=29, hours=23) < row.expires_at - utcnow() <= timedelta(days=30)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert token not in page  # shown once, never again
    assert f"{token[:12]}…" in page and "CRM sync" in page
    assert "Active, expires" in page


def test_the_list_shows_last_use(app, client, login_as):
    login_as("rep")
    token = _created_token(_create(client))
    assert "Never used" in client.get("/account/tokens").get_data(as_text=True)
    app.test_client().get("/api/v1/me", headers=_bearer(token))
    (row,) = _rows(app)
    assert row.last_used_at is not None
    page = client.get("/account/tokens").get_data(as_text=True)
    assert row.last_used_at.strftime("%Y-%m-%d %H:%M UTC") in page


def test_revoking_your_own_token_gets_401_at_once(app, client, login_as):
    login_as("marketer")
    token = _created_token(_create(client))
    (row,) = _rows(app)
    response = client.post(f"/account/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)


def test_nobody_revokes_or_sees_someone_elses_token(app, client, make_user, login_as):
    owner = make_user("marketer")
    owner_browser = app.test_client()
    login(owner_browser, owner.email)
    token = _created_token(_create(owner_browser, "Owner's sync"))
    (row,) = _rows(app)
    login_as("marketer")
    assert "Owner's sync" not in client.get("/account/tokens").get_data(as_text=True)
    response = client.post(f"/account/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 404
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 200


def test_admins_see_and_revoke_anyones_token(app, client, make_user, login_as):
    owner = make_user("rep", name="Rita Rep")
    owner_browser = app.test_client()
    login(owner_browser, owner.email)
    token = _created_token(_create(owner_browser, "Rita's CRM"))
    (row,) = _rows(app)
    login_as("admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    assert "Rita Rep" in page and "Rita&#39;s CRM" in page
    response = client.post(f"/admin/tokens/{row.id}/revoke",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_expired_tokens_get_401(app, client, login_as):
    login_as("rep")
    token = _created_token(_create(client, "Short-lived", "7"))
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 200
    with app.app_context():
        db.session.query(ApiToken).update({"expires_at": utcnow() - timedelta(seconds=1)})
        db.session.commit()
    response = app.test_client().get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert "Expired" in client.get("/account/tokens").get_data(as_text=True)


@pytest.mark.parametrize("label,expires,status", [
    ("", "never", 400),
    ("   ", "never", 400),
    ("x" * 121, "never", 400),
    ("bell\x07", "never", 422),
    ("ok", "9999", 400),
    ("ok", "-1", 400),
    ("ok", "never'; DROP TABLE api_token;--", 400),
])
def test_bad_token_input_is_refused_and_creates_nothing(app, client, login_as, label, expires,
                                                        status):
    login_as("rep")
    assert _create(client, label, expires).status_code == status
    assert _rows(app) == []


def test_creating_a_token_needs_csrf(app, client, login_as):
    login_as("rep")
    assert client.post("/account/tokens", data={"label": "x", "expires": "never"}
                       ).status_code == 400
    assert _rows(app) == []


def test_at_most_fifty_active_tokens(app, make_user):
    user = make_user("rep")
    with app.app_context():
        row = db.session.get(User, user.id)
        for n in range(tokens.MAX_ACTIVE_TOKENS):
            tokens.issue_token(row, f"t{n}")
        with pytest.raises(Conflict):
            tokens.issue_token(row, "one too many")
        assert db.session.query(ApiToken).count() == tokens.MAX_ACTIVE_TOKENS


def test_cli_token_with_expiry(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create", "--email", "cli@example.test", "--name", "Cli",
                        "--role", "rep", "--password", "cli passphrase 1"])
    result = runner.invoke(args=["users", "token", "cli@example.test", "--label", "Nightly",
                                 "--expires-days", "2"])
    assert result.exit_code == 0, result.output
    (row,) = _rows(app)
    assert timedelta(days=1, hours=23) < row.expires_at - utcnow() <= timedelta(days=2)
    bad = runner.invoke(args=["users", "token", "cli@example.test", "--expires-days", "0"])
    assert bad.exit_code == 2 and len(_rows(app)) == 1

"""Sign-in, sign-out, throttling, safe redirects and session invalidation."""

import pytest
from helpers import PASSWORD, csrf_token, login

from app.auth import passwords


def test_login_redirects_to_library_and_logout_requires_post(client, make_user):
    user = make_user("rep")
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/logout").status_code == 405


def test_email_is_case_insensitive(client, make_user):
    user = make_user("rep", email="Mixed.Case@Example.test")
    assert user.email == "mixed.case@example.test"
    assert login(client, "MIXED.case@example.TEST").status_code == 302


@pytest.mark.parametrize("who", ["wrong-password", "no-such-user", "deactivated"])
def test_failures_all_say_the_same_thing(client, make_user, app, who):
    user = make_user("rep")
    email = "nobody@example.test" if who == "no-such-user" else user.email
    if who == "deactivated":
        _deactivate(app, user.id)
    password = "wrong password!" if who == "wrong-password" else PASSWORD
    response = login(client, email, password)
    assert response.status_code == 422
    assert "Email or password is incorrect." in response.get_data(as_text=True)


def test_unknown_and_known_accounts_cost_one_password_check(client, make_user, monkeypatch):
    """No timing oracle: both paths run exactly one scrypt verification."""
    user = make_user("rep")
    calls = []
    real = passwords.check_password_hash
    monkeypatch.setattr(passwords, "check_password_hash",
                        lambda h, p: calls.append(h) or real(h, p))
    login(client, user.email, "wrong password!")
    login(client, "ghost@example.test", "wrong password!")
    assert len(calls) == 2
    assert all(h.startswith("scrypt:") for h in calls)


@pytest.mark.parametrize("target,expected", [
    ("/assets/1", "/assets/1"),
    ("https://evil.example/", "/"),
    ("//evil.example/x", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("/%0d%0aSet-Cookie:x=1", "/%0d%0aSet-Cookie:x=1"),
    ("\x00/x", "/"),
])
def test_next_only_goes_to_same_site_paths(client, make_user, target, expected):
    user = make_user("rep")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                            "next": target, "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_login_form_without_csrf_is_refused(client, make_user):
    user = make_user("rep")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # still signed out


def test_empty_and_oversize_login_input(client):
    token = csrf_token(client)
    assert client.post("/login", data={"csrf_token": token}).status_code == 400
    huge = {"email": "a" * 10_000 + "@x.test", "password": "p" * 100_000, "csrf_token": token}
    assert client.post("/login", data=huge).status_code in (400, 422)


def test_throttle_per_account(app, client, make_user):
    user = make_user("rep")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert login(client, user.email, "wrong password!").status_code == 422
    # Even the right password is refused while throttled, and the message says why.
    response = login(client, user.email)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_throttle_applies_to_unknown_accounts_too(app, client):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        login(client, "ghost@example.test", "wrong password!")
    assert login(client, "ghost@example.test", "wrong password!").status_code == 429


def test_throttle_per_ip(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 3)
    for n in range(3):
        login(client, f"guess{n}@example.test", "wrong password!")
    user = make_user("rep")
    assert login(client, user.email).status_code == 429
    other_ip = app.test_client()
    other_ip.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert login(other_ip, user.email).status_code == 302


def test_logout_ends_this_browser_and_its_copied_cookie_only(app, client, make_user):
    """Signing out ends that browser session (a copy of its cookie too), but not the user's
    other browsers, and not their API tokens: an integration keeps working."""
    from app.auth import services
    from app.extensions import db

    user = make_user("rep")
    login(client, user.email)
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    other_browser = app.test_client()
    login(other_browser, user.email)
    assert copied.get("/").status_code == 200
    with app.app_context():
        token = services.issue_token(db.session.get(type(user), user.id))
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert copied.get("/").status_code == 302
    assert other_browser.get("/").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200


def test_password_change_keeps_this_session_and_ends_others(app, client, make_user):
    user = make_user("marketer")
    login(client, user.email)
    other = app.test_client()
    login(other, user.email)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302
    fresh = app.test_client()
    assert login(fresh, user.email).status_code == 422
    assert login(fresh, user.email, "a brand new passphrase").status_code == 302


def test_password_change_rejects_wrong_current_and_short_new(client, login_as):
    login_as("rep")
    token = csrf_token(client)
    wrong = client.post("/account/password", data={
        "current_password": "nope nope nope", "new_password": "long enough pass",
        "csrf_token": token})
    assert wrong.status_code == 422
    short = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "csrf_token": token})
    assert short.status_code == 400


def test_passwords_are_scrypt_hashed(app, make_user):
    from app.auth.models import User
    from app.extensions import db

    user = make_user("rep")
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def _deactivate(app, user_id):
    from app.auth.models import User
    from app.extensions import db

    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()


def test_nul_in_the_login_email_is_a_failed_login_not_a_500(client, make_user):
    user = make_user("rep")
    response = login(client, user.email.replace("@", "\x00@"))
    assert response.status_code == 422
    assert login(client, user.email).status_code == 302

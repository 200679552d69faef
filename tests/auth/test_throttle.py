"""Sign-in throttling: counts in the database, atomic under concurrent attempts, and a success
resets only its own account."""

import threading
from datetime import timedelta

from helpers import csrf_token, login

from app.auth.models import LoginThrottle
from app.extensions import db

WRONG = "wrong password!"


def _from_ip(app, ip: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def test_a_success_does_not_reset_other_accounts_failures_from_that_ip(app, make_user,
                                                                        monkeypatch):
    """Guessing at many accounts from one IP, then signing in to one's own account there, must
    not wipe the IP's count of the guesses."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 3)
    attacker = _from_ip(app, "203.0.113.9")
    own = make_user("rep")
    assert login(attacker, "victim1@example.test", WRONG).status_code == 422
    assert login(attacker, "victim2@example.test", WRONG).status_code == 422
    assert login(attacker, own.email).status_code == 302
    attacker.post("/logout", data={"csrf_token": csrf_token(attacker)})
    assert login(attacker, "victim3@example.test", WRONG).status_code == 422  # the 3rd failure
    assert login(attacker, "victim4@example.test", WRONG).status_code == 429
    assert login(attacker, own.email).status_code == 429  # the IP is throttled for everyone
    assert login(_from_ip(app, "198.51.100.1"), own.email).status_code == 302


def test_a_success_resets_its_own_account(app, client, make_user):
    user = make_user("rep")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit - 1):
        assert login(client, user.email, WRONG).status_code == 422
    assert login(client, user.email).status_code == 302
    other = app.test_client()
    for _ in range(limit):
        assert login(other, user.email, WRONG).status_code == 422
    assert login(other, user.email, WRONG).status_code == 429


def test_counts_start_afresh_after_the_window(app, client, make_user):
    user = make_user("rep")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        login(client, user.email, WRONG)
    assert login(client, user.email).status_code == 429
    with app.app_context():
        window = timedelta(seconds=app.config["LOGIN_THROTTLE_WINDOW_SECONDS"])
        for row in db.session.query(LoginThrottle):
            row.window_start -= window
        db.session.commit()
    assert login(client, user.email).status_code == 302


def test_throttle_state_lives_in_the_database(app, client, make_user):
    """Counter rows (not process memory), so every worker sees the same counts."""
    user = make_user("rep")
    login(client, user.email, WRONG)
    login(client, user.email, WRONG)
    with app.app_context():
        counts = {row.key: row.failures for row in db.session.query(LoginThrottle)}
    assert counts == {f"a:{user.email}": 2, "i:127.0.0.1": 2}


def test_concurrent_wrong_passwords_cannot_all_pass_the_check(app, make_user, monkeypatch):
    """Real threads, each with its own connection, start together: exactly `limit` of them get
    a password check (422), the rest are refused (429) before any check."""
    limit, threads = 3, 12
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", limit)
    user = make_user("rep")
    clients = [_from_ip(app, f"192.0.2.{n}") for n in range(threads)]
    tokens = [csrf_token(client) for client in clients]
    barrier = threading.Barrier(threads)
    statuses, errors = [], []

    def attempt(client, token):
        try:
            barrier.wait(timeout=30)
            response = client.post("/login", data={"email": user.email, "password": WRONG,
                                                   "csrf_token": token})
            statuses.append(response.status_code)
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread's error
            errors.append(repr(exc))

    workers = [threading.Thread(target=attempt, args=pair) for pair in zip(clients, tokens,
                                                                          strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sorted(statuses) == [422] * limit + [429] * (threads - limit)
    with app.app_context():
        assert db.session.get(LoginThrottle, f"a:{user.email}").failures == threads

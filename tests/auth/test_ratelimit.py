"""Per-user rate limits with Flask-Limiter: uploads through the form and the API share one
allowance; 429 in the app's error format with Retry-After; Redis shares counts between workers."""

import uuid

import pytest
import redis
from helpers import csrf_token, multipart, upload_asset

from app import create_app
from app.auth.ratelimit import limiter_of, rate_limited
from app.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/0"
NOTE = (b"# Pricing talk track\n\nLead with value.\n", "talk-track.md")


@pytest.fixture
def limits(app, monkeypatch):
    """Small limits on the session app, counted from zero."""
    limiter_of(app).reset()

    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setitem(app.config, f"RATELIMIT_{name.upper()}", value)

    yield set_limits
    limiter_of(app).reset()


def _assert_429_json(response):
    assert response.status_code == 429
    assert response.get_json() == {"error": {
        "code": "too_many_requests", "details": {},
        "message": "You have uploaded a lot in a short time. Wait a little and try again."}}
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_api_uploads_are_limited_per_user_with_a_json_429(app, client, api_token, limits):
    limits(uploads="2 per minute")
    _, marketer = api_token("marketer")
    assert upload_asset(client, marketer, *NOTE).status_code == 201
    assert upload_asset(client, marketer, *NOTE).status_code == 201
    _assert_429_json(upload_asset(client, marketer, *NOTE))
    _, colleague = api_token("marketer")  # another user has an allowance of their own
    assert upload_asset(client, colleague, *NOTE).status_code == 201
    assert client.get("/api/v1/assets", headers=marketer).status_code == 200  # reads are free


def test_form_and_api_uploads_share_one_allowance(app, client, login_as, limits):
    """All four upload routes carry the limit; what is used on one is gone on the others, and
    a refused request is refused before its body is looked at."""
    limits(uploads="4 per minute")
    login_as("marketer")
    token = csrf_token(client)
    headers = {"X-CSRFToken": token}
    attempts = [
        client.post("/assets/new", **multipart({"csrf_token": token, "status": "draft"})),
        client.post("/assets/999/versions", **multipart({"csrf_token": token})),
        client.post("/api/v1/assets", headers=headers, **multipart({"title": "no file"})),
        client.post("/api/v1/assets/999/versions", headers=headers, **multipart({})),
    ]
    assert [r.status_code for r in attempts] == [422, 404, 422, 422]
    assert client.get("/assets/new").status_code == 200  # the form page itself is not limited
    page = client.post("/assets/new", **multipart({"csrf_token": token,
                                                   "files": [NOTE], "status": "draft"}))
    assert page.status_code == 429
    assert page.content_type.startswith("text/html")
    assert "You have uploaded a lot in a short time." in page.get_data(as_text=True)
    assert int(page.headers["Retry-After"]) >= 1
    _assert_429_json(client.post("/api/v1/assets", headers=headers, **multipart({})))


def test_expensive_requests_have_their_own_limit(app, client, login_as, limits):
    limits(expensive="1 per minute")
    login_as("rep")
    data = {"label": "CRM", "expires": "never", "csrf_token": csrf_token(client)}
    assert client.post("/account/tokens", data=data).status_code == 201
    refused = client.post("/account/tokens", data=data)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many requests of this kind" in refused.get_data(as_text=True)


def test_unknown_limit_names_are_a_programming_error():
    with pytest.raises(ValueError, match="unknown rate limit"):
        rate_limited("everything")


@pytest.fixture
def redis_workers(app):
    """Two app instances (two gunicorn workers) counting in the real Redis on 127.0.0.1."""
    prefix = f"lockstep-test-{uuid.uuid4().hex[:12]}"
    overrides = {key: app.config[key] for key in (
        "SQLALCHEMY_DATABASE_URI", "STORAGE_LOCAL_ROOT", "UPLOAD_TMP_DIR", "SEARCH_INDEX_DIR")}
    overrides.update(REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix,
                     RATELIMIT_UPLOADS="2 per minute")
    workers = [create_app("testing", overrides) for _ in range(2)]
    server = redis.Redis.from_url(REDIS_URL)
    yield workers, server, prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    server.close()
    for worker in workers:
        limiter_of(worker).storage.storage.connection_pool.disconnect()
        with worker.app_context():
            db.engine.dispose()


def test_redis_counts_are_shared_by_every_worker(app, api_token, redis_workers):
    workers, server, prefix = redis_workers
    assert server.ping()
    _, marketer = api_token("marketer")
    first, second = (worker.test_client() for worker in workers)
    # Bodies without a file are refused (422) after the limit is counted: cheap attempts.
    assert first.post("/api/v1/assets", headers=marketer, **multipart({})).status_code == 422
    assert second.post("/api/v1/assets", headers=marketer, **multipart({})).status_code == 422
    _assert_429_json(first.post("/api/v1/assets", headers=marketer, **multipart({})))
    _assert_429_json(second.post("/api/v1/assets", headers=marketer, **multipart({})))
    assert any(server.scan_iter(f"*{prefix}*"))  # the counts live in Redis, under our prefix


def test_deal_imports_draw_on_the_upload_allowance(app, client, api_token, login_as, limits):
    """A CRM export is an upload: the API and the import page share the uploads limit, and the
    refusal comes before the file is read."""
    limits(uploads="2 per minute")
    _, admin = api_token("admin")
    csv = (b"Opportunity ID,Opportunity Name,Stage,Close Date\n"
           b"006000000000001,Acme,Prospecting,2030-01-31\n")
    sent = [client.post("/api/v1/deals/imports", headers=admin,
                        **multipart({"file": [(csv, "deals.csv")], "dry_run": "true"}))
            for _ in range(3)]
    assert [r.status_code for r in sent[:2]] == [200, 200], sent[0].get_json()
    assert sent[2].status_code == 429
    assert sent[2].get_json()["error"]["code"] == "too_many_requests"
    login_as("admin")  # another admin: an allowance of their own, spent through the page
    token = csrf_token(client)
    pages = [client.post("/admin/deals/import", **multipart({"csrf_token": token,
                                                             "file": [(csv, "deals.csv")]}))
             for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 429]

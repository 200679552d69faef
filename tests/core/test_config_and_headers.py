"""Configuration, security headers, cookies, trusted hosts, proxies and error pages."""

import pytest
from helpers import PASSWORD, login

from app import create_app
from config import ProductionConfig, env_bool, env_int


@pytest.fixture
def production(monkeypatch, tmp_path):
    def make(secret="x" * 48, **overrides):
        monkeypatch.setattr(ProductionConfig, "SECRET_KEY", secret)
        base = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
                "STORAGE_LOCAL_ROOT": str(tmp_path / "blobs")}
        return create_app("production", {**base, **overrides})
    return make


@pytest.mark.parametrize("secret", [None, "", "dev-only-change-me", "short"])
def test_production_refuses_weak_secret_key(production, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production(secret)


def test_production_cookies_are_secure_and_https_is_forced(production):
    app = production()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = app.test_client().get("/login")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://")


def test_session_cookie_flags(app, client, make_user):
    user = make_user("rep")
    response = login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("path", ["/login", "/api/v1/openapi.json", "/nope"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["X-Request-ID"]) >= 8


def test_request_id_is_echoed_only_when_sane(client):
    assert client.get("/login", headers={"X-Request-ID": "abcd1234-ef"}).headers[
        "X-Request-ID"] == "abcd1234-ef"
    assert client.get("/login", headers={"X-Request-ID": "<script>"}).headers[
        "X-Request-ID"] != "<script>"


def test_trusted_hosts(production):
    app = production(TRUSTED_HOSTS=["lockstep.example.com"], FORCE_HTTPS=False)
    client = app.test_client()
    assert client.get("/login", base_url="http://lockstep.example.com").status_code == 200
    assert client.get("/login", base_url="http://evil.example").status_code == 400


def test_proxy_fix_only_when_configured(production):
    from werkzeug.middleware.proxy_fix import ProxyFix

    behind_one = production(PROXY_FIX_COUNT=1)
    assert isinstance(behind_one.wsgi_app, ProxyFix) and behind_one.wsgi_app.x_for == 1
    assert not isinstance(production().wsgi_app, ProxyFix)


def test_spoofed_forwarded_for_does_not_dodge_the_ip_throttle(app, client, make_user,
                                                              monkeypatch):
    """Without a configured proxy, X-Forwarded-For is the client's own claim and is ignored."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_IP", 3)
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{n}"
        login(client, f"guess{n}@example.test", "wrong password!")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    user = make_user("rep")
    assert login(client, user.email).status_code == 429


def test_unexpected_errors_show_no_stack_trace(app, monkeypatch, login_as, client):
    from app.library import queries

    login_as("rep")

    def explode(*args, **kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(queries, "list_assets", explode)
    page = client.get("/")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Traceback" not in text and "secret internals" not in text and "reference" in text


def test_api_errors_use_one_format(client, api_token):
    _, headers = api_token("rep")
    for path, method, status in [("/api/v1/assets/999", "GET", 404),
                                 ("/api/v1/me", "POST", 405),
                                 ("/api/v1/nothing-here", "GET", 404)]:
        response = client.open(path, method=method, headers=headers)
        assert response.status_code == status
        error = response.get_json()["error"]
        assert set(error) == {"code", "message", "details"}
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    for bad in ("Bearer", "Bearer nope", "Basic dXNlcjpwdw==", "Bearer " + "x" * 5000):
        assert client.get("/api/v1/me", headers={"Authorization": bad}).status_code == 401


def test_browser_session_on_the_api_needs_csrf_for_writes(client, login_as):
    from helpers import csrf_token

    login_as("marketer")
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/assets/1/versions/1/restore", json={})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"
    with_token = client.post("/api/v1/assets/1/versions/1/restore", json={},
                             headers={"X-CSRFToken": csrf_token(client)})
    assert with_token.status_code == 404  # past CSRF; the asset does not exist


def test_openapi_document_is_valid_and_generated(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    upload = spec["paths"]["/api/v1/assets"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["$ref"] == "#/components/schemas/AssetUpload"
    fields = spec["components"]["schemas"]["AssetUpload"]["properties"]
    assert fields["file"] == {"type": "string", "format": "binary"}
    stages = ["awareness", "discovery", "evaluation", "proposal", "closing"]
    assert fields["stage"]["enum"] == [*stages, None]  # null clears the stage
    asset_id = spec["paths"]["/api/v1/assets/{asset_id}"]["parameters"][0]["schema"]
    assert asset_id == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


@pytest.mark.parametrize("raw,expected", [("1", True), ("off", False), ("YES", True)])
def test_env_bool(monkeypatch, raw, expected):
    monkeypatch.setenv("LOCKSTEP_X", raw)
    assert env_bool("LOCKSTEP_X", not expected) is expected


def test_bad_env_values_fail_loudly(monkeypatch):
    monkeypatch.setenv("LOCKSTEP_X", "lots")
    with pytest.raises(ValueError, match="LOCKSTEP_X"):
        env_int("LOCKSTEP_X", 1)
    with pytest.raises(ValueError, match="LOCKSTEP_X"):
        env_bool("LOCKSTEP_X", True)


def test_a_busy_sqlite_database_answers_503_not_500(app, client, api_token, monkeypatch):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.library import queries

    _, headers = api_token("rep")

    def locked(*args, **kwargs):
        raise OperationalError("UPDATE ...", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(queries, "list_assets", locked)
    response = client.get("/api/v1/assets", headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["code"] == "busy"

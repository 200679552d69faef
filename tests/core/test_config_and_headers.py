"""Configuration, the secret key, security headers, cookies, trusted hosts, proxies and error
pages."""

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import PASSWORD, login

from app import create_app
from app.auth.secret_key import load_or_create_secret_key
from config import env_bool, env_int

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def production(tmp_path):
    def make(secret="x" * 48, **overrides):
        base = {"SECRET_KEY": secret, "SECRET_KEY_FILE": str(tmp_path / "instance" / "secret_key"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}",
                "STORAGE_LOCAL_ROOT": str(tmp_path / "blobs")}
        return create_app("production", {**base, **overrides})
    return make


@pytest.mark.parametrize("secret", ["dev-only-change-me", "short", "x" * 31])
def test_production_refuses_weak_secret_key(production, secret):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        production(secret)


def test_the_old_public_placeholder_is_refused_in_development_too(tmp_path):
    with pytest.raises(RuntimeError, match="published placeholder"):
        create_app("development", {"SECRET_KEY": "dev-only-change-me",
                                   "SECRET_KEY_FILE": str(tmp_path / "secret_key")})


@pytest.mark.parametrize("config_name", ["development", "production"])
@pytest.mark.parametrize("secret", [None, ""])
def test_without_secret_key_a_random_one_is_generated_once_and_kept_private(
        tmp_path, config_name, secret):
    """Never a fixed string: a random key in the instance folder, mode 0600, reused on restart."""
    key_file = tmp_path / "instance" / "secret_key"
    overrides = {"SECRET_KEY": secret, "SECRET_KEY_FILE": str(key_file),
                 "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}",
                 "STORAGE_LOCAL_ROOT": str(tmp_path / "blobs")}
    first = create_app(config_name, overrides)
    key = first.config["SECRET_KEY"]
    assert len(key) >= 48 and key == key_file.read_text().strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app(config_name, overrides).config["SECRET_KEY"] == key  # a restart agrees
    other = tmp_path / "elsewhere" / "secret_key"
    assert create_app(config_name, {**overrides, "SECRET_KEY_FILE": str(other)}).config[
        "SECRET_KEY"] != key  # random per installation, not a constant
    assert sorted(p.name for p in key_file.parent.iterdir()) == ["secret_key"]  # no temp left


def test_a_key_file_others_can_read_is_refused(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 64)
    key_file.chmod(0o644)
    with pytest.raises(RuntimeError, match="chmod 600"):
        load_or_create_secret_key(str(key_file))
    key_file.chmod(0o600)
    assert load_or_create_secret_key(str(key_file)) == "k" * 64
    key_file.write_text("")
    with pytest.raises(RuntimeError, match="usable key"):
        load_or_create_secret_key(str(key_file))


_START_TOGETHER = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from app.auth.secret_key import load_or_create_secret_key
open(sys.argv[4], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.001)
print(load_or_create_secret_key(sys.argv[2]))
"""


def test_workers_starting_at_once_agree_on_one_key(tmp_path):
    """Gunicorn starts its workers together: each creates the app, and all must sign with the
    same key, so the file is created race-free (complete file linked into place, or nothing)."""
    key_file, go = tmp_path / "instance" / "secret_key", tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(8)]
    workers = [subprocess.Popen([sys.executable, "-c", _START_TOGETHER, str(ROOT), str(key_file),
                                 str(go), str(flag)], stdout=subprocess.PIPE, text=True)
               for flag in ready]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)  # every worker imported and waits at the starting line
    go.touch()
    keys = {worker.communicate(timeout=60)[0].strip() for worker in workers}
    assert [worker.returncode for worker in workers] == [0] * 8
    assert keys == {key_file.read_text().strip()} and len(keys.pop()) >= 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_demo_seed_refuses_production_unless_forced(production):
    """The demo accounts share a published password; production gets them only on purpose."""
    from app.auth import services
    from app.extensions import db

    app = production()
    with app.app_context():
        db.create_all()  # tests only
        services.create_user("someone@example.test", "Someone", "admin", "long enough pw")
        db.session.remove()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo", "seed"])
    assert refused.exit_code == 1
    assert "Refusing to load demo data in production" in refused.output
    forced = runner.invoke(args=["demo", "seed", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "already has users" in forced.output  # past the guard; an empty database is seeded
    with app.app_context():
        db.engine.dispose()


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

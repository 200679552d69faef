"""Configuration classes, read from environment variables through typed helpers."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
# Values that were ever published (the old development default): never accepted as a key.
PUBLIC_SECRET_KEYS = frozenset({"dev-only-change-me"})
MIN_SECRET_KEY_LENGTH = 32


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if raw is None:
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_list(name: str) -> list[str] | None:
    raw = env_str(name)
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else None


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    ENVIRONMENT = "development"
    # Unset: the app generates a random key once and keeps it in SECRET_KEY_FILE (mode 0600), so
    # every worker on this host signs with the same key (app/auth/secret_key.py).
    SECRET_KEY = env_str("SECRET_KEY")
    SECRET_KEY_FILE = env_str("SECRET_KEY_FILE", str(INSTANCE_DIR / "secret_key"))
    SQLALCHEMY_DATABASE_URI = env_str("DATABASE_URL", sqlite_url(INSTANCE_DIR / "lockstep.db"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    STORAGE_BACKEND = env_str("STORAGE_BACKEND", "local")
    STORAGE_LOCAL_ROOT = env_str("STORAGE_LOCAL_ROOT", str(INSTANCE_DIR / "blobs"))
    S3_BUCKET = env_str("S3_BUCKET")
    S3_PREFIX = env_str("S3_PREFIX", "")
    S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
    AWS_REGION = env_str("AWS_REGION")
    # Downloads from S3 go straight from the bucket through short-lived presigned URLs; turn off
    # when browsers cannot reach the S3 endpoint, and the app streams the bytes itself.
    S3_PRESIGN = env_bool("S3_PRESIGN", True)
    MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 1024 * 1024 * 1024)
    # Uploads are spooled here for type sniffing and text extraction before they are stored.
    UPLOAD_TMP_DIR = env_str("UPLOAD_TMP_DIR", str(INSTANCE_DIR / "tmp"))
    SEARCH_INDEX_DIR = env_str("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    EXTRACT_TIMEOUT_SECONDS = env_int("EXTRACT_TIMEOUT_SECONDS", 30)
    EXTRACT_MAX_BYTES = env_int("EXTRACT_MAX_BYTES", 200 * 1024 * 1024)
    # Real page previews of Word and PowerPoint files, when LibreOffice is installed.
    OFFICE_PREVIEWS = env_bool("OFFICE_PREVIEWS", True)
    SOFFICE_PATH = env_str("SOFFICE_PATH")  # default: soffice on PATH
    OFFICE_PREVIEW_TIMEOUT_SECONDS = env_int("OFFICE_PREVIEW_TIMEOUT_SECONDS", 60)
    # Share links: the public viewer's content URLs live this long; beacons and new visits
    # are counted per visit and per address (Flask-Limiter notation, stored like the others).
    SHARE_CONTENT_URL_SECONDS = env_int("SHARE_CONTENT_URL_SECONDS", 600)
    SHARE_BEACON_LIMIT = env_str("SHARE_BEACON_LIMIT", "30 per minute;600 per hour")
    SHARE_VISIT_LIMIT = env_str("SHARE_VISIT_LIMIT", "20 per 10 minutes;100 per day")
    # Insights: every amount is reported in one currency. INSIGHTS_RATES says what one unit of
    # each other currency is worth in it ("EUR=1.08,GBP=1.27"); amounts in a currency without a
    # rate are shown apart, never guessed.
    INSIGHTS_REPORTING_CURRENCY = env_str("INSIGHTS_REPORTING_CURRENCY", "USD")
    INSIGHTS_RATES = env_str("INSIGHTS_RATES", "")
    SHARE_CODE_MINUTES = env_int("SHARE_CODE_MINUTES", 10)
    # Wrong passwords per link and network; e-mailed codes per network (all links).
    SHARE_PASSWORD_LIMIT = env_str("SHARE_PASSWORD_LIMIT", "10 per 15 minutes;50 per day")
    SHARE_CODE_SEND_LIMIT = env_str("SHARE_CODE_SEND_LIMIT", "10 per hour;30 per day")
    SHARE_MAX_DOWNLOAD_PAGES = env_int("SHARE_MAX_DOWNLOAD_PAGES", 2000)
    TRUSTED_HOSTS = env_list("TRUSTED_HOSTS")
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    PROXY_FIX_COUNT = env_int("PROXY_FIX_COUNT", 0)
    LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    LOGIN_MAX_FAILURES_PER_IP = env_int("LOGIN_MAX_FAILURES_PER_IP", 20)
    LOGIN_THROTTLE_WINDOW_SECONDS = env_int("LOGIN_THROTTLE_WINDOW_SECONDS", 15 * 60)
    INVITE_EXPIRY_DAYS = env_int("INVITE_EXPIRY_DAYS", 7)
    # Sessions end at the latest this long after sign-in (Flask also refuses older cookies).
    PERMANENT_SESSION_LIFETIME = env_int("SESSION_LIFETIME_DAYS", 14) * 86400
    # Rate limits per user (per IP when signed out), in Flask-Limiter's notation; counted in
    # Redis when REDIS_URL is set (shared by every worker), else in each process's memory.
    REDIS_URL = env_str("REDIS_URL")
    RATELIMIT_UPLOADS = env_str("RATELIMIT_UPLOADS", "60 per minute;1000 per hour")
    RATELIMIT_EXPENSIVE = env_str("RATELIMIT_EXPENSIVE", "20 per minute;200 per hour")
    RATELIMIT_KEY_PREFIX = env_str("RATELIMIT_KEY_PREFIX", "lockstep")
    # `flask storage gc` refuses a shorter grace period: younger blobs may belong to uploads
    # that have stored their file but not yet committed their row.
    STORAGE_GC_MIN_GRACE_MINUTES = env_int("STORAGE_GC_MIN_GRACE_MINUTES", 10)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    FORCE_HTTPS = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    API_TITLE = "Lockstep API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    DEMO_SEED = env_int("DEMO_SEED", 2026)
    # Outgoing mail (share-link e-mail verification codes). Unset MAIL_SERVER: mail is off.
    # MAIL_USE_TLS upgrades the connection with STARTTLS and refuses a server that cannot.
    MAIL_SERVER = env_str("MAIL_SERVER")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_FROM = env_str("MAIL_FROM", "Lockstep <no-reply@localhost>")
    MAIL_TIMEOUT_SECONDS = env_int("MAIL_TIMEOUT_SECONDS", 10)

    @classmethod
    def validate(cls, config: dict) -> None:
        """Refuse to start on unsafe settings; `config` is the app's final configuration."""
        if config.get("SECRET_KEY") in PUBLIC_SECRET_KEYS:
            raise RuntimeError("Refusing to start: SECRET_KEY is a published placeholder. "
                               + SECRET_KEY_ADVICE)


SECRET_KEY_ADVICE = (
    f"Set SECRET_KEY to a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
    '(python -c "import secrets; print(secrets.token_urlsafe(48))"), or unset it to use the key '
    "generated in SECRET_KEY_FILE."
)


class DevelopmentConfig(Config):
    DEBUG = False  # the debugger would show stack traces; opt in with FLASK_DEBUG=1


class TestingConfig(Config):
    ENVIRONMENT = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = env_str("TEST_DATABASE_URL", "sqlite://")
    STORAGE_BACKEND = "local"
    MAX_UPLOAD_BYTES = env_int("TEST_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
    EXTRACT_TIMEOUT_SECONDS = 20
    # Seconds of LibreOffice per Office upload; the preview tests turn it on.
    OFFICE_PREVIEWS = False
    REDIS_URL = None  # each test that wants Redis says so
    # Tests share user ids and one client IP across many requests; the rate-limit tests set
    # their own small limits.
    RATELIMIT_UPLOADS = "100000 per minute"
    RATELIMIT_EXPENSIVE = "100000 per minute"
    SHARE_BEACON_LIMIT = "100000 per minute"
    SHARE_VISIT_LIMIT = "100000 per minute"
    SHARE_PASSWORD_LIMIT = "100000 per minute"  # noqa: S105 - a rate limit, not a password
    SHARE_CODE_SEND_LIMIT = "100000 per minute"
    STORAGE_GC_MIN_GRACE_MINUTES = 0  # tests collect blobs they have just written
    MAIL_SERVER = None  # never a developer's real server; each mail test starts its own


class ProductionConfig(Config):
    ENVIRONMENT = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = env_bool("FORCE_HTTPS", True)

    @classmethod
    def validate(cls, config: dict) -> None:
        super().validate(config)
        # A generated key is long and random; a key someone typed must be as well.
        if len(config.get("SECRET_KEY") or "") < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError("Refusing to start: SECRET_KEY is too short. " + SECRET_KEY_ADVICE)


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

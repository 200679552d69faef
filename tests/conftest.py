"""Shared fixtures: one app per session on the chosen database, a clean database per test,
users for every role, and a signed-in client.

The database comes from LOCKSTEP_TEST_DB: `sqlite` (default, a file in a temp dir) or
`postgresql` (TEST_DATABASE_URL, default the local server's `test` database). `make test` runs
the whole suite once on each.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import PASSWORD, login  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
pytest_plugins = ["fixtures.s3", "fixtures.live", "fixtures.browser", "fixtures.databases"]


def pytest_sessionstart(session):
    import corpus

    # The base layer is always obtainable (from the package registry), so a run without it is
    # refused rather than quietly testing less.
    if not (corpus.base_dir() / ".complete").exists():
        raise pytest.UsageError(f"The test corpus is missing: {corpus.missing_hint()}.")


def database_url(tmp: Path) -> str:
    kind = os.environ.get("LOCKSTEP_TEST_DB", "sqlite")
    if kind == "postgresql":
        return os.environ.get("TEST_DATABASE_URL", PG_DEFAULT)
    if kind == "sqlite":
        return f"sqlite:///{tmp / 'test.db'}"
    raise pytest.UsageError(f"LOCKSTEP_TEST_DB must be sqlite or postgresql, not {kind!r}")


@pytest.fixture(scope="session")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="lockstep-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def app(workdir):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": database_url(workdir),
        "STORAGE_LOCAL_ROOT": str(workdir / "blobs"),
        "UPLOAD_TMP_DIR": str(workdir / "tmp"),
        "SEARCH_INDEX_DIR": str(workdir / "index"),
    })
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()  # tests only; the app itself relies on migrations
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close pooled connections before the interpreter does


def _drop_alembic_version() -> None:
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server").wait_idle()
    with app.app_context():
        db.session.remove()
        wipe_tables()
        engine = app.extensions.get("lockstep.search")
        if engine is not None:
            engine.rebuild([])  # the database is empty again; so is the index
    shutil.rmtree(app.config["STORAGE_LOCAL_ROOT"], ignore_errors=True)


def wipe_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        db.session.execute(text("PRAGMA foreign_keys=OFF"))
        for name in tables:
            db.session.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 - our table names
        db.session.execute(text("PRAGMA foreign_keys=ON"))
    db.session.commit()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    from app.auth import services

    counter = {"n": 0}

    def make(role: str = "rep", email: str | None = None, password: str = PASSWORD, **kw):
        counter["n"] += 1
        email = email or f"{role}{counter['n']}@example.test"
        with app.app_context():
            user = services.create_user(email, kw.get("name", f"{role.title()} {counter['n']}"),
                                        role, password)
            db.session.refresh(user)  # load everything before leaving the session
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def login_as(client, make_user):
    """Sign the test client in as a new user of `role`; returns the user."""

    def do(role: str, **kw):
        user = make_user(role, **kw)
        response = login(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return do


@pytest.fixture
def api_token(app, make_user):
    """A bearer token for a new user of `role`: returns (user, headers)."""
    from app.auth import services

    def make(role: str):
        user = make_user(role)
        with app.app_context():
            token = services.issue_token(db.session.get(type(user), user.id), "tests")
        return user, {"Authorization": f"Bearer {token}"}

    return make

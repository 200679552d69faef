"""`flask storage gc` on the app: references come from the providers the areas register, the
grace period has a floor, and an upload racing with the collection keeps its file."""

import io
import os
import time
from pathlib import Path

from helpers import SAMPLE_PDF, corpus_file
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.library import services
from app.library.models import AssetVersion
from app.storage import flask as storage_flask


def _orphan(app, data: bytes, age_seconds: int = 7200):
    """A blob whose upload failed to commit, `age_seconds` ago."""
    with app.app_context():
        blob = storage_flask.get_storage().save(io.BytesIO(data))
    past = time.time() - age_seconds
    os.utime(Path(app.config["STORAGE_LOCAL_ROOT"], blob.key), (past, past))
    return blob


def _gc(app, *args):
    return app.test_cli_runner().invoke(args=["storage", "gc", *args])


def _dangling_versions(app) -> list:
    with app.app_context():
        storage = storage_flask.get_storage()
        return [v.id for v in db.session.scalars(select(AssetVersion))
                if not storage.exists(v.storage_key)]


class ListingLetsAnUploadIn:
    """The app's storage, except that an upload of the same bytes commits just as GC's listing
    of the blobs returns (what a busy server does between the two)."""

    def __init__(self, storage, upload) -> None:
        self.storage, self.upload = storage, upload

    def __getattr__(self, name):
        return getattr(self.storage, name)

    def iter_blobs(self):
        yield from list(self.storage.iter_blobs())
        self.upload()


def test_an_upload_committing_during_gc_keeps_its_blob(app, make_user, monkeypatch):
    marketer = make_user("marketer")
    pdf = corpus_file(SAMPLE_PDF)
    orphan = _orphan(app, pdf)  # an earlier upload of the same file failed to commit

    def upload():
        services.create_asset(db.session.get(User, marketer.id), io.BytesIO(pdf), "deck.pdf",
                              {"status": "published"})

    with app.app_context():
        racing = ListingLetsAnUploadIn(storage_flask.get_storage(), upload)
    monkeypatch.setitem(app.extensions, storage_flask.EXTENSION_KEY, racing)
    result = _gc(app, "--grace-minutes", "60")
    assert result.exit_code == 0, result.output
    with app.app_context():
        keys = [v.storage_key for v in db.session.scalars(select(AssetVersion))]
    assert keys == [orphan.key]  # the upload deduplicated onto the orphan
    assert _dangling_versions(app) == []


def test_gc_takes_references_from_every_registered_provider(app, make_user, monkeypatch):
    from helpers import upload_asset

    from app.auth import services as auth_services

    marketer = make_user("marketer")
    with app.app_context():
        token = auth_services.issue_token(db.session.get(User, marketer.id), "gc")
    response = upload_asset(app.test_client(), {"Authorization": f"Bearer {token}"},
                            corpus_file(SAMPLE_PDF), "kept.pdf")
    assert response.status_code == 201
    orphan = _orphan(app, b"nobody's")
    forked = _orphan(app, b"a later area's file (a fork, a share link)")
    providers = app.extensions[storage_flask.PROVIDERS_KEY]
    monkeypatch.setitem(app.extensions, storage_flask.PROVIDERS_KEY,
                        [*providers, lambda: {forked.key}])
    result = _gc(app, "--grace-minutes", "60")
    assert result.exit_code == 0, result.output
    assert "kept 3, deleted 1" in result.output  # the PDF, its thumbnail, the later area's
    with app.app_context():
        storage = storage_flask.get_storage()
        assert not storage.exists(orphan.key) and storage.exists(forked.key)
    assert _dangling_versions(app) == []


def test_gc_refuses_without_providers(app, monkeypatch):
    orphan = _orphan(app, b"would look unreferenced")
    monkeypatch.setitem(app.extensions, storage_flask.PROVIDERS_KEY, [])
    result = _gc(app, "--grace-minutes", "60")
    assert result.exit_code == 1 and "no blob reference providers" in str(result.exception)
    with app.app_context():
        assert storage_flask.get_storage().exists(orphan.key)


def test_the_grace_period_has_a_floor(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_GC_MIN_GRACE_MINUTES", 10)
    orphan = _orphan(app, b"five minutes old", age_seconds=300)
    for grace in ("0", "9", "-1"):
        result = _gc(app, "--grace-minutes", grace)
        assert result.exit_code == 2, result.output
    assert "must be at least 10" in _gc(app, "--grace-minutes", "9").output
    assert _gc(app, "--grace-minutes", "10").exit_code == 0
    with app.app_context():
        assert storage_flask.get_storage().exists(orphan.key)  # younger than the grace
    assert _gc(app, "--grace-minutes", "abc").exit_code == 2

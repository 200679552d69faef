"""The same world built on SQLite and on PostgreSQL gives the same number in every field of
every analytics answer: the queries are written once, with the few spellings that differ kept
in app/insights/sqlparts.py."""

from __future__ import annotations

import math

import pytest
from fixtures.insights import build

from app import create_app
from app.extensions import db


def _app(url, root):
    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": url, "STORAGE_LOCAL_ROOT": str(root / "blobs"),
        "UPLOAD_TMP_DIR": str(root / "tmp"), "SEARCH_INDEX_DIR": str(root / "index")})
    with app.app_context():
        db.create_all()  # tests only; the app itself relies on migrations
    return app


def _answers(app, world) -> dict:
    client = app.test_client()
    paths = ["/api/v1/analytics/assets", "/api/v1/analytics/reps",
             "/api/v1/analytics/assets?industry=Retail",
             f"/api/v1/analytics/assets?stage_id={world.stages['evaluation']}",
             "/api/v1/analytics/assets?date_to=2026-01-16"]
    paths += [f"/api/v1/analytics/assets/{asset_id}" for asset_id in world.assets.values()]
    paths += [f"/api/v1/analytics/assets/{world.assets['A']}?date_from=2026-01-10"]
    answers = {}
    for path in paths:
        response = client.get(path, headers=world.headers["L"])
        assert response.status_code == 200, (path, response.get_json())
        answers[path] = response.get_json()
    return answers


def _leaves(value, path=""):
    if isinstance(value, dict):
        for key in sorted(value):
            yield from _leaves(value[key], f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def test_every_number_is_the_same_on_sqlite_and_postgresql(tmp_path, monkeypatch,
                                                           fresh_postgresql_url):
    answers = {}
    for name, url in (("sqlite", f"sqlite:///{tmp_path / 'cmp.db'}"),
                      ("postgresql", fresh_postgresql_url)):
        app = _app(url, tmp_path / name)
        with monkeypatch.context() as patch:
            world = build(app, patch)
            answers[name] = dict(_leaves(_answers(app, world)))
        engine = app.extensions.get("lockstep.search")
        if engine is not None:
            engine.close()  # its own index handles
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    sqlite, postgresql = answers["sqlite"], answers["postgresql"]
    assert sqlite.keys() == postgresql.keys()
    numbers = 0
    for key, value in sqlite.items():
        other = postgresql[key]
        if isinstance(value, float) or isinstance(other, float):
            assert other == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert other == value, key
        numbers += isinstance(value, int | float) and not isinstance(value, bool) or (
            isinstance(value, str) and _is_number(value))
    assert numbers > 300  # the comparison covered the numbers, not just the titles


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False

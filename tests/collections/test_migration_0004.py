"""Migration 0004 on a database with collections in it: the featured ones (which reps saw)
stay visible as published, the others become drafts, and nothing is featured by default."""

import warnings
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db


def _filler(column: sa.Column, n: int):
    """A value for a NOT NULL column without a default, whatever 0003's user table holds."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        kind = str
    if kind is bool:
        return True
    if kind is int:
        return n
    if kind is datetime:
        return datetime.now(UTC)
    return f"{column.name}-{n}@example.test" if column.name == "email" else f"x{n}"


def test_featured_collections_become_published_and_the_rest_drafts(empty_database_url,
                                                                    tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url,
                                 "STORAGE_LOCAL_ROOT": str(tmp_path / "blobs")})
    with app.app_context(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            users = sa.Table("user", sa.MetaData(), autoload_with=conn)
            required = [c for c in users.columns if not c.nullable and not c.primary_key
                        and c.server_default is None]
            conn.execute(users.insert().values(id=1, **{c.name: _filler(c, 1)
                                                        for c in required}))
            now = datetime.now(UTC)
            for n, featured in ((1, True), (2, False)):
                conn.execute(sa.text(
                    "INSERT INTO collection (id, title, description, owner_id, featured, "
                    "created_at, updated_at) VALUES (:id, :t, '', 1, :f, :now, :now)"),
                    {"id": n, "t": f"Kit {n}", "f": featured, "now": now})
        upgrade(revision="0004")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, status FROM collection ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [(1, "published"), (2, "draft")]
            with pytest.raises(sa.exc.IntegrityError):
                conn.execute(sa.text("UPDATE collection SET status = 'archived' WHERE id = 1"))
            conn.rollback()
        downgrade(revision="0003")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("collection")}
            assert "status" not in columns and "featured" in columns
        db.engine.dispose()

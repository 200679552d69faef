"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db


def test_upgrade_matches_models_and_downgrade_removes_everything(empty_database_url, tmp_path):
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": empty_database_url,
                                 "STORAGE_LOCAL_ROOT": str(tmp_path / "blobs")})
    with app.app_context(), warnings.catch_warnings():
        # SQLite cannot reflect the lower(email) expression index; PostgreSQL checks it below.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            assert diff == []
            indexes = {ix["name"] for ix in sa.inspect(conn).get_indexes("user")}
            if conn.dialect.name == "postgresql":
                assert "uq_user_email_lower" in indexes
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_email_uniqueness_ignores_case_in_the_database(app):
    from app.auth.models import User

    with app.app_context():
        db.session.add(User(email="a@example.test", name="A", role="rep"))
        db.session.add(User(email="A@EXAMPLE.TEST", name="B", role="rep"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()

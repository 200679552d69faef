"""SQL shapes that perform alike on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db


def in_values(column, values: Sequence[str]) -> ColumnElement[bool]:
    """`column IN values` for a long list of strings. On PostgreSQL this is `= ANY(:array)`:
    with hundreds of separate parameters its generic plan scans the whole table and tests
    every row against the list (seconds at 100,000 rows), while one array parameter keeps the
    index scan."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(list(values))

"""SQL pieces the two databases spell differently, so every query gives the same numbers on
SQLite and PostgreSQL (tests/insights run one fixture on both and compare)."""

from __future__ import annotations

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.insights.currency import Rates


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def days_between(later, earlier) -> ColumnElement:
    """Fractional days from `earlier` to `later`."""
    if _postgres():
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def month_of(day) -> ColumnElement:
    """'YYYY-MM' of a date column."""
    if _postgres():
        return func.to_char(day, "YYYY-MM")
    return func.strftime("%Y-%m", day)


def converted(amount, currency, rates: Rates) -> ColumnElement:
    """The amount in the reporting currency; NULL without an amount or a rate."""
    whens = [(currency == rates.reporting, cast(amount, Float))]
    whens += [(currency == code, cast(amount, Float) * float(rate))
              for code, rate in sorted(rates.rates.items())]
    return case(*whens, else_=None)


def median_of(values_query) -> float | None:
    """The median of a one-column query, by window functions (mean of the middle two)."""
    inner = values_query.subquery()
    value = inner.c[0]
    ranked = select(value.label("v"),
                    func.row_number().over(order_by=value).label("rn"),
                    func.count().over().label("n")).where(value.is_not(None)).subquery()
    middle = select(func.avg(ranked.c.v)).where(
        ranked.c.rn.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
    result = db.session.scalar(middle)
    return None if result is None else round(float(result), 6)


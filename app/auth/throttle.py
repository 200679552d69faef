"""Sign-in throttling kept in the database, so every worker and every host sees the same counts.

Each attempt is counted as a failure *before* its password is checked, in one atomic upsert that
also returns the new count: concurrent wrong passwords each take a slot, and once the slots are
gone the rest are refused without a password check. A success gives its slot back: it resets
its own account's count and returns the one it took from its IP, never touching the counts of
other accounts tried from the same IP.

Lock order is always account row, then IP row, and the purge of expired rows skips rows that
others hold, so concurrent sign-ins on PostgreSQL cannot deadlock; SQLite has one writer anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import LoginThrottle
from app.core.errors import TooManyRequests
from app.core.timeutil import utcnow
from app.extensions import db

THROTTLED = "Too many failed sign-in attempts. Wait a few minutes and try again."
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account: int
    per_ip: int
    window: timedelta


def account_key(email_key: str) -> str:
    return "a:" + email_key[:254]


def ip_key(ip: str) -> str:
    return "i:" + ip[:64]


def claim_attempt(email_key: str, ip: str, policy: ThrottlePolicy) -> None:
    """Count the attempt as a failure and commit; TooManyRequests when a limit is exceeded."""
    now = utcnow()
    refused = _count_failure(account_key(email_key), now, policy.window) > policy.per_account
    if not refused:
        refused = _count_failure(ip_key(ip), now, policy.window) > policy.per_ip
    _purge_expired(now - policy.window)
    db.session.commit()
    if refused:
        raise TooManyRequests(THROTTLED)


def give_back_on_success(email_key: str, ip: str) -> None:
    """The attempt succeeded: its account starts afresh, its IP gets back the slot it took.
    Flushes only; the caller commits with the new session."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email_key)))
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == ip_key(ip), LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )


def _count_failure(key: str, now: datetime, window: timedelta) -> int:
    table = LoginThrottle.__table__
    moment = literal(now, table.c.window_start.type)
    expired = table.c.window_start <= literal(now - window, table.c.window_start.type)
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(table)
        .values(key=key, failures=1, window_start=moment)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((expired, 1), else_=table.c.failures + 1),
                "window_start": case((expired, moment), else_=table.c.window_start),
            },
        )
        .returning(table.c.failures)
    )
    return db.session.execute(statement).scalar_one()


def _purge_expired(cutoff: datetime) -> None:
    # SKIP LOCKED (PostgreSQL; SQLite has no row locks and ignores it): never wait for rows
    # another sign-in is updating, so the purge adds no lock waits.
    stale = (select(LoginThrottle.key).where(LoginThrottle.window_start <= cutoff)
             .limit(500).with_for_update(skip_locked=True))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(stale)))

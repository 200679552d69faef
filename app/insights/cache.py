"""A short-lived, per-process cache for the figures every asset page shares (the strata of all
closed deals, how all deals moved through the stages): they depend on the deals, not on the asset.

An entry is used only while the deals look the same (count, newest stage change, latest update)
and for at most `TTL_SECONDS`, so a deal change shows within a minute on every worker, and at once
on the worker that made it (the rollup's write hook clears this process's entries).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import func, select

from app.deals.models import Deal, DealStageChange
from app.extensions import db

TTL_SECONDS = 60
_entries: dict[Hashable, tuple[float, Hashable, Any]] = {}
_lock = threading.Lock()


def deals_version() -> Hashable:
    deals = db.session.execute(select(func.count(), func.max(Deal.updated_at))).one()
    newest_change = db.session.scalar(select(func.max(DealStageChange.id)))
    return db.engine.url.render_as_string(), deals[0], str(deals[1]), newest_change


def _version_once() -> Hashable:
    """deals_version(), read once per request (an asset page asks for three shared figures)."""
    from flask import g, has_app_context

    if not has_app_context():
        return deals_version()
    if "insights_deals_version" not in g:
        g.insights_deals_version = deals_version()
    return g.insights_deals_version


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    version = _version_once()
    now = time.monotonic()
    with _lock:
        entry = _entries.get(key)
    if entry is not None and entry[1] == version and now - entry[0] < TTL_SECONDS:
        return entry[2]
    value = compute()
    with _lock:
        if len(_entries) > 256:
            _entries.clear()
        _entries[key] = (now, version, value)
    return value


def clear(*_args) -> None:
    from flask import g, has_app_context

    if has_app_context():
        g.pop("insights_deals_version", None)  # this request changed deals: read it again
    with _lock:
        _entries.clear()

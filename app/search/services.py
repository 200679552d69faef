"""The search area's entry point for the app factory.

The area is split by job: lifecycle (this process's engine, background rebuilds, reindex),
sync (the outbox applied to the index), queries (searches, checked against the database),
searchlog and insights (what was searched and opened). Only app.search.engine knows Whoosh.
"""

from __future__ import annotations

from flask import Flask

from app.search import lifecycle, sync


def init_app(app: Flask) -> None:
    lifecycle.init_app(app)
    sync.init_app(app)

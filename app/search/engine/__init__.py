"""Full-text search for Lockstep's asset library, independent of Flask and the database.

The lead's code uses only the names re-exported here. Whoosh is an implementation detail: every
`whoosh` import lives in this package's whoosh_*.py modules, so another backend can replace it.
"""

from .types import (
    FACETS,
    SORTS,
    STATUSES,
    Changes,
    Hit,
    IndexBusyError,
    SearchDocument,
    SearchEngine,
    SearchRequest,
    SearchResponse,
    TextsFor,
)

__all__ = [
    "FACETS",
    "SORTS",
    "STATUSES",
    "Changes",
    "Hit",
    "IndexBusyError",
    "SearchDocument",
    "SearchEngine",
    "SearchRequest",
    "SearchResponse",
    "TextsFor",
    "open_engine",
]


def open_engine(index_dir: str) -> SearchEngine:
    """Open (or create) the Whoosh-backed engine for index_dir. Never raises for a missing or
    corrupt index: it starts empty and sets `needs_rebuild` so the caller can reindex."""
    from .whoosh_engine import WhooshEngine  # deferred: importing the contract stays cheap

    return WhooshEngine(index_dir)

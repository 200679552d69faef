"""The search engine's public contract: what goes in, what comes out, and the engine protocol.

Nothing here knows about Whoosh, Flask or the database, so the views, the outbox and a future
second backend all code against these names only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

FACETS = ("stage", "kind", "persona", "industry", "product", "tag")
SORTS = ("relevance", "newest", "most_used", "win_rate")
STATUSES = ("draft", "published", "archived")


@dataclass(frozen=True)
class SearchDocument:
    """One asset as the index sees it. `text` is the extracted text of the current version;
    only its first MAX_INDEXED_CHARS characters are indexed (see whoosh_schema)."""

    asset_id: int
    title: str
    description: str
    tags: tuple[str, ...]
    stage: str | None
    kind: str
    persona: str
    industry: str
    product: str
    owner: str
    status: str
    filename: str
    text: str
    created_at: datetime
    updated_at: datetime
    review_by: date | None
    won_deals: int = 0
    used_deals: int = 0


@dataclass(frozen=True)
class SearchRequest:
    """filters: facet name -> selected values (AND across facets, OR within one facet).
    statuses: the statuses this caller may see; anything else is invisible everywhere."""

    text: str
    filters: dict[str, list[str]]
    statuses: tuple[str, ...]
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    today: date | None = None
    # Assets never found or counted, whatever the index says: the caller knows the viewer may
    # not see them while their index entries may still be catching up with the database.
    exclude: frozenset[int] = frozenset()


@dataclass
class Hit:
    asset_id: int
    score: float
    title: str
    kind: str
    stage: str | None
    updated_at: datetime
    highlights: list[str] = field(default_factory=list)
    # Deals the asset was used in while they were open, and of those won (filled by the caller
    # from the database, like the title: the index copy only ranks).
    used_deals: int = 0
    won_deals: int = 0


@dataclass
class SearchResponse:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    message: str | None = None


Changes = tuple[list[SearchDocument], set[int]]
"""What one index write applies: documents to (re)index, and asset ids to remove."""
TextsFor = Callable[[list[int]], Mapping[int, str]]
"""Given the shown hits' asset ids, their texts (one call per search, for the snippets)."""


class IndexBusyError(RuntimeError):
    """The write did not happen: the index stayed locked by other writers for the whole retry
    window, or a rebuild swapped it under every attempt. The caller (the outbox) keeps its
    entries and tries again later, so nothing is lost."""


@runtime_checkable
class SearchEngine(Protocol):
    needs_rebuild: bool

    def apply(self, load: Callable[[], Changes], timeout: float | None = None) -> int:
        """Call `load` while holding the index's write lock and write what it returns; returns
        how many documents changed (unchanged ones are not rewritten). Loading inside the lock
        means that of two writers, the later one also read the later state. Raises
        IndexBusyError if the lock is not free within `timeout` seconds (None: the engine's
        default)."""
        ...

    def index(self, docs: Iterable[SearchDocument]) -> int: ...

    def remove(self, asset_ids: Iterable[int]) -> int: ...

    def search(self, request: SearchRequest, texts_for: TextsFor | None = None) -> SearchResponse:
        ...

    def rebuild(
        self,
        docs: Iterable[SearchDocument],
        procs: int = 1,
        catch_up: Callable[[], Changes] | None = None,
    ) -> None:
        """Build a new generation from `docs` and swap it in. `catch_up` runs just before the
        swap, while writes to the old generation are held off, and what it returns is written
        to the new one: changes made while `docs` was being read are not lost."""
        ...

    def doc_count(self) -> int: ...

    def close(self) -> None: ...

"""Fixtures for the search engine: plain pytest, a temp index directory, no Flask or DB."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from app.search.engine import SearchDocument, SearchRequest, SearchResponse, open_engine

TODAY = date(2025, 6, 1)
EVERYONE = ("draft", "published", "archived")
REPS = ("published",)


def _make_doc(asset_id: int, **fields: object) -> SearchDocument:
    values: dict[str, object] = {
        "asset_id": asset_id,
        "title": f"Asset {asset_id}",
        "description": "",
        "tags": (),
        "stage": None,
        "kind": "pdf",
        "persona": "",
        "industry": "",
        "product": "",
        "owner": "Ana Ito",
        "status": "published",
        "filename": f"asset-{asset_id}.pdf",
        "text": "",
        "created_at": datetime(2025, 1, 1),
        "updated_at": datetime(2025, 1, 1),
        "review_by": None,
    }
    values.update(fields)
    return SearchDocument(**values)  # type: ignore[arg-type]


@pytest.fixture
def make_doc() -> Callable[..., SearchDocument]:
    """make_doc(asset_id, **fields): a published PDF with empty text unless told otherwise."""
    return _make_doc


@pytest.fixture
def engine(tmp_path):
    engine = open_engine(str(tmp_path / "index"))
    yield engine
    engine.close()


@pytest.fixture
def search(engine) -> Callable[..., SearchResponse]:
    """search("words", statuses=..., filters=..., **request fields) with highlights from the
    documents indexed through this fixture's `engine`."""

    def run(text: str, statuses=REPS, filters=None, texts=None, **kwargs) -> SearchResponse:
        request = SearchRequest(text, filters or {}, statuses, today=TODAY, **kwargs)
        return engine.search(request, lambda ids: texts or {})

    return run


@pytest.fixture
def ids() -> Callable[[SearchResponse], list[int]]:
    return lambda response: [hit.asset_id for hit in response.hits]

"""Code run in child processes by test_concurrency.py (spawned children import it by name,
so it cannot live in the test module itself)."""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any

from app.search.engine import SearchDocument, open_engine


def doc(asset_id: int, title: str = "") -> SearchDocument:
    return SearchDocument(
        asset_id=asset_id,
        title=title or f"Concurrent asset {asset_id}",
        description="Written by one of several processes at once.",
        tags=("load",),
        stage="evaluation",
        kind="pdf",
        persona="CFO",
        industry="Retail",
        product="Cloud",
        owner="Test",
        status="published",
        filename=f"a{asset_id}.pdf",
        text=f"body text for asset {asset_id} " * 20,
        created_at=datetime(2025, 1, 1),
        updated_at=datetime(2025, 1, 1),
        review_by=None,
    )


def index_in_batches(
    index_dir: str, first: int, count: int, batch: int, barrier: Any, errors: Any
) -> None:
    try:
        engine = open_engine(index_dir)
        barrier.wait(timeout=60)
        for start in range(first, first + count, batch):
            engine.index([doc(i) for i in range(start, min(first + count, start + batch))])
        engine.close()
    except BaseException:
        errors.put(traceback.format_exc())
        raise

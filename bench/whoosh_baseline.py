"""Bare Whoosh, used only by bench/search_engine.py as the baseline the engine must beat.

What a straightforward integration would do: one stored, positional body field with
StemmingAnalyzer + accent folding, Whoosh's QueryParser (AND of words, its own phrase and
field syntax), default BM25F scoring, and whoosh.highlight over the stored body of the 20
shown hits. No facets, typo tolerance or business ranking. It lives beside the benchmarks, not
in the app: the app's own `whoosh` imports all stay inside app/search/engine/. The engine's
phrase tests also use phrase_matches() as their reference.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from whoosh import fields, index
from whoosh.analysis import CharsetFilter, StemmingAnalyzer
from whoosh.qparser import QueryParser
from whoosh.query import And, Or, Term
from whoosh.support.charset import accent_map

from app.search.engine.querylang import normalise_value
from app.search.engine.types import FACETS, SearchDocument


def _schema() -> fields.Schema:
    analyzer = StemmingAnalyzer() | CharsetFilter(accent_map)
    facets = {f: fields.ID(stored=False) for f in FACETS if f != "tag"}
    return fields.Schema(
        id=fields.STORED(),
        title=fields.TEXT(stored=True, analyzer=analyzer, field_boost=2.0),
        body=fields.TEXT(stored=True, analyzer=analyzer),
        tag=fields.KEYWORD(commas=True, lowercase=True),
        status=fields.ID(),
        **facets,
    )


def build(path: str, docs: Iterable[SearchDocument], procs: int = 1) -> int:
    os.makedirs(path, exist_ok=True)
    ix = index.create_in(path, _schema())
    options: dict[str, Any] = {"limitmb": 128}
    if procs > 1:
        options.update(procs=procs, multisegment=True)
    writer = ix.writer(**options)
    count = 0
    for doc in docs:
        writer.add_document(
            id=doc.asset_id,
            title=doc.title,
            body="\n".join([doc.description, doc.text[:200_000]]),
            tag=",".join(doc.tags),
            status=doc.status,
            **{f: normalise_value(getattr(doc, f) or "") for f in FACETS if f != "tag"},
        )
        count += 1
    writer.commit()
    return count


class Baseline:
    def __init__(self, path: str) -> None:
        self.ix = index.open_dir(path)
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("body", self.ix.schema)

    def search(
        self, text: str, filters: dict[str, list[str]], statuses: tuple[str, ...]
    ) -> tuple[int, list[list[str]]]:
        """(estimated total, highlight fragments per shown hit)."""
        self.searcher = self.searcher.refresh()
        query = self.parser.parse(text) if text.strip() else None
        clauses = [Or([Term("status", s) for s in statuses])]
        for facet, values in filters.items():
            clauses.append(Or([Term(facet, normalise_value(v)) for v in values]))
        allowed = And(clauses)
        if query is None:
            query, allowed = allowed, None
        results = self.searcher.search(query, limit=20, filter=allowed)
        snippets = [[hit.highlights("body")] for hit in results]
        return results.estimated_length(), snippets

    def close(self) -> None:
        self.searcher.close()


def phrase_matches(texts: dict[int, str], phrases: list[str]) -> dict[str, set[int]]:
    """Which texts Whoosh's own positional phrase query matches, for each "phrase": the
    reference that the engine's follower-based phrases are tested against."""
    from whoosh.filedb.filestore import RamStorage

    schema = fields.Schema(
        id=fields.STORED(),
        body=fields.TEXT(analyzer=StemmingAnalyzer() | CharsetFilter(accent_map)),
    )
    ix = RamStorage().create_index(schema)
    with ix.writer() as writer:
        for asset_id, text in texts.items():
            writer.add_document(id=asset_id, body=text)
    parser = QueryParser("body", schema)
    with ix.searcher() as searcher:
        return {
            phrase: {hit["id"] for hit in searcher.search(parser.parse(f'"{phrase}"'), limit=None)}
            for phrase in phrases
        }

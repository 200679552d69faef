"""The Whoosh schema and the mapping from a SearchDocument to its fields.

Layout, chosen for query speed rather than for Whoosh's own query parser:
- content: every searchable word of the asset in ONE field (title, description, tags, taxonomy,
  owner, file name, body), term frequencies only; one field means one posting list per word.
- title: the title again, scored with a higher weight (BM25F field weight, see evaluate.py).
- pairs: consecutive term pairs ("total cost") so a phrase is a term lookup, not a positional
  merge; that is also why content needs no positions.
- spell: the unstemmed words, only as a vocabulary for typo tolerance and "Did you mean".
- stage/kind/persona/industry/product/tag/status: exact lowercased values for filters/facets.
- columns for ranking and sorting; one stored blob for what a Hit shows. The body is NOT stored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh import columns, fields, formats
from whoosh.system import pack_uint

from .types import SearchDocument
from .whoosh_analysis import ANALYZER

SCHEMA_VERSION = "lockstep-engine-1"
MAX_INDEXED_CHARS = 200_000
FACET_FIELDS = {
    "stage": "stage",
    "kind": "kind",
    "persona": "persona",
    "industry": "industry",
    "product": "product",
    "tag": "tag",
}
_FILENAME_SEPARATORS = re.compile(r"[_\-.]+")


class AnalyzedField(fields.FieldType):
    """A field whose value is analysed by ANALYZER in bulk (see whoosh_analysis for why).

    mode: "terms" (stemmed, with frequencies), "pairs" (consecutive term pairs), "words"
    (unstemmed vocabulary, presence only) or "values" (a list of exact facet values).
    """

    def __init__(self, mode: str, stored: bool = False) -> None:
        scorable = mode in ("terms", "pairs")
        fmt = formats.Frequency() if scorable else formats.Existence()
        super().__init__(fmt, analyzer=None, scorable=scorable, stored=stored)
        self.mode = mode

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if self.mode == "values":
            for item in sorted(set(value)):
                yield item.encode("utf-8"), 1, 1.0, b""
            return
        if self.mode == "words":
            for word in sorted(ANALYZER.words(value)):
                yield word.encode("utf-8"), 1, 1.0, b""
            return
        items = ANALYZER.pairs(value) if self.mode == "pairs" else ANALYZER.terms(value)
        for term, freq in Counter(items).items():
            yield term.encode("utf-8"), freq, float(freq), pack_uint(freq)


def build_schema() -> fields.Schema:
    facet_fields = {name: AnalyzedField("values") for name in FACET_FIELDS}
    return fields.Schema(
        id=fields.ID(unique=True),
        aid=fields.COLUMN(columns.NumericColumn("q")),
        hit=fields.STORED(),
        title=AnalyzedField("terms"),
        content=AnalyzedField("terms"),
        pairs=AnalyzedField("pairs"),
        spell=AnalyzedField("words"),
        status=AnalyzedField("values"),
        updated_ts=fields.COLUMN(columns.NumericColumn("d")),
        updated_day=fields.COLUMN(columns.NumericColumn("i")),
        review_day=fields.COLUMN(columns.NumericColumn("i")),
        won=fields.COLUMN(columns.NumericColumn("i")),
        used=fields.COLUMN(columns.NumericColumn("i")),
        **facet_fields,
    )


def normalise_value(value: str) -> str:
    """Facet values are matched case-insensitively and ignoring surrounding spaces."""
    return " ".join(value.split()).lower()


def _content(doc: SearchDocument) -> str:
    parts = [
        doc.title,
        doc.description,
        " ".join(doc.tags),
        doc.stage or "",
        doc.kind,
        doc.persona,
        doc.industry,
        doc.product,
        doc.owner,
        _FILENAME_SEPARATORS.sub(" ", doc.filename),
        doc.text[:MAX_INDEXED_CHARS],
    ]
    return "\n".join(part for part in parts if part)


def _values(*raw: str | None) -> list[str]:
    return [v for v in (normalise_value(r) for r in raw if r) if v]


def to_fields(doc: SearchDocument) -> dict[str, Any]:
    """Keyword arguments for writer.add_document / update_document."""
    content = _content(doc)  # one object for three fields: analysed once (whoosh_analysis)
    return {
        "id": str(doc.asset_id),
        "aid": doc.asset_id,
        "hit": (doc.title, doc.kind, doc.stage, doc.updated_at),
        "title": doc.title,
        "content": content,
        "pairs": content,
        "spell": content,
        "status": _values(doc.status),
        "stage": _values(doc.stage),
        "kind": _values(doc.kind),
        "persona": _values(doc.persona),
        "industry": _values(doc.industry),
        "product": _values(doc.product),
        "tag": _values(*doc.tags),
        "updated_ts": doc.updated_at.timestamp(),
        "updated_day": doc.updated_at.date().toordinal(),
        "review_day": doc.review_by.toordinal() if doc.review_by else 0,
        "won": max(0, doc.won_deals),
        "used": max(0, doc.used_deals),
    }

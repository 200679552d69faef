"""The Whoosh schema and the mapping from a SearchDocument to its fields.

Layout, chosen for query speed rather than for Whoosh's own query parser:
- content: every searchable word of the asset in ONE field (title, description, tags, taxonomy,
  owner, file name, body), term frequencies only; one field means one posting list per word.
- title: the title again, scored with a higher weight (BM25F field weight, see evaluate.py).
- content postings carry the set of following terms (FollowersFormat), so a phrase is a
  check on one posting list rather than a positional merge; content needs no positions.
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
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.system import pack_uint

from .types import SearchDocument
from .whoosh_analysis import ANALYZER

SCHEMA_VERSION = "lockstep-engine-1"
MAX_INDEXED_CHARS = 200_000
COMPRESSION = 3
INLINE_LIMIT = 4
FACET_FIELDS = {
    "stage": "stage",
    "kind": "kind",
    "persona": "persona",
    "industry": "industry",
    "product": "product",
    "tag": "tag",
}
_FILENAME_SEPARATORS = re.compile(r"[_\-.]+")


class FollowersFormat(formats.Frequency):
    """Frequency plus, per posting, the set of terms that directly follow this term in the
    document: b"<freq:4 bytes>\\0next1\\0next2\\0". A phrase "a b" is then a cheap check on
    a's postings instead of a positional merge, and no pair terms are needed (a pairs field
    multiplied the distinct terms by ~15 and made Whoosh's commit 3x slower)."""

    posting_size = -1  # variable-size values


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self):  # type: ignore[no-untyped-def]
        # Whoosh 2.7.5 never inlines tiny posting lists (an off-by-one plus a call to a
        # misspelt method); inlining them skips a compressed block per rare term.
        if self._blockcount or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        self._terminfo = None
        return terminfo


class Codec(W3Codec):
    def __init__(self) -> None:
        super().__init__(blocklimit=128, compression=COMPRESSION, inlinelimit=INLINE_LIMIT)

    def postings_writer(self, dbfile, byteids=False):  # type: ignore[no-untyped-def]
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class AnalyzedField(fields.FieldType):
    """A field whose value is analysed by ANALYZER in bulk (see whoosh_analysis for why).

    mode: "content" (stemmed terms with frequencies and followers), "terms" (stemmed, with
    frequencies), "words" (unstemmed vocabulary, presence only) or "values" (a list of exact
    facet values, presence only).
    """

    def __init__(self, mode: str, unique: bool = False) -> None:
        fmt = {"content": FollowersFormat, "terms": formats.Frequency}.get(mode, formats.Existence)
        # scorable even where no score is needed: Whoosh's commit looks up the per-document
        # length column for every posting and, when a field has none, stats the missing
        # file each time (measured: 45% of commit time).
        super().__init__(fmt(), analyzer=None, scorable=True, unique=unique)
        self.mode = mode

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if self.mode == "values":
            return ((v.encode("utf-8"), 1, 1.0, b"") for v in sorted(set(value)))
        if self.mode == "words":
            return ((w.encode("utf-8"), 1, 1.0, b"") for w in sorted(ANALYZER.words(value)))
        terms = ANALYZER.terms(value)
        if self.mode == "terms":
            return ((t.encode("utf-8"), n, float(n), pack_uint(n)) for t, n in Counter(terms).items())
        return _content_postings(terms)


def _content_postings(terms: list[str]) -> Iterator[tuple[bytes, int, float, bytes]]:
    followers: dict[str, set[str]] = {}
    for a, b in zip(terms, terms[1:], strict=False):
        followers.setdefault(a, set()).add(b)
    for term, freq in Counter(terms).items():
        nxt = followers.get(term)
        tail = ("\0" + "\0".join(sorted(nxt)) + "\0").encode("utf-8") if nxt else b""
        yield term.encode("utf-8"), freq, float(freq), pack_uint(freq) + tail


def build_schema() -> fields.Schema:
    facet_fields = {name: AnalyzedField("values") for name in FACET_FIELDS}
    return fields.Schema(
        id=AnalyzedField("values", unique=True),
        aid=fields.COLUMN(columns.NumericColumn("q")),
        hit=fields.STORED(),
        title=AnalyzedField("terms"),
        content=AnalyzedField("content"),
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
    content = _content(doc)  # one object for two fields: analysed once (whoosh_analysis)
    return {
        "id": [str(doc.asset_id)],
        "aid": doc.asset_id,
        "hit": (doc.title, doc.kind, doc.stage, doc.updated_at),
        "title": doc.title,
        "content": content,
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

"""The Whoosh schema and the mapping from a SearchDocument to its fields.

Layout, chosen for query speed rather than for Whoosh's own query parser:
- content: every searchable word of the asset in ONE field (title, description, tags, taxonomy,
  owner, file name, body), term frequencies only; one field means one posting list per word.
- title: the title again, scored with a higher weight (BM25F field weight, see ranking.py).
- next: per term, the set of terms that directly follow it (FollowersFormat), so a phrase
  is a check on one posting list rather than a positional merge; no positions are stored.
  Kept out of content so that reading content postings for scoring stays cheap.
- spell: unstemmed words, only as a vocabulary for typo tolerance and "Did you mean". A
  rebuild gives each word to its first SPELL_CARRIERS assets only (SpellingCarriers): the
  vocabulary needs a word once, not a posting per asset (that was 40% of all postings).
- stage/kind/persona/industry/product/tag/status: exact lowercased values for filters/facets.
- columns for ranking and sorting; one stored blob for what a Hit shows. The body is NOT stored.
- fp: a 64-bit fingerprint of the whole document, so a write of an unchanged document (the
  outbox re-applied after a lost acknowledgement) is skipped instead of committed again.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from typing import Any

from whoosh import columns, fields, formats
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter
from whoosh.system import pack_uint

from .querylang import normalise_value
from .types import SearchDocument
from .whoosh_analysis import ANALYZER

SCHEMA_VERSION = "lockstep-engine-3"
MAX_INDEXED_CHARS = 200_000
COMPRESSION = 3
INLINE_LIMIT = 4
SPELL_CARRIERS = 3
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
    """Per posting, the set of terms that directly follow this term in the document:
    b"<freq:4 bytes>\\0next1\\0next2\\0". A phrase "a b" is then a substring check on a's
    postings instead of a positional merge, and no pair terms are needed (a pairs field
    multiplied the distinct terms by ~15 and made Whoosh's commit 3x slower)."""

    posting_size = -1  # variable-size values


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self) -> Any:
        # Whoosh 2.7.5 never inlines tiny posting lists (an off-by-one plus a call to a
        # misspelt method); inlining them skips a compressed block per rare term.
        if self._blockcount or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        # Presence-only fields buffer no values, and an inlined list without values reads
        # back as "" (str) where a segment merge asserts bytes.
        values = self._values or [b""] * len(self._ids)
        terminfo.set_inlined(self._ids, self._weights, values)
        self._terminfo = None
        return terminfo


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema: Any, lengths: Any, items: Any) -> Any:
        # Without a lengths reader Whoosh skips a column read per posting (17% of commit
        # time) that only feeds its block-max scoring; this engine scores on its own.
        return super().add_postings(schema, None, items)


class Codec(W3Codec):
    def __init__(self) -> None:
        super().__init__(blocklimit=128, compression=COMPRESSION, inlinelimit=INLINE_LIMIT)

    def field_writer(self, storage: Any, segment: Any) -> Any:
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class AnalyzedField(fields.FieldType):
    """A field whose value is analysed by ANALYZER in bulk (see whoosh_analysis for why).

    mode: "terms" (stemmed, with frequencies), "followers" (stemmed, with the terms that
    follow each) or "values" (a list of exact values, presence only).
    """

    def __init__(self, mode: str, unique: bool = False) -> None:
        fmt = {"followers": FollowersFormat, "terms": formats.Frequency}.get(
            mode, formats.Existence
        )
        # scorable even where no score is needed: Whoosh's commit looks up the per-document
        # length column for every posting and, when a field has none, stats the missing
        # file each time (measured: 45% of commit time).
        super().__init__(fmt(), analyzer=None, scorable=True, unique=unique)
        self.mode = mode

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if self.mode == "values":
            return ((v.encode("utf-8"), 1, 1.0, b"") for v in sorted(set(value)))
        terms = ANALYZER.terms(value)
        if self.mode == "terms":
            return (
                (t.encode("utf-8"), n, float(n), pack_uint(n)) for t, n in Counter(terms).items()
            )
        return _follower_postings(terms)


def _follower_postings(terms: list[str]) -> Iterator[tuple[bytes, int, float, bytes]]:
    followers: dict[str, set[str]] = {}
    for a, b in zip(terms, terms[1:], strict=False):
        followers.setdefault(a, set()).add(b)
    for term, nxt in followers.items():
        value = ("\0" + "\0".join(sorted(nxt)) + "\0").encode("utf-8")
        yield term.encode("utf-8"), 1, 1.0, pack_uint(1) + value


def build_schema() -> fields.Schema:
    facet_fields = {name: AnalyzedField("values") for name in FACET_FIELDS}
    return fields.Schema(
        id=AnalyzedField("values", unique=True),
        aid=fields.COLUMN(columns.NumericColumn("q")),
        hit=fields.STORED(),
        title=AnalyzedField("terms"),
        content=AnalyzedField("terms"),
        next=AnalyzedField("followers"),
        spell=AnalyzedField("values"),
        status=AnalyzedField("values"),
        updated_ts=fields.COLUMN(columns.NumericColumn("d")),
        updated_day=fields.COLUMN(columns.NumericColumn("i")),
        review_day=fields.COLUMN(columns.NumericColumn("i")),
        won=fields.COLUMN(columns.NumericColumn("i")),
        used=fields.COLUMN(columns.NumericColumn("i")),
        fp=fields.COLUMN(columns.NumericColumn("q")),
        **facet_fields,
    )


def _content(doc: SearchDocument) -> str:
    parts = [
        doc.title,
        doc.description,
        " ".join(t for t in doc.tags if t),
        doc.stage,
        doc.kind,
        doc.persona,
        doc.industry,
        doc.product,
        doc.owner,
        _FILENAME_SEPARATORS.sub(" ", doc.filename or ""),
        (doc.text or "")[:MAX_INDEXED_CHARS],
    ]
    return "\n".join(part for part in parts if part)


def _values(*raw: str | None) -> list[str]:
    return [v for v in (normalise_value(r) for r in raw if r) if v]


class SpellingCarriers:
    """Chooses which spelling words an asset carries during one rebuild."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, words: set[str]) -> list[str]:
        seen = self._seen
        out = [w for w in words if seen.get(w, 0) < SPELL_CARRIERS]
        for w in out:
            seen[w] = seen.get(w, 0) + 1
        return out


def to_fields(doc: SearchDocument, carriers: SpellingCarriers | None = None) -> dict[str, Any]:
    """Keyword arguments for writer.add_document. Without `carriers` (incremental writes) an
    asset carries all its words, which also re-carries words whose carriers were deleted."""
    content = _content(doc)
    words = ANALYZER.surface_words(content)
    return {
        "id": [str(doc.asset_id)],
        "aid": doc.asset_id,
        "hit": (doc.title, doc.kind, doc.stage, doc.updated_at),
        "title": doc.title or "",
        "content": content,
        "next": content,
        "spell": carriers(words) if carriers else sorted(words),
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
        "fp": fingerprint(doc),
    }


def fingerprint(doc: SearchDocument) -> int:
    """A signed 64-bit digest of every field of the document (never 0, the column default)."""
    digest = hashlib.blake2b(digest_size=8)
    for field in dataclass_fields(doc):
        value = getattr(doc, field.name)
        raw = value if isinstance(value, str) else repr(value)
        data = raw.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return int.from_bytes(digest.digest(), "big", signed=True) or 1

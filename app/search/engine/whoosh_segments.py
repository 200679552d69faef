"""Whole-posting-list access to Whoosh segments, cached per segment for the engine's lifetime.

Whoosh's matchers walk postings one Python call at a time (id(), weight(), next()); scoring
every match of two common words that way is what makes bare Whoosh's two-word AND take ~60 ms.
Here a posting list is read block by block into arrays once, then kept as arrays (for scoring)
and as a bitset (for matching, filters and facets). Segments never change once written; only
their deletions do, and those are applied as a separate `live` bitset, so caches survive
every commit that does not merge the segment away.

Reading blocks uses W3LeafMatcher internals (_read_ids/_read_weights/_read_values/
_next_block) and the column files' raw bytes; Whoosh-Reloaded is pinned (2.7.5) and each
fast path falls back to the public one-posting-at-a-time API if those internals move.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length

from . import bits

POSTINGS_BUDGET = 4_000_000  # cached postings per segment (ids + weights ~ 8 bytes each)
BITS_BUDGET = 64 * 1024 * 1024  # bytes of cached bitsets per segment
_LENGTH_OF_BYTE = [byte_to_length(i) for i in range(256)]
Postings = tuple[array, array]


class WhooshSegment:
    """Cached, read-only view of one segment. `reader` is swapped for a fresh SegmentReader
    whenever a new index generation is opened (deletions live on the reader)."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.key: str = reader.segment().segment_id()
        self.size: int = reader.doc_count_all()
        self.memo: dict[Any, Any] = {}  # derived per-segment data owned by evaluate.py
        self._bits: dict[tuple[str, str], int] = {}
        self._bits_bytes = 0
        self._postings: dict[tuple[str, str], Postings] = {}
        self._postings_count = 0
        self._columns: dict[str, list[Any]] = {}
        self._docnums: dict[int, list[int]] | None = None

    def warm(self, value_fields: Iterable[str], columns: Iterable[str]) -> None:
        """Load what every query needs, so a new segment's first search does not pay it."""
        for field in value_fields:
            self.value_bits(field)
        for name in columns:
            self.column(name)
        for field in ("content", "title"):
            self.lengths(field)
        if self.size:
            # Opens the stored-fields file now: if a merge elsewhere deletes this segment,
            # files opened earlier stay readable, lazily opened ones would not.
            self.reader.stored_fields(0)

    def live(self) -> int:
        deleted = self.reader.deleted_docs_set
        return bits.full(self.size) & ~bits.from_ids(deleted, self.size)

    # --- postings -------------------------------------------------------------------------

    def postings(self, field: str, term: str) -> Postings:
        key = (field, term)
        cached = self._postings.get(key)
        if cached is None:
            ids, weights, _ = self._read(field, term, values=False)
            cached = (ids, weights)
            if self._postings_count + len(ids) > POSTINGS_BUDGET:
                self._postings.clear()
                self._postings_count = 0
            self._postings[key] = cached
            self._postings_count += len(ids)
        return cached

    def term_bits(self, field: str, term: str) -> int:
        key = (field, term)
        cached = self._bits.get(key)
        if cached is None:
            cached = bits.from_ids(self.postings(field, term)[0], self.size)
            self._remember(key, cached)
        return cached

    def follower_bits(self, term: str, follower: str) -> int:
        """Documents in which `follower` directly follows `term` (see FollowersFormat)."""
        key = ("\x00follow", f"{term}\x00{follower}")
        cached = self._bits.get(key)
        if cached is None:
            ids, _, values = self._read("next", term, values=True)
            needle = f"\x00{follower}\x00".encode()
            cached = bits.from_ids(
                (d for d, v in zip(ids, values, strict=True) if needle in v), self.size
            )
            self._remember(key, cached)
        return cached

    def _remember(self, key: tuple[str, str], value: int) -> None:
        if self._bits_bytes > BITS_BUDGET:
            self._bits.clear()
            self._bits_bytes = 0
        self._bits[key] = value
        self._bits_bytes += self.size // 8 + 64

    def _read(self, field: str, term: str, values: bool) -> tuple[array, array, list[bytes]]:
        ids, weights, vals = array("I"), array("f"), []
        try:
            # Raw postings, deletions included: deletions are applied through live().
            fmt = self.reader.schema[field].format
            matcher = self.reader._terms.matcher(field, term.encode("utf-8"), fmt)
        except (KeyError, TermNotFound):
            return ids, weights, vals
        if isinstance(matcher, W3LeafMatcher) and hasattr(matcher, "_read_data"):
            _read_blocks(matcher, ids, weights, vals if values else None)
        else:  # inlined short lists (ListMatcher) and anything unexpected
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                if values:
                    vals.append(matcher.value())
                matcher.next()
        return ids, weights, vals

    # --- per-document values --------------------------------------------------------------

    def value_bits(self, field: str) -> dict[str, int]:
        """Exact facet/status value -> documents having it (all values of the field)."""
        key = ("\x00values", field)
        cached = self.memo.get(key)
        if cached is None:
            cached = {}
            for btext in self.reader.lexicon(field):
                value = btext.decode("utf-8")
                cached[value] = self.term_bits(field, value)
            self.memo[key] = cached
        return cached

    def column(self, name: str) -> list[Any]:
        cached = self._columns.get(name)
        if cached is None:
            column_reader = self.reader.column_reader(name, translate=False)
            cached = _load_numeric(column_reader, self.size)
            self._columns[name] = cached
        return cached

    def lengths(self, field: str) -> list[int]:
        key = "\x00len:" + field
        cached = self._columns.get(key)
        if cached is None:
            column_reader = self.reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
            raw = _load_numeric(column_reader, self.size) if column_reader else [0] * self.size
            cached = [_LENGTH_OF_BYTE[b] for b in raw]
            self._columns[key] = cached
        return cached

    def docnums(self, asset_id: int) -> list[int]:
        """This segment's documents of an asset, deleted ones included (apply live())."""
        if self._docnums is None:
            found: dict[int, list[int]] = {}
            for docnum, aid in enumerate(self.column("aid")):
                found.setdefault(aid, []).append(docnum)
            self._docnums = found
        return self._docnums.get(asset_id, [])

    def stored_hit(self, docnum: int) -> tuple[Any, ...]:
        return tuple(self.reader.stored_fields(docnum)["hit"])


def _read_blocks(m: Any, ids: array, weights: array, values: list[bytes] | None) -> None:
    """Decode whole blocks at C speed: Whoosh's own _read_ids runs a Python generator per
    posting to undo the delta coding, and expands all-1.0 weights one by one."""
    while m.is_active():
        if m._data is None:
            m._read_data()
        raw_ids, raw_weights = m._data[0], m._data[1]
        ids.extend(raw_ids if m._byteids else accumulate(raw_ids))
        if raw_weights is None:
            weights.extend([1.0] * len(raw_ids))
        elif isinstance(raw_weights, float):
            weights.extend([raw_weights] * len(raw_ids))
        else:
            weights.extend(raw_weights)
        if values is not None:
            m._read_values()
            values.extend(m._values)
        m._next_block()


def _load_numeric(column_reader: Any, size: int) -> list[Any]:
    """All values of a NumericColumn in one read instead of one unpack per document."""
    try:
        typecode = column_reader._typecode
        if array(typecode).itemsize != column_reader._fixedlen:
            raise AttributeError(typecode)  # this platform's C sizes differ from struct's
        raw = column_reader._dbfile.get(
            column_reader._basepos, column_reader._count * column_reader._fixedlen
        )
        values = array(typecode, raw)
        if sys.byteorder == "little":  # Whoosh writes numeric columns big-endian ("!")
            values.byteswap()
        out = values.tolist()
        out.extend([column_reader._default] * (size - len(out)))
        return out[:size]
    except AttributeError:
        return [column_reader[i] for i in range(size)]

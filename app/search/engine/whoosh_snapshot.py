"""One index generation as the evaluator sees it: segment views, statistics, vocabulary.

A snapshot is rebuilt whenever Whoosh's generation changes, from a FRESH reader: in
Whoosh-Reloaded 2.7.5, `Searcher.refresh()` / `ix.reader(reuse=...)` keeps reused segment
readers with their old deletion sets and re-adds segments that a merge removed (measured:
12 docs, delete one, refresh -> still 12; optimize, refresh -> 24 docs in 13 segments).
test_merges_do_not_resurrect_or_duplicate guards the engine against that.
Opening a reader is cheap (a few ms); the expensive per-segment data lives in WhooshSegment
objects that are carried over between snapshots by segment id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from whoosh.reading import EmptyReader

from . import bits
from .fuzzy import Vocabulary
from .types import FACETS
from .whoosh_segments import WhooshSegment

MAX_PREFIX_SCAN = 5000
COLUMNS = ("aid", "won", "used", "updated_day", "review_day", "updated_ts")


@dataclass
class SegmentView:
    seg: WhooshSegment
    live: int


class WhooshSnapshot:
    def __init__(
        self,
        reader: Any,
        segments: dict[str, WhooshSegment],
        vocabulary: Callable[[WhooshSnapshot], Vocabulary],
    ) -> None:
        self.reader = reader
        self.generation = reader.generation()
        self.views: list[SegmentView] = []
        fresh: dict[str, WhooshSegment] = {}
        leaves = [] if isinstance(reader, EmptyReader) else reader.leaf_readers()
        for leaf, _offset in leaves:
            key = leaf.segment().segment_id()
            seg = segments.get(key)
            if seg is None:
                seg = WhooshSegment(leaf)
                seg.warm(("status", *FACETS), COLUMNS)
            seg.reader = leaf  # this generation's deletions
            fresh[key] = seg
            self.views.append(SegmentView(seg, seg.live()))
        segments.clear()
        segments.update(fresh)  # segments merged away drop out of the cache here
        self.doc_count = sum(bits.count(v.live) for v in self.views)
        self._vocabulary = vocabulary
        self._df: dict[str, int] = {}
        self._avg: dict[str, float] = {}

    def close(self) -> None:
        self.reader.close()

    def live_df(self, term: str) -> int:
        """Assets containing the term, deleted ones excluded (Whoosh's own df counts them)."""
        df = self._df.get(term)
        if df is None:
            df = sum(bits.count(v.seg.term_bits("content", term) & v.live) for v in self.views)
            self._df[term] = df
        return df

    df = live_df

    def avg_length(self, field: str) -> float:
        avg = self._avg.get(field)
        if avg is None:
            docs = self.reader.doc_count_all()
            avg = self.reader.field_length(field) / docs if docs else 1.0
            self._avg[field] = avg
        return avg

    def expand_prefix(self, prefix: str) -> list[tuple[str, int]]:
        found: dict[str, int] = {}
        for view in self.views:  # per segment: MultiReader's merged lexicon is much slower
            for n, (btext, info) in enumerate(view.seg.reader.iter_prefix("content", prefix)):
                if n >= MAX_PREFIX_SCAN:
                    break
                term = btext.decode("utf-8")
                found[term] = found.get(term, 0) + info.doc_frequency()
        return list(found.items())

    def vocabulary(self) -> Vocabulary:
        return self._vocabulary(self)

    def locate(self, asset_ids: Iterable[int]) -> dict[int, list[tuple[int, int]]]:
        """Live documents of each asset id that has any: (view index, docnum) pairs."""
        found: dict[int, list[tuple[int, int]]] = {}
        for asset_id in asset_ids:
            for vi, view in enumerate(self.views):
                for docnum in view.seg.docnums(asset_id):
                    if view.live >> docnum & 1:
                        found.setdefault(asset_id, []).append((vi, docnum))
        return found

    def masks(self, asset_ids: Iterable[int]) -> list[int]:
        """Per view, the bits of these assets' live documents."""
        out = [0] * len(self.views)
        for places in self.locate(asset_ids).values():
            for vi, docnum in places:
                out[vi] |= 1 << docnum
        return out

    def fingerprint(self, places: list[tuple[int, int]]) -> int | None:
        """The indexed fingerprint of an asset found once; None if absent or duplicated."""
        if len(places) != 1:
            return None
        vi, docnum = places[0]
        return self.views[vi].seg.column("fp")[docnum]


class VocabularyCache:
    """The spelling vocabulary of every segment seen so far, grown segment by segment (a
    segment's words never change). Words of merged-away or deleted assets may linger; that
    is harmless because a candidate is only used if its stem is in a live asset."""

    def __init__(self) -> None:
        self.reset()

    def __call__(self, snapshot: WhooshSnapshot) -> Vocabulary:
        for view in snapshot.views:
            if view.seg.key not in self._included:
                words = view.seg.reader.lexicon("spell")
                self._vocabulary.add(btext.decode("utf-8") for btext in words)
                self._included.add(view.seg.key)
        return self._vocabulary

    def reset(self) -> None:
        self._vocabulary = Vocabulary()
        self._included: set[str] = set()

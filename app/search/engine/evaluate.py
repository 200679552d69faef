"""Runs a Plan over a snapshot of segments: matching, visibility, filters, facets, ranking.

Every document set is a bitset per segment (bits.py), so visibility, filters, exclusions,
the all-words tier and each facet count are a handful of big-int operations, exact over the
whole result set. Only documents that can reach the requested page are scored, with BM25F
over whole posting arrays (ranking.py has the formula) instead of Whoosh's per-document
matcher calls.

Result order: assets matching every word/prefix first ("tier 1"), then partial matches;
phrases and field:value clauses are required. The chosen sort orders within each tier.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import and_, or_
from typing import Any, Protocol

from . import bits
from .planner import Group, Plan
from .querylang import normalise_value
from .ranking import boost, win_rate
from .types import FACETS

K1 = 1.2
SCORED_FIELDS = (("content", 1.0, 0.75), ("title", 2.0, 0.5))  # (field, weight w_f, b_f)
MAX_FACET_VALUES = 100


class View(Protocol):
    seg: Any  # a segment (see whoosh_segments.WhooshSegment for the methods used)
    live: int


class Snapshot(Protocol):
    views: Sequence[View]
    doc_count: int

    def live_df(self, term: str) -> int: ...

    def avg_length(self, field: str) -> float: ...


@dataclass
class Outcome:
    total: int
    facets: dict[str, list[tuple[str, int]]]
    ranked: list[tuple[int, int, float]]  # (view index, docnum, score), best first


@dataclass
class _Masks:
    base: int  # visible, required clauses met, exclusions removed; no facet filters
    filters: dict[str, int]
    any_words: int
    all_words: int

    @property
    def union(self) -> int:
        return self.base & self.any_words & reduce(and_, self.filters.values(), -1)


def run(
    snapshot: Snapshot,
    plan: Plan,
    filters: dict[str, list[str]],
    statuses: Sequence[str],
    sort: str,
    needed: int,
    today: date,
) -> Outcome:
    selected = _selected_filters(filters)
    masks = [_masks(view, plan, selected, statuses) for view in snapshot.views]
    total = sum(bits.count(m.union) for m in masks)
    facets = _facets(snapshot, masks, selected)
    ranker = _Ranker(snapshot, plan, today)
    ranked = ranker.rank(masks, sort, needed) if needed > 0 else []
    return Outcome(total, facets, ranked)


def prepare(snapshot: Snapshot, today: date) -> None:
    """Precompute per-segment ranking data (boosts, BM25 length norms) for new segments."""
    ranker = _Ranker(snapshot, Plan(), today)
    for view in snapshot.views:
        ranker._boosts(view.seg)
        for field, _, b in SCORED_FIELDS:
            _norms(view.seg, field, b, snapshot.avg_length(field))


def _selected_filters(filters: dict[str, list[str]]) -> dict[str, set[str]]:
    selected = {}
    for facet, values in (filters or {}).items():
        wanted = {normalise_value(v) for v in values or () if isinstance(v, str) and v.strip()}
        if facet in FACETS and wanted:
            selected[facet] = wanted
    return selected


def _values(seg: Any, field: str, values: set[str] | list[str]) -> int:
    present = seg.value_bits(field)
    return reduce(or_, (present.get(v, 0) for v in values), 0)


def _group_bits(seg: Any, group: Group) -> int:
    return reduce(or_, (seg.term_bits("content", t) for t, _ in group.variants), 0)


def _phrase_bits(seg: Any, terms: list[str]) -> int:
    found = reduce(and_, (seg.term_bits("content", t) for t in set(terms)), -1)
    for first, second in zip(terms, terms[1:], strict=False):
        if not found:
            break
        found &= seg.follower_bits(first, second)
    return found


def _masks(
    view: View, plan: Plan, selected: dict[str, set[str]], statuses: Sequence[str]
) -> _Masks:
    seg = view.seg
    base = view.live & _values(seg, "status", set(statuses))
    for facet, value in plan.fields:
        base &= _values(seg, facet, [normalise_value(value)])
    for terms in plan.phrases:
        base &= _phrase_bits(seg, terms)
    excluded = reduce(or_, (_group_bits(seg, g) for g in plan.not_groups), 0)
    excluded |= reduce(or_, (_phrase_bits(seg, t) for t in plan.not_phrases), 0)
    for facet, value in plan.not_fields:
        excluded |= _values(seg, facet, [normalise_value(value)])
    groups = [_group_bits(seg, g) for g in plan.groups]
    any_words = reduce(or_, groups, 0) if groups else -1
    all_words = reduce(and_, groups, -1)
    filters = {facet: _values(seg, facet, wanted) for facet, wanted in selected.items()}
    return _Masks(base & ~excluded, filters, any_words, all_words)


def _facets(snapshot: Snapshot, masks: list[_Masks], selected: dict[str, set[str]]) -> dict:
    """Counts per facet value over the whole result set. A facet's own selection is left out
    of its counts (multi-select facets), so the sidebar shows what OR-ing in another value
    would add; every other facet's selection applies."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts: dict[str, int] = {}
        for view, mask in zip(snapshot.views, masks, strict=True):
            others = (b for f, b in mask.filters.items() if f != facet)
            scope = mask.base & mask.any_words & reduce(and_, others, -1)
            if not scope:
                continue
            for value, value_bits in view.seg.value_bits(facet).items():
                n = bits.count(scope & value_bits)
                if n:
                    counts[value] = counts.get(value, 0) + n
        for value in selected.get(facet, ()):
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[facet] = ordered[:MAX_FACET_VALUES]
    return out


class _Ranker:
    def __init__(self, snapshot: Snapshot, plan: Plan, today: date) -> None:
        self.snapshot, self.today = snapshot, today
        self.groups = list(plan.groups)
        self.groups += [Group([(t, 1.0)]) for terms in plan.phrases for t in dict.fromkeys(terms)]
        self.n = max(1, snapshot.doc_count)

    def rank(self, masks: list[_Masks], sort: str, needed: int) -> list[tuple[int, int, float]]:
        tier1 = [m.union & m.all_words for m in masks]
        out = self._best(tier1, sort, needed)
        if len(out) < needed:
            tier2 = [m.union & ~m.all_words for m in masks]
            out += self._best(tier2, sort, needed - len(out))
        if sort != "relevance":
            out = self._with_relevance(out)
        return out

    def _best(self, sets: list[int], sort: str, needed: int) -> list[tuple[int, int, float]]:
        candidates: list[tuple[float, float, int, int]] = []
        for vi, found in enumerate(sets):
            if not found:
                continue
            seg = self.snapshot.views[vi].seg
            boosts = self._boosts(seg)
            if sort == "relevance":
                scored = self._relevance(seg, found, boosts)
                keyed = ((s, 0.0, -vi, -d) for d, s in scored.items())
            else:
                key = _sort_key(seg, sort)
                keyed = ((key[d], boosts[d], -vi, -d) for d in bits.to_ids(found))
            candidates.extend(heapq.nlargest(needed, keyed))
        best = heapq.nlargest(needed, candidates)
        # Ties go to the earlier-indexed document (the negated positions above).
        return [(-vi, -d, primary) for primary, _, vi, d in best]

    def _relevance(self, seg: Any, found: int, boosts: list[float]) -> dict[int, float]:
        if not self.groups:  # browsing: no text, so the business boost alone orders
            return {d: boosts[d] for d in bits.to_ids(found)}
        scores = self.text_scores(seg, found)
        return {d: s * boosts[d] for d, s in scores.items()}

    def _with_relevance(self, ranked: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """Other sorts still report each shown hit's relevance score."""
        out = []
        for vi, d, _ in ranked:
            seg = self.snapshot.views[vi].seg
            out.append((vi, d, self._relevance(seg, 1 << d, self._boosts(seg)).get(d, 0.0)))
        return out

    def _boosts(self, seg: Any) -> list[float]:
        key = ("boost", self.today.toordinal())
        cached = seg.memo.get(key)
        if cached is None:
            columns = [seg.column(n) for n in ("won", "used", "updated_day", "review_day")]
            cached = [
                boost(w, u, up, rv, self.today) for w, u, up, rv in zip(*columns, strict=True)
            ]
            for old in [k for k in seg.memo if isinstance(k, tuple) and k[0] == "boost"]:
                del seg.memo[old]
            seg.memo[key] = cached
        return cached

    def text_scores(self, seg: Any, found: int) -> dict[int, float]:
        flags = bits.to_flags(found, seg.size)
        total: dict[int, float] = {}
        for group in self.groups:
            if len(group.variants) == 1:
                term, factor = group.variants[0]
                self._add_term(seg, flags, term, factor, total)
                continue
            best: dict[int, float] = {}
            for term, factor in group.variants:
                variant: dict[int, float] = {}
                self._add_term(seg, flags, term, factor, variant)
                for d, s in variant.items():
                    if s > best.get(d, 0.0):
                        best[d] = s
            for d, s in best.items():
                total[d] = total.get(d, 0.0) + s
        return total

    def _add_term(self, seg: Any, flags: bytes, term: str, factor: float, acc: dict) -> None:
        df = self.snapshot.live_df(term)
        if not df:
            return
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        for field, weight, b in SCORED_FIELDS:
            ids, tfs = seg.postings(field, term)
            if not ids:
                continue
            norms = _norms(seg, field, b, self.snapshot.avg_length(field))
            c = idf * weight * (K1 + 1) * factor
            get = acc.get
            for d, tf in zip(ids, tfs, strict=True):
                if flags[d]:
                    acc[d] = get(d, 0.0) + c * tf / (tf + norms[d])


def _norms(seg: Any, field: str, b: float, avg: float) -> list[float]:
    """k1 * (1 - b + b * len / avglen) per document; avglen is rounded so the cache
    survives the small drifts every commit causes."""
    avg = max(1.0, round(avg, 0))
    key = ("norms", field, b, avg)
    cached = seg.memo.get(key)
    if cached is None:
        cached = [K1 * (1 - b + b * n / avg) for n in seg.lengths(field)]
        for old in [k for k in seg.memo if isinstance(k, tuple) and k[:3] == key[:3]]:
            del seg.memo[old]
        seg.memo[key] = cached
    return cached


def _sort_key(seg: Any, sort: str) -> list[float]:
    key = ("sort", sort)
    cached = seg.memo.get(key)
    if cached is None:
        if sort == "newest":
            cached = seg.column("updated_ts")
        elif sort == "most_used":
            cached = seg.column("used")
        else:
            cached = [
                win_rate(min(w, u), u)
                for w, u in zip(seg.column("won"), seg.column("used"), strict=True)
            ]
        seg.memo[key] = cached
    return cached

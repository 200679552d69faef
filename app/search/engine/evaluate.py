"""Runs a Plan over a snapshot of segments: matching, visibility, filters, facets, ranking.

Every document set is a bitset per segment (bits.py), so visibility, filters, exclusions,
the all-words tier and each facet count are a handful of big-int operations, exact over the
whole result set. Only the tiers that can reach the requested page are scored (scoring.py),
with BM25F over whole posting arrays instead of Whoosh's per-document matcher calls.

Result order: assets matching every word/prefix first ("tier 1"), then partial matches;
phrases and field:value clauses are required. The chosen sort orders within each tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import and_, or_
from typing import Any, Protocol

from . import bits
from .planner import Group, Plan
from .querylang import normalise_value
from .scoring import SCORED_FIELDS, Ranker, norms
from .types import FACETS

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
    selected: dict[str, set[str]],
    statuses: Sequence[str],
    sort: str,
    needed: int,
    today: date,
    excluded: Sequence[int] = (),
) -> Outcome:
    """selected: facet filters as returned by selected_filters(). excluded: per view, documents
    that are invisible whatever their indexed status (they count nowhere, facets included)."""
    hidden = list(excluded) or [0] * len(snapshot.views)
    masks = [_masks(view, plan, selected, statuses, gone)
             for view, gone in zip(snapshot.views, hidden, strict=True)]
    total = sum(bits.count(m.union) for m in masks)
    facets = _facets(snapshot, masks, selected)
    ranker = Ranker(snapshot, plan, today)
    tiers = [(m.union & m.all_words, m.union & ~m.all_words) for m in masks]
    ranked = ranker.rank(tiers, sort, needed) if needed > 0 else []
    return Outcome(total, facets, ranked)


def prepare(snapshot: Snapshot, today: date) -> None:
    """Precompute per-segment ranking data (boosts, BM25 length norms) for new segments."""
    ranker = Ranker(snapshot, Plan(), today)
    for view in snapshot.views:
        ranker.boosts(view.seg)
        for field, _, b in SCORED_FIELDS:
            norms(view.seg, field, b, snapshot.avg_length(field))


def selected_filters(filters: dict[str, list[str]]) -> dict[str, set[str]]:
    """The request's facet filters, normalised; unknown facets and blank values dropped."""
    selected = {}
    for facet, values in (filters or {}).items():
        values = [values] if isinstance(values, str) else values or ()
        wanted = {normalise_value(v) for v in values if isinstance(v, str) and v.strip()}
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
    view: View, plan: Plan, selected: dict[str, set[str]], statuses: Sequence[str], hidden: int
) -> _Masks:
    seg = view.seg
    base = view.live & ~hidden & _values(seg, "status", set(statuses))
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

"""Ranking of candidate documents: BM25F text scores times the business boost (the formula
is in ranking.py), or a sort key, with the all-words tier always first.

Scores are computed over whole cached posting arrays: one tight loop per term and field,
restricted to the candidates through a byte-flag lookup, or by bisecting the posting array
when the candidates are few. Only candidates that can reach the requested page are kept.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from datetime import date
from typing import Any

from . import bits
from .planner import Group, Plan
from .ranking import boost, win_rate

K1 = 1.2
SCORED_FIELDS = (("content", 1.0, 0.75), ("title", 2.0, 0.5))  # (field, weight w_f, b_f)
SPARSE_RATIO = 8  # bisect when the candidates are fewer than 1/8 of a posting list
Ranked = list[tuple[int, int, float]]  # (view index, docnum, score), best first


class Ranker:
    def __init__(self, snapshot: Any, plan: Plan, today: date) -> None:
        self.snapshot, self.today = snapshot, today
        self.groups = list(plan.groups)
        self.groups += [Group([(t, 1.0)]) for terms in plan.phrases for t in dict.fromkeys(terms)]
        self.n = max(1, snapshot.doc_count)

    def rank(self, tiers: list[tuple[int, int]], sort: str, needed: int) -> Ranked:
        """tiers: per view, (documents matching every word, the partial matches)."""
        out = self._best([t[0] for t in tiers], sort, needed)
        if len(out) < needed:
            out += self._best([t[1] for t in tiers], sort, needed - len(out))
        if sort != "relevance":
            out = self._with_relevance(out)
        return out

    def _best(self, sets: list[int], sort: str, needed: int) -> Ranked:
        candidates: list[tuple[float, float, int, int]] = []
        for vi, found in enumerate(sets):
            if not found:
                continue
            seg = self.snapshot.views[vi].seg
            boosts = self.boosts(seg)
            if sort == "relevance":
                scored = self.relevance(seg, found)
                keyed = ((s, 0.0, -vi, -d) for d, s in scored.items())
            else:
                key = _sort_key(seg, sort)
                keyed = ((key[d], boosts[d], -vi, -d) for d in bits.to_ids(found))
            candidates.extend(heapq.nlargest(needed, keyed))
        best = heapq.nlargest(needed, candidates)
        # Ties go to the earlier-indexed document (the negated positions above).
        return [(-vi, -d, primary) for primary, _, vi, d in best]

    def relevance(self, seg: Any, found: int) -> dict[int, float]:
        boosts = self.boosts(seg)
        if not self.groups:  # browsing: no text, so the business boost alone orders
            return {d: boosts[d] for d in bits.to_ids(found)}
        scores = self.text_scores(seg, found)
        return {d: s * boosts[d] for d, s in scores.items()}

    def _with_relevance(self, ranked: Ranked) -> Ranked:
        """Other sorts still report each shown hit's relevance score."""
        shown: dict[int, int] = {}
        for vi, d, _ in ranked:
            shown[vi] = shown.get(vi, 0) | (1 << d)
        scores = {vi: self.relevance(self.snapshot.views[vi].seg, b) for vi, b in shown.items()}
        return [(vi, d, scores[vi].get(d, 0.0)) for vi, d, _ in ranked]

    def boosts(self, seg: Any) -> list[float]:
        key = ("boost", self.today.toordinal())
        cached = seg.memo.get(key)
        if cached is None:
            columns = [seg.column(n) for n in ("won", "used", "updated_day", "review_day")]
            today = self.today
            cached = [boost(w, u, up, rv, today) for w, u, up, rv in zip(*columns, strict=True)]
            for old in [k for k in seg.memo if isinstance(k, tuple) and k[0] == "boost"]:
                del seg.memo[old]
            seg.memo[key] = cached
        return cached

    def text_scores(self, seg: Any, found: int) -> dict[int, float]:
        candidates = _Candidates(found, seg.size)
        total: dict[int, float] = {}
        for group in self.groups:
            if len(group.variants) == 1:
                term, factor = group.variants[0]
                self._add_term(seg, candidates, term, factor, total)
                continue
            best: dict[int, float] = {}
            for term, factor in group.variants:
                variant: dict[int, float] = {}
                self._add_term(seg, candidates, term, factor, variant)
                for d, s in variant.items():
                    if s > best.get(d, 0.0):
                        best[d] = s
            for d, s in best.items():
                total[d] = total.get(d, 0.0) + s
        return total

    def _add_term(self, seg: Any, cands: _Candidates, term: str, factor: float, acc: dict) -> None:
        df = self.snapshot.live_df(term)
        if not df:
            return
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        for field, weight, b in SCORED_FIELDS:
            ids, tfs = seg.postings(field, term)
            if ids:
                lengths = norms(seg, field, b, self.snapshot.avg_length(field))
                pairs = cands.postings(ids, tfs)
                c = idf * weight * (K1 + 1) * factor
                get = acc.get
                for d, tf in pairs:
                    acc[d] = get(d, 0.0) + c * tf / (tf + lengths[d])


class _Candidates:
    def __init__(self, found: int, size: int) -> None:
        self.found, self.size = found, size
        self.count = bits.count(found)
        self._flags: bytes | None = None
        self._ids: list[int] | None = None

    def postings(self, ids: Any, tfs: Any) -> list[tuple[int, float]]:
        """The (docnum, tf) postings of candidate documents."""
        if self.count * SPARSE_RATIO < len(ids):
            if self._ids is None:
                self._ids = bits.to_ids(self.found)
            found, n = [], len(ids)
            for d in self._ids:
                i = bisect_left(ids, d)
                if i < n and ids[i] == d:
                    found.append((d, tfs[i]))
            return found
        if self._flags is None:
            self._flags = bits.to_flags(self.found, self.size)
        flags = self._flags
        return [(d, tf) for d, tf in zip(ids, tfs, strict=True) if flags[d]]


def norms(seg: Any, field: str, b: float, avg: float) -> list[float]:
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
            won, used = seg.column("won"), seg.column("used")
            cached = [win_rate(min(w, u), u) for w, u in zip(won, used, strict=True)]
        seg.memo[key] = cached
    return cached

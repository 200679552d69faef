"""Typo tolerance over the index's own vocabulary of unstemmed words.

Allowed edits (insert, delete, substitute, swap two neighbours): none under 4 letters, one for
4-7 letters, two from 8. Candidates are found without scanning the vocabulary: split the typed
word into d+1 pieces separated by one skipped letter; d edits can damage at most d pieces
(the skipped letter absorbs an edit straddling two pieces), so an intact first piece is a
prefix of the candidate, an intact last piece is its suffix (both found by bisecting sorted
lists per word length), and for d=2 an intact middle piece is a substring. Only those few
candidates get the (pure Python) edit-distance check. FuzzyTerm instead walks the term
dictionary with an automaton per query; this is a few bisects per word.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterable

_HIGH = "\U0010ffff"


def max_edits(word: str) -> int:
    if len(word) < 4:
        return 0
    return 1 if len(word) < 8 else 2


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance, or limit + 1 as soon as it must exceed limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, prev2[j - 2] + 1)
            cur[j] = best
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _pieces(word: str, edits: int) -> list[tuple[int, str]]:
    """(start, piece) for edits + 1 pieces with one skipped letter between neighbours."""
    usable = len(word) - edits
    size, extra = divmod(usable, edits + 1)
    pieces, pos = [], 0
    for k in range(edits + 1):
        length = size + (1 if k < extra else 0)
        pieces.append((pos, word[pos : pos + length]))
        pos += length + 1
    return pieces


class Vocabulary:
    """Distinct words, indexed by length for candidate lookups; grows as segments appear."""

    def __init__(self, words: Iterable[str] = ()) -> None:
        self.words: set[str] = set()
        self._forward: dict[int, list[str]] = {}
        self._backward: dict[int, list[str]] = {}
        self.add(words)

    def add(self, words: Iterable[str]) -> None:
        new = set(words) - self.words
        if not new:
            return
        self.words |= new
        for word in new:  # a few new words per commit: sorted inserts beat a full re-sort
            insort(self._forward.setdefault(len(word), []), word)
            insort(self._backward.setdefault(len(word), []), word[::-1])

    def __len__(self) -> int:
        return len(self.words)

    def near(self, word: str) -> list[tuple[str, int]]:
        """(candidate, distance) for every other vocabulary word within max_edits(word)."""
        edits = max_edits(word)
        if not edits:
            return []
        found = set()
        for length in range(len(word) - edits, len(word) + edits + 1):
            found.update(self._candidates(word, edits, length))
        found.discard(word)
        scored = ((c, distance(word, c, edits)) for c in found)
        return [(c, d) for c, d in scored if d <= edits]

    def _candidates(self, word: str, edits: int, length: int) -> set[str]:
        forward, backward = self._forward.get(length), self._backward.get(length)
        if not forward or not backward:
            return set()
        pieces = _pieces(word, edits)
        out = set(_with_prefix(forward, pieces[0][1]))
        out.update(w[::-1] for w in _with_prefix(backward, pieces[-1][1][::-1]))
        for start, piece in pieces[1:-1]:  # only for two edits: the middle piece, shifted
            out.update(w for w in forward if piece in w[max(0, start - edits) :])
        return out


def _with_prefix(words: list[str], prefix: str) -> list[str]:
    lo = bisect_left(words, prefix)
    hi = bisect_left(words, prefix + _HIGH, lo)
    return words[lo:hi]

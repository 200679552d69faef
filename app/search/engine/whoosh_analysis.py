"""English analysis used for indexing, query terms and highlighting alike.

It reproduces Whoosh's StemmingAnalyzer + CharsetFilter(accent_map) chain (same token pattern,
stop list, minimum length 2, Porter stemmer, accent folding) but as a plain function over a
whole string: Whoosh's generator-of-Token chain costs ~5 us a token, which alone would blow
the 2-minute reindex budget, while a dict-cached lookup per token costs ~0.15 us. Using one
function everywhere also guarantees the highlighter marks exactly what the index matched.
"""

from __future__ import annotations

import re

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

# Whoosh's default token pattern, so "v2.0" and "acme.com" stay one token as Whoosh would.
TOKEN_RE = re.compile(r"\w+(?:\.?\w+)*")
STOPWORDS = frozenset(STOP_WORDS)
MIN_TERM, MAX_TERM = 2, 40
MIN_WORD, MAX_WORD = 3, 24
_CACHE_LIMIT = 400_000  # raw tokens; a bounded cache keeps a long-lived worker's memory flat
_MISS = object()


class Analyzer:
    """Maps raw tokens to index terms. Caches are per instance and only ever grow to
    _CACHE_LIMIT before being dropped, so the object is safe to keep for a process lifetime."""

    def __init__(self) -> None:
        self._terms: dict[str, str | None] = {}
        self._words: dict[str, str | None] = {}
        self._last: tuple[str, list[str]] | None = None

    def fold(self, raw: str) -> str:
        return raw.lower().translate(accent_map)

    def term(self, raw: str) -> str | None:
        """The index term for one raw token, or None for stop words and junk."""
        hit = self._terms.get(raw, _MISS)
        if hit is not _MISS:
            return hit
        folded = self.fold(raw)
        ok = MIN_TERM <= len(folded) <= MAX_TERM and folded not in STOPWORDS
        result = porter_stem(folded) if ok else None
        if len(self._terms) > _CACHE_LIMIT:
            self._terms.clear()
        self._terms[raw] = result
        return result

    def word(self, raw: str) -> str | None:
        """The spelling-vocabulary form of a raw token (folded, letters only), or None."""
        hit = self._words.get(raw, _MISS)
        if hit is not _MISS:
            return hit
        folded = self.fold(raw)
        ok = folded.isalpha() and MIN_WORD <= len(folded) <= MAX_WORD
        result = folded if ok and folded not in STOPWORDS else None
        if len(self._words) > _CACHE_LIMIT:
            self._words.clear()
        self._words[raw] = result
        return result

    def split(self, text: str) -> list[str]:
        return TOKEN_RE.findall(text)

    def terms(self, text: str) -> list[str]:
        """Index terms in order, stop words dropped and positions closed up (as Whoosh's
        StopFilter renumbers), which is what makes word pairs equal Whoosh phrase matches."""
        last = self._last  # content and next get the same string: analyse it once
        if last is not None and last[0] is text:
            return last[1]
        terms = [t for t in map(self.term, TOKEN_RE.findall(text)) if t]
        self._last = (text, terms)
        return terms

    def surface_words(self, text: str) -> set[str]:
        """The distinct unstemmed words, for the spelling vocabulary."""
        return {w for w in map(self.word, set(TOKEN_RE.findall(text))) if w}


ANALYZER = Analyzer()

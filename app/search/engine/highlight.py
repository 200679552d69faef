"""Snippets for the shown hits, cut from text the caller supplies (the body is not stored).

A token is marked when its index term (same analysis as at index time) is one the query
matched: plain words, typo variants and prefix expansions anywhere, phrase words only where
the phrase itself occurs (stop words in between allowed, as in matching). Everything else is
HTML-escaped; <mark> is the only markup.

Speed: analysing every token of a 1,500-word body in Python costs ~1.7 ms, times 20 hits. So
the distinct raw tokens are collected with one C-level findall, only those ~400 strings are
analysed, and a regex of the few matching spellings finds their positions.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Protocol

SCAN_CHARS = 60_000  # a hit's best passages are nearly always early; bounds the cost per hit
MAX_FRAGMENTS = 3
CONTEXT_CHARS = 90  # either side of a match
LEAD_CHARS = 160


class Analysis(Protocol):
    def split(self, text: str) -> list[str]: ...

    def term(self, raw: str) -> str | None: ...


Span = tuple[int, int, str]


def snippets(
    text: str, analysis: Analysis, marks: set[str], pairs: set[tuple[str, str]]
) -> list[str]:
    text = (text or "")[:SCAN_CHARS]
    wanted = marks | {t for pair in pairs for t in pair}
    spellings = frozenset(r for r in set(analysis.split(text)) if analysis.term(r) in wanted)
    spans: list[Span] = [
        (m.start(), m.end(), analysis.term(m.group()) or "") for m in _finder(spellings)(text)
    ]
    marked = _marked(text, spans, marks, pairs, analysis)
    if not marked:
        lead = text[:LEAD_CHARS].strip()
        return [html.escape(lead) + ("…" if len(text) > LEAD_CHARS else "")] if lead else []
    return [_render(text, marked, lo, hi) for lo, hi in _windows(text, marked)]


@lru_cache(maxsize=512)
def _finder(spellings: frozenset[str]) -> Callable[[str], list[re.Match[str]]]:
    if not spellings:
        return lambda text: []
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    # The same boundaries as the analyser's \w+(?:\.?\w+)* tokens, so "v2" is not found
    # inside "v2.0".
    pattern = re.compile(rf"(?<!\w)(?<!\w\.)(?:{alternatives})(?!\w)(?!\.\w)")
    return lambda text: list(pattern.finditer(text))


def _marked(
    text: str, spans: list[Span], marks: set[str], pairs: set, analysis: Analysis
) -> list[Span]:
    keep = {i for i, span in enumerate(spans) if span[2] in marks}
    for i in range(len(spans) - 1):
        (_, end, a), (start, _, b) = spans[i], spans[i + 1]
        if (a, b) in pairs and all(
            analysis.term(t) is None for t in analysis.split(text[end:start])
        ):
            keep.update((i, i + 1))
    return [spans[i] for i in sorted(keep)]


def _windows(text: str, marked: list[Span]) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS non-overlapping passages, preferring those that show the most
    distinct matched terms, then the earliest; returned in document order."""
    scored = []
    for start, end, _ in marked:
        lo, hi = _snap(text, start - CONTEXT_CHARS, end + CONTEXT_CHARS)
        distinct = {t for s, e, t in marked if s >= lo and e <= hi}
        scored.append((-len(distinct), start, lo, hi))
    chosen: list[tuple[int, int]] = []
    for _, _, lo, hi in sorted(scored):
        if all(hi <= a or lo >= b for a, b in chosen):
            chosen.append((lo, hi))
            if len(chosen) == MAX_FRAGMENTS:
                break
    return sorted(chosen)


def _snap(text: str, lo: int, hi: int) -> tuple[int, int]:
    """Widen to whole words so a fragment never starts or ends mid-word."""
    lo, hi = max(0, lo), min(len(text), hi)
    while lo > 0 and not text[lo - 1].isspace():
        lo -= 1
    while hi < len(text) and not text[hi].isspace():
        hi += 1
    return lo, hi


def _render(text: str, marked: list[Span], lo: int, hi: int) -> str:
    parts, pos = [], lo
    for start, end, _ in marked:
        if start >= lo and end <= hi:
            parts.append(html.escape(text[pos:start]))
            parts.append("<mark>" + html.escape(text[start:end]) + "</mark>")
            pos = end
    parts.append(html.escape(text[pos:hi]))
    body = " ".join("".join(parts).split())  # newlines and runs of spaces read as one space
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")

"""Snippets for the shown hits, cut from text the caller supplies (the body is not stored).

Tokens are analysed exactly as at index time, so a token is marked when its index term is one
the query matched: plain words, typo variants and prefix expansions anywhere, phrase words
only where the phrase itself occurs. Everything else is HTML-escaped; <mark> is the only markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

SCAN_CHARS = 60_000  # a hit's best passages are nearly always early; bounds the cost per hit
MAX_FRAGMENTS = 3
WINDOW_TOKENS = 24  # tokens per fragment, centred on a match
LEAD_CHARS = 160

Spans = Callable[[str], Iterable[tuple[int, int, str | None]]]


def snippets(text: str, spans: Spans, marks: set[str], pairs: set[tuple[str, str]]) -> list[str]:
    text = (text or "")[:SCAN_CHARS]
    tokens = [(s, e, t) for s, e, t in spans(text) if t]
    marked = _marked(tokens, marks, pairs)
    if not marked:
        lead = text[:LEAD_CHARS].strip()
        return [html.escape(lead) + ("…" if len(text) > LEAD_CHARS else "")] if lead else []
    windows = _windows(tokens, marked)
    return [_render(text, tokens, marked, lo, hi) for lo, hi in windows]


def _marked(tokens: list[tuple[int, int, str]], marks: set[str], pairs: set) -> set[int]:
    out = {i for i, (_, _, term) in enumerate(tokens) if term in marks}
    if pairs:
        for i in range(len(tokens) - 1):
            if (tokens[i][2], tokens[i + 1][2]) in pairs:
                out.update((i, i + 1))
    return out


def _windows(tokens: list[tuple[int, int, str]], marked: set[int]) -> list[tuple[int, int]]:
    """Up to MAX_FRAGMENTS non-overlapping token windows, preferring windows that show the
    most distinct matched terms, then the earliest; returned in document order."""
    half = WINDOW_TOKENS // 2
    scored = []
    for i in sorted(marked):
        lo, hi = max(0, i - half), min(len(tokens), i + half)
        distinct = {tokens[j][2] for j in range(lo, hi) if j in marked}
        scored.append((-len(distinct), i, lo, hi))
    chosen: list[tuple[int, int]] = []
    for _, _, lo, hi in sorted(scored):
        if all(hi <= a or lo >= b for a, b in chosen):
            chosen.append((lo, hi))
            if len(chosen) == MAX_FRAGMENTS:
                break
    return sorted(chosen)


def _render(text: str, tokens: list, marked: set[int], lo: int, hi: int) -> str:
    pos, end = tokens[lo][0], tokens[hi - 1][1]
    parts = []
    for i in range(lo, hi):
        if i in marked:
            s, e, _ = tokens[i]
            parts.append(html.escape(text[pos:s]))
            parts.append("<mark>" + html.escape(text[s:e]) + "</mark>")
            pos = e
    parts.append(html.escape(text[pos:end]))
    body = " ".join("".join(parts).split())  # newlines and runs of spaces read as one space
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(tokens) else "")

"""What marketing learns from forks (issue 8 §5): pure functions over plain data.

The services gather the forks of one asset and hand their texts, field values and slide
choices here; nothing in this module reads the database.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping

from app.forks import placeholders

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, whitespace squeezed so re-wrapping is no change."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p for p in (_squeezed(chunk) for chunk in _BLANK_LINE.split(text)) if p]


def rewritten_paragraphs(base: str, body: str,
                         values: Mapping[str, str] | None = None) -> list[int]:
    """Indexes (0-based) of the base paragraphs the rep changed or deleted.

    A base paragraph counts as kept when the same paragraph (whitespace aside) is anywhere in
    the rep's text: a paragraph only moved, or re-wrapped, is not rewritten. Any other change,
    even one word or a comma, is a rewrite. With `values`, a paragraph whose only change is
    its fields filled in (`{{company}}` → "Acme") is kept too. A paragraph the base holds twice
    and the rep kept once counts its later copy as rewritten.
    """
    remaining = Counter(paragraphs(body))
    filled = {placeholders.normalise(k): v for k, v in (values or {}).items()}
    rewritten = []
    for index, paragraph in enumerate(paragraphs(base)):
        candidates = [paragraph]
        if filled:
            candidates.append(_squeezed(placeholders.fill(paragraph, filled)))
        kept = next((c for c in candidates if remaining[c] > 0), None)
        if kept is None:
            rewritten.append(index)
        else:
            remaining[kept] -= 1
    return rewritten


def typical_values(values: Iterable[str], top: int = 3) -> list[tuple[str, int]]:
    """The most common values, grouping "ACME  corp" with "Acme Corp".

    Each group is shown with its most common spelling (the first seen on a tie) and its count,
    most common first, first seen first on a tie. Blank values are not values.
    """
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for value in values:
        spelling = _squeezed(value)
        if not spelling:
            continue
        key = spelling.casefold()
        counts[key] += 1
        spellings.setdefault(key, Counter())[spelling] += 1
    ranked = sorted(counts, key=lambda key: -counts[key])  # stable: first seen wins ties
    return [(spellings[key].most_common(1)[0][0], counts[key]) for key in ranked[:max(top, 0)]]


def dropped_slides(slide_count: int, kept: Iterable[list[int] | None]) -> dict[int, int]:
    """Slide number (1-based) → how many forks dropped it, for every slide of the source.

    Each entry of `kept` is one fork's slides in the order it keeps them, or None for a fork
    that kept them all. A reordered slide is kept; numbers outside 1..slide_count (a fork made
    from a longer earlier version) are ignored.
    """
    dropped = dict.fromkeys(range(1, slide_count + 1), 0)
    for slides in kept:
        if slides is None:
            continue
        keeps = set(slides)
        for number in dropped:
            if number not in keeps:
                dropped[number] += 1
    return dropped

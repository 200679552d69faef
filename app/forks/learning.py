"""What marketing learns from how reps tailor an asset, as pure functions over plain data (the
forks' queries feed them)."""

from __future__ import annotations

from collections import Counter, defaultdict
from difflib import SequenceMatcher


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, whitespace collapsed (so re-wrapping is no rewrite)."""
    blocks = text.replace("\r\n", "\n").replace("\r", "\n").split("\n\n")
    return [" ".join(block.split()) for block in blocks if block.strip()]


def rewritten_paragraphs(base: str, body: str) -> list[int]:
    """Indexes of the source's paragraphs that the rep changed or deleted. A paragraph found
    unchanged anywhere in the rep's text (moved, say) is not rewritten."""
    source, edited = paragraphs(base), paragraphs(body)
    kept = set(edited)
    matcher = SequenceMatcher(None, source, edited, autojunk=False)
    untouched = {i for block in matcher.get_matching_blocks()
                 for i in range(block.a, block.a + block.size)}
    return [i for i, p in enumerate(source) if i not in untouched and p not in kept]


def typical_values(values: list[str], top: int = 3) -> list[tuple[str, int]]:
    """The most common values, grouped ignoring case and spacing, each shown in its most
    common spelling; ties in order of first appearance."""
    groups: dict[str, Counter] = defaultdict(Counter)
    order: dict[str, int] = {}
    for value in values:
        key = " ".join(value.split()).casefold()
        if not key:
            continue
        groups[key][value.strip()] += 1
        order.setdefault(key, len(order))
    ranked = sorted(groups, key=lambda k: (-sum(groups[k].values()), order[k]))
    return [(groups[k].most_common(1)[0][0], sum(groups[k].values())) for k in ranked[:top]]


def dropped_slides(slide_count: int, kept: list[list[int] | None]) -> dict[int, int]:
    """Slide number -> how many forks dropped it (None: a fork that keeps every slide)."""
    dropped = dict.fromkeys(range(1, slide_count + 1), 0)
    for selection in kept:
        if selection is None:
            continue
        for number in dropped:
            if number not in selection:
                dropped[number] += 1
    return dropped

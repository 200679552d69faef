"""Three-way merge of text, for "update my fork": the rep's edits (mine) and marketing's new
version (theirs) against the version the fork was made from (base).

Line-based diff3 over the standard library's SequenceMatcher, the algorithm of GNU diff3 and
bzr's merge3: lines that base, mine and theirs all share (in order) are stable; between them,
a stretch changed on one side only takes that side, a stretch changed the same way on both sides
is taken once, and a stretch changed differently on both sides is a conflict the rep resolves.
(Library choice: the one maintained diff3 package, `merge3`, is GPL-2.0-or-later, which a
self-hosted commercial product should not ship; this is 100 lines with thorough tests.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Clean:
    text: str


@dataclass(frozen=True)
class Conflict:
    base: str
    mine: str
    theirs: str


@dataclass
class Merge:
    chunks: list[Clean | Conflict] = field(default_factory=list)

    @property
    def conflicts(self) -> list[Conflict]:
        return [c for c in self.chunks if isinstance(c, Conflict)]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def text(self) -> str:
        if not self.clean:
            raise ValueError("the merge has conflicts; resolve them first")
        return "".join(c.text for c in self.chunks)

    def resolve(self, choices: dict[int, str]) -> str:
        """choices: conflict index -> "mine", "theirs", "both" (mine, then theirs) or the text
        to use instead. Every conflict needs a choice: nothing is dropped by omission."""
        missing = [i for i in range(len(self.conflicts)) if i not in choices]
        if missing:
            raise KeyError(f"no choice for conflict {', '.join(str(i + 1) for i in missing)}")
        parts, index = [], 0
        for chunk in self.chunks:
            if isinstance(chunk, Clean):
                parts.append(chunk.text)
                continue
            parts.append(_chosen(chunk, choices[index]))
            index += 1
        return "".join(parts)


def _chosen(conflict: Conflict, choice: str) -> str:
    if not isinstance(choice, str):
        raise ValueError("a choice is mine, theirs, both or the text to use")
    if choice == "mine":
        return conflict.mine
    if choice == "theirs":
        return conflict.theirs
    if choice == "both":
        return _ended(conflict.mine) + conflict.theirs
    return _ended(normalise(choice)) if choice else ""


def _ended(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def merge(base: str, mine: str, theirs: str) -> Merge:
    b, m, t = (normalise(x).splitlines(keepends=True) for x in (base, mine, theirs))
    result = Merge()
    at_base = at_mine = at_theirs = 0
    for base_start, mine_start, theirs_start, length in _stable_regions(b, m, t):
        _unstable(result, b[at_base:base_start], m[at_mine:mine_start],
                  t[at_theirs:theirs_start])
        if length:
            result.chunks.append(Clean("".join(b[base_start:base_start + length])))
        at_base, at_mine = base_start + length, mine_start + length
        at_theirs = theirs_start + length
    return _joined(result)


def _unstable(result: Merge, base: list[str], mine: list[str], theirs: list[str]) -> None:
    if not (base or mine or theirs):
        return
    if mine == base or mine == theirs:
        result.chunks.append(Clean("".join(theirs)))
    elif theirs == base:
        result.chunks.append(Clean("".join(mine)))
    else:
        result.chunks.append(Conflict("".join(base), "".join(mine), "".join(theirs)))


def _stable_regions(base: list[str], mine: list[str], theirs: list[str]):
    """(base start, mine start, theirs start, length) of the runs all three share, in order,
    ending with an empty region at the three ends."""
    regions = []
    ours = SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    others = SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    i = j = 0
    while i < len(ours) and j < len(others):
        a_base, a_mine, a_len = ours[i]
        b_base, b_theirs, b_len = others[j]
        start, end = max(a_base, b_base), min(a_base + a_len, b_base + b_len)
        if start < end:
            regions.append((start, a_mine + start - a_base, b_theirs + start - b_base,
                            end - start))
        if a_base + a_len < b_base + b_len:
            i += 1
        else:
            j += 1
    regions.append((len(base), len(mine), len(theirs), 0))
    return regions


def _joined(result: Merge) -> Merge:
    """Neighbouring clean chunks as one, so conflicts are numbered by what the rep sees."""
    joined: list[Clean | Conflict] = []
    for chunk in result.chunks:
        if isinstance(chunk, Clean) and joined and isinstance(joined[-1], Clean):
            joined[-1] = Clean(joined[-1].text + chunk.text)
        elif not (isinstance(chunk, Clean) and not chunk.text):
            joined.append(chunk)
    return Merge(joined)

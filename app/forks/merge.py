""""Update my fork" for text: a three-way merge whose conflicts the rep resolves.

`base` is the source version the fork was made from, `mine` the rep's edited text and `theirs`
the new source version. The merge is line-based diff3 over difflib (stdlib): `merge3`, the
well-known Python diff3, is GPL-2.0+, which a commercial self-hosted product should not ship.

Each side's changes against the base are hunks (base lines [start, end) became new lines).
- A hunk that collides with none of the other side's is applied: changes to different lines
  merge cleanly, even on neighbouring lines, and an insertion next to the other side's edit
  lands beside it (unlike GNU diff3 and git, which conflict on neighbours).
- Colliding hunks (they change a common base line, insert at the same place, or one inserts
  inside the other's change) form a group: if both sides made the same change it is taken
  once, otherwise it is a `Conflict` holding the base, mine and theirs of that stretch.

Nothing is dropped: the merged text exists only once every conflict has a resolution.
Line endings: CRLF, CR and LF all compare as LF, so a fork saved by a Windows browser does not
conflict with a source saved on a Mac; the merged text uses the rep's line endings. Chunks hold
LF text. Whether the text ends with a newline is merged like any change and never conflicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

CHOICES = ("mine", "theirs", "both")


class MergeError(ValueError):
    """A resolution that would lose or invent part of the text, with a message for the rep."""


class MissingResolution(MergeError, KeyError):
    """A conflict without a choice. Also a KeyError, for callers that look a choice up."""

    def __str__(self) -> str:
        return str(self.args[0])  # a KeyError would show its message in quotes


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
    chunks: list[Clean | Conflict]
    newline: str = "\n"
    final_newline: bool = True
    conflicts: list[Conflict] = field(init=False)

    def __post_init__(self) -> None:
        self.conflicts = [chunk for chunk in self.chunks if isinstance(chunk, Conflict)]

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def text(self) -> str:
        """The merged text; only a clean merge has one."""
        if not self.clean:
            raise MergeError(f"The merge has {len(self.conflicts)} conflict(s) to resolve first.")
        return self._document(chunk.text for chunk in self.chunks)

    def resolve(self, choices: dict[int, str]) -> str:
        """The merged text once each conflict (by index) is "mine", "theirs", "both" or text."""
        missing = [i for i in range(len(self.conflicts)) if i not in choices]
        unknown = sorted(set(choices) - set(range(len(self.conflicts))), key=str)
        if missing:
            raise MissingResolution("Choose how to resolve conflict(s) "
                             f"{', '.join(str(i + 1) for i in missing)}: nothing is dropped.")
        if unknown:
            raise MergeError(f"There is no conflict {', '.join(map(str, unknown))} "
                             f"(this merge has {len(self.conflicts)}).")
        resolved, index = [], 0
        for chunk in self.chunks:
            if isinstance(chunk, Clean):
                resolved.append(chunk.text)
                continue
            resolved.append(_resolution(chunk, choices[index]))
            index += 1
        return self._document(resolved)

    def _document(self, parts) -> str:
        text = "".join(parts)
        if text.endswith("\n") and not self.final_newline:
            text = text[:-1]
        elif text and not text.endswith("\n") and self.final_newline:
            text += "\n"
        return text.replace("\n", self.newline) if self.newline != "\n" else text


def _resolution(conflict: Conflict, choice: str) -> str:
    if not isinstance(choice, str):
        raise MergeError("A resolution is “mine”, “theirs”, “both” or the text to use.")
    if choice == "mine":
        return conflict.mine
    if choice == "theirs":
        return conflict.theirs
    if choice == "both":
        return conflict.mine + conflict.theirs
    return _as_lines(_lf(choice))


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _as_lines(text: str) -> str:
    """Text as whole lines, so it never runs into the chunk after it."""
    return text if not text or text.endswith("\n") else text + "\n"


def _newline_of(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def _lines(text: str) -> list[str]:
    # Not splitlines(): a form feed or U+2028 inside a line is text, not a line break.
    lines = _lf(text).split("\n")
    return lines[:-1] if lines[-1] == "" else lines


@dataclass(frozen=True)
class _Hunk:
    """One side's change: base lines [start, end) became `lines` (start == end: an insertion)."""
    side: str
    start: int
    end: int
    lines: tuple[str, ...]


# Above this many lines, lines that fill over 1% of a text (blank lines, "---") stop seeding
# matches: exact matching is quadratic in them (10,000 lines took 15 s shuffled, 4 s barely
# edited). Any alignment gives a correct merge; this one may only conflict a little wider.
EXACT_UP_TO = 2_000


def _hunks(side: str, base: list[str], other: list[str]) -> list[_Hunk]:
    fast = max(len(base), len(other)) > EXACT_UP_TO
    matcher = SequenceMatcher(None, base, other, autojunk=fast)
    return [_Hunk(side, i1, i2, tuple(other[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _collide(a: _Hunk, b: _Hunk) -> bool:
    """Whether two changes touch the same base lines, or insert at the same place."""
    if a.start < b.end and b.start < a.end:
        return True
    if a.start == a.end == b.start == b.end:
        return True
    return _inserts_inside(a, b) or _inserts_inside(b, a)


def _inserts_inside(insertion: _Hunk, change: _Hunk) -> bool:
    return insertion.start == insertion.end and change.start < insertion.start < change.end


def _clusters(hunks: list[_Hunk]) -> list[list[_Hunk]]:
    """Hunks grouped so that each group collides with no other; in base order."""
    clusters: list[list[_Hunk]] = []
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        last = clusters[-1] if clusters else []
        if any(h.side != hunk.side and _collide(h, hunk) for h in last):
            last.append(hunk)
        else:
            clusters.append([hunk])
    return clusters


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> list[str]:
    """base[start:end] with the given (non-overlapping) hunks applied."""
    out, at = [], start
    for hunk in hunks:
        out += base[at:hunk.start] + list(hunk.lines)
        at = hunk.end
    return out + base[at:end]


def _decide(base: list[str], cluster: list[_Hunk]) -> tuple[int, int, Clean | Conflict]:
    start = min(h.start for h in cluster)
    end = max(h.end for h in cluster)
    mine = _apply(base, start, end, [h for h in cluster if h.side == "mine"])
    theirs = _apply(base, start, end, [h for h in cluster if h.side == "theirs"])
    if len({h.side for h in cluster}) == 1 or mine == theirs:
        return start, end, Clean(_join(mine if cluster[0].side == "mine" else theirs))
    return start, end, Conflict(_join(base[start:end]), _join(mine), _join(theirs))


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _chunks(base: list[str], mine: list[str], theirs: list[str]) -> list[Clean | Conflict]:
    hunks = _hunks("mine", base, mine) + _hunks("theirs", base, theirs)
    chunks: list[Clean | Conflict] = []
    at = 0
    for cluster in _clusters(hunks):
        start, end, chunk = _decide(base, cluster)
        chunks += [Clean(_join(base[at:start])), chunk]
        at = end
    chunks.append(Clean(_join(base[at:])))
    return _joined(chunks)


def _joined(chunks: list[Clean | Conflict]) -> list[Clean | Conflict]:
    """Neighbouring clean chunks as one, so a conflict's surroundings read as a whole."""
    joined: list[Clean | Conflict] = []
    for chunk in chunks:
        if isinstance(chunk, Clean) and joined and isinstance(joined[-1], Clean):
            joined[-1] = Clean(joined[-1].text + chunk.text)
        elif not (isinstance(chunk, Clean) and not chunk.text):
            joined.append(chunk)
    return joined


def _ends_with_newline(text: str) -> bool:
    return text.endswith(("\n", "\r"))


def _final_newline(base: str, mine: str, theirs: str) -> bool:
    """Merged like any other change: the rep's ending if the rep changed it, else the source's.

    An empty text has no last line to end, so it says nothing either way: a rep who cleared
    the text while the source gained a line gets that line with its newline."""
    base_end, mine_end, theirs_end = (
        _ends_with_newline(text) if text else None for text in (base, mine, theirs))
    if mine_end is not None and mine_end != base_end:
        return mine_end
    for end in (theirs_end, mine_end, base_end):
        if end is not None:
            return end
    return True


def merge(base: str, mine: str, theirs: str) -> Merge:
    """Three-way merge of the rep's text (`mine`) onto the new source (`theirs`)."""
    chunks = _chunks(_lines(base), _lines(mine), _lines(theirs))
    newline = _newline_of(mine) if mine else _newline_of(theirs)
    return Merge(chunks, newline=newline, final_newline=_final_newline(base, mine, theirs))

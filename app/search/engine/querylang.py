"""The query language reps type, parsed by hand so that every input has a defined meaning.

    pricing healthcare        plain words: assets with all words first, then partial matches
    "total cost"              exact phrase (stemmed, stop words skipped, as Whoosh phrases)
    -video                    exclude a word, a "phrase", a prefix or a field:value
    stage:evaluation          taxonomy filter; fields: stage kind persona industry product tag
    persona:"VP Sales"        quoted value
    pric*                     prefix (at least two letters)

Nothing here can fail: unbalanced quotes close at the end, parentheses and stray operators are
ignored, unknown fields are searched as words, and anything that had to be dropped or
reinterpreted is explained in `notes` (shown to the user as SearchResponse.message).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32
MIN_PREFIX = 2
FIELD_ALIASES = {
    "stage": "stage",
    "kind": "kind",
    "type": "kind",
    "persona": "persona",
    "industry": "industry",
    "product": "product",
    "tag": "tag",
    "tags": "tag",
    "status": "status",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_SEPARATORS = ' \t()"'
_WORDISH = re.compile(r"\w")


@dataclass(frozen=True)
class Clause:
    """kind: "word", "prefix", "phrase" or "field". For "field", `field` is the canonical
    field name and `text` the value; otherwise `text` is what the user typed."""

    kind: str
    text: str
    negated: bool = False
    field: str = ""


@dataclass
class ParsedQuery:
    clauses: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def normalise_value(value: str) -> str:
    """Facet values match case-insensitively, ignoring surrounding and repeated spaces."""
    return " ".join(value.split()).lower()


def clean(text: str) -> tuple[str, bool]:
    """Control characters (NUL included) become spaces; over-long input is cut."""
    text = _CONTROL.sub(" ", text or "")
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS], truncated


def parse(text: str) -> ParsedQuery:
    query = ParsedQuery()
    text, truncated = clean(text)
    if truncated:
        query.note(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    scanner = _Scanner(text, query)
    for clause in scanner.clauses():
        if len(query.clauses) == MAX_CLAUSES:
            query.note(f"Only the first {MAX_CLAUSES} terms of your search were used.")
            break
        query.clauses.append(clause)
    return query


class _Scanner:
    def __init__(self, text: str, query: ParsedQuery) -> None:
        self.text, self.pos, self.query = text, 0, query

    def clauses(self) -> Iterator[Clause]:
        while True:
            self._skip_separators()
            if self.pos >= len(self.text):
                return
            negated = self._operator()
            if self.pos < len(self.text) and self.text[self.pos] == '"':
                phrase = self._quoted()
                if phrase.strip():
                    yield Clause("phrase", phrase.strip(), negated)
                continue
            yield from self._token(self._bare(), negated)

    def _skip_separators(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t()":
            self.pos += 1

    def _operator(self) -> bool:
        """A leading - negates; a leading + (required, elsewhere) is accepted and ignored."""
        negated = False
        while self.pos < len(self.text) - 1 and self.text[self.pos] in "-+":
            negated = negated or self.text[self.pos] == "-"
            self.pos += 1
        return negated

    def _quoted(self) -> str:
        start = self.pos + 1
        end = self.text.find('"', start)
        if end < 0:
            self.query.note("A closing quote was missing, so one was added at the end.")
            end = len(self.text)
        self.pos = end + 1
        return self.text[start:end]

    def _bare(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _SEPARATORS:
            self.pos += 1
        return self.text[start : self.pos]

    def _token(self, token: str, negated: bool) -> Iterator[Clause]:
        name, colon, value = token.partition(":")
        if colon and name.lower() in FIELD_ALIASES:
            yield from self._field(FIELD_ALIASES[name.lower()], value, negated)
        elif colon and _WORDISH.search(name):
            self.query.note(f'"{name}:" is not a filter we know, so it was searched as words.')
            yield from self._token(f"{name} {value}", negated)
        elif token.endswith("*"):
            yield from self._prefix(token, negated)
        elif _WORDISH.search(token):
            yield from (Clause("word", part, negated) for part in token.split() if part)

    def _field(self, name: str, value: str, negated: bool) -> Iterator[Clause]:
        if not value and self.pos < len(self.text) and self.text[self.pos] == '"':
            value = self._quoted()
        value = " ".join(value.split())
        if value:
            yield Clause("field", value, negated, field=name)
        else:
            self.query.note(f'"{name}:" needs a value, e.g. {name}:something; it was ignored.')

    def _prefix(self, token: str, negated: bool) -> Iterator[Clause]:
        stem = token.rstrip("*")
        if len(_WORDISH.findall(stem)) < MIN_PREFIX:
            self.query.note(
                f"A prefix search needs at least {MIN_PREFIX} letters before the *; "
                f'"{token}" was ignored.'
            )
            return
        yield Clause("prefix", stem, negated)

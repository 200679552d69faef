"""Personalization fields: the one grammar for `{{company}}` in every kind of asset.

A field is `{{ name }}`: a letter, then letters, digits or underscores, 40 characters at most,
with optional spaces inside the braces. Names are case-insensitive and stored in lower case, so
`{{Company}}` and `{{ company }}` are the same field. Anything that starts with `{{` but is not
a field (`{{company}`, `{{ }}`, `{{two words}}`) is reported as a problem and left as written:
a tailored file never loses text because a marketer mistyped a brace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

MAX_NAME = 40
MAX_VALUE = 2_000
FIELD = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]{0,39})\s*\}\}")
_OPENING = re.compile(r"\{\{")
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def normalise(name: str) -> str:
    return name.strip().lower()


def is_name(name: str) -> bool:
    return bool(_NAME.fullmatch(normalise(name)))


def find(text: str) -> list[str]:
    """Field names in order of first appearance, each once."""
    seen: dict[str, None] = {}
    for match in FIELD.finditer(text):
        seen.setdefault(normalise(match.group(1)), None)
    return list(seen)


def problems(text: str) -> list[str]:
    """A readable line for each `{{` that does not open a well-formed field."""
    found = []
    fields = {m.start() for m in FIELD.finditer(text)}
    covered = {i for m in FIELD.finditer(text) for i in range(m.start(), m.end())}
    for match in _OPENING.finditer(text):
        start = match.start()
        if start in fields or start in covered:
            continue
        excerpt = _excerpt(text[start:start + 40])
        found.append(f"“{excerpt}” is not a field: write it as {{{{name}}}}, a letter then "
                     "letters, digits or underscores.")
    return found


def _excerpt(text: str) -> str:
    """The malformed field itself: up to its closing braces, or to the next opening ones."""
    line = text.split("\n")[0]
    ends = [i for i in (line.find("}}", 2) + 2 if line.find("}}", 2) >= 0 else -1,
                        line.find("{{", 2)) if i > 0]
    return line[:min(ends)].rstrip() if ends else line[:20].rstrip() + "…"


def fill(text: str, values: Mapping[str, str], escape=None) -> str:
    """Replace each field that has a value; fields without one stay as written.

    `escape` is applied to each value (html.escape for HTML and Markdown), never to the text
    around it."""
    def replace(match: re.Match) -> str:
        value = values.get(normalise(match.group(1)))
        if value is None:
            return match.group(0)
        return escape(value) if escape else value

    return FIELD.sub(replace, text)

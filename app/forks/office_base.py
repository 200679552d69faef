"""What the Word and PowerPoint engines share: the error, the scan result, value checks, and
the run-aware replacement of fields whose text Word or PowerPoint split across several runs.

Both engines reduce a paragraph to *lines*: lists of text elements (`w:t`, `a:t`) with nothing
visible between them. A tab, a line break, a picture or a field code ends a line, so a
placeholder is only ever matched inside one line, the same way by the scan and by the render.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field

from lxml import etree

from app.library.extract_office import zip_bomb_note
from app.library.extract_output import NOT_OFFICE

from . import placeholders
from .placeholders import FIELD, MAX_VALUE, normalise

# A newline inside a value; XML cannot hold NUL, so it can never be confused with file text.
LINE_BREAK = "\x00"
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class TailoringError(Exception):
    """A file or a request that cannot be tailored; the message is meant for the rep."""


@dataclass
class Scan:
    fields: list[str] = field(default_factory=list)  # order of first appearance, each once
    problems: list[str] = field(default_factory=list)  # "slide 3: “{{company}” is not a field…"
    slide_count: int | None = None  # PPTX only


Line = list  # of lxml text elements, in document order
# Writes an element's new text, given as its lines (one item when the value has no newline).
Writer = Callable[[object, list[str]], None]


def guard_zip(path: str, what: str) -> None:
    """Refuse what is not a zip, or would unpack to far more than any real Office file."""
    note = zip_bomb_note(str(path))
    if note == NOT_OFFICE:
        raise TailoringError(f"This {what} cannot be opened: it is not an Office file, "
                             "or it is damaged.")
    if note:
        raise TailoringError(f"This {what} cannot be opened: {note}")


def cannot_open(what: str, exc: Exception, verb: str = "opened") -> TailoringError:
    """The rep's version of whatever the Office library raised while opening the file
    (`verb` "opened"), reading its text ("read") or tailoring it ("tailored")."""
    if isinstance(exc, KeyError):
        reason = _missing_part(exc)
    elif isinstance(exc, etree.XMLSyntaxError):
        reason = f"part of it is damaged ({exc.msg})."
    else:
        reason = str(exc) or type(exc).__name__
    return TailoringError(f"This {what} cannot be {verb}: {reason}")


def _missing_part(exc: KeyError) -> str:
    """zipfile says "There is no item named 'word/styles.xml' in the archive"; the Office
    libraries say "no relationship with key 'rId8'" when a part they refer to is gone."""
    missing = re.search(r"no item named '([^']+)'", str(exc))
    if missing and missing.group(1) == "[Content_Types].xml":
        return "it is a zip archive, but not an Office file."
    if missing:
        return f"it is damaged (its part {missing.group(1)} is missing)."
    return "it is damaged (a part it refers to is missing)."


def parse_part(blob: bytes):
    """A part the Office library keeps as bytes (notes, view settings), parsed without
    entities or network access; a parser per call, as lxml parsers are not thread-safe."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(blob, parser=parser)  # noqa: S320 - see the parser above


def line_text(line: Line) -> str:
    return "".join(element.text or "" for element in line)


def scan_lines(labelled: Iterable[tuple[str, Line]], scan: Scan) -> Scan:
    """Add the fields and problems of (location, line) pairs to `scan`."""
    seen = dict.fromkeys(scan.fields)
    for where, line in labelled:
        text = line_text(line)
        if "{{" not in text:
            continue
        for name in placeholders.find(text):
            seen.setdefault(name, None)
        scan.problems.extend(f"{where}: {problem}" for problem in placeholders.problems(text))
    scan.fields = list(seen)
    return scan


def clean_values(values: Mapping[str, str], fields: list[str]) -> dict[str, str]:
    """Checked, normalised values: unknown or oversized ones are refused, empty ones ignored.

    An empty value leaves its field as written, so a blank form field stays visible in the
    tailored file instead of silently vanishing. Newlines become line breaks; characters that
    XML cannot hold (other control characters) are dropped."""
    cleaned: dict[str, str] = {}
    for raw_name, value in values.items():
        name = normalise(str(raw_name))
        if not placeholders.is_name(name):
            raise TailoringError(f"“{str(raw_name)[:50]}” is not a field name.")
        if name not in fields:
            known = ", ".join(fields) or "none"
            raise TailoringError(f"This file has no field “{name}” (its fields: {known}).")
        if not isinstance(value, str):
            raise TailoringError(f"The value for “{name}” must be text.")
        if len(value) > MAX_VALUE:
            raise TailoringError(f"The value for “{name}” is {len(value):,} characters long; "
                                 f"at most {MAX_VALUE:,} are allowed.")
        text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
        text = _ILLEGAL_XML.sub("", text).replace("\n", LINE_BREAK)
        if text:
            cleaned[name] = text
    return cleaned


def fill_line(line: Line, values: Mapping[str, str], write: Writer) -> list:
    """Replace the fields of one line that have a value; returns the elements left empty.

    The value goes into the element where the placeholder starts, after that element's own
    text before the placeholder; the rest of the placeholder is cut from the following
    elements, whose text after it stays where it was. Matches are handled last to first, so
    the offsets of earlier ones stay valid."""
    texts = [element.text or "" for element in line]
    joined = "".join(texts)
    matches = [m for m in FIELD.finditer(joined) if normalise(m.group(1)) in values]
    if not matches:
        return []
    starts = _offsets(texts)
    touched: set[int] = set()
    for match in reversed(matches):
        first, last = _index(starts, match.start()), _index(starts, match.end() - 1)
        head = texts[first][:match.start() - starts[first]]
        tail = texts[last][match.end() - starts[last]:]
        value = values[normalise(match.group(1))]
        for index in range(first + 1, last):
            texts[index] = ""
        if first == last:
            texts[first] = head + value + tail
        else:
            texts[first], texts[last] = head + value, tail
        touched.update(range(first, last + 1))
    for index in sorted(touched):
        write(line[index], texts[index].split(LINE_BREAK))
    return [line[index] for index in touched if not texts[index]]


def _offsets(texts: list[str]) -> list[int]:
    starts, total = [], 0
    for text in texts:
        starts.append(total)
        total += len(text)
    return starts


def _index(starts: list[int], position: int) -> int:
    """The element holding character `position` (the last one starting at or before it)."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def save_atomically(save: Callable[[str], None], out_path: str) -> None:
    """Write through a temporary file beside `out_path`: a failed save leaves no partial file."""
    directory = os.path.dirname(os.path.abspath(out_path))
    handle, temporary = tempfile.mkstemp(prefix=".tailoring-", dir=directory)
    os.close(handle)
    try:
        save(temporary)
        os.replace(temporary, out_path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise

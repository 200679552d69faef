"""Readable diffs of text, as safe HTML: for "source updated" on a fork and for marketing's
suggestion queue. Every piece of text is escaped; only our own tags are markup."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


def _lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines  # a final newline ends a line


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed) from old to new."""
    added = removed = 0
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, _lines(old), _lines(new),
                                               autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed += i2 - i1
        if tag in ("replace", "insert"):
            added += j2 - j1
    return added, removed


def diff_html(old: str, new: str, context: int = 2) -> str:
    """Changed lines with their words marked (<del>, <ins>), `context` unchanged lines around
    each change, and the rest collapsed to "… N unchanged lines …"."""
    a, b = _lines(old), _lines(new)
    rows: list[str] = []
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            rows += _context(a[i1:i2], context, first=index == 0,
                             last=index == len(opcodes) - 1)
        elif tag == "replace" and i2 - i1 == j2 - j1:
            rows += [_changed(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
        else:
            rows += [_row("del", f"<del>{escape(x)}</del>") for x in a[i1:i2]]
            rows += [_row("ins", f"<ins>{escape(y)}</ins>") for y in b[j1:j2]]
    if not any('class="del"' in r or 'class="ins"' in r for r in rows):
        return '<p class="diff-none">No changes in the text.</p>'
    return '<div class="diff-lines">' + "".join(rows) + "</div>"


def _context(lines: list[str], context: int, first: bool, last: bool) -> list[str]:
    keep_start = 0 if first else context
    keep_end = 0 if last else context
    if len(lines) <= keep_start + keep_end + 1:
        return [_row("same", escape(x)) for x in lines]
    hidden = len(lines) - keep_start - keep_end
    rows = [_row("same", escape(x)) for x in lines[:keep_start]]
    rows.append(_row("skip", f"… {hidden} unchanged line{'' if hidden == 1 else 's'} …"))
    rows += [_row("same", escape(x)) for x in lines[len(lines) - keep_end:]]
    return rows


def _changed(old: str, new: str) -> str:
    """One line changed in place: the words that went and came, marked inside the line."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    before, after = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        gone, came = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            before.append(gone)
            after.append(came)
            continue
        if gone:
            before.append(f"<del>{gone}</del>")
        if came:
            after.append(f"<ins>{came}</ins>")
    return _row("del", "".join(before)) + _row("ins", "".join(after))


def _row(kind: str, content: str) -> str:
    return f'<div class="{kind}">{content or "&nbsp;"}</div>'


def slides_summary(kept: list[int], dropped: list[int]) -> str:
    order = ", ".join(map(str, kept))
    text = f"Keeps slides {order} in this order" if kept else "Keeps every slide"
    if dropped:
        text += f"; drops {', '.join(map(str, dropped))}"
    return f'<p class="diff-slides">{escape(text)}.</p>'

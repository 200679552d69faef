"""A readable diff of two texts, for "source updated" and the marketers' suggestion queue.

Lines are compared first; a changed line that still resembles its old self is shown as the old
line with the removed words in `<del>` and the new line with the added words in `<ins>`.
Unchanged stretches longer than the context are collapsed to "… N unchanged lines …".
Every character of both texts is HTML-escaped: the output is safe to put in a page as is.

The markup (styled by `.diff` in app.css; the page wraps it in `<div class="diff">`):
    <div class="diff-lines">
      <div class="same">…</div>
      <div class="del">… <del>…</del> …</div>
      <div class="ins">… <ins>…</ins> …</div>
      <div class="skip">… 12 unchanged lines …</div>
    </div>
or `<p class="diff-none">No changes in the text.</p>`. An empty line is `&nbsp;`, so it keeps
its height.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from html import escape

# Two lines at least this alike are one line edited, shown word by word; below it, a rewrite.
_SIMILAR = 0.5
_WORDS = re.compile(r"\w+|\s+|[^\w\s]")


# Above this many lines, lines that fill over 1% of a text (blank ones) stop seeding matches:
# exact matching is quadratic in them. The diff stays correct, only coarser around them.
EXACT_UP_TO = 2_000


def _line_matcher(a: list[str], b: list[str]) -> SequenceMatcher:
    return SequenceMatcher(None, a, b, autojunk=max(len(a), len(b)) > EXACT_UP_TO)


def _lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(lines added, lines removed); a changed line counts once as each."""
    added = removed = 0
    matcher = _line_matcher(_lines(old), _lines(new))
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


def _line(kind: str, body: str) -> str:
    return f'<div class="{kind}">{body or "&nbsp;"}</div>'


def _skip(count: int) -> str:
    # Never a single line: hiding one line saves nothing, so it is shown instead.
    return _line("skip", f"… {count} unchanged lines …")


def _words(a: list[str], b: list[str], matcher: SequenceMatcher) -> tuple[str, str]:
    """The two lines with the removed words in <del> and the added ones in <ins>."""
    removed, added = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            removed.append(before)
            added.append(after)
            continue
        if before:
            removed.append(f"<del>{before}</del>")
        if after:
            added.append(f"<ins>{after}</ins>")
    return "".join(removed), "".join(added)


def _pair(old: str, new: str) -> tuple[str, str]:
    """One old line and the new line in its place: word by word when alike, else whole."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    # Words, not characters, and the same cap as lines: a 100,000-character paragraph stays fast.
    matcher = SequenceMatcher(None, a, b, autojunk=max(len(a), len(b)) > EXACT_UP_TO)
    if matcher.ratio() >= _SIMILAR:
        return _words(a, b, matcher)
    return f"<del>{escape(old)}</del>", f"<ins>{escape(new)}</ins>"


def _changed(old: list[str], new: list[str]) -> list[str]:
    """A replaced block, line by line: an alike pair word by word, any other pair whole."""
    rows = []
    for a, b in zip(old, new, strict=False):
        removed, added = _pair(a, b)
        rows += [_line("del", removed), _line("ins", added)]
    rows += [_line("del", f"<del>{escape(a)}</del>") for a in old[len(new):]]
    rows += [_line("ins", f"<ins>{escape(b)}</ins>") for b in new[len(old):]]
    return rows


def _unchanged(lines: list[str], context: int, first: bool, last: bool) -> list[str]:
    """An unchanged stretch: `context` lines next to each change, the rest collapsed."""
    head = 0 if first else context
    tail = 0 if last else context
    if head + tail + 1 >= len(lines):  # hiding a single line saves nothing
        return [_line("same", escape(line)) for line in lines]
    shown_tail = lines[len(lines) - tail:] if tail else []
    return ([_line("same", escape(line)) for line in lines[:head]]
            + [_skip(len(lines) - head - tail)]
            + [_line("same", escape(line)) for line in shown_tail])


def diff_html(old: str, new: str, context: int = 2) -> str:
    """Safe HTML showing how `new` differs from `old`."""
    a, b = _lines(old), _lines(new)
    opcodes = _line_matcher(a, b).get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return '<p class="diff-none">No changes in the text.</p>'
    context = max(context, 0)
    rows: list[str] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            rows += _unchanged(a[i1:i2], context, first, last)
        elif tag == "delete":
            rows += [_line("del", f"<del>{escape(line)}</del>") for line in a[i1:i2]]
        elif tag == "insert":
            rows += [_line("ins", f"<ins>{escape(line)}</ins>") for line in b[j1:j2]]
        else:
            rows += _changed(a[i1:i2], b[j1:j2])
    return '<div class="diff-lines">\n' + "\n".join(rows) + "\n</div>"


def slides_summary(kept: list[int], dropped: list[int]) -> str:
    """A slide selection in words, for a PowerPoint suggestion (safe HTML).

    Both lists empty reads "Keeps every slide"; nothing kept but slides dropped reads "Keeps
    no slides", never "every slide; drops …"."""
    if len(kept) == 1:
        text = f"Keeps slide {kept[0]}"
    elif kept:
        text = f"Keeps slides {', '.join(map(str, kept))} in this order"
    else:
        text = "Keeps no slides" if dropped else "Keeps every slide"
    if dropped:
        text += f"; drops {', '.join(map(str, dropped))}"
    return f'<p class="diff-slides">{escape(text)}.</p>'

"""Per-format text extraction for uploaded collateral: the dispatcher, and the text formats.

These functions parse untrusted files, so they are only ever called inside the sandboxed worker
(extract_worker.py), never in the web process. Heavy parsers are imported inside the functions
that need them so the web process can import this module cheaply for `reads_file`.
"""

from __future__ import annotations

import codecs
from html.parser import HTMLParser

from .extract_office import extract_sheets, extract_slides, extract_word, guarded
from .extract_output import (  # noqa: F401 - re-exported for the worker and the web process
    DAMAGED,
    LEGACY_OFFICE,
    NO_PDF_TEXT,
    NO_TEXT,
    PARTLY_DAMAGED,
    TOO_MUCH_MEMORY,
    VIDEO,
    Output,
)
from .extract_pdf import extract_pdf

PDF = frozenset({"application/pdf"})
WORD = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-word.document.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "application/vnd.ms-word.template.macroEnabled.12",
    }
)
SLIDES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.template",
        "application/vnd.ms-powerpoint.template.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
    }
)
SHEETS = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "application/vnd.ms-excel.template.macroEnabled.12",
    }
)
PLAIN = frozenset({"text/plain", "text/csv", "text/tab-separated-values"})
LEGACY = frozenset(
    {"application/msword", "application/vnd.ms-powerpoint", "application/vnd.ms-excel"}
)
RASTER_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def reads_file(content_type: str) -> bool:
    """Whether extraction parses the file's contents (and so needs the size limit)."""
    return content_type in _HANDLERS or content_type in RASTER_IMAGES


def extract_text(path: str, content_type: str, out: Output) -> None:
    handler = _HANDLERS.get(content_type)
    if handler is not None:
        handler(path, out)
        if not out.text and not out.notes:
            out.note(NO_PDF_TEXT if content_type in PDF else NO_TEXT)
    elif content_type.startswith("video/"):
        out.note(VIDEO)
    elif content_type in LEGACY:
        out.note(LEGACY_OFFICE)
    if out.truncated:
        out.note(f"Only the first {out.max_chars:,} characters of text were indexed.")


def read_text(path: str, max_chars: int) -> tuple[str, bool]:
    """Decode the start of a text file; True if the file was longer than what was read."""
    limit = max_chars * 4  # UTF-8 needs at most four bytes per character
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    cut = len(data) > limit
    data = data[:limit]
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace"), cut
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), cut
    try:
        # Not final: the read limit may split a multi-byte character.
        return codecs.getincrementaldecoder("utf-8")().decode(data, final=not cut), cut
    except UnicodeDecodeError:
        # Not UTF-8: most likely a Windows export (CSV from Excel), which is cp1252.
        return data.decode("cp1252", "replace"), cut


def _plain(path: str, out: Output) -> None:
    text, cut = read_text(path, out.max_chars)
    out.add(text)
    out.truncated = out.truncated or cut


def _markdown(path: str, out: Output) -> None:
    from markdown_it import MarkdownIt

    text, cut = read_text(path, out.max_chars)
    out.add(html_to_text(MarkdownIt("commonmark").render(text)))
    out.truncated = out.truncated or cut


def _html(path: str, out: Output) -> None:
    text, cut = read_text(path, out.max_chars)
    out.add(html_to_text(text))
    out.truncated = out.truncated or cut


class _TextOnly(HTMLParser):
    SKIP = frozenset({"script", "style", "head", "template", "noscript"})
    BREAKS = frozenset(
        "address article aside blockquote br dd div dl dt fieldset figcaption figure footer "
        "form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "body" and "head" in self.skipping:
            self.skipping.clear()  # pages that never close <head> still have a body
        if tag in self.SKIP:
            self.skipping.append(tag)
        elif tag in self.BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            del self.skipping[self.skipping.index(tag) :]
        elif tag in self.BREAKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.chunks.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOnly()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.chunks).splitlines())
    return "\n".join(line for line in lines if line)


_HANDLERS = {
    **dict.fromkeys(PDF, extract_pdf),
    **dict.fromkeys(WORD, guarded(extract_word)),
    **dict.fromkeys(SLIDES, guarded(extract_slides)),
    **dict.fromkeys(SHEETS, guarded(extract_sheets)),
    **dict.fromkeys(PLAIN, _plain),
    "text/markdown": _markdown,
    "text/html": _html,
}

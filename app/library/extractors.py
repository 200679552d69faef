"""Per-format text extraction for uploaded collateral.

These functions parse untrusted files, so they are only ever called inside the sandboxed worker
(extract_worker.py), never in the web process. Heavy parsers are imported inside the functions
that need them so the web process can import this module cheaply for `reads_file`.

Extractors write into an `Output` as they go, so text read before a parser gives up on a damaged
file is still kept.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import zipfile
from contextlib import suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser

MB = 1024 * 1024
MAX_UNPACKED = 300 * MB
# Real Office files compress text roughly 5-20x; far beyond that is a deliberate bomb.
MAX_RATIO = 200
RATIO_CHECK_FLOOR = 50 * MB
MAX_SHEET_ROWS = 200_000

DAMAGED = "The file could not be read: it may be damaged."
PARTLY_DAMAGED = "Part of the file could not be read: it may be damaged."
TOO_MUCH_MEMORY = "The file needs too much memory to read, so its text was not indexed."
LOCKED_PDF = "The PDF is password-protected; its text cannot be indexed."
PAGES_FAILED = "page(s) of the PDF could not be read."
NO_TEXT = "No text was found in the file."
NO_PDF_TEXT = "No text was found in the PDF; it may contain only scanned images."
NOT_OFFICE = "The file could not be read: it is not a valid Office file."
VIDEO = "No text to extract from video."
LEGACY_OFFICE = (
    "Text cannot be extracted from older Office formats (.doc, .ppt, .xls); "
    "save the file in the newer format to make it searchable."
)

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


@dataclass
class Output:
    """Text gathered so far, capped at max_chars, plus what the user should be told."""

    max_chars: int
    parts: list[str] = field(default_factory=list)
    size: int = 0
    truncated: bool = False
    page_count: int | None = None
    notes: list[str] = field(default_factory=list)
    title: str | None = None
    locked: bool = False

    def add(self, piece: str | None) -> bool:
        """Append a piece of text; False once the cap is reached so callers can stop early."""
        if self.truncated:
            return False
        piece = _tidy(piece or "")
        if not piece:
            return True
        room = self.max_chars - self.size
        if len(piece) >= room:
            piece = piece[: max(room, 0)]
            self.truncated = True
        if piece:
            self.parts.append(piece)
            self.size += len(piece) + 1
        return not self.truncated

    @property
    def text(self) -> str:
        return "\n".join(self.parts)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def summary(self) -> str | None:
        """The notes as one message; with no text at all, "partly" damaged is just damaged."""
        notes = self.notes
        if not self.parts and (DAMAGED in notes or PARTLY_DAMAGED in notes):
            rest = [
                n for n in notes if n not in (DAMAGED, PARTLY_DAMAGED) and PAGES_FAILED not in n
            ]
            notes = [DAMAGED, *rest]
        return " ".join(notes) or None


def _tidy(piece: str) -> str:
    # U+FFFD marks glyphs or bytes that could not be decoded: noise for search, so dropped.
    # PowerPoint line breaks come through as vertical tabs.
    piece = piece.replace("\ufffd", "").replace("\x0b", "\n")
    lines = (line.rstrip() for line in piece.split("\n"))
    return "\n".join(line for line in lines if line.strip()).strip()


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


# --- PDF ---------------------------------------------------------------------------------


def _pdf(path: str, out: Output) -> None:
    reader = _open_pdf(path, out)
    if reader.is_encrypted and not _unlock(reader):
        out.locked = True
        out.page_count = _encrypted_page_count(reader)
        out.note(LOCKED_PDF)
        return
    try:
        pages = list(reader.pages)
        out.page_count = len(pages)
    except Exception:  # any page-tree error means "fall back to recovery"
        pages = _orphan_pages(reader)
        out.page_count = _linearized_page_count(path) or len(pages) or None
        out.note(PARTLY_DAMAGED if pages else DAMAGED)
    _pdf_pages_text(pages, out)


def _open_pdf(path: str, out: Output):
    from pypdf import PdfReader

    try:
        return PdfReader(path, strict=False)
    except Exception:  # most often a truncated upload: no trailer at the end
        with open(path, "rb") as fh:
            data = fh.read()
    # A stub trailer pointing nowhere makes pypdf rebuild the cross-reference table by
    # scanning, which recovers every complete object before the cut.
    reader = PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"), strict=False)
    out.note(PARTLY_DAMAGED)
    return reader


def _unlock(reader) -> bool:
    # Many "protected" PDFs only restrict printing/copying and open with an empty password.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported crypto is just "still locked"
        return False


def _encrypted_page_count(reader) -> int | None:
    """/Count is a plain number, which PDF encryption leaves readable without the password."""
    reader._override_encryption = True  # pypdf's own switch for reading unencrypted structure
    try:
        count = int(reader.trailer["/Root"]["/Pages"]["/Count"])
        return count if count >= 0 else None
    except Exception:  # page count is best effort for a locked file
        return None
    finally:
        reader._override_encryption = False


def _orphan_pages(reader) -> list:
    """Find page objects directly when the page tree is broken (loops, missing /Pages)."""
    from pypdf import PageObject
    from pypdf.generic import DictionaryObject, IndirectObject

    refs = [(num, gen) for gen, table in reader.xref.items() for num in table]
    refs += [(num, 0) for num in reader.xref_objStm]
    pages = []
    for num, gen in sorted(set(refs)):
        ref = IndirectObject(num, gen, reader)
        try:
            obj = reader.get_object(ref)
        except Exception:  # noqa: S112 - unreadable objects are skipped in recovery
            continue
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page":
            page = PageObject(reader, ref)
            page.update(obj)
            pages.append(page)
    return pages


def _linearized_page_count(path: str) -> int | None:
    """A linearized PDF states its page count up front, which survives a damaged page tree."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    match = re.search(rb"<<[^>]*/Linearized[^>]*>>", head)
    if not match:
        return None
    count = re.search(rb"/N\s+(\d+)", match.group(0))
    return int(count.group(1)) if count else None


def _pdf_pages_text(pages: list, out: Output) -> None:
    failed = 0
    for page in pages:
        try:
            text = page.extract_text()
        except Exception:  # one bad page should not lose the others
            failed += 1
            continue
        if not out.add(text):
            break
    if failed:
        out.note(f"{failed} {PAGES_FAILED}")


# --- Office (OOXML) ------------------------------------------------------------------------


def zip_bomb_note(path: str) -> str | None:
    """Refuse zips that would unpack to far more than any real Office file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return NOT_OFFICE
    unpacked = sum(info.file_size for info in infos)
    packed = max(os.path.getsize(path), 1)
    too_big = unpacked > MAX_UNPACKED
    too_dense = unpacked > RATIO_CHECK_FLOOR and unpacked > MAX_RATIO * packed
    if too_big or too_dense:
        return f"The file expands to {unpacked // MB} MB when unpacked, so it was not read."
    return None


def _guarded(handler):
    def run(path: str, out: Output) -> None:
        note = zip_bomb_note(path)
        if note:
            out.note(note)
            return
        handler(path, out)

    return run


def _word(path: str, out: Output) -> None:
    document = _open_word(path)
    for block in document.iter_inner_content():
        if not _word_block(block, out):
            return
    for section in document.sections:
        for part in _headers_and_footers(section):
            for block in part.iter_inner_content():
                if not _word_block(block, out):
                    return


def _open_word(path: str):
    """python-docx only opens .docx; macro and template flavours share the same main part."""
    import docx  # noqa: F401 - registers python-docx's part classes
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in (
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    ):
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(path).main_document_part
    if not isinstance(part, DocumentPart):
        raise ValueError("not a Word document")
    return part.document


def _headers_and_footers(section) -> list:
    parts = [
        section.header,
        section.first_page_header,
        section.even_page_header,
        section.footer,
        section.first_page_footer,
        section.even_page_footer,
    ]
    # A linked part has no content of its own; reading it would repeat the previous section's.
    return [part for part in parts if not part.is_linked_to_previous]


def _word_block(block, out: Output) -> bool:
    from docx.table import Table

    if not isinstance(block, Table):
        if out.title is None and block.text.strip():
            out.title = block.text.strip()
        return out.add(block.text)
    seen = set()
    for row in block.rows:
        for cell in row.cells:
            # Merged cells are returned once per grid column they span.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            for inner in cell.iter_inner_content():
                if not _word_block(inner, out):
                    return False
    return True


def _slides(path: str, out: Output) -> None:
    from pptx.package import Package

    # Package.open accepts template and slideshow flavours that Presentation() refuses.
    presentation = Package.open(path).presentation_part.presentation
    slides = presentation.slides
    out.page_count = len(slides)
    for index, slide in enumerate(slides):
        if index == 0:
            out.title = _slide_title(slide)
        for shape in slide.shapes:
            if not _slide_shape(shape, out):
                return
        if slide.has_notes_slide:
            frame = slide.notes_slide.notes_text_frame
            if frame is not None and not out.add(frame.text):
                return


def _slide_title(slide) -> str | None:
    title = slide.shapes.title
    if title is not None and title.has_text_frame and title.text_frame.text.strip():
        return title.text_frame.text.strip()
    return None


def _slide_shape(shape, out: Output) -> bool:
    from pptx.shapes.group import GroupShape

    if isinstance(shape, GroupShape):
        return all(_slide_shape(inner, out) for inner in shape.shapes)
    if shape.has_text_frame:
        return out.add(shape.text_frame.text)
    if getattr(shape, "has_table", False) and shape.has_table:
        cells = (cell.text_frame.text for row in shape.table.rows for cell in row.cells)
        return all(out.add(text) for text in cells)
    if getattr(shape, "has_chart", False) and shape.has_chart:
        return out.add(_chart_title(shape))
    return True


def _chart_title(shape) -> str:
    # Chart parts are parsed lazily and are often odd; a chart should never fail the slide.
    with suppress(Exception):
        chart = shape.chart
        if chart.has_title and chart.chart_title.has_text_frame:
            return chart.chart_title.text_frame.text
    return ""


def _sheets(path: str, out: Output) -> None:
    from openpyxl import load_workbook

    # A file object skips openpyxl's file-name extension check; stored uploads have no name.
    with open(path, "rb") as fh:
        workbook = load_workbook(fh, read_only=True, data_only=True)
        try:
            for sheet in workbook.worksheets:
                if not _sheet_rows(sheet, out):
                    return
        finally:
            workbook.close()


def _sheet_rows(sheet, out: Output) -> bool:
    out.add(sheet.title)
    # Stated dimensions can be bogus (A1:XFD1048576) and would pad every row to 16k cells.
    sheet.reset_dimensions()
    for number, row in enumerate(sheet.iter_rows(values_only=True)):
        if number >= MAX_SHEET_ROWS:
            out.note(f"Only the first {MAX_SHEET_ROWS:,} rows of each sheet were indexed.")
            return True
        line = "\t".join(str(value) for value in row if value is not None)
        if not out.add(line):
            return False
    return True


# --- Text, Markdown, HTML ------------------------------------------------------------------


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
    **dict.fromkeys(PDF, _pdf),
    **dict.fromkeys(WORD, _guarded(_word)),
    **dict.fromkeys(SLIDES, _guarded(_slides)),
    **dict.fromkeys(SHEETS, _guarded(_sheets)),
    **dict.fromkeys(PLAIN, _plain),
    "text/markdown": _markdown,
    "text/html": _html,
}

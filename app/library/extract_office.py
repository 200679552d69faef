"""Text of Word, PowerPoint and Excel (OOXML) files, after a zip-bomb check.

Runs only inside the extraction worker; see extractors.py.
"""

from __future__ import annotations

import os
import zipfile
from contextlib import suppress

from .extract_output import NOT_OFFICE, Output

MB = 1024 * 1024
MAX_UNPACKED = 300 * MB
# Real Office files compress text roughly 5-20x; far beyond that is a deliberate bomb.
MAX_RATIO = 200
RATIO_CHECK_FLOOR = 50 * MB
MAX_SHEET_ROWS = 200_000


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


def guarded(handler):
    def run(path: str, out: Output) -> None:
        note = zip_bomb_note(path)
        if note:
            out.note(note)
            return
        handler(path, out)

    return run


def extract_word(path: str, out: Output) -> None:
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
            # Merged cells are returned once per grid column they span. The set holds the
            # elements themselves: lxml reuses a freed proxy's id() for other elements.
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            for inner in cell.iter_inner_content():
                if not _word_block(inner, out):
                    return False
    return True


def extract_slides(path: str, out: Output) -> None:
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


def extract_sheets(path: str, out: Output) -> None:
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

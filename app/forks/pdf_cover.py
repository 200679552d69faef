"""A personalised cover page in front of a PDF, with the original pages left byte-identical.

The cover is drawn with fpdf2 at the size of the source's first page, in DejaVu Sans (vendored
in fonts/ with its licence, so Latin, Greek and Cyrillic names print on any machine; CJK text
is not covered by that font and prints as missing glyphs). It is added with pypdf's incremental
writer: the output starts with every byte of the original file, and the cover, the new page
tree and a new cross-reference section follow, so nothing of the original is rewritten.
"""

from __future__ import annotations

import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError, PyPdfError

FONTS = Path(__file__).resolve().with_name("fonts")
MAX_NOTE = 1_500
# Each block of text starts again at the left margin, on the next line.
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


class CoverError(Exception):
    """The cover could not be added; the message is meant for the rep."""


@dataclass(frozen=True)
class Cover:
    title: str
    account: str = ""
    contact: str = ""
    note: str = ""
    rep_name: str = ""
    rep_email: str = ""


def add_cover(source_path: str | Path, cover: Cover, out_path: str | Path) -> None:
    reader = _open(Path(source_path))
    try:
        width, height = _first_page_size(reader)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise CoverError("The first page of this PDF cannot be read.") from exc
    page = PdfReader(io.BytesIO(_cover_pdf(cover, width, height))).pages[0]
    try:
        writer = PdfWriter(str(source_path), incremental=True)
        writer.insert_page(page, 0)
        partial = Path(f"{out_path}.part")
        with open(partial, "wb") as out:
            writer.write(out)
        shutil.move(partial, out_path)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise CoverError("A cover page cannot be added to this PDF.") from exc


def _open(path: Path) -> PdfReader:
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise CoverError("This PDF is password-protected, so a cover page cannot be added.")
        if not reader.pages:
            raise CoverError("This PDF has no pages.")
        return reader
    except CoverError:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise CoverError("This file cannot be read as a PDF.") from exc


def _first_page_size(reader: PdfReader) -> tuple[float, float]:
    first = reader.pages[0]
    box = first.cropbox or first.mediabox
    width, height = float(box.width), float(box.height)
    if first.rotation % 180 == 90:
        width, height = height, width
    if not (72 <= width <= 14_400 and 72 <= height <= 14_400):
        width, height = 595.0, 842.0  # A4, for pages too small or too large to copy
    return width, height


def _cover_pdf(cover: Cover, width: float, height: float) -> bytes:
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    margin, scale = width * 0.1, min(width, height) / 595
    pdf.set_margins(margin, margin, margin)
    pdf.set_xy(margin, height * 0.22)
    pdf.set_font("DejaVu", "B", 26 * scale)
    pdf.multi_cell(0, 32 * scale, cover.title[:200], **NEXT_LINE)
    pdf.ln(10 * scale)
    pdf.set_font("DejaVu", "", 15 * scale)
    for line in (f"Prepared for {cover.account}" if cover.account else "",
                 f"Attention: {cover.contact}" if cover.contact else ""):
        if line:
            pdf.multi_cell(0, 20 * scale, line[:320], **NEXT_LINE)
    if cover.note:
        pdf.ln(24 * scale)
        pdf.set_font("DejaVu", "", 12 * scale)
        _note(pdf, cover.note[:MAX_NOTE], height - margin - 60 * scale, scale)
    _signature(pdf, cover, height - margin, scale)
    return bytes(pdf.output())


def _note(pdf: FPDF, note: str, bottom: float, scale: float) -> None:
    """The note wraps; what would run into the signature is cut with an ellipsis."""
    lines = pdf.multi_cell(0, 16 * scale, note, dry_run=True, output="LINES", **NEXT_LINE)
    room = max(1, int((bottom - pdf.get_y()) // (16 * scale)))
    if len(lines) > room:
        lines = [*lines[:room - 1], lines[room - 1].rstrip() + " …"]
    pdf.multi_cell(0, 16 * scale, "\n".join(lines), **NEXT_LINE)


def _signature(pdf: FPDF, cover: Cover, bottom: float, scale: float) -> None:
    who = " · ".join(part for part in (cover.rep_name, cover.rep_email) if part)
    if not who:
        return
    pdf.set_font("DejaVu", "", 11 * scale)
    pdf.set_xy(pdf.l_margin, bottom - 14 * scale)
    pdf.cell(0, 14 * scale, who[:300])

"""Render format-neutral documents and decks to PDF, DOCX, Markdown, HTML and PPTX.

Composers build a `Doc` or a list of `Slide`s once; the writer is picked from the file
extension. That keeps the words identical whichever format an asset happens to use, and
keeps every library-specific quirk (fixed dates, zip timestamps) in one place.
"""

import html
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from fpdf import FPDF, FontFace
from pptx import Presentation
from pptx.util import Pt

from app.demo.content import COMPANY

# A fixed timestamp for every embedded date: byte-identical output needs it.
FIXED_DATE = datetime(2026, 1, 15, 9, 0, 0, tzinfo=UTC)
_NAIVE_DATE = FIXED_DATE.replace(tzinfo=None)  # docx/pptx/openpyxl expect naive UTC
_ZIP_DATE = (2026, 1, 15, 9, 0, 0)

# Block kinds: ("h", str) heading, ("p", str) paragraph, ("ul", tuple[str, ...]) list,
# ("table", tuple[tuple[str, ...], ...]) with the first row as the header.
Block = tuple[str, object]


@dataclass(frozen=True)
class Doc:
    title: str
    subtitle: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Slide:
    title: str
    bullets: tuple[str, ...]
    notes: str


def stable_zip(raw: bytes) -> bytes:
    """Rewrite an OOXML zip with fixed member timestamps.

    python-docx, python-pptx and openpyxl stamp each member with the current time, which
    would make two runs differ; member order (content types first) is kept as is.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()


_PDF_HEADINGS = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(20, 60, 110))


class _BrandedPDF(FPDF):
    def footer(self) -> None:
        # Page numbers help reviewers refer to a spot in a two-page datasheet.
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 8, f"{COMPANY} - page {self.page_no()}", align="C")


def _col_widths(rows) -> tuple[int, ...]:
    # Relative widths from the longest cell per column, so prose columns get the room.
    return tuple(min(60, max(10, *(len(row[i]) for row in rows))) for i in range(len(rows[0])))


def _pdf_body(pdf: FPDF, size: int) -> None:
    # Headings switch to brand navy; body text must switch back explicitly.
    pdf.set_font("Helvetica", size=size)
    pdf.set_text_color(30, 30, 30)


def _pdf_block(pdf: FPDF, kind: str, value: object) -> None:
    if kind == "h":
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 13)
        pdf.set_text_color(20, 60, 110)
        pdf.multi_cell(0, 7, str(value), new_x="LMARGIN", new_y="NEXT")
    elif kind == "p":
        _pdf_body(pdf, 10)
        pdf.multi_cell(0, 5, str(value), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    elif kind == "ul":
        _pdf_body(pdf, 10)
        for item in value:  # type: ignore[attr-defined]
            pdf.multi_cell(0, 5, f"- {item}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    elif kind == "table":
        _pdf_body(pdf, 9)
        with pdf.table(first_row_as_headings=True, headings_style=_PDF_HEADINGS,
                       col_widths=_col_widths(value), text_align="LEFT",
                       cell_fill_color=(236, 241, 247), cell_fill_mode="ROWS") as table:
            for row in value:  # type: ignore[attr-defined]
                table.row(row)
        pdf.ln(2)


def write_pdf(doc: Doc, path: Path) -> None:
    pdf = _BrandedPDF(format="Letter")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(doc.title)
    pdf.set_author(COMPANY)
    pdf.set_subject(doc.subtitle)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_fill_color(20, 60, 110)
    pdf.rect(0, 0, pdf.w, 14, style="F")  # brand band across the top of page one
    pdf.set_fill_color(255, 255, 255)  # later fills (table rows) must not inherit the navy
    pdf.set_y(20)
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, doc.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "I", 11)
    pdf.multi_cell(0, 6, doc.subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for kind, value in doc.blocks:
        _pdf_block(pdf, kind, value)
    path.write_bytes(bytes(pdf.output()))


def _docx_table(document, rows) -> None:
    table = document.add_table(rows=0, cols=len(rows[0]))
    table.style = "Light Grid Accent 1"
    for index, row in enumerate(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
            if index == 0:
                cell.paragraphs[0].runs[0].bold = True


def write_docx(doc: Doc, path: Path) -> None:
    document = Document()
    props = document.core_properties
    props.title, props.subject, props.author = doc.title, doc.subtitle, COMPANY
    props.last_modified_by, props.revision = COMPANY, 1
    props.created = props.modified = props.last_printed = _NAIVE_DATE
    document.add_heading(doc.title, level=0)
    document.add_paragraph(doc.subtitle).runs[0].italic = True
    for kind, value in doc.blocks:
        if kind == "h":
            document.add_heading(str(value), level=1)
        elif kind == "p":
            document.add_paragraph(str(value))
        elif kind == "ul":
            for item in value:  # type: ignore[attr-defined]
                document.add_paragraph(item, style="List Bullet")
        elif kind == "table":
            _docx_table(document, value)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(stable_zip(buffer.getvalue()))


def _md_table(rows) -> list[str]:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + " --- |" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return lines + [""]


def write_markdown(doc: Doc, path: Path) -> None:
    lines = [f"# {doc.title}", "", f"_{doc.subtitle}_", ""]
    for kind, value in doc.blocks:
        if kind == "h":
            lines += [f"## {value}", ""]
        elif kind == "p":
            lines += [str(value), ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in value] + [""]  # type: ignore[attr-defined]
        elif kind == "table":
            lines += _md_table(value)
    path.write_text("\n".join(lines), encoding="utf-8")


_P = "margin:0 0 14px 0;font-family:Arial,sans-serif;font-size:15px;line-height:22px;color:#222;"
_H = "margin:18px 0 8px 0;font-family:Arial,sans-serif;font-size:18px;color:#14406e;"


def _html_block(kind: str, value: object) -> str:
    # Email clients strip <style> blocks, so every element carries its own inline style.
    if kind == "h":
        return f'<h2 style="{_H}">{html.escape(str(value))}</h2>'
    if kind == "ul":
        items = "".join(f'<li style="{_P}">{html.escape(i)}</li>' for i in value)  # type: ignore
        return f'<ul style="padding-left:20px;">{items}</ul>'
    return f'<p style="{_P}">{html.escape(str(value))}</p>'


def write_html_email(doc: Doc, path: Path) -> None:
    body = "\n".join(_html_block(kind, value) for kind, value in doc.blocks)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(doc.title)}</title></head>
<body style="margin:0;padding:0;background:#f2f4f7;">
<!-- Preheader: shown by inbox previews next to the subject line. -->
<div style="display:none;max-height:0;overflow:hidden;">{html.escape(doc.subtitle)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f2f4f7;">
<tr><td align="center" style="padding:24px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;">
<tr><td style="background:#14406e;padding:16px 24px;font-family:Arial,sans-serif;font-size:20px;
color:#ffffff;font-weight:bold;">{COMPANY}</td></tr>
<tr><td style="padding:24px;">
{body}
</td></tr>
<tr><td style="padding:16px 24px;font-family:Arial,sans-serif;font-size:12px;color:#777;">
{COMPANY}, 200 West Adams Street, Chicago, IL. You are receiving this because you spoke with
our team. <a href="{{{{unsubscribe_url}}}}" style="color:#777;">Unsubscribe</a></td></tr>
</table></td></tr></table>
</body></html>
"""
    path.write_text(page, encoding="utf-8")


def write_pptx(title: str, slides: list[Slide], path: Path) -> None:
    prs = Presentation()
    props = prs.core_properties
    props.title, props.author, props.last_modified_by = title, COMPANY, COMPANY
    props.created = props.modified = props.last_printed = _NAIVE_DATE
    props.revision = 1
    for index, slide_data in enumerate(slides):
        layout = prs.slide_layouts[0 if index == 0 else 1]
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = slide_data.title
        body = slide.placeholders[1].text_frame
        body.text = slide_data.bullets[0] if slide_data.bullets else ""
        for bullet in slide_data.bullets[1:]:
            body.add_paragraph().text = bullet
        for paragraph in body.paragraphs:
            # The template's 32pt default overflows with sentence-length proof points.
            paragraph.font.size = Pt(20 if index else 24)
        slide.notes_slide.notes_text_frame.text = slide_data.notes
    buffer = io.BytesIO()
    prs.save(buffer)
    path.write_bytes(stable_zip(buffer.getvalue()))


WRITERS = {".pdf": write_pdf, ".docx": write_docx, ".md": write_markdown,
           ".html": write_html_email}


def write_doc(doc: Doc, path: Path) -> None:
    WRITERS[path.suffix](doc, path)

"""A light grey line of text along the visual bottom of every page of a PDF.

The line says who the copy was shared with, so a forwarded file still names its recipient. It is
drawn with fpdf2 in DejaVu Sans (vendored in app/forks/fonts/, so Cyrillic or Greek e-mail
addresses print) on a transparent page of the same visual size, and stamped over each page with
pypdf. The stamp is real text with a ToUnicode map, so text extraction (search, copy and paste)
keeps working and finds the watermark too.

Pages are not all alike: each may have its own size, a media box whose origin is not (0, 0), a
crop box, and a /Rotate of 90, 180 or 270. The overlay is laid out in *visual* coordinates (what a
viewer shows) and mapped into the page's own user space, so the line always reads upright at the
bottom edge the reader sees.

Limits on page count and file size are the caller's business; this module only stamps.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from fpdf import FPDF
from pypdf import PageObject, PasswordType, PdfReader, PdfWriter, Transformation
from pypdf.generic import RectangleObject

# The fonts vendored for the fork cover pages, with their licence (app/forks/fonts/LICENSE).
FONT_FILE = Path(__file__).resolve().parents[1] / "forks" / "fonts" / "DejaVuSans.ttf"
MAX_TEXT = 300
# Points on an A4 page; larger and smaller pages scale, within these bounds.
BASE_FONT_SIZE = 7.0
MAX_FONT_SIZE = 24.0
GREY = (150, 150, 150)
# Control and format characters would draw as boxes or break the one-line layout.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


class WatermarkError(Exception):
    """The PDF could not be watermarked; the message is meant for the person sharing it."""


def watermark_pdf(data: bytes, text: str) -> bytes:
    """`data` with `text` stamped along the bottom of every page, as a new PDF."""
    line = clean_text(text)
    if not line:
        raise WatermarkError("The watermark text is empty.")
    reader = _open(data)
    try:
        return _stamp(reader, line)
    except WatermarkError:
        raise
    # pypdf raises a wide and changing set of exceptions on damaged files (KeyError, TypeError,
    # AttributeError, RecursionError, zlib.error, ...); the caller needs one error for the user.
    except Exception as exc:
        raise WatermarkError("This PDF is damaged, so a watermark cannot be added.") from exc


def clean_text(text: str) -> str:
    """One printable line: whitespace runs collapse, control characters go, long text is cut."""
    line = " ".join(UNPRINTABLE.sub(" ", text or "").split())
    return line if len(line) <= MAX_TEXT else line[: MAX_TEXT - 1].rstrip() + "…"


def _open(data: bytes) -> PdfReader:
    # Readers accept a header anywhere in the first kilobyte; anything else is some other file.
    if not isinstance(data, bytes | bytearray | memoryview) or b"%PDF-" not in bytes(data[:1024]):
        raise WatermarkError("This file is not a PDF.")
    try:
        reader = PdfReader(io.BytesIO(bytes(data)))
        # Files encrypted only to set permissions open with an empty password; pypdf tries it as
        # the user and then as the owner password.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise WatermarkError("This PDF is password-protected, so it cannot be watermarked.")
        if not reader.pages:
            raise WatermarkError("This PDF has no pages.")
        return reader
    except WatermarkError:
        raise
    except Exception as exc:  # see watermark_pdf: any failure to parse is one user error
        raise WatermarkError("This file cannot be read as a PDF.") from exc


def _stamp(reader: PdfReader, line: str) -> bytes:
    # Cloning keeps the document's outline, links, forms and metadata, not just its pages. The
    # file is rewritten whole on purpose: an incremental update (as the fork cover pages use)
    # would be faster but keeps the unmarked original in the file, one truncation away.
    writer = PdfWriter(clone_from=reader)
    overlays: dict[tuple[float, float], PageObject] = {}
    for page in writer.pages:
        left, bottom, right, top = _visible_box(page)
        rotation = _rotation(page)
        width, height = right - left, top - bottom
        if rotation in (90, 270):
            width, height = height, width
        size = (round(width, 2), round(height, 2))
        if size not in overlays:
            overlays[size] = PdfReader(io.BytesIO(_overlay_pdf(line, *size))).pages[0]
        page.merge_transformed_page(overlays[size], _to_user_space(rotation, left, bottom,
                                                                   right, top))
        # pypdf writes the merged content stream uncompressed; a text-heavy page grew tenfold.
        page.compress_content_streams()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _visible_box(page: PageObject) -> tuple[float, float, float, float]:
    """The crop box within the media box, normalised so left < right and bottom < top."""
    media, crop = _normalised(page.mediabox), _normalised(page.cropbox)
    box = (max(media[0], crop[0]), max(media[1], crop[1]),
           min(media[2], crop[2]), min(media[3], crop[3]))
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        box = media  # a crop box outside the media box is ignored, as viewers do
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:
        raise WatermarkError("A page of this PDF has no size, so it cannot be watermarked.")
    return box


def _normalised(box: RectangleObject) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(value) for value in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _rotation(page: PageObject) -> int:
    """/Rotate as viewers read it: PDFium divides by 90 and drops the rest, so 45 shows as 0."""
    return int(int(page.rotation) / 90) * 90 % 360


def _to_user_space(rotation: int, left: float, bottom: float, right: float,
                   top: float) -> Transformation:
    """Maps the overlay's visual coordinates (origin at the bottom left the reader sees) into the
    page's user space. A viewer turns the page clockwise by /Rotate, so the overlay is turned
    counter-clockwise by the same angle and moved to the corner that ends up bottom left."""
    corner = {0: (left, bottom), 90: (right, bottom), 180: (right, top), 270: (left, top)}
    return Transformation().rotate(rotation).translate(*corner[rotation])


def _overlay_pdf(line: str, width: float, height: float) -> bytes:
    """A one-page PDF of `width` x `height` points holding only the line, centred at the bottom."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font("DejaVu", "", str(FONT_FILE))
    pdf.add_page()
    size = min(BASE_FONT_SIZE * min(width, height) / 595, MAX_FONT_SIZE)
    pdf.set_font("DejaVu", "", size)
    room = width * 0.94
    if pdf.get_string_width(line) > room:
        # Shrunk rather than cut: the whole line stays in the text layer and zooms sharp, even
        # on a page too small to read it at 100%.
        size *= room / pdf.get_string_width(line)
        pdf.set_font("DejaVu", "", size)
    pdf.set_text_color(*GREY)
    margin = min(size * 1.2, height * 0.05)
    pdf.set_xy(0, height - margin - size * 1.2)
    pdf.cell(width, size * 1.2, line, align="C")
    return bytes(pdf.output())


"""The share watermark: on every page of real PDFs, upright at the bottom the reader sees, as
extractable text; unreadable and password-protected files are a WatermarkError.

Where the line lands is checked on pages rendered by PDFium (pypdfium2), a reader independent of
the pypdf that stamps them, which applies /Rotate and the crop box as a viewer does.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import corpus
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from PIL import Image, ImageChops
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import NameObject, NumberObject, RectangleObject

from app.share.watermark import WatermarkError, clean_text, watermark_pdf

TEXT = "Shared with ana@acme.com via Lockstep link 'Q3 proposal' · 2026-12-03 · ref 1a2b3c"
CYRILLIC = "Shared with анна@пример.рф via Lockstep link 'Ζήτα' · ref 9f8e7d"
A4 = (595.0, 842.0)
PDFS = corpus.files({".pdf"})
PASSWORD = "This PDF is password-protected, so it cannot be watermarked."
# The page tree of this extra-corpus file points at a missing object; a copy without that page
# would be a silent loss, so it is refused (PDFium cannot open it at all).
DAMAGED = {"pdf/017-unreadable-meta-data/unreadablemetadata.pdf"}


def _password_protected() -> set[str]:
    """Files no reader opens without a password, from the corpus's own listings."""
    base = json.loads((Path(__file__).resolve().parents[1] / "corpus-pdfs.json").read_text())
    found = {relative for relative, entry in base["data"].items() if entry["encrypted"]}
    extra = corpus.extra_dir()
    listing = extra / "pdf" / "files.json" if extra else None
    if listing and listing.exists():
        entries = json.loads(listing.read_text(encoding="utf-8"))["data"]
        found |= {f"pdf/{entry['path']}" for entry in entries if entry["encrypted"]}
    return found


PROTECTED = _password_protected()


# --- building and reading pages ---------------------------------------------------------------


def text_page(width: float, height: float, body: str = "Original body text") -> PdfReader:
    """A one-page PDF with `body` in black near the top left, as an open reader."""
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.set_xy(36, 36)
    pdf.cell(200, 20, body)
    return PdfReader(io.BytesIO(bytes(pdf.output())))


def build(pages: list[dict]) -> bytes:
    """A PDF of text pages: each dict has size=(w, h) and optionally rotate=, offset=(x, y)
    (the media box moves there and the content with it, so the page looks the same)."""
    writer = PdfWriter()
    for spec in pages:
        width, height = spec["size"]
        page = writer.add_page(text_page(width, height, spec.get("body", "Original body text"))
                               .pages[0])
        x, y = spec.get("offset", (0, 0))
        if (x, y) != (0, 0):
            page.add_transformation(Transformation().translate(x, y))
            box = RectangleObject([x, y, x + width, y + height])
            page[NameObject("/MediaBox")] = box
            page[NameObject("/CropBox")] = box
        if spec.get("rotate"):
            page[NameObject("/Rotate")] = NumberObject(spec["rotate"])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def rendered(data: bytes, index: int = 0) -> Image.Image:
    """Page `index` as PDFium shows it, in grey levels at 2 px per point."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[index]
        return page.render(scale=2).to_pil().convert("L")
    finally:
        document.close()


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box of everything that is not white."""
    return ImageChops.invert(image).point(lambda value: 255 if value > 8 else 0).getbbox()


def added_ink(before: bytes, after: bytes, index: int = 0) -> tuple[Image.Image, tuple]:
    """What the watermark drew on page `index`: the difference of the two renders, and its box."""
    old, new = rendered(before, index), rendered(after, index)
    assert old.size == new.size
    difference = ImageChops.difference(old, new)
    box = difference.point(lambda value: 255 if value > 8 else 0).getbbox()
    assert box is not None, "the watermark drew nothing on this page"
    return new, box


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


# --- where the line goes ----------------------------------------------------------------------


def test_the_line_sits_small_grey_and_centred_at_the_bottom():
    source = build([{"size": A4}])
    image, (left, top, right, bottom) = added_ink(source, watermark_pdf(source, TEXT))
    width, height = image.size
    assert top > height * 0.95, "the line belongs in the bottom margin"
    assert bottom <= height - 4, "and not on the very edge"
    assert bottom - top < height * 0.02, "one small line"
    assert abs((left + right) / 2 - width / 2) < width * 0.02, "centred"
    assert (right - left) > width * 0.3, "the whole line, not a few characters"
    strip = image.crop((left, top, right, bottom))
    assert strip.getextrema()[0] >= 120, "light grey, never black"


@pytest.mark.parametrize("rotate", [90, 180, 270, -90, 450])
def test_rotated_pages_get_the_line_upright_at_their_visual_bottom(rotate):
    """A page with /Rotate must look exactly like the same page drawn upright: same place, same
    direction. An upside-down or sideways line would not match the upright reference."""
    width, height = A4
    visual = (height, width) if rotate % 180 else (width, height)
    rotated_source = build([{"size": (width, height), "rotate": rotate, "body": ""}])
    upright_source = build([{"size": visual, "body": ""}])
    rotated = rendered(watermark_pdf(rotated_source, TEXT))
    upright = rendered(watermark_pdf(upright_source, TEXT))
    assert rotated.size == upright.size
    box = ink_box(upright)
    assert box is not None and box[1] > upright.size[1] * 0.9
    assert ink_box(rotated) == pytest.approx(box, abs=2)
    difference = ImageChops.difference(rotated, upright)
    assert difference.getextrema()[1] < 100, "the same glyphs in the same direction"
    assert TEXT in page_texts(watermark_pdf(rotated_source, TEXT))[0]


@pytest.mark.parametrize("offset", [(100, 200), (-300, -50), (10_000, 0)])
def test_a_media_box_away_from_the_origin_keeps_the_line_on_the_page(offset):
    moved = build([{"size": A4, "offset": offset}])
    plain = build([{"size": A4}])
    marked_moved, marked_plain = watermark_pdf(moved, TEXT), watermark_pdf(plain, TEXT)
    _, box = added_ink(moved, marked_moved)
    _, reference = added_ink(plain, marked_plain)
    assert box == pytest.approx(reference, abs=2)
    texts = page_texts(marked_moved)
    assert TEXT in texts[0] and "Original body text" in texts[0]


def test_a_crop_box_puts_the_line_at_the_bottom_of_what_is_shown():
    source = PdfReader(io.BytesIO(build([{"size": A4}])))
    writer = PdfWriter(clone_from=source)
    writer.pages[0].cropbox = RectangleObject([0, 300, 595, 842])  # the lower part is hidden
    out = io.BytesIO()
    writer.write(out)
    image, (_left, top, _right, bottom) = added_ink(out.getvalue(),
                                                    watermark_pdf(out.getvalue(), TEXT))
    assert image.size[1] == 2 * (842 - 300)
    assert top > image.size[1] * 0.93 and bottom <= image.size[1]


def test_every_page_of_a_mixed_document_gets_its_own_fitted_line():
    specs = [
        {"size": A4},
        {"size": (792.0, 612.0)},                      # US Letter landscape
        {"size": (612.0, 792.0), "rotate": 90},
        {"size": (2384.0, 3370.0)},                    # A0: a larger line
        {"size": (200.0, 120.0), "offset": (50, 50)},  # a business card
        {"size": (A4[1], A4[0]), "rotate": 270, "offset": (-20, 40)},
    ]
    source = build(specs)
    marked = watermark_pdf(source, TEXT)
    texts = page_texts(marked)
    assert len(texts) == len(specs)
    heights = []
    for index, text in enumerate(texts):
        assert TEXT in text, f"page {index + 1}"
        assert "Original body text" in text, f"page {index + 1}"
        image, (left, top, right, bottom) = added_ink(source, marked, index)
        assert 0 <= left and right <= image.size[0], f"page {index + 1} fits its width"
        assert top > image.size[1] * 0.85, f"page {index + 1} is stamped at its bottom"
        heights.append((bottom - top) / image.size[1])
    assert (heights[3] * 3370) > (heights[0] * 842) * 2, "bigger pages get bigger type"


# --- text -------------------------------------------------------------------------------------


def test_non_latin_addresses_print_and_extract():
    source = build([{"size": A4}])
    marked = watermark_pdf(source, CYRILLIC)
    assert CYRILLIC in page_texts(marked)[0]
    # DejaVu has the glyphs: PDFium draws them instead of empty boxes (.notdef) or nothing.
    document = pdfium.PdfDocument(marked)
    try:
        textpage = document[0].get_textpage()
        assert "анна@пример.рф" in textpage.get_text_range()
    finally:
        document.close()


def test_control_characters_and_line_breaks_do_not_reach_the_page():
    source = build([{"size": A4}])
    marked = watermark_pdf(source, "Shared with\r\nana@acme.com\x00\x1b[31m \u202eevil\t ref 1")
    text = page_texts(marked)[0]
    assert "Shared with ana@acme.com [31m evil ref 1" in text
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text


def test_clean_text_keeps_one_bounded_line():
    assert clean_text("  a \n\n b\tc  ") == "a b c"
    assert clean_text("x" * 1000).endswith("…") and len(clean_text("x" * 1000)) == 300
    assert clean_text("\x00\x01") == ""


def test_a_line_longer_than_the_page_shrinks_instead_of_being_cut():
    long_text = "Shared with " + "very-long-name." * 12 + "@acme.com · ref 1a2b3c"
    source = build([{"size": (200.0, 300.0)}])
    marked = watermark_pdf(source, long_text)
    assert long_text in page_texts(marked)[0].replace("\n", "")
    image, (left, _top, right, _bottom) = added_ink(source, marked)
    assert left >= 0 and right <= image.size[0]


def test_an_empty_watermark_text_is_refused():
    with pytest.raises(WatermarkError, match="empty"):
        watermark_pdf(build([{"size": A4}]), " \n\x00 ")


# --- encryption and bad input -----------------------------------------------------------------


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build([{"size": A4}]))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret",
                   algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_encrypted_with_an_empty_password_is_watermarked():
    marked = watermark_pdf(_encrypted(""), TEXT)
    text = page_texts(marked)[0]
    assert TEXT in text and "Original body text" in text


def test_a_password_protected_pdf_is_refused():
    with pytest.raises(WatermarkError) as caught:
        watermark_pdf(_encrypted("open-sesame"), TEXT)
    assert str(caught.value) == PASSWORD


def _truncated() -> bytes:
    data = build([{"size": A4}, {"size": A4}])
    return data[: len(data) // 2]


def _corrupt_streams() -> bytes:
    data = build([{"size": A4}])
    return data.replace(b"stream\n", b"stream\n\xff\xfe garbage", 1)


def _page_tree_loop() -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type/Pages/Kids[2 0 R]/Count 1>> endobj\n"
            b"trailer <</Root 1 0 R>>\n%%EOF\n")


def _no_pages() -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type/Pages/Kids[]/Count 0>> endobj\n"
            b"trailer <</Root 1 0 R>>\n%%EOF\n")


def _zero_size_page() -> bytes:
    return (b"%PDF-1.4\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
            b"2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj\n"
            b"3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 0 0]>> endobj\n"
            b"trailer <</Root 1 0 R>>\n%%EOF\n")


BAD_INPUT = {
    "empty": lambda: b"",
    "text": lambda: b"just some words, not a PDF at all" * 10,
    "png": lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
    "header only": lambda: b"%PDF-1.7\n",
    "random after header": lambda: b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "truncated": _truncated,
    "corrupt streams": _corrupt_streams,
    "page tree loop": _page_tree_loop,
    "no pages": _no_pages,
    "zero-size page": _zero_size_page,
    "not bytes": lambda: "%PDF-1.4 a str",
}


@pytest.mark.parametrize("name", BAD_INPUT)
def test_unreadable_input_is_a_watermark_error_and_nothing_else(name):
    data = BAD_INPUT[name]()
    try:
        watermark_pdf(data, TEXT)
    except WatermarkError as error:
        assert str(error) and "Traceback" not in str(error)
        return
    # pypdf repairs some damage; then the result must be a real, stamped PDF.
    assert name in {"corrupt streams"}, f"{name} was accepted"


def test_a_repaired_file_is_still_stamped():
    try:
        marked = watermark_pdf(_corrupt_streams(), TEXT)
    except WatermarkError:
        return
    assert all(TEXT in text for text in page_texts(marked))


# --- the real-file corpus ---------------------------------------------------------------------


def test_the_corpus_has_pdfs_to_stamp():
    assert len(PDFS) >= 50
    assert PROTECTED & set(PDFS)


@pytest.mark.parametrize("relative", sorted(PDFS))
def test_every_real_pdf_is_stamped_on_every_page_or_refused_with_a_reason(relative):
    data = PDFS[relative].read_bytes()
    if relative in PROTECTED:
        with pytest.raises(WatermarkError) as caught:
            watermark_pdf(data, CYRILLIC)
        assert str(caught.value) == PASSWORD
        return
    if relative in DAMAGED:
        with pytest.raises(WatermarkError, match="cannot be read"):
            watermark_pdf(data, CYRILLIC)
        return
    original = PdfReader(io.BytesIO(data))
    if original.is_encrypted:
        original.decrypt("")
    before = [page.extract_text() or "" for page in original.pages]
    marked = watermark_pdf(data, CYRILLIC)
    # The merged content streams are compressed again (pypdf leaves them plain): a text-heavy
    # page would otherwise grow tenfold.
    assert len(marked) < len(data) * 1.6 + 64_000
    after = page_texts(marked)
    assert len(after) == len(before)
    for number, (old, new) in enumerate(zip(before, after, strict=True), start=1):
        assert CYRILLIC in new, f"page {number} has no watermark"
        # The original text survives: every word of it is still extracted from the page.
        missing = set(old.split()) - set(new.split())
        assert not missing, f"page {number} lost {sorted(missing)[:5]}"

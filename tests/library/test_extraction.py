"""Text extraction and thumbnails, against the real-file corpus and against hostile files.

Every extract() call starts a worker process, so the corpus is extracted once per module, in
parallel, and the parametrized tests read the shared results.
"""

from __future__ import annotations

import io
import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import corpus
import docx
import openpyxl
import pptx
import pytest
from fpdf import FPDF
from PIL import Image
from pptx.util import Inches

from app.library import extractors
from app.library.extraction import TIMEOUT_NOTE, WORKER, Extraction, extract
from app.library.filetypes import sniff

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CARD_SIZE = (320, 240)


OFFICE_SUFFIXES = {".docx", ".pptx", ".pptm", ".xlsx"}
FILES = corpus.files(OFFICE_SUFFIXES | {".pdf"})
EXTRA = corpus.extra_dir()
NO_EXTRA = "the extra corpus (../shared/corpus or $LOCKSTEP_CORPUS) is not present"


def _pdf_expectations() -> dict[str, dict]:
    """Page counts and encryption of every PDF whose numbers are known: the base layer's from
    tests/corpus-pdfs.json, the extra layer's from its own files.json."""
    base = Path(__file__).resolve().parents[1] / "corpus-pdfs.json"
    expected = dict(json.loads(base.read_text(encoding="utf-8"))["data"])
    listing = EXTRA / "pdf" / "files.json" if EXTRA else None
    if listing and listing.exists():
        for entry in json.loads(listing.read_text(encoding="utf-8"))["data"]:
            expected[f"pdf/{entry['path']}"] = entry
    # files.json also lists a file the extra corpus does not ship; only present files count.
    return {relative: entry for relative, entry in expected.items() if relative in FILES}


def _office_files() -> list:
    return [pytest.param(relative, id=relative) for relative, path in FILES.items()
            if path.suffix in OFFICE_SUFFIXES]


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, Extraction]:
    """Every corpus file extracted once, keyed by its path relative to the corpus."""

    def run(item: tuple[str, Path]) -> tuple[str, Extraction]:
        relative, path = item
        # Correctness, not speed: a generous timeout, so a busy shared machine cannot turn a
        # 137-page PDF into a "took too long" note (the timeout has its own tests below).
        return relative, extract(str(path), sniff(str(path), path.name).content_type,
                                 timeout=120)

    # Each extraction is a separate process, so threads are enough to use every core.
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as pool:
        return dict(pool.map(run, FILES.items()))


def open_png(data: bytes | None) -> Image.Image:
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    return image


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


# --- Real files ----------------------------------------------------------------------------


@pytest.mark.parametrize(("relative", "entry"), sorted(_pdf_expectations().items()),
                         ids=lambda v: v if isinstance(v, str) else "")
def test_corpus_pdfs_match_their_expected_pages(corpus_results, relative, entry):
    result = corpus_results[relative]
    if entry["encrypted"]:
        assert result.text == ""
        assert result.note == "The PDF is password-protected; its text cannot be indexed."
    else:
        assert result.page_count == entry["pages"]
        assert result.text or result.note
        assert open_png(result.thumbnail_png).width <= 320


@pytest.mark.parametrize("relative", _office_files())
def test_corpus_office_files_give_text_or_a_note(corpus_results, relative):
    result = corpus_results[relative]
    path = FILES[relative]
    assert result.text.strip() or result.note
    assert open_png(result.thumbnail_png).size == CARD_SIZE
    if sniff(str(path), path.name).kind == "slides":
        assert isinstance(result.page_count, int)


KNOWN_CONTENT = [
    # Body text, a table cell, the header and the footer.
    ("office/docx/blk-paras-and-tables.docx", ["Lorem ipsum", "Table", "Left-side", "Copyright"]),
    ("office/docx/tbl-having-applied-style.docx", ["foobar", "barfoo"]),
    ("office/docx/sct-inner-content.docx", ["P1", "T2", "T4"]),
    ("office/docx/par-hlink-frags.docx", ["link to bookmark"]),
    (
        "office/docx/doc-add-section.docx",
        ["First-page header content", "Even Page Header content", "First Page Footer content"],
    ),
    ("office/docx/sct-first-page-hdrftr.docx", ["First Page Header (section 2)"]),
    ("office/pptx/prs-notes.pptx", ["Notes"]),
    ("office/pptx/sld-notes.pptx", ["Notes"]),
    ("office/pptx/ph-inherit-props.pptx", ["Title Text", "Notes in modified position and size."]),
    ("office/pptx/tbl-cell.pptx", ["merged cell", "unladen swallows"]),
    ("office/pptx/txt-text.pptx", ["Text run in table cell"]),
    ("office/pptx/cht-chart-props.pptx", ["Explicit Chart Title"]),
    ("office/pptx/act-props.pptm", ["action"]),
    ("office/pptx/shp-embedded-docx.docx", ["Foo de bar"]),
    ("office/pptx/shp-embedded-xlsx.xlsx", ["Sheet1"]),
    ("pdf/pypdf/hello-world.pdf", ["مرحبا بالعالم", "Привет, мир", "你好世界", "こんにちは世界"]),
    ("pdf/pypdf/crazyones.pdf", ["The Crazy Ones", "The round pegs in the square holes."]),
    # Restricted with an owner password only: opens without one.
    ("pdf/pypdf/encryption/r2-owner-password.pdf", ["pdf encryption test"]),
]
# In the extra layer only (../shared/corpus): checked whenever it is present.
EXTRA_KNOWN_CONTENT = [
    ("pdf/015-arabic/habibi.pdf", ["حَبيبي", "habibi"]),
    ("pdf/015-arabic/habibi-oneline-cmap.pdf", ["حَبيبي"]),
    ("pdf/015-arabic/habibi-rotated.pdf", ["حَبيبي"]),
    ("pdf/009-pdflatex-geotopo/GeoTopo-komprimiert.pdf", ["Geometrie und Topologie"]),
    ("pdf/021-pdfa/crazyones-pdfa.pdf", ["The Crazy Ones"]),
]


@pytest.mark.parametrize(("relative", "expected"),
                         KNOWN_CONTENT + (EXTRA_KNOWN_CONTENT if EXTRA else []),
                         ids=lambda v: str(v)[:40])
def test_corpus_known_content_is_extracted(corpus_results, relative, expected):
    result = corpus_results[relative]
    for snippet in expected:
        assert snippet in result.text


def test_corpus_oddities(corpus_results):
    assert corpus_results["office/pptx/act-props.pptm"].page_count == 5
    assert "\x0b" not in corpus_results["office/pptx/txt-text.pptx"].text
    # Saved by Word with nothing typed in it: no text, and the user is told so.
    blank = corpus_results["office/docx/doc-word-default-blank.docx"]
    assert (blank.text, blank.note) == ("", "No text was found in the file.")
    # Pure image PDFs have no text layer.
    scanned = corpus_results["pdf/pypdf/imagemagick-lzw.pdf"]
    assert scanned.text == ""
    assert "No text was found in the PDF" in scanned.note
    # A real render, not the card: an A4 page at 320 px wide, a US Letter page too.
    assert open_png(corpus_results["pdf/pypdf/example.pdf"].thumbnail_png).size == (320, 453)
    assert open_png(corpus_results["pdf/pypdf/crazyones.pdf"].thumbnail_png).size == (320, 415)


@pytest.mark.skipif(EXTRA is None, reason=NO_EXTRA)
def test_extra_corpus_oddities(corpus_results):
    # This file's page tree points at a missing object: three of its four pages survive, and
    # the page count comes from its linearization header.
    broken = corpus_results["pdf/017-unreadable-meta-data/unreadablemetadata.pdf"]
    assert broken.page_count == 4
    assert "Resistance Range" in broken.text
    assert "\ufffd" not in broken.text
    assert broken.note == "Part of the file could not be read: it may be damaged."
    minimal = open_png(corpus_results["pdf/001-trivial/minimal-document.pdf"].thumbnail_png)
    assert minimal.size == (320, 453)


# --- Generated office files ----------------------------------------------------------------


def build_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Proposal for Acme")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "Outer cell"
    merged = table.cell(0, 1).merge(table.cell(0, 2))
    merged.text = "Merged pricing cell"
    nested = table.cell(1, 0).add_table(rows=1, cols=1)
    nested.cell(0, 0).text = "Nested discount cell"
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header.paragraphs[0].text = "Confidential header"
    section.first_page_header.paragraphs[0].text = "Cover page header"
    section.footer.paragraphs[0].text = "Page footer text"
    document.save(path)


def build_pptx(path: Path) -> None:
    presentation = pptx.Presentation()
    title_slide = presentation.slides.add_slide(presentation.slide_layouts[0])
    title_slide.shapes.title.text = "Q3 Pricing Update"
    group = title_slide.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(1), Inches(2), Inches(1))
    box.text_frame.text = "Text inside a group"
    title_slide.notes_slide.notes_text_frame.text = "Speaker note: mention the discount"
    second = presentation.slides.add_slide(presentation.slide_layouts[5])
    table = second.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(2)).table
    table.cell(1, 1).text = "Table cell ROI"
    presentation.save(path)


def retype_ooxml(source: Path, target: Path, old: str, new: str) -> None:
    """Copy an OOXML file, declaring a different main-part flavour (macro, template...)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            zout.writestr(info, data)


def test_docx_tables_nested_tables_merged_cells_headers_and_footers(tmp_path):
    path = tmp_path / "proposal.docx"
    build_docx(path)
    result = extract(str(path), sniff(str(path), path.name).content_type)
    for snippet in (
        "Proposal for Acme",
        "Outer cell",
        "Nested discount cell",
        "Confidential header",
        "Cover page header",
        "Page footer text",
    ):
        assert snippet in result.text
    assert result.text.count("Merged pricing cell") == 1
    assert result.page_count is None
    assert result.note is None


def test_docm_and_dotx_flavours_are_read(tmp_path):
    source = tmp_path / "proposal.docx"
    build_docx(source)
    for flavour, suffix in (
        ("application/vnd.ms-word.document.macroEnabled.main+xml", ".docm"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
            ".dotx",
        ),
    ):
        target = tmp_path / f"proposal{suffix}"
        retype_ooxml(source, target, DOCX + ".main+xml", flavour)
        detected = sniff(str(target), target.name)
        assert detected.kind == "document"
        assert detected.content_type != DOCX
        assert "Nested discount cell" in extract(str(target), detected.content_type).text


def test_pptx_shapes_groups_tables_and_notes(tmp_path):
    path = tmp_path / "deck.pptx"
    build_pptx(path)
    result = extract(str(path), PPTX)
    for snippet in (
        "Q3 Pricing Update",
        "Text inside a group",
        "Speaker note: mention the discount",
        "Table cell ROI",
    ):
        assert snippet in result.text
    assert result.page_count == 2
    assert open_png(result.thumbnail_png).size == CARD_SIZE


def test_potx_template_flavour_is_read(tmp_path):
    source, target = tmp_path / "deck.pptx", tmp_path / "deck.potx"
    build_pptx(source)
    template = "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml"
    retype_ooxml(source, target, PPTX + ".main+xml", template)
    detected = sniff(str(target), target.name)
    assert detected.content_type == (
        "application/vnd.openxmlformats-officedocument.presentationml.template"
    )
    result = extract(str(target), detected.content_type)
    assert "Speaker note: mention the discount" in result.text
    assert result.page_count == 2


def test_xlsx_values_from_every_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Prices"
    workbook.active.append(["SKU", "Price"])
    workbook.active.append(["WIDGET-9", 19.5])
    workbook.create_sheet("Regions").append(["EMEA", "Quota", 120000])
    path = tmp_path / "prices.xlsx"
    workbook.save(path)
    result = extract(str(path), XLSX)
    for snippet in ("Prices", "WIDGET-9\t19.5", "Regions", "EMEA\tQuota\t120000"):
        assert snippet in result.text
    assert result.note is None


# --- Text formats --------------------------------------------------------------------------


def test_plain_text_csv_and_encodings(tmp_path):
    bom = write(tmp_path, "a.txt", b"\xef\xbb\xbfHello BOM")
    assert extract(bom, "text/plain").text == "Hello BOM"
    utf16 = write(tmp_path, "b.txt", "Grüße aus Köln".encode("utf-16"))
    assert extract(utf16, "text/plain").text == "Grüße aus Köln"
    cp1252 = write(tmp_path, "c.csv", "name,city\nRené,Zürich – HQ\n".encode("cp1252"))
    assert "René,Zürich – HQ" in extract(cp1252, "text/csv").text


def test_markdown_is_rendered_to_plain_text(tmp_path):
    path = write(
        tmp_path,
        "notes.md",
        b"# Battlecard\n\nWe **win** on [price](https://example.com/x).\n\n- fast\n- cheap\n",
    )
    text = extract(path, "text/markdown").text
    assert text.splitlines() == ["Battlecard", "We win on price.", "fast", "cheap"]


def test_html_skips_script_style_and_head(tmp_path):
    page = (
        "<!doctype html><html><head><title>Head title</title>"
        "<style>.secret-style{}</style><script>var secretScript = 1;</script></head>"
        "<body><h1>Case study</h1><p>Fish &amp; chips &lt;3 &eacute;</p>"
        "<script>alert('also hidden')</script><p>Closing</p></body></html>"
    )
    text = extract(write(tmp_path, "page.html", page.encode()), "text/html").text
    assert text.splitlines() == ["Case study", "Fish & chips <3 é", "Closing"]
    unclosed_head = "<html><head><title>t</title><body><p>Body text</p>"
    assert extract(write(tmp_path, "u.html", unclosed_head.encode()), "text/html").text == (
        "Body text"
    )


def test_max_chars_caps_the_text_and_says_so(tmp_path):
    path = write(tmp_path, "long.txt", ("word " * 10_000).encode())
    result = extract(path, "text/plain", max_chars=100)
    assert 0 < len(result.text) <= 100
    assert result.note == "Only the first 100 characters of text were indexed."


# --- Images and kinds without text ---------------------------------------------------------


def image_file(tmp_path: Path, name: str, fmt: str, mode: str, size, **save) -> str:
    path = tmp_path / name
    Image.new(mode, size).save(path, format=fmt, **save)
    return str(path)


@pytest.mark.parametrize(
    ("name", "fmt", "mode", "size", "content_type", "expected_size"),
    [
        ("wide.png", "PNG", "RGBA", (1000, 500), "image/png", (320, 160)),
        ("cmyk.jpg", "JPEG", "CMYK", (640, 640), "image/jpeg", (320, 320)),
        ("palette.gif", "GIF", "P", (100, 50), "image/gif", (100, 50)),
        ("photo.webp", "WEBP", "RGB", (500, 1000), "image/webp", (160, 320)),
        ("deep.png", "PNG", "I;16", (400, 400), "image/png", (320, 320)),
        ("bits.png", "PNG", "1", (800, 800), "image/png", (320, 320)),
    ],
)
def test_image_thumbnails(tmp_path, name, fmt, mode, size, content_type, expected_size):
    result = extract(image_file(tmp_path, name, fmt, mode, size), content_type)
    assert (result.text, result.note) == ("", None)
    assert open_png(result.thumbnail_png).size == expected_size


def test_exif_rotation_is_applied(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # camera held upright: stored landscape, shown portrait
    path = image_file(tmp_path, "phone.jpg", "JPEG", "RGB", (640, 320), exif=exif)
    assert open_png(extract(path, "image/jpeg").thumbnail_png).size == (160, 320)


def test_kinds_without_text_get_a_card(tmp_path):
    svg = write(tmp_path, "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')
    video = write(tmp_path, "demo.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(100))
    legacy = write(tmp_path, "old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    blob = write(tmp_path, "blob.bin", bytes(range(256)))
    cases = [
        (svg, "image/svg+xml", None),
        (video, "video/mp4", "No text to extract from video."),
        (legacy, "application/msword", extractors.LEGACY_OFFICE),
        (blob, "application/octet-stream", None),
    ]
    for path, content_type, note in cases:
        result = extract(path, content_type)
        assert (result.text, result.note) == ("", note), content_type
        assert open_png(result.thumbnail_png).size == CARD_SIZE


# --- Hostile files -------------------------------------------------------------------------


def build_loop_pdf() -> bytes:
    """A PDF whose /Pages node lists itself among its kids."""
    stream = b"BT /F1 24 Tf 72 700 Td (Hello loop) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def build_text_pdf(pages: int) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 10, f"Page {number} pricing overview. " * 20)
    return bytes(pdf.output())


def test_looping_page_tree_returns_what_it_can(tmp_path):
    started = time.monotonic()
    result = extract(write(tmp_path, "loop.pdf", build_loop_pdf()), "application/pdf")
    assert time.monotonic() - started < 20
    assert "Hello loop" in result.text
    assert result.note == "Part of the file could not be read: it may be damaged."


def test_truncated_pdf(tmp_path):
    data = build_text_pdf(3)
    assert (
        "Page 3 pricing overview"
        in extract(write(tmp_path, "whole.pdf", data), "application/pdf").text
    )
    mostly = extract(write(tmp_path, "mostly.pdf", data[: len(data) * 7 // 10]), "application/pdf")
    assert "Page 1 pricing overview" in mostly.text
    assert mostly.note == "Part of the file could not be read: it may be damaged."
    stub = extract(write(tmp_path, "stub.pdf", data[: len(data) // 5]), "application/pdf")
    assert (stub.text, stub.note) == ("", "The file could not be read: it may be damaged.")


def test_zip_bomb_disguised_as_docx_is_not_unpacked(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX}.main+xml"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
        chunk = bytes(1024 * 1024)
        with zf.open("word/media/zeros.bin", "w") as fh:
            for _ in range(400):
                fh.write(chunk)
    assert path.stat().st_size < 2 * 1024 * 1024
    assert sniff(str(path), "bomb.docx").kind == "document"
    started = time.monotonic()
    result = extract(str(path), DOCX)
    assert time.monotonic() - started < 10
    assert result.text == ""
    assert result.note == "The file expands to 400 MB when unpacked, so it was not read."


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header claims other dimensions (CRC fixed up)."""
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, format="PNG")
    png = bytearray(buffer.getvalue())
    struct.pack_into(">II", png, 16, width, height)
    struct.pack_into(">I", png, 29, zlib.crc32(bytes(png[12:29])))
    return bytes(png)


def test_image_decompression_bombs_get_a_note_not_a_crash(tmp_path):
    huge = extract(write(tmp_path, "huge.png", png_claiming(100_000, 100_000)), "image/png")
    assert huge.note == "The image is too large to preview."
    assert open_png(huge.thumbnail_png).size == CARD_SIZE
    # Below Pillow's own bomb limit but above ours.
    big = extract(write(tmp_path, "big.png", png_claiming(8000, 8000)), "image/png")
    assert big.note == "The image is too large to preview (8,000 × 8,000 pixels)."


def test_malformed_files_give_notes_not_exceptions(tmp_path):
    bad_xlsx = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(bad_xlsx, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/xl/workbook.xml" ContentType="{XLSX}.main+xml"/></Types>',
        )
        zf.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="x"')
    noise = write(tmp_path, "noise.bin", random.Random(3).randbytes(5000))
    damaged = "The file could not be read: it may be damaged."
    cases = [
        (str(bad_xlsx), XLSX, damaged),
        (noise, "application/pdf", damaged),
        (noise, PPTX, "The file could not be read: it is not a valid Office file."),
        (noise, "image/png", "The image could not be read: it may be damaged."),
        (write(tmp_path, "empty.pdf", b""), "application/pdf", damaged),
        (str(tmp_path / "missing.pdf"), "application/pdf", damaged),
    ]
    for path, content_type, note in cases:
        result = extract(path, content_type)
        assert (result.text, result.note) == ("", note), (path, content_type)


def test_files_over_max_bytes_are_not_parsed(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (3 * 1024 * 1024))
    result = extract(str(path), "text/plain", max_bytes=1024 * 1024)
    assert result == Extraction("", None, "The file is too large for text extraction (3 MB).", None)
    # A video is never parsed, so its size does not matter.
    video = write(tmp_path, "big.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(2 * 1024 * 1024))
    assert extract(video, "video/mp4", max_bytes=1024).note == "No text to extract from video."


def test_timeout_kills_the_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCKSTEP_EXTRACT_TEST_SLEEP", "30")
    path = write(tmp_path, "slow.txt", b"hello")
    started = time.monotonic()
    result = extract(path, "text/plain", timeout=0.5)
    assert time.monotonic() - started < 5
    assert result == Extraction("", None, TIMEOUT_NOTE, None)


def test_memory_limit_gives_a_note(tmp_path):
    path = write(tmp_path, "deck.pdf", build_text_pdf(1))
    result = extract(path, "application/pdf", memory_limit=40 * 1024 * 1024)
    assert result.text == ""
    assert result.note in (extractors.TOO_MUCH_MEMORY, extractors.DAMAGED)


def test_independent_of_cwd_and_unicode_paths(tmp_path, monkeypatch):
    folder = tmp_path / ("é" * 100 + " 📈")
    folder.mkdir()
    (folder / "notes.txt").write_text("Quarterly numbers")
    monkeypatch.chdir(folder)
    assert extract("notes.txt", "text/plain").text == "Quarterly numbers"


def test_worker_does_not_import_the_app(tmp_path):
    path = write(tmp_path, "notes.txt", b"hello")
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['worker', {path!r}, 'text/plain', {str(tmp_path / 't.png')!r},"
        " '1000', str(2**30), '10']\n"
        "try:\n"
        f"    runpy.run_path({str(WORKER)!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('app', 'flask'))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, check=True, timeout=30
    )
    assert json.loads(completed.stdout)["text"] == "hello"
    assert completed.stderr.decode().strip().endswith("[]")

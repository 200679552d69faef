"""File-type sniffing: the bytes decide, the name is checked against them."""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import corpus
import pytest
from PIL import Image

from app.library.filetypes import KINDS, ContentMismatch, EmptyFile, FileType, is_safe_inline, sniff

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


CORPUS_FILES = list(corpus.files({".pdf", ".docx", ".pptx", ".pptm", ".xlsx"}).values())
EXPECTED_KIND = {".pdf": "pdf", ".docx": "document", ".pptx": "slides", ".pptm": "slides"}
EXPECTED_KIND[".xlsx"] = "spreadsheet"


def write(tmp_path: Path, data: bytes) -> str:
    # Stored uploads have a meaningless name on disk; only sniff()'s filename argument counts.
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    return str(path)


def image_bytes(fmt: str, mode: str = "RGB", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    return buffer.getvalue()


def ooxml(main_content_type: str, main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{main_content_type}"/></Types>',
        )
        zf.writestr(main_part, "<x/>")
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
RANDOM = random.Random(7).randbytes(4096)
ELF_BYTES = b"\x7fELF\x02\x01\x01" + bytes(57) + b"\x00" * 200


def pe_bytes() -> bytes:
    header = bytearray(b"MZ" + bytes(0x3A) + struct.pack("<I", 0x80) + bytes(0x40))
    return bytes(header) + b"PE\0\0" + bytes(200)


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_files_get_their_kind(path: Path):
    detected = sniff(str(path), path.name)
    assert detected.kind == EXPECTED_KIND[path.suffix]


def test_corpus_oddities_get_exact_mime_types():
    pptx_dir = corpus.path("office/pptx/act-props.pptm").parent
    pptm = sniff(str(pptx_dir / "act-props.pptm"), "act-props.pptm")
    assert pptm == FileType("application/vnd.ms-powerpoint.presentation.macroEnabled.12", "slides")
    xlsx = sniff(str(pptx_dir / "shp-embedded-xlsx.xlsx"), "x.xlsx")
    assert xlsx == FileType(XLSX, "spreadsheet")
    docx = sniff(str(pptx_dir / "shp-embedded-docx.docx"), "x.docx")
    assert docx == FileType(DOCX, "document")
    # filetype alone calls this one a plain zip; the sniffer must still see a Word file.
    docx = corpus.path("office/docx/doc-coreprops.docx")
    assert sniff(str(docx), "Proposal.DOCX") == FileType(DOCX, "document")


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.png", image_bytes("PNG"), FileType("image/png", "image")),
        ("photo.jpg", image_bytes("JPEG"), FileType("image/jpeg", "image")),
        ("photo.gif", image_bytes("GIF", "P"), FileType("image/gif", "image")),
        ("photo.webp", image_bytes("WEBP"), FileType("image/webp", "image")),
        ("photo.jpg", image_bytes("PNG"), FileType("image/png", "image")),
        ("scan", image_bytes("PNG"), FileType("image/png", "image")),
        ("deck.pdf", PDF_BYTES, FileType("application/pdf", "pdf")),
        ("deck.pdf", b"\r\n" + PDF_BYTES, FileType("application/pdf", "pdf")),
        (
            "demo.mp4",
            b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64),
            FileType("video/mp4", "video"),
        ),
        (
            "demo.mov",
            b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + bytes(64),
            FileType("video/quicktime", "video"),
        ),
        (
            "demo.webm",
            bytes.fromhex("1A45DFA39F4286810142F7810142F2810442F381084282847765626D42878104")
            + bytes(64),
            FileType("video/webm", "video"),
        ),
        ("old.doc", OLE2, FileType("application/msword", "document")),
        ("old.ppt", OLE2, FileType("application/vnd.ms-powerpoint", "slides")),
        ("old.xls", OLE2, FileType("application/vnd.ms-excel", "spreadsheet")),
    ],
)
def test_binary_signatures(tmp_path, name, data, expected):
    assert sniff(write(tmp_path, data), name) == expected


@pytest.mark.parametrize(
    ("main_content_type", "part", "expected"),
    [
        (DOCX + ".main+xml", "word/document.xml", FileType(DOCX, "document")),
        (
            "application/vnd.ms-word.document.macroEnabled.main+xml",
            "word/document.xml",
            FileType("application/vnd.ms-word.document.macroEnabled.12", "document"),
        ),
        (PPTX + ".main+xml", "ppt/presentation.xml", FileType(PPTX, "slides")),
        (
            "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
            "ppt/presentation.xml",
            FileType(
                "application/vnd.openxmlformats-officedocument.presentationml.template", "slides"
            ),
        ),
        (
            "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            "xl/workbook.xml",
            FileType("application/vnd.ms-excel.sheet.macroEnabled.12", "spreadsheet"),
        ),
    ],
)
def test_ooxml_flavours_come_from_the_declared_main_part(
    tmp_path, main_content_type, part, expected
):
    assert sniff(write(tmp_path, ooxml(main_content_type, part)), "file") == expected


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("notes.md", b"# Pitch\n\nHello", FileType("text/markdown", "markdown")),
        ("notes.markdown", b"# Pitch", FileType("text/markdown", "markdown")),
        ("page.html", b"<!doctype html><p>Hi</p>", FileType("text/html", "html")),
        ("page.htm", b"<html><p>Hi</p></html>", FileType("text/html", "html")),
        ("logo.svg", b'<?xml version="1.0"?><svg xmlns="x"/>', FileType("image/svg+xml", "image")),
        ("prices.csv", b"sku,price\nA,1\n", FileType("text/csv", "spreadsheet")),
        ("notes.txt", "caf\u00e9 na\u00efve".encode(), FileType("text/plain", "text")),
        ("page.txt", b"<!DOCTYPE html><script>x()</script>", FileType("text/plain", "text")),
        ("README", b"plain words", FileType("text/plain", "text")),
        ("data.json", b'{"a": 1}', FileType("text/plain", "text")),
        ("bom.txt", b"\xef\xbb\xbfhello", FileType("text/plain", "text")),
        ("utf16.txt", "hello".encode("utf-16"), FileType("text/plain", "text")),
        ("latin1.txt", "caf\u00e9 cr\u00e8me".encode("latin-1"), FileType("text/plain", "text")),
        ("mz.txt", b"MZ Sales territory notes\n", FileType("text/plain", "text")),
    ],
)
def test_text_like_files_are_typed_by_extension(tmp_path, name, data, expected):
    assert sniff(write(tmp_path, data), name) == expected


def test_a_utf8_character_split_at_the_64k_boundary_is_still_text(tmp_path):
    data = b"a" * (64 * 1024 - 1) + "\u00e9".encode() + b"tail"
    assert sniff(write(tmp_path, data), "long.txt") == FileType("text/plain", "text")


def test_empty_file(tmp_path):
    with pytest.raises(EmptyFile, match="The file is empty."):
        sniff(write(tmp_path, b""), "report.pdf")
    assert issubclass(EmptyFile, ContentMismatch)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", image_bytes("PNG"), "named report.pdf but its contents are a PNG image."),
        ("proposal.docx", PDF_BYTES, "named proposal.docx but its contents are a PDF document."),
        ("logo.png", PDF_BYTES, "named logo.png but its contents are a PDF document."),
        ("report.pdf", ELF_BYTES, "report.pdf but its contents are a program (executable file)."),
        ("notes", ELF_BYTES, "its contents are a program"),
        ("invoice.txt", pe_bytes(), "its contents are a program"),
        ("deck.pptx", RANDOM, "deck.pptx but its contents are not a PowerPoint presentation."),
        ("deck.pptx", ooxml(DOCX + ".main+xml", "word/document.xml"), "are a Word document."),
        ("deck.docx", b"PK\x05\x06" + bytes(18), "deck.docx but its contents are a ZIP archive."),
        ("old.docx", OLE2, "old.docx but its contents are a legacy or password-protected Office"),
        ("report.pdf", b"just some words", "report.pdf but its contents are plain text."),
        ("logo.svg", b"no markup here", "logo.svg but its contents are plain text."),
        ("photo.jpg", b"\x00\x01garbage\x00" * 50, "photo.jpg but its contents are not an image."),
        ("clip.mp4", image_bytes("PNG"), "clip.mp4 but its contents are a PNG image."),
    ],
)
def test_contradictions_are_refused_with_a_readable_message(tmp_path, name, data, message):
    with pytest.raises(ContentMismatch) as excinfo:
        sniff(write(tmp_path, data), name)
    assert message in str(excinfo.value)


def test_unknown_binary_without_a_claim_is_octet_stream(tmp_path):
    data = b"\x00\x01\x02\x03binary\x00" * 100
    octet_stream = FileType("application/octet-stream", "other")
    assert sniff(write(tmp_path, data), "blob.dat") == octet_stream
    assert sniff(write(tmp_path, data), "") == octet_stream
    assert sniff(write(tmp_path, RANDOM), "blob") == octet_stream


def test_a_plain_zip_is_other(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.txt", "hi")
    detected = sniff(write(tmp_path, buffer.getvalue()), "bundle.zip")
    assert detected == FileType("application/zip", "other")


def test_a_very_long_unicode_name_is_shortened_in_the_message(tmp_path):
    name = "\u00e9\u6f22" * 148 + ".pdf"
    assert len(name) == 300
    with pytest.raises(ContentMismatch) as excinfo:
        sniff(write(tmp_path, image_bytes("PNG")), name)
    message = str(excinfo.value)
    assert len(message) < 200
    assert ".pdf but its contents are a PNG image." in message
    # The real file on disk may have any name; a long unicode one works too.
    long_path = tmp_path / ("\u00e9" * 120 + ".pdf")
    long_path.write_bytes(PDF_BYTES)
    assert sniff(str(long_path), name).kind == "pdf"


def test_windows_style_paths_use_only_the_base_name(tmp_path):
    detected = sniff(write(tmp_path, b"# hi"), "C:\\fakepath\\notes.md")
    assert detected == FileType("text/markdown", "markdown")


def test_only_the_start_of_a_large_file_is_read(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with open(path, "wb") as fh:
        fh.write(b"hello world\n" * 10_000)
        fh.truncate(512 * 1024 * 1024)  # sparse: 512 MiB on paper, nothing on disk
    reads = []
    real_open = open

    def counting_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        original_read = handle.read

        def read(size=-1):
            data = original_read(size)
            reads.append(len(data))
            return data

        handle.read = read
        return handle

    monkeypatch.setattr("builtins.open", counting_open)
    detected = sniff(str(path), "big.txt")
    monkeypatch.undo()
    assert detected == FileType("text/plain", "text")
    assert sum(reads) <= 64 * 1024


def test_kinds_and_safe_inline_types():
    assert KINDS == (
        "pdf", "slides", "document", "spreadsheet", "image",
        "video", "markdown", "html", "text", "other",
    )  # fmt: skip
    for safe in ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
                 "video/mp4", "video/webm", "text/plain", "text/plain; charset=utf-8"):  # fmt: skip
        assert is_safe_inline(safe), safe
    for unsafe in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/markdown",
                   "application/octet-stream", DOCX, "", None, "video/quicktime"):  # fmt: skip
        assert not is_safe_inline(unsafe), unsafe

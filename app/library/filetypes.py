"""Decide what an uploaded file really is from its bytes, and reconcile that with its name.

The browser-supplied MIME type and the file name are both user-controlled, so the bytes win;
the name only picks between formats the bytes cannot tell apart (Markdown vs. plain text, legacy
Office flavours) and is otherwise checked for contradictions so users get a clear error instead
of a library that silently mislabels their file.
"""

from __future__ import annotations

import codecs
import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

import filetype

from app.library.taxonomy import KINDS  # noqa: F401 - re-exported for callers and tests

HEAD_BYTES = 64 * 1024
# A central directory larger than this is not an Office file; zipfile would read it all into memory.
_MAX_CENTRAL_DIRECTORY = 8 * 1024 * 1024
_MAX_CONTENT_TYPES_XML = 512 * 1024
# Everything a hostile zip can make zipfile raise: encrypted entries (RuntimeError), exotic
# compression (NotImplementedError), corrupt deflate streams (zlib.error).
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    OSError,
    ValueError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
)

OCTET_STREAM = "application/octet-stream"
_OLE2 = "application/x-ole-storage"
# filetype's own OOXML guesses are unreliable (many real files come back as plain zip), so only
# these zip-based formats are taken from it.
_OTHER_ZIP_FORMATS = frozenset(
    {
        "application/epub+zip",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACH_O_MAGIC = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

_SAFE_INLINE = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/webm",
        "text/plain",
    }
)

_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The main part's content type in [Content_Types].xml names the exact OOXML flavour.
_OOXML_MAIN = {
    _DOCX + ".main+xml": (_DOCX, "document"),
    "application/vnd.ms-word.document.macroEnabled.main+xml": (
        "application/vnd.ms-word.document.macroEnabled.12",
        "document",
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
        "document",
    ),
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": (
        "application/vnd.ms-word.template.macroEnabled.12",
        "document",
    ),
    _PPTX + ".main+xml": (_PPTX, "slides"),
    "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml": (
        "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
        "slides",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.template",
        "slides",
    ),
    "application/vnd.ms-powerpoint.template.macroEnabled.main+xml": (
        "application/vnd.ms-powerpoint.template.macroEnabled.12",
        "slides",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.slideshow.main+xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
        "slides",
    ),
    "application/vnd.ms-powerpoint.slideshow.macroEnabled.main+xml": (
        "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
        "slides",
    ),
    _XLSX + ".main+xml": (_XLSX, "spreadsheet"),
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": (
        "application/vnd.ms-excel.sheet.macroEnabled.12",
        "spreadsheet",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
        "spreadsheet",
    ),
    "application/vnd.ms-excel.template.macroEnabled.main+xml": (
        "application/vnd.ms-excel.template.macroEnabled.12",
        "spreadsheet",
    ),
}

_OLE2_BY_EXT = {
    ".doc": ("application/msword", "document"),
    ".dot": ("application/msword", "document"),
    ".ppt": ("application/vnd.ms-powerpoint", "slides"),
    ".pps": ("application/vnd.ms-powerpoint", "slides"),
    ".pot": ("application/vnd.ms-powerpoint", "slides"),
    ".xls": ("application/vnd.ms-excel", "spreadsheet"),
    ".xlt": ("application/vnd.ms-excel", "spreadsheet"),
}

_WORD, _POWERPOINT, _EXCEL = "a Word document", "a PowerPoint presentation", "an Excel spreadsheet"

# What each extension promises: the kind the bytes must turn out to be, and how to say it.
_EXPECTED: dict[str, tuple[str, str]] = {
    ".pdf": ("pdf", "a PDF document"),
    **dict.fromkeys((".docx", ".docm", ".dotx", ".dotm", ".doc", ".dot"), ("document", _WORD)),
    **dict.fromkeys(
        (".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm", ".ppt", ".pps", ".pot"),
        ("slides", _POWERPOINT),
    ),
    **dict.fromkeys(
        (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlt", ".csv", ".tsv"),
        ("spreadsheet", _EXCEL),
    ),
    **dict.fromkeys(
        (".png", ".jpg", ".jpeg", ".jpe", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff"),
        ("image", "an image"),
    ),
    **dict.fromkeys((".mp4", ".m4v", ".webm", ".mov", ".avi", ".mkv"), ("video", "a video")),
    **dict.fromkeys((".md", ".markdown"), ("markdown", "a Markdown text file")),
    **dict.fromkeys((".html", ".htm"), ("html", "a web page")),
    ".txt": ("text", "a text file"),
}

_TEXT_BY_EXT = {
    ".md": ("text/markdown", "markdown"),
    ".markdown": ("text/markdown", "markdown"),
    ".html": ("text/html", "html"),
    ".htm": ("text/html", "html"),
    ".csv": ("text/csv", "spreadsheet"),
    ".tsv": ("text/tab-separated-values", "spreadsheet"),
}

_DESCRIPTIONS = {
    "application/pdf": "a PDF document",
    "image/png": "a PNG image",
    "image/jpeg": "a JPEG image",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/svg+xml": "an SVG image",
    "application/zip": "a ZIP archive",
    "text/plain": "plain text",
    "text/html": "a web page",
    "text/markdown": "Markdown text",
    "text/csv": "CSV text",
}
_KIND_DESCRIPTIONS = {
    "document": _WORD,
    "slides": _POWERPOINT,
    "spreadsheet": _EXCEL,
    "image": "an image",
    "video": "a video",
}


@dataclass(frozen=True)
class FileType:
    content_type: str
    kind: str


class ContentMismatch(ValueError):
    """The file's bytes contradict its name; the message is meant for the uploader."""


class EmptyFile(ContentMismatch):
    def __init__(self) -> None:
        super().__init__("The file is empty.")


def is_safe_inline(content_type: str | None) -> bool:
    """Whether browsers may render this type inline; HTML and SVG can run script, so never."""
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() in _SAFE_INLINE


def sniff(path: str, filename: str) -> FileType:
    """Return the file's real type, or raise ContentMismatch if its name claims otherwise."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise EmptyFile()
    ext = _extension(filename)
    if _is_executable(head):
        raise ContentMismatch(_mismatch(filename, "a program (executable file)"))
    detected = _detect_binary(path, head, ext)
    if detected is None:
        if not _looks_like_text(head):
            return _unknown_binary(filename, ext)
        detected = _text_type(head, ext)
    _check_extension(filename, ext, detected)
    return detected


def _extension(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    return os.path.splitext(base)[1].lower()


def _display_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()) or "this file"
    if len(base) <= 80:
        return base
    # Keep the extension visible: it is what the message is about.
    stem, ext = os.path.splitext(base)
    return stem[: 77 - len(ext[:12])] + "…" + ext[:12]


def _mismatch(filename: str, contents: str) -> str:
    return f"The file is named {_display_name(filename)} but its contents are {contents}."


def _is_executable(head: bytes) -> bool:
    if head.startswith(b"\x7fELF"):
        return True
    if head[:4] in _MACH_O_MAGIC:
        return True
    if not head.startswith(b"MZ"):
        return False
    # "MZ" alone is also how some text files start; a PE header or binary bytes confirm it.
    if len(head) >= 64:
        (pe_offset,) = struct.unpack_from("<I", head, 0x3C)
        if head[pe_offset : pe_offset + 4] == b"PE\0\0":
            return True
    return b"\0" in head


def _detect_binary(path: str, head: bytes, ext: str) -> FileType | None:
    if head.lstrip(b" \t\r\n\f\0")[:5] == b"%PDF-":
        return FileType("application/pdf", "pdf")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _inspect_zip(path, head)
    if head.startswith(_OLE2_MAGIC):
        return FileType(*_OLE2_BY_EXT.get(ext, (_OLE2, "other")))
    guess = filetype.guess(head)
    # filetype calls anything starting "MZ" a Windows program; _is_executable already checked.
    if guess is None or guess.mime == "application/x-msdownload":
        return None
    mime = guess.mime
    if mime.startswith("image/"):
        return FileType(mime, "image")
    if mime.startswith("video/"):
        return FileType(mime, "video")
    return FileType(mime, "other")


def _inspect_zip(path: str, head: bytes) -> FileType:
    """Tell OOXML from other zips by the parts it declares, without unpacking any content."""
    generic = filetype.guess(head)
    keep_generic = generic is not None and generic.mime in _OTHER_ZIP_FORMATS
    fallback = FileType(generic.mime if keep_generic else "application/zip", "other")
    if not _central_directory_is_small(path):
        return fallback
    try:
        with zipfile.ZipFile(path) as zf:
            with zf.open("[Content_Types].xml") as fh:
                content_types = fh.read(_MAX_CONTENT_TYPES_XML).decode("utf-8", "replace")
    except _ZIP_ERRORS:
        return fallback
    for declared in re.findall(r'ContentType\s*=\s*"([^"]+\.main\+xml)"', content_types):
        found = _OOXML_MAIN.get(declared.strip())
        if found:
            return FileType(*found)
    return fallback


def _central_directory_is_small(path: str) -> bool:
    """Read the zip's end record ourselves so a hostile central directory is never loaded."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        tail_len = min(size, 22 + 65535 + 20 + 56)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or len(tail) < end + 22:
        return False
    cd_size = struct.unpack_from("<I", tail, end + 12)[0]
    if cd_size == 0xFFFFFFFF:
        locator = end - 20
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            return False
        # The zip64 end record sits right before its locator in every sane file.
        record = locator - 56
        if record < 0 or tail[record : record + 4] != b"PK\x06\x06":
            return False
        cd_size = struct.unpack_from("<Q", tail, record + 40)[0]
    return cd_size <= _MAX_CENTRAL_DIRECTORY


def _looks_like_text(head: bytes) -> bool:
    if head.startswith(_UTF16_BOMS):
        return True
    if b"\0" in head:
        return False
    try:
        # Not final: the 64 KiB cut may split a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        pass
    # Legacy 8-bit encodings are text too, but control characters mean binary.
    controls = sum(1 for b in head if b < 0x20 and b not in b"\t\n\r\f\b\x1b")
    return controls <= len(head) // 100


def _text_type(head: bytes, ext: str) -> FileType:
    if ext == ".svg":
        if b"<svg" in head.lower():
            return FileType("image/svg+xml", "image")
        return FileType("text/plain", "text")
    return FileType(*_TEXT_BY_EXT.get(ext, ("text/plain", "text")))


def _unknown_binary(filename: str, ext: str) -> FileType:
    expected = _EXPECTED.get(ext)
    if expected is not None:
        raise ContentMismatch(
            f"The file is named {_display_name(filename)} but its contents are not {expected[1]}."
        )
    return FileType(OCTET_STREAM, "other")


def _check_extension(filename: str, ext: str, detected: FileType) -> None:
    expected = _EXPECTED.get(ext)
    if expected is None or expected[0] == detected.kind:
        return
    raise ContentMismatch(_mismatch(filename, _describe(detected)))


def _describe(detected: FileType) -> str:
    if detected.content_type in _DESCRIPTIONS:
        return _DESCRIPTIONS[detected.content_type]
    if detected.content_type == _OLE2:
        # Encrypted .docx/.xlsx/.pptx are stored in this container too.
        return "a legacy or password-protected Office file"
    fallback = f"a different kind of file ({detected.content_type})"
    return _KIND_DESCRIPTIONS.get(detected.kind, fallback)

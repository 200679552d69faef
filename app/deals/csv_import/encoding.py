"""Which text encoding and delimiter a CSV file uses, and its header row.

Encodings: UTF-8 with or without a byte order mark, UTF-16 (Excel's "Unicode text"), and
Windows-1252 when the bytes are not UTF-8 (Excel on Windows in western Europe: '€' is 0x80).
The whole file is decoded once here, so `read` meets no undecodable byte later; what is not
text (a workbook, a PDF, random bytes, a mix of encodings) is refused with what it looks like.
Lone surrogates are let through the decoder and rejected per row (as any control character).
"""

from __future__ import annotations

import codecs
import csv
import re
from typing import TextIO

from app.deals.csv_import.model import ImportFileError

SAMPLE = 64 * 1024
CHUNK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 500
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF-", "a PDF document"), (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
)
_MARKUP = (b"<!doctype html", b"<html", b"<?xml", b"<table")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ERRORS = {"utf-8": "surrogatepass", "utf-8-sig": "surrogatepass", "utf-16": "surrogatepass",
           "utf-16-le": "surrogatepass", "utf-16-be": "surrogatepass"}


def detect_encoding(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
    _refuse_non_text(head)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig" if _utf8_problem(path) is None else _mixed(path)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = _check_decodes(path, "utf-16")
    elif utf16 := _bomless_utf16(head):
        encoding = _check_decodes(path, utf16)
    else:
        _refuse_binary(head.count(0), len(head), "NUL bytes")
        encoding = "utf-8" if _utf8_problem(path) is None else _utf8_or_cp1252(path)
    sample = head.decode(encoding, errors="ignore")
    _refuse_binary(len(_CONTROLS.findall(sample)), len(sample), "control characters")
    return encoding


def open_text(path: str, encoding: str) -> TextIO:
    # newline="": the csv module sees line breaks inside quoted fields as written.
    return open(path, encoding=encoding, errors=_ERRORS.get(encoding, "strict"), newline="")


def _refuse_non_text(head: bytes) -> None:
    if not head or head in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise ImportFileError("the file is empty")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ImportFileError(f"the file is {what}, not CSV; export or save it as CSV")
    start = head.lstrip(codecs.BOM_UTF8).lstrip()[:20].lower()
    if start.startswith(_MARKUP):
        raise ImportFileError("the file is an HTML or XML document (a 'printable view' or a "
                              "web page), not CSV; export it as CSV")


def _refuse_binary(count: int, size: int, what: str) -> None:
    # A stray one in a text file rejects its row later; many mean the file is not text.
    if count > max(4, size // 1000):
        raise ImportFileError(f"the file holds binary data ({what}), not CSV text")


def _bomless_utf16(head: bytes) -> str | None:
    even, odd = head[0:2000:2], head[1:2000:2]
    if len(odd) < 8:
        return None
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _utf8_problem(path: str) -> tuple[int, bool] | None:
    """None if the file is UTF-8; else (offset of the first bad byte, whether UTF-8 text with
    non-ASCII characters came before it)."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
    offset, seen = 0, False
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = max(exc.start - pending, 0)
                return offset + bad, seen or not chunk[:bad].isascii()
            seen = seen or not chunk.isascii()
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset - 1, seen
    return None


def _mixed(path: str) -> str:
    offset, _ = _utf8_problem(path)
    raise ImportFileError(f"the file starts as UTF-8 but byte {_byte_at(path, offset)} at "
                          f"offset {offset} is not UTF-8; save it again as CSV UTF-8")


def _utf8_or_cp1252(path: str) -> str:
    offset, seen = _utf8_problem(path)
    if seen:
        raise ImportFileError(
            f"the file mixes encodings: it is UTF-8 up to offset {offset}, where byte "
            f"{_byte_at(path, offset)} is not; save it again as CSV UTF-8")
    return _check_decodes(path, "cp1252")


def _check_decodes(path: str, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(_ERRORS.get(encoding, "strict"))
    offset = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                at = offset + exc.start
                raise ImportFileError(_undecodable(encoding, _byte_at(path, at), at)) from None
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise ImportFileError(f"the file ends in the middle of a {encoding} character; "
                              "save it again as CSV UTF-8") from None
    return encoding


def _undecodable(encoding: str, byte: str, offset: int) -> str:
    if encoding == "cp1252":
        return (f"the file is neither UTF-8 nor Windows-1252 text (byte {byte} at offset "
                f"{offset}); save it as CSV UTF-8")
    return f"the file is not valid {encoding} text at offset {offset}; save it as CSV UTF-8"


def _byte_at(path: str, offset: int) -> str:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return f"0x{handle.read(1).hex().upper() or '??'}"


def clean_headers(row: list[str]) -> list[str]:
    headers = [h.strip() for h in row]
    if headers:
        # A BOM left by a double save, or one that a Windows-1252 re-save turned into text.
        headers[0] = headers[0].lstrip("\ufeff").removeprefix("ï»¿").strip()
    return headers


def header_candidates(path: str, encoding: str) -> list[tuple[str, list[str]]]:
    """(delimiter, headers) for each delimiter that splits the first record into columns."""
    found, problem = [], None
    for delimiter in DELIMITERS:
        with open_text(path, encoding) as handle:
            try:
                row = next(csv.reader(handle, delimiter=delimiter, strict=True), None)
            except csv.Error as exc:
                problem = problem or exc
                continue
        headers = clean_headers(row or [])
        if len(headers) > MAX_COLUMNS:
            raise ImportFileError(f"the header row has more than {MAX_COLUMNS} columns; "
                                  "this is not a deals export")
        if len(headers) > 1:
            found.append((delimiter, headers))
        elif not any(headers):
            raise ImportFileError("the first line is blank; the header row must come first")
    if not found:
        detail = f" ({problem})" if problem else ""
        raise ImportFileError("the first line has no ',', ';', tab or '|' between columns"
                              f"{detail}: this is not a CSV export")
    return found

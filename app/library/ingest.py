"""Turn an uploaded stream into stored blobs plus what we learnt from its bytes.

Order matters for consistency: blobs are written here, before any row that references them is
committed. A failed commit leaves at most an unreferenced blob, which `flask storage gc` removes.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from dataclasses import dataclass, replace
from typing import BinaryIO

from app.core.errors import PayloadTooLarge, ValidationFailed
from app.library import office_pdf
from app.library.extraction import Extraction, extract
from app.library.filenames import clean_filename
from app.library.filetypes import ContentMismatch, FileType, sniff
from app.storage import Storage, StoredBlob
from app.storage.base import iter_chunks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int
    extract_timeout: float
    extract_max_bytes: int
    tmp_dir: str
    # LibreOffice for real previews of Office files; None keeps their text cards.
    soffice: str | None = None
    office_timeout: float = 60.0


@dataclass(frozen=True)
class IngestedFile:
    blob: StoredBlob
    filetype: FileType
    filename: str
    extraction: Extraction
    thumbnail_key: str | None
    # The PDF LibreOffice laid an Office file out as: what its previews show.
    preview_pdf_key: str | None = None


def ingest(stream: BinaryIO, raw_filename: str | None, storage: Storage, limits: IngestLimits):
    filename = clean_filename(raw_filename)
    os.makedirs(limits.tmp_dir, exist_ok=True)
    # A named local copy: the type sniffer and the extraction worker need a path.
    with tempfile.NamedTemporaryFile(dir=limits.tmp_dir, prefix="upload-") as spool:
        _spool(stream, spool, limits.max_bytes)
        try:
            filetype = sniff(spool.name, filename)
        except ContentMismatch as exc:
            raise ValidationFailed(str(exc), {"file": "content_mismatch"}) from exc
        extraction = extract(
            spool.name,
            filetype.content_type,
            timeout=limits.extract_timeout,
            max_bytes=limits.extract_max_bytes,
        )
        extraction, preview_pdf_key = _office_preview(spool.name, filetype, extraction,
                                                      storage, limits)
        spool.seek(0)
        blob = storage.save(spool, max_bytes=limits.max_bytes)
    thumbnail_key = None
    if extraction.thumbnail_png:
        thumbnail_key = storage.save(io.BytesIO(extraction.thumbnail_png)).key
    return IngestedFile(blob, filetype, filename, extraction, thumbnail_key, preview_pdf_key)


def _office_preview(path: str, filetype: FileType, extraction: Extraction, storage: Storage,
                    limits: IngestLimits) -> tuple[Extraction, str | None]:
    """Lay an Office file out as PDF and take its page count and first-page thumbnail from
    it; the text stays the original's. Any failure keeps the extraction as it was."""
    if not limits.soffice or not office_pdf.converts(filetype.content_type):
        return extraction, None
    try:
        pdf = office_pdf.to_pdf(path, filetype.content_type, limits.soffice, limits.tmp_dir,
                                limits.office_timeout)
    except (office_pdf.ConversionError, OSError) as exc:
        log.warning("no Office preview for %s: %s", filetype.content_type, exc)
        return extraction, None
    try:
        pages = extract(str(pdf), "application/pdf", timeout=limits.extract_timeout,
                        max_bytes=limits.extract_max_bytes)
        if not pages.thumbnail_png:
            return extraction, None
        with open(pdf, "rb") as handle:
            key = storage.save(handle).key
    finally:
        office_pdf.cleanup(pdf)
    return replace(extraction, page_count=pages.page_count,
                   thumbnail_png=pages.thumbnail_png), key


def _spool(stream: BinaryIO, spool: BinaryIO, max_bytes: int) -> None:
    size = 0
    for chunk in iter_chunks(stream):
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than the {max_bytes // (1024 * 1024)} MB upload limit.",
                {"max_bytes": max_bytes},
            )
        spool.write(chunk)
    if size == 0:
        raise ValidationFailed("The file is empty.", {"file": "empty"})
    spool.flush()

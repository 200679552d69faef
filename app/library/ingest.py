"""Turn an uploaded stream into stored blobs plus what we learnt from its bytes.

Order matters for consistency: blobs are written here, before any row that references them is
committed. A failed commit leaves at most an unreferenced blob, which `flask storage gc` removes.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from app.core.errors import PayloadTooLarge, ValidationFailed
from app.library.extraction import Extraction, extract
from app.library.filenames import clean_filename
from app.library.filetypes import ContentMismatch, FileType, sniff
from app.storage import Storage, StoredBlob
from app.storage.base import iter_chunks


@dataclass(frozen=True)
class IngestLimits:
    max_bytes: int
    extract_timeout: float
    extract_max_bytes: int
    tmp_dir: str


@dataclass(frozen=True)
class IngestedFile:
    blob: StoredBlob
    filetype: FileType
    filename: str
    extraction: Extraction
    thumbnail_key: str | None


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
        spool.seek(0)
        blob = storage.save(spool, max_bytes=limits.max_bytes)
    thumbnail_key = None
    if extraction.thumbnail_png:
        thumbnail_key = storage.save(io.BytesIO(extraction.thumbnail_png)).key
    return IngestedFile(blob, filetype, filename, extraction, thumbnail_key)


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

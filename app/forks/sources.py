"""What a fork is made from: how a source version can be tailored, its bytes, its text, and its
personalization fields (found once per version and kept in `version_fields`)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.extensions import db
from app.forks import placeholders
from app.forks.models import VersionFields
from app.library.models import AssetVersion
from app.storage.flask import get_storage

log = logging.getLogger(__name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
TEXT_KINDS = ("markdown", "html", "text")
# Text assets bigger than this are not edited in a browser text area.
MAX_TEXT_BYTES = 2 * 1024 * 1024


def method_for(version: AssetVersion) -> str | None:
    """How a version is tailored, or None when its kind cannot be."""
    if version.kind in TEXT_KINDS and version.size <= MAX_TEXT_BYTES:
        return "text"
    if version.kind == "pdf":
        return "pdf"
    return {DOCX: "docx", PPTX: "pptx"}.get(version.content_type)


def why_not_tailorable(version: AssetVersion) -> str:
    if version.kind in TEXT_KINDS:
        return "This text file is too large to edit in the browser."
    return ("Only Markdown, HTML and text files, Word (.docx) and PowerPoint (.pptx) files and "
            "PDFs can be tailored; download this one instead.")


@contextmanager
def local_copy(version: AssetVersion) -> Iterator[Path]:
    """The version's file on local disk (the Office and PDF libraries want a path)."""
    suffix = Path(version.filename).suffix[:10]
    with tempfile.TemporaryDirectory(prefix="lockstep-fork-") as folder:
        path = Path(folder) / f"source{suffix}"
        with get_storage().open(version.storage_key) as stream, open(path, "wb") as out:
            shutil.copyfileobj(stream, out)
        yield path


def source_text(version: AssetVersion) -> str:
    """The file's own text (Markdown or HTML source, not the extracted text), newlines as LF."""
    with get_storage().open(version.storage_key) as stream:
        raw = stream.read(MAX_TEXT_BYTES + 1)
    text = raw.decode("utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def fields_of(version: AssetVersion) -> VersionFields:
    """The version's fields, scanning the file the first time they are asked for."""
    found = db.session.get(VersionFields, version.id)
    if found is None:
        found = scan(version)
    return found


def scan(version: AssetVersion) -> VersionFields:
    """Find the fields of a newly stored version and carry marketing's defaults over from the
    version before it. Never raises for a bad file: its problem is recorded instead."""
    names, problems, slide_count = _find(version)
    previous = _previous_defaults(version)
    row = db.session.get(VersionFields, version.id) or VersionFields(version_id=version.id)
    row.fields = [{"name": n, "default": previous.get(n, "")} for n in names]
    row.problems, row.slide_count = problems[:50], slide_count
    db.session.add(row)
    db.session.flush()
    return row


def _find(version: AssetVersion) -> tuple[list[str], list[str], int | None]:
    method = method_for(version)
    try:
        if method == "text":
            text = source_text(version)
            return placeholders.find(text), placeholders.problems(text), None
        if method in ("docx", "pptx"):
            return _find_in_office(version, method)
    except Exception:  # a scan must never fail the upload it follows
        log.warning("could not scan version %s for fields", version.id, exc_info=True)
        return [], ["The file could not be read for personalization fields."], None
    return [], [], None


def _find_in_office(version: AssetVersion, method: str) -> tuple[list[str], list[str], int | None]:
    from app.forks import office

    try:
        with local_copy(version) as path:
            found = office.scan_docx(path) if method == "docx" else office.scan_pptx(path)
    except office.TailoringError as exc:
        return [], [str(exc)], None
    return found.fields, found.problems, found.slide_count


def _previous_defaults(version: AssetVersion) -> dict[str, str]:
    previous = db.session.scalar(
        db.select(VersionFields).join(AssetVersion, AssetVersion.id == VersionFields.version_id)
        .where(AssetVersion.asset_id == version.asset_id, AssetVersion.number < version.number)
        .order_by(AssetVersion.number.desc()).limit(1))
    return previous.defaults() if previous else {}


def scan_missing(batch: int = 100) -> int:
    """Find the fields of every version stored before forks existed; returns how many."""
    done = 0
    while True:
        versions = list(db.session.scalars(
            db.select(AssetVersion).outerjoin(VersionFields,
                                              VersionFields.version_id == AssetVersion.id)
            .where(VersionFields.version_id.is_(None))
            .order_by(AssetVersion.id).limit(batch)))
        if not versions:
            return done
        for version in versions:
            scan(version)
        db.session.commit()
        done += len(versions)

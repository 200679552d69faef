"""What each item of a link shows a prospect, and the bytes behind it.

An asset item shows its current published version, so a link keeps up with marketing's updates;
a fork item shows the fork as tailored now. PDFs (and Office files that have a PDF preview) are
drawn by pdf.js, images and video are shown as they are, Markdown and HTML are rendered and
sanitized into the page; anything else is a download where the link allows it.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from app.core.errors import NotFound, ValidationFailed
from app.extensions import db
from app.library.models import AssetVersion
from app.share.models import ShareItem

INLINE_MEDIA = {"image": "image", "video": "video"}


@dataclass(frozen=True)
class ItemView:
    item_id: int
    title: str
    show: str  # "pdf", "image", "video", "html" or "file"
    version_id: int
    page_count: int | None
    filename: str
    html: str = ""


def fork_of(item: ShareItem):
    from app.forks.models import Fork

    return db.session.get(Fork, item.fork_id) if item.fork_id else None


def version_of(item: ShareItem) -> AssetVersion:
    """The version a prospect sees: the fork's source version, or the asset's current one."""
    fork = fork_of(item)
    return fork.source_version if fork is not None else item.asset.current_version


def pages_of(item: ShareItem) -> tuple[bool, int | None]:
    """(paged, page count when known), cheaply: beacons check every page they report."""
    fork = fork_of(item)
    version = version_of(item)
    if fork is not None:
        if fork.method != "pdf":
            return False, None
        return True, version.page_count + 1 if version.page_count else None
    if version.kind in ("markdown", "html", "text"):
        return False, None
    if version.content_type == "application/pdf" or version.preview_pdf_key:
        return True, version.page_count
    return False, None


def present(item: ShareItem) -> ItemView:
    fork = fork_of(item)
    version = version_of(item)
    title = fork.title if fork is not None else item.asset.title
    base = {"item_id": item.id, "title": title, "version_id": version.id,
            "filename": version.filename}
    if fork is not None:
        return _present_fork(fork, version, base)
    if version.kind in ("markdown", "html", "text"):
        return ItemView(show="html", page_count=None, html=_text_html(version), **base)
    if version.content_type == "application/pdf" or version.preview_pdf_key:
        return ItemView(show="pdf", page_count=version.page_count, **base)
    if version.kind in INLINE_MEDIA:
        return ItemView(show=INLINE_MEDIA[version.kind], page_count=None, **base)
    return ItemView(show="file", page_count=None, **base)


def _present_fork(fork, version: AssetVersion, base: dict) -> ItemView:
    from app.forks import rendering

    if fork.method == "text":
        html = rendering.preview_html(version.kind, fork.body or "", rendering.field_values(fork))
        return ItemView(show="html", page_count=None, html=html, **base)
    if fork.method == "pdf":
        pages = version.page_count + 1 if version.page_count else None  # the cover
        return ItemView(show="pdf", page_count=pages, **base)
    return ItemView(show="file", page_count=None, **base)


def _text_html(version: AssetVersion) -> str:
    from app.forks import rendering, sources

    text = sources.source_text(version)
    return rendering.preview_html(version.kind, text, {})


@dataclass
class Blob:
    """Bytes to send: a stored blob by key, or a temporary file made for this request."""

    content_type: str
    filename: str
    key: str | None = None
    size: int | None = None
    etag: str | None = None
    stream: BinaryIO | None = None


def inline_blob(item: ShareItem, watermark: str) -> Blob:
    """The bytes the viewer page draws or plays. PDFs carry the same watermark as a download:
    pdf.js needs the whole file, so a prospect can save it even where downloads are off, and it
    must still trace back to the link."""
    fork = fork_of(item)
    version = version_of(item)
    if fork is not None:
        if fork.method != "pdf":
            raise NotFound("This item is not shown in the page.")
        return _watermarked(_rendered(fork), watermark)
    if version.preview_pdf_key and version.content_type != "application/pdf":
        return _watermarked(Blob("application/pdf", version.filename,
                                 key=version.preview_pdf_key,
                                 etag=version.preview_pdf_key.rsplit("/", 1)[-1]), watermark)
    if version.content_type == "application/pdf":
        return _watermarked(Blob(version.content_type, version.filename,
                                 key=version.storage_key, size=version.size,
                                 etag=version.sha256), watermark)
    if version.kind in INLINE_MEDIA:
        return Blob(version.content_type, version.filename, key=version.storage_key,
                    size=version.size, etag=version.sha256)
    raise NotFound("This item is not shown in the page.")


def download_blob(item: ShareItem, watermark: str) -> Blob:
    """The file a prospect downloads: the original (or the tailored fork), and for PDFs a copy
    stamped with `watermark` on every page."""
    fork = fork_of(item)
    if fork is not None:
        blob = _rendered(fork)
    else:
        version = version_of(item)
        blob = Blob(version.content_type, version.filename, key=version.storage_key,
                    size=version.size, etag=version.sha256)
    if blob.content_type != "application/pdf":
        return blob
    return _watermarked(blob, watermark)


def _rendered(fork) -> Blob:
    from app.forks import rendering

    rendered = rendering.render(fork)
    return Blob(rendered.content_type, rendered.filename, stream=rendered.stream)


def _watermarked(blob: Blob, text: str) -> Blob:
    from flask import current_app

    from app.share.watermark import WatermarkError, watermark_pdf
    from app.storage.flask import get_storage

    if blob.stream is None:
        with get_storage().open(blob.key) as stream:
            data = stream.read()
    else:
        with blob.stream:
            data = blob.stream.read()
    if _page_count(data) > current_app.config["SHARE_MAX_DOWNLOAD_PAGES"]:
        raise ValidationFailed("This document is too long to prepare for download.",
                               {"item": "too_long"})
    try:
        stamped = watermark_pdf(data, text)
    except WatermarkError as exc:
        raise ValidationFailed(f"This PDF cannot be prepared for download: {exc}",
                               {"item": "unreadable"}) from exc
    out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
    out.write(stamped)
    out.seek(0)
    return Blob("application/pdf", blob.filename, stream=out, size=len(stamped))


def _page_count(data: bytes) -> int:
    """0 for a file pypdf cannot read: the watermark step then gives the reason."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        return len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return 0

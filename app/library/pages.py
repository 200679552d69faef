"""Thumbnails of single pages of a version's preview PDF (Office files laid out by LibreOffice),
for slide pickers. Only PDFs Lockstep made itself are drawn in the app's process; uploaded PDFs
are only ever parsed in the sandboxed extraction worker."""

from __future__ import annotations

import shutil
import tempfile

from app.core.errors import NotFound
from app.library.models import AssetVersion
from app.library.thumbnails import MAX_PDF_HEIGHT, MAX_SIDE, to_png
from app.storage import Storage

MAX_PAGES = 2_000


def page_thumbnail(storage: Storage, version: AssetVersion, page: int) -> bytes:
    """PNG of one page (1-based) of the version's preview PDF."""
    import pypdfium2 as pdfium

    if not version.preview_pdf_key:
        raise NotFound("This version has no page previews.")
    if not 1 <= page <= min(version.page_count or 0, MAX_PAGES):
        raise NotFound(f"There is no page {page}.")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as local:
        with storage.open(version.preview_pdf_key) as stream:
            shutil.copyfileobj(stream, local)
        local.flush()
        document = pdfium.PdfDocument(local.name)
        try:
            if page > len(document):
                raise NotFound(f"There is no page {page}.")
            sheet = document[page - 1]
            width, height = sheet.get_size()
            scale = min(MAX_SIDE / max(width, 1), MAX_PDF_HEIGHT / max(height, 1))
            bitmap = sheet.render(scale=scale)
            image = bitmap.to_pil().convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_PDF_HEIGHT))
            return to_png(image)
        finally:
            document.close()

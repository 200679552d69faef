"""PDF text and page counts, with recovery for locked, truncated and broken files.

Runs only inside the extraction worker; see extractors.py.
"""

from __future__ import annotations

import io
import re

from .extract_output import DAMAGED, LOCKED_PDF, PAGES_FAILED, PARTLY_DAMAGED, Output


def extract_pdf(path: str, out: Output) -> None:
    reader = _open_pdf(path, out)
    if reader.is_encrypted and not _unlock(reader):
        out.locked = True
        out.page_count = _encrypted_page_count(reader)
        out.note(LOCKED_PDF)
        return
    try:
        pages = list(reader.pages)
        out.page_count = len(pages)
    except Exception:  # any page-tree error means "fall back to recovery"
        pages = _orphan_pages(reader)
        out.page_count = _linearized_page_count(path) or len(pages) or None
        out.note(PARTLY_DAMAGED if pages else DAMAGED)
    _pdf_pages_text(pages, out)


def _open_pdf(path: str, out: Output):
    from pypdf import PdfReader

    try:
        return PdfReader(path, strict=False)
    except Exception:  # most often a truncated upload: no trailer at the end
        with open(path, "rb") as fh:
            data = fh.read()
    # A stub trailer pointing nowhere makes pypdf rebuild the cross-reference table by
    # scanning, which recovers every complete object before the cut.
    reader = PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"), strict=False)
    out.note(PARTLY_DAMAGED)
    return reader


def _unlock(reader) -> bool:
    # Many "protected" PDFs only restrict printing/copying and open with an empty password.
    try:
        return bool(reader.decrypt(""))
    except Exception:  # unsupported crypto is just "still locked"
        return False


def _encrypted_page_count(reader) -> int | None:
    """/Count is a plain number, which PDF encryption leaves readable without the password."""
    reader._override_encryption = True  # pypdf's own switch for reading unencrypted structure
    try:
        count = int(reader.trailer["/Root"]["/Pages"]["/Count"])
        return count if count >= 0 else None
    except Exception:  # page count is best effort for a locked file
        return None
    finally:
        reader._override_encryption = False


def _orphan_pages(reader) -> list:
    """Find page objects directly when the page tree is broken (loops, missing /Pages)."""
    from pypdf import PageObject
    from pypdf.generic import DictionaryObject, IndirectObject

    refs = [(num, gen) for gen, table in reader.xref.items() for num in table]
    refs += [(num, 0) for num in reader.xref_objStm]
    pages = []
    for num, gen in sorted(set(refs)):
        ref = IndirectObject(num, gen, reader)
        try:
            obj = reader.get_object(ref)
        except Exception:  # noqa: S112 - unreadable objects are skipped in recovery
            continue
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/Page":
            page = PageObject(reader, ref)
            page.update(obj)
            pages.append(page)
    return pages


def _linearized_page_count(path: str) -> int | None:
    """A linearized PDF states its page count up front, which survives a damaged page tree."""
    with open(path, "rb") as fh:
        head = fh.read(2048)
    match = re.search(rb"<<[^>]*/Linearized[^>]*>>", head)
    if not match:
        return None
    count = re.search(rb"/N\s+(\d+)", match.group(0))
    return int(count.group(1)) if count else None


def _pdf_pages_text(pages: list, out: Output) -> None:
    failed = 0
    for page in pages:
        try:
            text = page.extract_text()
        except Exception:  # one bad page should not lose the others
            failed += 1
            continue
        if not out.add(text):
            break
    if failed:
        out.note(f"{failed} {PAGES_FAILED}")

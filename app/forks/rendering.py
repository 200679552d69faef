"""The tailored file of a fork, made on demand from its source version and the rep's choices.

Rendering never changes anything, so a failure only costs the request: the rep gets the reason,
and no half-made file is ever stored.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.core.errors import ValidationFailed
from app.forks import sources
from app.forks.models import Fork

CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8", ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".pdf": "application/pdf",
    ".docx": sources.DOCX, ".pptx": sources.PPTX,
}


@dataclass
class Rendered:
    stream: BinaryIO  # a temporary file, deleted when closed
    filename: str
    content_type: str


def field_values(fork: Fork) -> dict[str, str]:
    """The rep's values over marketing's defaults over what Lockstep knows of the rep (their
    name and e-mail); a field with none of these stays as written."""
    known = sources.fields_of(fork.source_version)
    about_rep = {"rep_name": fork.owner.name, "sender_name": fork.owner.name,
                 "rep_email": fork.owner.email, "sender_email": fork.owner.email}
    merged = {name: value for name, value in about_rep.items() if name in known.names}
    merged.update({name: value for name, value in known.defaults().items() if value})
    merged.update({name: value for name, value in fork.values.items() if value})
    return merged


def render(fork: Fork, text_format: str = "source") -> Rendered:
    """`text_format`: for Markdown forks, "source" (the filled Markdown) or "html" (rendered and
    sanitized). HTML forks are always sanitized, whatever the source holds."""
    if fork.method == "text":
        return _text(fork, text_format)
    suffix = {"docx": ".docx", "pptx": ".pptx", "pdf": ".pdf"}[fork.method]
    with tempfile.TemporaryDirectory(prefix="lockstep-tailored-") as folder:
        out = Path(folder) / f"tailored{suffix}"
        with sources.local_copy(fork.source_version) as source:
            _render_file(fork, source, out)
        # Opened before the folder goes: the file lives on until the response closes it.
        stream = open(out, "rb")  # noqa: SIM115
    return Rendered(stream, _filename(fork, suffix), CONTENT_TYPES[suffix])


def _render_file(fork: Fork, source: Path, out: Path) -> None:
    from app.forks import office, pdf_cover

    try:
        if fork.method == "docx":
            office.render_docx(source, field_values(fork), out)
        elif fork.method == "pptx":
            office.render_pptx(source, field_values(fork), fork.slides, out)
        else:
            pdf_cover.add_cover(source, cover_of(fork), out)
    except (office.TailoringError, pdf_cover.CoverError) as exc:
        raise ValidationFailed(str(exc), {"fork": "unrenderable"}) from exc


def cover_of(fork: Fork):
    from app.forks.pdf_cover import Cover

    cover = fork.cover or {}
    return Cover(title=fork.source_asset.title, account=fork.account,
                 contact=cover.get("contact", ""), note=cover.get("note", ""),
                 rep_name=fork.owner.name, rep_email=fork.owner.email)


def tailored_text(fork: Fork, text_format: str = "source") -> tuple[str, str]:
    """(text, suffix) of a text fork: Markdown source or sanitized HTML."""
    from app.forks import text as text_render

    kind = fork.source_version.kind
    body = fork.body or ""
    if kind == "html" or (kind == "markdown" and text_format == "html"):
        return text_render.render(kind, body, field_values(fork)), ".html"
    from app.forks import placeholders

    suffix = ".md" if kind == "markdown" else ".txt"
    return placeholders.fill(body, field_values(fork)), suffix


def preview_html(kind: str, body: str, values: dict[str, str]) -> str:
    """What the rep's text will look like, as safe HTML for the page: Markdown and HTML
    rendered and sanitized, plain text escaped."""
    from html import escape

    from app.forks import placeholders
    from app.forks import text as text_render

    if kind in ("markdown", "html"):
        return text_render.render(kind, body, values)
    return f'<pre class="plain">{escape(placeholders.fill(body, values))}</pre>'


def _text(fork: Fork, text_format: str) -> Rendered:
    content, suffix = tailored_text(fork, text_format)
    if suffix == ".html":
        content = _html_document(fork.title, content)
    out = tempfile.TemporaryFile()  # noqa: SIM115
    out.write(content.encode("utf-8"))
    out.seek(0)
    return Rendered(out, _filename(fork, suffix), CONTENT_TYPES[suffix])


def _html_document(title: str, body: str) -> str:
    from html import escape

    return (f'<!doctype html>\n<html><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head><body>\n{body}\n</body></html>\n")


def _filename(fork: Fork, suffix: str) -> str:
    stem = re.sub(r"[^\w\- ]+", "", fork.title, flags=re.UNICODE).strip()[:80] or "tailored"
    return f"{stem}{suffix}"


def copy_to(rendered: Rendered, target: BinaryIO) -> None:
    with rendered.stream:
        shutil.copyfileobj(rendered.stream, target)

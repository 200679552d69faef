"""The text of each slide of a PowerPoint version, to follow a slide from one version to the
next (a rep's choice is by content, not by a number that moves when marketing inserts a slide)."""

from __future__ import annotations

from app.core.errors import ValidationFailed
from app.forks import sources
from app.library.models import AssetVersion


def texts_of(version: AssetVersion) -> list[str]:
    from pptx import Presentation

    try:
        with sources.local_copy(version) as path:
            deck = Presentation(str(path))
            return [_slide_text(slide) for slide in deck.slides]
    except Exception as exc:  # python-pptx raises many kinds on a damaged file
        raise ValidationFailed("This PowerPoint file cannot be read to follow your slides.",
                               {"slides": "unreadable"}) from exc


def _slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        elif getattr(shape, "has_table", False) and shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return " ".join(" ".join(parts).split())

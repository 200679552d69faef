"""What a rep may send to tailor a fork: field values, slide choices, text, a cover page.
Each check names the problem; nothing is stored unless every part is valid."""

from __future__ import annotations

from typing import Any

from app.core.errors import ValidationFailed
from app.core.text import is_clean_text
from app.forks import placeholders

MAX_TITLE = 200
MAX_ACCOUNT = 300
MAX_BODY = 500_000
MAX_CONTACT = 200
MAX_NOTE = 1_500
MAX_FIELDS = 100


def clean_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise ValidationFailed("Give the fork a title.", {"title": "required"})
    title = title.strip()
    if len(title) > MAX_TITLE or not is_clean_text(title):
        raise ValidationFailed(f"The title has at most {MAX_TITLE} characters on one line.",
                               {"title": "invalid"})
    return title


def clean_line(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit or not is_clean_text(value):
        raise ValidationFailed(f"{name.capitalize()} is text of at most {limit:,} characters "
                               "on one line.", {name: "invalid"})
    return value.strip()


def clean_values(values: Any, known: list[str]) -> dict[str, str]:
    """Field values by name; names the source does not have are refused, so a typo is never
    silently ignored."""
    if values is None:
        return {}
    if not isinstance(values, dict) or len(values) > MAX_FIELDS:
        raise ValidationFailed("fields is an object of field name → value.", {"fields": "invalid"})
    cleaned: dict[str, str] = {}
    for raw_name, value in values.items():
        name = placeholders.normalise(str(raw_name))
        if name not in known:
            listed = ", ".join(known) or "none"
            raise ValidationFailed(f"“{str(raw_name)[:60]}” is not a field of this asset "
                                   f"(its fields: {listed}).", {"fields": "unknown_field"})
        if value is None or value == "":
            continue
        if not isinstance(value, str) or len(value) > placeholders.MAX_VALUE:
            raise ValidationFailed(
                f"The value of {name} is text of at most {placeholders.MAX_VALUE:,} characters.",
                {"fields": "too_long"})
        if not is_clean_text(value, multiline=True):
            raise ValidationFailed(f"The value of {name} contains control characters.",
                                   {"fields": "invalid"})
        cleaned[name] = value
    return cleaned


def clean_slides(slides: Any, slide_count: int | None) -> list[int] | None:
    """The source's 1-based slide numbers to keep, in order; None keeps every slide."""
    if slides is None:
        return None
    if not slide_count:
        raise ValidationFailed("Only PowerPoint forks have slides to choose.",
                               {"slides": "invalid"})
    if not isinstance(slides, list) or not slides:
        raise ValidationFailed("Keep at least one slide.", {"slides": "empty"})
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in slides):
        raise ValidationFailed("slides is a list of slide numbers.", {"slides": "invalid"})
    outside = sorted({n for n in slides if not 1 <= n <= slide_count})
    if outside:
        raise ValidationFailed(f"The source has slides 1 to {slide_count}; there is no slide "
                               f"{', '.join(map(str, outside[:5]))}.", {"slides": "out_of_range"})
    repeated = sorted({n for n in slides if slides.count(n) > 1})
    if repeated:
        raise ValidationFailed(f"Slide {', '.join(map(str, repeated[:5]))} is listed more than "
                               "once.", {"slides": "repeated"})
    return list(slides)


def clean_body(body: Any) -> str | None:
    if body is None:
        return None
    if not isinstance(body, str) or len(body) > MAX_BODY:
        raise ValidationFailed(f"The text has at most {MAX_BODY:,} characters.",
                               {"body": "too_long"})
    if not is_clean_text(body, multiline=True):
        raise ValidationFailed("The text contains control characters.", {"body": "invalid"})
    return body.replace("\r\n", "\n").replace("\r", "\n")


def clean_cover(cover: Any) -> dict[str, str] | None:
    if cover is None:
        return None
    if not isinstance(cover, dict) or set(cover) - {"contact", "note"}:
        raise ValidationFailed("cover is an object with contact and note.", {"cover": "invalid"})
    note = cover.get("note") or ""
    if not isinstance(note, str) or len(note) > MAX_NOTE or not is_clean_text(note, multiline=True):
        raise ValidationFailed(f"The note has at most {MAX_NOTE:,} characters.", {"cover": "note"})
    return {"contact": clean_line(cover.get("contact"), "contact", MAX_CONTACT),
            "note": note.strip()}

"""Validation of asset metadata, shared by the HTML forms, the API and the demo loader."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.core.errors import ValidationFailed
from app.core.text import is_clean_text
from app.library.taxonomy import (
    MAX_DESCRIPTION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TITLE_LENGTH,
    STAGES,
    STATUSES,
)

EDITABLE = ("title", "description", "stage", "persona", "industry", "product", "tags", "status",
            "review_by")


def clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Return the cleaned subset of `values`; raise ValidationFailed naming every bad field."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in EDITABLE:
        if name not in values:
            continue
        try:
            cleaned[name] = _CLEANERS[name](values[name])
        except ValueError as exc:
            errors[name] = str(exc)
    unknown = sorted(set(values) - set(EDITABLE))
    for name in unknown:
        errors[name] = "Unknown field."
    if errors:
        raise ValidationFailed("Some fields are not valid: " + ", ".join(sorted(errors)), errors)
    return cleaned


def _text(value: Any, limit: int, *, required: bool = False, multiline: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    value = value.strip()
    if not is_clean_text(value, multiline=multiline):
        raise ValueError("Contains control characters or invalid text.")
    if required and not value:
        raise ValueError("Required.")
    if len(value) > limit:
        raise ValueError(f"At most {limit} characters.")
    return value


def _choice(value: Any, choices: tuple[str, ...], *, allow_empty: bool) -> str | None:
    if value in (None, "") and allow_empty:
        return None
    if value not in choices:
        raise ValueError(f"Must be one of: {', '.join(choices)}.")
    return value


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("Must be a list of words or a comma-separated string.")
    tags = []
    for raw in value:
        tag = " ".join(raw.strip().lower().split())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH or not is_clean_text(tag):
            raise ValueError(f"Each tag has at most {MAX_TAG_LENGTH} plain characters.")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"At most {MAX_TAGS} tags.")
    return tags


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValueError("Must be a date like 2027-03-31.") from exc


_CLEANERS = {
    "title": lambda v: _text(v, MAX_TITLE_LENGTH, required=True),
    "description": lambda v: _text(v, MAX_DESCRIPTION_LENGTH, multiline=True),
    "stage": lambda v: _choice(v, STAGES, allow_empty=True),
    "persona": lambda v: _text(v, MAX_LABEL_LENGTH),
    "industry": lambda v: _text(v, MAX_LABEL_LENGTH),
    "product": lambda v: _text(v, MAX_LABEL_LENGTH),
    "tags": _tags,
    "status": lambda v: _choice(v, STATUSES, allow_empty=False),
    "review_by": _date,
}

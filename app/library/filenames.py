"""Uploaded file names are kept for display and download, never used as paths."""

import os
import unicodedata

MAX_FILENAME = 255


def clean_filename(raw: str | None) -> str:
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if not name:
        return "upload"
    if len(name) <= MAX_FILENAME:
        return name
    stem, ext = os.path.splitext(name)
    ext = ext if len(ext) <= 16 else ""
    return stem[: MAX_FILENAME - len(ext)] + ext


def title_from_filename(filename: str) -> str:
    stem = os.path.splitext(filename)[0]
    title = " ".join(stem.replace("_", " ").replace("-", " ").split())
    return (title or "Untitled")[:200]

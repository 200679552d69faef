"""Reads list filters from a query string, ignoring values that cannot be valid."""

from __future__ import annotations

from collections.abc import Mapping

from app.library.queries import SORTS, AssetFilters
from app.library.taxonomy import KINDS, STAGES, STATUSES

_CHOICES = {"stage": STAGES, "kind": KINDS, "status": STATUSES}
_FREE = ("persona", "industry", "product", "tag", "q")


def filters_from_args(args: Mapping[str, str]) -> tuple[AssetFilters, int]:
    values: dict = {}
    for name, allowed in _CHOICES.items():
        if args.get(name) in allowed:
            values[name] = args[name]
    for name in _FREE:
        value = (args.get(name) or "").strip()
        if value and len(value) <= 200 and "\x00" not in value:
            values[name] = value
    if args.get("stale") in ("1", "0"):
        values["stale"] = args["stale"] == "1"
    if args.get("sort") in SORTS:
        values["sort"] = args["sort"]
    page = args.get("page", "1")
    page_number = int(page) if page.isdigit() and len(page) < 7 else 1
    return AssetFilters(**values), max(1, page_number)

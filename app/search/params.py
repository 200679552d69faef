"""Reads a search from a query string: the URL carries the whole state, so it can be shared."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.search.engine import FACETS, SORTS

MAX_QUERY = 1000


@dataclass
class SearchParams:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    def url_args(self, **changes) -> dict:
        args = {"q": self.text, "sort": self.sort, **{k: v for k, v in self.filters.items()}}
        args.update(changes)
        return {k: v for k, v in args.items() if v not in ("", None, [], "relevance", 1)}


def params_from_args(args) -> SearchParams:
    text = (args.get("q") or "")[:MAX_QUERY]
    filters = {}
    for name in FACETS:
        values = [v.strip()[:80] for v in _getlist(args, name) if v and v.strip()]
        if values:
            filters[name] = values[:10]
    sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
    page = args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    return SearchParams(text=text, filters=filters, sort=sort, page=max(1, number))


def _getlist(args: Mapping, name: str) -> list[str]:
    return args.getlist(name) if hasattr(args, "getlist") else [args.get(name, "")]

"""Page extras: an area adds a panel to another area's page without that area knowing it
(deals puts "Use in deal" on the asset page). The page's view asks for the extras of its page
and passes them to its template, which includes each panel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[..., dict[str, Any] | None]
_providers: dict[str, list[Provider]] = {}


def provide(page: str, provider: Provider) -> None:
    """`provider(**context)` returns template values, with the partials to include under
    "panels"; or None when it has nothing for this page and user."""
    providers = _providers.setdefault(page, [])
    if provider not in providers:
        providers.append(provider)


def extras_for(page: str, **context: Any) -> dict[str, Any]:
    merged: dict[str, Any] = {"panels": []}
    for provider in _providers.get(page, []):
        values = provider(**context) or {}
        merged["panels"] += values.pop("panels", [])
        merged.update(values)
    return merged

"""What other areas want to hear about deals, as callables the application factory registers
(search re-ranks assets by the deals they were used in), so deals imports none of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import distinct, select

from app.deals.models import UsageEvent
from app.extensions import db

_asset_listeners: list[Callable[[set[int]], None]] = []
_deal_listeners: list[Callable[[set[int]], None]] = []
_pipeline_listeners: list[Callable[[], None]] = []


def on_asset_evidence_changed(listener: Callable[[set[int]], None]) -> None:
    """`listener(asset_ids)` runs inside the transaction that changed those assets' evidence."""
    if listener not in _asset_listeners:
        _asset_listeners.append(listener)


def on_deals_touched(listener: Callable[[set[int]], None]) -> None:
    """`listener(deal_ids)` runs inside the transaction that wrote those deals or their usage
    (flushed), so derived figures (the insights rollup) commit or roll back with it."""
    if listener not in _deal_listeners:
        _deal_listeners.append(listener)


def deals_touched(deal_ids: Iterable[int]) -> None:
    ids = set(deal_ids)
    if ids:
        for listener in _deal_listeners:
            listener(ids)


def on_pipeline_changed(listener: Callable[[], None]) -> None:
    """`listener()` runs inside the transaction that reordered, merged or re-classified the
    pipeline's stages (flushed): what was derived from stage positions must be worked out again."""
    if listener not in _pipeline_listeners:
        _pipeline_listeners.append(listener)


def pipeline_changed() -> None:
    db.session.flush()
    for listener in _pipeline_listeners:
        listener()


def usage_recorded(asset_ids: set[int]) -> None:
    _notify(asset_ids)


def deals_changed(deal_ids: Iterable[int]) -> None:
    """Deals that closed or reopened: every asset used in them counts differently now."""
    ids = list(deal_ids)
    if ids:
        used = db.session.scalars(select(distinct(UsageEvent.asset_id))
                                  .where(UsageEvent.deal_id.in_(ids)))
        _notify(set(used))


def _notify(asset_ids: set[int]) -> None:
    if asset_ids:
        for listener in _asset_listeners:
            listener(asset_ids)

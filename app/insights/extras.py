"""What insights adds to other areas' pages (registered by the application factory)."""

from __future__ import annotations

from app.auth.models import User
from app.insights import metrics
from app.library.models import Asset

EFFECT_PANEL = "insights/_asset_panel.html"


def asset_effect(actor: User, asset: Asset, **_context) -> dict | None:
    """A short "does it move deals?" line on the asset's page, linking to the full analysis."""
    if asset.status == "draft":
        return None
    tally = metrics.tallies(metrics.Filters(), metrics.current_rates(), [asset.id]).get(asset.id)
    effect = metrics.metrics_of(tally or metrics.Tally(), metrics.closed_totals(metrics.Filters()))
    return {"panels": [EFFECT_PANEL], "effect": effect}

"""What deals adds to other areas' pages (registered by the application factory)."""

from __future__ import annotations

from app.auth.models import User
from app.core.permissions import Role
from app.deals import queries
from app.deals.forms import ACTION_LABELS
from app.library.models import Asset

USE_IN_DEAL_PANEL = "deals/_use_in_deal_panel.html"


def use_in_deal(actor: User, asset: Asset, **_context) -> dict | None:
    """"Use in deal" on a published asset, for whoever owns open deals."""
    if actor.role not in (Role.REP, Role.ADMIN) or asset.status != "published":
        return None
    deals = queries.open_deals_of(actor)
    if not deals:
        return None
    return {"panels": [USE_IN_DEAL_PANEL], "use_deals": deals, "use_labels": ACTION_LABELS}


def use_in_deal_on_hits(actor: User, **_context) -> dict | None:
    """"Use in deal" under each published search result (the deals are read once)."""
    if actor.role not in (Role.REP, Role.ADMIN):
        return None
    deals = queries.open_deals_of(actor)
    if not deals:
        return None
    return {"panels": ["deals/_use_in_deal_hit.html"], "use_deals": deals,
            "use_labels": ACTION_LABELS}


def open_deals_home(actor: User, **_context) -> dict | None:
    """A rep's home: their open deals, each with published content for its stage."""
    deals = queries.assets_for_open_deals(actor)
    if not deals:
        return None
    return {"panels": ["deals/_home_panel.html"], "home_deals": deals}


def use_fork_in_deal(actor: User, fork, **_context) -> dict | None:
    """"Use in deal" on the rep's own fork: it counts for the fork's source."""
    if fork.owner_id != actor.id or actor.role not in (Role.REP, Role.ADMIN):
        return None
    deals = queries.open_deals_of(actor)
    if not deals:
        return None
    return {"panels": ["deals/_use_fork_in_deal_panel.html"], "use_deals": deals,
            "use_labels": ACTION_LABELS}

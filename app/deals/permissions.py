"""Who may see and change a deal, and who sees amounts."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import NotFound
from app.core.permissions import Role, is_admin
from app.deals.models import Deal
from app.settings.registry import Setting, declare
from app.settings.services import is_on

MARKETERS_SEE_AMOUNTS = declare(Setting(
    "deals.marketers_see_amounts", "Marketers see deal amounts",
    "Marketers always see which deals content was used in; this also shows them the amounts "
    "and the revenue figures."))
SEES_ALL_DEALS = frozenset({Role.LEADER, Role.ADMIN, Role.MARKETER})


def can_view_deal(user: User, deal: Deal) -> bool:
    return user.role in SEES_ALL_DEALS or deal.owner_id == user.id


def can_edit_deal(user: User, deal: Deal) -> bool:
    return is_admin(user) or (user.role == Role.REP and deal.owner_id == user.id)


def ensure_can_view_deal(user: User, deal: Deal | None) -> Deal:
    # Someone else's deal answers 404, like a hidden asset.
    if deal is None or not can_view_deal(user, deal):
        raise NotFound("No such deal.")
    return deal


def sees_amounts(user: User) -> bool:
    if user.role == Role.MARKETER:
        return is_on(MARKETERS_SEE_AMOUNTS)
    return True

"""Who sees which analytics. Asset-level metrics are library-wide facts and everyone signed in
sees them; people are another matter: leaders and admins see every rep's numbers, a rep sees only
their own, and marketers see rep names only where an admin allows it."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import PermissionDenied
from app.core.permissions import Role
from app.settings.registry import Setting, declare
from app.settings.services import is_on

MARKETERS_SEE_REPS = declare(Setting(
    key="insights.marketers_see_reps",
    label="Marketers see reps' names in analytics",
    help="Marketers see which reps use each asset and the rep adoption table. Off: they see "
         "asset-level figures only.",
))


def sees_everyone(actor: User) -> bool:
    if actor.role in (Role.LEADER, Role.ADMIN):
        return True
    return actor.role == Role.MARKETER and is_on(MARKETERS_SEE_REPS)


def owner_filter(actor: User, requested: int | None) -> int | None:
    """The deal-owner filter the actor may apply: anyone's for those who see everyone, else
    none or their own (a rep asking for a colleague's numbers is refused)."""
    if requested is None or sees_everyone(actor) or requested == actor.id:
        return requested
    raise PermissionDenied("You can only filter by your own deals.")


def deals_owner_scope(actor: User) -> int | None:
    """Whose deals the actor may list by name: None for everyone's, else their own id."""
    if actor.role in (Role.LEADER, Role.ADMIN, Role.MARKETER):
        return None
    return actor.id


def ensure_may_see_reps(actor: User) -> None:
    if actor.role == Role.REP:
        return  # a rep sees their own row only (the caller narrows it)
    if not sees_everyone(actor):
        raise PermissionDenied("An admin has not allowed marketers to see reps' numbers.")

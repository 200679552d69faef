"""Who may see and change a fork. A fork is the rep's own working copy: its owner, and the people
who learn from forks (marketers, leaders, admins), see it; everyone else gets 404."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import NotFound, PermissionDenied
from app.core.permissions import Role, is_admin
from app.forks.models import Fork

SEES_ALL_FORKS = frozenset({Role.MARKETER, Role.LEADER, Role.ADMIN})


def can_view_fork(user: User, fork: Fork) -> bool:
    return fork.owner_id == user.id or user.role in SEES_ALL_FORKS


def can_edit_fork(user: User, fork: Fork) -> bool:
    return fork.owner_id == user.id or is_admin(user)


def ensure_can_view_fork(user: User, fork: Fork | None) -> Fork:
    if fork is None or not can_view_fork(user, fork):
        raise NotFound("No such fork.")
    return fork


def ensure_can_edit_fork(user: User, fork: Fork | None) -> Fork:
    ensure_can_view_fork(user, fork)
    if not can_edit_fork(user, fork):
        raise PermissionDenied("Only the fork's owner can change it.")
    return fork


def sees_all_forks(user: User) -> bool:
    return user.role in SEES_ALL_FORKS

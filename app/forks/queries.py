"""Reading forks: a rep's own, an asset's fork tree, the suggestion queues, and what marketing
learns from how reps tailor an asset."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import PermissionDenied
from app.core.permissions import Role, is_admin
from app.extensions import db
from app.forks import sources
from app.forks.models import Fork, Suggestion
from app.forks.permissions import sees_all_forks
from app.library.models import Asset, AssetVersion

MAX_TREE = 500


def my_forks(actor: User) -> list[Fork]:
    return list(db.session.scalars(
        select(Fork).where(Fork.owner_id == actor.id)
        .options(selectinload(Fork.source_asset), selectinload(Fork.source_version))
        .order_by(Fork.updated_at.desc(), Fork.id.desc())))


def forks_of_asset(actor: User, asset_id: int) -> list[Fork]:
    """Every fork of an asset, for the people who learn from forks."""
    if not sees_all_forks(actor):
        raise PermissionDenied("Only marketers, leaders and admins see an asset's forks.")
    return list(db.session.scalars(
        select(Fork).where(Fork.source_asset_id == asset_id)
        .options(selectinload(Fork.owner), selectinload(Fork.source_version))
        .order_by(Fork.id).limit(MAX_TREE)))


@dataclass
class TreeNode:
    fork: Fork
    children: list[TreeNode] = field(default_factory=list)


def fork_tree(forks: list[Fork]) -> list[TreeNode]:
    """Forks of forks under their parents; a fork whose parent is not listed is a root."""
    nodes = {f.id: TreeNode(f) for f in forks}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.fork.parent_fork_id)
        (parent.children if parent else roots).append(node)
    return roots


def suggestions_for_marketing(actor: User, status: str = "pending") -> list[Suggestion]:
    """The queue: suggestions on the assets this marketer owns (every asset for admins)."""
    if actor.role not in (Role.MARKETER, Role.ADMIN):
        raise PermissionDenied("Only marketers and admins review suggestions.")
    query = (select(Suggestion).join(Fork, Fork.id == Suggestion.fork_id)
             .join(Asset, Asset.id == Fork.source_asset_id)
             .where(Suggestion.status == status)
             .options(selectinload(Suggestion.fork).selectinload(Fork.source_asset),
                      selectinload(Suggestion.author))
             .order_by(Suggestion.created_at.desc(), Suggestion.id.desc()).limit(200))
    if not is_admin(actor):
        query = query.where(Asset.owner_id == actor.id)
    return list(db.session.scalars(query))


def suggestions_of_fork(fork: Fork) -> list[Suggestion]:
    return list(db.session.scalars(
        select(Suggestion).where(Suggestion.fork_id == fork.id)
        .order_by(Suggestion.created_at.desc())))


@dataclass
class FieldLearning:
    name: str
    filled: int
    typical: list[tuple[str, int]]


@dataclass
class AssetLearning:
    forks: int
    owners: int
    fields: list[FieldLearning]
    # Over forks of the current version: slide number -> forks that dropped it.
    dropped_slides: list[tuple[int, int]]
    # Over text forks of the current version: (paragraph of the source, forks that rewrote it).
    rewritten: list[tuple[str, int]]
    current_forks: int


def learning(asset: Asset) -> AssetLearning:
    from app.forks import learning as learn

    forks = list(db.session.scalars(select(Fork).where(Fork.source_asset_id == asset.id)))
    values: dict[str, list[str]] = defaultdict(list)
    for fork in forks:
        for name, value in fork.values.items():
            if value and value.strip():
                values[name].append(value)
    fields = sorted((FieldLearning(n, len(v), learn.typical_values(v)) for n, v in values.items()),
                    key=lambda f: (-f.filled, f.name))
    current = [f for f in forks if f.source_version_id == asset.current_version_id]
    return AssetLearning(
        forks=len(forks), owners=len({f.owner_id for f in forks}), fields=fields,
        dropped_slides=_dropped(asset.current_version, current),
        rewritten=_rewritten(asset.current_version, current), current_forks=len(current))


def _dropped(version: AssetVersion | None, forks: list[Fork]) -> list[tuple[int, int]]:
    from app.forks import learning as learn

    pptx = [f for f in forks if f.method == "pptx"]
    if version is None or not pptx:
        return []
    count = sources.fields_of(version).slide_count or 0
    dropped = learn.dropped_slides(count, [f.slides for f in pptx])
    return sorted(((n, c) for n, c in dropped.items() if c), key=lambda p: (-p[1], p[0]))


def _rewritten(version: AssetVersion | None, forks: list[Fork]) -> list[tuple[str, int]]:
    from app.forks import learning as learn

    text_forks = [f for f in forks if f.method == "text"]
    if version is None or not text_forks:
        return []
    base = sources.source_text(version)
    paragraphs = learn.paragraphs(base)
    counts = Counter(i for f in text_forks
                     for i in learn.rewritten_paragraphs(base, f.body or ""))
    return [(paragraphs[i], c) for i, c in counts.most_common(10) if i < len(paragraphs)]

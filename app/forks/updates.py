"""When the source of a fork gets a new version: what changed, and "update my fork", which carries
the rep's field values, slide choices and edits onto it. Nothing the rep did is dropped
silently: text conflicts wait for the rep, and every value or slide that could not be carried
is named in the outcome's notes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.core.errors import Conflict, ValidationFailed
from app.extensions import db
from app.forks import sources
from app.forks.models import Fork
from app.forks.permissions import ensure_can_edit_fork
from app.library.models import AssetVersion

# A slide edited a little is still that slide; two slides that share a template are not.
SIMILAR_SLIDE = 0.8


@dataclass
class SourceUpdate:
    """The source's newer version, and a readable diff from the fork's version to it."""
    current: AssetVersion
    diff_html: str
    added: int
    removed: int


@dataclass
class UpdateOutcome:
    fork: Fork
    notes: list[str] = field(default_factory=list)


def pending_update(fork: Fork) -> SourceUpdate | None:
    from app.forks import diff

    current = fork.source_asset.current_version
    if current is None or current.number <= fork.source_version.number:
        return None
    old, new = comparable_text(fork.source_version), comparable_text(current)
    added, removed = diff.diff_stats(old, new)
    return SourceUpdate(current, diff.diff_html(old, new), added, removed)


def comparable_text(version: AssetVersion) -> str:
    """Text files compare by their source; Office files and PDFs by their extracted text."""
    if sources.method_for(version) == "text":
        return sources.source_text(version)
    return version.text or ""


def conflicts_of(fork: Fork) -> list[dict[str, str]]:
    """The conflicts "update my fork" would stop at, for the rep to resolve."""
    update = pending_update(fork)
    if update is None or fork.method != "text":
        return []
    return [_conflict_json(c) for c in _merge(fork, update.current).conflicts]


def update_from_source(actor: User, fork_id: int, resolutions: dict[int, Any] | None = None,
                       revision: int | None = None) -> UpdateOutcome:
    from app.forks.services import _bump_revision

    fork = ensure_can_edit_fork(actor, db.session.get(Fork, fork_id))
    current = fork.source_asset.current_version
    if current is None or current.number <= fork.source_version.number:
        raise Conflict("This fork is already on the source's latest version.")
    if sources.method_for(current) != fork.method:
        raise ValidationFailed("The source is now a different kind of file; fork it again.",
                               {"fork": "kind_changed"})
    outcome = UpdateOutcome(fork)
    if fork.method == "text":
        fork.body = _merged_body(fork, current, resolutions)
    outcome.notes += _carry_values(fork, current)
    if fork.method == "pptx" and fork.slides is not None:
        fork.slides, notes = _carry_slides(fork, current)
        outcome.notes += notes
    fork.source_version_id = current.id
    fork.source_version = current
    _bump_revision(fork, revision)
    db.session.commit()
    return outcome


def _merge(fork: Fork, current: AssetVersion):
    from app.forks import merge

    return merge.merge(sources.source_text(fork.source_version), fork.body or "",
                       sources.source_text(current))


def _merged_body(fork: Fork, current: AssetVersion, resolutions: dict[int, Any] | None) -> str:
    result = _merge(fork, current)
    if result.clean:
        return result.text
    if not resolutions:
        raise Conflict(f"Your edits and the new source version overlap in "
                       f"{len(result.conflicts)} place(s); choose what to keep.",
                       {"conflicts": [_conflict_json(c) for c in result.conflicts]})
    try:
        return result.resolve({int(k): v for k, v in resolutions.items()})
    except (KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(f"Resolve every conflict: {exc}", {"resolutions": "incomplete"}
                               ) from exc


def _conflict_json(conflict) -> dict[str, str]:
    return {"base": conflict.base, "mine": conflict.mine, "theirs": conflict.theirs}


def _carry_values(fork: Fork, current: AssetVersion) -> list[str]:
    names = sources.fields_of(current).names
    gone = sorted(name for name in fork.values if name not in names)
    if not gone:
        return []
    # Kept on the fork (a later version may bring the field back), but named for the rep.
    return [f"The new version no longer has the field {', '.join(gone)}; its value is kept but "
            "not used."]


def _carry_slides(fork: Fork, current: AssetVersion) -> tuple[list[int], list[str]]:
    """Each kept slide follows its content to its number in the new version."""
    from app.forks import slides as slide_texts

    old, new = slide_texts.texts_of(fork.source_version), slide_texts.texts_of(current)
    moves = slide_moves(old, new)
    mapped = [moves[n] for n in fork.slides or [] if n in moves]
    lost = [n for n in fork.slides or [] if n not in moves]
    notes = []
    if lost:
        notes.append(f"Slide {', '.join(map(str, lost))} of your selection is no longer in the "
                     "source.")
    fresh = sorted(set(range(1, len(new) + 1)) - set(moves.values()))
    if fresh:
        notes.append(f"The source has new slides: {', '.join(map(str, fresh))}; add them in "
                     "the slide picker if you want them.")
    if not mapped:
        raise ValidationFailed("None of your slides is left in the new version; pick slides "
                               "again.", {"slides": "none_left"})
    return mapped, notes


def slide_moves(old: list[str], new: list[str]) -> dict[int, int]:
    """Old slide number -> new slide number, for the slides still there: identical text
    first, then the most similar remaining slide (a slide marketing edited a little)."""
    moves: dict[int, int] = {}
    taken: set[int] = set()
    for number, text in enumerate(old, 1):
        same = next((i for i, t in enumerate(new, 1) if t == text and i not in taken), None)
        if same is not None:
            moves[number] = same
            taken.add(same)
    for number, text in enumerate(old, 1):
        if number in moves:
            continue
        scored = [(difflib.SequenceMatcher(None, text, t).ratio(), i)
                  for i, t in enumerate(new, 1) if i not in taken]
        best = max(scored, default=(0.0, 0))
        if best[0] >= SIMILAR_SLIDE:
            moves[number] = best[1]
            taken.add(best[1])
    return moves

"""Suggestions: a rep offers a fork's edits to marketing; the asset's owner (or an admin) accepts
one as the source's next version, credited to the rep, or declines it with a reply.

What can be suggested is what changes the piece for everyone: edited text, and a PowerPoint's
slide selection. Field values are one account's details, and a PDF cover is one letter, so those
forks have nothing to suggest.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

from app.auth.models import User
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.timeutil import utcnow
from app.extensions import db
from app.forks import sources
from app.forks.models import Fork, Suggestion
from app.forks.permissions import ensure_can_edit_fork
from app.library import services as library
from app.library.permissions import ensure_can_edit_asset

MAX_COMMENT = 2_000
MAX_NOTES = 2_000  # the library's limit on version notes


def suggest(actor: User, fork_id: int, comment: Any) -> Suggestion:
    fork = ensure_can_edit_fork(actor, db.session.get(Fork, fork_id))
    comment = _clean_text(comment, "comment")
    if fork.method not in ("text", "pptx"):
        raise ValidationFailed("Only edited text and slide selections can be suggested to "
                               "marketing.", {"fork": "nothing_to_suggest"})
    if not _changes_source(fork):
        raise ValidationFailed("This fork has no edits to suggest yet.", {"fork": "unchanged"})
    # A suggestion of what the fork is now replaces one still waiting that was made of an
    # older state (perhaps of an older source version, which could never be accepted); the same
    # suggestion twice is refused.
    for waiting in db.session.scalars(db.select(Suggestion).where(
            Suggestion.fork_id == fork.id, Suggestion.status == "pending")):
        if (waiting.source_version_id, waiting.body, waiting.slides) == (
                fork.source_version_id, fork.body if fork.method == "text" else None,
                fork.slides if fork.method == "pptx" else None):
            raise Conflict("This fork already has a suggestion waiting for marketing.")
        _decide(waiting, actor, "declined", "Replaced by a newer suggestion from the rep.")
    suggestion = Suggestion(fork_id=fork.id, author_id=actor.id, comment=comment,
                            source_version_id=fork.source_version_id,
                            body=fork.body if fork.method == "text" else None,
                            slides=fork.slides if fork.method == "pptx" else None)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def _changes_source(fork: Fork) -> bool:
    if fork.method == "pptx":
        return fork.slides is not None
    return (fork.body or "") != sources.source_text(fork.source_version)


def accept(actor: User, suggestion_id: int, reply: Any = "") -> Suggestion:
    suggestion = _pending(actor, suggestion_id)
    reply = _clean_text(reply, "reply", required=False)
    asset = suggestion.fork.source_asset
    if asset.current_version_id != suggestion.source_version_id:
        raise Conflict("The asset has a newer version than the one this suggestion was made "
                       "on; ask the rep to update the fork and suggest it again.")
    data, filename = _suggested_file(suggestion)
    notes = f"Suggested by {suggestion.author.name} (fork #{suggestion.fork_id})"
    notes = f"{notes}: {suggestion.comment}" if suggestion.comment else f"{notes}."
    # The new version and the decision are one unit of work: both land, or neither.
    version = library.add_version(actor, asset.id, io.BytesIO(data), filename,
                                  notes[:MAX_NOTES], commit=False)
    _decide(suggestion, actor, "accepted", reply)
    suggestion.result_version_id = version.id
    db.session.commit()
    return suggestion


def decline(actor: User, suggestion_id: int, reply: Any) -> Suggestion:
    suggestion = _pending(actor, suggestion_id)
    _decide(suggestion, actor, "declined", _clean_text(reply, "reply"))
    db.session.commit()
    return suggestion


def _pending(actor: User, suggestion_id: int) -> Suggestion:
    suggestion = db.session.get(Suggestion, suggestion_id)
    if suggestion is None:
        raise NotFound("No such suggestion.")
    ensure_can_edit_asset(actor, suggestion.fork.source_asset)
    if suggestion.status != "pending":
        raise Conflict(f"This suggestion was already {suggestion.status}.")
    return suggestion


def _decide(suggestion: Suggestion, actor: User, status: str, reply: str) -> None:
    suggestion.status, suggestion.reply = status, reply
    suggestion.decided_by_id, suggestion.decided_at = actor.id, utcnow()


def _suggested_file(suggestion: Suggestion) -> tuple[bytes, str]:
    """The file the suggestion becomes: the edited text with its fields kept as fields, or the
    deck with the rep's slide selection (and no account's values filled in)."""
    version = suggestion.source_version
    if suggestion.body is not None:
        return suggestion.body.encode("utf-8"), version.filename
    from app.forks import office

    with sources.local_copy(version) as path, tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "suggested.pptx"
        try:
            office.render_pptx(path, {}, suggestion.slides, out)
        except office.TailoringError as exc:
            raise ValidationFailed(str(exc), {"fork": "unrenderable"}) from exc
        return out.read_bytes(), version.filename


def _clean_text(value: Any, name: str, required: bool = True) -> str:
    from app.core.text import is_clean_text

    value = value if isinstance(value, str) else ("" if value is None else None)
    if value is None or len(value) > MAX_COMMENT or not is_clean_text(value, multiline=True):
        raise ValidationFailed(f"The {name} is text of at most {MAX_COMMENT:,} characters.",
                               {name: "invalid"})
    if required and not value.strip():
        raise ValidationFailed(f"Write a {name}.", {name: "required"})
    return value.strip()

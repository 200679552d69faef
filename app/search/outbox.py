"""Records, in the same transaction as the change, which assets the index must catch up with.

Any flush that touches an Asset or an AssetVersion (through a service, the API, the CLI or a
migration script) appends an outbox row; after the commit the pending rows are applied to the
index. A crash between the two loses nothing: the rows stay until `flask search sync` or the next
commit applies them.
"""

from __future__ import annotations

from itertools import chain

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.library.models import Asset, AssetVersion
from app.search.models import SearchOutbox

PENDING_KEY = "lockstep.search_pending"
_after_commit_hooks: list = []


def changed_asset_ids(session: Session) -> set[int]:
    ids = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Asset) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, AssetVersion) and obj.asset_id is not None:
            ids.add(obj.asset_id)
    return ids


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush_context) -> None:
    ids = changed_asset_ids(session)
    if ids:
        now = utcnow()
        session.connection().execute(
            insert(SearchOutbox), [{"asset_id": asset_id, "created_at": now} for asset_id in ids]
        )
        session.info[PENDING_KEY] = True


@event.listens_for(Session, "after_soft_rollback")
def _forget_on_rollback(session: Session, _previous_transaction) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "after_commit")
def _apply_after_commit(session: Session) -> None:
    if session.info.pop(PENDING_KEY, False):
        for hook in _after_commit_hooks:
            hook()


def on_changes_committed(hook) -> None:
    """Register what runs after a commit that left outbox rows (the search service's sync)."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)

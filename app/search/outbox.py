"""Records, in the same transaction as the change, which assets the index must catch up with.

Any flush that touches an Asset or an AssetVersion (through a service, the API, the CLI or a
migration script) appends an outbox row; after the commit the pending rows are applied to the
index (app.search.sync). A crash between the two loses nothing: the rows stay until
`flask search sync` or the next commit applies them. A row is marked applied only after the
index holds a state of its asset read after the row was committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain

from sqlalchemy import Row, delete, event, insert, or_, select, update
from sqlalchemy.orm import Session

from app.core.timeutil import utcnow
from app.extensions import db
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
    enqueue(session, changed_asset_ids(session))


def enqueue(session: Session, asset_ids: Iterable[int]) -> None:
    """Ask for these assets to be re-indexed, in the session's current transaction: the rows
    commit or roll back with the change that asked. For changes the index sees that are not
    Asset or AssetVersion rows (another area's evidence about an asset, say)."""
    ids = sorted({int(asset_id) for asset_id in asset_ids})
    if ids:
        now = utcnow()
        session.connection().execute(
            insert(SearchOutbox), [{"asset_id": asset_id, "created_at": now} for asset_id in ids]
        )
        session.info[PENDING_KEY] = True


def request_reindex(asset_ids: Iterable[int]) -> None:
    """enqueue() on the request's session (db.session): what another area's event calls."""
    enqueue(db.session(), asset_ids)


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


def pending(session: Session, limit: int) -> Sequence[Row]:
    """The oldest unapplied rows: (id, asset_id)."""
    return session.execute(
        select(SearchOutbox.id, SearchOutbox.asset_id).where(SearchOutbox.applied_at.is_(None))
        .order_by(SearchOutbox.id).limit(limit)
    ).all()


def to_settle_after_rebuild(session: Session, started: datetime) -> Sequence[Row]:
    """Rows a rebuild that began at `started` settles: the unapplied ones, and every row
    written since it began (applied or not, their assets may have changed mid-rebuild)."""
    return session.execute(
        select(SearchOutbox.id, SearchOutbox.asset_id, SearchOutbox.created_at,
               SearchOutbox.applied_at)
        .where(or_(SearchOutbox.applied_at.is_(None), SearchOutbox.created_at >= started))
    ).all()


def mark_applied(session: Session, row_ids: Sequence[int]) -> None:
    """Only the rows the caller read and applied: one committed since keeps waiting."""
    for start in range(0, len(row_ids), 500):
        session.execute(update(SearchOutbox)
                        .where(SearchOutbox.id.in_(row_ids[start:start + 500]),
                               SearchOutbox.applied_at.is_(None))
                        .values(applied_at=utcnow()))


def prune(session: Session, older_than: datetime) -> None:
    session.execute(delete(SearchOutbox).where(SearchOutbox.applied_at < older_than))

"""The one Whoosh writer of an index: acquired with backoff, committed or cancelled, never leaked.

Whoosh allows one writer per index across processes (a lock file). Acquiring it retries with
jittered backoff for up to WRITE_TIMEOUT seconds, then raises IndexBusyError so the caller keeps
its change for later; a writer whose work or commit fails is cancelled, which frees the lock.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from whoosh.index import LockError

from .types import IndexBusyError, SearchDocument
from .whoosh_schema import Codec, to_fields

log = logging.getLogger(__name__)

WRITE_TIMEOUT = 10.0
WRITER_MB = 128


@contextmanager
def writer(ix: Any, **options: Any) -> Iterator[Any]:
    """A writer that commits when the block ends and is cancelled if it raises."""
    held = acquire(ix, options)
    try:
        yield held
    except BaseException:
        abandon(held)
        raise
    commit(held)


def acquire(ix: Any, options: dict[str, Any], timeout: float | None = None) -> Any:
    timeout = WRITE_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    delay = 0.005
    options = {"codec": Codec(), "compound": False, "limitmb": WRITER_MB, **options}
    while True:
        try:
            return ix.writer(**options)
        except LockError:
            if time.monotonic() >= deadline:
                raise IndexBusyError(f"index locked for over {timeout:g}s") from None
            time.sleep(delay * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, 0.2)


def commit(held: Any) -> None:
    try:
        held.commit()
    except BaseException:
        abandon(held)  # otherwise the lock stays held until this process exits
        raise


def abandon(held: Any) -> None:
    try:
        held.cancel()
    except Exception:
        log.exception("cancelling a failed writer failed; releasing its lock directly")
        lock = getattr(held, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                log.exception("could not release the index write lock")


def write(held: Any, docs: Iterable[SearchDocument], gone: Iterable[int]) -> None:
    """Replace each document by asset id, and delete the assets that are gone."""
    for asset_id in sorted(gone):
        held.delete_by_term("id", str(int(asset_id)))
    for doc in docs:
        held.delete_by_term("id", str(doc.asset_id))
        held.add_document(**to_fields(doc))

"""Remove blobs no row references: what a failed commit can leave behind.

An upload stores its blob before its row commits, so garbage collection races with uploads:
- the references are read after the blobs are listed, so a row committed during the listing
  counts;
- blobs younger than the grace period are kept: they may belong to an upload in flight. An
  upload that deduplicates onto an old blob refreshes its modified time, so it is young again;
- each candidate's references and modified time are checked once more right before it is
  deleted (Storage.delete_unreferenced), since both may have changed since the listing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.storage.base import Storage

DEFAULT_GRACE = timedelta(hours=1)
# Candidates are re-checked in batches: one fresh read of the references per batch.
BATCH = 100


@dataclass
class GcReport:
    scanned: int = 0
    kept: int = 0
    deleted: int = 0
    too_young: int = 0
    rescued: int = 0  # unreferenced when listed, in use or refreshed by the time of deletion


def collect_garbage(storage: Storage, referenced: Callable[[], Iterable[str]] | Iterable[str],
                    now: datetime, grace: timedelta = DEFAULT_GRACE,
                    dry_run: bool = False) -> GcReport:
    """`referenced` returns every key in use, asked afresh each time it is called (a fixed
    collection is accepted too, but then cannot see references made while this runs)."""
    if not callable(referenced):
        snapshot = set(referenced)
        referenced = lambda: snapshot  # noqa: E731
    listing = list(storage.iter_blobs())
    keep = set(referenced())
    cutoff = now - grace
    report = GcReport()
    candidates = []
    for key, modified_at in listing:
        report.scanned += 1
        if key in keep:
            report.kept += 1
        elif modified_at >= cutoff:
            report.too_young += 1
        else:
            candidates.append(key)
    if dry_run:
        report.deleted = len(candidates)
        return report
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start:start + BATCH]
        deleted = storage.delete_unreferenced(batch, cutoff, referenced)
        report.deleted += len(deleted)
        report.rescued += len(batch) - len(deleted)
    return report

"""Remove blobs no row references: what a failed commit can leave behind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.storage.base import Storage

# An upload stores its blob before its row commits; younger blobs may belong to one in flight.
DEFAULT_GRACE = timedelta(hours=1)


@dataclass
class GcReport:
    scanned: int = 0
    kept: int = 0
    deleted: int = 0
    too_young: int = 0


def collect_garbage(storage: Storage, referenced: Iterable[str], now: datetime,
                    grace: timedelta = DEFAULT_GRACE, dry_run: bool = False) -> GcReport:
    keep = set(referenced)
    report = GcReport()
    for key, modified_at in list(storage.iter_blobs()):
        report.scanned += 1
        if key in keep:
            report.kept += 1
        elif now - modified_at < grace:
            report.too_young += 1
        else:
            report.deleted += 1
            if not dry_run:
                storage.delete(key)
    return report

"""`read`: a first pass validates every record and fingerprints the valid ones (so duplicates
are known before anything is written); `ImportReading.records()` is a second pass that yields
the deals to import, in file order. Neither pass keeps records, so memory stays flat whatever
the file's size, bar 20 bytes of fingerprint per distinct external id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from app.deals.csv_import.convert import RowConverter
from app.deals.csv_import.fingerprints import FingerprintTable, id_hash, value_hash
from app.deals.csv_import.model import DealRecord, ImportFileError, ImportPlan, RowIssue
from app.deals.csv_import.rows import RowStream
from app.deals.csv_import.sources import SOURCES, describe_missing
from app.deals.csv_import.stages import StageMap
from app.deals.csv_import.text import shown

MAX_ISSUES = 1000


@dataclass
class _Duplicate:
    external_id: str
    rows: list[int]
    conflict: bool = False


@dataclass
class _Issues:
    """The first `limit` issues, and how many rows they concern in all."""

    limit: int
    items: list[RowIssue] = field(default_factory=list)
    rows: int = 0

    def add(self, issues: list[RowIssue]) -> None:
        self.rows += 1
        self.items.extend(issues[: max(self.limit - len(self.items), 0)])


def read(path: str, plan: ImportPlan, stage_map: dict[str, str] | None = None, *,
         max_issues: int = MAX_ISSUES) -> ImportReading:
    """Validate the whole file against `plan` (from `inspect`). Raises ImportFileError when the
    plan misses a required column, the stage map is invalid or the file is not valid CSV."""
    if plan.missing:
        raise ImportFileError(describe_missing(plan.missing, SOURCES[plan.source]))
    reading = ImportReading(path, plan, StageMap(stage_map), max_issues)
    reading._first_pass()
    return reading


class ImportReading:
    """What the first pass found. `rejected` and `warnings` hold the first `max_issues` issues
    (sorted by row); `rejected_rows` and `warned_rows` count them all. `accepted` is how many
    records `records()` yields."""

    def __init__(self, path: str, plan: ImportPlan, stages: StageMap, max_issues: int):
        self.path, self.plan = path, plan
        self._converter = RowConverter(plan, stages)
        self._width = len(plan.headers)
        self._rejected = _Issues(max_issues)
        self._warnings = _Issues(max_issues)
        self._duplicates: dict[int, _Duplicate] = {}
        self.rows = 0
        self.accepted = 0
        self._stamp = _stamp(path)

    rejected = property(lambda self: self._rejected.items)
    warnings = property(lambda self: self._warnings.items)
    rejected_rows = property(lambda self: self._rejected.rows)
    warned_rows = property(lambda self: self._warnings.rows)

    def _first_pass(self) -> None:
        table = FingerprintTable()
        stream = RowStream(self.path, self.plan)
        for row, cells in stream:
            self.rows = row
            record = self._convert(row, cells, self._rejected, self._warnings)
            if record is not None:
                self.accepted += 1
                self._fingerprint(table, record)
        if stream.ended_at is not None:
            self.rows = max(self.rows, stream.ended_at)
            if stream.ignored_after_end:
                self._warnings.add([RowIssue(
                    stream.ended_at, f"the report ends at this blank row; "
                    f"{stream.ignored_after_end} later rows were ignored")])
        self._settle_duplicates()

    def _convert(self, row: int, cells: list[str], rejected: _Issues | None = None,
                 warnings: _Issues | None = None) -> DealRecord | None:
        if len(cells) > self._width and any(c.strip() for c in cells[self._width:]):
            if rejected is not None:
                rejected.add([RowIssue(row, f"the row has {len(cells)} fields, but the "
                                            f"header has {self._width}")])
            return None
        record, issues, row_warnings = self._converter.convert(row, cells)
        if record is None and rejected is not None:
            rejected.add(issues)
        elif record is not None and row_warnings and warnings is not None:
            warnings.add(row_warnings)
        return record

    def _fingerprint(self, table: FingerprintTable, record: DealRecord) -> None:
        key = id_hash(record)
        value = value_hash(record)
        first = table.add(key, value, record.row)
        if first is None:
            return
        duplicate = self._duplicates.setdefault(key, _Duplicate(record.external_id, [first[1]]))
        duplicate.rows.append(record.row)
        duplicate.conflict = duplicate.conflict or value != first[0]

    def _settle_duplicates(self) -> None:
        for duplicate in self._duplicates.values():
            if duplicate.conflict:
                reason = (f"external id {shown(duplicate.external_id)} has different values in "
                          f"rows {_rows_text(duplicate.rows)}; none of them is imported")
                for row in duplicate.rows:
                    self._rejected.add([RowIssue(row, reason, self._id_header)])
                self.accepted -= len(duplicate.rows)
            else:
                for row in duplicate.rows[1:]:
                    self._warnings.add([RowIssue(row, f"identical to row {duplicate.rows[0]}; "
                                                      "skipped")])
                self.accepted -= len(duplicate.rows) - 1
        self._rejected.items.sort(key=lambda issue: issue.row)
        self._warnings.items.sort(key=lambda issue: issue.row)

    @property
    def _id_header(self) -> str | None:
        return self.plan.header_of("external_id")

    def records(self) -> Iterator[DealRecord]:
        """The deals to import, in file order: valid rows, without the rows of conflicting
        duplicates and without repeats of identical ones. Raises ImportFileError if the file
        changed since `read`."""
        if _stamp(self.path) != self._stamp:
            raise ImportFileError("the file changed while it was imported; upload it again")
        yielded = 0
        for row, cells in RowStream(self.path, self.plan, count_after_end=False):
            record = self._convert(row, cells)
            if record is None or self._skipped(record):
                continue
            yielded += 1
            yield record
        if yielded != self.accepted:
            raise ImportFileError("the file changed while it was imported; upload it again")

    __iter__ = records

    def _skipped(self, record: DealRecord) -> bool:
        duplicate = self._duplicates.get(id_hash(record)) if self._duplicates else None
        return duplicate is not None and (duplicate.conflict or record.row != duplicate.rows[0])


def _stamp(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def _rows_text(rows: list[int]) -> str:
    if len(rows) > 10:
        return f"{', '.join(map(str, rows[:10]))}, … ({len(rows)} rows)"
    return f"{', '.join(map(str, rows[:-1]))} and {rows[-1]}"

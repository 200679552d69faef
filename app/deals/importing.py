"""CSV imports of CRM exports: spool the upload, preview it, import it.

A preview is the real import rolled back at the end, so its counts are exactly what confirming
will do. The file is read in a streaming pass (app.deals.csv_import) and applied in chunks that
are flushed and then dropped from the session, so memory stays flat however long the file is;
the whole import is still one transaction: it lands completely or not at all.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from app.auth.models import User
from app.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from app.core.permissions import is_admin
from app.deals import csv_import
from app.deals.csv_import.reader import MAX_ISSUES
from app.deals.fields import DealInput
from app.deals.services import apply_batch
from app.deals.upsert import UpsertReport
from app.extensions import db
from app.storage.base import iter_chunks

CHUNK = 1000
MAX_IMPORT_BYTES = 200 * 1024 * 1024
PENDING_SECONDS = 3600
MODES = ("all_or_nothing", "valid_rows")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
SOURCE_LABELS = {"auto": "Detect from the headers", "salesforce_report": "Salesforce report",
                 "salesforce_dataloader": "Salesforce Data Loader / Data Export",
                 "hubspot": "HubSpot deals export", "pipedrive": "Pipedrive deals export"}


@dataclass(frozen=True)
class ImportOptions:
    source: str = "auto"
    locale: str | None = None
    stage_map_json: str | None = None
    mode: str = "all_or_nothing"
    dry_run: bool = False


@dataclass(frozen=True)
class PendingUpload:
    token: str
    path: Path


@dataclass
class ImportPreview:
    plan: object
    report: UpsertReport
    blocked: bool

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.plan.source, self.plan.source)

    @property
    def encoding(self) -> str:
        return self.plan.encoding

    @property
    def delimiter(self) -> str:
        return {"\t": "tab"}.get(self.plan.delimiter, self.plan.delimiter)

    @property
    def mapping(self) -> list[tuple[str, str | None]]:
        labels = csv_import.LABELS
        return [(c.header, labels.get(c.field, c.field) if c.field else None)
                for c in self.plan.columns]


# --- the uploaded file -----------------------------------------------------------------------

def stage_upload(actor: User, stream: BinaryIO, spool_dir: str,
                 max_bytes: int = MAX_IMPORT_BYTES) -> PendingUpload:
    """Keep the upload on disk for the preview and the confirmation; only its uploader can
    use it, for an hour."""
    ensure_may_import(actor)
    folder = Path(spool_dir) / "deal-imports"
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    path = folder / f"{actor.id}-{token}.csv"
    size = 0
    with open(path, "wb") as out:
        for chunk in iter_chunks(stream):
            size += len(chunk)
            if size > max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise PayloadTooLarge(f"The file is larger than {max_bytes // 2**20} MB.")
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationFailed("The file is empty.", {"file": "empty"})
    return PendingUpload(token, path)


def pending_upload(actor: User, token: str, spool_dir: str) -> PendingUpload:
    ensure_may_import(actor)
    path = Path(spool_dir) / "deal-imports" / f"{actor.id}-{token}.csv"
    if not _TOKEN.match(token or "") or not path.is_file() or _age(path) > PENDING_SECONDS:
        raise NotFound("That upload has expired; upload the file again.")
    return PendingUpload(token, path)


def discard(pending: PendingUpload) -> None:
    pending.path.unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    for item in folder.glob("*.csv"):
        if _age(item) > PENDING_SECONDS:
            item.unlink(missing_ok=True)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")


# --- reading and applying --------------------------------------------------------------------

def preview(actor: User, pending: PendingUpload, options: ImportOptions) -> ImportPreview:
    plan, report = _run(actor, pending.path, options, dry_run=True, strict=False)
    blocked = options.mode == "all_or_nothing" and bool(report.rejected)
    return ImportPreview(plan, report, blocked)


def run_import(actor: User, pending: PendingUpload, options: ImportOptions) -> UpsertReport:
    _plan, report = _run(actor, pending.path, options, dry_run=options.dry_run, strict=True)
    if not options.dry_run:
        discard(pending)
    return report


def import_file(actor: User, path: str | os.PathLike, options: ImportOptions) -> UpsertReport:
    """The API's import: one call, the file already spooled by the caller. A dry run answers
    exactly as the real run would (422 included) and writes nothing."""
    return _run(actor, Path(path), options, dry_run=options.dry_run, strict=True)[1]


def _run(actor: User, path: Path, options: ImportOptions, *, dry_run: bool, strict: bool):
    """`strict`: in all_or_nothing mode a rejected row raises (the API, the confirmation);
    the preview page instead shows them."""
    ensure_may_import(actor)
    if options.mode not in MODES:
        raise ValidationFailed(f"mode must be one of {', '.join(MODES)}.", {"mode": "invalid"})
    stage_map = parse_stage_map(options.stage_map_json)
    try:
        plan = csv_import.inspect(str(path), source=options.source, locale=options.locale)
        if plan.missing:
            raise csv_import.ImportFileError(_missing_message(plan))
        reading = csv_import.read(str(path), plan, stage_map=stage_map)
        report = UpsertReport(keep_deals=False)
        rejected = list(reading.rejected)  # the file's own problems, known before any write
        if rejected and options.mode == "all_or_nothing" and strict:
            raise _refused(rejected, reading.rejected_rows)
        for chunk in _chunks(reading.records(), CHUNK):
            apply_batch(actor, [_as_input(record) for record in chunk], "import", report)
            db.session.expunge_all()  # flushed: the transaction keeps them, memory need not
    except csv_import.ImportFileError as exc:
        db.session.rollback()
        raise ValidationFailed(exc.message, {"file": "refused"}) from exc
    report.source = plan.source
    cap = MAX_ISSUES
    late_rejections = report.rejected_rows
    report.rejected = sorted(rejected + report.rejected, key=lambda i: i.row)[:cap]
    report.warnings = sorted(list(reading.warnings) + report.warnings, key=lambda i: i.row)[:cap]
    report.rejected_rows += reading.rejected_rows
    report.warned_rows += reading.warned_rows
    if report.rejected and options.mode == "all_or_nothing" and strict:
        db.session.rollback()
        raise _refused(report.rejected, reading.rejected_rows + late_rejections)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return plan, report


def _refused(rejected: list, count: int | None = None) -> ValidationFailed:
    """`count`: every rejected row, when the list itself was capped by the reader."""
    issues = [{"row": i.row, "reason": i.reason} for i in rejected]
    total = max(count or 0, len(issues))
    return ValidationFailed(f"{total} row(s) were rejected, so nothing was imported.",
                            {"rejected": issues, "rejected_rows": total})


def _missing_message(plan) -> str:
    names = ", ".join(csv_import.LABELS.get(m, m) for m in plan.missing)
    return f"The file has no column for: {names} (read as {plan.crm})."


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _as_input(record) -> DealInput:
    return DealInput(
        external_id=record.external_id, name=record.name, stage=record.stage,
        status=record.status, close_date=record.close_date, account=record.account,
        account_domains=record.account_domains, owner_email=record.owner_email,
        owner_name=record.owner_name, amount=record.amount, currency=record.currency,
        created_at=record.created_at, closed_at=record.closed_at,
        updated_at=record.updated_at, row=record.row)


def parse_stage_map(raw: str | None) -> dict[str, str] | None:
    """`{"Gewonnen": "won", "*": "open"}` → the same dict, validated."""
    if raw is None or not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ValidationFailed("stage_map is not valid JSON.", {"stage_map": "invalid"}) from exc
    if not isinstance(value, dict) or len(value) > 500:
        raise ValidationFailed("stage_map is a JSON object of up to 500 stage labels.",
                               {"stage_map": "invalid"})
    for label, outcome in value.items():
        if outcome not in ("won", "lost", "open") or not label or len(label) > 120:
            raise ValidationFailed(f"stage_map: {label[:60]!r} must map to \"won\", \"lost\" or "
                                   "\"open\".", {"stage_map": "invalid"})
    return value


def ensure_may_import(actor: User) -> None:
    if not is_admin(actor):
        raise PermissionDenied("Only admins import deals.")

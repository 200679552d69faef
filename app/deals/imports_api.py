"""POST /api/v1/deals/imports: a CRM's CSV export, all or nothing by default."""

from __future__ import annotations

import os
import tempfile

from flask import current_app

from app.api.base import actor, api_blueprint
from app.auth.ratelimit import rate_limited
from app.core.errors import PayloadTooLarge
from app.deals import importing
from app.deals.schemas import ImportArgsSchema, ImportResultSchema
from app.storage.base import iter_chunks

blp = api_blueprint("deal_imports_api", __name__, "/deals/imports",
                    "CSV exports of Salesforce, HubSpot and Pipedrive (admins).")


@blp.route("", methods=["POST"])
@rate_limited("uploads")
@blp.arguments(ImportArgsSchema, location="files")
@blp.response(200, ImportResultSchema)
def import_deals(args):
    """Import deals from a CRM export. `row` in `rejected` and `warnings` counts data records:
    1 is the first record after the header. In `all_or_nothing` mode any rejected row gives
    422 with the list in `error.details.rejected`, and nothing is written."""
    options = importing.ImportOptions(source=args["source"], locale=args["locale"],
                                      stage_map_json=args["stage_map"], mode=args["mode"],
                                      dry_run=args["dry_run"])
    importing.ensure_may_import(actor())
    folder = current_app.config["UPLOAD_TMP_DIR"]
    os.makedirs(folder, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, prefix="deal-import-", suffix=".csv") as spool:
        _spool(args["file"].stream, spool)
        report = importing.import_file(actor(), spool.name, options)
    return {"source": report.source, "dry_run": options.dry_run,
            "imported": report.imported, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged,
            "rejected": [{"row": i.row, "reason": i.reason} for i in report.rejected],
            "warnings": [{"row": i.row, "reason": i.reason} for i in report.warnings],
            "rejected_rows": report.rejected_rows, "warned_rows": report.warned_rows,
            "new_stages": report.new_stages}


def _spool(stream, spool) -> None:
    size = 0
    for chunk in iter_chunks(stream):
        size += len(chunk)
        if size > importing.MAX_IMPORT_BYTES:
            raise PayloadTooLarge(f"The file is larger than "
                                  f"{importing.MAX_IMPORT_BYTES // 2**20} MB.")
        spool.write(chunk)
    spool.flush()

"""CSV files Lockstep writes (every analytics table downloads as one).

Spreadsheets run a cell that starts with =, +, -, @, a tab or a carriage return as a formula, so
a deal or asset name like `=HYPERLINK(...)` typed by anyone could act when a leader opens the
export. Such text gets a leading apostrophe; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

from app.storage.base import content_disposition

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize_cell(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralize_cell(v) for v in row])
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A UTF-8 CSV with a BOM (so Excel reads the accents) as an attachment."""
    body = "\ufeff" + csv_text(header, rows)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": content_disposition(filename, False)})

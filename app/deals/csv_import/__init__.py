"""Reading CRM deal exports (Salesforce reports and Data Loader extracts, HubSpot, Pipedrive)
from CSV: plain Python, no Flask, no database. The deals service builds on it:

    plan = inspect(path, source="auto", locale=None)    # preview: plan.mapping, plan.missing
    reading = read(path, plan, stage_map={"Signed": "won", "*": "open"})
    reading.rejected, reading.warnings                   # RowIssue(row, reason, column)
    for record in reading.records():                     # DealRecord, in file order
        ...

Both raise ImportFileError(message) for a file that cannot be imported at all.
"""

from app.core.csv_export import neutralize_cell
from app.deals.csv_import.locales import KNOWN as LOCALES
from app.deals.csv_import.model import (
    FIELDS,
    LABELS,
    STATUSES,
    ColumnMapping,
    DealRecord,
    ImportFileError,
    ImportPlan,
    RowIssue,
)
from app.deals.csv_import.plan import AUTO, inspect
from app.deals.csv_import.reader import ImportReading, read
from app.deals.csv_import.sfid import salesforce_id
from app.deals.csv_import.sources import SOURCES

__all__ = [
    "AUTO", "FIELDS", "LABELS", "LOCALES", "SOURCES", "STATUSES", "ColumnMapping", "DealRecord",
    "ImportFileError", "ImportPlan", "ImportReading", "RowIssue", "inspect", "neutralize_cell",
    "read", "salesforce_id",
]

"""`inspect`: from a file's bytes and header row to the plan a preview shows and `read` follows."""

from __future__ import annotations

from app.deals.csv_import.encoding import detect_encoding, header_candidates
from app.deals.csv_import.locales import normalize_locale
from app.deals.csv_import.model import ColumnMapping, ImportFileError, ImportPlan
from app.deals.csv_import.sources import (
    SOURCES,
    Source,
    detect,
    header_key,
    map_columns,
    missing_fields,
    score,
)

AUTO = "auto"


def inspect(path: str, source: str = AUTO, locale: str | None = None) -> ImportPlan:
    """Read the encoding, delimiter and header of the file at `path` and map its columns.
    A missing required column is listed in `missing` (the preview shows it; `read` refuses
    the file); a file that is not a CSV deals export raises ImportFileError."""
    locale = normalize_locale(locale)
    if source != AUTO and source not in SOURCES:
        raise ImportFileError(f"unknown source '{str(source)[:40]}'; choose one of "
                              f"{', '.join((AUTO, *SOURCES))}")
    encoding = detect_encoding(path)
    candidates = header_candidates(path, encoding)
    if source == AUTO:
        delimiter, headers = max(candidates, key=lambda c: _best_score(c[1]))
        chosen = detect(headers)
    else:
        chosen = SOURCES[source]
        delimiter, headers = max(
            candidates, key=lambda c: (score(chosen, c[1], need_marker=False), len(c[1])))
    columns = map_columns(headers, chosen)
    return ImportPlan(
        source=chosen.name, crm=chosen.crm, encoding=encoding, delimiter=delimiter,
        locale=locale, headers=tuple(headers), columns=columns,
        missing=missing_fields(columns, chosen),
        notes=_notes(chosen, columns, delimiter, locale))


def _best_score(headers: list[str]) -> tuple[int, int]:
    return max(score(s, headers) for s in SOURCES.values()), len(headers)


def _notes(source: Source, columns: tuple[ColumnMapping, ...], delimiter: str,
           locale: str | None) -> tuple[str, ...]:
    mapped = {c.field for c in columns}
    ignored = {header_key(c.header) for c in columns if c.field is None}
    notes = []
    if delimiter == ";" and locale is None:
        notes.append("';' separates the columns, as Excel does in comma-decimal locales: "
                     "amounts are read as 1,234.56 unless you choose the file's locale")
    if "ownerid" in ignored and not mapped & {"owner_email", "owner_name"}:
        notes.append("OwnerId holds Salesforce user ids, which cannot be matched to people; "
                     "add Owner.Email to the extract to keep the owners")
    if "accountid" in ignored and "account" not in mapped:
        notes.append("AccountId holds Salesforce ids, not names; add Account.Name to the "
                     "extract to keep the accounts")
    if source.status_column and "stage" in mapped:
        notes.append("open, won or lost comes from 'Deal - Status'; the stage is kept as a "
                     "label only")
    if "is_closed" in source.aliases and "is_closed" not in mapped and (
            {header_key(n) for n in source.aliases["is_closed"] + source.aliases["is_won"]}
            & ignored):
        notes.append("open, won or lost needs both the closed and the won column; with one "
                     "of them it comes from the stage")
    return tuple(notes)

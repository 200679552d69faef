"""The exports the import knows: their header names (as the products write them), how each
says whether a deal is won, and how a file's headers pick its source and map its columns."""

from __future__ import annotations

from dataclasses import dataclass

from app.deals.csv_import.model import LABELS, ColumnMapping, ImportFileError


@dataclass(frozen=True)
class Source:
    name: str
    crm: str
    title: str
    # field -> header names, the first one present wins (matched ignoring case)
    aliases: dict[str, tuple[str, ...]]
    # headers only this source writes: at least one must be present to detect it
    markers: tuple[str, ...]
    salesforce_ids: bool = False
    # a Salesforce report ends at its first blank row, before the totals and the footer
    ends_at_blank_row: bool = False
    # Pipedrive says open/won/lost in a status column and never through the stage
    status_column: bool = False


SALESFORCE_REPORT = Source(
    "salesforce_report", "salesforce", "Salesforce report",
    {"external_id": ("Opportunity ID", "Opportunity ID (18)", "Opportunity 18 Digit ID"),
     "name": ("Opportunity Name",), "account": ("Account Name",),
     "account_domains": ("Website", "Account Website"),
     "owner_name": ("Opportunity Owner", "Owner Full Name", "Owner Name"),
     "owner_email": ("Opportunity Owner Email", "Owner Email"),
     "amount": ("Amount",), "currency": ("Amount Currency", "Opportunity Currency"),
     "stage": ("Stage",), "is_closed": ("Closed",), "is_won": ("Won",),
     "close_date": ("Close Date",), "created_at": ("Created Date",),
     "updated_at": ("Last Modified Date",)},
    ("Opportunity Name", "Opportunity ID", "Opportunity Owner"),
    salesforce_ids=True, ends_at_blank_row=True)

SALESFORCE_DATALOADER = Source(
    "salesforce_dataloader", "salesforce", "Salesforce Data Loader or Data Export (Opportunity)",
    {"external_id": ("Id",), "name": ("Name",), "account": ("Account.Name",),
     "account_domains": ("Account.Website",), "owner_email": ("Owner.Email",),
     "owner_name": ("Owner.Name",), "amount": ("Amount",), "currency": ("CurrencyIsoCode",),
     "stage": ("StageName",), "is_closed": ("IsClosed",), "is_won": ("IsWon",),
     "close_date": ("CloseDate",), "created_at": ("CreatedDate",),
     "updated_at": ("LastModifiedDate",)},
    ("StageName", "CloseDate", "IsWon", "IsClosed"),
    salesforce_ids=True)

HUBSPOT = Source(
    "hubspot", "hubspot", "HubSpot deals export",
    {"external_id": ("Record ID", "Deal ID"), "name": ("Deal Name",),
     "account": ("Associated Company (Primary)", "Associated Company", "Company Name"),
     "account_domains": ("Company Domain Name", "Associated Company Domain"),
     "owner": ("Deal owner",), "amount": ("Amount",),
     "currency": ("Currency", "Deal currency code"), "stage": ("Deal Stage",),
     "close_date": ("Close Date",), "created_at": ("Create Date",),
     "updated_at": ("Last Modified Date",)},
    ("Record ID", "Deal Name", "Deal Stage"))

PIPEDRIVE = Source(
    "pipedrive", "pipedrive", "Pipedrive deals export",
    {"external_id": ("Deal - ID", "Deal - Pipedrive System ID"), "name": ("Deal - Title",),
     "account": ("Deal - Organization", "Organization"),
     "account_domains": ("Organization - Website",), "owner": ("Deal - Owner",),
     "amount": ("Deal - Value",), "currency": ("Deal - Currency", "Deal - Currency of value"),
     "stage": ("Deal - Stage", "Deal - Stage (pipeline)"), "status": ("Deal - Status",),
     "close_date": ("Deal - Expected close date",), "won_at": ("Deal - Won time",),
     "lost_at": ("Deal - Lost time",), "closed_on": ("Deal - Closed on",),
     "created_at": ("Deal - Deal created", "Deal - Creation date"),
     "updated_at": ("Deal - Update time", "Deal - Last updated")},
    ("Deal - Title", "Deal - ID", "Deal - Status", "Deal - Value"),
    status_column=True)

SOURCES = {s.name: s for s in (SALESFORCE_REPORT, SALESFORCE_DATALOADER, HUBSPOT, PIPEDRIVE)}


def header_key(header: str) -> str:
    return header.strip().casefold()


def score(source: Source, headers: list[str], *, need_marker: bool = True) -> int:
    """How many of the headers this source knows; 0 unless one of its markers is present."""
    keys = {header_key(h) for h in headers}
    if need_marker and not any(header_key(m) in keys for m in source.markers):
        return 0
    known = {header_key(n) for names in source.aliases.values() for n in names}
    return len(keys & known)


def detect(headers: list[str]) -> Source:
    ranked = sorted(((score(s, headers), s.name) for s in SOURCES.values()), reverse=True)
    (best, name), (second, other) = ranked[0], ranked[1]
    if best == 0:
        shown = ", ".join(f"'{h[:40]}'" for h in headers[:6])
        raise ImportFileError(
            "these columns are not a Salesforce, HubSpot or Pipedrive deals export "
            f"(the header starts {shown}); export the deals again or choose the source")
    if best == second:
        raise ImportFileError(f"the columns fit both {SOURCES[name].title} and "
                              f"{SOURCES[other].title}; choose the source")
    return SOURCES[name]


def map_columns(headers: list[str], source: Source) -> tuple[ColumnMapping, ...]:
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        positions.setdefault(header_key(header), []).append(index)
    fields: dict[int, str] = {}
    for field, names in source.aliases.items():
        found = next((positions[k] for k in map(header_key, names) if k in positions), None)
        if found is None:
            continue
        if len(found) > 1:
            raise ImportFileError(f"the column '{headers[found[0]][:60]}' appears "
                                  f"{len(found)} times; keep one")
        fields[found[0]] = field
    if ("is_closed" in fields.values()) != ("is_won" in fields.values()):
        fields = {i: f for i, f in fields.items() if f not in ("is_closed", "is_won")}
    return tuple(ColumnMapping(i, h, fields.get(i)) for i, h in enumerate(headers))


def missing_fields(columns: tuple[ColumnMapping, ...], source: Source) -> tuple[str, ...]:
    mapped = {c.field for c in columns}
    missing = [f for f in ("external_id", "name", "close_date") if f not in mapped]
    if source.status_column:
        if "status" not in mapped:
            missing.append("status")
    elif "stage" not in mapped and "is_closed" not in mapped:
        missing.append("stage")
    return tuple(missing)


def describe_missing(missing: tuple[str, ...], source: Source) -> str:
    parts = []
    for field in missing:
        names = [repr(n) for n in source.aliases[field]]
        if field == "stage" and "is_closed" in source.aliases:
            names.append(f"{source.aliases['is_closed'][0]!r} with "
                         f"{source.aliases['is_won'][0]!r}")
        parts.append(f"{LABELS[field]} ({' or '.join(names)})")
    return f"the {source.title} has no column for " + "; ".join(parts)

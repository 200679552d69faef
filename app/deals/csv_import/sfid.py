"""Salesforce record ids. Reports show the 15-character id, which is case-sensitive; Data Loader
and the API write the 18-character form, whose last 3 characters encode the case of the first
15. Both become the 18-character form, so one opportunity read from either file is one deal.
Ids are never case-folded: ...QkR2m and ...QkR2M are two records."""

from __future__ import annotations

import re

from app.deals.csv_import.model import ValueProblem
from app.deals.csv_import.text import shown

_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def checksum(id15: str) -> str:
    """The 3-character suffix: per block of 5 characters, a bit for each upper-case letter."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(id15[start:start + 5]) if "A" <= ch <= "Z")
        suffix += _ALPHABET[bits]
    return suffix


def salesforce_id(raw: str) -> str:
    """The 18-character id, or ValueProblem (not an id, or an 18-character id whose suffix
    does not match the case of its first 15 characters)."""
    text = raw.strip()
    if not _ID.fullmatch(text):
        raise ValueProblem(f"{shown(raw)} is not a Salesforce id (15 or 18 letters and digits)")
    expected = checksum(text[:15])
    if len(text) == 18 and text[15:] != expected:
        raise ValueProblem(f"Salesforce id {shown(raw)} has a wrong checksum: its last 3 "
                           f"characters should be '{expected}'")
    return text[:15] + expected

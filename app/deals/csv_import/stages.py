"""Open, won or lost: from the CRM's flags or status when the file has them, else from the
stage label through the caller's stage map.

A stage map is {label: 'open' | 'won' | 'lost'}, labels matched ignoring case and runs of
spaces, with '*' for every other label. 'Closed Won' and 'Closed Lost' (and HubSpot's API ids
closedwon / closedlost) need no entry. A label that looks closed ('Closed - Cancelled',
'Verloren') is never made open by '*' or by default: it must be named, or its row is rejected.
"""

from __future__ import annotations

import re

from app.deals.csv_import.model import STATUSES, ImportFileError, ValueProblem
from app.deals.csv_import.text import LIMITS, shown

BUILT_IN = {"closed won": "won", "closed lost": "lost", "closedwon": "won",
            "closedlost": "lost", "won": "won", "lost": "lost"}
MAX_ENTRIES = 1000
_CLOSED_LOOKING = re.compile(
    r"\b(closed|won|lost|dead|cancell?ed|geschlossen|abgeschlossen|gewonnen|verloren"
    r"|gagn[ée]e?|perdue?|ferm[ée]e?|ganad[oa]|perdid[oa]|cerrad[oa]|vint[oa]|pers[oa]"
    r"|chius[oa]|gesloten)\b|closedwon|closedlost", re.IGNORECASE)
_TRUE = frozenset(("true", "1", "yes"))
_FALSE = frozenset(("false", "0", "no"))


def stage_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def looks_closed(label: str) -> bool:
    return _CLOSED_LOOKING.search(label) is not None


class StageMap:
    def __init__(self, mapping: dict[str, str] | None = None):
        self._labels: dict[str, tuple[str, str]] = {}
        self._rest: str | None = None
        if mapping is None:
            return
        if not isinstance(mapping, dict) or len(mapping) > MAX_ENTRIES:
            raise ImportFileError(
                f"the stage map must be at most {MAX_ENTRIES} stage labels, each mapped to "
                "'open', 'won' or 'lost'")
        for label, status in mapping.items():
            self._add(label, status)

    def _add(self, label, status) -> None:
        if not isinstance(label, str) or not label.strip() or len(label) > LIMITS["stage"]:
            raise ImportFileError(f"stage map: {shown(str(label))} is not a stage label")
        if status not in STATUSES:
            raise ImportFileError(f"stage map: {shown(label)} maps to {shown(str(status))}; "
                                  "use 'open', 'won' or 'lost'")
        if label.strip() == "*":
            self._rest = status
            return
        key = stage_key(label)
        earlier = self._labels.get(key)
        if earlier and earlier[1] != status:
            raise ImportFileError(f"stage map: {shown(earlier[0])} and {shown(label)} are one "
                                  "label with two outcomes")
        self._labels[key] = (label, status)

    def status_of(self, label: str) -> str:
        key = stage_key(label)
        if key in self._labels:
            return self._labels[key][1]
        if key in BUILT_IN:
            return BUILT_IN[key]
        closed = looks_closed(label)
        if self._rest and not (closed and self._rest == "open"):
            return self._rest
        if closed:
            raise ValueProblem(f"stage {shown(label)} looks closed, but the stage map does not "
                               "say whether it is won or lost; add it to the stage map")
        return "open"


def parse_flag(raw: str) -> bool:
    value = raw.strip().casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueProblem(f"{shown(raw)} is not true or false")


def status_from_flags(closed: bool, won: bool) -> str:
    if won and not closed:
        raise ValueProblem("the deal is marked won but not closed")
    if not closed:
        return "open"
    return "won" if won else "lost"


def status_from_word(raw: str) -> str:
    value = raw.strip().casefold()
    if value not in STATUSES:
        raise ValueProblem(f"status {shown(raw)} is not open, won or lost")
    return value

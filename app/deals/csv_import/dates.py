"""Dates and datetimes as CRMs and spreadsheets write them.

Always read: ISO (2026-03-15, 2026-03-15T14:22:10.000Z, 2026-03-15 14:22), year first with
slashes (2026/03/15) and d.M.yyyy (the dot means day first). A slash or dash date with the year
last (03/15/2026) is read by the file's locale, or without one only when a part over 12 shows
which is the day (or both parts are equal). Ambiguous dates, two-digit years, Excel serial
numbers, month names and dates that do not exist are rejected with the reason. A time without
an offset is taken as UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import NamedTuple

from app.deals.csv_import.locales import FileLocale
from app.deals.csv_import.model import ValueProblem
from app.deals.csv_import.text import shown

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
_TIME = (r"(?:T|,?\s+)(?P<hh>[0-9]{1,2}):(?P<mi>[0-9]{2})"
         r"(?::(?P<ss>[0-9]{2})(?:[.,](?P<frac>[0-9]{1,9}))?)?"
         r"(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?(?:\s*(?P<tz>Z|[+-][0-9]{2}:?[0-9]{2}))?")
_ISO = re.compile(rf"(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}})(?:{_TIME})?")
_YEAR_FIRST = re.compile(rf"(?P<y>[0-9]{{4}})/(?P<m>[0-9]{{1,2}})/(?P<d>[0-9]{{1,2}})(?:{_TIME})?")
_DOTTED = re.compile(rf"(?P<d>[0-9]{{1,2}})\.(?P<m>[0-9]{{1,2}})\.(?P<y>[0-9]+)(?:{_TIME})?")
_YEAR_LAST = re.compile(
    rf"(?P<a>[0-9]{{1,2}})(?P<sep>[/-])(?P<b>[0-9]{{1,2}})(?P=sep)(?P<y>[0-9]+)(?:{_TIME})?")
_SERIAL = re.compile(r"[0-9]{4,6}(?:[.,][0-9]+)?")
_WORD = re.compile(r"[^\W\d_]+")
# First three letters of month names and abbreviations in en, de, fr, es, it and nl.
_MONTH_STARTS = frozenset(
    "jan feb mar apr may jun jul aug sep oct nov dec jän mär mrz mai okt dez fév fev avr jui "
    "aoû aou déc ene abr ago dic gen mag giu lug set ott maa mei".split())


class When(NamedTuple):
    """A date as written, with the time of day and offset when the cell had them."""

    day: date
    clock: time | None = None
    offset: tzinfo | None = None

    def utc(self) -> datetime:
        moment = datetime.combine(self.day, self.clock or time.min, self.offset or UTC)
        return moment.astimezone(UTC)


def parse_when(raw: str, locale: FileLocale) -> When | None:
    """None for a blank cell, else the date, or ValueProblem with the reason."""
    text = raw.strip()
    if not text:
        return None
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        fast = _fast_iso(text)
        if fast is not None:
            return fast
    for pattern, reader in _READERS:
        match = pattern.fullmatch(text)
        if match:
            day = reader(match, raw, locale)
            return When(day, *_clock(match, raw))
    raise ValueProblem(_why_not(raw, text))


def _fast_iso(text: str) -> When | None:
    """The C parser for the ISO forms exports write most; None sends the value through the
    patterns below, which also say what is wrong."""
    try:
        if len(text) == 10:
            return When(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return When(moment.date(), moment.time(), moment.tzinfo)


def _iso(match: re.Match, raw: str, locale: FileLocale) -> date:
    return _day(raw, int(match["y"]), int(match["m"]), int(match["d"]))


def _dotted(match: re.Match, raw: str, locale: FileLocale) -> date:
    year = _year(match["y"], raw)
    return _day(raw, year, int(match["m"]), int(match["d"]), " (d.M.yyyy puts the day first)")


def _year_last(match: re.Match, raw: str, locale: FileLocale) -> date:
    year = _year(match["y"], raw)
    a, b, sep = int(match["a"]), int(match["b"]), match["sep"]
    order = locale.date_order if locale.date_order in ("MDY", "DMY") else None
    if order is None:
        order = _evident_order(a, b, sep, raw)
    if order == "MDY":
        return _day(raw, year, a, b, f" (read as M{sep}d{sep}yyyy)")
    return _day(raw, year, b, a, f" (read as d{sep}M{sep}yyyy)")


def _evident_order(a: int, b: int, sep: str, raw: str) -> str:
    """Without a locale: the order the value shows by itself, else ValueProblem."""
    if min(a, b) == 0 or min(a, b) > 12:
        raise ValueProblem(f"date {shown(raw)} does not exist")
    if b > 12 or a == b:
        return "MDY"
    if a > 12:
        return "DMY"
    raise ValueProblem(
        f"ambiguous date {shown(raw)}: {MONTHS[a - 1]} {b} (M{sep}d{sep}yyyy) or "
        f"{a} {MONTHS[b - 1]} (d{sep}M{sep}yyyy); choose the file's locale")


_READERS = ((_ISO, _iso), (_YEAR_FIRST, _iso), (_DOTTED, _dotted), (_YEAR_LAST, _year_last))


def _year(digits: str, raw: str) -> int:
    if len(digits) == 2:
        raise ValueProblem(f"date {shown(raw)} has a two-digit year; write the year in full")
    if len(digits) != 4:
        raise ValueProblem(f"{shown(raw)} is not a date")
    return int(digits)


def _day(raw: str, year: int, month: int, day: int, hint: str = "") -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"date {shown(raw)} does not exist{hint}") from None


def _clock(match: re.Match, raw: str) -> tuple[time | None, tzinfo | None]:
    if match["hh"] is None:
        return None, None
    hour, minute, second = int(match["hh"]), int(match["mi"]), int(match["ss"] or 0)
    micro = int((match["frac"] or "0")[:6].ljust(6, "0"))
    try:
        if match["ampm"]:
            if not 1 <= hour <= 12:
                raise ValueError("hour")
            hour = hour % 12 + (12 if match["ampm"][0] in "Pp" else 0)
        return time(hour, minute, second, micro), _offset(match["tz"])
    except ValueError:
        raise ValueProblem(f"time in {shown(raw)} does not exist") from None


def _offset(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return timezone(-delta if text[0] == "-" else delta)


def _why_not(raw: str, text: str) -> str:
    if _SERIAL.fullmatch(text):
        return (f"date {shown(raw)} looks like an Excel serial number; format the column "
                "as a date before saving")
    words = [w.casefold() for w in _WORD.findall(text)]
    if any(ch.isdigit() for ch in text) and any(w[:3] in _MONTH_STARTS for w in words):
        return f"date {shown(raw)} has a month name; write it with digits, e.g. 2026-03-15"
    return f"{shown(raw)} is not a date"

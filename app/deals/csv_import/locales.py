"""The file's locale: how its slash dates and its numbers are written.

A small table instead of Babel: CRM exports and Excel re-saves use a handful of layouts (1,234.56;
1.234,56 or 1 234,56; 1'234.56), and the table says exactly which separators a file may use,
where CLDR data would add grouping rules and symbols these files never contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.deals.csv_import.model import ImportFileError


@dataclass(frozen=True)
class NumberFormat:
    decimal: str
    groups: tuple[str, ...]
    example: str

    def __post_init__(self):
        dec = re.escape(self.decimal)
        plain = rf"[0-9]+(?:{dec}[0-9]+)?"
        grouped = [rf"[0-9]{{1,3}}(?:{re.escape(g)}[0-9]{{3}})+(?:{dec}[0-9]+)?"
                   for g in self.groups]
        object.__setattr__(self, "_pattern", re.compile("|".join([plain, *grouped])))

    def parse(self, text: str) -> tuple[str, str] | None:
        """(integer digits, fraction digits) of a number in this format, else None."""
        if not self._pattern.fullmatch(text):
            return None
        whole, _, fraction = text.partition(self.decimal)
        for group in self.groups:
            whole = whole.replace(group, "")
        return whole, fraction


EN = NumberFormat(".", (",",), "1,234.56")
# Space groups come as typed, as a no-break space (Excel) or as a narrow one (fr_FR).
COMMA = NumberFormat(",", (".", " ", "\u00a0", "\u202f"), "1.234,56")
SWISS = NumberFormat(".", ("'", "\u2019"), "1'234.56")

# Order of the day and month in slash or dash dates; d.M.yyyy is always day first.
_TABLE = {
    "en_US": ("MDY", EN), "en_GB": ("DMY", EN), "en_AU": ("DMY", EN), "en_NZ": ("DMY", EN),
    "en_IE": ("DMY", EN), "en_IN": ("DMY", EN), "es_MX": ("DMY", EN),
    "de_DE": ("DMY", COMMA), "de_AT": ("DMY", COMMA), "de_CH": ("DMY", SWISS),
    "fr_FR": ("DMY", COMMA), "fr_BE": ("DMY", COMMA), "es_ES": ("DMY", COMMA),
    "it_IT": ("DMY", COMMA), "nl_NL": ("DMY", COMMA), "nl_BE": ("DMY", COMMA),
    "pt_PT": ("DMY", COMMA), "pt_BR": ("DMY", COMMA), "da_DK": ("DMY", COMMA),
    "nb_NO": ("DMY", COMMA), "fi_FI": ("DMY", COMMA), "pl_PL": ("DMY", COMMA),
    "cs_CZ": ("DMY", COMMA), "sv_SE": ("YMD", COMMA),
    "ja_JP": ("YMD", EN), "zh_CN": ("YMD", EN), "zh_TW": ("YMD", EN), "ko_KR": ("YMD", EN),
}
KNOWN = tuple(sorted(_TABLE))


@dataclass(frozen=True)
class FileLocale:
    name: str | None
    date_order: str | None
    numbers: NumberFormat

    @property
    def label(self) -> str:
        return self.name or "en"


# No locale given: numbers are en; a slash date must say by itself which part is the day.
DEFAULT = FileLocale(None, None, EN)


def normalize_locale(value: str | None) -> str | None:
    """'de-de' -> 'de_DE'; None stays None; an unknown locale is a file-level error."""
    if value is None or not value.strip():
        return None
    lang, _, region = value.strip().replace("-", "_").partition("_")
    name = f"{lang.lower()}_{region.upper()}"
    if name not in _TABLE:
        raise ImportFileError(f"unknown locale '{value[:20]}'; known: {', '.join(KNOWN)}")
    return name


def resolve_locale(name: str | None) -> FileLocale:
    name = normalize_locale(name)
    if name is None:
        return DEFAULT
    order, numbers = _TABLE[name]
    return FileLocale(name, order, numbers)

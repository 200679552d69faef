"""Amounts: a Decimal of at most Numeric(18, 2), 0 or more, in the file's number format.

Rules: blank is no amount. One leading ISO code is allowed ('USD 7,900.00'). Currency symbols,
suffixes ('12k'), signs, accounting brackets, more than 2 decimal places and more than 16 digits
before the point are rejected, not rounded or guessed: an amount is money, and a silently
changed amount is worse than a rejected row. A number that only the other family of locales
would read ('1.200,50' in an en file) is rejected naming the format the file is read in.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from app.deals.csv_import.locales import COMMA, EN, FileLocale
from app.deals.csv_import.model import ValueProblem
from app.deals.csv_import.text import currency_code, shown

MAX_AMOUNT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")
_LEADING_CODE = re.compile(r"([A-Za-z]{3})\s+(.+)")
_SUFFIX = re.compile(r".*[0-9.,]\s*[A-Za-z]+\.?")


def parse_amount(raw: str, locale: FileLocale) -> tuple[Decimal | None, str | None]:
    """(amount, currency from a leading ISO code) or ValueProblem naming the value."""
    text = raw.strip()
    if not text:
        return None, None
    code = None
    leading = _LEADING_CODE.fullmatch(text)
    if leading:
        try:
            code = currency_code(leading.group(1))
        except ValueProblem as exc:
            raise ValueProblem(f"amount {shown(raw)}: {exc}") from None
        text = leading.group(2).strip()
    return _number(raw, text, locale), code


def _number(raw: str, text: str, locale: FileLocale) -> Decimal:
    parts = locale.numbers.parse(text)
    if parts is None:
        raise ValueProblem(_why_not(raw, text, locale))
    whole, fraction = parts
    if len(fraction) > 2:
        raise ValueProblem(f"amount {shown(raw)} has more than 2 decimal places"
                           + _hint(text, locale))
    amount = Decimal(f"{whole}.{fraction or '0'}")
    if amount > MAX_AMOUNT:
        raise ValueProblem(f"amount {shown(raw)} is too large (at most {MAX_AMOUNT})")
    return amount.quantize(CENT)


def _why_not(raw: str, text: str, locale: FileLocale) -> str:
    value = f"amount {shown(raw)}"
    if text.startswith("(") and text.endswith(")"):
        return f"{value} is negative (accounting brackets); amounts are 0 or more"
    if text.startswith(("-", "\u2212")) or text.endswith("-"):
        return f"{value} is negative; amounts are 0 or more"
    if any(unicodedata.category(ch) == "Sc" for ch in text):
        return f"{value} has a currency symbol; give the ISO code in a currency column"
    if _SUFFIX.fullmatch(text):
        return f"{value} has a suffix; write the whole number"
    other = _other(locale)
    if other.numbers.parse(text) is not None:
        return (f"{value} is not a number in the {locale.label} format "
                f"({locale.numbers.example}){_locale_advice(locale)}")
    return f"{value} is not a number"


def _hint(text: str, locale: FileLocale) -> str:
    """Three decimals are often thousands in the other format: say so."""
    other = _other(locale).numbers.parse(text)
    if other is None or len(other[1]) > 2:
        return ""
    return f" (read in the {locale.label} format, {locale.numbers.example})" + _locale_advice(
        locale)


def _other(locale: FileLocale) -> FileLocale:
    if locale.numbers is EN:
        return FileLocale("de_DE", "DMY", COMMA)
    return FileLocale("en_US", "MDY", EN)


def _locale_advice(locale: FileLocale) -> str:
    if locale.name is None:
        return f"; if the file writes {COMMA.example}, choose its locale (e.g. de_DE)"
    return ""

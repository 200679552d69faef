"""One reporting currency for every amount, from a configurable rate table.

`INSIGHTS_RATES` ("EUR=1.08, GBP=1.27") gives what one unit of each currency is worth in
`INSIGHTS_REPORTING_CURRENCY`. Converted amounts are rounded to cents once, at the end of a sum,
so conversion never makes attributed totals drift from the won total by more than that rounding.
An amount in a currency without a rate (or a deal without a currency) is kept apart and shown as
unconverted rather than counted at a guessed rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import current_app

from app.deals.currencies import is_currency

CENT = Decimal("0.01")


class RateTableError(ValueError):
    pass


@dataclass(frozen=True)
class Rates:
    reporting: str
    rates: dict[str, Decimal]

    def rate(self, currency: str) -> Decimal | None:
        if currency == self.reporting:
            return Decimal(1)
        return self.rates.get(currency)


@dataclass
class Money:
    """A sum in the reporting currency, and what could not be converted, per currency."""
    amount: Decimal = Decimal(0)
    unconverted: dict[str, Decimal] = field(default_factory=dict)

    def add(self, rates: Rates, currency: str, value: Decimal) -> None:
        if not value:
            return
        rate = rates.rate(currency)
        if rate is None:
            key = currency or "none"
            self.unconverted[key] = self.unconverted.get(key, Decimal(0)) + Decimal(value)
        else:
            self.amount += Decimal(value) * rate

    def rounded(self) -> Decimal:
        return self.amount.quantize(CENT)


def parse_rates(reporting: str, text: str) -> Rates:
    reporting = (reporting or "").strip().upper()
    if not is_currency(reporting):
        raise RateTableError(f"INSIGHTS_REPORTING_CURRENCY {reporting!r} is not an ISO 4217 code")
    rates: dict[str, Decimal] = {}
    for part in (text or "").replace(";", ",").split(","):
        if not part.strip():
            continue
        code, _, value = part.partition("=")
        code = code.strip().upper()
        try:
            rate = Decimal(value.strip())
        except InvalidOperation:
            rate = Decimal(-1)
        if not is_currency(code) or not rate.is_finite() or rate <= 0:
            raise RateTableError(f"INSIGHTS_RATES: {part.strip()!r} is not CODE=positive number")
        rates[code] = rate
    return Rates(reporting, rates)


def current_rates() -> Rates:
    config = current_app.config
    return parse_rates(config["INSIGHTS_REPORTING_CURRENCY"], config["INSIGHTS_RATES"])

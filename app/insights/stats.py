"""Pure statistics for the insights area: intervals, tests, pooled ratios, attribution.

No database and no Flask: queries hand these functions plain counts and amounts, so every number a
leader sees can be checked by hand (and is, in tests/insights/test_stats.py). Only the standard
library is used; SciPy is deliberately not a dependency.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal: a two-sided 95% interval
CENT = Decimal("0.01")
MODELS = ("first_touch", "last_touch", "linear", "position_based")

# R's fisher.test (and SciPy) treat tables whose probability is within this relative distance of
# the observed one as "as extreme", so floating-point noise cannot drop an exact tie.
_FISHER_REL_TOL = 1e-7

Stratum = tuple[int, int, int, int]


def _check_counts(*counts: int) -> None:
    for count in counts:
        if count < 0:
            raise ValueError(f"counts must be non-negative, got {count}")


def wilson_interval(successes: int, trials: int,
                    z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for successes/trials (95% by default); None with no trials.

    Wilson rather than the textbook p +/- z*sqrt(p(1-p)/n) because win rates are often computed on
    a handful of deals: it never leaves [0, 1] and does not collapse to zero width at 0/n or n/n.
    """
    _check_counts(successes, trials)
    if successes > trials:
        raise ValueError(f"successes ({successes}) exceed trials ({trials})")
    if not z > 0:
        raise ValueError(f"z must be positive, got {z}")
    if trials == 0:
        return None
    p = successes / trials
    z2_n = z * z / trials
    centre = (p + z2_n / 2) / (1 + z2_n)
    half = z * math.sqrt(p * (1 - p) / trials + z2_n / (4 * trials)) / (1 + z2_n)
    # At 0/n and n/n the bound is exactly 0 or 1 in theory; pin it so rounding cannot show 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


# log(n!) for n = 0, 1, ...: a dashboard tests thousands of tables on the same deals, so the
# factorials are looked up rather than recomputed (the list only grows, replaced whole).
_log_factorials: list[float] = [0.0]
_growing = threading.Lock()


def _log_factorial_table(n: int) -> list[float]:
    global _log_factorials
    table = _log_factorials
    if n < len(table):
        return table
    with _growing:
        table = _log_factorials
        if n >= len(table):
            table = table + [math.lgamma(i + 1) for i in range(len(table), 2 * n + 1)]
            _log_factorials = table
    return table


@functools.lru_cache(maxsize=65536)  # the same tables come back on every dashboard view
def fisher_exact_p(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact p-value for [[a, b], [c, d]] (rows influenced / not, cols won / lost).

    With the margins fixed, `a` follows a hypergeometric distribution; the p-value is the total
    probability of the tables no more likely than the observed one (up to a 1e-7 relative
    tolerance, as R and SciPy do). Probabilities are built in log space from log-factorials, so
    50,000 per cell neither overflows nor takes long. The distribution is unimodal, so the sums
    walk outwards from its mode and stop, on each side, at the first table more than 1e20 times
    less likely than the observed one: the tables beyond it fall off faster still, and adding
    them would not change either sum in double precision. A dashboard tests thousands of assets
    against 100,000 deals, and this visits a few hundred tables per asset instead of every one.
    """
    _check_counts(a, b, c, d)
    row1, row2, col1 = a + b, c + d, a + c
    low, high = max(0, col1 - row2), min(row1, col1)
    if low == high:
        return 1.0  # one possible table (e.g. an empty row): nothing is more extreme
    # log C(row1, x) + log C(row2, col1 - x), less the terms that do not depend on x. The
    # hypergeometric denominator C(n, col1) is a constant too, so the probabilities are
    # normalised by their sum instead (R does the same), which keeps the whole distribution
    # summing to 1 despite rounding.
    lf = _log_factorial_table(row1 + row2)
    shift = row2 - col1

    def log_weight(x: int) -> float:
        return -(lf[x] + lf[row1 - x] + lf[col1 - x] + lf[shift + x])

    mode = min(high, max(low, (col1 + 1) * (row1 + 1) // (row1 + row2 + 2)))
    peak, observed = log_weight(mode), log_weight(a)
    negligible = observed - _NEGLIGIBLE_LOG
    cutoff = math.exp(observed - peak) * (1 + _FISHER_REL_TOL)
    weights: list[float] = []
    for side in (range(mode, high + 1), range(mode - 1, low - 1, -1)):
        for x in side:
            value = log_weight(x)
            weights.append(math.exp(value - peak))
            if value < negligible:
                break
    extreme = math.fsum(w for w in weights if w <= cutoff)
    return min(1.0, extreme / math.fsum(weights))


_NEGLIGIBLE_LOG = 20 * math.log(10)


def _informative(strata: Sequence[Stratum]) -> list[Stratum]:
    """Strata that say something about influenced vs baseline: both rows non-empty.

    An empty stratum or one with only influenced (or only baseline) deals has no comparison inside
    it; it would add zero to both sums anyway, but skipping it says so.
    """
    kept = []
    for stratum in strata:
        _check_counts(*stratum)
        a, b, c, d = stratum
        if a + b > 0 and c + d > 0:
            kept.append(stratum)
    return kept


def mantel_haenszel_odds_ratio(strata: Sequence[Stratum]) -> float | None:
    """Cochran-Mantel-Haenszel pooled odds ratio: sum(a*d/n) / sum(b*c/n) over the strata.

    Each stratum is (a, b, c, d) = (influenced won, influenced lost, baseline won, baseline lost),
    e.g. one per segment or quarter, so the comparison is made within like deals. This is the odds
    ratio, the quantity a Fisher / CMH test is about; it is not the lift (see the risk ratio).
    None when undefined: no informative strata, or a zero denominator (no influenced losses paired
    with baseline wins, i.e. an infinite or 0/0 ratio).
    """
    num = den = 0.0
    for a, b, c, d in _informative(strata):
        n = a + b + c + d
        num += a * d / n
        den += b * c / n
    return num / den if den > 0 else None


def mantel_haenszel_risk_ratio(strata: Sequence[Stratum]) -> float | None:
    """Mantel-Haenszel pooled risk ratio: sum(a*(c+d)/n) / sum(c*(a+b)/n), same strata as above.

    Within one stratum it is (a/(a+b)) / (c/(c+d)): influenced win rate over baseline win rate,
    which is exactly `lift`. So the stratified ("matched") lift is this ratio, not the odds ratio;
    the two agree only when win rates are small, and win rates are not. None when undefined (no
    informative strata or no baseline wins).
    """
    num = den = 0.0
    for a, b, c, d in _informative(strata):
        n = a + b + c + d
        num += a * (c + d) / n
        den += c * (a + b) / n
    return num / den if den > 0 else None


def lift(win_rate: float | None, baseline: float | None) -> float | None:
    """Win rate relative to the baseline win rate (1.0 = no difference); None if either is
    unknown or the baseline is 0 (a ratio to nothing is not a number a leader can use)."""
    if win_rate is None or baseline is None or baseline == 0:
        return None
    return win_rate / baseline


def median(values: Sequence[float]) -> float | None:
    """The median (mean of the middle two for an even count); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2


# --- Attribution ------------------------------------------------------------------------------

def _distinct(touches: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(touches))  # first-occurrence order


def _position_weights(touches: Sequence[str]) -> dict[str, Fraction]:
    """40% to the first event's asset, 40% to the last event's, 20% shared by the middle.

    The middle is the distinct assets of the events in between, other than the first and last
    assets. With no middle, its 20% goes half to the first position and half to the last. Shares
    add up when one asset holds both positions, so: A -> 100%; A, B -> 50/50; A, B, A -> A 80%,
    B 20%; A, A, B -> 50/50.
    """
    first, last = touches[0], touches[-1]
    middle = [key for key in _distinct(touches[1:-1]) if key not in (first, last)]
    weights: dict[str, Fraction] = {key: Fraction(0) for key in _distinct(touches)}
    edge = Fraction(2, 5) if middle else Fraction(1, 2)
    weights[first] += edge
    weights[last] += edge
    for key in middle:
        weights[key] += Fraction(1, 5) / len(middle)
    return {key: share for key, share in weights.items() if share}


def _weights(touches: Sequence[str], model: str) -> dict[str, Fraction]:
    if model == "first_touch":
        return {touches[0]: Fraction(1)}
    if model == "last_touch":
        return {touches[-1]: Fraction(1)}
    if model == "linear":
        keys = _distinct(touches)
        return {key: Fraction(1, len(keys)) for key in keys}
    if model == "position_based":
        return _position_weights(touches)
    raise ValueError(f"unknown attribution model {model!r}; expected one of {MODELS}")


def _split_cents(cents: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Largest remainder: floor every exact share, then hand the leftover cents to the largest
    fractional parts, ties to the key that comes first (first touch order), so it is repeatable."""
    exact = {key: share * cents for key, share in weights.items()}
    parts = {key: math.floor(value) for key, value in exact.items()}
    leftover = cents - sum(parts.values())
    order = sorted(enumerate(exact), key=lambda item: (-(exact[item[1]] - parts[item[1]]), item[0]))
    for _, key in order[:leftover]:
        parts[key] += 1
    return parts


def attribute(amount: Decimal, touches: Sequence[str], model: str) -> dict[str, Decimal]:
    """Split one won deal's amount among the assets that touched it, in cents that add up exactly.

    `touches` is the deal's usage events in time order, one asset key per event; keys may repeat.
    - first_touch: everything to the asset of the first event.
    - last_touch: everything to the asset of the last event.
    - linear: an even split among the distinct assets (an asset used five times counts once).
    - position_based: see `_position_weights` (40 / 20 / 40, middle = distinct in-between assets).
    Shares are exact fractions; cents are then dealt by largest remainder, ties to the asset that
    first appears earliest. Keys come back in first-touch order with 2-decimal Decimal values.
    `amount` must be a finite, non-negative Decimal with at most 2 decimal places (otherwise the
    parts could not add up to it), and `touches` must not be empty (an untouched deal is
    unattributed: the caller decides how to show it).
    """
    if not touches:
        raise ValueError("a deal with no touches cannot be attributed")
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ValueError(f"amount must be a non-negative number of cents, got {amount}")
    cents = int(amount * 100)
    parts = _split_cents(cents, _weights(touches, model))
    return {key: (Decimal(value) / 100).quantize(CENT) for key, value in parts.items()}

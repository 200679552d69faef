"""The insights statistics against numbers worked out by hand or taken from published examples.

No database: these are pure functions. SciPy is not a dependency, so nothing here compares to it;
the Fisher tests use textbook tables and an exact rational reference built from math.comb.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.insights.stats import (
    MODELS,
    attribute,
    fisher_exact_p,
    lift,
    mantel_haenszel_odds_ratio,
    mantel_haenszel_risk_ratio,
    median,
    wilson_interval,
)

Z2 = 1.959963984540054 ** 2  # 3.841459...


# --- Wilson -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("successes", "trials", "expected"), [
    # 7/10: p = 0.7, z^2/n = 0.384146. centre = (0.7 + 0.192073) / 1.384146 = 0.644493;
    # half = 1.959964 * sqrt(0.7*0.3/10 + 0.384146/40) / 1.384146
    #      = 1.959964 * sqrt(0.021 + 0.009604) / 1.384146 = 0.247715  ->  (0.3968, 0.8922)
    (7, 10, (0.3968, 0.8922)),
    # 0/10: centre = half = (z^2/20) / (1 + z^2/10), so low = 0, high = z^2 / (10 + z^2)
    #       = 3.841459 / 13.841459 = 0.2775
    (0, 10, (0.0, 0.2775)),
    # 10/10 mirrors 0/10: low = 10 / 13.841459 = 0.7225, high = 1
    (10, 10, (0.7225, 1.0)),
    # 1/1: low = 1 / (1 + z^2) = 1 / 4.841459 = 0.2065, high = 1
    (1, 1, (0.2065, 1.0)),
])
def test_wilson_matches_hand_computation(successes, trials, expected):
    low, high = wilson_interval(successes, trials)
    assert (round(low, 4), round(high, 4)) == expected


def test_wilson_edges_are_exact_and_closed_forms_hold():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 10)[1] == pytest.approx(Z2 / (10 + Z2), rel=1e-12)
    assert wilson_interval(1, 1)[0] == pytest.approx(1 / (1 + Z2), rel=1e-12)
    low, high = wilson_interval(3, 10, z=1.0)  # any z works: 90%, 99%, ...
    assert 0 < low < 0.3 < high < 1


def test_wilson_without_trials_is_none():
    assert wilson_interval(0, 0) is None


@pytest.mark.parametrize(("successes", "trials", "z"), [
    (-1, 10, 1.96), (1, -1, 1.96), (11, 10, 1.96), (1, 10, 0.0), (1, 10, -1.0),
])
def test_wilson_rejects_bad_input(successes, trials, z):
    with pytest.raises(ValueError):
        wilson_interval(successes, trials, z=z)


# --- Fisher -----------------------------------------------------------------------------------

def exact_fisher(a: int, b: int, c: int, d: int) -> Fraction:
    """Reference in exact integers: C(r1, x) * C(r2, c1 - x) over the support, same 1e-7 rule."""
    row1, row2, col1 = a + b, c + d, a + c
    support = range(max(0, col1 - row2), min(row1, col1) + 1)
    weight = {x: math.comb(row1, x) * math.comb(row2, col1 - x) for x in support}
    observed = weight[a]
    extreme = sum(w for w in weight.values() if w * 10**7 <= observed * (10**7 + 1))
    return Fraction(extreme, sum(weight.values()))


def test_fisher_lady_tasting_tea():
    # Fisher's own example: margins all 4. P(a=x) = C(4,x) C(4,4-x) / C(8,4) = 1, 16, 36, 16, 1
    # over 70. Observed a=3 (16/70); as or less likely: x=0, 1, 3, 4 -> 34/70 = 0.4857142857.
    assert fisher_exact_p(3, 1, 1, 3) == pytest.approx(34 / 70, rel=1e-12)
    assert fisher_exact_p(3, 1, 1, 3) == pytest.approx(0.4857142857, abs=1e-10)


def test_fisher_published_example():
    # The worked example on Wikipedia's "Fisher's exact test" page (dieting by sex).
    assert fisher_exact_p(1, 9, 11, 3) == pytest.approx(0.002759456, rel=1e-6)
    assert fisher_exact_p(1, 9, 11, 3) == pytest.approx(float(exact_fisher(1, 9, 11, 3)), rel=1e-9)


def test_fisher_zero_row_and_zero_cells():
    # An empty row leaves one possible table: p = 1.
    assert fisher_exact_p(0, 0, 5, 3) == 1.0
    assert fisher_exact_p(0, 0, 0, 0) == 1.0
    # [[0,5],[5,0]]: margins 5; only x=0 and x=5 are as unlikely (1 each of C(10,5) = 252) -> 2/252
    assert fisher_exact_p(0, 5, 5, 0) == pytest.approx(2 / 252, rel=1e-12)
    assert fisher_exact_p(5, 0, 0, 5) == pytest.approx(2 / 252, rel=1e-12)


def test_fisher_symmetric_table_is_one():
    assert fisher_exact_p(2, 2, 2, 2) == pytest.approx(1.0, abs=1e-12)
    assert fisher_exact_p(10, 10, 10, 10) == pytest.approx(1.0, abs=1e-12)


def test_fisher_large_counts_match_the_normal_approximation():
    assert fisher_exact_p(50_000, 50_000, 50_000, 50_000) == pytest.approx(1.0, abs=1e-9)
    p = fisher_exact_p(50_500, 49_500, 49_500, 50_500)
    # Yates' chi-square is very close to Fisher at n = 200,000:
    # n (|ad - bc| - n/2)^2 / (r1 r2 c1 c2) = 200000 * (10^8 - 10^5)^2 / 10^20 = 19.96,
    # and P(chi2_1 > x) = erfc(sqrt(x / 2)) = 7.9e-6.
    yates = 200_000 * (10**8 - 10**5) ** 2 / 10**20
    assert p == pytest.approx(math.erfc(math.sqrt(yates / 2)), rel=0.01)


def full_support_fisher(a: int, b: int, c: int, d: int) -> float:
    """Every table of the support summed with fsum (what fisher_exact_p did before it walked
    out from the mode and stopped at negligible tables)."""
    row1, row2, col1 = a + b, c + d, a + c
    low, high = max(0, col1 - row2), min(row1, col1)
    if low == high:
        return 1.0
    lf = [math.lgamma(i + 1) for i in range(row1 + row2 + 1)]
    logs = [-(lf[x] + lf[row1 - x] + lf[col1 - x] + lf[row2 - col1 + x])
            for x in range(low, high + 1)]
    peak = max(logs)
    weights = [math.exp(v - peak) for v in logs]
    cutoff = weights[a - low] * (1 + 1e-7)
    return min(1.0, math.fsum(w for w in weights if w <= cutoff) / math.fsum(weights))


@settings(max_examples=300, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(0, 30000),
       st.integers(0, 30000))
def test_fisher_stopping_at_negligible_tables_changes_nothing(a, b, c, d):
    """Dashboard-sized tables (an asset's few thousand deals against 100,000): the same p as
    summing every table, including p-values far below 1e-100."""
    p, full = fisher_exact_p(a, b, c, d), full_support_fisher(a, b, c, d)
    assert p == pytest.approx(full, rel=1e-12, abs=1e-300)


def test_fisher_rejects_negative_counts():
    with pytest.raises(ValueError):
        fisher_exact_p(1, -1, 2, 3)


@settings(max_examples=300, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30), st.integers(0, 30))
def test_fisher_agrees_with_exact_rational_reference(a, b, c, d):
    p = fisher_exact_p(a, b, c, d)
    assert 0 < p <= 1
    assert p == pytest.approx(float(exact_fisher(a, b, c, d)), rel=1e-9)
    # Swapping rows, or columns, describes the same table.
    assert fisher_exact_p(c, d, a, b) == pytest.approx(p, rel=1e-9)
    assert fisher_exact_p(b, a, d, c) == pytest.approx(p, rel=1e-9)


# --- Mantel-Haenszel and lift -----------------------------------------------------------------

# (influenced won, influenced lost, baseline won, baseline lost)
STRATA = [
    (10, 10, 5, 15),  # n = 40: a*d/n = 150/40 = 3.75, b*c/n = 50/40 = 1.25
    #                            a*(c+d)/n = 10*20/40 = 5.0, c*(a+b)/n = 5*20/40 = 2.5
    (6, 2, 8, 24),    # n = 40: a*d/n = 144/40 = 3.6,  b*c/n = 16/40 = 0.4
    #                            a*(c+d)/n = 6*32/40 = 4.8, c*(a+b)/n = 8*8/40 = 1.6
    (0, 0, 3, 7),     # no influenced deals: no comparison, skipped
    (0, 0, 0, 0),     # empty: skipped
]
# OR = (3.75 + 3.6) / (1.25 + 0.4) = 7.35 / 1.65 = 49/11 = 4.4545...
# RR = (5.0 + 4.8) / (2.5 + 1.6) = 9.8 / 4.1 = 98/41 = 2.3902...


def test_mantel_haenszel_odds_ratio_by_hand():
    assert mantel_haenszel_odds_ratio(STRATA) == pytest.approx(49 / 11, rel=1e-12)


def test_mantel_haenszel_risk_ratio_by_hand():
    assert mantel_haenszel_risk_ratio(STRATA) == pytest.approx(98 / 41, rel=1e-12)


def test_one_stratum_risk_ratio_is_the_lift_and_odds_ratio_is_ad_over_bc():
    # Influenced win rate 10/20 = 0.5, baseline 5/20 = 0.25: lift 2.0; odds 1 vs 1/3: OR 3.0.
    assert mantel_haenszel_risk_ratio([(10, 10, 5, 15)]) == pytest.approx(lift(0.5, 0.25))
    assert lift(0.5, 0.25) == 2.0
    assert mantel_haenszel_odds_ratio([(10, 10, 5, 15)]) == pytest.approx(3.0)


def test_mantel_haenszel_undefined_cases_are_none():
    assert mantel_haenszel_odds_ratio([]) is None
    assert mantel_haenszel_risk_ratio([(0, 0, 3, 7), (4, 1, 0, 0)]) is None  # nothing to compare
    assert mantel_haenszel_odds_ratio([(5, 0, 3, 7)]) is None  # no influenced losses: b*c = 0
    assert mantel_haenszel_risk_ratio([(5, 2, 0, 7)]) is None  # no baseline wins
    assert mantel_haenszel_odds_ratio([(0, 5, 3, 7)]) == 0.0  # defined, just zero
    with pytest.raises(ValueError):
        mantel_haenszel_odds_ratio([(1, -1, 1, 1)])


def test_lift():
    assert lift(0.3, 0.2) == pytest.approx(1.5)
    assert lift(None, 0.2) is None
    assert lift(0.3, None) is None
    assert lift(0.3, 0.0) is None
    assert lift(0.0, 0.2) == 0.0


def test_median():
    assert median([]) is None
    assert median([3.0]) == 3.0
    assert median([5, 1, 3]) == 3.0
    assert median([4, 1, 3, 2]) == 2.5
    assert median([1.0, 1.0, 9.0, 100.0]) == 5.0


# --- Attribution ------------------------------------------------------------------------------

def parts(amount: str, touches: str, model: str) -> dict[str, str]:
    """One letter per usage event; values back as strings so tables read like the ledger."""
    result = attribute(Decimal(amount), list(touches), model)
    return {key: str(value) for key, value in result.items()}


@pytest.mark.parametrize(("touches", "expected"), [
    ("A", {"A": "100.00"}),
    ("AB", {"A": "100.00"}),
    ("ABC", {"A": "100.00"}),
    ("ABCDE", {"A": "100.00"}),
    ("BAAB", {"B": "100.00"}),
])
def test_first_touch(touches, expected):
    assert parts("100.00", touches, "first_touch") == expected


@pytest.mark.parametrize(("touches", "expected"), [
    ("A", {"A": "100.00"}),
    ("AB", {"B": "100.00"}),
    ("ABC", {"C": "100.00"}),
    ("ABCDE", {"E": "100.00"}),
    ("ABBA", {"A": "100.00"}),  # the last event's asset, even though A also came first
])
def test_last_touch(touches, expected):
    assert parts("100.00", touches, "last_touch") == expected


@pytest.mark.parametrize(("touches", "expected"), [
    ("A", {"A": "100.00"}),
    ("AB", {"A": "50.00", "B": "50.00"}),
    # 100/3 = 33.333...: each floors to 33.33, one cent left; equal remainders, earliest gets it.
    ("ABC", {"A": "33.34", "B": "33.33", "C": "33.33"}),
    ("ABCDE", {"A": "20.00", "B": "20.00", "C": "20.00", "D": "20.00", "E": "20.00"}),
    # Distinct assets count once however often they are used: A, B, C -> thirds, in first order.
    ("ABAACB", {"A": "33.34", "B": "33.33", "C": "33.33"}),
    ("AAAA", {"A": "100.00"}),
])
def test_linear(touches, expected):
    assert parts("100.00", touches, "linear") == expected


@pytest.mark.parametrize(("touches", "expected"), [
    ("A", {"A": "100.00"}),                      # one touch: everything
    ("AB", {"A": "50.00", "B": "50.00"}),        # two: no middle, its 20% split 10/10
    ("ABC", {"A": "40.00", "B": "20.00", "C": "40.00"}),
    # Middle B, C, D share 20%: 6.666... each -> 6.66 + leftover cents to B then C (ties, earliest).
    ("ABCDE", {"A": "40.00", "B": "6.67", "C": "6.67", "D": "6.66", "E": "40.00"}),
    ("AAB", {"A": "50.00", "B": "50.00"}),       # the repeated first asset is no middle
    ("ABBB", {"A": "50.00", "B": "50.00"}),      # B is last, so its middle uses are no middle
    ("ABA", {"A": "80.00", "B": "20.00"}),       # first and last the same asset: 40 + 40
    ("AAAA", {"A": "100.00"}),                   # one asset throughout
    ("ABCBA", {"A": "80.00", "B": "10.00", "C": "10.00"}),
    ("ACBCBD", {"A": "40.00", "C": "10.00", "B": "10.00", "D": "40.00"}),
])
def test_position_based(touches, expected):
    assert parts("100.00", touches, "position_based") == expected


def test_rounding_is_deterministic_and_exact():
    # 0.10 in thirds: 3.333 cents each -> 3, 3, 3 and one cent to the earliest.
    assert parts("0.10", "ABC", "linear") == {"A": "0.04", "B": "0.03", "C": "0.03"}
    # 1.00 position-based over five: 40 + 40 cents, middle 20/3 = 6.67 each -> 7, 7, 6.
    assert parts("1.00", "ABCDE", "position_based") == {
        "A": "0.40", "B": "0.07", "C": "0.07", "D": "0.06", "E": "0.40"}
    # 5 cents at 40% / 20%/3 each / 40% -> exact 2, 1/3, 1/3, 1/3, 2 cents: floors 2, 0, 0, 0, 2;
    # the one leftover cent goes to B, the earliest of the tied remainders.
    assert parts("0.05", "ABCDE", "position_based") == {
        "A": "0.02", "B": "0.01", "C": "0.00", "D": "0.00", "E": "0.02"}
    assert parts("0", "AB", "linear") == {"A": "0.00", "B": "0.00"}
    assert parts("250", "A", "linear") == {"A": "250.00"}


@pytest.mark.parametrize(("amount", "touches", "model"), [
    ("100.00", [], "linear"),
    ("100.005", ["A"], "linear"),
    ("-1.00", ["A"], "linear"),
    ("NaN", ["A"], "linear"),
    ("Infinity", ["A"], "linear"),
    ("100.00", ["A"], "time_decay"),
])
def test_attribute_rejects_bad_input(amount, touches, model):
    with pytest.raises(ValueError):
        attribute(Decimal(amount), touches, model)


AMOUNTS = st.integers(0, 10**11).map(lambda cents: Decimal(cents) / 100)
TOUCHES = st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=12)


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=500, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(amount=AMOUNTS, touches=TOUCHES)
def test_parts_always_sum_exactly_and_are_never_negative(model, amount, touches):
    result = attribute(amount, touches, model)
    assert sum(result.values(), Decimal(0)) == amount
    assert all(value >= 0 and value == value.quantize(Decimal("0.01")) for value in result.values())
    assert set(result) <= set(touches)
    assert list(result) == [key for key in dict.fromkeys(touches) if key in result]

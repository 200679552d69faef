"""How a text match becomes a rank: BM25F relevance times a bounded business boost.

    score(d)  = text(d) * boost(d)

    text(d)   = sum over query terms t (best variant per word, see evaluate.py) of
                idf(t) * sum over fields f in {content, title} of
                    w_f * tf * (k1 + 1) / (tf + k1 * (1 - b_f + b_f * len(f,d) / avglen(f)))
                where tf = tf(t,f,d), the term's frequency in field f of d
                idf(t) = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5)),  k1 = 1.2,
                w_content = 1.0, b_content = 0.75, w_title = 2.0, b_title = 0.5
                (content already contains the title, so a title word scores in both fields)

    boost(d)  = win(d) * fresh(d) * stale(d), always within [0.80, 1.3125]
    win(d)    = 1 + 0.25 * volume(d) * (won + 1) / (used + 2)
                volume(d) = min(1, ln(1 + used) / ln(1 + 50))    (full weight at 50 deals)
                -> never-used assets get 1.0; at most 1.25 for an asset that wins every deal
    fresh(d)  = 1 + 0.05 * 0.5 ** (days since updated / 90)      (at most 1.05, halves quarterly)
    stale(d)  = 0.8 if review_by is set and review_by < today else 1.0

Because the boost is bounded, it only reorders matches whose text scores are within ~1.6x of
each other: a strong title-and-body match with no wins still beats a passing mention in the
most-won asset, while between two equal matches the winner (or the fresher one) comes first.
"""

from __future__ import annotations

import math
from datetime import date

WIN_WEIGHT = 0.25
WIN_VOLUME_SATURATION = 50
FRESH_WEIGHT = 0.05
FRESH_HALF_LIFE_DAYS = 90.0
STALE_FACTOR = 0.8
MIN_BOOST = STALE_FACTOR
MAX_BOOST = (1 + WIN_WEIGHT) * (1 + FRESH_WEIGHT)

_LOG_SATURATION = math.log1p(WIN_VOLUME_SATURATION)


def win_rate(won: int, used: int) -> float:
    """Bayesian win rate with a uniform prior: an unused asset counts as 50%."""
    return (won + 1) / (used + 2)


def win_boost(won: int, used: int) -> float:
    volume = min(1.0, math.log1p(max(0, used)) / _LOG_SATURATION)
    return 1.0 + WIN_WEIGHT * volume * win_rate(min(won, used), used)


def fresh_boost(updated_day: int, today: int) -> float:
    days = max(0, today - updated_day)
    return 1.0 + FRESH_WEIGHT * 0.5 ** (days / FRESH_HALF_LIFE_DAYS)


def stale_factor(review_day: int, today: int) -> float:
    return STALE_FACTOR if 0 < review_day < today else 1.0


def boost(won: int, used: int, updated_day: int, review_day: int, today: date) -> float:
    """boost(d) from the module docstring; days are date ordinals, review_day 0 = none."""
    day = today.toordinal()
    return win_boost(won, used) * fresh_boost(updated_day, day) * stale_factor(review_day, day)

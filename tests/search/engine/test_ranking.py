"""Ranking: the boost is bounded and only reorders comparable matches; the sorts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.search.engine import ranking

from .conftest import TODAY

FILLER = "Notes on the quarterly plan and the regional rollout schedule. "


def test_boost_bounds():
    assert ranking.boost(0, 0, 0, 0, TODAY) == pytest.approx(1.0)
    best = ranking.boost(10_000, 10_000, TODAY.toordinal(), 0, TODAY)
    assert best <= ranking.MAX_BOOST and best == pytest.approx(ranking.MAX_BOOST, rel=1e-3)
    worst = ranking.boost(0, 10_000, 0, TODAY.toordinal() - 1, TODAY)
    assert worst >= ranking.MIN_BOOST
    assert ranking.win_boost(0, 0) == 1.0  # an unused asset is neither boosted nor punished
    assert ranking.win_boost(40, 50) > ranking.win_boost(10, 50) > ranking.win_boost(1, 1)


def test_win_rate_prior():
    assert ranking.win_rate(0, 0) == 0.5
    assert ranking.win_rate(1, 1) == pytest.approx(2 / 3)
    assert ranking.win_rate(9, 10) > ranking.win_rate(1, 1)


def test_strong_text_match_beats_weak_match_with_many_wins(engine, make_doc, search, ids):
    engine.index(
        [
            make_doc(
                1,
                title="Healthcare pricing playbook",
                text="Healthcare pricing, step by step. " + FILLER * 3,
            ),
            make_doc(
                2,
                title="Quarterly review",
                text=FILLER * 20 + "one healthcare pricing note",
                won_deals=300,
                used_deals=300,
                updated_at=datetime(2025, 5, 31),
            ),
        ]
    )
    strong, weak = search("healthcare pricing").hits
    assert (strong.asset_id, weak.asset_id) == (1, 2)
    assert weak.score > 0  # still found


def _equal_pair(make_doc, **second):
    base = {"title": "Pricing guide", "text": "Pricing for mid-market deals. " + FILLER}
    return [make_doc(1, **base), make_doc(2, **base, **second)]


def test_equal_matches_without_a_boost_keep_index_order(engine, make_doc, search, ids):
    # The control for the tests below: without a boost, asset 1 would come first.
    engine.index(_equal_pair(make_doc))
    found = search("pricing")
    assert ids(found) == [1, 2] and found.hits[0].score == found.hits[1].score


def test_between_equal_matches_the_winner_comes_first(engine, make_doc, search, ids):
    engine.index(_equal_pair(make_doc, won_deals=30, used_deals=40))
    assert ids(search("pricing")) == [2, 1]


def test_between_equal_matches_the_fresher_comes_first(engine, make_doc, search, ids):
    engine.index(_equal_pair(make_doc, updated_at=datetime(2025, 5, 20)))
    assert ids(search("pricing")) == [2, 1]


def test_a_stale_asset_sinks_below_an_equal_fresh_one(engine, make_doc, search, ids):
    engine.index(
        [
            make_doc(
                1,
                title="Pricing guide",
                text="Pricing. " + FILLER,
                review_by=TODAY - timedelta(days=1),
                won_deals=5,
                used_deals=5,
            ),
            make_doc(
                2,
                title="Pricing guide",
                text="Pricing. " + FILLER,
                review_by=TODAY + timedelta(days=30),
            ),
        ]
    )
    stale, fresh = sorted(search("pricing").hits, key=lambda h: h.asset_id)
    assert ids(search("pricing")) == [2, 1]
    expected = fresh.score * ranking.STALE_FACTOR * ranking.win_boost(5, 5)
    assert stale.score == pytest.approx(expected, rel=1e-3)  # x0.8 outweighs its wins


def test_the_boost_does_not_let_a_weak_match_jump_tiers(engine, make_doc, search, ids):
    engine.index(
        [
            make_doc(1, title="Security", text="healthcare security"),
            make_doc(2, title="Security", text="security", won_deals=99, used_deals=99),
        ]
    )
    assert ids(search("healthcare security")) == [1, 2]


@pytest.fixture
def sortable(engine, make_doc):
    day = datetime(2025, 1, 1)
    engine.index(
        [
            make_doc(1, title="pricing a", updated_at=day, used_deals=10, won_deals=2),
            make_doc(
                2, title="pricing b", updated_at=day + timedelta(days=9), used_deals=3, won_deals=3
            ),
            make_doc(3, title="pricing c", updated_at=day + timedelta(days=5), used_deals=0),
            make_doc(4, title="other d", updated_at=day + timedelta(days=30), used_deals=50),
        ]
    )
    return engine


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("newest", [2, 3, 1]), ("most_used", [1, 2, 3]), ("win_rate", [2, 3, 1])],
)
def test_sorts(sortable, search, ids, sort, expected):
    found = search("pricing", sort=sort)
    assert ids(found) == expected
    assert all(hit.score > 0 for hit in found.hits)  # relevance still reported


def test_sorts_keep_all_words_matches_first(sortable, make_doc, engine, search, ids):
    engine.index([make_doc(5, title="pricing deck", updated_at=datetime(2025, 3, 1))])
    assert ids(search("pricing deck", sort="newest"))[0] == 5


def test_browsing_orders_by_the_boost(engine, make_doc, search, ids):
    engine.index(
        [
            make_doc(1, title="a"),
            make_doc(2, title="b", won_deals=20, used_deals=20),
            make_doc(3, title="c", review_by=date(2024, 1, 1)),
        ]
    )
    assert ids(search("")) == [2, 1, 3]

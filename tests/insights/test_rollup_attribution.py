"""Property: whatever the order and repetition of touches, each model hands out a won deal's
amount exactly once, to the cent, among the assets of its rollup rows; lost and open deals
hand out nothing."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.insights.rollup import _deal_rows
from app.insights.stats import MODELS

Deal = namedtuple("Deal", "id status closed_at amount currency close_date owner_id")
Event = namedtuple("Event", "deal_id asset_id fork_id deal_stage_id deal_status occurred_at")

T0 = datetime(2026, 1, 1, tzinfo=UTC)
AMOUNTS = st.integers(0, 10**12).map(lambda cents: Decimal(cents) / 100)
TOUCHES = st.lists(st.tuples(st.integers(1, 6), st.booleans()), min_size=1, max_size=25)


def events_of(touches):
    return [Event(1, asset, 7 if via_fork else None, 2, "open", T0 + timedelta(hours=n))
            for n, (asset, via_fork) in enumerate(touches)]


@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(amount=AMOUNTS, touches=TOUCHES)
def test_each_model_attributes_a_won_amount_exactly_once(amount, touches):
    deal = Deal(1, "won", T0 + timedelta(days=30), amount, "EUR", T0.date(), 3)
    rows = _deal_rows(deal, events_of(touches))
    assert {asset for _, asset in rows} == {asset for asset, _ in touches}
    for model in MODELS:
        assert sum(row[model] for row in rows.values()) == amount.quantize(Decimal("0.01"))
        assert all(row[model] >= 0 for row in rows.values())
    assert sum(row["uses"] for row in rows.values()) == len(touches)
    assert sum(row["fork_uses"] for row in rows.values()) == sum(f for _, f in touches)
    first_asset = touches[0][0]
    assert rows[(1, first_asset)]["first_touch"] == amount.quantize(Decimal("0.01"))


@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(amount=AMOUNTS, touches=TOUCHES, status=st.sampled_from(["lost", "open"]))
def test_lost_and_open_deals_attribute_nothing(amount, touches, status):
    rows = _deal_rows(Deal(1, status, None, amount, "USD", T0.date(), None), events_of(touches))
    assert all(row[model] == 0 for row in rows.values() for model in MODELS)
    assert all(row["outcome"] == status for row in rows.values())

"""Every metric of the definitions on the world of tests/fixtures/insights.py, worked out by
hand from its timeline (the working is in the comments). Reporting currency USD, 1 EUR = 1.10.

Closed deals: won D1 D2 D3 D6 D10 D12 (6), lost D4 D5 D7 D8 D11 (5). D9 is open.
Influence (use that counts):
    A: D1 won, D2 won (through its fork), D3 won, D4 lost, D9 open, D11 lost
    B: D1 won, D3 won, D5 lost, D12 won (a prospect's view of a link tied to D12)
    C: D3 won, D10 won (its use on D8 came after D8 closed: never counts)
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from fixtures.insights import build, day

from app.extensions import db


@pytest.fixture
def world(app, monkeypatch):
    return build(app, monkeypatch)


def get(client, world, path, who="L", status=200, **params):
    response = client.get(path, headers=world.headers[who], query_string=params)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def by_title(page):
    return {row["title"]: row for row in page["items"]}


def test_every_asset_metric_worked_out_by_hand(client, world):
    page = get(client, world, "/api/v1/analytics/assets")
    assert page["closed_deals"] == {"won": 6, "lost": 5}
    assert page["reporting_currency"] == "USD"
    rows = by_title(page)
    a, b, c = rows["Asset A"], rows["Asset B"], rows["Asset C"]

    # A: won 3, lost 2, open 1. Baseline: the other closed deals, won 6-3=3, lost 5-2=3.
    assert (a["deals_influenced"], a["open"], a["won"], a["lost"]) == (6, 1, 3, 2)
    assert a["win_rate"] == pytest.approx(3 / 5)
    assert a["baseline_win_rate"] == pytest.approx(3 / 6)
    assert a["lift"] == pytest.approx(0.6 / 0.5)
    # Wilson 95% for 3/5: centre (0.6 + z²/10) / (1 + z²/5) = 0.556541, half-width 0.325828.
    assert a["win_rate_ci"] == pytest.approx([0.230724, 0.882379], abs=1e-6)
    # Fisher on [[3, 2], [3, 3]]: C(5,x)C(6,6-x) for x = 0..5 is 1, 30, 150, 200, 75, 6 (sum
    # 462 = C(11,6)); the observed 200 is the largest, so every table counts: p = 1.
    assert a["p_value"] == pytest.approx(1.0)
    assert a["enough_data"] is False  # 5 closed influenced deals < 10

    # B: won 3 (D1 D3 D12), lost 1 (D5). Baseline won 3, lost 4.
    assert (b["deals_influenced"], b["won"], b["lost"]) == (4, 3, 1)
    assert b["baseline_win_rate"] == pytest.approx(3 / 7)
    assert b["lift"] == pytest.approx(0.75 / (3 / 7))  # 1.75
    # Fisher on [[3, 1], [3, 4]]: C(4,x)C(7,6-x) = 7, 84, 210, 140, 21; observed 140, tables no
    # likelier: 7 + 84 + 140 + 21 = 252; p = 252 / 462.
    assert b["p_value"] == pytest.approx(252 / 462)

    # C: won 2, lost 0 (D8 does not count). Baseline won 4, lost 5.
    assert (c["deals_influenced"], c["won"], c["lost"]) == (2, 2, 0)
    assert c["win_rate"] == 1.0 and c["baseline_win_rate"] == pytest.approx(4 / 9)
    assert c["lift"] == pytest.approx(2.25)
    # Fisher on [[2, 0], [4, 5]]: C(2,x)C(9,6-x) = 84, 252, 126; observed 126: (84 + 126) / 462.
    assert c["p_value"] == pytest.approx(210 / 462)
    assert c["win_rate_ci"][1] == 1.0


def test_revenue_and_attribution_worked_out_by_hand(client, world):
    """Won amounts in USD: D1 1000, D2 2000, D3 EUR 1000 = 1100, D10 1500, D12 700 (D6's 3000
    was influenced by nothing: it is nobody's). Touches per won deal, in order:
        D1: A, B         first A, last B, linear 500/500, position 50/50
        D2: A            everything to A
        D3: B, A, C      first B, last C, linear 333.34 (B, the first touch, takes the odd
                         cent) / 333.33 / 333.33 EUR, position B 40%, A 20%, C 40%
        D10: C           everything to C
        D12: B           everything to B"""
    rows = by_title(get(client, world, "/api/v1/analytics/assets"))
    expected = {
        # influenced: A = 1000 + 2000 + 1100; B = 1000 + 1100 + 700; C = 1100 + 1500
        "Asset A": ("4100.00", {"first_touch": "3000.00", "last_touch": "2000.00",
                                # 500 + 2000 + 333.33 * 1.10 = 2866.663
                                "linear": "2866.66", "position_based": "2720.00"}),
        "Asset B": ("2800.00", {"first_touch": "1800.00", "last_touch": "1700.00",
                                # 500 + 333.34 * 1.10 + 700 = 1566.674
                                "linear": "1566.67", "position_based": "1640.00"}),
        "Asset C": ("2600.00", {"first_touch": "1500.00", "last_touch": "2600.00",
                                "linear": "1866.66", "position_based": "1940.00"}),
    }
    for title, (influenced, attributed) in expected.items():
        assert rows[title]["influenced_revenue"] == influenced
        assert rows[title]["attributed_revenue"] == attributed
    # Each model gives out the influenced won revenue exactly once: 6,300 (to the cent, before
    # each asset's converted share is rounded: linear's rounded parts sum to 6,299.99).
    for model in ("first_touch", "last_touch", "position_based"):
        assert sum(Decimal(rows[t]["attributed_revenue"][model]) for t in expected) == 6300
    assert sum(Decimal(rows[t]["attributed_revenue"]["linear"]) for t in expected) == \
        Decimal("6299.99")


def test_the_asset_in_depth_worked_out_by_hand(client, world):
    a = get(client, world, f"/api/v1/analytics/assets/{world.assets['A']}")
    # Matched lift. Amount quartiles of the 10 closed deals with an amount (NTILE(4): 3,3,2,2):
    # 400 D7, 500 D4, 660 D8 | 700 D12, 800 D5, 1000 D1 | 1100 D3, 1500 D10 | 2000 D2, 3000 D6;
    # D11 has no amount (band 0). A's closed deals by (industry, band, stage of first use):
    #   (Software, 2, Discovery) D1 won     controls there: D5 lost   -> (1, 0, 0, 1), n = 2
    #   (Software, 4, Discovery) D2 won     controls there: D6 won    -> (1, 0, 1, 0), n = 2
    #   (Software, 3, Evaluation) D3, (Software, 1, Discovery) D4, (Retail, 0, Discovery) D11:
    #   no control deal in those strata, so they say nothing.
    # MH risk ratio = sum a(c+d)/n / sum c(a+b)/n = (1/2 + 1/2) / (0 + 1/2) = 2.
    assert a["lift"] == pytest.approx(1.2)
    assert (a["matched_lift"], a["strata"], a["matched_deals"]) == (pytest.approx(2.0), 2, 2)
    # Velocity: A's won deals, days from A's first use to close: D1 10 - 1 = 9, D2 20 - 1.1 =
    # 18.9 (the fork's use), D3 30 - 4 = 26: median 18.9. Won deals A did not influence, created
    # on day 0: D6 40, D10 25, D12 14: median 25.
    assert a["velocity"] == {"median_days_first_use_to_close": pytest.approx(18.9),
                             "baseline_median_cycle_days": pytest.approx(25.0)}
    # Stage progression. At Discovery A was used on D1, D2, D4, D11; D1 and D2 were won within
    # 30 days of that use, D4 and D11 lost: 2 of 4. All 12 deals were at Discovery from day 0;
    # within 30 days D3 and D9 moved to Evaluation and D1, D2, D10, D12 were won (D6 was won on
    # day 40): 6 of 12. At Evaluation: A on D3 (won 26 days later) and D9 (still open): 1 of 2;
    # all deals at Evaluation: D3 (won 28 days after entering it) and D9: 1 of 2.
    assert [(p["stage"], p["deals"], p["advanced"], p["baseline_deals"], p["baseline_advanced"])
            for p in a["stage_progression"]] == [("Discovery", 4, 2, 12, 6),
                                                  ("Evaluation", 2, 1, 2, 1)]
    # Per version: v1 on D1, D2 (the fork was made from v1), D4: won 2, lost 1, baseline won 4
    # lost 4; v2 on D3, D9, D11: won 1, lost 1, open 1, baseline won 5 lost 4.
    v1, v2 = a["versions"]
    assert (v1["version"], v1["open"], v1["won"], v1["lost"]) == (1, 0, 2, 1)
    assert (v1["baseline_win_rate"], v1["lift"]) == (0.5, pytest.approx((2 / 3) / 0.5))
    assert v1["influenced_revenue"] == "3000.00"
    assert (v2["version"], v2["open"], v2["won"], v2["lost"]) == (2, 1, 1, 1)
    assert v2["lift"] == pytest.approx(0.5 / (5 / 9))
    assert v2["influenced_revenue"] == "1100.00"
    # Forks: one fork of A, used on D2: 1 of A's 6 deals, 1 of its 6 uses.
    assert a["forks"] == {"forks": 1, "deals_via_forks": 1,
                          "deals_via_forks_share": pytest.approx(1 / 6), "uses": 6,
                          "fork_uses": 1, "fork_use_share": pytest.approx(1 / 6)}

    c = get(client, world, f"/api/v1/analytics/assets/{world.assets['C']}")
    # C's won deals: D3 30 - 5 = 25, D10 25 - 2.4 = 22.6: median 23.8. Won deals without C:
    # D1 10, D2 20, D6 40, D12 14: median (14 + 20) / 2 = 17.
    assert c["velocity"] == {"median_days_first_use_to_close": pytest.approx(23.8),
                             "baseline_median_cycle_days": pytest.approx(17.0)}
    assert c["matched_lift"] is None and c["strata"] == 0  # no comparable deals: not a number


def test_filters_worked_out_by_hand(client, world):
    def rows(**params):
        return by_title(get(client, world, "/api/v1/analytics/assets", **params))

    # Closing by day 15 (2026-01-16): D1 won, D12 won; D4, D5, D7, D8 lost. A: D1 won, D4 lost;
    # baseline won 1 (D12), lost 3.
    early = rows(date_to=day(15).date().isoformat())
    assert (early["Asset A"]["won"], early["Asset A"]["lost"]) == (1, 1)
    assert early["Asset A"]["baseline_win_rate"] == pytest.approx(1 / 4)
    # Retail deals: D7 lost, D8 lost, D9 open, D10 won, D11 lost, D12 won. A: D9 open, D11 lost.
    retail = rows(industry="retail")
    assert (retail["Asset A"]["open"], retail["Asset A"]["lost"]) == (1, 1)
    assert retail["Asset C"]["won"] == 1 and retail["Asset C"]["baseline_win_rate"] == \
        pytest.approx(1 / 4)  # D12 won; D7, D8, D11 lost
    # Use while at Evaluation: A on D3 and D9, B on D3, C on D3.
    evaluation = rows(stage_id=world.stages["evaluation"])
    assert (evaluation["Asset A"]["won"], evaluation["Asset A"]["open"]) == (1, 1)
    assert evaluation["Asset B"]["deals_influenced"] == 1
    # R2's deals (D7, D8) were influenced by nothing.
    assert all(r["deals_influenced"] == 0 for r in rows(owner_id=world.users["R2"].id).values())
    # Asset filters choose rows, not deals.
    assert list(rows(kind="markdown")) == ["Asset C", "Asset B", "Asset A"]  # best lift first
    assert rows(kind="pdf") == {}


def test_reps_worked_out_by_hand(client, world):
    # R1 owns D1-D6 and D9-D12 (10 deals), 9 influenced (not D6), using A, B and C. Closed with
    # content: won D1 D2 D3 D10 D12, lost D4 D5 D11; without: D6 won. R2: D7, D8 lost, none
    # influenced (D8's use came after close).
    reps = {r["name"]: r for r in get(client, world, "/api/v1/analytics/reps")}
    r1, r2 = reps["Rep R1"], reps["Rep R2"]
    assert (r1["deals"], r1["deals_with_content"], r1["assets_used"]) == (10, 9, 3)
    assert (r1["with_content"]["won"], r1["with_content"]["lost"]) == (5, 3)
    assert r1["with_content"]["win_rate"] == pytest.approx(5 / 8)
    assert (r1["without_content"]["won"], r1["without_content"]["lost"]) == (1, 0)
    assert (r2["deals"], r2["deals_with_content"], r2["without_content"]["lost"]) == (2, 0, 2)
    assert r2["with_content"]["win_rate"] is None


def test_a_new_use_or_deal_change_shows_at_once(client, world):
    """The rollup is kept by the writes themselves: no cache to wait for."""
    before = by_title(get(client, world, "/api/v1/analytics/assets"))["Asset B"]
    assert before["open"] == 0
    response = client.post(f"/api/v1/deals/{world.deals['D9']}/usage",
                           json={"asset_id": world.assets["B"], "action": "presented"},
                           headers=world.headers["R1"])
    assert response.status_code == 201
    after = by_title(get(client, world, "/api/v1/analytics/assets"))["Asset B"]
    assert (after["open"], after["deals_influenced"]) == (1, 5)
    # Reopening D4 (lost) moves it to A's open deals and out of the closed pool.
    body = {"external_id": "D4", "name": "Deal D4", "stage": "Negotiation", "status": "open",
            "close_date": "2026-03-01", "owner_email": world.users["R1"].email}
    assert client.post("/api/v1/deals", json=[body],
                       headers=world.headers["ADMIN"]).status_code == 200
    page = get(client, world, "/api/v1/analytics/assets")
    a = by_title(page)["Asset A"]
    assert (a["open"], a["won"], a["lost"]) == (2, 3, 1)
    assert page["closed_deals"] == {"won": 6, "lost": 4}


def test_the_maintained_rollup_equals_a_full_recomputation(app, client, world):
    """Every write above kept the rollup by difference; rebuilding from the raw usage gives
    exactly the same rows and totals."""
    from app.insights import rollup
    from app.insights.models import AssetEffect, Influence

    def norm(value):
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(Decimal(value).normalize())
        return str(value)

    def snapshot():
        influence = sorted(tuple(norm(getattr(r, c.name)) for c in Influence.__table__.columns)
                           for r in db.session.scalars(db.select(Influence)))
        effect = sorted(tuple(norm(getattr(r, c.name)) for c in AssetEffect.__table__.columns)
                        for r in db.session.scalars(db.select(AssetEffect)))
        return influence, effect

    with app.app_context():
        maintained = snapshot()
        aggregated = sorted(tuple(norm(v) for v in row) for row in
                            db.session.execute(rollup.totals_from_influence()))
        assert len(maintained[0]) == 12  # A 6 + B 4 + C 2 (deal, asset) pairs
        assert [tuple(r) for r in maintained[1]] == aggregated
        rollup.rebuild()
        db.session.expire_all()
        assert snapshot() == maintained


def test_the_cli_checks_and_rebuilds_the_rollup(app, world):
    from app.insights.models import AssetEffect

    runner = app.test_cli_runner()
    ok = runner.invoke(args=["insights", "check"])
    assert ok.exit_code == 0 and "match a full recomputation" in ok.output
    with app.app_context():
        db.session.execute(db.update(AssetEffect).values(won=AssetEffect.won + 1))
        db.session.commit()
    broken = runner.invoke(args=["insights", "check"])
    assert broken.exit_code == 1 and "rows add up to" in broken.output
    rebuilt = runner.invoke(args=["insights", "rebuild"])
    assert rebuilt.exit_code == 0 and "rebuilt 12 influence row(s)" in rebuilt.output
    assert runner.invoke(args=["insights", "check"]).exit_code == 0


def test_shared_figures_follow_a_deal_change_at_once(client, world):
    """The strata of all closed deals are shared between asset pages; a deal change must not
    leave a stale copy. D6 (won, no content) is A's only control in (Software, band 4,
    Discovery); lost instead, the strata become (1, 0, 0, 1) twice: no control was won, so the
    matched risk ratio has no denominator."""
    path = f"/api/v1/analytics/assets/{world.assets['A']}"
    assert get(client, world, path)["matched_lift"] == pytest.approx(2.0)
    body = {"external_id": "D6", "name": "Deal D6", "stage": "Closed Lost", "status": "lost",
            "close_date": day(40).date().isoformat(), "closed_at": day(40).isoformat(),
            "owner_email": world.users["R1"].email, "amount": "3000", "currency": "USD",
            "account": "Account D6"}
    assert client.post("/api/v1/deals", json=[body],
                       headers=world.headers["ADMIN"]).status_code == 200
    after = get(client, world, path)
    assert after["matched_lift"] is None and after["strata"] == 2

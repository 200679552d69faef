"""The insights pages and their CSV exports, for each role, on the hand-worked world."""

from __future__ import annotations

import csv
import io

import pytest
from fixtures.insights import build
from helpers import login, upload_asset

from app.extensions import db


@pytest.fixture
def world(app, monkeypatch):
    return build(app, monkeypatch)


def signed_in(app, world, who):
    browser = app.test_client()
    assert login(browser, world.users[who].email).status_code == 302
    return browser


def rows_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_leader_dashboard_shows_charts_tables_and_definitions(app, world):
    page = signed_in(app, world, "L").get("/insights")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<svg class="chart"') >= 3  # lift, revenue, win rate over time
    assert "lift 2.25*" in html and "lift 1.75*" in html and "lift 1.20*" in html
    assert "USD 4,100.00" in html  # A's influenced revenue
    assert "How these numbers are defined" in html and "Cochran-Mantel-Haenszel" in html
    assert "2026-01" in html and "2026-02" in html  # close months


def test_every_table_downloads_as_csv(app, world):
    leader = signed_in(app, world, "L")
    assets = rows_of(leader.get("/insights?format=csv&table=assets"))
    header = assets[0]
    assert header[:4] == ["asset_id", "title", "kind", "stage"]
    a = next(r for r in assets[1:] if r[1] == "Asset A")
    row = dict(zip(header, a, strict=True))
    assert (row["won"], row["lost"], row["lift"], row["influenced_revenue"]) == (
        "3", "2", "1.2", "4100.00")
    assert row["attributed_linear"] == "2866.66"
    months = rows_of(leader.get("/insights?format=csv&table=win_rate_over_time"))
    # January: with content won D1 D2 D3 D10 D12, lost D4 D5 D11; without: D7, D8 lost.
    assert months[1] == ["2026-01", "5", "3", "0.625", "0", "2", "0.0"]
    assert rows_of(leader.get("/insights?format=csv&table=funnel_coverage"))[0][0] == \
        "funnel_stage"
    asset_id = world.assets["A"]
    deals = rows_of(leader.get(f"/insights/assets/{asset_id}?format=csv&table=deals"))
    assert len(deals) == 1 + 6 and "owner" in deals[0] and "amount" in deals[0]
    versions = rows_of(leader.get(f"/insights/assets/{asset_id}?format=csv&table=versions"))
    assert [r[0] for r in versions[1:]] == ["1", "2"]
    reps = rows_of(leader.get("/insights/reps?format=csv"))
    assert reps[1][:3] == ["Rep R1", "10", "9"]
    assert leader.get("/insights?format=csv&table=nope").status_code == 404


def test_exports_neutralize_formulas(app, world):
    hostile = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)"]
    for title in hostile:
        response = upload_asset(app.test_client(), world.headers["M"], b"# x\n", "x.md",
                                title=title, status="published")
        assert response.status_code == 201, response.get_json()
    rows = rows_of(signed_in(app, world, "L").get("/insights?format=csv&table=assets"))
    titles = {r[1] for r in rows[1:]}
    assert {"'" + title for title in hostile} <= titles
    assert not any(t.startswith(("=", "+", "-", "@")) for t in titles)


def test_tab_and_carriage_return_cells_are_neutralized_too():
    """The library strips leading whitespace from titles, so these come from other text."""
    from app.core.csv_export import csv_text

    text = csv_text(["a", "b"], [["\tcmd", "\r=1+1"], [-5, "plain"]])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], ["'\tcmd", "'\r=1+1"],
                                                    ["-5", "plain"]]


def test_the_asset_page_in_depth(app, world):
    html = signed_in(app, world, "L").get(f"/insights/assets/{world.assets['A']}").get_data(
        as_text=True)
    assert "<strong>1.20</strong> plain · <strong>2.00</strong> matched" in html
    assert "Not enough data: 5 closed deals influenced" in html
    assert "18.9 days from first use to close" in html
    assert "Rep R1" in html and "Reps who use it" in html
    assert "Deal D4" in html and "USD 500.00" in html
    c = signed_in(app, world, "L").get(f"/insights/assets/{world.assets['C']}").get_data(
        as_text=True)
    assert "Deal D8" in c and "after close: does not count" in c


def test_marketers_see_assets_but_no_people_unless_allowed(app, world):
    from app.auth.models import User
    from app.insights.permissions import MARKETERS_SEE_REPS
    from app.settings.services import change_settings

    marketer = signed_in(app, world, "M")
    html = marketer.get(f"/insights/assets/{world.assets['A']}").get_data(as_text=True)
    assert "Reps who use it" not in html and "Rep R1" not in html
    assert "USD 500.00" not in html  # deal amounts follow the deals area's rule
    deals = rows_of(marketer.get(f"/insights/assets/{world.assets['A']}?format=csv&table=deals"))
    assert "owner" not in deals[0] and "amount" not in deals[0]
    assert marketer.get("/insights/reps").status_code == 403
    assert marketer.get(f"/insights?owner={world.users['R1'].id}").status_code == 403
    assert marketer.get("/insights/marketing").status_code == 200
    with app.app_context():
        admin = db.session.get(User, world.users["ADMIN"].id)
        change_settings(admin, {MARKETERS_SEE_REPS.key: True})
    assert "Rep R1" in marketer.get("/insights/reps").get_data(as_text=True)


def test_reps_see_library_wide_assets_and_only_their_own_numbers(app, world):
    rep = signed_in(app, world, "R2")
    dashboard = rep.get("/insights").get_data(as_text=True)
    assert "Asset A" in dashboard and "My numbers" in dashboard
    mine = rep.get("/insights/reps").get_data(as_text=True)
    assert "Rep R2" in mine and "Rep R1" not in mine
    assert rep.get(f"/insights?owner={world.users['R1'].id}").status_code == 403
    assert rep.get(f"/insights?owner={world.users['R2'].id}").status_code == 200
    page = rep.get(f"/insights/assets/{world.assets['A']}").get_data(as_text=True)
    assert "Deal D1" not in page  # R1's deals are not R2's to see
    assert rep.get("/insights/marketing").status_code == 403


@pytest.mark.parametrize(("query", "message"), [
    ("from=yesterday", "from must be a date (YYYY-MM-DD)."),
    ("from=2026-02-01&to=2026-01-01", "from is after to."),
    ("period=7", "period must be all, 90, 180 or 365 (days)."),
    ("kind=exe", "kind is not one of the library&#39;s kinds."),
    ("stage=1%3B%20DROP%20TABLE%20deal", "stage must be a number."),
    ("industry=" + "x" * 81, "industry is longer than 80 characters."),
    ("owner=99999999999", "owner must be a number."),
    ("industry=Retail%00x", "industry contains control characters."),
    ("product=%1B%5B31m", "product contains control characters."),
])
def test_bad_filters_are_a_clear_400(app, world, query, message):
    response = signed_in(app, world, "L").get(f"/insights?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_the_api_refuses_bad_filters_and_other_reps(client, world):
    def get(path, who="L"):
        return client.get(path, headers=world.headers[who])

    assert get("/api/v1/analytics/assets?date_from=2026-02-01&date_to=2026-01-01"
               ).status_code == 422
    assert get("/api/v1/analytics/assets?kind=exe").status_code == 422
    assert get("/api/v1/analytics/assets?sort=evil").status_code == 422
    assert get("/api/v1/analytics/assets?industry=a%00b").status_code == 422
    assert get(f"/api/v1/analytics/assets/{world.assets['A']}?product=%1B").status_code == 422
    assert get("/api/v1/analytics/assets?stage_id=99999999999").status_code == 422
    assert get(f"/api/v1/analytics/assets?owner_id={world.users['R1'].id}", "R2"
               ).status_code == 403
    assert get("/api/v1/analytics/reps", "M").status_code == 403
    mine = get("/api/v1/analytics/reps", "R2").get_json()
    assert [r["name"] for r in mine] == ["Rep R2"]
    assert get("/api/v1/analytics/assets/99999").status_code == 404
    assert client.get("/api/v1/analytics/assets").status_code == 401


def test_the_library_asset_page_says_whether_it_moves_deals(app, world):
    html = signed_in(app, world, "R1").get(f"/assets/{world.assets['B']}").get_data(as_text=True)
    assert "Does it move deals?" in html
    assert "Used on 4 deals (3 won, 1 lost)" in html and "lift 1.75" in html
    assert f'href="/insights/assets/{world.assets["B"]}"' in html


def test_the_marketing_view_worked_out_by_hand(app, world):
    """Every use in the world happened in January 2026, long before today: nothing is "most used
    in 90 days". A, B and C were all used; a new asset never was. The assets were uploaded today,
    so none has been published for 90 days yet: no retirement candidate."""
    from app.insights import metrics, reports
    from app.library.models import Asset

    response = upload_asset(app.test_client(), world.headers["M"], b"# Unused\n", "u.md",
                            title="Never used", status="published")
    assert response.status_code == 201
    with app.app_context():
        leader = db.session.get(type(world.users["L"]), world.users["L"].id)
        view = reports.marketing_view(metrics.asset_rows(leader, metrics.Filters()))
        assert view["most_used"] == []
        assert [a["title"] for a in view["never_used"]] == ["Never used"]
        assert view["retirement_candidates"] == []
        # Backdate the assets' publication: A, B, C (no deal in 90 days) and the new one are now
        # retirement candidates.
        for asset in db.session.scalars(db.select(Asset)):
            asset.created_at = asset.created_at.replace(year=2025)
        db.session.commit()
        view = reports.marketing_view(metrics.asset_rows(leader, metrics.Filters()))
        assert sorted(a["title"] for a in view["retirement_candidates"]) == [
            "Asset A", "Asset B", "Asset C", "Never used"]
    html = signed_in(app, world, "M").get("/insights/marketing").get_data(as_text=True)
    assert "Never used" in html and "Retirement candidates" in html

"""The analytics tables as CSV rows: a header and plain values (neutralized on the way out by
app.core.csv_export)."""

from __future__ import annotations

from app.insights.stats import MODELS


def _ci(row, end):
    return None if row["win_rate_ci"] is None else round(row["win_rate_ci"][end], 6)


def _r(value, places=6):
    return None if value is None else round(value, places)


METRIC_HEADER = ["deals_influenced", "open", "won", "lost", "win_rate", "win_rate_ci_low",
                 "win_rate_ci_high", "baseline_win_rate", "lift", "p_value", "enough_data",
                 "influenced_revenue"]


def _metrics(row) -> list:
    return [row["deals_influenced"], row["open"], row["won"], row["lost"], _r(row["win_rate"]),
            _ci(row, 0), _ci(row, 1), _r(row["baseline_win_rate"]), _r(row["lift"]),
            _r(row["p_value"]), row["enough_data"], row["influenced_revenue"]]


def asset_table(rows):
    header = ["asset_id", "title", "kind", "stage", *METRIC_HEADER,
              *(f"attributed_{m}" for m in MODELS)]
    return header, ([r["asset_id"], r["title"], r["kind"], r["stage"], *_metrics(r),
                     *(r["attributed_revenue"][m] for m in MODELS)] for r in rows)


def version_table(rows):
    return ["version", *METRIC_HEADER], ([r["version"], *_metrics(r)] for r in rows)


def over_time_table(points):
    header = ["month", "with_content_won", "with_content_lost", "with_content_win_rate",
              "without_content_won", "without_content_lost", "without_content_win_rate"]
    return header, ([p["month"], p["with_content"]["won"], p["with_content"]["lost"],
                     _r(p["with_content"]["win_rate"]), p["without_content"]["won"],
                     p["without_content"]["lost"], _r(p["without_content"]["win_rate"])]
                    for p in points)


def coverage_table(coverage):
    header = ["funnel_stage", "assets", "judged", "effective", "best_asset", "best_lift"]
    return header, ([c["stage"], c["assets"], c["judged"], c["effective"],
                     c["best"]["title"] if c["best"] else None,
                     _r(c["best"]["lift"]) if c["best"] else None] for c in coverage)


def deals_table(deals, amounts: bool, names: bool):
    header = ["deal", "status", *(["amount", "currency"] if amounts else []),
              *(["owner"] if names else []), "close_date", "first_used_at",
              "stage_at_first_use", "counts"]
    rows = []
    for d in deals:
        deal = d["deal"]
        rows.append([deal.name, deal.status,
                     *([deal.amount, deal.currency] if amounts else []),
                     *([deal.owner.name if deal.owner else None] if names else []),
                     deal.close_date.isoformat(),
                     d["first_used_at"].isoformat() if d["first_used_at"] else None,
                     d["stage_at_first_use"], d["counts"]])
    return header, rows


def reps_using_table(people):
    return ["rep", "deals", "won", "lost"], ([p["name"], p["deals"], p["won"], p["lost"]]
                                             for p in people)


def progression_table(rows):
    header = ["stage", "deals", "advanced", "advanced_share", "baseline_deals",
              "baseline_advanced", "baseline_share"]
    return header, ([r["stage"], r["deals"], r["advanced"], _r(r["advanced_share"]),
                     r["baseline_deals"], r["baseline_advanced"], _r(r["baseline_share"])]
                    for r in rows)


def rep_table(rows):
    header = ["rep", "deals", "deals_with_content", "content_share", "assets_used",
              "win_rate_with_content", "win_rate_without_content"]
    return header, ([r["name"], r["deals"], r["deals_with_content"], _r(r["content_share"]),
                     r["assets_used"], _r(r["with_content"]["win_rate"]),
                     _r(r["without_content"]["win_rate"])] for r in rows)


def brief_table(items):
    return ["asset_id", "title", "kind", "stage", "deals_influenced"], (
        [i["asset_id"], i["title"], i["kind"], i["stage"], i["deals_influenced"]]
        for i in items)


def gaps_table(gaps):
    return ["query", "searches", "users"], ([g.query, g.searches, g.users] for g in gaps)

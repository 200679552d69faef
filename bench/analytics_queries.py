"""Time the insights queries in-process on an already loaded database, cold and with the shared
figures cached (median and min-max of 5 runs). Load one with `bench/analytics.py --keep` (it says
where it keeps the database), then:

    .venv/bin/python bench/analytics_queries.py sqlite:////tmp/lockstep-bench-local-XXXX/lockstep.db
    .venv/bin/python bench/analytics_queries.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_analytics

After a schema change, `flask insights rebuild` brings a kept database's rollup up to date first.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, before=None, runs: int = 5) -> str:
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return f"{statistics.median(times):.0f} ({min(times):.0f}-{max(times):.0f})"


def main(url: str) -> None:
    from sqlalchemy import func, select

    from app import create_app
    from app.auth.models import User
    from app.core.timeutil import today
    from app.extensions import db
    from app.insights import cache, detail, metrics, reports
    from app.insights.models import Influence
    from app.library.models import Asset

    work = Path(tempfile.mkdtemp(prefix="lockstep-analytics-queries-"))
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url,
                                 "SEARCH_INDEX_DIR": str(work / "index"),
                                 "STORAGE_LOCAL_ROOT": str(work / "blobs"),
                                 "UPLOAD_TMP_DIR": str(work / "tmp")})
    with app.app_context():
        leader = db.session.scalar(select(User).where(User.role == "leader"))
        counts = db.session.execute(select(Influence.asset_id, func.count())
                                    .group_by(Influence.asset_id)
                                    .order_by(func.count().desc())).all()
        picks = {"most used": counts[0][0], "median": counts[len(counts) // 2][0],
                 "rarely used": counts[-1][0]}
        stage = db.session.scalar(select(Influence.first_stage_id).limit(1))
        every = metrics.Filters()
        rows = metrics.asset_rows(leader, every)
        quarter = metrics.Filters(date_from=today() - timedelta(days=90))
        cases = [
            ("asset_rows, all assets, no filter", lambda: metrics.asset_rows(leader, every)),
            ("asset_rows, last 90 days", lambda: metrics.asset_rows(leader, quarter)),
            ("asset_rows, one industry",
             lambda: metrics.asset_rows(leader, metrics.Filters(industry="software"))),
            ("asset_rows, stage at use",
             lambda: metrics.asset_rows(leader, metrics.Filters(stage_id=stage))),
            ("win_rate_over_time", lambda: reports.win_rate_over_time(every)),
            ("funnel_coverage", lambda: reports.funnel_coverage(rows)),
            ("rep_adoption", lambda: reports.rep_adoption(every)),
            ("rep_adoption, last 90 days", lambda: reports.rep_adoption(quarter)),
            ("marketing_view", lambda: reports.marketing_view(rows)),
        ]
        for name, asset_id in picks.items():
            asset = db.session.get(Asset, asset_id)

            def page(a=asset):  # what the asset page's view asks for
                return (detail.asset_effectiveness(a, every), detail.deals_touched(a.id, every),
                        detail.reps_using(a.id, every))
            cases.append((f"asset page ({name}), shared figures cached", page))
            cases.append((f"asset page ({name}), cold", page))
        print(f"| query ({db.engine.dialect.name}) | ms, median (min-max) |\n|---|---:|")
        for name, fn in cases:
            print(f"| {name} | {timed(fn, cache.clear if 'cold' in name else None)} |",
                  flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

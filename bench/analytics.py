"""The analytics dashboard at the issue's scale: 5,000 assets, 100,000 deals and 2,000,000 usage
events from a seeded generator, on SQLite and on PostgreSQL. Target: under 1 s per query.

    .venv/bin/python bench/analytics.py                      # full scale, sqlite and postgresql
    .venv/bin/python bench/analytics.py --db sqlite --scale 0.02 --repeat 3

Per database:
1. A fresh database migrated with `flask db upgrade` (SQLite: a file in the throwaway server's
   directory; PostgreSQL: the database `bench_analytics`, dropped and recreated, dropped at the
   end unless --keep). The migration seeds the default pipeline.
2. Users, accounts, assets with 1-5 versions, deals with their stage history and usage events are
   bulk-loaded (SQLAlchemy Core executemany; COPY on PostgreSQL; no blobs, version rows only),
   then `rollup.rebuild()` is timed. PostgreSQL gets a VACUUM (ANALYZE) after the load and the
   rebuild, as autovacuum would; SQLite gets nothing, since the app never runs ANALYZE.
3. The search index is built with `flask search reindex`, gunicorn is started (2 workers x 4
   threads), and writes go through the API as an admin: --writes usage events
   (POST /api/v1/deals/<id>/usage), --writes single-deal upserts that close open deals as won and
   one batch of --writes upserts that move open deals a stage on (POST /api/v1/deals). Then the
   maintained per-asset totals are compared with an aggregate over the influence rows, the
   written deals' rollup rows with a recompute, and (at the very end) everything with a rebuild.
4. The dashboard's queries are timed in-process as a leader: one cold run (the insights area's
   per-process cache emptied first; it also compiles the statements) and the median, min and max
   of --repeat warm runs after it; then the API endpoints through gunicorn (the first request,
   and the median of --repeat more). A query whose cold run takes over --slow s is not repeated;
   one is stopped after --limit s. Each cold run's statements are then run again, each timed up
   to its last row, and the slowest statement of the slowest query gets an EXPLAIN.
   Before each timed phase the run waits (up to --quiet-wait s) for other processes to leave
   the CPUs idle.

Dates are offsets from --anchor (default: today, UTC) so "the last 90 days" and open deals mean
what they would on a live installation. Results: bench/results/analytics-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import hashlib
import http.client
import itertools
import json
import math
import os
import platform
import random
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from common import REPO_ROOT, LockstepServer, machine_info  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_NAME = "bench_analytics"
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"
RATES = "EUR=1.08"
INDUSTRIES = ("Software", "Healthcare", "Financial Services", "Manufacturing", "Retail",
              "Education", "Energy", "Public Sector")
PRODUCTS = ("Core Platform", "Analytics", "Payments", "Mobile", "Security", "Integrations")
KINDS = (("pdf", 30, "application/pdf", "pdf"), ("slides", 25, "application/vnd.openxmlformats-"
         "officedocument.presentationml.presentation", "pptx"),
         ("document", 20, "application/vnd.openxmlformats-officedocument.wordprocessingml."
          "document", "docx"), ("spreadsheet", 5, "application/vnd.openxmlformats-"
                                "officedocument.spreadsheetml.sheet", "xlsx"),
         ("video", 5, "video/mp4", "mp4"), ("markdown", 8, "text/markdown", "md"),
         ("image", 4, "image/png", "png"), ("html", 3, "text/html", "html"))
FUNNEL = ("awareness", "discovery", "evaluation", "proposal", "closing")
ACTIONS = ("emailed", "presented", "shared_link", "sent_in_proposal", "viewed")
ACTION_WEIGHTS = tuple(itertools.accumulate((30, 15, 20, 10, 25)))
CHUNK = 20_000
CODE_AT_IMPORT: dict = {}  # app/ as this process imported it (main() fills it in)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def at(day: datetime, days: float) -> datetime:
    return day + timedelta(days=days)


# --- the generator -------------------------------------------------------------------------------

@dataclass
class DealInfo:
    """What the writes later need to send a deal back through the API unchanged but for its
    outcome."""
    id: int
    status: str
    owner: int
    account: int
    amount: str | None
    currency: str | None
    created_at: datetime
    close_date: date
    used: bool = False


@dataclass
class Data:
    stages: list  # (id, name, outcome) in pipeline order
    users: list[dict] = field(default_factory=list)
    reps: list[int] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    assets: list[dict] = field(default_factory=list)
    versions: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)
    usable: list[int] = field(default_factory=list)  # assets that may be used, by popularity
    cum_weights: list[float] = field(default_factory=list)
    deals: list[DealInfo] = field(default_factory=list)


class Generator:
    def __init__(self, args, stages) -> None:
        self.rng = random.Random(args.seed)
        self.anchor = datetime.combine(args.anchor, dtime(12, 0), tzinfo=UTC)
        self.args = args
        self.data = Data(stages=stages)

    def users(self) -> list[dict]:
        roles = ["admin"] * 2 + ["leader"] * 3 + ["marketer"] * 5 + ["rep"] * 40
        rows = []
        for n, role in enumerate(roles, start=1):
            rows.append({"id": n, "email": f"{role}{n}@bench.example.com",
                         "name": f"Bench {role.title()} {n:02d}", "role": role, "active": True,
                         "password_hash": None, "session_nonce": secrets.token_urlsafe(16),
                         "created_at": at(self.anchor, -1000),
                         "updated_at": at(self.anchor, -1000)})
        self.data.users = rows
        self.data.reps = [r["id"] for r in rows if r["role"] == "rep"]
        return rows

    def accounts(self, count: int) -> list[dict]:
        rows = []
        for n in range(1, count + 1):
            industry = self.rng.choice(INDUSTRIES) if self.rng.random() > 0.05 else ""
            name = f"Account {n:05d} {self.rng.choice(('Labs', 'Corp', 'GmbH', 'Inc', 'AG'))}"
            rows.append({"id": n, "name": name, "domains": f"acct{n}.example.com",
                         "industry": industry, "created_at": at(self.anchor, -1000)})
            self.data.accounts.append(name)
        return rows

    def assets(self, count: int) -> tuple[list[dict], list[dict]]:
        rng, marketers = self.rng, [u["id"] for u in self.data.users if u["role"] == "marketer"]
        kinds, weights = [k for k in KINDS], [k[1] for k in KINDS]
        assets, versions, version_id = [], [], 0
        for n in range(1, count + 1):
            kind, _, content_type, ext = rng.choices(kinds, weights)[0]
            status = rng.choices(("published", "draft", "archived"), (92, 5, 3))[0]
            created = at(self.anchor, -rng.uniform(60, 900))
            review = (created + timedelta(days=rng.randrange(180, 900))).date() \
                if rng.random() < 0.6 else None
            assets.append({
                "id": n, "title": f"{rng.choice(PRODUCTS)} {kind} {n:05d}", "description": "",
                "kind": kind, "stage": rng.choice(FUNNEL) if rng.random() > 0.1 else None,
                "persona": rng.choice(("CFO", "CTO", "Ops", "")), "industry": rng.choice(
                    INDUSTRIES + ("",)), "product": rng.choice(PRODUCTS), "status": status,
                "owner_id": rng.choice(marketers), "review_by": review, "created_at": created,
                "updated_at": created, "current_version_id": None})
            mine, moment = [], created
            for number in range(1, rng.choices((1, 2, 3, 4, 5), (40, 25, 15, 12, 8))[0] + 1):
                version_id += 1
                digest = hashlib.sha256(f"{self.args.seed}-{n}-{number}".encode()).hexdigest()
                versions.append({
                    "id": version_id, "asset_id": n, "number": number,
                    "storage_key": f"{digest[:2]}/{digest[2:4]}/{digest}", "sha256": digest,
                    "size": rng.randrange(20_000, 40_000_000), "content_type": content_type,
                    "kind": kind, "filename": f"asset-{n}-v{number}.{ext}", "notes": "",
                    "author_id": assets[-1]["owner_id"], "created_at": moment,
                    "page_count": rng.randrange(1, 60) if kind in ("pdf", "slides") else None,
                    "text": ""})
                mine.append((moment, version_id))
                moment = at(moment, rng.uniform(20, 200))
            self.data.versions[n] = mine
        used = [a["id"] for a in assets if a["status"] != "draft"]
        rng.shuffle(used)  # popularity is not the id order
        self.data.usable = used
        self.data.cum_weights = list(itertools.accumulate(1 / (r + 1) ** 0.9
                                                          for r in range(len(used))))
        self.data.assets = assets
        return assets, versions

    def pick_asset(self) -> int:
        return self.rng.choices(self.data.usable, cum_weights=self.data.cum_weights)[0]

    def deals(self, count: int):
        """Yields (deal row, history rows, the deal's stage timeline) per deal."""
        rng, stages = self.rng, self.data.stages
        for n in range(1, count + 1):
            status = rng.choices(("open", "won", "lost"), (25, 35, 40))[0]
            cycle = min(400.0, max(7.0, rng.lognormvariate(math.log(60), 0.6)))
            if status == "open":
                created = at(self.anchor, -rng.uniform(1, 240))
                closed_at, end = None, self.anchor
                close_date = at(self.anchor, rng.uniform(1, 150)).date()
                path = self._path(rng.choices(range(5), (30, 25, 20, 15, 10))[0])
            else:
                closed_at = at(self.anchor, -rng.uniform(0.5, 730))
                created, end, close_date = at(closed_at, -cycle), closed_at, closed_at.date()
                path = self._path(4 if status == "won" else rng.randrange(5))
                path.append(5 if status == "won" else 6)
            times = sorted(at(created, rng.uniform(0, (end - created).total_seconds() / 86400))
                           for _ in range(len(path) - 1 - (closed_at is not None)))
            times = [created, *times] + ([closed_at] if closed_at else [])
            times = times[:len(path)]
            owner = rng.choice(self.data.reps)
            account = rng.randrange(len(self.data.accounts))
            amount = currency = None
            if rng.random() > 0.07:
                currency = "USD" if rng.random() < 0.72 else "EUR"
                amount = f"{min(5e6, rng.lognormvariate(math.log(40_000), 1.0)):.2f}"
            final = stages[path[-1]]
            deal = {"id": n, "external_id": f"BENCH-{n:06d}", "name": f"Deal {n:06d}",
                    "account_id": account + 1, "owner_id": owner, "amount": amount,
                    "currency": currency, "stage": final[1], "stage_id": final[0],
                    "status": status, "close_date": close_date, "closed_at": closed_at,
                    "created_at": created, "updated_at": times[-1], "source_updated_at": None}
            history = [{"deal_id": n, "stage": stages[i][1], "stage_id": stages[i][0],
                        "status": stages[i][2], "changed_at": t, "recorded_at": t,
                        "source": "import"} for i, t in zip(path, times, strict=True)]
            self.data.deals.append(DealInfo(n, status, owner, account, amount, currency,
                                            created, close_date))
            yield deal, history, (times, path, end)

    def _path(self, last: int) -> list[int]:
        return [0] + [i for i in range(1, last + 1) if i == last or self.rng.random() > 0.15]

    def event_counts(self, deals: int, events: int) -> list[int]:
        """Events per deal: 75% of deals have any, skewed (lognormal), summing to `events`."""
        rng = self.rng
        weights = [rng.lognormvariate(0, 1.0) if rng.random() < 0.75 else 0.0
                   for _ in range(deals)]
        scale = events / (sum(weights) or 1)
        counts = [round(w * scale) for w in weights]
        with_usage = [i for i, w in enumerate(weights) if w] or [0]
        while (diff := events - sum(counts)) != 0:
            i = rng.choice(with_usage)
            counts[i] = max(0, counts[i] + (1 if diff > 0 else -1))
        return counts

    def events(self, deal: dict, timeline, count: int) -> list[dict]:
        rng, stages = self.rng, self.data.stages
        times, path, end = timeline
        created, closed_at = deal["created_at"], deal["closed_at"]
        span = (end - created).total_seconds() / 86400
        chosen = list(dict.fromkeys(self.pick_asset() for _ in range(
            min(count, 1 + int(rng.expovariate(1 / 5))))))
        rows = []
        for _ in range(count):
            asset = chosen[min(int(rng.expovariate(0.7)), len(chosen) - 1)]
            late = closed_at is not None and rng.random() < 0.03
            moment = at(closed_at, rng.uniform(0.01, 30)) if late else at(
                created, rng.uniform(0, span))
            if late and moment >= self.anchor:
                moment, late = at(closed_at, -0.01), False
            i = path[bisect.bisect_right(times, moment) - 1] if not late else path[-1]
            versions = self.data.versions[asset]
            v = bisect.bisect_right(versions, (moment, 1 << 60)) - 1
            user = deal["owner_id"] if rng.random() < 0.85 else rng.choice(self.data.reps)
            rows.append({"deal_id": deal["id"], "asset_id": asset,
                         "version_id": versions[max(v, 0)][1], "fork_id": None,
                         "user_id": user,
                         "action": rng.choices(ACTIONS, cum_weights=ACTION_WEIGHTS)[0],
                         "deal_stage": stages[i][1], "deal_stage_id": stages[i][0],
                         "deal_status": deal["status"] if late else "open",
                         "after_close": late, "occurred_at": moment})
        return rows


# --- loading -------------------------------------------------------------------------------------

INSERT_SECONDS: dict[str, float] = {}


def insert(conn, table, rows: list[dict]) -> int:
    """Core executemany in chunks; on PostgreSQL COPY (executemany there is ~8,000 rows/s)."""
    started, count = time.perf_counter(), len(rows)
    if rows and conn.dialect.name == "postgresql":
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        rows = []
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start:start + CHUNK])
    INSERT_SECONDS[table.name] = INSERT_SECONDS.get(table.name, 0) + time.perf_counter() - started
    return count


def load(app, args) -> tuple[Generator, dict]:
    from app.auth.models import User
    from app.deals.models import Account, Deal, DealStageChange, PipelineStage, UsageEvent
    from app.extensions import db
    from app.library.models import Asset, AssetVersion

    with app.app_context():
        stages = [tuple(r) for r in db.session.execute(sa.select(
            PipelineStage.id, PipelineStage.name, PipelineStage.outcome)
            .order_by(PipelineStage.position))]
        gen, counts, started = Generator(args, stages), {}, time.perf_counter()
        assert [s[2] for s in stages] == ["open"] * 5 + ["won", "lost"], stages
        engine = db.engine
        with engine.begin() as conn:
            counts["users"] = insert(conn, User.__table__, gen.users())
            counts["accounts"] = insert(conn, Account.__table__,
                                        gen.accounts(max(10, args.deals // 10)))
            assets, versions = gen.assets(args.assets)
            counts["assets"] = insert(conn, Asset.__table__, assets)
            counts["versions"] = insert(conn, AssetVersion.__table__, versions)
            conn.execute(sa.update(Asset.__table__).where(
                Asset.__table__.c.id == sa.bindparam("aid")).values(
                current_version_id=sa.bindparam("vid")),
                [{"aid": a, "vid": v[-1][1]} for a, v in gen.data.versions.items()])
        per_deal = gen.event_counts(args.deals, args.events)
        deals, history, events = [], [], []
        counts.update(deals=0, stage_changes=0, usage_events=0)

        def flush() -> None:
            with engine.begin() as conn:  # deals before the events that point at them
                counts["deals"] += insert(conn, Deal.__table__, deals)
                counts["stage_changes"] += insert(conn, DealStageChange.__table__, history)
                counts["usage_events"] += insert(conn, UsageEvent.__table__, events)
            deals.clear(), history.clear(), events.clear()

        for (deal, changes, timeline), n in zip(gen.deals(args.deals), per_deal, strict=True):
            deals.append(deal)
            history.extend(changes)
            if n:
                gen.data.deals[-1].used = True
                events.extend(gen.events(deal, timeline, n))
            if len(deals) >= CHUNK // 4 or len(events) >= CHUNK:
                flush()
        flush()
        _after_load(db)
        counts["load_s"] = round(time.perf_counter() - started, 1)
        counts["insert_s"] = {k: round(v, 1) for k, v in INSERT_SECONDS.items()}
        INSERT_SECONDS.clear()
    return gen, counts


def _after_load(db) -> None:
    """PostgreSQL: move the sequences past the ids given, then VACUUM (ANALYZE), as autovacuum
    would: since PostgreSQL 13 it vacuums tables that only receive inserts too, which sets the
    visibility map that index-only scans need (without it, an asset's uses are read from the
    heap: 0.21 s instead of 0.09 s for the most used asset's reps)."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.begin() as conn:
        for table in ("user", "account", "asset", "asset_version", "deal"):
            sql = (f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                   f"(SELECT max(id) FROM \"{table}\"))")  # fixed table names
            conn.execute(sa.text(sql))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE)"))


def rebuild(app) -> dict:
    from app.extensions import db
    from app.insights import rollup

    with app.app_context():
        started = time.perf_counter()
        written = rollup.rebuild()
        seconds = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ("insights_influence", "insights_asset_effect",
                              "insights_influence_use", "insights_deal_path",
                              "insights_stage_entry"):
                    conn.execute(sa.text(f"VACUUM (ANALYZE) {table}"))
        db.session.remove()
    return {"rebuild_s": round(seconds, 1), "influence_rows": written}


# --- HTTP ----------------------------------------------------------------------------------------

def call(server, method: str, path: str, headers: dict, body=None) -> tuple[int, object, float]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=900)
    started = time.perf_counter()
    try:
        payload = json.dumps(body) if body is not None else None
        conn.request(method, path, body=payload,
                     headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        return response.status, json.loads(raw) if raw else None, elapsed
    finally:
        conn.close()


def spread(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"n": len(ordered), "p50_ms": ms(statistics.median(ordered)),
            "p95_ms": ms(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]),
            "min_ms": ms(ordered[0]), "max_ms": ms(ordered[-1])}


def deal_body(gen: Generator, deal: DealInfo, **changes) -> dict:
    body = {"external_id": f"BENCH-{deal.id:06d}", "name": f"Deal {deal.id:06d}",
            "account": gen.data.accounts[deal.account],
            "owner_email": gen.data.users[deal.owner - 1]["email"], "amount": deal.amount,
            "currency": deal.currency, "close_date": deal.close_date.isoformat(),
            "created_at": deal.created_at.isoformat()}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def writes(server, gen: Generator, headers: dict, count: int) -> tuple[dict, list[int]]:
    rng = random.Random(gen.args.seed + 1)
    published = {a["id"] for a in gen.data.assets if a["status"] == "published"}
    open_used = [d for d in gen.data.deals if d.status == "open" and d.used]
    closed = [d for d in gen.data.deals if d.status != "open"]
    rng.shuffle(open_used)
    touched, out, usage = [], {}, []
    for _ in range(count):
        deal = rng.choice(open_used) if rng.random() < 0.8 else rng.choice(closed)
        asset = gen.pick_asset()
        while asset not in published:
            asset = gen.pick_asset()
        status, body, seconds = call(server, "POST", f"/api/v1/deals/{deal.id}/usage", headers,
                                     {"asset_id": asset, "action": rng.choice(
                                         ("emailed", "presented", "shared_link"))})
        assert status == 201, (status, body)
        usage.append(seconds)
        touched.append(deal.id)
    out["usage_post"] = spread(usage)
    singles, now = [], datetime.now(UTC)
    to_close, to_move = open_used[:count], open_used[count:2 * count]
    for deal in to_close:
        status, body, seconds = call(server, "POST", "/api/v1/deals", headers, [deal_body(
            gen, deal, stage="Closed Won", status="won", close_date=now.date().isoformat(),
            closed_at=now.isoformat())])
        assert status == 200 and body["updated"] == 1, (status, body)
        singles.append(seconds)
        touched.append(deal.id)
    out["deal_upsert_single"] = spread(singles)
    batch = [deal_body(gen, d, stage="Proposal", status="open") for d in to_move]
    status, body, seconds = call(server, "POST", "/api/v1/deals", headers, batch)
    assert status == 200, (status, body)
    out["deal_upsert_batch"] = {"deals": len(batch), "updated": body["updated"],
                                "seconds": round(seconds, 2)}
    touched += [d.id for d in to_move]
    return out, sorted(set(touched))


# --- checks --------------------------------------------------------------------------------------

def _norm(row) -> tuple:
    counters, sums = row[:3], row[3:]
    return (*(int(v or 0) for v in counters),
            *(Decimal(str(v or 0)).quantize(Decimal("0.01")) for v in sums))


def effect_totals(db) -> dict:
    from app.insights.models import COUNTERS, SUMS, AssetEffect

    table = AssetEffect.__table__
    rows = db.session.execute(sa.select(table.c.asset_id, table.c.currency,
                                        *(table.c[n] for n in (*COUNTERS, *SUMS))))
    return {(r[0], r[1]): _norm(r[2:]) for r in rows}


def compare(a: dict, b: dict) -> dict:
    keys = set(a) | set(b)
    bad = [k for k in keys if a.get(k) != b.get(k)]
    return {"groups": len(keys), "mismatched": len(bad), "match": not bad,
            "examples": [[list(k), [str(v) for v in a.get(k, ())], [str(v) for v in b.get(k, ())]]
                         for k in sorted(bad)[:3]]}


def check_totals(app, touched: list[int]) -> dict:
    from app.extensions import db
    from app.insights import rollup
    from app.insights.models import Influence

    with app.app_context():
        aggregated = {(r[0], r[1]): _norm(r[2:]) for r in
                      db.session.execute(rollup.totals_from_influence())}
        out = {"asset_effect_vs_influence": compare(effect_totals(db), aggregated)}
        fields = ("uses", "fork_uses", "outcome", "first_stage_id", "currency", "first_touch",
                  "last_touch", "linear", "position_based")

        def shape(values) -> tuple:
            return tuple(str(Decimal(str(values[f])).quantize(Decimal("0.01")))
                         if f in fields[5:] else values[f] for f in fields)

        stored = {(r.deal_id, r.asset_id): shape(vars(r)) for r in db.session.scalars(
            sa.select(Influence).where(Influence.deal_id.in_(touched)))}
        fresh = {key: shape(values) for key, values in rollup.compute(touched).items()}
        out["written_deals_rollup_vs_recompute"] = compare(stored, fresh)
        db.session.remove()
    return out


def check_rebuild(app) -> dict:
    from app.extensions import db

    with app.app_context():
        maintained = effect_totals(db)
        db.session.remove()
    timing = rebuild(app)
    with app.app_context():
        rebuilt = effect_totals(db)
        db.session.remove()
    return {**timing, "maintained_vs_rebuilt": compare(maintained, rebuilt)}


# --- timing the dashboard ------------------------------------------------------------------------

class StatementLog:
    """Every SQL statement an engine runs while active, with its duration."""

    def __init__(self, engine) -> None:
        self.engine, self.rows, self._started = engine, [], {}  # engine None: a dummy log

    current = None  # (statement, parameters) running now: the one a deadline interrupted

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started[id(cursor)] = time.perf_counter()
        self.current = (statement, parameters)

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        self.current = None
        began = self._started.pop(id(cursor), None)
        if began is not None and not executemany:
            self.rows.append((time.perf_counter() - began, statement, parameters))

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


class Deadline:
    """Stops the session's statements once `limit` seconds have passed: a progress handler on
    SQLite, SET LOCAL statement_timeout on PostgreSQL (the transaction ends with the run)."""

    def __init__(self, db, limit: float) -> None:
        self.db, self.limit, self.raw = db, limit, None
        self.deadline = time.perf_counter() + limit
        conn = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(limit * 1000)}")
        else:
            self.raw = conn.connection.dbapi_connection
            self.raw.set_progress_handler(lambda: int(time.perf_counter() > self.deadline),
                                          20_000)

    @property
    def tripped(self) -> bool:
        return time.perf_counter() >= self.deadline - 0.5

    def clear(self) -> None:
        if self.raw is not None:
            self.raw.set_progress_handler(None, 0)
        self.db.session.rollback()


def clear_caches() -> None:
    """Empty the insights area's per-process cache (app/insights/cache.py), if it has one."""
    try:
        from app.insights import cache
    except ImportError:
        return
    cache.clear()


def timed(app, fn, args) -> dict:
    """A cold run (the insights cache emptied first) with each statement timed, then --repeat
    warm runs, unless the cold one took longer than --slow; --limit stops a run."""
    from app.extensions import db

    runs, log, result, cold = [], StatementLog(None), None, None
    with app.app_context():
        for n in range(args.repeat + 1):
            db.session.remove()
            if n == 0:
                clear_caches()
            guard = Deadline(db, args.limit)
            log = StatementLog(db.engine) if n == 0 else log
            try:
                with log if n == 0 else contextlib.nullcontext():
                    started = time.perf_counter()
                    result = fn()
                    elapsed = time.perf_counter() - started
            except sa.exc.DBAPIError:
                if not guard.tripped:
                    raise
                guard.clear()
                db.session.remove()
                found = _statements(log)
                if log.current:
                    found["_slowest"] = (args.limit, *log.current)
                    found["interrupted_sql"] = " ".join(log.current[0].split())[:400]
                return {"timed_out": True, "limit_s": args.limit, "median_ms": None, **found}
            guard.clear()
            cold = elapsed if n == 0 else cold
            if n == 0 and elapsed > args.slow:
                runs = [elapsed]
                break
            if n:
                runs.append(elapsed)
        db.session.remove()
        log.rows = refetch(db, log.rows)
    return {"median_ms": ms(statistics.median(runs)), "min_ms": ms(min(runs)),
            "max_ms": ms(max(runs)), "runs": len(runs), "cold_ms": ms(cold),
            "rows": len(result) if isinstance(result, list) else None, **_statements(log)}


def refetch(db, rows: list) -> list:
    """The cold run's statements again, each timed until its last row is fetched: SQLite
    computes rows as they are fetched, so the time to execute() alone can miss most of it."""
    again = []
    with db.engine.connect() as conn:
        for _, statement, parameters in rows:
            started = time.perf_counter()
            conn.exec_driver_sql(statement, parameters).fetchall()
            again.append((time.perf_counter() - started, statement, parameters))
        conn.rollback()
    return again


def _statements(log: StatementLog) -> dict:
    slowest = sorted(log.rows, key=lambda r: -r[0])[:3]
    return {"statements": len(log.rows), "sql_ms": ms(sum(r[0] for r in log.rows)),
            "slowest_statements": [{"ms": ms(s), "sql": " ".join(q.split())[:400]}
                                   for s, q, _ in slowest],
            "_slowest": slowest[0] if slowest else None}


def show(result: dict) -> str:
    if result.get("timed_out"):
        return f"stopped after {result['limit_s']:g} s"
    if result.get("error"):
        return f"error {result['error']}"
    runs = f" ({result['runs']} run)" if result.get("runs") == 1 else ""
    sql = f", SQL {result['sql_ms']} ms" if "sql_ms" in result else ""
    return f"{result['median_ms']:9.1f} ms{runs}   cold {result.get('cold_ms')} ms{sql}"


def pick_assets(app) -> dict[str, int]:
    """Assets by how much they were used: the most, the 10th, the median, the 90th percentile
    and the least used of those with any use."""
    from app.deals.models import UsageEvent
    from app.extensions import db

    with app.app_context():
        ranked = db.session.execute(sa.select(UsageEvent.asset_id, sa.func.count())
                                    .group_by(UsageEvent.asset_id)
                                    .order_by(sa.func.count().desc(), UsageEvent.asset_id)).all()
        db.session.remove()
    n = len(ranked)
    spots = {"most_used": 0, "rank_10": min(9, n - 1), "median": n // 2,
             "p90_rank": min(n - 1, int(n * 0.9)), "least_used": n - 1}
    return {name: {"asset_id": ranked[i][0], "events": ranked[i][1]} for name, i in spots.items()}


def last_quarter(anchor: date) -> tuple[date, date]:
    first = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
    end = first - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def dashboard(app, args, picks: dict) -> dict:
    from app.auth.models import User
    from app.deals.models import PipelineStage
    from app.extensions import db
    from app.insights import detail, reports
    from app.insights.metrics import Filters, asset_rows
    from app.library.models import Asset

    with app.app_context():
        leader = db.session.scalar(sa.select(User.id).where(User.role == "leader"))
        rep = db.session.scalar(sa.select(User.id).where(User.role == "rep"))
        stage = db.session.scalar(sa.select(PipelineStage.id).where(
            PipelineStage.key == "discovery"))
        evaluation = db.session.scalar(sa.select(PipelineStage.id).where(
            PipelineStage.key == "evaluation"))
    date_from, date_to = last_quarter(args.anchor)

    def rows_as(f):
        return lambda: asset_rows(db.session.get(User, leader), f)

    out = {}
    cases = {
        "asset_rows (all)": rows_as(Filters()),
        f"asset_rows (quarter {date_from}..{date_to})": rows_as(
            Filters(date_from=date_from, date_to=date_to)),
        "asset_rows (stage_id=Discovery)": rows_as(Filters(stage_id=stage)),
        "asset_rows (industry=Healthcare)": rows_as(Filters(industry="Healthcare")),
        "asset_rows (owner=one rep)": rows_as(Filters(owner_id=rep)),
    }
    for name, pick in picks.items():
        asset_id = pick["asset_id"]
        cases[f"asset_effectiveness ({name}, {pick['events']} events)"] = (
            lambda a=asset_id: detail.asset_effectiveness(db.session.get(Asset, a), Filters()))
    for name in ("most_used", "median"):  # everything the asset page's view asks for
        asset_id = picks[name]["asset_id"]
        cases[f"asset page ({name}: metrics, deals, reps)"] = (
            lambda a=asset_id: (detail.asset_effectiveness(db.session.get(Asset, a), Filters()),
                                detail.deals_touched(a, Filters()),
                                detail.reps_using(a, Filters())))
    cases["asset_rows (last 90 days, open deals' future close dates too)"] = rows_as(
        Filters(date_from=args.anchor - timedelta(days=90)))
    cases["asset_rows (stage_id=Evaluation)"] = rows_as(Filters(stage_id=evaluation))
    cases["win_rate_over_time"] = lambda: reports.win_rate_over_time(Filters())
    cases["rep_adoption"] = lambda: reports.rep_adoption(Filters())
    with app.app_context():
        rows = asset_rows(db.session.get(User, leader), Filters())
        db.session.remove()
    cases["funnel_coverage(rows)"] = lambda: reports.funnel_coverage(rows)
    cases["marketing_view(rows)"] = lambda: reports.marketing_view(rows)
    for name, fn in cases.items():
        out[name] = timed(app, fn, args)
        print(f"  {name:58s} {show(out[name])}", flush=True)
    return out


def http_reads(server, headers: dict, picks: dict, queries: dict, args) -> dict:
    """The endpoints as a leader; one whose in-process query was stopped is skipped (gunicorn
    would kill the worker at its 600 s timeout)."""
    def inprocess(pick: str) -> dict:
        return next(v for k, v in queries.items() if k.startswith(f"asset_effectiveness ({pick},"))

    paths = {"GET /analytics/assets?per_page=50": ("/api/v1/analytics/assets?per_page=50", None),
             "GET /analytics/assets/<most used>":
                 (f"/api/v1/analytics/assets/{picks['most_used']['asset_id']}", "most_used"),
             "GET /analytics/assets/<median>":
                 (f"/api/v1/analytics/assets/{picks['median']['asset_id']}", "median"),
             "GET /analytics/reps": ("/api/v1/analytics/reps", None)}
    out = {}
    for name, (path, pick) in paths.items():
        if pick and inprocess(pick).get("timed_out"):
            out[name] = {"skipped": "the in-process query was stopped", "median_ms": None}
            print(f"  {name:58s} skipped", flush=True)
            continue
        seconds, first = [], None
        for n in range(args.repeat + 1):
            try:
                status, body, elapsed = call(server, "GET", path, headers)
            except (OSError, http.client.HTTPException) as exc:
                status, body = None, repr(exc)
            if status != 200:
                seconds = []
                out[name] = {"error": f"{status} {str(body)[:200]}", "median_ms": None}
                break
            first = elapsed if n == 0 else first
            if n == 0 and elapsed > args.slow:
                seconds = [elapsed]
                break
            if n:
                seconds.append(elapsed)
        if seconds:
            out[name] = {"median_ms": ms(statistics.median(seconds)),
                         "min_ms": ms(min(seconds)), "max_ms": ms(max(seconds)),
                         "runs": len(seconds), "cold_ms": ms(first)}
        print(f"  {name:58s} {show(out[name])}", flush=True)
    return out


def explain(app, statement: str, parameters, analyze: bool) -> str:
    """The plan; on PostgreSQL with ANALYZE unless the statement is too slow to run again."""
    from app.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            how = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
            rows = conn.exec_driver_sql(how + statement, parameters)
            return "\n".join(r[0] for r in rows)
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(f"{r[0]}|{r[1]}| {r[3]}" for r in rows)


# --- one database --------------------------------------------------------------------------------

@contextlib.contextmanager
def postgres_database():
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{PG_NAME}"'))
    try:
        yield PG_URL
    finally:
        admin.dispose()


def drop_postgres() -> None:
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()


def make_app(server: LockstepServer):
    from app import create_app

    env = server.env
    return create_app("production", {
        "SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": env["SECRET_KEY"],
        "FORCE_HTTPS": False, "SEARCH_INDEX_DIR": env["SEARCH_INDEX_DIR"],
        "STORAGE_LOCAL_ROOT": env["STORAGE_LOCAL_ROOT"], "UPLOAD_TMP_DIR": env["UPLOAD_TMP_DIR"],
        "SECRET_KEY_FILE": str(server.dir / "secret_key"), "INSIGHTS_RATES": RATES})


def tokens(app) -> tuple[dict, dict]:
    from app.auth.models import User
    from app.auth.tokens import issue_token
    from app.extensions import db

    with app.app_context():
        found = {}
        for role in ("admin", "leader"):
            user = db.session.scalar(sa.select(User).where(User.role == role).order_by(User.id))
            found[role] = {"Authorization": f"Bearer {issue_token(user, 'bench')}"}
        db.session.remove()
    return found["admin"], found["leader"]


def database_size(app, server) -> float:
    from app.extensions import db

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            size = db.session.scalar(sa.text(f"SELECT pg_database_size('{PG_NAME}')"))
        else:
            size = sum(p.stat().st_size for p in server.dir.glob("lockstep.db*"))
        db.session.remove()
    return round(size / 2**20)


def bench_db(kind: str, args) -> dict:
    extra = {"INSIGHTS_RATES": RATES}
    pg = postgres_database() if kind == "postgresql" else contextlib.nullcontext()
    with pg as url:
        if url:
            extra["DATABASE_URL"] = url
        server = LockstepServer("local", workers=2, extra_env=extra, keep=args.keep)
        try:
            return run(kind, server, args)
        finally:
            server.stop()
            if url and not args.keep:
                drop_postgres()


def busy_share(seconds: float = 3.0) -> float:
    """The share of all CPUs in use over `seconds` (from /proc/stat)."""
    def sample() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(args, phase: str) -> dict:
    """Before timing: wait (up to --quiet-wait s) until other processes leave the CPUs idle, so
    a test suite running beside the benchmark does not end up in its numbers."""
    started = time.perf_counter()
    busy = busy_share()
    while busy > 0.25 and time.perf_counter() - started < args.quiet_wait:
        print(f"  ({phase}: CPUs {busy:.0%} busy with something else; waiting)", flush=True)
        time.sleep(20)
        busy = busy_share()
    return {"busy_share": round(busy, 2), "waited_s": round(time.perf_counter() - started)}


def run(kind: str, server: LockstepServer, args) -> dict:
    out: dict = {"db": kind}
    started = time.perf_counter()
    server.flask("db", "upgrade")
    out["migrate_s"] = round(time.perf_counter() - started, 1)
    app = make_app(server)
    print(f"[{kind}] loading {args.assets} assets, {args.deals} deals, {args.events} events",
          flush=True)
    gen, out["loaded"] = load(app, args)
    print(f"[{kind}] loaded in {out['loaded']['load_s']} s: {out['loaded']}", flush=True)
    out["rebuild"] = rebuild(app)
    print(f"[{kind}] rebuild {out['rebuild']}", flush=True)
    started = time.perf_counter()
    out["search_reindex"] = server.flask("search", "reindex").strip()
    out["search_reindex_s"] = round(time.perf_counter() - started, 1)
    admin, leader = tokens(app)
    out["server_code"] = code_state()  # what gunicorn loads; in-process code: "code" at the top
    with server:
        out["quiet"] = {"writes": wait_quiet(args, "writes")}
        print(f"[{kind}] writes through the API", flush=True)
        out["writes"], touched = writes(server, gen, admin, args.writes)
        print(f"[{kind}] {out['writes']}", flush=True)
        out["checks"] = check_totals(app, touched)
        print(f"[{kind}] checks {json.dumps(out['checks'])}", flush=True)
        out["db_size_mb"] = database_size(app, server)
        picks = pick_assets(app)
        out["picked_assets"] = picks
        out["quiet"]["queries"] = wait_quiet(args, "queries")
        print(f"[{kind}] dashboard queries in-process (median of {args.repeat})", flush=True)
        out["queries"] = dashboard(app, args, picks)
        out["quiet"]["http"] = wait_quiet(args, "http")
        print(f"[{kind}] API through gunicorn (median of {args.repeat})", flush=True)
        out["http"] = http_reads(server, leader, picks, out["queries"], args)
    name, slowest = max(((k, v) for k, v in out["queries"].items() if v.get("_slowest")),
                        key=lambda kv: kv[1].get("cold_ms") or math.inf)  # its log is the cold run
    statement = slowest["_slowest"]
    out["explain"] = {"query": name, "statement_ms": ms(statement[0]), "sql": statement[1],
                      "plan": explain(app, statement[1], statement[2],
                                      analyze=statement[0] < args.slow)}
    for result in out["queries"].values():
        result.pop("_slowest", None)
    print(f"[{kind}] EXPLAIN of the slowest statement of {name}:\n{out['explain']['plan']}",
          flush=True)
    out["final_check"] = check_rebuild(app)
    print(f"[{kind}] final {out['final_check']}", flush=True)
    out["code_at_end"] = code_state()
    if out["code_at_end"]["app_sha256"] != CODE_AT_IMPORT["app_sha256"]:
        print(f"[{kind}] WARNING: app/ changed since this process imported it", flush=True)
    return out


# --- main ----------------------------------------------------------------------------------------

def code_state() -> dict:
    """Which code was measured: the commit, uncommitted files, and a hash of app/ as it is."""
    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=REPO_ROOT, capture_output=True,
                              text=True).stdout

    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "app").rglob("*.py")):
        digest.update(path.read_bytes())
    return {"head": git("rev-parse", "--short", "HEAD").strip(),
            "dirty": [line[3:] for line in git("status", "--porcelain").splitlines()
                      if not line[3:].startswith("docs/")],
            "app_sha256": digest.hexdigest()[:16],
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def machine() -> dict:
    info = machine_info()
    with contextlib.suppress(OSError):
        info["cpu_model_proc"] = next(line.split(":", 1)[1].strip() for line in
                                      Path("/proc/cpuinfo").read_text().splitlines()
                                      if line.startswith("model name"))
    info["nproc"] = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    info["mem_total"] = next((line.split(":", 1)[1].strip() for line in
                              Path("/proc/meminfo").read_text().splitlines()
                              if line.startswith("MemTotal")), "?")
    info["sqlite"] = sqlite3.sqlite_version
    info["sqlalchemy"] = sa.__version__
    info["platform"] = platform.platform()
    with contextlib.suppress(Exception):
        engine = sa.create_engine(PG_ADMIN)
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def table(results: list[dict]) -> str:
    names = list(dict.fromkeys(k for r in results for k in (*r["queries"], *r["http"])))
    head = "| query | " + " | ".join(f"{r['db']} ms: warm median (min-max) / cold"
                                     for r in results) + " |"
    lines = [head, "|" + "---|" * (len(results) + 1)]
    for name in names:
        cells = []
        for r in results:
            v = r["queries"].get(name) or r["http"].get(name)
            if not v:
                cells.append("")
            elif v.get("timed_out"):
                cells.append(f"> {v['limit_s']:g} s (stopped)")
            elif v.get("skipped") or v.get("error"):
                cells.append("skipped" if v.get("skipped") else "error")
            else:
                one = ", 1 run" if v.get("runs") == 1 else ""
                cold = f" / {v['cold_ms']:.0f}" if v.get("cold_ms") is not None else ""
                cells.append(f"{v['median_ms']:.0f} ({v['min_ms']:.0f}-{v['max_ms']:.0f}{one})"
                             f"{cold}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--assets", type=int, default=5000)
    parser.add_argument("--deals", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies --assets, --deals and --events (0.02 for a quick run)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--slow", type=float, default=30.0,
                        help="a query whose first run takes longer is not repeated (seconds)")
    parser.add_argument("--limit", type=float, default=120.0,
                        help="stop a query after this many seconds")
    parser.add_argument("--anchor", type=date.fromisoformat,
                        default=datetime.now(UTC).date(), help="'today' of the data")
    parser.add_argument("--quiet-wait", type=float, default=3600,
                        help="how long to wait for idle CPUs before each timed phase (s)")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    import app.deals.api  # noqa: F401 - the code under test, imported now and noted
    import app.insights.api  # noqa: F401

    CODE_AT_IMPORT.update(code_state())
    for name in ("assets", "deals", "events"):
        setattr(args, name, max(20, round(getattr(args, name) * args.scale)))
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
               "code": CODE_AT_IMPORT,
               "args": {k: str(v) for k, v in vars(args).items()}, "machine": machine(),
               "runs": []}
    out = REPO_ROOT / "bench" / "results" / f"analytics-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        results["runs"].append(bench_db(kind, args))
        out.write_text(json.dumps(results, indent=1, default=str))
    print(table(results["runs"]))
    print(f"results in {out.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

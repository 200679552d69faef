"""Deals at CRM scale, the way an admin and a CRM integration run it: a CSV export imported
through POST /api/v1/deals/imports, and the same deals upserted through POST /api/v1/deals in
batches of 1,000, against Lockstep under gunicorn on SQLite and on PostgreSQL.

Reported per database: rows per second, and the peak memory a gunicorn worker grew by while
it worked (VmHWM after a clear_refs reset, minus its RSS before). Imports of 10,000 and 100,000
rows are compared: the growth must not scale with the file.

    python bench/deals.py                       # 10k and 100k rows, sqlite and postgresql
    python bench/deals.py --rows 20000 --db sqlite
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import random
import secrets
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from common import (
    REPO_ROOT,
    LockstepServer,
    machine_info,
    post_multipart,
    proc_mem,
    reset_peak_rss,
)

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
STAGES = [("Prospecting", False, False), ("Qualification", False, False),
          ("Needs Analysis", False, False), ("Proposal/Price Quote", False, False),
          ("Negotiation/Review", False, False), ("Closed Won", True, True),
          ("Closed Lost", True, False)]
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def opportunity_id(rng: random.Random, n: int) -> str:
    """A 15-character Salesforce id (the importer derives the 18-character form)."""
    return "0065g" + "".join(rng.choice(CHARS) for _ in range(6)) + f"{n:04d}"[-4:]


def deal_rows(rows: int, seed: int):
    rng = random.Random(seed)
    start = date(2025, 1, 1)
    for n in range(rows):
        stage, closed, won = STAGES[rng.randrange(len(STAGES))]
        created = start + timedelta(days=rng.randrange(500))
        yield {
            "ID": f"{opportunity_id(rng, n)}",
            "NAME": f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella'])} deal {n}",
            "ACCOUNT.NAME": f"Account {rng.randrange(rows // 10 + 1)}",
            "OWNER.EMAIL": "",
            "AMOUNT": f"{rng.randrange(1000, 900_000)}.{rng.randrange(100):02d}",
            "CURRENCYISOCODE": rng.choice(["USD", "EUR", "GBP"]),
            "STAGENAME": stage, "ISCLOSED": str(closed).lower(), "ISWON": str(won).lower(),
            "CLOSEDATE": (created + timedelta(days=rng.randrange(30, 200))).isoformat(),
            "CREATEDDATE": f"{created.isoformat()}T09:00:00.000Z",
        }


def write_csv(path: Path, rows: int, seed: int) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = None
        for row in deal_rows(rows, seed):
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(row), quoting=csv.QUOTE_ALL)
                writer.writeheader()
            writer.writerow(row)
    return path


def api_batches(rows: int, seed: int, size: int = 1000):
    batch = []
    for n, row in enumerate(deal_rows(rows, seed)):
        batch.append({"external_id": f"API-{n}", "name": row["NAME"],
                      "account": row["ACCOUNT.NAME"], "amount": row["AMOUNT"],
                      "currency": row["CURRENCYISOCODE"], "stage": row["STAGENAME"],
                      "status": ("won" if row["ISWON"] == "true" else "lost")
                      if row["ISCLOSED"] == "true" else "open",
                      "close_date": row["CLOSEDATE"]})
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Peak:
    """How much the busiest gunicorn worker grew while the block ran."""

    def __init__(self, server: LockstepServer) -> None:
        self.pids = server.worker_pids()

    def __enter__(self):
        self.before = {pid: (proc_mem(pid) or (0, 0))[0] for pid in self.pids}
        for pid in self.pids:
            reset_peak_rss(pid)
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.growth_mb = max(((proc_mem(pid) or (0, 0))[1] - self.before[pid]) / 1024
                             for pid in self.pids)


def admin_token(server: LockstepServer) -> dict[str, str]:
    email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.com"
    server.flask("users", "create", "--email", email, "--name", "Bench Admin", "--role",
                 "admin", "--password", secrets.token_urlsafe(18))
    token = server.flask("users", "token", email, "--label", "bench").strip()
    return {"Authorization": f"Bearer {token}"}


def post_json(server: LockstepServer, path: str, body, headers) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=900)
    try:
        conn.request("POST", path, body=json.dumps(body),
                     headers={**headers, "Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def database(kind: str):
    """A fresh database for one run: (url, cleanup)."""
    if kind == "sqlite":
        return None, lambda: None
    import sqlalchemy as sa

    name = f"lockstep_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def run_import(server, headers, path: Path, rows: int) -> dict:
    with Peak(server) as peak:
        result = post_multipart(server.host, server.port, "/api/v1/deals/imports", path,
                                filename=path.name, headers=headers, content_type="text/csv")
    body = result.json()
    assert result.status == 200, body
    return {"rows": rows, "seconds": round(peak.seconds, 2),
            "rows_per_s": round(rows / peak.seconds), "worker_growth_mb": round(peak.growth_mb, 1),
            "created": body["created"], "updated": body["updated"],
            "unchanged": body["unchanged"], "file_mb": round(path.stat().st_size / 2**20, 1)}


def run_api(server, headers, rows: int, seed: int) -> dict:
    created = 0
    with Peak(server) as peak:
        for batch in api_batches(rows, seed):
            status, body = post_json(server, "/api/v1/deals", batch, headers)
            assert status == 200, body
            created += body["created"]
    return {"rows": rows, "seconds": round(peak.seconds, 2),
            "rows_per_s": round(rows / peak.seconds), "worker_growth_mb": round(peak.growth_mb, 1),
            "created": created}


def bench_db(kind: str, sizes: list[int], seed: int, cache: Path) -> dict:
    url, cleanup = database(kind)
    extra = {"DATABASE_URL": url} if url else {}
    extra["RATELIMIT_UPLOADS"] = "100000 per minute"
    out: dict = {"db": kind, "imports": [], "reimport": None, "api": None}
    try:
        with LockstepServer("local", workers=2, extra_env=extra) as server:
            headers = admin_token(server)
            for rows in sizes:
                path = write_csv(cache / f"dataloader-{rows}-{seed}-{rows}.csv", rows, seed + rows)
                out["imports"].append(run_import(server, headers, path, rows))
                print(kind, "import", out["imports"][-1], flush=True)
            biggest = max(sizes)
            path = cache / f"dataloader-{biggest}-{seed}-{biggest}.csv"
            out["reimport"] = run_import(server, headers, path, biggest)
            print(kind, "re-import", out["reimport"], flush=True)
            out["api"] = run_api(server, headers, biggest, seed)
            print(kind, "api", out["api"], flush=True)
    finally:
        cleanup()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--db", nargs="*", default=["sqlite", "postgresql"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    cache = REPO_ROOT / "bench" / "results" / "deals-cache"
    results = {"machine": machine_info(),
               "runs": [bench_db(kind, sorted(args.rows), args.seed, cache) for kind in args.db]}
    out = REPO_ROOT / "bench" / "results" / f"deals-{int(time.time())}.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"results in {out.relative_to(REPO_ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()

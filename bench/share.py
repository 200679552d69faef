"""Share-link throughput: the public viewer page and its beacons under wrk, through gunicorn.

    .venv/bin/python bench/share.py [--duration 20] [--runs 3] [--connections 16]
                                    [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/x]

Starts a throwaway Lockstep (gunicorn, 2 workers x 4 threads, fresh migrated database), uploads a
seeded 12-page PDF through POST /api/v1/assets as published, shares it through
POST /api/v1/share-links, then loads it with wrk on loopback, bounded in time:

- **viewer**: GET /s/<token>. wrk keeps no cookies, so every request comes back as the same
  address and User-Agent within the revisit window and reuses one visit (a reload, not a new
  visit); each request still renders the page and updates the visit's last_seen_at.
- **beacon**: POST /s/<token>/beacon with `{"v": key, "t": [[item, page, seconds]]}`, round robin
  over --visits visits opened beforehand (so no visit reports more seconds than wall time).

For throughput SHARE_BEACON_LIMIT and SHARE_VISIT_LIMIT are raised to "1000000 per minute".
Then a second server with the default limits takes a short run of each, the viewer one with a
new User-Agent per request (a new visit each time), to count the 429s. After the beacon runs,
the seconds wrk saw accepted are compared with what GET /api/v1/share-links/<id>/views reports
(rounded to 0.1 s per visit) and with the exact sums in the database.

`--pg-url` names a PostgreSQL database that the run WIPES (drop and recreate schema public).
Needs wrk (`apt-get install -y wrk`). Raw results: bench/results/share-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO_ROOT, LockstepServer, machine_info, post_multipart  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

RAISED = "1000000 per minute"
PAGES = 12
RESULTS = REPO_ROOT / "bench" / "results"

LUA = r"""
local mode, path, bodies = "%(mode)s", "%(path)s", {%(bodies)s}
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args) statuses = {}; accepted = 0; i = 0 end
request = function()
  i = i + 1
  if mode == "beacon" then
    local body = bodies[(i %% #bodies) + 1]
    return wrk.format("POST", path, {["Content-Type"] = "text/plain"}, body)
  end
  local ua = "lockstep-bench-viewer"
  if mode == "newvisit" then ua = ua .. "-" .. id .. "-" .. i end
  return wrk.format("GET", path, {["User-Agent"] = ua})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode == "beacon" and status == 200 then
    local a = body:match('"accepted":%%s*([-%%d%%.eE]+)')
    if a then accepted = accepted + tonumber(a) end
  end
end
function done(summary, latency, requests)
  local agg, acc = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do agg[k] = (agg[k] or 0) + v end
    acc = acc + t:get("accepted")
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%%d": %%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"socket_errors": %%d, "accepted": %%.6f, "statuses": {%%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, acc, table.concat(parts, ", ")))
end
"""


def make_pdf(path: Path, seed: int) -> Path:
    from fpdf import FPDF

    rng = random.Random(seed)
    words = ["pipeline", "renewal", "pricing", "security", "rollout", "integration", "value",
             "customer", "quarter", "migration", "support", "contract", "onboarding", "usage"]
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))  # same bytes on every run
    pdf.set_font("Helvetica", size=11)
    for page in range(1, PAGES + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"Lockstep share benchmark - page {page}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, " ".join(rng.choice(words) for _ in range(350)))
    pdf.output(str(path))
    return path


def request(server, method: str, path: str, body=None, headers=None):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        data = json.dumps(body) if body is not None else None
        hdrs = {**(headers or {}), **({"Content-Type": "application/json"} if data else {})}
        conn.request(method, path, body=data, headers=hdrs)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def share_pdf(server: LockstepServer, pdf: Path) -> dict:
    """Upload the PDF as a published asset and share it, all through the API."""
    up = post_multipart(server.host, server.port, "/api/v1/assets", pdf, filename=pdf.name,
                        headers=server.auth, content_type="application/pdf",
                        fields={"status": "published", "title": "Share benchmark deck"})
    assert up.status == 201, up.body[:300]
    asset = up.json()
    status, body = request(server, "POST", "/api/v1/share-links",
                           {"asset_ids": [asset["id"]]}, server.auth)
    assert status == 201, body[:300]
    link = json.loads(body)
    token = link["url"].rstrip("/").rsplit("/", 1)[1]
    return {"asset_id": asset["id"], "link_id": link["id"], "token": token,
            "item_id": link["items"][0]["id"],
            "page_count": (asset.get("current_version") or {}).get("page_count")}


def open_visit(server: LockstepServer, token: str, agent: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        conn.request("GET", f"/s/{token}", headers={"User-Agent": agent})
        response = conn.getresponse()
        html = response.read().decode()
    finally:
        conn.close()
    assert response.status == 200, html[:300]
    visit = re.search(r'data-visit="([^"]+)"', html).group(1)
    beacon = re.search(r'data-beacon="([^"]+)"', html).group(1)
    return visit, beacon


def run_wrk(server, mode: str, path: str, args, duration: int, bodies=()) -> dict:
    lua = LUA % {"mode": mode, "path": path,
                 "bodies": ", ".join(json.dumps(b) for b in bodies)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(args.threads), "-c", str(args.connections), "-d", f"{duration}s",
             "--timeout", "10s", "-s", fh.name, f"http://{server.host}:{server.port}"],
            capture_output=True, text=True, check=True).stdout
    finally:
        Path(fh.name).unlink()
    line = next(x for x in out.splitlines() if x.startswith("BENCH_JSON "))
    r = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = r["duration_us"] / 1e6
    ok = sum(n for s, n in r["statuses"].items() if 200 <= int(s) < 300)
    return {"mode": mode, "requests": r["requests"], "rps": r["requests"] / seconds,
            "p50_ms": r["p50_us"] / 1000, "p99_ms": r["p99_us"] / 1000,
            "non_2xx": r["requests"] - ok, "socket_errors": r["socket_errors"],
            "statuses": r["statuses"], "accepted": r["accepted"], "ok": ok}


def median_of(runs: list[dict]) -> dict:
    return {k: statistics.median(r[k] for r in runs)
            for k in ("rps", "p50_ms", "p99_ms", "non_2xx", "requests")}


def stored_seconds(server: LockstepServer, link_id: int) -> dict:
    status, body = request(server, "GET", f"/api/v1/share-links/{link_id}/views",
                           headers=server.auth)
    assert status == 200, body[:300]
    views = json.loads(body)
    engine = create_engine(server.env["DATABASE_URL"])
    with engine.connect() as conn:
        visits = conn.execute(text("SELECT coalesce(sum(seconds), 0), coalesce(sum(beacons), 0) "
                                   "FROM share_visit WHERE link_id = :l"), {"l": link_id}).one()
        pages = conn.execute(text("SELECT coalesce(sum(t.seconds), 0) FROM visit_time t JOIN "
                                  "share_visit v ON v.id = t.visit_id WHERE v.link_id = :l"),
                             {"l": link_id}).scalar()
    engine.dispose()
    return {"api_seconds": sum(v["seconds"] for v in views["items"]),
            "api_visits": len(views["items"]),
            "db_visit_seconds": float(visits[0]), "db_beacons": int(visits[1]),
            "db_page_seconds": float(pages)}


def serial_check(server: LockstepServer, shared: dict, args, n: int = 200) -> dict:
    """One fresh visit, n beacons one after another on one connection: does the visit then hold
    exactly what the answers accepted?"""
    key, beacon = open_visit(server, shared["token"], "lockstep-bench-serial")
    body = json.dumps({"v": key, "t": [[shared["item_id"], 1, args.seconds]]})
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    accepted = 0.0
    try:
        for _ in range(n):
            conn.request("POST", beacon, body=body, headers={"Content-Type": "text/plain"})
            response = conn.getresponse()
            answer = json.loads(response.read())
            assert response.status == 200, answer
            accepted += answer["accepted"]
    finally:
        conn.close()
    status, raw = request(server, "GET", f"/api/v1/share-links/{shared['link_id']}/views",
                          headers=server.auth)
    visit_id = int(key.split(".", 1)[0])
    row = next(v for v in json.loads(raw)["items"] if v["visit_id"] == visit_id)
    return {"beacons": n, "accepted_seconds": round(accepted, 3), "api_seconds": row["seconds"],
            "api_pages": row["pages"]}


def wipe_postgresql(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def server_env(pg_url: str | None, limit: str | None) -> dict[str, str]:
    if pg_url:
        wipe_postgresql(pg_url)
    env = {"DATABASE_URL": pg_url} if pg_url else {}
    if limit:
        env.update(SHARE_BEACON_LIMIT=limit, SHARE_VISIT_LIMIT=limit)
    return env


def throughput(pg_url: str | None, pdf: Path, args) -> dict:
    with LockstepServer("local", workers=2, extra_env=server_env(pg_url, RAISED)) as server:
        shared = share_pdf(server, pdf)
        token, item = shared["token"], shared["item_id"]
        run_wrk(server, "viewer", f"/s/{token}", args, 3)  # warm-up, not reported
        viewer = [run_wrk(server, "viewer", f"/s/{token}", args, args.duration)
                  for _ in range(args.runs)]
        print("viewer", [round(r["rps"]) for r in viewer], flush=True)
        before = stored_seconds(server, shared["link_id"])
        keys = [open_visit(server, token, f"lockstep-bench-beacon-{k}")[0]
                for k in range(args.visits)]
        bodies = [json.dumps({"v": key, "t": [[item, k % PAGES + 1, args.seconds]]})
                  for k, key in enumerate(keys)]
        beacon = [run_wrk(server, "beacon", f"/s/{token}/beacon", args, args.duration, bodies)
                  for _ in range(args.runs)]
        print("beacon", [round(r["rps"]) for r in beacon], flush=True)
        after = stored_seconds(server, shared["link_id"])
        serial = serial_check(server, shared, args)
    accepted = sum(r["accepted"] for r in beacon)
    ok = sum(r["ok"] for r in beacon)
    check = {"beacons_2xx": ok, "sent_seconds": ok * args.seconds, "accepted_seconds": accepted,
             **{k: after[k] - before[k] for k in ("api_seconds", "db_visit_seconds",
                                                  "db_page_seconds", "db_beacons")},
             "api_visits": after["api_visits"]}
    print("check", check, flush=True)
    return {"shared": shared, "viewer": viewer, "beacon": beacon,
            "viewer_median": median_of(viewer), "beacon_median": median_of(beacon),
            "check": check, "serial": serial}


def default_limits(pg_url: str | None, pdf: Path, args) -> dict:
    with LockstepServer("local", workers=2, extra_env=server_env(pg_url, None)) as server:
        shared = share_pdf(server, pdf)
        token, item = shared["token"], shared["item_id"]
        keys = [open_visit(server, token, f"lockstep-bench-beacon-{k}")[0]
                for k in range(args.visits)]
        bodies = [json.dumps({"v": key, "t": [[item, 1, args.seconds]]}) for key in keys]
        beacon = run_wrk(server, "beacon", f"/s/{token}/beacon", args, args.limit_duration,
                         bodies)
        newvisit = run_wrk(server, "newvisit", f"/s/{token}", args, args.limit_duration)
        after = stored_seconds(server, shared["link_id"])
    out = {"beacon": beacon, "newvisit": newvisit, "stored": after}
    print("defaults", {k: (v["statuses"] if "statuses" in v else v) for k, v in out.items()},
          flush=True)
    return out


def report(results: dict, args) -> str:
    lines = [f"wrk -t {args.threads} -c {args.connections}, {args.runs} x {args.duration} s, "
             f"medians; limits {RAISED}", "",
             "| database | request | requests/s | p50 ms | p99 ms | non-2xx |",
             "|---|---|---:|---:|---:|---:|"]
    for db, r in results["databases"].items():
        for name, key in (("GET /s/<token>", "viewer_median"), ("POST beacon", "beacon_median")):
            m = r["throughput"][key]
            lines.append(f"| {db} | {name} | {m['rps']:.0f} | {m['p50_ms']:.1f} | "
                         f"{m['p99_ms']:.1f} | {m['non_2xx']:.0f} |")
    lines += ["", "| database | beacons 2xx | sent s | accepted s | API s | DB visit s | "
              "DB page s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for db, r in results["databases"].items():
        c = r["throughput"]["check"]
        lines.append(f"| {db} | {c['beacons_2xx']} | {c['sent_seconds']:.2f} | "
                     f"{c['accepted_seconds']:.2f} | {c['api_seconds']:.1f} | "
                     f"{c['db_visit_seconds']:.2f} | {c['db_page_seconds']:.2f} |")
    lines += ["", "Serial check (one visit, beacons one at a time): " + "; ".join(
        f"{db}: {r['throughput']['serial']['beacons']} beacons, accepted "
        f"{r['throughput']['serial']['accepted_seconds']:.2f} s, stored "
        f"{r['throughput']['serial']['api_seconds']} s"
        for db, r in results["databases"].items())]
    lines += ["", f"Default limits, {args.limit_duration} s each:", "",
              "| database | request | requests | 2xx | 429 | other |",
              "|---|---|---:|---:|---:|---:|"]
    cases = (("POST beacon", "beacon"), ("GET /s/<token>, new visit each", "newvisit"))
    for db, r in results["databases"].items():
        for name, key in cases:
            x = r["defaults"][key]
            n429 = x["statuses"].get("429", 0)
            lines.append(f"| {db} | {name} | {x['requests']} | {x['ok']} | {n429} | "
                         f"{x['requests'] - x['ok'] - n429} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--visits", type=int, default=16, help="visits the beacons go to")
    parser.add_argument("--seconds", type=float, default=0.01, help="seconds per beacon")
    parser.add_argument("--limit-duration", type=int, default=10,
                        help="seconds per run with the default limits")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", help="also on this PostgreSQL database, which is WIPED")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk not found: install it with `apt-get install -y wrk` (Debian/Ubuntu) "
                 "or `brew install wrk`, then rerun.")
    databases = ({} if args.skip_sqlite else {"SQLite": None}) | (
        {"PostgreSQL": args.pg_url} if args.pg_url else {})
    results = {"machine": machine_info(), "args": vars(args), "databases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        pdf = make_pdf(Path(tmp) / "share-bench.pdf", args.seed)
        for name, url in databases.items():
            print(f"== {name}", flush=True)
            results["databases"][name] = {"throughput": throughput(url, pdf, args),
                                          "defaults": default_limits(url, pdf, args)}
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"share-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(report(results, args))
    print(f"\nraw results: {out}")


if __name__ == "__main__":
    main()

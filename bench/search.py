"""End-to-end search benchmark: the database, the search service and the HTTP endpoint.

    .venv/bin/python bench/search.py [--docs 20000] [--queries 300] [--seed 7] [--procs 2]
    .venv/bin/python bench/search.py --after-writes [--pg-url postgresql+psycopg://...]

Loads a seeded corpus (bench/search_engine.py's generator: realistic Zipf-distributed bodies of
300-1,500 words) straight into a fresh, migrated SQLite database, rebuilds the index with
`flask search reindex`, then times the same mixed queries through the search service (in
process, with facets and highlights from text kept in the database) and through
GET /api/v1/search on gunicorn (which also writes the search log). Finally it measures how long
an upload takes to become searchable and how long one metadata edit takes end to end.
The engine-only figures and the bare-Whoosh baseline come from bench/search_engine.py.

`--after-writes` measures search the way users run it, after writes through the app: on a
small library uploaded through the API, search p50 divided by asset-list p50 before and after
100 more uploads (4 at a time), with the outbox rows still pending at each point; on SQLite
and, with --pg-url (a database this WIPES), on PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import re
import sys
import time
import urllib.parse
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BENCH_EMAIL, LockstepServer, machine_info  # noqa: E402
from search_engine import CorpusGenerator, QueryMix, by_category, percentiles  # noqa: E402
from sqlalchemy import create_engine, insert, select, text, update  # noqa: E402

from app.library.models import Asset, AssetVersion, Tag, asset_tag  # noqa: E402
from app.storage.base import blob_key  # noqa: E402

KIND_MAP = {"one-pager": "pdf", "case study": "document"}


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def load_corpus(db_url: str, docs, owner_email: str) -> None:
    """Bulk rows through Core: no ORM events, so nothing is indexed until the reindex."""
    engine = create_engine(db_url)
    with engine.begin() as conn:
        owner = conn.execute(text("SELECT id FROM user WHERE email = :e"),
                             {"e": owner_email}).scalar_one()
        tags = sorted({t for d in docs for t in d.tags})
        conn.execute(insert(Tag), [{"name": t} for t in tags])
        tag_ids = dict(conn.execute(select(Tag.name, Tag.id)).all())
        for start in range(0, len(docs), 1000):
            _load_batch(conn, docs[start:start + 1000], owner, tag_ids)
    engine.dispose()


def _load_batch(conn, batch, owner: int, tag_ids: dict[str, int]) -> None:
    conn.execute(insert(Asset), [{
        "id": d.asset_id, "title": d.title, "description": d.description,
        "kind": KIND_MAP.get(d.kind, d.kind), "stage": d.stage, "persona": d.persona,
        "industry": d.industry, "product": d.product, "status": d.status, "owner_id": owner,
        "review_by": d.review_by, "created_at": aware(d.created_at),
        "updated_at": aware(d.updated_at),
    } for d in batch])
    conn.execute(insert(AssetVersion), [{
        "id": d.asset_id, "asset_id": d.asset_id, "number": 1,
        "storage_key": blob_key(hashlib.sha256(str(d.asset_id).encode()).hexdigest()),
        "sha256": hashlib.sha256(str(d.asset_id).encode()).hexdigest(), "size": len(d.text),
        "content_type": "application/pdf", "kind": KIND_MAP.get(d.kind, d.kind),
        "filename": d.filename, "notes": "", "author_id": owner, "created_at": aware(d.created_at),
        "text": d.text,
    } for d in batch])
    conn.execute(update(Asset).where(Asset.id.in_([d.asset_id for d in batch]))
                 .values(current_version_id=Asset.id))
    rows = [{"asset_id": d.asset_id, "tag_id": tag_ids[t]} for d in batch for t in set(d.tags)]
    if rows:
        conn.execute(insert(asset_tag), rows)


def service_latencies(server: LockstepServer, queries: list[dict]) -> list[float]:
    from app import create_app
    from app.auth.models import User
    from app.extensions import db
    from app.search import queries as search_queries

    app = create_app("testing", {
        "SQLALCHEMY_DATABASE_URI": server.env["DATABASE_URL"],
        "SEARCH_INDEX_DIR": server.env["SEARCH_INDEX_DIR"],
        "STORAGE_LOCAL_ROOT": server.env["STORAGE_LOCAL_ROOT"]})
    times = []
    with app.app_context():
        marketer = db.session.scalar(select(User).where(User.role == "marketer"))
        rep = db.session.scalar(select(User).where(User.role == "rep"))
        for q in queries[:20]:  # warm up: open the index, fill caches
            search_queries.run_search(rep, q["text"], q["filters"])
        for q in queries:
            actor = marketer if "draft" in q["statuses"] else rep
            started = time.perf_counter()
            search_queries.run_search(actor, q["text"], q["filters"])
            times.append(time.perf_counter() - started)
            db.session.remove()
    return times


def http_latencies(server: LockstepServer, queries: list[dict], tokens: dict) -> list[float]:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    times = []
    for warm in (True, False):
        for q in (queries[:40] if warm else queries):
            token = tokens["marketer"] if "draft" in q["statuses"] else tokens["rep"]
            params = [("q", q["text"])] + [(k, v) for k, vs in q["filters"].items() for v in vs]
            url = "/api/v1/search?" + urllib.parse.urlencode(params)
            started = time.perf_counter()
            conn.request("GET", url, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
            if not warm:
                times.append(time.perf_counter() - started)
    conn.close()
    return times


def upload_visibility(server: LockstepServer, rounds: int = 10) -> dict:
    """Seconds from sending an upload until a search finds it, and one metadata edit."""
    from common import post_multipart

    visible, edits = [], []
    for n in range(rounds):
        word = f"zq{n}x{int(time.time() * 1000) % 100000}"
        path = server.dir / f"visible-{n}.md"
        path.write_text(f"# Fresh piece\n\nThis mentions {word} once.\n")
        started = time.perf_counter()
        result = post_multipart(server.host, server.port, "/api/v1/assets", path,
                                filename=path.name, headers=server.auth,
                                fields={"status": "published"})
        asset_id = json.loads(result.body)["id"]
        while _search_total(server, word) == 0:
            if time.perf_counter() - started > 10:
                raise RuntimeError("upload not searchable after 10 s")
            time.sleep(0.01)
        visible.append(time.perf_counter() - started)
        started = time.perf_counter()
        _patch_title(server, asset_id, f"Renamed {word}")
        edits.append(time.perf_counter() - started)
    return {"upload_to_visible": percentiles(visible), "edit_request": percentiles(edits)}


def _search_total(server: LockstepServer, word: str) -> int:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.request("GET", f"/api/v1/search?q={word}", headers=server.auth)
    body = json.loads(conn.getresponse().read())
    conn.close()
    return body["total"]


def _patch_title(server: LockstepServer, asset_id: int, title: str) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.request("PATCH", f"/api/v1/assets/{asset_id}", body=json.dumps({"title": title}),
                 headers={**server.auth, "Content-Type": "application/json"})
    assert conn.getresponse().status == 200
    conn.close()

# --- search after writes through the app (--after-writes) -----------------------------------

SMALL_LIBRARY = 40
MORE_UPLOADS = 100
TIMED_REQUESTS = 200


def after_writes(args) -> dict:
    gen = CorpusGenerator(args.seed)
    docs = gen.corpus(SMALL_LIBRARY + MORE_UPLOADS)
    words = _full_page_words(gen.words, docs[:SMALL_LIBRARY])
    results = {"date": date.today().isoformat(), "machine": machine_info(), "databases": {}}
    urls = {"sqlite": None, **({"postgresql": args.pg_url} if args.pg_url else {})}
    for name, url in urls.items():
        results["databases"][name] = _after_writes_on(url, docs, words)
    return results


def _full_page_words(vocabulary: list[str], library, wanted: int = 30) -> list[str]:
    """Words found in at least 25 of the small library's assets: a full first page (20 hits,
    20 snippets) before and after the uploads, so the two measurements do the same work."""
    bodies = [set(re.findall(r"[a-z]+", doc.text.lower())) for doc in library]
    common = [w for w in vocabulary[10:400]
              if len(w) >= 5 and sum(w in body for body in bodies) >= 25]  # no stop words
    return common[:wanted]


def _after_writes_on(pg_url: str | None, docs, words: list[str]) -> dict:
    env = {"RATELIMIT_UPLOADS": "100000 per minute"}  # 100 uploads in a minute by one user
    if pg_url:
        _wipe_postgresql(pg_url)
        env["DATABASE_URL"] = pg_url
    with LockstepServer("local", workers=2, extra_env=env) as server:
        server.flask("users", "create", "--email", "rep@bench.test", "--name", "Bench Rep",
                     "--role", "rep", "--password", "bench-rep-password")
        rep = {"Authorization": "Bearer " + server.flask("users", "token", "rep@bench.test")
               .strip()}
        _upload_all(server, docs[:SMALL_LIBRARY], parallel=1)
        before = _search_vs_list(server, rep, words)
        started = time.perf_counter()
        busy = _upload_all(server, docs[SMALL_LIBRARY:], parallel=4)
        uploads_s = time.perf_counter() - started
        after = _search_vs_list(server, rep, words)
        idle = _search_vs_list(server, rep, words)
    return {"before": before, "after_uploads": after, "again": idle,
            "uploads_s": uploads_s, "uploads_busy": busy}


def _wipe_postgresql(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _upload_all(server: LockstepServer, docs, parallel: int) -> int:
    """Uploads through the API; returns how many answers were 503 busy (retried, as a
    client should)."""
    from concurrent.futures import ThreadPoolExecutor

    from common import post_multipart

    def upload(doc) -> int:
        path = server.dir / f"upload-{doc.asset_id}.md"
        path.write_text(f"# {doc.title}\n\n{doc.text}\n")
        for busy in range(5):
            result = post_multipart(server.host, server.port, "/api/v1/assets", path,
                                    filename=path.name, headers=server.auth,
                                    content_type="text/markdown",
                                    fields={"status": "published", "title": doc.title})
            if result.status == 201:
                path.unlink()
                return busy
            if result.status != 503:
                break
            time.sleep(1)
        raise RuntimeError(f"upload answered {result.status}: {result.body[:300]!r}")

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return sum(pool.map(upload, docs))


def _search_vs_list(server: LockstepServer, rep: dict, words: list[str]) -> dict:
    """p50 of GET /api/v1/search and of GET /api/v1/assets (a page of 20), interleaved on one
    keep-alive connection, and the outbox rows pending when the measurement began and ended."""
    pending_before = _pending(server)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    times: dict[str, list[float]] = {"search": [], "list": []}
    shown = []
    for n in range(TIMED_REQUESTS + 20):
        q = urllib.parse.quote(words[n % len(words)])
        for kind, url in (("search", f"/api/v1/search?q={q}"), ("list", "/api/v1/assets")):
            started = time.perf_counter()
            conn.request("GET", url, headers=rep)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}")
            if n >= 20:  # the first 20 of each warm up
                times[kind].append(elapsed)
                if kind == "search":
                    shown.append(len(json.loads(body)["results"]))
    conn.close()
    search, listing = percentiles(times["search"]), percentiles(times["list"])
    return {"search": search, "list": listing, "ratio": search["p50"] / listing["p50"],
            "hits_shown_mean": sum(shown) / len(shown),
            "pending_at_start": pending_before, "pending_at_end": _pending(server)}


def _pending(server: LockstepServer) -> int:
    engine = create_engine(server.env["DATABASE_URL"])
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM search_outbox "
                                  "WHERE applied_at IS NULL")).scalar_one()
    engine.dispose()
    return count


def after_writes_report(r: dict) -> str:
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    lines = ["| database | point | search p50 | list p50 | ratio | hits shown | pending "
             "(start/end) |", "|---|---|---:|---:|---:|---:|---|"]
    for name, db in r["databases"].items():
        for point, label in (("before", f"{SMALL_LIBRARY} assets"),
                             ("after_uploads", f"right after {MORE_UPLOADS} more uploads"),
                             ("again", "measured again at once")):
            m = db[point]
            lines.append(f"| {name} | {label} | {ms(m['search']['p50'])} | "
                         f"{ms(m['list']['p50'])} | {m['ratio']:.2f} | "
                         f"{m['hits_shown_mean']:.1f} | "
                         f"{m['pending_at_start']}/{m['pending_at_end']} |")
        lines.append(f"| {name} | {MORE_UPLOADS} uploads, 4 at a time: "
                     f"{db['uploads_s']:.1f} s, {db['uploads_busy']} answered 503 busy "
                     "(retried) | | | | | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--after-writes", action="store_true",
                        help="search/list p50 ratio before and after 100 uploads")
    parser.add_argument("--pg-url", help="with --after-writes: also on this PostgreSQL "
                        "database, which is WIPED (DROP SCHEMA public CASCADE)")
    args = parser.parse_args()
    if args.after_writes:
        result, name = after_writes(args), "search-after-writes"
        print(after_writes_report(result))
    else:
        result, name = run(args), "search"
        print(report(result))
    out = Path(__file__).parent / "results" / f"{name}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"raw results: {out}")


def run(args) -> dict:
    gen = CorpusGenerator(args.seed)
    docs = gen.corpus(args.docs)
    queries = QueryMix(gen, docs, args.seed).make(args.queries)
    with LockstepServer("local", workers=2) as server:
        server.flask("users", "create", "--email", "rep@bench.test", "--name", "Bench Rep",
                     "--role", "rep", "--password", "bench-rep-password")
        tokens = {"marketer": server.token,
                  "rep": server.flask("users", "token", "rep@bench.test").strip()}
        started = time.perf_counter()
        load_corpus(server.env["DATABASE_URL"], docs, BENCH_EMAIL)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        server.flask("search", "reindex", "--procs", str(args.procs))
        reindex = time.perf_counter() - started
        service = service_latencies(server, queries)
        over_http = http_latencies(server, queries, tokens)
        freshness = upload_visibility(server)
    return {"docs": args.docs, "queries": args.queries, "seed": args.seed, "procs": args.procs,
            "date": date.today().isoformat(), "machine": machine_info(),
            "db_load_s": loaded, "reindex_s": reindex, "reindex_docs_per_s": args.docs / reindex,
            "service": {"all": percentiles(service), **by_category(queries, service)},
            "http": {"all": percentiles(over_http), **by_category(queries, over_http)},
            **freshness}


def report(r: dict) -> str:
    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    lines = [f"{r['docs']} assets, {r['queries']} queries, seed {r['seed']}",
             f"full reindex (flask search reindex --procs {r['procs']}): {r['reindex_s']:.1f} s "
             f"({r['reindex_docs_per_s']:.0f} assets/s)", "",
             "| queries | service p50 | p95 | p99 | HTTP p50 | p95 | p99 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name in r["service"]:
        s, h = r["service"][name], r["http"][name]
        lines.append(f"| {name} | {ms(s['p50'])} | {ms(s['p95'])} | {ms(s['p99'])} | "
                     f"{ms(h['p50'])} | {ms(h['p95'])} | {ms(h['p99'])} |")
    v, e = r["upload_to_visible"], r["edit_request"]
    lines += ["", f"upload -> searchable (ms): p50 {ms(v['p50'])}, p95 {ms(v['p95'])}",
              f"one metadata edit, request incl. index update (ms): p50 {ms(e['p50'])}, "
              f"p95 {ms(e['p95'])}"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()

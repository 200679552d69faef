"""Search engine benchmark: build rate, query latency against bare Whoosh, update cost.

    .venv/bin/python bench/search_engine.py --docs 20000 --queries 300 --seed 7 --procs 2

The corpus is seeded and realistic: words come from the English prose of this Python's own
standard library (docstrings), ranked by frequency there, plus a fixed list of sales words;
bodies of 300-1,500 words draw from that vocabulary with Zipf weights (1 / (rank + 2.7)) so
term statistics look like real documents. Nothing is downloaded. The same queries run through
the engine (facets and highlights of the 20 shown hits included, texts_for from a dict) and
through bare Whoosh (QueryParser, default scoring, whoosh.highlight on a stored body).
Prints a markdown table and writes JSON to bench/results/ (gitignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import whoosh_baseline  # noqa: E402 - bench/, next to this script

from app.search.engine import SearchDocument, SearchRequest, open_engine  # noqa: E402

VOCABULARY_SIZE = 4000
STAGES = ("awareness", "discovery", "evaluation", "proposal", "closing")
KINDS = ("pdf", "slides", "document", "spreadsheet", "video", "one-pager", "case study")
PERSONAS = ("CFO", "CIO", "VP Sales", "Data Engineer", "Head of Operations", "Procurement")
INDUSTRIES = tuple(
    "Healthcare|Financial Services|Retail|Manufacturing|Public Sector|Education|Energy|"
    "Telecommunications".split("|")
)
PRODUCTS = ("Northwind Cloud", "Northwind Edge", "Northwind Insights", "Northwind Govern")
TAGS = tuple(
    "competitive roi security compliance onboarding pricing integration migration "
    "analytics forecasting governance renewal expansion partner webinar benchmark "
    "architecture testimonial battlecard objection discount procurement legal gdpr hipaa "
    "soc2 latency uptime support training rollout".split()
)
OWNERS = tuple(f"{f} {s}" for f in ("Ana", "Ben", "Chloe", "Dev", "Eve") for s in ("Ito", "Roy"))
SALES_WORDS = (
    "pricing price proposal quote discount contract renewal pipeline forecast quota deal "
    "prospect customer buyer champion stakeholder budget procurement invoice revenue margin "
    "healthcare hospital patient clinical retail store merchandise inventory manufacturing "
    "plant factory supplier logistics warehouse shipment compliance regulation audit risk "
    "security privacy encryption governance analytics dashboard insight report metric kpi "
    "benchmark adoption onboarding training rollout implementation migration integration "
    "roadmap competitor competitive differentiation objection testimonial reference case "
    "study outcome savings efficiency productivity ownership total cost investment return "
    "evaluation trial pilot demonstration presentation webinar whitepaper brochure playbook "
    "negotiation executive sponsor board quarterly annual subscription license seat tier "
    "enterprise midmarket partner reseller channel territory account expansion upsell "
    "churn retention satisfaction loyalty support uptime latency scalability reliability"
).split()


def vocabulary() -> list[str]:
    """Real English words ranked by frequency, sales words woven in every 12th rank."""
    lib = Path(sysconfig.get_paths()["stdlib"])
    counts: Counter[str] = Counter()
    for path in sorted(lib.glob("**/*.py")):
        if {"test", "tests", "idlelib", "site-packages"} & set(path.parts):
            continue
        for doc in re.findall(r'"""(.*?)"""', path.read_text(errors="ignore"), re.S):
            counts.update(re.findall(r"\b[a-z]{3,}\b", doc))
    base = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    sales = [w for w in dict.fromkeys(SALES_WORDS)]
    base = [w for w in base if w not in set(sales)][: VOCABULARY_SIZE - len(sales)]
    words: list[str] = []
    for i, word in enumerate(base):
        if i % 12 == 5 and sales:
            words.append(sales.pop(0))
        words.append(word)
    return words + sales


class CorpusGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary()
        self.cum = list(accumulate(1.0 / (rank + 2.7) for rank in range(len(self.words))))
        self.today = date(2025, 6, 1)

    def draw(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def sentences(self, n_words: int, topic: list[str]) -> str:
        words = self.draw(n_words)
        for i in range(0, n_words, 40):  # topic words recur, as in real collateral
            words[min(n_words - 1, i + self.rng.randrange(40))] = self.rng.choice(topic)
        out, i = [], 0
        while i < n_words:
            step = self.rng.randint(6, 18)
            chunk = words[i : i + step]
            out.append(chunk[0].capitalize() + " " + " ".join(chunk[1:]) + ".")
            i += step
        return " ".join(out)

    def document(self, asset_id: int) -> SearchDocument:
        rng = self.rng
        industry, product = rng.choice(INDUSTRIES), rng.choice(PRODUCTS)
        topic = [*industry.lower().split(), *product.lower().split(), *rng.sample(SALES_WORDS, 4)]
        kind = rng.choice(KINDS)
        created = datetime(2021, 1, 1) + timedelta(days=rng.randrange(1500))
        updated = min(created + timedelta(days=rng.randrange(400)), datetime(2025, 5, 31))
        used = int(rng.paretovariate(1.3)) - 1 if rng.random() < 0.6 else 0
        return SearchDocument(
            asset_id=asset_id,
            title=f"{industry} {' '.join(self.draw(2))} {rng.choice(topic)} {kind}".title(),
            description=self.sentences(rng.randint(15, 40), topic),
            tags=tuple(rng.sample(TAGS, rng.randint(1, 4))),
            stage=rng.choice(STAGES) if rng.random() < 0.9 else None,
            kind=kind,
            persona=rng.choice(PERSONAS),
            industry=industry,
            product=product,
            owner=rng.choice(OWNERS),
            status=rng.choices(("published", "draft", "archived"), (80, 12, 8))[0],
            filename=f"{industry}_{kind}_{asset_id}.pdf".lower().replace(" ", "-"),
            text=self.sentences(rng.randint(300, 1500), topic),
            created_at=created,
            updated_at=updated,
            review_by=self.today + timedelta(days=rng.randint(-300, 400))
            if rng.random() < 0.7
            else None,
            won_deals=rng.randint(0, used),
            used_deals=used,
        )

    def corpus(self, n: int) -> list[SearchDocument]:
        return [self.document(i + 1) for i in range(n)]


# --- the query mix ------------------------------------------------------------------------

MIX = {  # category -> share of the queries
    "one_word": 0.20,
    "two_words": 0.20,
    "three_words": 0.10,
    "phrase": 0.15,
    "filtered": 0.10,
    "prefix": 0.10,
    "typo": 0.10,
    "browse": 0.05,
}
FACET_CHOICES = {
    "industry": [i.lower() for i in INDUSTRIES],
    "stage": list(STAGES),
    "kind": list(KINDS),
    "persona": [p.lower() for p in PERSONAS],
}


class QueryMix:
    def __init__(self, gen: CorpusGenerator, docs: list[SearchDocument], seed: int) -> None:
        self.rng = random.Random(seed + 1)
        self.docs = docs
        taxonomy = [w.lower() for w in (*INDUSTRIES, *PERSONAS, *TAGS) if " " not in w]
        self.pool = gen.words[20:2000] + SALES_WORDS + taxonomy

    def words(self, k: int) -> str:
        return " ".join(self.rng.sample(self.pool, k))

    def phrase(self) -> str:
        words = re.findall(r"[a-z]+", self.rng.choice(self.docs).text.lower())
        start = self.rng.randrange(len(words) - 3)
        return '"' + " ".join(words[start : start + self.rng.choice((2, 2, 3))]) + '"'

    def typo(self) -> str:
        word = self.rng.choice([w for w in self.pool if len(w) >= 5])
        i = self.rng.randrange(1, len(word) - 1)
        return self.rng.choice(
            (word[:i] + word[i + 1 :], word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        )

    def filters(self, n: int) -> dict[str, list[str]]:
        facets = self.rng.sample(sorted(FACET_CHOICES), n)
        return {f: self.rng.sample(FACET_CHOICES[f], self.rng.choice((1, 1, 2))) for f in facets}

    def query(self, category: str) -> dict:
        text, filters = "", {}
        if category in ("one_word", "two_words", "three_words"):
            text = self.words(("one_word", "two_words", "three_words").index(category) + 1)
        elif category == "phrase":
            text = self.phrase()
        elif category == "filtered":
            text, filters = (
                self.words(self.rng.choice((1, 2))),
                self.filters(self.rng.choice((1, 2))),
            )
        elif category == "prefix":
            word = self.rng.choice([w for w in self.pool if len(w) >= 5])
            text = word[: max(3, len(word) // 2)] + "*"
        elif category == "typo":
            text = self.typo()
        else:
            filters = self.filters(1)
        marketer = self.rng.random() < 0.2
        statuses = ("draft", "published", "archived") if marketer else ("published",)
        return {"category": category, "text": text, "filters": filters, "statuses": statuses}

    def make(self, n: int) -> list[dict]:
        categories = [c for c, share in MIX.items() for _ in range(max(1, round(n * share)))]
        self.rng.shuffle(categories)
        return [self.query(c) for c in categories[:n]]


# --- measurements -------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def by_category(queries: list[dict], times: list[float]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[float]] = {}
    for q, t in zip(queries, times, strict=True):
        groups.setdefault(q["category"], []).append(t)
    groups["one+two words"] = groups.get("one_word", []) + groups.get("two_words", [])
    groups["all"] = list(times)
    return {c: percentiles(ts) for c, ts in groups.items() if ts}


def time_rebuild(docs: list[SearchDocument], path: str, procs: int) -> dict[str, float]:
    engine = open_engine(path)
    start = time.perf_counter()
    engine.rebuild(docs, procs=procs)
    seconds = time.perf_counter() - start
    return {"procs": procs, "seconds": seconds, "docs_per_s": len(docs) / seconds}


def run_engine(path: str, queries: list[dict], texts: dict[int, str], today: date) -> dict:
    start = time.perf_counter()
    engine = open_engine(path)
    opened = time.perf_counter() - start
    passes = []
    for _ in range(2):  # cold caches, then the same queries again
        times = []
        for q in queries:
            request = SearchRequest(q["text"], q["filters"], q["statuses"], today=today)
            t0 = time.perf_counter()
            engine.search(request, lambda ids: texts)
            times.append((time.perf_counter() - t0) * 1000)
        passes.append(by_category(queries, times))
    return {"open_ms": opened * 1000, "cold": passes[0], "repeat": passes[1]}


def run_baseline(path: str, queries: list[dict]) -> dict:
    base = whoosh_baseline.Baseline(path)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        base.search(q["text"], q["filters"], q["statuses"])
        times.append((time.perf_counter() - t0) * 1000)
    base.close()
    return by_category(queries, times)


def time_updates(path: str, docs: list[SearchDocument], today: date, rounds: int = 20) -> dict:
    engine = open_engine(path)
    update_ms, visible_ms = [], []
    for i in range(rounds):
        doc = replace(docs[i * 7 % len(docs)], title=f"Refreshed zyxwq{i} deck", status="published")
        t0 = time.perf_counter()
        engine.index([doc])
        t1 = time.perf_counter()
        found = engine.search(SearchRequest(f"zyxwq{i}", {}, ("published",), today=today))
        t2 = time.perf_counter()
        assert found.total == 1, f"update {i} not visible"
        update_ms.append((t1 - t0) * 1000)
        visible_ms.append((t2 - t0) * 1000)
    return {
        "update_ms_median": statistics.median(update_ms),
        "visible_ms_median": statistics.median(visible_ms),
    }


# --- report -------------------------------------------------------------------------------

TARGETS = {"one+two words": 50.0, "phrase": 100.0, "all": 100.0}
ROWS = (
    "one_word",
    "two_words",
    "one+two words",
    "three_words",
    "phrase",
    "filtered",
    "prefix",
    "typo",
    "browse",
    "all",
)


def table(result: dict) -> str:
    engine, repeat, base = result["engine"]["cold"], result["engine"]["repeat"], result["baseline"]
    lines = [
        "| queries | n | engine p50 | engine p95 | engine p99 | repeat p95 | bare Whoosh p50 | "
        "bare p95 | target p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in (r for r in ROWS if r in engine):
        e, b = engine[row], base.get(row, {})
        target = f"< {TARGETS[row]:.0f} ms" if row in TARGETS else ""
        lines.append(
            f"| {row} | {e['n']} | {e['p50']:.1f} | {e['p95']:.1f} | {e['p99']:.1f} | "
            f"{repeat[row]['p95']:.1f} | {b.get('p50', float('nan')):.1f} | "
            f"{b.get('p95', float('nan')):.1f} | {target} |"
        )
    return "\n".join(lines + [""] + summary(result))


def summary(result: dict) -> list[str]:
    args, upd = result["args"], result["update"]
    lines = [
        f"Rebuild, procs={b['procs']}: {b['seconds']:.1f} s ({b['docs_per_s']:.0f} docs/s)"
        for b in result["rebuild"]
    ]
    return lines + [
        f"Bare Whoosh build (procs={args['procs']}): {result['baseline_build_s']:.1f} s",
        f"One update on {args['docs']} docs: {upd['update_ms_median']:.0f} ms median; "
        f"visible to the next search after {upd['visible_ms_median']:.0f} ms",
        f"Engine open: {result['engine']['open_ms']:.0f} ms. Latencies in ms; engine = cold "
        "caches, repeat = same queries again (result cache + highlights).",
        f"Load average before/after: {result['load_before']} / {result['load_after']}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--skip-single", action="store_true", help="no procs=1 rebuild")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        result = measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(table(result))
    out = REPO_ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"search_engine-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"\nJSON: {path.relative_to(REPO_ROOT)}")


def measure(args: argparse.Namespace, work: Path) -> dict:
    load_before = [round(x, 2) for x in os.getloadavg()]
    t0 = time.perf_counter()
    gen = CorpusGenerator(args.seed)
    docs = gen.corpus(args.docs)
    generated = time.perf_counter() - t0
    texts = {d.asset_id: d.text for d in docs}
    queries = QueryMix(gen, docs, args.seed).make(args.queries)
    rebuilds = time_rebuilds(args, docs, work)
    engine = run_engine(str(work / "engine"), queries, texts, gen.today)
    t0 = time.perf_counter()
    whoosh_baseline.build(str(work / "bare"), docs, args.procs)
    baseline_build = time.perf_counter() - t0
    return {
        "args": vars(args),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "load_before": load_before,
        "corpus_seconds": generated,
        "corpus_words": sum(len(d.text.split()) for d in docs),
        "rebuild": rebuilds,
        "engine": engine,
        "baseline_build_s": baseline_build,
        "baseline": run_baseline(str(work / "bare"), queries),
        "update": time_updates(str(work / "engine"), docs, gen.today),
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "queries": [dict(q, statuses=list(q["statuses"])) for q in queries],
    }


def time_rebuilds(args: argparse.Namespace, docs: list[SearchDocument], work: Path) -> list:
    """procs=1 (unless skipped), then procs=N into work/engine, which the queries use."""
    rebuilds = []
    if not args.skip_single and args.procs != 1:
        rebuilds.append(time_rebuild(docs, str(work / "single"), 1))
        shutil.rmtree(work / "single", ignore_errors=True)
    rebuilds.append(time_rebuild(docs, str(work / "engine"), args.procs))
    return rebuilds


if __name__ == "__main__":
    main()

"""Seeded, realistic corpus and query mix for bench/search_engine.py.

Words come from the English prose of this Python's own standard library (docstrings and the
pydoc topics), ranked by how often they occur there, plus a fixed list of sales words; bodies
draw from that vocabulary with Zipf weights (1 / (rank + 2.7)), so term statistics look like
real documents: a few words in nearly every asset, a long tail of rare ones. Nothing is
downloaded, and the same seed gives the same corpus on the same Python version.
"""

from __future__ import annotations

import random
import re
import sysconfig
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from app.search.engine import SearchDocument

VOCABULARY_SIZE = 4000
STAGES = ("awareness", "discovery", "evaluation", "proposal", "closing")
KINDS = ("pdf", "slides", "document", "spreadsheet", "video", "one-pager", "case study")
PERSONAS = ("CFO", "CIO", "VP Sales", "Data Engineer", "Head of Operations", "Procurement")
INDUSTRIES = (
    "Healthcare",
    "Financial Services",
    "Retail",
    "Manufacturing",
    "Public Sector",
    "Education",
    "Energy",
    "Telecommunications",
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

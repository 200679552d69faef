"""Demo deals and their content use, so a fresh `make run` shows the analytics with something in
them: a year of deals for two reps, most of them touched by library content.

Deals go in through the deals service (as a CRM upsert would). The use is history: it has to
have happened in the past, before each deal closed, which the "use it now" services cannot say,
so those events are written as rows and the insights rollup is then rebuilt from them, exactly
as `flask insights rebuild` does after a restore.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.auth.models import User
from app.core.timeutil import utcnow
from app.deals import services as deal_services
from app.deals.models import Account, Deal, PipelineStage, UsageEvent
from app.deals.pipeline import ensure_default_pipeline
from app.extensions import db
from app.insights import rollup
from app.library.models import Asset

INDUSTRIES = ("Software", "Manufacturing", "Healthcare", "Retail", "Financial services")
ACTIONS = ("emailed", "presented", "shared_link", "sent_in_proposal")


def seed_demo_deals(admin: User, reps: list[User], seed: int, count: int = 90) -> int:
    rng = random.Random(seed)  # noqa: S311 - demo data, repeatable on purpose
    ensure_default_pipeline()
    now = utcnow()
    rows = []
    for n in range(count):
        created = now - timedelta(days=rng.randint(20, 380))
        length = rng.randint(12, 120)
        closes = created + timedelta(days=length)
        status = "open" if closes > now else rng.choices(("won", "lost"), (45, 55))[0]
        rows.append({
            "external_id": f"DEMO-{n + 1:04d}", "name": f"{_company(rng)} {_motion(rng)}",
            "account": f"Account {n % 40 + 1}", "owner_email": rng.choice(reps).email,
            "amount": str(Decimal(rng.randrange(50, 2000) * 100)),
            "currency": "USD",  # one currency: a demo has no rate table (INSIGHTS_RATES)
            "stage": {"open": rng.choice(("Discovery", "Evaluation", "Proposal")),
                      "won": "Closed Won", "lost": "Closed Lost"}[status],
            "status": status, "close_date": closes.date().isoformat(),
            "closed_at": closes.isoformat() if status != "open" else None,
            "created_at": created.isoformat()})
    deal_services.upsert_deals(admin, rows)
    for account in db.session.scalars(select(Account)):
        account.industry = INDUSTRIES[account.id % len(INDUSTRIES)]
    _use_content(rng, reps, now)
    db.session.commit()
    rollup.rebuild()
    return count


def _use_content(rng: random.Random, reps: list[User], now) -> None:
    assets = db.session.scalars(select(Asset).where(Asset.status == "published")).all()
    # Some content is simply better: it is used on deals that go on to be won more often.
    strength = {a.id: rng.random() for a in assets}
    stages = {s.key: s for s in db.session.scalars(select(PipelineStage))}
    for deal in db.session.scalars(select(Deal)):
        if rng.random() < 0.2:
            continue  # a fifth of the deals get no library content at all
        end = deal.closed_at or now
        picks = rng.sample(assets, k=min(len(assets), rng.randint(1, 5)))
        if deal.status == "won":
            picks.sort(key=lambda a: -strength[a.id])
        for step, asset in enumerate(picks[:rng.randint(1, len(picks))]):
            moment = deal.created_at + (end - deal.created_at) * (step + 1) / (len(picks) + 2)
            stage = stages["discovery" if step == 0 else rng.choice(("evaluation", "proposal"))]
            db.session.add(UsageEvent(
                deal_id=deal.id, asset_id=asset.id, version_id=asset.current_version_id,
                user_id=deal.owner_id or rng.choice(reps).id, action=rng.choice(ACTIONS),
                deal_stage=stage.name, deal_stage_id=stage.id, deal_status="open",
                occurred_at=min(moment, now)))


def _company(rng: random.Random) -> str:
    return rng.choice(("Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne",
                       "Tyrell", "Soylent", "Cyberdyne", "Wonka", "Aperture"))


def _motion(rng: random.Random) -> str:
    return rng.choice(("renewal", "expansion", "pilot", "platform deal", "rollout"))

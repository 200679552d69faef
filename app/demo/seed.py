"""Load the generated demo library into an empty database, through the same services users hit."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.auth import services as auth_services
from app.auth.models import User
from app.core.timeutil import today
from app.demo.generate import generate_demo_library
from app.extensions import db
from app.library import services as library_services

DEMO_PASSWORD = "lockstep-demo"  # noqa: S105 - printed at start; demo databases only


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: str


DEMO_USERS = (
    DemoUser("admin@demo.lockstep.test", "Ada Admin", "admin"),
    DemoUser("marketer@demo.lockstep.test", "Mia Marketer", "marketer"),
    DemoUser("rep@demo.lockstep.test", "Rafael Rep", "rep"),
    DemoUser("rep2@demo.lockstep.test", "Sam Rivera", "rep"),
    DemoUser("leader@demo.lockstep.test", "Lena Leader", "leader"),
)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(User))


def demo_users_exist() -> bool:
    return auth_services.find_user_by_email(DEMO_USERS[0].email) is not None


def seed_demo(seed: int) -> int:
    """Create the demo users and library; returns the number of assets created."""
    created = [auth_services.create_user(u.email, u.name, u.role, DEMO_PASSWORD)
               for u in DEMO_USERS]
    users = {u.role: u for u in reversed(created)}  # the first user of each role
    with tempfile.TemporaryDirectory(prefix="lockstep-demo-") as tmp:
        assets = generate_demo_library(Path(tmp), seed=seed)
        for item in assets:
            with open(Path(tmp) / item.filename, "rb") as handle:
                library_services.create_asset(users["marketer"], handle, item.filename, {
                    "title": item.title,
                    "description": item.description,
                    "stage": item.stage,
                    "persona": item.persona,
                    "industry": item.industry,
                    "product": item.product,
                    "tags": list(item.tags),
                    "status": item.status,
                    "review_by": today() + timedelta(days=item.review_in_days),
                })
    from app.demo.deals import seed_demo_deals

    seed_demo_deals(users["admin"], [u for u in created if u.role == "rep"], seed=seed)
    return len(assets)

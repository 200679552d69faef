"""The demo deals: a year of deals for the reps, most with content used before they closed,
and a rollup that matches a recomputation."""

from __future__ import annotations

from helpers import upload_asset

from app.extensions import db


def test_demo_deals_give_the_analytics_something_true_to_show(app, api_token, make_user):
    from app.auth.models import User
    from app.deals import influence
    from app.deals.models import Deal, UsageEvent
    from app.demo.deals import seed_demo_deals
    from app.insights import rollup
    from app.insights.models import Influence

    _, marketer = api_token("marketer")
    client = app.test_client()
    for n in range(4):
        assert upload_asset(client, marketer, f"# Piece {n}\n".encode(), f"p{n}.md",
                            status="published").status_code == 201
    admin, reps = make_user("admin"), [make_user("rep"), make_user("rep")]
    with app.app_context():
        seed_demo_deals(db.session.get(User, admin.id),
                        [db.session.get(User, r.id) for r in reps], seed=7, count=40)
        assert db.session.scalar(db.select(db.func.count()).select_from(Deal)) == 40
        events = db.session.scalars(db.select(UsageEvent)).all()
        assert events and all(influence.event_counts(e) for e in events)  # all before close
        assert db.session.scalar(db.select(db.func.count()).select_from(Influence)) > 0
        assert rollup.differences() == []

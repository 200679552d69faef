"""The deals' progress through the stages (DealPath, StageEntry) and the per (deal, asset,
version, stage) uses, kept by every deal, usage and pipeline write, on the world of
tests/fixtures/insights.py (timeline in its docstring). Default pipeline positions: Prospecting
0, Discovery 1, Evaluation 2, Proposal 3, Negotiation 4."""

from __future__ import annotations

import pytest
from fixtures.insights import build

from app.extensions import db


@pytest.fixture
def world(app, monkeypatch):
    return build(app, monkeypatch)


def paths(world):
    from app.insights.models import DealPath

    kept = dict(db.session.execute(db.select(DealPath.deal_id, DealPath.furthest_open)).all())
    return {name: kept.get(deal_id) for name, deal_id in world.deals.items()}


def entries(world):
    from app.insights.models import StageEntry

    names = {deal_id: name for name, deal_id in world.deals.items()}
    stages = {stage_id: key for key, stage_id in world.stages.items()}
    return {(names[d], stages[s]): bool(a) for d, s, a in db.session.execute(
        db.select(StageEntry.deal_id, StageEntry.stage_id, StageEntry.advanced))}


def differences():
    from app.insights import rollup

    return rollup.differences()


def test_every_deal_written_through_the_app_has_its_progress(app, world):
    with app.app_context():
        # Every deal started at Discovery (1); D3 and D9 moved to Evaluation (2) on day 2.
        assert paths(world) == {name: 2 if name in ("D3", "D9") else 1 for name in world.deals}
        got = entries(world)
        # Discovery was left within 30 days by D9 and D3 (to Evaluation, day 2) and by the
        # deals won by day 30 (D1 day 10, D2 day 20, D10 day 25, D12 day 14); not by D6 (won on
        # day 40) nor by the lost ones. At Evaluation since day 2, D9 is still open; D3 was won
        # on day 30, 28 days later.
        advanced = {"D1", "D2", "D3", "D9", "D10", "D12"}
        assert {name for (name, stage), moved in got.items()
                if stage == "discovery" and moved} == advanced
        assert {(name, stage) for name, stage in got} == (
            {(name, "discovery") for name in world.deals} | {("D3", "evaluation"),
                                                              ("D9", "evaluation")})
        assert got[("D9", "evaluation")] is False and got[("D3", "evaluation")] is True
        assert differences() == []


def test_a_new_deal_gets_its_progress_in_the_same_write(client, world):
    body = {"external_id": "N1", "name": "New", "stage": "Proposal",
            "close_date": "2026-06-30", "owner_email": world.users["R1"].email}
    response = client.post("/api/v1/deals", json=[body], headers=world.headers["ADMIN"])
    assert response.status_code == 200, response.get_json()
    world.deals["N1"] = response.get_json()["deals"][0]["id"]
    with client.application.app_context():
        assert paths(world)["N1"] == 3
        assert entries(world)[("N1", "proposal")] is False
        assert differences() == []


def test_reordering_stages_reworks_every_deals_progress(app, world):
    """Evaluation moved above Discovery: going from Discovery to Evaluation is no longer an
    advance, and D9 (open, at Evaluation since day 2) has now been furthest at Discovery."""
    from app.auth.models import User
    from app.deals import pipeline_admin

    with app.app_context():
        admin = db.session.get(User, world.users["ADMIN"].id)
        pipeline_admin.move_stage(admin, world.stages["evaluation"], -1)
        got = entries(world)
        assert got[("D9", "discovery")] is False
        assert got[("D3", "discovery")] is True  # still won within 30 days
        assert paths(world)["D9"] == 2 and paths(world)["D1"] == 2
        assert differences() == []


def test_merging_stages_rewrites_the_rows_that_named_the_merged_one(app, client, world):
    """Evaluation merged into Discovery: D3's and D9's use at Evaluation is now use at
    Discovery, and no kept row points at the stage that is gone (on PostgreSQL a dangling
    reference would refuse the merge)."""
    from app.auth.models import User
    from app.deals import pipeline_admin
    from app.insights.models import Influence, InfluenceUse, StageEntry

    evaluation, discovery = world.stages["evaluation"], world.stages["discovery"]
    with app.app_context():
        admin = db.session.get(User, world.users["ADMIN"].id)
        pipeline_admin.merge_stage(admin, evaluation, discovery)
        for model, column in ((InfluenceUse, InfluenceUse.stage_id),
                              (StageEntry, StageEntry.stage_id),
                              (Influence, Influence.first_stage_id)):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)
                                     .where(column == evaluation)) == 0
        assert differences() == []
    a = client.get(f"/api/v1/analytics/assets/{world.assets['A']}",
                   headers=world.headers["L"]).get_json()
    # Every use of A now happened at Discovery: one progression row, its six deals.
    assert [(row["stage"], row["deals"]) for row in a["stage_progression"]] == [
        ("Discovery", 6)]


def test_reclassifying_a_stage_reworks_the_progress(app, world):
    """Evaluation becomes a won stage: it is no longer an open stage a deal can have been
    furthest at, nor one a deal entered and left."""
    from app.auth.models import User
    from app.deals import pipeline_admin

    with app.app_context():
        admin = db.session.get(User, world.users["ADMIN"].id)
        pipeline_admin.update_stage(admin, world.stages["evaluation"], "Evaluation", "won",
                                    None)
        assert paths(world)["D9"] == 1
        assert ("D9", "evaluation") not in entries(world)
        assert differences() == []

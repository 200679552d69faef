"""Deal pages and the pipeline page: who sees which deals and amounts, edits with bad input,
and an admin renaming, reordering and merging stages."""

from __future__ import annotations

import re

import pytest
from helpers import csrf_token, login

from app.extensions import db


@pytest.fixture
def seeded(app, make_user):
    from app.auth.models import User
    from app.deals import services

    admin, rep, other = make_user("admin"), make_user("rep"), make_user("rep")
    with app.app_context():
        services.upsert_deals(db.session.get(User, admin.id), [
            {"external_id": "A", "name": "Acme renewal", "stage": "Evaluation",
             "close_date": "2030-01-31", "owner_email": rep.email, "amount": "184500",
             "currency": "USD"},
            {"external_id": "B", "name": "Beta rollout", "stage": "Technical check",
             "close_date": "2030-02-28", "owner_email": other.email, "amount": "9500",
             "currency": "EUR"}])
    return admin, rep, other


def deal_id(app, external_id):
    from app.deals.models import Deal

    with app.app_context():
        return db.session.query(Deal).filter_by(external_id=external_id).one().id


def test_reps_list_their_own_deals_and_leaders_all(client, app, seeded, make_user):
    _, rep, _ = seeded
    login(client, rep.email)
    html = client.get("/deals").get_data(as_text=True)
    assert "Acme renewal" in html and "Beta rollout" not in html
    assert client.get(f"/deals/{deal_id(app, 'B')}").status_code == 404
    leader = app.test_client()
    login(leader, make_user("leader").email)
    html = leader.get("/deals?status=open&stage=evaluation").get_data(as_text=True)
    assert "Acme renewal" in html and "Beta rollout" not in html
    assert "USD 184,500.00" in html


def test_marketers_see_no_amounts_on_pages(client, app, seeded, make_user):
    login(client, make_user("marketer").email)
    listing = client.get("/deals").get_data(as_text=True)
    assert "Acme renewal" in listing and "184,500" not in listing and "Amount" not in listing
    detail = client.get(f"/deals/{deal_id(app, 'A')}").get_data(as_text=True)
    assert "184,500" not in detail


@pytest.mark.parametrize(("field", "value", "status", "message"), [
    ("amount", "12k", 422, "Some fields are not valid."),
    ("amount", "-5", 422, "Some fields are not valid."),
    ("currency", "XYZ", 422, "Some fields are not valid."),
    ("close_date", "31.01.2030", 400, None),
    ("name", "x" * 301, 400, None),
    ("name", "", 400, None),
])
def test_editing_with_bad_input_changes_nothing(client, app, seeded, field, value, status,
                                                message):
    _, rep, _ = seeded
    login(client, rep.email)
    url = f"/deals/{deal_id(app, 'A')}/edit"
    form = {"csrf_token": csrf_token(client), "name": "Acme renewal", "stage": "Evaluation",
            "status": "open", "amount": "184500", "currency": "USD",
            "close_date": "2030-01-31", field: value}
    response = client.post(url, data=form)
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
    from app.deals.models import Deal

    with app.app_context():
        deal = db.session.get(Deal, deal_id(app, "A"))
        assert (deal.name, str(deal.amount), deal.currency) == ("Acme renewal", "184500.00",
                                                                "USD")
        assert len(deal.history) == 1


def test_editing_moves_the_deal_and_keeps_the_history(client, app, seeded):
    _, rep, _ = seeded
    login(client, rep.email)
    response = client.post(f"/deals/{deal_id(app, 'A')}/edit", data={
        "csrf_token": csrf_token(client), "name": "Acme renewal", "stage": "Closed Won",
        "status": "won", "amount": "190000", "currency": "usd", "close_date": "2030-01-15"})
    assert response.status_code == 302
    html = client.get(f"/deals/{deal_id(app, 'A')}").get_data(as_text=True)
    assert re.findall(r'<li class="timeline-(\w+)">', html) == ["stage", "stage"]
    assert "USD 190,000.00" in html and "Closed" in html


def test_editing_a_won_deal_keeps_the_crms_close_time(client, app, seeded):
    from datetime import datetime

    from app.auth.models import User
    from app.deals import services
    from app.deals.models import Deal

    admin, rep, _ = seeded
    with app.app_context():
        services.upsert_deals(db.session.get(User, admin.id), [
            {"external_id": "A", "name": "Acme renewal", "stage": "Closed Won", "status": "won",
             "close_date": "2030-01-31", "closed_at": "2030-01-20T09:30:00Z",
             "owner_email": rep.email, "amount": "184500", "currency": "USD"}])
    login(client, rep.email)

    def edit(**changes):
        data = {"csrf_token": csrf_token(client), "name": "Acme renewal", "stage": "Closed Won",
                "status": "won", "amount": "184500", "currency": "USD",
                "close_date": "2030-01-31", **changes}
        assert client.post(f"/deals/{deal_id(app, 'A')}/edit", data=data).status_code == 302
        with app.app_context():
            return db.session.query(Deal).filter_by(external_id="A").one().closed_at

    assert edit(name="Acme renewal (3 years)").replace(tzinfo=None) == datetime(2030, 1, 20, 9, 30)
    # A new close date means the old close time is no longer true: the end of the new date.
    end_of_day = datetime(2030, 1, 25, 23, 59, 59, 999999)
    assert edit(close_date="2030-01-25").replace(tzinfo=None) == end_of_day


def test_admin_shapes_the_pipeline_and_merged_labels_keep_their_stage(client, app, seeded):
    admin, _, _ = seeded
    login(client, admin.email)
    from app.deals.models import PipelineStage

    with app.app_context():
        spare = db.session.query(PipelineStage).filter_by(key="technical check").one().id
        evaluation = db.session.query(PipelineStage).filter_by(key="evaluation").one().id
    page = client.get("/admin/pipeline").get_data(as_text=True)
    assert "Technical check" in page
    token = csrf_token(client)
    assert client.post(f"/admin/pipeline/{spare}", data={
        "csrf_token": token, "name": "Evaluation", "outcome": "open",
        "content_stage": ""}).status_code == 302
    taken = client.get("/admin/pipeline").get_data(as_text=True)
    assert "Another stage already has this name; merge them instead." in taken
    assert client.post(f"/admin/pipeline/{spare}/merge", data={
        "csrf_token": token, "into": str(evaluation)}).status_code == 302
    from app.auth.models import User
    from app.deals import services
    from app.deals.models import Deal

    with app.app_context():
        assert db.session.get(PipelineStage, spare) is None
        beta = db.session.query(Deal).filter_by(external_id="B").one()
        assert (beta.stage, beta.stage_id) == ("Technical check", evaluation)
        report = services.upsert_deals(db.session.get(User, admin.id), [
            {"external_id": "C", "name": "Gamma", "stage": "technical CHECK",
             "close_date": "2030-03-01"}])
        assert report.new_stages == []
        assert db.session.query(Deal).filter_by(external_id="C").one().stage_id == evaluation
    for bad in ({"into": "abc"}, {"into": str(spare)}, {}):
        assert client.post(f"/admin/pipeline/{evaluation}/merge",
                           data=dict(bad, csrf_token=token)).status_code == 302
    with app.app_context():
        assert db.session.get(PipelineStage, evaluation) is not None


def test_a_reps_home_shows_open_deals_with_content_for_their_stage(client, app, seeded,
                                                                   api_token):
    from helpers import upload_asset

    _, rep, _ = seeded
    _, marketer = api_token("marketer")
    for title, stage, status in (("Evaluation guide", "evaluation", "published"),
                                 ("Draft evaluation kit", "evaluation", "draft"),
                                 ("Awareness deck", "awareness", "published")):
        response = upload_asset(client, marketer, f"# {title}\n".encode(), "a.md",
                                title=title, stage=stage, status=status)
        assert response.status_code == 201
    login(client, rep.email)
    html = client.get("/").get_data(as_text=True)
    panel = html[html.index('aria-label="Your open deals"'):]
    panel = panel[:panel.index("</section>")]
    assert "Acme renewal" in panel and "Beta rollout" not in panel
    assert "Evaluation guide" in panel
    assert "Draft evaluation kit" not in panel and "Awareness deck" not in panel
    # Not on a filtered page, and not for leaders.
    assert 'aria-label="Your open deals"' not in client.get("/?stage=evaluation").get_data(
        as_text=True)

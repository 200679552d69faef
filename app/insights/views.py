"""Insights pages: the leader dashboard, one asset's effectiveness, rep adoption and the
marketing view. Every table on them downloads as CSV (`?format=csv&table=<name>`)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.core.csv_export import csv_response
from app.core.permissions import Role, role_required
from app.core.text import is_clean_text
from app.core.timeutil import today
from app.deals.models import PipelineStage
from app.deals.permissions import sees_amounts
from app.extensions import db
from app.insights import detail, exports, metrics, permissions, reports
from app.insights.stats import MODELS
from app.library.models import Asset
from app.library.permissions import ensure_can_view_asset
from app.library.taxonomy import KINDS

bp = Blueprint("insights", __name__)

PERIODS = {"all": None, "90": 90, "180": 180, "365": 365}


def _me():
    return current_user._get_current_object()


class _Reader:
    """Values from the query string; what is wrong with them goes to `errors`."""

    def __init__(self, args) -> None:
        self.args, self.errors = args, []

    def number(self, name):
        raw = (self.args.get(name) or "").strip()
        if raw and not (raw.isdigit() and len(raw) < 10):
            self.errors.append(f"{name} must be a number.")
            return None
        return int(raw) if raw else None

    def text(self, name, limit=80):
        raw = (self.args.get(name) or "").strip()
        if len(raw) > limit:
            self.errors.append(f"{name} is longer than {limit} characters.")
            return None
        if not is_clean_text(raw):
            self.errors.append(f"{name} contains control characters.")
            return None
        return raw or None

    def day(self, name):
        raw = (self.args.get(name) or "").strip()
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            self.errors.append(f"{name} must be a date (YYYY-MM-DD).")
            return None

    def period(self) -> tuple[date | None, date | None]:
        date_from, date_to = self.day("from"), self.day("to")
        period = self.args.get("period") or ""
        if period and period not in PERIODS:
            self.errors.append("period must be all, 90, 180 or 365 (days).")
        elif PERIODS.get(period) and date_from is None:
            date_from = today() - timedelta(days=PERIODS[period])
        if date_from and date_to and date_from > date_to:
            self.errors.append("from is after to.")
            return None, None
        return date_from, date_to


def _filters() -> tuple[metrics.Filters, list[str]]:
    """The filters in the query string, and what was wrong with it (shown, with a 400)."""
    read = _Reader(request.args)
    date_from, date_to = read.period()
    kind = read.text("kind")
    if kind is not None and kind not in KINDS:
        read.errors.append("kind is not one of the library's kinds.")
        kind = None
    owner = read.number("owner")
    if owner is not None and not permissions.sees_everyone(_me()) and owner != _me().id:
        abort(403)
    return metrics.Filters(date_from=date_from, date_to=date_to, owner_id=owner,
                           industry=read.text("industry"), kind=kind,
                           product=read.text("product"), stage_id=read.number("stage")), \
        read.errors


def _choices() -> dict:
    from sqlalchemy import distinct, select

    from app.auth.models import User
    from app.deals.models import Account, Deal

    me = _me()
    people = []
    if permissions.sees_everyone(me):
        people = db.session.execute(
            select(User.id, User.name).where(User.id.in_(select(distinct(Deal.owner_id))))
            .order_by(User.name)).all()
    return {
        "kinds": KINDS,
        "stages": db.session.scalars(select(PipelineStage).where(
            PipelineStage.outcome == "open").order_by(PipelineStage.position)).all(),
        "industries": sorted({i for i in db.session.scalars(select(distinct(Account.industry)))
                              if i}),
        "products": sorted({p for p in db.session.scalars(
            select(distinct(Asset.product)).where(Asset.status == "published")) if p}),
        "people": people,
    }


def _csv_url(table: str) -> str:
    from flask import url_for

    args = {**request.args.to_dict(), "format": "csv", "table": table}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _page(template: str, errors: list[str], **context):
    return render_template(template, errors=errors, args=request.args, models=MODELS,
                           csv_url=_csv_url,
                           currency=metrics.reporting_currency(), choices=_choices(),
                           sees_everyone=permissions.sees_everyone(_me()),
                           **context), 400 if errors else 200


def _csv_table(tables: dict, default_name: str):
    name = request.args.get("table") or default_name
    if name not in tables:
        abort(404)
    header, rows = tables[name]()
    return csv_response(f"lockstep-{name}.csv", header, rows)


@bp.get("/insights")
@role_required()
def dashboard():
    f, errors = _filters()
    sort = request.args.get("sort") if request.args.get("sort") in metrics.SORTS else "lift"
    rows = metrics.asset_rows(_me(), f, sort)
    over_time = reports.win_rate_over_time(f)
    coverage = reports.funnel_coverage(rows)
    if request.args.get("format") == "csv":
        return _csv_table({"assets": lambda: exports.asset_table(rows),
                           "win_rate_over_time": lambda: exports.over_time_table(over_time),
                           "funnel_coverage": lambda: exports.coverage_table(coverage)},
                          "assets")
    judged = [r for r in rows if r["lift"] is not None]
    return _page("insights/dashboard.html", errors, rows=rows, judged=judged[:10],
                 by_revenue=sorted(rows, key=lambda r: r["influenced_revenue"],
                                   reverse=True)[:10],
                 by_attributed=sorted(rows, key=lambda r: r["attributed_revenue"]["linear"],
                                      reverse=True)[:10],
                 over_time=over_time, coverage=coverage, pool=metrics.closed_totals(f))


@bp.get("/insights/assets/<id:asset_id>")
@role_required()
def asset(asset_id: int):
    item = ensure_can_view_asset(_me(), db.session.get(Asset, asset_id))
    f, errors = _filters()
    effect = detail.asset_effectiveness(item, f)
    deals = detail.deals_touched(item.id, f, owner_id=permissions.deals_owner_scope(_me()))
    people = detail.reps_using(item.id, f) if permissions.sees_everyone(_me()) else []
    amounts, names = sees_amounts(_me()), permissions.sees_everyone(_me())
    if request.args.get("format") == "csv":
        return _csv_table({
            "versions": lambda: exports.version_table(effect["versions"]),
            "deals": lambda: exports.deals_table(deals, amounts, names),
            "reps": lambda: exports.reps_using_table(people),
            "stage_progression": lambda: exports.progression_table(
                effect["stage_progression"]),
        }, "deals")
    return _page("insights/asset.html", errors, asset=item, effect=effect, deals=deals,
                 people=people, show_amounts=amounts, show_names=names)


@bp.get("/insights/reps")
@role_required()
def reps():
    me = _me()
    if me.role == Role.MARKETER and not permissions.sees_everyone(me):
        abort(403)
    f, errors = _filters()
    rows = reports.rep_adoption(f, only_user_id=None if permissions.sees_everyone(me)
                                else me.id)
    if request.args.get("format") == "csv":
        return _csv_table({"reps": lambda: exports.rep_table(rows)}, "reps")
    return _page("insights/reps.html", errors, rows=rows)


@bp.get("/insights/marketing")
@role_required(Role.MARKETER, Role.LEADER, Role.ADMIN)
def marketing():
    from app.forks.models import Suggestion
    from app.search.insights import content_gaps

    f, errors = _filters()
    rows = metrics.asset_rows(_me(), f, "deals_influenced")
    view = reports.marketing_view(rows)
    gaps = content_gaps(today() - timedelta(days=90), today())
    suggestions = db.session.scalars(db.select(Suggestion).where(
        Suggestion.status == "pending").order_by(Suggestion.created_at.desc()).limit(50)).all()
    if request.args.get("format") == "csv":
        return _csv_table({
            name: (lambda name=name: exports.brief_table(view[name]))
            for name in ("most_used", "never_used", "retirement_candidates", "stale")
        } | {"content_gaps": lambda: exports.gaps_table(gaps)}, "most_used")
    return _page("insights/marketing.html", errors, view=view, gaps=gaps,
                 suggestions=suggestions)

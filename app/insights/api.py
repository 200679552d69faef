"""/api/v1/analytics: per-asset effectiveness (everyone signed in), one asset in depth, and rep
adoption (leaders, admins, marketers where allowed; a rep gets their own row)."""

from __future__ import annotations

from flask.views import MethodView

from app.api.base import actor, api_blueprint
from app.extensions import db
from app.insights import detail, metrics, permissions, reports
from app.insights.schemas import (
    AnalyticsAssetDetailSchema,
    AnalyticsAssetPageSchema,
    AnalyticsAssetQuerySchema,
    AnalyticsQuerySchema,
    RepAdoptionSchema,
)
from app.library.models import Asset
from app.library.permissions import ensure_can_view_asset

blp = api_blueprint("analytics_api", __name__, "/analytics",
                    "Content effectiveness: influence, win rates with intervals, lift, revenue.")


def filters_from(args: dict) -> metrics.Filters:
    """The query's filters, with the owner filter narrowed to what the caller may ask."""
    return metrics.Filters(
        date_from=args.get("date_from"), date_to=args.get("date_to"),
        owner_id=permissions.owner_filter(actor(), args.get("owner_id")),
        industry=args.get("industry"), kind=args.get("kind"), product=args.get("product"),
        stage_id=args.get("stage_id"))


@blp.route("/assets")
class AssetList(MethodView):
    @blp.arguments(AnalyticsAssetQuerySchema, location="query")
    @blp.response(200, AnalyticsAssetPageSchema)
    def get(self, args):
        """One row per asset the caller may see, best first (`sort`), with every metric of the
        definitions; filters narrow the deals (period by close date, owner, industry, stage at
        use) or the assets (kind, product)."""
        page, per_page, sort = args.pop("page"), args.pop("per_page"), args.pop("sort")
        f = filters_from(args)
        rows = metrics.asset_rows(actor(), f, sort)
        pool = metrics.closed_totals(f)
        start = (page - 1) * per_page
        return {"items": rows[start:start + per_page], "page": page, "per_page": per_page,
                "total": len(rows), "pages": max(1, -(-len(rows) // per_page)),
                "reporting_currency": metrics.reporting_currency(),
                "closed_deals": {"won": pool.won, "lost": pool.lost}}


@blp.route("/assets/<id:asset_id>")
class AssetDetail(MethodView):
    @blp.arguments(AnalyticsQuerySchema, location="query")
    @blp.response(200, AnalyticsAssetDetailSchema)
    def get(self, args, asset_id):
        """One asset: the list's metrics plus matched lift, velocity, stage progression, the
        split by version and its forks' share."""
        asset = ensure_can_view_asset(actor(), db.session.get(Asset, asset_id))
        return detail.asset_effectiveness(asset, filters_from(args))


@blp.route("/reps")
class Reps(MethodView):
    @blp.arguments(AnalyticsQuerySchema, location="query")
    @blp.response(200, RepAdoptionSchema(many=True))
    def get(self, args):
        """Per rep: deals, how many library content influenced, assets used, and the win rate
        with and without content. A rep sees their own row only."""
        me = actor()
        permissions.ensure_may_see_reps(me)
        f = filters_from(args)
        only = None if permissions.sees_everyone(me) else me.id
        return reports.rep_adoption(f, only_user_id=only)

"""/api/v1/deals: upsert from a CRM, list, read, edit; usage of content on a deal."""

from __future__ import annotations

from flask import request
from flask.views import MethodView

from app.api.base import actor, api_blueprint
from app.core.errors import ValidationFailed
from app.deals import influence, queries, services
from app.deals.models import Deal, UsageEvent
from app.deals.permissions import sees_amounts
from app.deals.queries import DealFilters
from app.deals.schemas import (
    DealInSchema,
    DealPageSchema,
    DealQuerySchema,
    DealSchema,
    UpsertResultSchema,
    UsageInSchema,
    UsageSchema,
)

blp = api_blueprint("deals_api", __name__, "/deals", "Deals from the CRM, and content used "
                                                       "in them.")
UPSERT_BODY = {"required": True, "content": {"application/json": {"schema": {"oneOf": [
    {"$ref": "#/components/schemas/DealIn"},
    {"type": "array", "items": {"$ref": "#/components/schemas/DealIn"}, "minItems": 1,
     "maxItems": services.MAX_BATCH}]}}}}


def deal_view(deal: Deal, show_amount: bool) -> dict:
    return {
        "id": deal.id, "external_id": deal.external_id, "name": deal.name,
        "account": deal.account, "owner": deal.owner,
        "amount": str(deal.amount) if show_amount and deal.amount is not None else None,
        "amount_hidden": not show_amount, "currency": deal.currency, "stage": deal.stage,
        "pipeline_stage": deal.pipeline_stage.name, "status": deal.status,
        "close_date": deal.close_date, "closed_at": deal.closed_at,
        "created_at": deal.created_at, "updated_at": deal.updated_at,
    }


def usage_view(event: UsageEvent) -> dict:
    return {"id": event.id, "deal_id": event.deal_id, "asset_id": event.asset_id,
            "asset_title": event.asset.title, "version": event.version.number,
            "fork_id": event.fork_id, "user": event.user, "action": event.action,
            "deal_stage": event.deal_stage, "deal_status": event.deal_status,
            "after_close": not influence.event_counts(event), "occurred_at": event.occurred_at}


@blp.route("")
class Deals(MethodView):
    @blp.arguments(DealQuerySchema, location="query")
    @blp.response(200, DealPageSchema)
    def get(self, args):
        """Deals the caller may see: reps their own; leaders, marketers and admins all."""
        page, per_page = args.pop("page"), args.pop("per_page")
        result = queries.list_deals(actor(), DealFilters(**args), page, per_page,
                                    max_per_page=500)
        show = sees_amounts(actor())
        return {"page": result.page, "per_page": result.per_page, "total": result.total,
                "pages": result.pages, "items": [deal_view(d, show) for d in result.items]}

    @blp.doc(requestBody=UPSERT_BODY)
    @blp.response(200, UpsertResultSchema)
    def post(self):
        """Create or update one deal, or a batch of up to 1,000, by `external_id`.

        A batch is checked whole first: if any deal is not valid the answer is 422 with every
        bad deal's errors in `error.details.rejected`, and nothing is saved. An update older
        than the stored one (by `updated_at`) is skipped with a warning. Admins may send any
        deal; a rep only deals whose `owner_email` is their own."""
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            body = [body]
        if not isinstance(body, list):
            raise ValidationFailed("Send a JSON object (one deal) or an array of deals.")
        report = services.upsert_deals(actor(), body)
        show = sees_amounts(actor())
        return {"created": report.created, "updated": report.updated,
                "unchanged": report.unchanged,
                "warnings": [{"row": i.row, "reason": i.reason} for i in report.warnings],
                "new_stages": report.new_stages,
                "deals": [deal_view(d, show) for d in report.deals]}


@blp.route("/<id:deal_id>")
class DealById(MethodView):
    @blp.response(200, DealSchema)
    def get(self, deal_id):
        """One deal."""
        return deal_view(queries.get_deal(actor(), deal_id), sees_amounts(actor()))

    @blp.arguments(DealInSchema(partial=True))
    @blp.response(200, DealSchema)
    def patch(self, args, deal_id):
        """Change some fields (the deal's owner or an admin); `external_id` cannot change."""
        raw = request.get_json(silent=True) or {}
        changes = {name: raw[name] for name in args if name in raw}
        deal = services.update_deal(actor(), deal_id, changes)
        return deal_view(deal, sees_amounts(actor()))


@blp.route("/<id:deal_id>/usage")
class DealUsage(MethodView):
    @blp.response(200, UsageSchema(many=True))
    def get(self, deal_id):
        """Content used on the deal, oldest first; `after_close` use never counts."""
        return [usage_view(e) for e in queries.usage_of(actor(), deal_id)]

    @blp.arguments(UsageInSchema)
    @blp.response(201, UsageSchema)
    def post(self, args, deal_id):
        """Record that the caller used an asset (its current version) or a fork on the deal."""
        event = services.record_usage(actor(), deal_id, args["action"],
                                      asset_id=args.get("asset_id"), fork_id=args.get("fork_id"))
        return usage_view(event)


def register_schemas(spec) -> None:
    """The upsert body refers to DealIn by name."""
    if "DealIn" not in spec.components.schemas:
        spec.components.schema("DealIn", schema=DealInSchema)

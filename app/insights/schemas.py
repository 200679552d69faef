"""/api/v1/analytics request and answer shapes."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api.base import PageSchema
from app.core.text import is_clean_text
from app.insights.metrics import SORTS
from app.library.taxonomy import KINDS

ID = validate.Range(1, 2**31 - 1)
RATE = fields.Float(allow_none=True, required=True)
# Money as a decimal string ("1234.50"), exact, in the reporting currency.
MONEY = fields.Decimal(as_string=True, required=True, places=2,
                       metadata={"type": "string", "format": "decimal",
                                 "example": "1234.50"})


def _clean(value: str) -> None:
    if not is_clean_text(value):
        raise ValidationError("Control characters are not allowed.")


CLEAN_TEXT = [validate.Length(1, 80), _clean]


class AnalyticsQuerySchema(Schema):
    date_from = fields.Date(metadata={"description": "Deals closing on or after (close date)"})
    date_to = fields.Date(metadata={"description": "Deals closing on or before (close date)"})
    owner_id = fields.Integer(validate=ID, metadata={"description": "Deals of this rep"})
    industry = fields.String(validate=CLEAN_TEXT)
    kind = fields.String(validate=validate.OneOf(KINDS))
    product = fields.String(validate=CLEAN_TEXT)
    stage_id = fields.Integer(validate=ID, metadata={
        "description": "Only use made while the deal was at this pipeline stage"})

    @validates_schema
    def _period(self, data, **_):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("date_from is after date_to.", "date_from")


class AnalyticsAssetQuerySchema(AnalyticsQuerySchema):
    sort = fields.String(load_default="lift", validate=validate.OneOf(sorted(SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class AttributedRevenueSchema(Schema):
    first_touch = MONEY
    last_touch = MONEY
    linear = MONEY
    position_based = MONEY


class EffectSchema(Schema):
    deals_influenced = fields.Integer(required=True)
    open = fields.Integer(required=True)
    won = fields.Integer(required=True)
    lost = fields.Integer(required=True)
    win_rate = RATE
    win_rate_ci = fields.List(fields.Float(), allow_none=True, required=True,
                              metadata={"description": "95% Wilson interval [low, high]"})
    baseline_win_rate = RATE
    lift = RATE
    p_value = fields.Float(allow_none=True, required=True, metadata={
        "description": "Two-sided Fisher exact test of the 2x2 table against the baseline"})
    enough_data = fields.Boolean(required=True, metadata={
        "description": "At least 10 closed influenced deals"})
    influenced_revenue = MONEY
    unconverted_revenue = fields.Dict(keys=fields.String(), values=fields.Decimal(
        as_string=True, places=2, metadata={"type": "string", "format": "decimal"}),
        required=True, metadata={
        "description": "Won amounts in currencies without a rate, per currency"})


class AnalyticsAssetSchema(EffectSchema):
    asset_id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    stage = fields.String(allow_none=True, required=True)
    product = fields.String(required=True)
    status = fields.String(required=True)
    attributed_revenue = fields.Nested(AttributedRevenueSchema, required=True)


class AnalyticsAssetPageSchema(PageSchema):
    items = fields.List(fields.Nested(AnalyticsAssetSchema), required=True)
    reporting_currency = fields.String(required=True)
    closed_deals = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class VersionEffectSchema(EffectSchema):
    version = fields.Integer(allow_none=True, required=True)


class VelocitySchema(Schema):
    median_days_first_use_to_close = RATE
    baseline_median_cycle_days = RATE


class StageProgressionSchema(Schema):
    stage_id = fields.Integer(required=True)
    stage = fields.String(required=True)
    position = fields.Integer(required=True)
    deals = fields.Integer(required=True)
    advanced = fields.Integer(required=True)
    advanced_share = RATE
    baseline_deals = fields.Integer(required=True)
    baseline_advanced = fields.Integer(required=True)
    baseline_share = RATE


class ForkShareSchema(Schema):
    forks = fields.Integer(required=True)
    deals_via_forks = fields.Integer(required=True)
    deals_via_forks_share = RATE
    uses = fields.Integer(required=True)
    fork_uses = fields.Integer(required=True)
    fork_use_share = RATE


class AnalyticsAssetDetailSchema(AnalyticsAssetSchema):
    matched_lift = RATE
    strata = fields.Integer(required=True)
    matched_deals = fields.Integer(required=True)
    velocity = fields.Nested(VelocitySchema, required=True)
    stage_progression = fields.List(fields.Nested(StageProgressionSchema), required=True)
    versions = fields.List(fields.Nested(VersionEffectSchema), required=True)
    forks = fields.Nested(ForkShareSchema, required=True)
    reporting_currency = fields.String(required=True)


class WinRateSchema(Schema):
    won = fields.Integer(required=True)
    lost = fields.Integer(required=True)
    win_rate = RATE
    win_rate_ci = fields.List(fields.Float(), allow_none=True, required=True)


class RepAdoptionSchema(Schema):
    user_id = fields.Integer(required=True)
    name = fields.String(required=True)
    deals = fields.Integer(required=True)
    deals_with_content = fields.Integer(required=True)
    content_share = RATE
    assets_used = fields.Integer(required=True)
    with_content = fields.Nested(WinRateSchema, required=True)
    without_content = fields.Nested(WinRateSchema, required=True)

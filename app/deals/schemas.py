"""API shapes of deals and usage. Business rules stay in app.deals.fields and the services."""

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate

from app.api.base import PageSchema
from app.core.text import is_clean_text
from app.deals.models import ACTIONS, OUTCOMES, RECORDED_ACTIONS
from app.library.schemas import PersonSchema

SOURCES = ("auto", "salesforce_report", "salesforce_dataloader", "hubspot", "pipedrive")
MODES = ("all_or_nothing", "valid_rows")


class OwnerSchema(PersonSchema):
    email = fields.String(required=True)


class AccountSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    domains = fields.List(fields.String(), required=True, attribute="domain_list")


class DealSchema(Schema):
    id = fields.Integer(required=True)
    external_id = fields.String(required=True)
    name = fields.String(required=True)
    account = fields.Nested(AccountSchema, allow_none=True, required=True)
    owner = fields.Nested(OwnerSchema, allow_none=True, required=True)
    amount = fields.String(allow_none=True, required=True,
                           metadata={"description": "Decimal as a string; null when empty "
                                                    "or hidden from the caller"})
    amount_hidden = fields.Boolean(required=True)
    currency = fields.String(allow_none=True, required=True)
    stage = fields.String(required=True, metadata={"description": "The CRM's stage label"})
    pipeline_stage = fields.String(required=True, metadata={"description": "Lockstep stage"})
    status = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    close_date = fields.Date(required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class DealPageSchema(PageSchema):
    items = fields.List(fields.Nested(DealSchema), required=True)


def _clean(value: str) -> None:
    if not is_clean_text(value):
        raise ValidationError("Control characters are not allowed.")


class DealQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(OUTCOMES))
    stage = fields.String(validate=validate.Length(max=120))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    external_id = fields.String(validate=[validate.Length(max=64), _clean])
    q = fields.String(validate=validate.Length(max=200))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class DealInSchema(Schema):
    """What the CRM sends for one deal (documentation; app.deals.fields validates)."""

    external_id = fields.String(required=True, validate=validate.Length(1, 64))
    name = fields.String(required=True, validate=validate.Length(1, 300))
    account = fields.String(allow_none=True)
    account_domains = fields.List(fields.String())
    owner_email = fields.String(allow_none=True)
    amount = fields.String(allow_none=True, metadata={"description": "Decimal ≥ 0, e.g. "
                                                                      "\"184500.00\""})
    currency = fields.String(allow_none=True, metadata={"description": "ISO 4217"})
    stage = fields.String(allow_none=True)
    status = fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES))
    created_at = fields.DateTime(allow_none=True)
    close_date = fields.Date(required=True)
    closed_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True, metadata={
        "description": "The CRM's last change; an update older than the stored one is "
                       "skipped"})


class IssueSchema(Schema):
    row = fields.Integer(required=True)
    reason = fields.String(required=True)


class UpsertResultSchema(Schema):
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    warnings = fields.List(fields.Nested(IssueSchema), required=True)
    new_stages = fields.List(fields.String(), required=True)
    deals = fields.List(fields.Nested(DealSchema), required=True)


class UsageInSchema(Schema):
    asset_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    fork_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    action = fields.String(required=True, validate=validate.OneOf(RECORDED_ACTIONS))


class UsageSchema(Schema):
    id = fields.Integer(required=True)
    deal_id = fields.Integer(required=True)
    asset_id = fields.Integer(required=True)
    asset_title = fields.String(required=True)
    version = fields.Integer(required=True)
    fork_id = fields.Integer(allow_none=True, required=True)
    user = fields.Nested(OwnerSchema, allow_none=True, required=True)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    deal_stage = fields.String(required=True)
    deal_status = fields.String(required=True)
    after_close = fields.Boolean(required=True)
    occurred_at = fields.DateTime(required=True)


class ImportArgsSchema(Schema):
    file = Upload(required=True)
    source = fields.String(load_default="auto", validate=validate.OneOf(SOURCES))
    locale = fields.String(load_default=None, allow_none=True,
                           validate=validate.Regexp(r"^[a-z]{2}(_[A-Z]{2})?$"))
    stage_map = fields.String(load_default=None, allow_none=True, metadata={
        "description": 'JSON object: stage label → "won", "lost" or "open"; "*" for the rest'})
    mode = fields.String(load_default="all_or_nothing", validate=validate.OneOf(MODES))
    dry_run = fields.Boolean(load_default=False)


class ImportResultSchema(Schema):
    source = fields.String(required=True)
    dry_run = fields.Boolean(required=True)
    imported = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    rejected = fields.List(fields.Nested(IssueSchema), required=True)
    warnings = fields.List(fields.Nested(IssueSchema), required=True)
    rejected_rows = fields.Integer(required=True, metadata={
        "description": "Every rejected row; `rejected` lists the first 1,000"})
    warned_rows = fields.Integer(required=True, metadata={
        "description": "Every row with a warning; `warnings` lists the first 1,000"})
    new_stages = fields.List(fields.String(), required=True)

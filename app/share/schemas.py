"""API shapes of share links and their visits. Business rules stay in app.share.links."""

from marshmallow import Schema, fields, validate

from app.library.schemas import PersonSchema
from app.share.links import MAX_DOMAINS, MAX_ITEMS, MAX_MESSAGE

ID = validate.Range(1, 2**31 - 1)
DOMAIN = fields.String(validate=validate.Length(min=1, max=253))


class LinkOptionsSchema(Schema):
    deal_id = fields.Integer(allow_none=True, validate=ID, metadata={
        "description": "Tie the link to one of your deals: prospects' views become usage"})
    title = fields.String(validate=validate.Length(max=200))
    message = fields.String(validate=validate.Length(max=MAX_MESSAGE),
                            metadata={"description": "The welcome note of a deal room"})
    expires_at = fields.AwareDateTime(allow_none=True)
    require_email = fields.Boolean()
    verify_email = fields.Boolean(metadata={
        "description": "Send a one-time code to the e-mail given (needs MAIL_SERVER)"})
    allow_download = fields.Boolean()
    password = fields.String(allow_none=True, validate=validate.Length(max=200),
                             metadata={"description": "4-200 characters; null or '' removes it"})
    allowed_domains = fields.List(DOMAIN, validate=validate.Length(max=MAX_DOMAINS))
    anonymous = fields.Boolean(metadata={
        "description": "Aggregate-only tracking: no viewer e-mail or address hash kept"})


class LinkInSchema(LinkOptionsSchema):
    asset_ids = fields.List(fields.Integer(strict=True, validate=ID),
                            validate=validate.Length(max=MAX_ITEMS))
    fork_ids = fields.List(fields.Integer(strict=True, validate=ID),
                           validate=validate.Length(max=MAX_ITEMS))
    room = fields.Boolean(metadata={"description": "A deal room even with one item"})


class ItemSchema(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    asset_id = fields.Integer(required=True)
    fork_id = fields.Integer(allow_none=True, required=True)
    title = fields.String(required=True)
    shown = fields.Boolean(required=True, metadata={
        "description": "False once its asset is archived or unpublished"})


class LinkSchema(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(
        ("active", "revoked", "expired", "gone")))
    owner = fields.Nested(PersonSchema, required=True)
    deal_id = fields.Integer(allow_none=True, required=True)
    title = fields.String(required=True)
    message = fields.String(required=True)
    room = fields.Boolean(required=True)
    expires_at = fields.DateTime(allow_none=True, required=True)
    require_email = fields.Boolean(required=True)
    verify_email = fields.Boolean(required=True)
    allow_download = fields.Boolean(required=True)
    has_password = fields.Boolean(required=True)
    allowed_domains = fields.List(fields.String(), required=True)
    anonymous = fields.Boolean(required=True)
    items = fields.List(fields.Nested(ItemSchema), required=True)
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class VisitSchema(Schema):
    visit_id = fields.Integer(required=True)
    started_at = fields.DateTime(required=True)
    viewer_email = fields.String(allow_none=True, required=True)
    email_verified = fields.Boolean(required=True)
    device = fields.String(required=True)
    location = fields.String(required=True)
    seconds = fields.Float(required=True)
    completion = fields.Integer(required=True, metadata={"description": "Percent of the link seen"})
    pages = fields.Dict(keys=fields.String(), values=fields.Float(), required=True, metadata={
        "description": "Page → seconds; in a deal room the key is 'item:page'"})
    downloaded = fields.Integer(required=True)
    staff = fields.Boolean(required=True)
    bot = fields.Boolean(required=True)


class ViewsSchema(Schema):
    visits = fields.Integer(required=True)
    prospect_visits = fields.Integer(required=True)
    viewers = fields.Integer(required=True)
    items = fields.List(fields.Nested(VisitSchema), required=True)

"""API shapes of a search."""

from marshmallow import Schema, fields, validate

from app.search.engine import SORTS

MAX_VALUE = 80


class SearchArgsSchema(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=1000))
    stage = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    kind = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    tag = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    persona = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    industry = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    product = fields.List(fields.String(validate=validate.Length(max=MAX_VALUE)))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, 50))


class SearchHitSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True)
    stage = fields.String(allow_none=True, required=True)
    score = fields.Float(required=True)
    updated_at = fields.DateTime(required=True)
    highlights = fields.List(fields.String(), required=True,
                             metadata={"description": "HTML-escaped; matches wrapped in <mark>"})
    used_deals = fields.Integer(required=True, metadata={
        "description": "Deals the asset was used in while they were open"})
    won_deals = fields.Integer(required=True, metadata={
        "description": "Of used_deals, the deals won"})


class FacetValueSchema(Schema):
    value = fields.String(required=True)
    count = fields.Integer(required=True)


class SearchResultSchema(Schema):
    search_id = fields.Integer(required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    results = fields.List(fields.Nested(SearchHitSchema), required=True)
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)),
                         required=True)
    suggestion = fields.String(allow_none=True, required=True)
    message = fields.String(allow_none=True, required=True)

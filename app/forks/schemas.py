"""API shapes of forks and suggestions. Business rules stay in app.forks.validation."""

from marshmallow import Schema, fields, validate

from app.forks import placeholders
from app.forks.models import METHODS, SUGGESTION_STATUSES
from app.library.schemas import PersonSchema

ID = validate.Range(1, 2**31 - 1)


class CoverSchema(Schema):
    contact = fields.String(allow_none=True, validate=validate.Length(max=200))
    note = fields.String(allow_none=True, validate=validate.Length(max=1_500))


class ForkInSchema(Schema):
    title = fields.String(validate=validate.Length(max=200))
    account = fields.String(allow_none=True, validate=validate.Length(max=300))
    field_values = fields.Dict(
        keys=fields.String(validate=validate.Length(max=80)), values=fields.String(allow_none=True),
        data_key="fields", metadata={"description": "Field name → value; values of at most "
                                                    f"{placeholders.MAX_VALUE:,} characters"})
    body = fields.String(metadata={"description": "Markdown, HTML and text forks: the text"})
    slides = fields.List(fields.Integer(strict=True), metadata={
        "description": "PowerPoint forks: the source's 1-based slide numbers to keep, in order"})
    cover = fields.Nested(CoverSchema, metadata={"description": "PDF forks: the cover page"})
    parent_fork_id = fields.Integer(validate=ID, metadata={
        "description": "Fork this fork (its tailoring is the starting point)"})


class ForkPatchSchema(ForkInSchema):
    revision = fields.Integer(validate=ID, metadata={
        "description": "The revision the change was made on; an older one answers 409"})

    class Meta:
        exclude = ("parent_fork_id",)


class FieldSchema(Schema):
    name = fields.String(required=True)
    default = fields.String(required=True)


class SourceUpdateSchema(Schema):
    version = fields.Integer(required=True)
    added_lines = fields.Integer(allow_none=True, required=True, metadata={
        "description": "Lines the source gained since the fork's version (null in lists)"})
    removed_lines = fields.Integer(allow_none=True, required=True)


class ForkSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    account = fields.String(required=True)
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    owner = fields.Nested(PersonSchema, required=True)
    source_asset_id = fields.Integer(required=True)
    source_version = fields.Integer(required=True)
    forked_version = fields.Integer(required=True)
    parent_fork_id = fields.Integer(allow_none=True, required=True)
    source_current_version = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The source asset's current version number"})
    field_values = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                               required=True, data_key="fields", metadata={
        "description": "Each field of the source version → the fork's value (null: the default)"})
    field_list = fields.List(fields.Nested(FieldSchema), required=True,
                             data_key="field_definitions", metadata={
        "description": "The source version's fields in document order, with their defaults"})
    slides = fields.List(fields.Integer(), allow_none=True, required=True)
    slide_count = fields.Integer(allow_none=True, required=True)
    body = fields.String(allow_none=True, required=True)
    cover = fields.Nested(CoverSchema, allow_none=True, required=True)
    revision = fields.Integer(required=True)
    source_update = fields.Nested(SourceUpdateSchema, allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class UpdateInSchema(Schema):
    resolutions = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^\d{1,4}$")),
                              values=fields.String(), metadata={
        "description": 'Conflict index → "mine", "theirs", "both" or the text to use'})
    revision = fields.Integer(validate=ID)


class UpdateResultSchema(Schema):
    fork = fields.Nested(ForkSchema, required=True)
    notes = fields.List(fields.String(), required=True)


class SuggestInSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2_000))


class ReplySchema(Schema):
    reply = fields.String(validate=validate.Length(max=2_000))


class SuggestionSchema(Schema):
    id = fields.Integer(required=True)
    fork_id = fields.Integer(required=True)
    asset_id = fields.Integer(required=True)
    author = fields.Nested(PersonSchema, required=True)
    comment = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(SUGGESTION_STATUSES))
    reply = fields.String(required=True)
    result_version = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)


class RenderArgsSchema(Schema):
    format = fields.String(load_default="source", validate=validate.OneOf(("source", "html")))

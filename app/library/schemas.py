"""API shapes of assets and versions. Business rules stay in app.library.fields."""

from flask_smorest.fields import Upload
from marshmallow import RAISE, Schema, fields, validate

from app.api.base import PageSchema
from app.library.taxonomy import (
    KINDS,
    MAX_DESCRIPTION_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_TITLE_LENGTH,
    STAGES,
    STATUSES,
)


class PersonSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class VersionSchema(Schema):
    number = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    content_type = fields.String(required=True)
    kind = fields.String(required=True)
    filename = fields.String(required=True)
    notes = fields.String(required=True)
    author = fields.Nested(PersonSchema, required=True)
    created_at = fields.DateTime(required=True)
    page_count = fields.Integer(allow_none=True)
    text_note = fields.String(allow_none=True)
    restored_from = fields.Integer(allow_none=True)


class AssetSchema(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    stage = fields.String(allow_none=True, validate=validate.OneOf(STAGES))
    persona = fields.String(required=True)
    industry = fields.String(required=True)
    product = fields.String(required=True)
    tags = fields.List(fields.String(), required=True, attribute="tag_names")
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    owner = fields.Nested(PersonSchema, required=True)
    review_by = fields.Date(allow_none=True)
    is_stale = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    current_version = fields.Nested(VersionSchema, allow_none=True, required=True)


class AssetPageSchema(PageSchema):
    items = fields.List(fields.Nested(AssetSchema), required=True)


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 1_000_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, 100))


class AssetQuerySchema(PageArgsSchema):
    stage = fields.String(validate=validate.OneOf(STAGES))
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    persona = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    industry = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    product = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    tag = fields.String(validate=validate.Length(max=40))
    owner_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    stale = fields.Boolean()
    q = fields.String(validate=validate.Length(max=200))
    sort = fields.String(load_default="updated", validate=validate.OneOf(["updated", "title",
                                                                          "created"]))


class _MetadataFields(Schema):
    title = fields.String(validate=validate.Length(max=MAX_TITLE_LENGTH))
    description = fields.String(validate=validate.Length(max=MAX_DESCRIPTION_LENGTH))
    stage = fields.String(allow_none=True, validate=validate.OneOf(STAGES))
    persona = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    industry = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    product = fields.String(validate=validate.Length(max=MAX_LABEL_LENGTH))
    status = fields.String(validate=validate.OneOf(STATUSES))
    review_by = fields.Date(allow_none=True)


class AssetUploadSchema(_MetadataFields):
    class Meta:
        # A field we do not take (kind, owner_id, a typo) is refused, never silently dropped:
        # kind comes from the bytes, the owner from the token.
        unknown = RAISE

    file = Upload(required=True)
    tags = fields.String(metadata={"description": "Comma-separated tags."})
    notes = fields.String(validate=validate.Length(max=2000))


class AssetPatchSchema(_MetadataFields):
    tags = fields.List(fields.String(validate=validate.Length(max=40)),
                       validate=validate.Length(max=20))


class VersionUploadSchema(Schema):
    class Meta:
        unknown = RAISE

    file = Upload(required=True)
    notes = fields.String(validate=validate.Length(max=2000))


class RestoreSchema(Schema):
    notes = fields.String(validate=validate.Length(max=2000))

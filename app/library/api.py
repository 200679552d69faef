"""/api/v1/assets: list, create, read, edit, archive; versions, download, restore."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from app.api.base import actor, api_blueprint
from app.auth.ratelimit import rate_limited
from app.library import queries, services
from app.library.downloads import send_version, serves_stored_bytes
from app.library.queries import AssetFilters
from app.library.schemas import (
    AssetPageSchema,
    AssetPatchSchema,
    AssetQuerySchema,
    AssetSchema,
    AssetUploadSchema,
    RestoreSchema,
    VersionSchema,
    VersionUploadSchema,
)
from app.storage.flask import get_storage

blp = api_blueprint("assets", __name__, "/assets", "Collateral and its versions.")
FILE_RESPONSE = {"description": "The file's bytes.",
                 "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
FILE_RESPONSES = {
    "200": FILE_RESPONSE,
    "206": {**FILE_RESPONSE, "description": "The byte range asked for with `Range`."},
    "302": {"description": "Presigned storage URL."},
    "304": {"description": "Not modified (`If-None-Match` matched the ETag, the SHA-256)."},
    "416": {"description": "The range lies beyond the end of the file."},
}


@blp.route("")
class Assets(MethodView):
    @blp.arguments(AssetQuerySchema, location="query")
    @blp.response(200, AssetPageSchema)
    def get(self, args):
        """Assets the caller may see, filtered and paginated."""
        page, per_page = args.pop("page"), args.pop("per_page")
        return queries.list_assets(actor(), AssetFilters(**args), page, per_page)

    @rate_limited("uploads")
    # unknown=None: the schema's own RAISE applies (webargs would drop unknown multipart fields).
    @blp.arguments(AssetUploadSchema, location="files", unknown=None)
    @blp.response(201, AssetSchema)
    def post(self, args):
        """Upload a file as a new asset (marketers and admins)."""
        upload = args.pop("file")
        notes = args.pop("notes", "")
        return services.create_asset(actor(), upload.stream, upload.filename, args, notes)


@blp.route("/<id:asset_id>")
class AssetById(MethodView):
    @blp.response(200, AssetSchema)
    def get(self, asset_id):
        """One asset with its current version."""
        return queries.get_asset(actor(), asset_id)

    @blp.arguments(AssetPatchSchema)
    @blp.response(200, AssetSchema)
    def patch(self, args, asset_id):
        """Change metadata (owner or admin)."""
        return services.update_asset(actor(), asset_id, args)

    @blp.response(200, AssetSchema)
    def delete(self, asset_id):
        """Archive the asset. History is kept; nothing is erased."""
        return services.archive_asset(actor(), asset_id)


@blp.route("/<id:asset_id>/versions")
class Versions(MethodView):
    @blp.response(200, VersionSchema(many=True))
    def get(self, asset_id):
        """Every version, newest first (marketers and admins)."""
        return queries.list_versions(actor(), asset_id)

    @rate_limited("uploads")
    @blp.arguments(VersionUploadSchema, location="files", unknown=None)
    @blp.response(201, VersionSchema)
    def post(self, args, asset_id):
        """Upload a new file as the next version (owner or admin)."""
        upload = args["file"]
        return services.add_version(actor(), asset_id, upload.stream, upload.filename,
                                    args.get("notes", ""))


@blp.route("/<id:asset_id>/versions/<id:number>/download")
@serves_stored_bytes
@blp.doc(responses=FILE_RESPONSES)
def download_version(asset_id, number):
    """The file of one version, as an attachment."""
    version = queries.get_version(actor(), asset_id, number)
    return send_version(get_storage(), version, presign=current_app.config["S3_PRESIGN"])


@blp.route("/<id:asset_id>/versions/<id:number>/restore", methods=["POST"])
@blp.arguments(RestoreSchema, required=False)
@blp.response(201, VersionSchema)
def restore_version(args, asset_id, number):
    """Copy an old version as the newest, current one (owner or admin)."""
    return services.restore_version(actor(), asset_id, number, args.get("notes", ""))

"""Library pages: list, detail, upload, edit, versions, downloads and thumbnails."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.ratelimit import rate_limited
from app.collections.queries import featured_collections
from app.core.errors import NotFound, ServiceError
from app.core.extras import extras_for
from app.core.permissions import CONTENT_MANAGERS, manages_content, role_required
from app.library import pages, queries, services
from app.library.downloads import send_version, serves_stored_bytes, stream_blob
from app.library.filetypes import is_safe_inline
from app.library.filters import filters_from_args
from app.library.forms import MetadataForm, RestoreForm, UploadForm, VersionForm
from app.library.permissions import can_edit_asset, ensure_can_edit_asset
from app.storage.flask import get_storage

bp = Blueprint("library", __name__)
# Templates ask `version.content_type is safe_inline`: the list of inert types lives only in
# app.library.filetypes.
bp.add_app_template_test(is_safe_inline, "safe_inline")


def _me():
    return current_user._get_current_object()


@bp.get("/")
@role_required()
def index():
    filters, page = filters_from_args(request.args)
    results = queries.list_assets(_me(), filters, page)
    browsing_home = page == 1 and not any(k for k in request.args if k != "sort")
    collections = featured_collections(_me()) if browsing_home else []
    extras = extras_for("library_home", actor=_me()) if browsing_home else {"panels": []}
    return render_template("library/index.html", results=results, filters=filters,
                           collections=collections,
                           labels=queries.label_values(_me()), args=request.args,
                           review_due=queries.review_due(_me()) if manages_content(_me()) else 0,
                           **extras)


@bp.get("/assets/<id:asset_id>")
@role_required()
def detail(asset_id: int):
    asset = queries.get_asset(_me(), asset_id)
    version = asset.current_version
    return render_template("library/detail.html", asset=asset, version=version,
                           text=queries.version_text(version) if version else "",
                           can_edit=can_edit_asset(_me(), asset), action_form=EmptyForm(),
                           **extras_for("asset_detail", actor=_me(), asset=asset))


@bp.route("/assets/new", methods=["GET", "POST"])
@rate_limited("uploads", methods=("POST",))
@role_required(*CONTENT_MANAGERS)
def upload():
    form = UploadForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return _upload_page(form, status)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("Choose at least one file.", "error")
        return _upload_page(form, 422)
    created, errors = _create_each(files, form.values())
    for asset in created:
        flash(f"Uploaded “{asset.title}”.", "info")
    for message in errors:
        flash(message, "error")
    if not created:
        return _upload_page(form, 422)
    return redirect(url_for(".detail", asset_id=created[0].id) if len(created) == 1
                    else url_for(".index", sort="created"))


def _create_each(files, values):
    created, errors = [], []
    for upload_file in files:
        file_values = dict(values)
        if len(files) > 1 or not file_values.get("title"):
            file_values.pop("title", None)
        try:
            created.append(services.create_asset(_me(), upload_file.stream, upload_file.filename,
                                                 file_values))
        except ServiceError as exc:
            errors.append(f"{upload_file.filename[:120]}: {exc.message}")
    return created, errors


def _upload_page(form, status: int):
    return render_template("library/upload.html", form=form, labels=queries.label_values(_me()),
                           field_errors={}, max_bytes=current_app.config["MAX_UPLOAD_BYTES"]
                           ), status


@bp.route("/assets/<id:asset_id>/edit", methods=["GET", "POST"])
@role_required(*CONTENT_MANAGERS)
def edit(asset_id: int):
    asset = ensure_can_edit_asset(_me(), queries.get_asset(_me(), asset_id))
    form = MetadataForm(obj=asset, tags=", ".join(asset.tag_names))
    if form.validate_on_submit():
        try:
            services.update_asset(_me(), asset_id, form.values())
        except ServiceError as exc:
            flash(exc.message, "error")
            return _edit_page(asset, form, exc.details, exc.status)
        flash("Saved.", "info")
        return redirect(url_for(".detail", asset_id=asset_id))
    return _edit_page(asset, form, {}, 400 if request.method == "POST" else 200)


def _edit_page(asset, form, field_errors, status):
    return render_template("library/edit.html", asset=asset, form=form,
                           field_errors=field_errors, labels=queries.label_values(_me())), status


@bp.post("/assets/<id:asset_id>/archive")
@role_required(*CONTENT_MANAGERS)
def archive(asset_id: int):
    if EmptyForm().validate_on_submit():
        services.archive_asset(_me(), asset_id)
        flash("Archived. Reps no longer see it; its history is kept.", "info")
    return redirect(url_for(".detail", asset_id=asset_id))


@bp.route("/assets/<id:asset_id>/versions", methods=["GET", "POST"])
@rate_limited("uploads", methods=("POST",))
@role_required(*CONTENT_MANAGERS)
def versions(asset_id: int):
    asset = queries.get_asset(_me(), asset_id)
    form = VersionForm()
    status = 200
    if form.validate_on_submit():
        try:
            version = services.add_version(_me(), asset_id, form.file.data.stream,
                                           form.file.data.filename, form.notes.data)
        except ServiceError as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            flash(f"Version {version.number} is now current.", "info")
            return redirect(url_for(".versions", asset_id=asset_id))
    elif request.method == "POST":
        status = 400
    return render_template("library/versions.html", asset=asset, form=form,
                           versions=queries.list_versions(_me(), asset_id),
                           restore_form=RestoreForm(), can_edit=can_edit_asset(_me(), asset)
                           ), status


@bp.post("/assets/<id:asset_id>/versions/<id:number>/restore")
@role_required(*CONTENT_MANAGERS)
def restore(asset_id: int, number: int):
    form = RestoreForm()
    if form.validate_on_submit():
        version = services.restore_version(_me(), asset_id, number, form.notes.data)
        flash(f"Version {number} restored as version {version.number}.", "info")
    return redirect(url_for(".versions", asset_id=asset_id))


@bp.get("/assets/<id:asset_id>/versions/<id:number>/download")
@serves_stored_bytes
@role_required()
def download(asset_id: int, number: int):
    version = queries.get_version(_me(), asset_id, number)
    # stream=1 keeps the bytes on the app's origin, the only one the PDF viewer may connect to.
    presign = current_app.config["S3_PRESIGN"] and request.args.get("stream") != "1"
    return send_version(get_storage(), version, inline=request.args.get("inline") == "1",
                        presign=presign)


@bp.get("/assets/<id:asset_id>/versions/<id:number>/view")
@role_required()
def view(asset_id: int, number: int):
    """A PDF drawn by the vendored pdf.js: browsers' own PDF viewers do not run under the
    sandboxing CSP the file itself is served with (and headless Chromium has none)."""
    version = queries.get_version(_me(), asset_id, number)
    if version.preview_pdf_key:  # an Office file, as LibreOffice laid it out
        src = url_for(".preview_pdf", asset_id=asset_id, number=number)
    elif version.content_type == "application/pdf":
        src = url_for(".download", asset_id=asset_id, number=number, stream=1)
    else:
        raise NotFound("Only PDF files open in the viewer; download this one instead.")
    return render_template("library/view.html", asset=version.asset, version=version, src=src)


@bp.get("/assets/<id:asset_id>/versions/<id:number>/preview.pdf")
@serves_stored_bytes
@role_required()
def preview_pdf(asset_id: int, number: int):
    version = queries.get_version(_me(), asset_id, number)
    if not version.preview_pdf_key:
        raise NotFound("This version has no PDF preview.")
    response = stream_blob(get_storage(), version.preview_pdf_key, "application/pdf", None,
                           etag=version.preview_pdf_key.rsplit("/", 1)[-1])
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/assets/<id:asset_id>/versions/<id:number>/pages/<id:page>.png")
@serves_stored_bytes
@role_required()
def page_thumbnail(asset_id: int, number: int, page: int):
    """One page of an Office version's preview, for slide pickers. Versions never change,
    so the image is cached for a day."""
    version = queries.get_version(_me(), asset_id, number)
    png = pages.page_thumbnail(get_storage(), version, page)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.set_etag(f"{version.preview_pdf_key.rsplit('/', 1)[-1]}-{page}")
    return response.make_conditional(request)


@bp.get("/assets/<id:asset_id>/thumbnail")
@serves_stored_bytes
@role_required()
def thumbnail(asset_id: int):
    asset = queries.get_asset(_me(), asset_id)
    version = asset.current_version
    if version is None or not version.thumbnail_key:
        return redirect(url_for("static", filename="img/no-preview.svg"))
    # Thumbnail keys are content-addressed too: the key's last part is the PNG's hash.
    response = stream_blob(get_storage(), version.thumbnail_key, "image/png", None,
                           etag=version.thumbnail_key.rsplit("/", 1)[-1])
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response

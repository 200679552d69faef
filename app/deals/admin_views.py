"""Admin pages of the deals area: CSV import with a preview, and the pipeline."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.ratelimit import rate_limited
from app.core.errors import ServiceError
from app.core.permissions import Role, role_required
from app.deals import importing, pipeline_admin, queries
from app.deals.forms import ImportConfirmForm, ImportForm, MergeStageForm, StageForm
from app.library.taxonomy import STAGES as CONTENT_STAGES

bp = Blueprint("deals_admin", __name__, url_prefix="/admin")


def _me():
    return current_user._get_current_object()


def _spool_dir() -> str:
    return current_app.config["UPLOAD_TMP_DIR"]


# --- CSV import ------------------------------------------------------------------------------

@bp.get("/deals/import")
@role_required(Role.ADMIN)
def import_form():
    return render_template("deals/import.html", form=ImportForm())


@bp.post("/deals/import")
@role_required(Role.ADMIN)
@rate_limited("uploads")
def import_preview():
    """Read the file and show what would happen; nothing is written yet."""
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("deals/import.html", form=form), 400
    options = _options(form.source.data, form.locale.data, form.stage_map.data, form.mode.data)
    try:
        pending = importing.stage_upload(_me(), form.file.data.stream, _spool_dir())
        preview = importing.preview(_me(), pending, options)
    except ServiceError as exc:
        flash(exc.message, "error")
        return render_template("deals/import.html", form=form), exc.status
    confirm = ImportConfirmForm(token=pending.token, source=options.source,
                                locale=options.locale or "", stage_map=form.stage_map.data or "",
                                mode=options.mode)
    return render_template("deals/import_preview.html", preview=preview, confirm=confirm)


@bp.post("/deals/import/confirm")
@role_required(Role.ADMIN)
@rate_limited("expensive")
def import_run():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash("The import expired; upload the file again.", "error")
        return redirect(url_for(".import_form"))
    options = _options(form.source.data, form.locale.data, form.stage_map.data, form.mode.data)
    try:
        pending = importing.pending_upload(_me(), form.token.data, _spool_dir())
        result = importing.run_import(_me(), pending, options)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".import_form"))
    return render_template("deals/import_done.html", result=result)


def _options(source, locale, stage_map, mode) -> importing.ImportOptions:
    return importing.ImportOptions(source=source or "auto", locale=locale or None,
                                   stage_map_json=stage_map or None,
                                   mode=mode or "all_or_nothing", dry_run=False)


# --- pipeline --------------------------------------------------------------------------------

@bp.get("/pipeline")
@role_required(Role.ADMIN)
def pipeline():
    pipeline_admin.ensure_pipeline()
    stages = queries.pipeline()
    forms = {}
    for stage in stages:
        form = StageForm(obj=stage)
        form.content_stage.choices = [("", "None")] + [(s, s) for s in CONTENT_STAGES]
        forms[stage.id] = form
    merge = MergeStageForm()
    return render_template("deals/pipeline.html", stages=stages, forms=forms, merge=merge,
                           counts=queries.deals_per_stage(), action_form=EmptyForm())


@bp.post("/pipeline/<id:stage_id>")
@role_required(Role.ADMIN)
def update_stage(stage_id: int):
    form = StageForm()
    if form.validate_on_submit():
        _attempt(lambda: pipeline_admin.update_stage(_me(), stage_id, form.name.data,
                                                     form.outcome.data,
                                                     form.content_stage.data), "Saved.")
    else:
        flash("Give the stage a name.", "error")
    return redirect(url_for(".pipeline"))


@bp.post("/pipeline/<id:stage_id>/<any(up, down):direction>")
@role_required(Role.ADMIN)
def move_stage(stage_id: int, direction: str):
    if EmptyForm().validate_on_submit():
        offset = -1 if direction == "up" else 1
        _attempt(lambda: pipeline_admin.move_stage(_me(), stage_id, offset), None)
    return redirect(url_for(".pipeline"))


@bp.post("/pipeline/<id:stage_id>/merge")
@role_required(Role.ADMIN)
def merge_stage(stage_id: int):
    form = MergeStageForm()
    into = form.into.data or ""
    if form.validate_on_submit() and into.isdigit():
        _attempt(lambda: pipeline_admin.merge_stage(_me(), stage_id, int(into)), "Merged.")
    else:
        flash("Choose the stage to merge into.", "error")
    return redirect(url_for(".pipeline"))


def _attempt(operation, message: str | None) -> None:
    try:
        operation()
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        if message:
            flash(message, "info")

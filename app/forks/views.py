"""Fork pages: fork an asset, tailor it (fields, text with a live preview, slides, a cover),
download it, update it from the source, suggest it to marketing; marketing's queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.core.errors import ServiceError, ValidationFailed
from app.core.permissions import Role, role_required
from app.forks import queries, rendering, services, sources, suggestions, updates
from app.forks.forms import ForkForm, ReplyForm, SuggestForm
from app.forks.permissions import can_edit_fork
from app.library.downloads import serves_stored_bytes

bp = Blueprint("forks", __name__)
MAX_SLIDE_CHOICE = 1_000


def _me():
    return current_user._get_current_object()


@bp.post("/assets/<id:asset_id>/fork")
@role_required()
def create(asset_id: int):
    form = ForkForm()
    if not form.validate_on_submit():
        flash("Give the account a name of at most 300 characters.", "error")
        return redirect(url_for("library.detail", asset_id=asset_id))
    try:
        fork = services.create_fork(_me(), asset_id=asset_id, account=form.account.data,
                                    title=form.title.data or None,
                                    parent_fork_id=_int(form.parent_fork_id.data))
    except ServiceError as exc:
        return _refused(exc, url_for("library.detail", asset_id=asset_id))
    flash("Forked. Tailor it below; only you (and marketing) can see it.", "info")
    return redirect(url_for(".detail", fork_id=fork.id))


@bp.get("/forks")
@role_required()
def index():
    return render_template("forks/index.html", forks=queries.my_forks(_me()))


@bp.get("/forks/<id:fork_id>")
@role_required()
def detail(fork_id: int):
    fork = services.get_fork(_me(), fork_id)
    return _page(fork)


def _page(fork, status: int = 200, conflicts=None):
    from app.core.extras import extras_for

    known = sources.fields_of(fork.source_version)
    return render_template(
        "forks/detail.html", fork=fork, known=known, values=rendering.field_values(fork),
        update=updates.pending_update(fork), conflicts=conflicts or [],
        can_edit=can_edit_fork(_me(), fork), suggestions=queries.suggestions_of_fork(fork),
        action_form=EmptyForm(), suggest_form=SuggestForm(),
        preview=_preview(fork), slide_texts=_slide_texts(fork),
        **extras_for("fork_detail", actor=_me(), fork=fork)), status


def _slide_texts(fork) -> list[str] | None:
    """Without page previews (no LibreOffice), the slide picker shows each slide's text."""
    from app.forks import slides

    if fork.method != "pptx" or fork.source_version.preview_pdf_key:
        return None
    try:
        return [text[:160] for text in slides.texts_of(fork.source_version)]
    except ServiceError:
        return None


def _preview(fork) -> str | None:
    if fork.method != "text":
        return None
    return rendering.preview_html(fork.source_version.kind, fork.body or "",
                                  rendering.field_values(fork))


@bp.post("/forks/<id:fork_id>")
@role_required()
def save(fork_id: int):
    fork = services.get_fork(_me(), fork_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".detail", fork_id=fork_id))
    try:
        services.update_fork(_me(), fork_id, _changes(fork, request.form),
                             _int(request.form.get("revision")))
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        flash(exc.message, "error")
        return _page(fork, exc.status)
    flash("Saved.", "info")
    return redirect(url_for(".detail", fork_id=fork_id))


def _changes(fork, form) -> dict:
    """Read the tailoring form: fields as field-<name>, slides as keep-<n> with order-<n>."""
    changes: dict = {"title": form.get("title", ""), "account": form.get("account", ""),
                     "fields": {k[6:]: v for k, v in form.items() if k.startswith("field-")}}
    if fork.method == "text" and "body" in form:
        changes["body"] = form["body"]
    if fork.method == "pdf":
        changes["cover"] = {"contact": form.get("contact", ""), "note": form.get("note", "")}
    if fork.method == "pptx" and form.get("slides-shown"):
        changes["slides"] = _slide_choice(form)
    return changes


def _slide_choice(form) -> list[int]:
    kept = []
    for key in form:
        if key.startswith("keep-") and key[5:].isdigit() and len(key) < 10:
            number = int(key[5:])
            order = form.get(f"order-{number}", "")
            position = int(order) if order.isdigit() and len(order) < 6 else MAX_SLIDE_CHOICE
            kept.append((position, number))
    if not kept:
        raise ValidationFailed("Keep at least one slide.", {"slides": "empty"})
    return [number for _, number in sorted(kept)]


@bp.post("/forks/<id:fork_id>/preview")
@role_required()
def preview(fork_id: int):
    """The live preview: the text as it would be sent, sanitized, for the editor's pane."""
    fork = services.get_fork(_me(), fork_id)
    if not EmptyForm().validate_on_submit() or fork.method != "text":
        return "", 400
    body = (request.form.get("body") or "")[:500_000]
    values = dict(rendering.field_values(fork))
    values.update({k[6:]: v[:2_000] for k, v in request.form.items()
                   if k.startswith("field-") and v})
    return rendering.preview_html(fork.source_version.kind, body, values)


@bp.get("/forks/<id:fork_id>/download")
@role_required()
@serves_stored_bytes
def download(fork_id: int):
    fork = services.get_fork(_me(), fork_id)
    text_format = "html" if request.args.get("format") == "html" else "source"
    try:
        rendered = rendering.render(fork, text_format)
    except ServiceError as exc:
        return _refused(exc, url_for(".detail", fork_id=fork_id))
    return send_file(rendered.stream, mimetype="application/octet-stream", as_attachment=True,
                     download_name=rendered.filename, max_age=0)


@bp.post("/forks/<id:fork_id>/update")
@role_required()
def update_from_source(fork_id: int):
    fork = services.get_fork(_me(), fork_id)
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".detail", fork_id=fork_id))
    resolutions = _resolutions(request.form)
    try:
        outcome = updates.update_from_source(_me(), fork_id, resolutions or None,
                                             _int(request.form.get("revision")))
    except ServiceError as exc:
        conflicts = exc.details.get("conflicts")
        if not conflicts:
            return _refused(exc, url_for(".detail", fork_id=fork_id))
        flash(exc.message, "error")
        return _page(fork, exc.status, conflicts)
    for note in outcome.notes:
        flash(note, "info")
    flash(f"Your fork is now on version {outcome.fork.source_version.number}.", "info")
    return redirect(url_for(".detail", fork_id=fork_id))


def _resolutions(form) -> dict[int, str]:
    chosen = {}
    for key, value in form.items():
        if key.startswith("resolve-") and key[8:].isdigit() and len(key) < 14:
            index = int(key[8:])
            chosen[index] = form.get(f"custom-{index}", "") if value == "custom" else value
    return chosen


@bp.post("/forks/<id:fork_id>/suggest")
@role_required()
def suggest(fork_id: int):
    form = SuggestForm()
    if not form.validate_on_submit():
        flash("Write a comment for marketing (at most 2,000 characters).", "error")
        return redirect(url_for(".detail", fork_id=fork_id))
    try:
        suggestions.suggest(_me(), fork_id, form.comment.data)
    except ServiceError as exc:
        return _refused(exc, url_for(".detail", fork_id=fork_id))
    flash("Suggested to marketing. Their answer will show here.", "info")
    return redirect(url_for(".detail", fork_id=fork_id))


@bp.get("/suggestions")
@role_required(Role.MARKETER, Role.ADMIN)
def queue():
    status = request.args.get("status", "pending")
    status = status if status in ("pending", "accepted", "declined") else "pending"
    items = queries.suggestions_for_marketing(_me(), status)
    return render_template("forks/suggestions.html", items=items, status=status,
                           diffs={s.id: suggestion_diff(s) for s in items}, form=ReplyForm())


def suggestion_diff(suggestion) -> str:
    from app.forks import diff

    version = suggestion.source_version
    if suggestion.body is not None:
        return diff.diff_html(sources.source_text(version), suggestion.body)
    count = sources.fields_of(version).slide_count or 0
    kept = suggestion.slides or []
    dropped = [n for n in range(1, count + 1) if n not in kept]
    return diff.slides_summary(kept, dropped)


@bp.post("/suggestions/<id:suggestion_id>/<any(accept, decline):decision>")
@role_required(Role.MARKETER, Role.ADMIN)
def decide(suggestion_id: int, decision: str):
    form = ReplyForm()
    if not form.validate_on_submit():
        flash("Replies have at most 2,000 characters.", "error")
        return redirect(url_for(".queue"))
    try:
        if decision == "accept":
            done = suggestions.accept(_me(), suggestion_id, form.reply.data or "")
        else:
            done = suggestions.decline(_me(), suggestion_id, form.reply.data or "")
    except ServiceError as exc:
        return _refused(exc, url_for(".queue"))
    flash(f"Suggestion {done.status}.", "info")
    return redirect(url_for(".queue"))


@bp.post("/assets/<id:asset_id>/field-defaults")
@role_required(Role.MARKETER, Role.ADMIN)
def field_defaults(asset_id: int):
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for("library.detail", asset_id=asset_id))
    defaults = {k[8:]: v for k, v in request.form.items() if k.startswith("default-")}
    try:
        services.set_field_defaults(_me(), asset_id, defaults)
    except ServiceError as exc:
        return _refused(exc, url_for("library.detail", asset_id=asset_id))
    flash("Field defaults saved.", "info")
    return redirect(url_for("library.detail", asset_id=asset_id))


def _refused(exc: ServiceError, back: str):
    """Who may not do this gets the status (403, or 404 for what they may not see); anyone
    else gets the reason on the page they came from."""
    if exc.status in (403, 404):
        abort(exc.status)
    flash(exc.message, "error")
    return redirect(back)


def _int(value) -> int | None:
    value = value or ""
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.app_template_global()
def slide_thumbnail(fork, page: int) -> str:
    """A real thumbnail of one slide of the fork's source version."""
    return url_for("library.page_thumbnail", asset_id=fork.source_asset_id,
                   number=fork.source_version.number, page=page)

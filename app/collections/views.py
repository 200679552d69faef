"""Collection pages: everyone browses; marketers and admins curate."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.collections import queries, services
from app.collections.forms import AddItemForm, CollectionForm
from app.core.errors import Conflict, ValidationFailed
from app.core.permissions import Role, manages_content, role_required

bp = Blueprint("collections", __name__, url_prefix="/collections")
CURATORS = (Role.MARKETER, Role.ADMIN)


def _me():
    return current_user._get_current_object()


@bp.get("")
@role_required()
def index():
    return render_template("collections/index.html",
                           collections=queries.all_collections(_me()), form=CollectionForm(),
                           can_curate=manages_content(_me()))


@bp.post("")
@role_required(*CURATORS)
def create():
    form = CollectionForm()
    if form.validate_on_submit():
        collection = services.create_collection(_me(), form.title.data, form.description.data,
                                                form.featured.data, form.status.data)
        return redirect(url_for(".detail", collection_id=collection.id))
    flash("The form expired or was not valid; try again.", "error")
    return redirect(url_for(".index"))


@bp.get("/<id:collection_id>")
@role_required()
def detail(collection_id: int):
    collection = queries.get_collection(_me(), collection_id)
    return render_template("collections/detail.html", collection=collection,
                           form=CollectionForm(obj=collection), add_form=AddItemForm(),
                           action_form=EmptyForm(), can_curate=manages_content(_me()))


@bp.post("/<id:collection_id>")
@role_required(*CURATORS)
def update(collection_id: int):
    form = CollectionForm()
    if form.validate_on_submit():
        _attempt(lambda: services.update_collection(_me(), collection_id, form.title.data,
                                                    form.description.data, form.featured.data,
                                                    form.status.data),
                 "Saved.")
    return redirect(url_for(".detail", collection_id=collection_id))


@bp.post("/<id:collection_id>/delete")
@role_required(*CURATORS)
def delete(collection_id: int):
    if EmptyForm().validate_on_submit():
        services.delete_collection(_me(), collection_id)
        flash("Collection deleted.", "info")
    return redirect(url_for(".index"))


@bp.post("/<id:collection_id>/items")
@role_required(*CURATORS)
def add_item(collection_id: int):
    form = AddItemForm()
    asset_id = _asset_id(form.asset_id.data)
    if form.validate_on_submit() and asset_id:
        _attempt(lambda: services.add_item(_me(), collection_id, asset_id), "Added.")
    else:
        flash("Give an asset id (or paste its link).", "error")
    if request.form.get("back") == "asset" and asset_id:
        return redirect(url_for("library.detail", asset_id=asset_id))
    return redirect(url_for(".detail", collection_id=collection_id))


def _asset_id(raw: str | None) -> int | None:
    """Accepts an id or a pasted asset link such as https://host/assets/42."""
    tail = (raw or "").strip().rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() and 0 < len(tail) < 10 else None


@bp.post("/<id:collection_id>/items/<id:asset_id>/<any(up, down, remove):action>")
@role_required(*CURATORS)
def change_item(collection_id: int, asset_id: int, action: str):
    if EmptyForm().validate_on_submit():
        if action == "remove":
            _attempt(lambda: services.remove_item(_me(), collection_id, asset_id), "Removed.")
        else:
            offset = -1 if action == "up" else 1
            _attempt(lambda: services.move_item(_me(), collection_id, asset_id, offset), None)
    return redirect(url_for(".detail", collection_id=collection_id))


def _attempt(operation, message: str | None) -> None:
    """Input problems come back as a message on the page; permission and existence errors
    propagate, so they answer 403 and 404 like everywhere else."""
    try:
        operation()
    except (ValidationFailed, Conflict) as exc:
        flash(exc.message, "error")
    else:
        if message:
            flash(message, "info")

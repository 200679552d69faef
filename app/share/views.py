"""Staff pages for share links: the rep's links, making one (from an asset, a fork, or a deal room
of several), its options, its items, its visits; notifications; viewers' data requests."""

from __future__ import annotations

import json
from datetime import UTC

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.core.errors import ServiceError
from app.core.permissions import Role, is_admin, role_required
from app.extensions import db
from app.share import links, privacy, queries
from app.share.forms import LinkForm, ViewerForm
from app.share.links import Content

bp = Blueprint("share", __name__)


def _me():
    return current_user._get_current_object()


def _refused(exc: ServiceError, back: str):
    if exc.status in (403, 404):
        abort(exc.status)
    flash(exc.message, "error")
    return redirect(back)


def _id(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/share")
@role_required()
def index():
    everyone = is_admin(_me()) and request.args.get("all") == "1"
    found = queries.my_links(_me(), everyone=everyone)
    return render_template("share/index.html", links=found, everyone=everyone,
                           counts=queries.visit_counts([link.id for link in found]),
                           state=links.link_state)


@bp.post("/share")
@role_required()
def create():
    """From an asset's or a fork's page (one item), or the deal-room form (several)."""
    asset_ids = [i for i in map(_id, request.form.getlist("asset_id")) if i]
    fork_ids = [i for i in map(_id, request.form.getlist("fork_id")) if i]
    form = LinkForm()
    back = request.referrer if request.referrer and request.referrer.startswith(
        request.host_url) else url_for(".index")
    if not form.validate_on_submit():
        flash("Check the link's options: " + _errors(form), "error")
        return redirect(back)
    try:
        link = links.create_link(_me(), asset_ids=asset_ids, fork_ids=fork_ids,
                                 room=request.form.get("room") == "1", **_options(form))
    except ServiceError as exc:
        return _refused(exc, back)
    flash("Link created. Copy it below; set its options any time.", "info")
    return redirect(url_for(".detail", link_id=link.id))


@bp.get("/share/room")
@role_required()
def new_room():
    from app.forks.queries import my_forks
    from app.share.choices import my_open_deals, shareable_assets

    form = LinkForm()
    form.deal_id.data = str(_id(request.args.get("deal")) or "")
    return render_template("share/room.html", form=form, assets=shareable_assets(_me()),
                           forks=my_forks(_me()), deals=my_open_deals(_me()))


@bp.get("/share/<id:link_id>")
@role_required()
def detail(link_id: int):
    link = links.get_link(_me(), link_id)
    return _page(link)


def _page(link, form: LinkForm | None = None, status: int = 200):
    from app.forks.queries import my_forks
    from app.share.choices import shareable_assets

    form = form or LinkForm(obj=link, formdata=None)
    if form.expires_at.data is None and link.expires_at is not None:
        form.expires_at.data = link.expires_at.replace(tzinfo=None)
    form.allowed_domains.data = form.allowed_domains.data if isinstance(
        form.allowed_domains.data, str) else ", ".join(link.allowed_domains)
    form.deal_id.data = str(link.deal_id or "")
    return render_template(
        "share/detail.html", link=link, form=form, report=queries.link_report(link),
        state=links.link_state(link), url=url_for("viewer.open_link", token=link.token,
                                                  _external=True),
        empty=EmptyForm(), assets=shareable_assets(_me()), forks=my_forks(_me()),
        deals=_deal_choices(link), owner_view=link.owner_id == _me().id), status


def _deal_choices(link):
    """The actor's open deals, and the link's own deal even when it closed or is someone
    else's (an admin's view): saving the options must not untie it."""
    from app.extensions import db
    from app.share.choices import my_open_deals

    deals = my_open_deals(_me())
    if link.deal_id and all(d.id != link.deal_id for d in deals):
        from app.deals.models import Deal

        deal = db.session.get(Deal, link.deal_id)
        deals = [deal, *deals] if deal else deals
    return deals


@bp.post("/share/<id:link_id>")
@role_required()
def update(link_id: int):
    link = links.get_link(_me(), link_id)
    form = LinkForm()
    if not form.validate_on_submit():
        flash("Check the link's options: " + _errors(form), "error")
        return _page(link, form, 422)
    options = _options(form)
    if not form.password.data and not form.clear_password.data:
        options.pop("password")
    try:
        links.update_link(_me(), link.id, options)
    except ServiceError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(links.get_link(_me(), link_id), form, exc.status)  # keeps what was typed
    flash("Saved.", "info")
    return redirect(url_for(".detail", link_id=link.id))


@bp.post("/share/<id:link_id>/revoke")
@role_required()
def revoke(link_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    links.revoke_link(_me(), link_id)
    flash("The link is off: it now answers that it has been turned off.", "info")
    return redirect(url_for(".detail", link_id=link_id))


@bp.post("/share/<id:link_id>/reactivate")
@role_required()
def reactivate(link_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        links.reactivate_link(_me(), link_id)
    except ServiceError as exc:
        return _refused(exc, url_for(".detail", link_id=link_id))
    flash("The link works again.", "info")
    return redirect(url_for(".detail", link_id=link_id))


@bp.post("/share/<id:link_id>/items")
@role_required()
def items(link_id: int):
    """Add, move or remove one item; the order is the room's order."""
    link = links.get_link(_me(), link_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    current = [Content(i.asset_id, i.fork_id) for i in link.items]
    ids = [i.id for i in link.items]
    action, item_id = request.form.get("action"), _id(request.form.get("item"))
    at = ids.index(item_id) if item_id in ids else None
    if action == "add":
        added = _content(request.form.get("content", ""))
        if added is None:
            flash("Choose what to add.", "error")
            return redirect(url_for(".detail", link_id=link.id))
        current.append(added)
    elif action in ("up", "down", "remove") and at is not None:
        if action == "remove":
            current.pop(at)
        else:
            to = at - 1 if action == "up" else at + 1
            if 0 <= to < len(current):
                current[at], current[to] = current[to], current[at]
    else:
        abort(400)
    try:
        links.set_items(_me(), link.id, current)
    except ServiceError as exc:
        return _refused(exc, url_for(".detail", link_id=link.id))
    return redirect(url_for(".detail", link_id=link.id))


def _content(value: str) -> Content | None:
    """"a:12" (an asset) or "f:7" (a fork)."""
    kind, _, raw = value.partition(":")
    number = _id(raw)
    if number is None or kind not in ("a", "f"):
        return None
    if kind == "a":
        return Content(number)
    from app.forks import services as fork_services

    found = fork_services.usage_content(_me(), number)
    return Content(found.asset_id, number) if found else None


def _options(form: LinkForm) -> dict:
    expires = form.expires_at.data
    return {
        "title": form.title.data or "", "message": form.message.data or "",
        "expires_at": expires.replace(tzinfo=UTC) if expires else None,
        "require_email": form.require_email.data, "verify_email": form.verify_email.data,
        "allow_download": form.allow_download.data, "anonymous": form.anonymous.data,
        "allowed_domains": form.allowed_domains.data or "",
        "password": None if form.clear_password.data else (form.password.data or None),
        "deal_id": _id(form.deal_id.data),
    }


def _errors(form) -> str:
    return "; ".join(f"{getattr(form, name).label.text}: {msgs[0]}"
                     for name, msgs in form.errors.items() if name != "csrf_token") or \
        "the form expired, try again"


@bp.get("/notifications")
@role_required()
def notifications():
    return render_template("share/notifications.html",
                           notes=queries.unread_notifications(_me()), form=EmptyForm())


@bp.post("/notifications/read")
@role_required()
def notifications_read():
    if not EmptyForm().validate_on_submit():
        abort(400)
    privacy.mark_read(_me())
    return redirect(url_for(".notifications"))


@bp.route("/admin/share/viewers", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def viewers():
    """A viewer's data request: see, export (JSON) or delete everything kept for an e-mail."""
    form = ViewerForm(request.form if request.method == "POST" else request.args, meta={
        "csrf": request.method == "POST"})
    found = None
    if form.email.data:
        try:
            if request.method == "POST" and request.form.get("action") == "delete":
                if not form.validate():
                    abort(400)
                count = privacy.delete_viewer(_me(), form.email.data)
                flash(f"Deleted {count} visit(s) of {form.email.data}.", "info")
                return redirect(url_for(".viewers"))
            found = privacy.export_viewer(_me(), form.email.data)
        except ServiceError as exc:
            flash(exc.message, "error")
    if found is not None and request.args.get("format") == "json":
        return Response(json.dumps(found, indent=2), mimetype="application/json", headers={
            "Content-Disposition": 'attachment; filename="viewer-data.json"'})
    return render_template("share/viewers.html", form=form, found=found)

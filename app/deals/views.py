"""Deal pages: the list, one deal with its timeline, editing, and recording use of content."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.errors import ServiceError
from app.core.permissions import Role, role_required
from app.core.urls import safe_next
from app.deals import influence, queries, services
from app.deals.forms import ACTION_LABELS, DealForm, UsageForm
from app.deals.models import OUTCOMES
from app.deals.permissions import can_edit_deal, sees_amounts
from app.deals.queries import DealFilters

bp = Blueprint("deals", __name__)
PER_PAGE = 50


def _me():
    return current_user._get_current_object()


@bp.get("/deals")
@role_required()
def index():
    filters = _filters(request.args)
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 7 else 1
    results = queries.list_deals(_me(), filters, max(1, number), PER_PAGE)
    return render_template("deals/index.html", results=results, filters=filters,
                           owners=queries.owners(_me()), stages=queries.pipeline(),
                           statuses=OUTCOMES, show_amounts=sees_amounts(_me()),
                           args=request.args)


def _filters(args) -> DealFilters:
    owner = args.get("owner_id", "")
    text = (args.get("q") or "").strip()[:200]
    return DealFilters(status=args.get("status") if args.get("status") in OUTCOMES else None,
                       stage=(args.get("stage") or "")[:120] or None,
                       owner_id=int(owner) if owner.isdigit() and len(owner) < 10 else None,
                       q=text or None)


@bp.get("/deals/<id:deal_id>")
@role_required()
def detail(deal_id: int):
    deal = queries.get_deal(_me(), deal_id)
    return render_template("deals/detail.html", deal=deal,
                           timeline=queries.timeline(_me(), deal_id),
                           show_amounts=sees_amounts(_me()), can_edit=can_edit_deal(_me(), deal),
                           action_labels=ACTION_LABELS, counts=influence.event_counts)


@bp.route("/deals/<id:deal_id>/edit", methods=["GET", "POST"])
@role_required(Role.REP, Role.ADMIN)
def edit(deal_id: int):
    deal = queries.get_deal(_me(), deal_id)
    if not can_edit_deal(_me(), deal):
        abort(403)
    form = DealForm(obj=deal, amount=str(deal.amount) if deal.amount is not None else "")
    form.stage.choices = [(s.name, s.name) for s in queries.pipeline()]
    if request.method == "GET":
        form.stage.data = deal.pipeline_stage.name
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.update_deal(_me(), deal_id, _changes(form, deal))
        except ServiceError as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            flash("Saved.", "info")
            return redirect(url_for(".detail", deal_id=deal_id))
    return render_template("deals/edit.html", deal=deal, form=form), status


def _changes(form: DealForm, deal) -> dict:
    # A closed deal whose outcome and close date stay as they were keeps the CRM's close time;
    # otherwise it is worked out again (the end of the close date).
    same_close = (form.status.data == deal.status and form.close_date.data == deal.close_date)
    return {"name": form.name.data, "stage": form.stage.data, "status": form.status.data,
            "amount": form.amount.data.strip() or None,
            "currency": form.currency.data.strip() or None,
            "close_date": form.close_date.data.isoformat(),
            "closed_at": deal.closed_at.isoformat() if same_close and deal.closed_at else None}


@bp.post("/usage")
@role_required(Role.REP, Role.ADMIN)
def record_usage():
    """"Use in deal" from an asset page or a search result."""
    form = UsageForm()
    back = safe_next(form.next.data, url_for("library.index"))
    deal_id = form.deal_id.data or ""
    content = {name: int(value) for name in ("asset_id", "fork_id")
               if (value := getattr(form, name).data or "").isdigit() and len(value) < 10}
    if not form.validate_on_submit() or not deal_id.isdigit() or len(content) != 1:
        flash("Choose one of your open deals.", "error")
        return redirect(back)
    try:
        event = services.record_usage(_me(), int(deal_id), form.action.data, **content)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(back)
    flash(f"Recorded: {ACTION_LABELS[event.action].lower()} in “{event.deal.name}”.", "info")
    return redirect(back)


@bp.app_template_filter("money")
def money(amount, currency: str | None) -> str:
    """184500.00 and USD → "USD 184,500.00"; an empty amount is a dash."""
    if amount is None:
        return "—"
    return f"{currency + ' ' if currency else ''}{amount:,.2f}"

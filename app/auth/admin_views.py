"""Admin pages: invite users, change roles, deactivate and reactivate accounts, revoke anyone's
API tokens."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth import queries, services, tokens
from app.auth.forms import EmptyForm, InviteForm, RoleForm
from app.core.errors import ServiceError
from app.core.permissions import Role, role_required
from app.core.timeutil import utcnow

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _render(invite_form: InviteForm, status: int = 200, invite_link: str | None = None):
    return (
        render_template(
            "auth/admin_users.html",
            users=queries.users_by_name(),
            invite_form=invite_form,
            role_form=RoleForm(),
            action_form=EmptyForm(),
            invite_link=invite_link,
        ),
        status,
    )


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    return _render(InviteForm())


@bp.post("/users/invite")
@role_required(Role.ADMIN)
def invite():
    form = InviteForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    actor = current_user._get_current_object()
    try:
        user, token = services.invite_user(actor, form.email.data, form.name.data, form.role.data)
    except ServiceError as exc:
        flash(exc.message, "error")
        return _render(form, exc.status)
    return _invited(user, token, 201)


@bp.post("/users/<id:user_id>/invite")
@role_required(Role.ADMIN)
def reinvite(user_id: int):
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".users"))
    try:
        user, token = services.reinvite_user(current_user._get_current_object(), user_id)
    except ServiceError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".users"))
    return _invited(user, token, 200)


def _invited(user, token: str, status: int):
    link = url_for("auth.accept_invite", token=token, _external=True)
    days = current_app.config["INVITE_EXPIRY_DAYS"]
    flash(f"{user.name} was invited. Send them the link below; it is shown only once and "
          f"works for {days} day{'s' if days != 1 else ''}.", "info")
    return _render(InviteForm(), status, invite_link=link)


@bp.post("/users/<id:user_id>/role")
@role_required(Role.ADMIN)
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose a valid role.", "error")
        return redirect(url_for(".users"))
    _apply(lambda actor: services.change_role(actor, user_id, form.role.data), "Role changed.")
    return redirect(url_for(".users"))


@bp.post("/users/<id:user_id>/active/<int(max=1):state>")
@role_required(Role.ADMIN)
def set_active(user_id: int, state: int):
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".users"))
    message = "User reactivated." if state else "User deactivated and signed out everywhere."
    _apply(lambda actor: services.set_active(actor, user_id, bool(state)), message)
    return redirect(url_for(".users"))


def _apply(operation, success_message: str) -> None:
    try:
        operation(current_user._get_current_object())
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        flash(success_message, "info")


@bp.get("/tokens")
@role_required(Role.ADMIN)
def tokens_page():
    page = min(max(1, request.args.get("page", 1, type=int)), 100_000)
    return render_template("auth/admin_tokens.html", page=queries.all_tokens(page),
                           action_form=EmptyForm(), now=utcnow())


@bp.post("/tokens/<id:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".tokens_page"))
    row = tokens.revoke_token(current_user._get_current_object(), token_id)
    flash(f"Token “{row.label or row.prefix}” of {row.user.name} revoked.", "info")
    return redirect(url_for(".tokens_page"))

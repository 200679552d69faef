"""Sign-in, sign-out, password, invitation and API token pages."""

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import queries, services, tokens
from app.auth.forms import ChangePasswordForm, EmptyForm, LoginForm, SetPasswordForm, TokenForm
from app.auth.ratelimit import rate_limited
from app.core.errors import ServiceError
from app.core.timeutil import utcnow
from app.core.urls import safe_next

bp = Blueprint("auth", __name__)


def session_lifetime() -> timedelta:
    return current_app.permanent_session_lifetime


def invite_max_age() -> timedelta:
    return timedelta(days=current_app.config["INVITE_EXPIRY_DAYS"])


def _me():
    return current_user._get_current_object()


def throttle_policy() -> services.ThrottlePolicy:
    cfg = current_app.config
    return services.ThrottlePolicy(
        per_account=cfg["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        per_ip=cfg["LOGIN_MAX_FAILURES_PER_IP"],
        window=timedelta(seconds=cfg["LOGIN_THROTTLE_WINDOW_SECONDS"]),
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data, url_for("library.index")))
    status = 200
    if form.validate_on_submit():
        try:
            ip = request.remote_addr or "unknown"
            user = services.sign_in(form.email.data, form.password.data, ip, throttle_policy(),
                                    session_lifetime())
        except ServiceError as exc:
            flash(exc.message, "error")
            status = exc.status
        else:
            login_user(user)
            return redirect(safe_next(form.next.data, url_for("library.index")))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    services.sign_out(_me())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".tokens_page"))
    services.sign_out_everywhere(_me())
    logout_user()
    flash("You are signed out on every device, and your API tokens were revoked.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@rate_limited("expensive", methods=("POST",))
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = _me()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data,
                                     session_lifetime())
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/password.html", form=form), exc.status
        login_user(user)  # this browser carries on in a new session; the others end
        flash("Password changed. Your other sessions and API tokens were signed out.", "info")
        return redirect(url_for("library.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@rate_limited("expensive", methods=("POST",))
def accept_invite(token: str):
    services.invited_user(token, invite_max_age())  # unknown, used or expired: 404, no form
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invite(token, form.password.data, invite_max_age(),
                                          session_lifetime())
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/invite.html", form=form), exc.status
        login_user(user)
        return redirect(url_for("library.index"))
    return render_template("auth/invite.html", form=form), 400 if request.method == "POST" else 200


def _tokens_page(form: TokenForm, status: int = 200, new_token: str | None = None):
    return render_template("auth/tokens.html", tokens=queries.tokens_of(_me()), form=form,
                           action_form=EmptyForm(), new_token=new_token,
                           now=utcnow()), status


@bp.get("/account/tokens")
@login_required
def tokens_page():
    return _tokens_page(TokenForm())


@bp.post("/account/tokens")
@login_required
@rate_limited("expensive")
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(form, 400)
    try:
        token = tokens.create_token(_me(), form.label.data, form.expiry_days())
    except ServiceError as exc:
        flash(exc.message, "error")
        return _tokens_page(form, exc.status)
    flash("Token created. Copy it now: it is shown only this once.", "info")
    return _tokens_page(TokenForm(formdata=None), 201, new_token=token)


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".tokens_page"))
    row = tokens.revoke_token(_me(), token_id)  # someone else's token: 404
    flash(f"Token “{row.label or row.prefix}” revoked.", "info")
    return redirect(url_for(".tokens_page"))

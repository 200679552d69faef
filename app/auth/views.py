"""Sign-in, sign-out, password and invitation pages."""

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm
from app.core.errors import ServiceError
from app.core.urls import safe_next

bp = Blueprint("auth", __name__)


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
            user = services.authenticate(form.email.data, form.password.data, ip, throttle_policy())
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
    services.sign_out(current_user._get_current_object())
    logout_user()
    flash("You are signed out everywhere.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/password.html", form=form), exc.status
        login_user(user)  # this session carries on with the new nonce; the others end
        flash("Password changed. Your other sessions and API tokens were signed out.", "info")
        return redirect(url_for("library.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str):
    services.invited_user(token)  # an unknown or used link is a 404 before any form
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invite(token, form.password.data)
        except ServiceError as exc:
            flash(exc.message, "error")
            return render_template("auth/invite.html", form=form), exc.status
        login_user(user)
        return redirect(url_for("library.index"))
    return render_template("auth/invite.html", form=form), 400 if request.method == "POST" else 200

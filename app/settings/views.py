"""The admins' settings page: one switch per declared setting."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.core.permissions import Role, role_required
from app.settings import registry, services

bp = Blueprint("settings", __name__, url_prefix="/admin/settings")


@bp.get("")
@role_required(Role.ADMIN)
def index():
    rows = [(setting, services.is_on(setting)) for setting in registry.known()]
    return render_template("settings/index.html", rows=rows, form=EmptyForm())


@bp.post("")
@role_required(Role.ADMIN)
def save():
    if not EmptyForm().validate_on_submit():
        flash("The form expired; try again.", "error")
        return redirect(url_for(".index"))
    on = set(request.form.getlist("on"))
    services.change_settings(current_user._get_current_object(),
                             {setting.key: setting.key in on for setting in registry.known()})
    flash("Settings saved.", "info")
    return redirect(url_for(".index"))

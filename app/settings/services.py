"""Reading and changing settings. Only admins change them."""

from __future__ import annotations

from app.auth.models import User
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import is_admin
from app.extensions import db
from app.settings.models import AppSetting
from app.settings.registry import Setting, definition


def is_on(setting: Setting) -> bool:
    row = db.session.get(AppSetting, setting.key)
    return setting.default if row is None else bool(row.value)


def change_settings(actor: User, values: dict[str, bool]) -> None:
    """Set every setting in `values` at once; nothing changes if one of them is wrong."""
    if not is_admin(actor):
        raise PermissionDenied("Only admins change settings.")
    for key, value in values.items():
        if definition(key) is None:
            raise NotFound(f"No such setting: {key}.")
        if not isinstance(value, bool):
            raise ValidationFailed("Settings are on or off.", {key: "not_boolean"})
    for key, value in values.items():
        row = db.session.get(AppSetting, key)
        if row is None:
            db.session.add(AppSetting(key=key, value=value, updated_by_id=actor.id))
        else:
            row.value, row.updated_by_id = value, actor.id
    db.session.commit()

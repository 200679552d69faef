"""Sign-in and account forms (validation of shape only; rules live in the services)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.core.permissions import ROLES

ROLE_CHOICES = [SelectChoice(role, role.capitalize()) for role in ROLES]


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(10, 256)])


class SetPasswordForm(FlaskForm):
    password = PasswordField("Choose a password", validators=[DataRequired(), Length(10, 256)])


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    role = SelectField("Role", choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class EmptyForm(FlaskForm):
    """Carries only the CSRF token, for buttons that post."""


EXPIRY_CHOICES = [SelectChoice("never", "Never"), SelectChoice("7", "In 7 days"),
                  SelectChoice("30", "In 30 days"), SelectChoice("90", "In 90 days"),
                  SelectChoice("365", "In a year")]


class TokenForm(FlaskForm):
    label = StringField("Label", validators=[DataRequired(), Length(max=120)],
                        description="What the token is for, e.g. “CRM sync”.")
    expires = SelectField("Expires", choices=EXPIRY_CHOICES, default="never")

    def expiry_days(self) -> int | None:
        return None if self.expires.data == "never" else int(self.expires.data)

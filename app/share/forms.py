"""Share-link forms (shape only; the services hold the rules)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class LinkForm(FlaskForm):
    title = StringField("Title", validators=[Optional(), Length(max=200)],
                        description="What the prospect sees at the top of the page")
    message = TextAreaField("Welcome note", validators=[Optional(), Length(max=5_000)])
    deal_id = StringField("Deal", validators=[Optional(), Length(max=12)])
    expires_at = DateTimeLocalField("Expires (UTC)", format="%Y-%m-%dT%H:%M",
                                    validators=[Optional()])
    require_email = BooleanField("Ask for the viewer's e-mail")
    verify_email = BooleanField("Verify the e-mail with a one-time code")
    allowed_domains = StringField("Only these e-mail domains", validators=[Optional(),
                                                                         Length(max=3_000)],
                                  description="e.g. acme.com, acme.de (empty: any)")
    allow_download = BooleanField("Allow download")
    password = PasswordField("Password", validators=[Optional(), Length(max=200)],
                             description="Leave empty to keep it as it is")
    clear_password = BooleanField("Remove the password")
    anonymous = BooleanField("Anonymous tracking (totals only, no e-mail kept)")


class ViewerForm(FlaskForm):
    email = StringField("Viewer's e-mail", validators=[Length(max=254)])

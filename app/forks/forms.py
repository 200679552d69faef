"""Fork forms (shape only; the services hold the rules). The tailoring form itself has one
input per personalization field, so its view reads those by name."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ForkForm(FlaskForm):
    account = StringField("Account", validators=[Optional(), Length(max=300)],
                          description="The company you are tailoring it for")
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    parent_fork_id = HiddenField()


class SuggestForm(FlaskForm):
    comment = TextAreaField("What should marketing change, and why?",
                            validators=[DataRequired(), Length(max=2_000)])


class ReplyForm(FlaskForm):
    reply = TextAreaField("Reply to the rep", validators=[Optional(), Length(max=2_000)])

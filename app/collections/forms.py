"""Collection forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.collections.models import COLLECTION_STATUSES

STATUS_CHOICES = [SelectChoice(s, s.capitalize()) for s in COLLECTION_STATUSES]


class CollectionForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    featured = BooleanField("Feature on the library home page", default=False)
    # Not validated against the choices here: the service refuses anything else with a message.
    status = SelectField("Status", choices=STATUS_CHOICES, default="draft",
                         validate_choice=False)


class AddItemForm(FlaskForm):
    asset_id = StringField("Asset id or link", validators=[Length(max=500)])

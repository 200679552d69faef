"""Collection forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length


class CollectionForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    featured = BooleanField("Show on the reps' home page", default=True)


class AddItemForm(FlaskForm):
    asset_id = StringField("Asset id or link", validators=[Length(max=500)])

"""Library forms. Field rules are enforced by app.library.fields; these only shape the input."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.library.taxonomy import STAGES, STATUSES

STAGE_CHOICES = [SelectChoice("", "No stage")] + [SelectChoice(s, s.capitalize()) for s in STAGES]
STATUS_CHOICES = [SelectChoice(s, s.capitalize()) for s in STATUSES]


class MetadataForm(FlaskForm):
    title = StringField("Title", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])
    stage = SelectField("Funnel stage", choices=STAGE_CHOICES, validate_choice=False)
    persona = StringField("Persona", validators=[Length(max=80)])
    industry = StringField("Industry", validators=[Length(max=80)])
    product = StringField("Product", validators=[Length(max=80)])
    tags = StringField("Tags", description="Comma-separated", validators=[Length(max=1000)])
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False)
    review_by = DateField("Review by", validators=[Optional()])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("title", "description", "stage", "persona", "industry", "product", "tags",
                 "status", "review_by")}


class UploadForm(MetadataForm):
    files = MultipleFileField("Files")


class VersionForm(FlaskForm):
    file = FileField("New file", validators=[FileRequired("Choose a file.")])
    notes = TextAreaField("What changed", validators=[Length(max=2000)])


class RestoreForm(FlaskForm):
    notes = StringField("Notes", validators=[Length(max=2000)])

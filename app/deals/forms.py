"""Deal, usage, import and pipeline forms (shape only; the services hold the rules)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from app.deals.importing import SOURCE_LABELS
from app.deals.models import OUTCOMES, RECORDED_ACTIONS
from app.deals.schemas import SOURCES

ACTION_LABELS = {"emailed": "Emailed", "presented": "Presented", "shared_link": "Shared a link",
                 "sent_in_proposal": "Sent in a proposal"}
STATUS_CHOICES = [SelectChoice(s, s.capitalize()) for s in OUTCOMES]
LOCALES = [("", "Not sure (only unambiguous dates)"), ("en_US", "English (US): 1,234.50 · M/d/y"),
           ("en_GB", "English (UK): 1,234.50 · d/M/y"), ("de_DE", "German: 1.234,50 · d.M.y"),
           ("fr_FR", "French: 1 234,50 · d/M/y"), ("es_ES", "Spanish: 1.234,50 · d/M/y"),
           ("nl_NL", "Dutch: 1.234,50 · d-M-y"), ("it_IT", "Italian: 1.234,50 · d/M/y")]


class DealForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    stage = SelectField("Stage", validate_choice=False)
    status = SelectField("Status", choices=STATUS_CHOICES, validate_choice=False)
    amount = StringField("Amount", validators=[Length(max=40)],
                         description="A decimal number such as 184500.00")
    currency = StringField("Currency", validators=[Length(max=3)], description="ISO code: USD")
    close_date = DateField("Close date", validators=[DataRequired()])


class UsageForm(FlaskForm):
    deal_id = SelectField("Deal", validate_choice=False)
    action = SelectField("How", choices=[SelectChoice(a, ACTION_LABELS[a])
                                         for a in RECORDED_ACTIONS], validate_choice=False)
    # One of the two: an asset (its current version) or one of the rep's forks.
    asset_id = HiddenField()
    fork_id = HiddenField()
    next = HiddenField()


class ImportForm(FlaskForm):
    file = FileField("CSV export", validators=[FileRequired("Choose a CSV file.")])
    source = SelectField("Exported from", choices=[SelectChoice(s, SOURCE_LABELS[s])
                                                   for s in SOURCES], validate_choice=False)
    locale = SelectField("Number and date format", choices=[SelectChoice(v, label)
                                                             for v, label in LOCALES],
                         validate_choice=False)
    stage_map = TextAreaField("Stage meanings (optional)", validators=[Length(max=10_000)],
                              description='JSON, e.g. {"Gewonnen": "won", "Verloren": "lost", '
                                          '"*": "open"}')
    mode = SelectField("If some rows are bad", choices=[
        SelectChoice("all_or_nothing", "Import nothing"),
        SelectChoice("valid_rows", "Import the valid rows")], validate_choice=False)


class ImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=64)])
    source = HiddenField()
    locale = HiddenField()
    stage_map = HiddenField()
    mode = HiddenField()


class StageForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    outcome = SelectField("Means", choices=STATUS_CHOICES, validate_choice=False)
    content_stage = SelectField("Content for this stage", validate_choice=False)


class MergeStageForm(FlaskForm):
    into = StringField("Merge into", validators=[DataRequired(), Length(max=10)])


"""Staff forms. Choices that come from the database are set by the view, never queried here."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import (
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from survey.models import Role
from survey.services.codes import MAX_BATCH
from survey.services.users import MIN_PASSWORD_LENGTH, ROLE_NAMES
from survey.services.waves import DEFAULT_COMMENT_THRESHOLD, DEFAULT_THRESHOLD, MIN_THRESHOLD

# Upper bounds keep every integer inside the database column (2**31 - 1 on PostgreSQL).
MAX_THRESHOLD = 100_000
K_MAX = f"k can be at most {MAX_THRESHOLD:,}"
COMMENT_K_MAX = f"The comments threshold can be at most {MAX_THRESHOLD:,}"


def at_most(limit: int, message: str):
    """An upper bound that says nothing when the value is missing or not a number."""

    def check(_form, field) -> None:
        if field.data is not None and field.data > limit:
            raise ValidationError(message)

    return check


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = choices((role.value, ROLE_NAMES[role]) for role in Role)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[InputRequired("Enter your email address"),
                                                    Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired("Enter your password"),
                                                     Length(max=1024)])


class ConfirmForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class CloseWaveForm(FlaskForm):
    confirm = BooleanField(
        "I understand that closing cannot be undone",
        validators=[InputRequired("Tick the box to confirm that you want to close the wave")],
    )


class UploadForm(FlaskForm):
    file = FileField("File", validators=[FileRequired("Choose a file to upload")])


class ImportForm(UploadForm):
    """A past wave's CSV, and optionally the mapping of its columns and labels."""

    mapping = FileField("Mapping file")


class PipelineUploadForm(UploadForm):
    instrument = SelectField(
        "Questionnaire whose breakdowns the groups belong to", coerce=int,
        validators=[InputRequired("Choose a questionnaire")],
        description="The breakdown and group codes in the file are checked against it.",
    )


class WaveForm(FlaskForm):
    code = StringField(
        "Short name",
        validators=[InputRequired("Enter a short name"), Length(max=40),
                    Regexp(r"^[a-z0-9][a-z0-9-]*$",
                           message="Use lower-case letters, digits and dashes only")],
        description="Used in file names and commands, e.g. 2026-spring. It cannot change later.",
    )
    title = StringField("Title", validators=[InputRequired("Enter a title"), Length(max=200)],
                        description="Respondents see this on the start page.")
    instrument = SelectField("Questionnaire (instrument version)", coerce=int,
                             validators=[InputRequired("Choose a questionnaire")])
    opens_on = DateField("Opens on", validators=[InputRequired("Enter the opening date")])
    closes_on = DateField("Closes on", validators=[InputRequired("Enter the closing date")])
    threshold = IntegerField(
        "Smallest group reported (k)",
        default=DEFAULT_THRESHOLD,
        validators=[InputRequired("Enter k"),
                    NumberRange(min=MIN_THRESHOLD, message=f"k must be at least {MIN_THRESHOLD}"),
                    at_most(MAX_THRESHOLD, K_MAX)],
        description=f"No figure describes fewer than k respondents. At least {MIN_THRESHOLD}.",
    )
    comment_threshold = IntegerField(
        "Smallest group whose comments are shown",
        default=DEFAULT_COMMENT_THRESHOLD,
        validators=[InputRequired("Enter the comments threshold"),
                    at_most(MAX_THRESHOLD, COMMENT_K_MAX)],
        description="At least k.",
    )

    def validate_closes_on(self, field) -> None:
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be on or after the opening date")

    def validate_comment_threshold(self, field) -> None:
        if self.threshold.data and field.data is not None and field.data < self.threshold.data:
            raise ValidationError("The comments threshold cannot be below k")


class WaveDatesForm(FlaskForm):
    """What may still change once a wave is open."""

    title = WaveForm.title
    opens_on = WaveForm.opens_on
    closes_on = WaveForm.closes_on
    validate_closes_on = WaveForm.validate_closes_on


class WaveSettingsForm(FlaskForm):
    """What may change on a draft wave after creation."""

    title = WaveForm.title
    opens_on = WaveForm.opens_on
    closes_on = WaveForm.closes_on
    threshold = WaveForm.threshold
    comment_threshold = WaveForm.comment_threshold
    breakdowns = MultiCheckboxField(
        "Groups results may be shown for",
        description="Fixed when the wave opens and shown to respondents.",
    )
    validate_closes_on = WaveForm.validate_closes_on
    validate_comment_threshold = WaveForm.validate_comment_threshold


class IssueCodesForm(FlaskForm):
    count = IntegerField(
        "How many codes",
        validators=[InputRequired("Enter how many codes to issue"),
                    NumberRange(min=1, max=MAX_BATCH,
                                message=f"Issue between 1 and {MAX_BATCH} codes at a time")],
        description="One for each person invited. The download is the only copy of the codes.",
    )
    override = BooleanField(
        "Issue them even if there would be more codes than people in the headcount, or no "
        "headcount is loaded",
        validators=[Optional()],
        description="Spare codes let whoever holds them answer as someone who does not "
        "exist. This choice is recorded in the audit log.",
    )


class UserForm(FlaskForm):
    email = EmailField("Email address", validators=[InputRequired("Enter an email address"),
                                                    Length(max=254)])
    role = RadioField("Role", choices=ROLE_CHOICES,
                      validators=[InputRequired("Choose a role")])
    unit_scope = MultiCheckboxField(
        "Units (HR business partners only)",
        description="Leave all unticked for every unit. Sub-units are included.",
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter a password"),
                    Length(min=MIN_PASSWORD_LENGTH, max=1024,
                           message=f"Use at least {MIN_PASSWORD_LENGTH} characters")],
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the person securely.",
    )
    confirm = PasswordField("Password again",
                            validators=[EqualTo("password", message="The passwords differ")])


class UserEditForm(FlaskForm):
    role = UserForm.role
    unit_scope = UserForm.unit_scope
    active = BooleanField("Account active", validators=[Optional()])


class PasswordForm(FlaskForm):
    password = UserForm.password
    confirm = UserForm.confirm


class TokenForm(FlaskForm):
    name = StringField("What will use it", validators=[InputRequired("Name the token"),
                                                      Length(max=100)],
                       description="For example: Power BI wellbeing dashboard.")
    days = IntegerField("Days until it expires", default=90,
                        validators=[InputRequired("Enter a number of days"),
                                    NumberRange(min=1, max=365, message="Between 1 and 365")])

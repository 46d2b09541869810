"""Forms for actions on results. Every field is published: hints say so."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from survey.admin.forms import choices
from survey.models import ActionStatus
from survey.services.actions import STATUS_NAMES, ActionText

TEXT_MAX = 2000
PUBLIC = "This text is public: it appears on the “You said, we did” page without sign-in."


class ActionForm(FlaskForm):
    """What the results showed and what is done about it; the view sets measure choices."""

    measure = SelectField("Measure or question", validators=[InputRequired("Choose a measure")])
    finding = TextAreaField(
        "What the results showed",
        validators=[InputRequired("Say what the results showed"), Length(max=TEXT_MAX)],
        description=f"In words, without figures for small groups. {PUBLIC}",
    )
    action = TextAreaField(
        "What we will do",
        validators=[InputRequired("Say what will be done"), Length(max=TEXT_MAX)],
        description=PUBLIC,
    )
    owner_role = StringField(
        "Owner (a role, not a person)",
        validators=[InputRequired("Name the role that owns the action"), Length(max=120)],
        description=f"For example: Head of HR. {PUBLIC}",
    )
    due_on = DateField("Due by", validators=[InputRequired("Enter the date it is due by")])
    status = SelectField(
        "Status", choices=choices((s.value, name) for s, name in STATUS_NAMES.items()),
        default=ActionStatus.PLANNED.value,
    )

    def action_text(self) -> ActionText:
        return ActionText(
            finding=self.finding.data.strip(), action=self.action.data.strip(),
            owner_role=self.owner_role.data.strip(), due_on=self.due_on.data,
            status=ActionStatus(self.status.data),
        )


class ActionEditForm(ActionForm):
    """The wave and measure stay as recorded; everything else may change."""

    measure = None


class NoteForm(FlaskForm):
    text = TextAreaField(
        "Progress note",
        validators=[InputRequired("Write the progress note"), Length(max=TEXT_MAX)],
        description=f"Notes cannot be changed or removed once added. {PUBLIC}",
    )

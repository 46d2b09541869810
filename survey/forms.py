"""Forms. Respondent section forms are built from the instrument, never from the database."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from survey.instruments import Definition


class CodeForm(FlaskForm):
    # No length or pattern check here: anything typed that is not a live code gets the
    # one plain refusal from the service, whatever is wrong with it.
    code = StringField(
        "Your invitation code",
        validators=[DataRequired(message="Enter the code from your invitation")],
        filters=[lambda typed: typed.strip() if typed else typed],
        description=(
            "It looks like ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345. Capitals and dashes are optional."
        ),
    )


class OptionalRadioField(RadioField):
    """A radio group that may be left unanswered; an answer must still be one of the choices.

    (Not wtforms' Optional validator: it would wave through an empty value, which no
    browser sends for a radio, and clear the invalid-choice error.)
    """

    def pre_validate(self, form) -> None:
        if self.data is not None:
            super().pre_validate(form)


class StateForm(FlaskForm):
    """The signed answers so far; carried in the page, never stored on the server."""

    state = HiddenField()


def section_form(definition: Definition, section: dict, units, formdata=None) -> StateForm:
    """A form for one section: a radio group per question, a text box per comment question."""
    return _section_class(definition, section, units)(formdata=formdata)


_classes: dict[tuple[int, int, int], tuple[tuple, type]] = {}


def _section_class(definition: Definition, section: dict, units) -> type:
    """The section's form class, built once per (definition, section, units) objects: the
    live path passes the same cached objects on every request. The cache keeps the objects
    it was built from, so their ids cannot be reused while it holds them."""
    key = (id(definition), id(section), id(units))
    cached = _classes.get(key)
    if cached is not None:
        return cached[1]

    class SectionForm(StateForm):
        pass

    for item in section["items"]:
        setattr(SectionForm, item["code"], _field(definition, item, units))
    _classes[key] = ((definition, section, units), SectionForm)
    return SectionForm


def comment_text(value: str | None) -> str | None:
    """Browsers send a typed line break as CRLF but count it as one character against
    maxlength; count it as one here too, and drop surrounding blank space."""
    if value is None:
        return None
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _field(definition: Definition, item: dict, units):
    label = definition.text(item["text"])
    hint = definition.text(item.get("hint", ""))
    if item["type"] == "text":
        too_long = (
            f"Your answer to \u2018{label.replace('%', '%%')}\u2019 must be %(max)d characters "
            "or fewer. It has %(length)d."
        )
        return TextAreaField(
            label,
            validators=[Optional(), Length(max=item.get("max_length", 1000), message=too_long)],
            filters=[comment_text],
            description=hint,
        )
    options = definition.options(item, units if item.get("options_from") == "units" else None)
    return OptionalRadioField(
        label,
        choices=[SelectChoice(str(o.value), definition.text(o.label)) for o in options],
        description=hint,
        invalid_choice_message="That is not one of the answers to this question",
    )

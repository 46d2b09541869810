"""Turning section forms into stored answers and back into a readable review."""

from __future__ import annotations

from survey.instruments import Definition
from survey.respond.state import Progress

FORM_CONTROLS = {"state", "csrf_token", "nav"}


def unexpected_fields(formdata, section: dict) -> list[str]:
    """Posted names that are neither controls nor questions of this section."""
    known = FORM_CONTROLS | {item["code"] for item in section["items"]}
    return [name for name in formdata if name not in known]


def merge_section(definition: Definition, section: dict, form, progress: Progress) -> None:
    """Replace this section's answers in the progress with what the form now holds."""
    for item in section["items"]:
        code = item["code"]
        progress.answers.pop(code, None)
        progress.comments.pop(code, None)
        data = form[code].data
        if item["type"] == "text":
            if data and data.strip():
                progress.comments[code] = data.strip()
        elif data is not None:
            progress.answers[code] = _typed(definition, item, data)


def _typed(definition: Definition, item: dict, raw: str) -> int | str:
    if item["type"] == "scale" and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def answered_sections(definition: Definition, progress: Progress, units) -> list[dict]:
    """Each section with its questions and the label of the answer given (or None)."""
    sections = []
    for index, section in enumerate(definition.sections):
        rows = []
        for item in section["items"]:
            rows.append({"question": definition.text(item["text"]), "answer": _answer_label(
                definition, item, progress, units)})
        sections.append({"index": index, "title": definition.text(section["title"]), "rows": rows})
    return sections


def _answer_label(definition: Definition, item: dict, progress: Progress, units) -> str | None:
    if item["type"] == "text":
        return progress.comments.get(item["code"])
    value = progress.answers.get(item["code"])
    if value is None:
        return None
    options = definition.options(item, units if item.get("options_from") == "units" else None)
    return next((option.label for option in options if option.value == value), str(value))

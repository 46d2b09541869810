"""Turning section forms into answers in progress, and answers into a readable review."""

from __future__ import annotations

from survey.instruments import Definition
from survey.respond.state import Progress

PAGE_CONTROLS = frozenset({"state", "csrf_token", "nav"})
SUBMIT_CONTROLS = frozenset({"state", "csrf_token"})


def unexpected_fields(formdata, allowed) -> list[str]:
    """Posted names outside `allowed`: only an edited request sends them."""
    return [name for name in formdata if name not in allowed]


def page_fields(section: dict | None) -> frozenset[str]:
    """The names a page may post: its controls and, on a section page, its questions."""
    items = section["items"] if section else []
    return PAGE_CONTROLS | {item["code"] for item in items}


def merge_section(section: dict, form, progress: Progress) -> None:
    """Replace this section's answers in the progress with what the form now holds."""
    for item in section["items"]:
        code = item["code"]
        progress.answers.pop(code, None)
        progress.comments.pop(code, None)
        data = form[code].data
        if item["type"] == "text":
            if data:
                progress.comments[code] = data
        elif data is not None:
            progress.answers[code] = _typed(item, data)


def _typed(item: dict, raw: str) -> int | str:
    """Scale values are numbers except the not-counted code (e.g. 'dk'), kept as text."""
    if item["type"] == "scale" and raw.lstrip("-").isdigit():
        return int(raw)
    return raw


def prefill(section: dict, form, progress: Progress) -> None:
    """Show the answers already given to this section."""
    for item in section["items"]:
        stored = progress.comments.get(item["code"], progress.answers.get(item["code"]))
        if stored is not None:
            form[item["code"]].data = str(stored)


def answered_sections(definition: Definition, progress: Progress, units) -> list[dict]:
    """Each section with its questions and the label of the answer given (or None)."""
    return [
        {
            "page": page,
            "title": definition.text(section["title"]),
            "rows": [
                {
                    "question": definition.text(item["text"]),
                    "answer": _answer_label(definition, item, progress, units),
                }
                for item in section["items"]
            ],
        }
        for page, section in enumerate(definition.sections)
    ]


def _answer_label(definition: Definition, item: dict, progress: Progress, units) -> str | None:
    if item["type"] == "text":
        return progress.comments.get(item["code"])
    value = progress.answers.get(item["code"])
    if value is None:
        return None
    options = definition.options(item, units if item.get("options_from") == "units" else None)
    label = next((option.label for option in options if option.value == value), str(value))
    return definition.text(label)

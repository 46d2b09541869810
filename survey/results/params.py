"""Query parameters to checked choices: anything not on offer is refused with 400 (404
for a wave or round that is not there). Messages never echo what was sent."""

from __future__ import annotations

from collections.abc import Mapping

from flask import abort

from survey.instruments import Definition
from survey.models import Wave
from survey.reporting import levels_of, measure_title, reportable_measures
from survey.results import queries


def bad_request(message: str):
    abort(400, description=message)


def released_wave(code: str) -> Wave:
    wave = queries.reportable_wave(code)
    if wave is None:
        abort(404, description="There is no wave with results at this address.")
    return wave


def choose(
    args: Mapping[str, str],
    name: str,
    offered: Mapping[str, str],
    what: str,
    default: str | None = None,
) -> str:
    """The value of args[name] if it is offered; the default (first offered) if absent."""
    value = args.get(name) or default or next(iter(offered), None)
    if value is None:
        abort(404, description=f"There is no {what} to show for this wave.")
    if value not in offered:
        bad_request(f"That {what} is not one of those offered here. Choose one from the list.")
    return value


def level_titles(definition: Definition, breakdowns: list[str]) -> dict[str, str]:
    """Every level of the given breakdowns (code -> title), in the wave's order."""
    titles = {}
    for code in breakdowns:
        breakdown = definition.breakdowns[code]
        declared = {
            lvl["code"]: lvl.get("title", breakdown["title"]) for lvl in breakdown.get("levels", [])
        }
        for level in levels_of(definition, code):
            titles[level] = declared.get(level, breakdown["title"])
    return titles


def wave_levels(wave: Wave, definition: Definition) -> dict[str, str]:
    return level_titles(definition, [b for b in wave.breakdowns if b in definition.breakdowns])


def all_level_titles(definition: Definition) -> dict[str, str]:
    return level_titles(definition, list(definition.breakdowns))


def measure_titles(definition: Definition) -> dict[str, str]:
    return {code: measure_title(definition, code) for code in reportable_measures(definition)}


def text_questions(definition: Definition) -> dict[str, str]:
    return {item["code"]: definition.text(item["text"]) for item in definition.text_items()}


def page_number(args: Mapping[str, str]) -> int:
    """The 1-based page asked for (?page=), 1 when absent or not a number."""
    value = args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def search_text(args: Mapping[str, str]) -> str:
    """A search of at most 100 characters, blank space trimmed."""
    return (args.get("q") or "").strip()[:100]

"""The key-drivers page: the whole wave, or one group of a breakdown's top level."""

from __future__ import annotations

from collections.abc import Mapping

from survey.instruments import Definition
from survey.reporting.drivers import drivers_view, published_groups, top_levels
from survey.results import params as p
from survey.results.driver_tables import driver_tables
from survey.results.pages import Page, file_name
from survey.results.tables import Report


def drivers(code: str, args: Mapping[str, str]) -> Page:
    """?level=&group= for one group of a top level (both or neither)."""
    wave = p.released_wave(code)
    definition = Definition(wave.instrument.definition)
    titles = p.wave_levels(wave, definition)
    levels = {level: titles[level] for level in top_levels(wave, definition)}
    level = p.choose(args, "level", levels, "breakdown") if args.get("level") else None
    group, groups, who = None, {}, "whole organisation"
    if level is not None:
        groups = published_groups(wave, definition, level)
        group = p.choose(args, "group", groups, "group")
        who = f"{groups[group]} ({levels[level]})"
    view = drivers_view(wave, level, group)
    tables = driver_tables(wave, definition, view, who)
    report = Report(
        f"Key drivers: {wave.title}", file_name(wave.code, "drivers", level or "", group or ""),
        tuple(tables),
    )
    chosen = {"level": level, "group": group} if level else {}
    form = {"levels": levels, "level": level, "groups": groups, "group": group}
    return Page("drivers", report, wave, chosen, form=form)

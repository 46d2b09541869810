"""The heatmap page: every measure by the groups of one breakdown level (or the units)."""

from __future__ import annotations

from collections.abc import Mapping

from survey.instruments import Definition
from survey.reporting.heatmap import heatmap_view
from survey.results import params as p
from survey.results.heatmap_chart import heatmap_chart
from survey.results.heatmap_tables import heatmap_table
from survey.results.pages import Page, file_name
from survey.results.tables import Report


def heatmap(code: str, args: Mapping[str, str]) -> Page:
    wave = p.released_wave(code)
    definition = Definition(wave.instrument.definition)
    levels = p.wave_levels(wave, definition)
    level = p.choose(args, "level", levels, "breakdown")
    table = heatmap_table(wave, definition, heatmap_view(wave, level))
    chart = heatmap_chart(table)
    report = Report(
        f"Heatmap by {levels[level]}: {wave.title}", file_name(wave.code, "heatmap", level),
        (table,),
    )
    form = {"levels": levels, "level": level}
    return Page("heatmap", report, wave, {"level": level}, (chart,) if chart else (), form)

"""The fairness report of a wave for the board: its content, from the same Tables as
every other output (the PDF itself is laid out by survey/results/pdf/document.py).

Sections: a summary in plain words generated from the figures, promotion fairness, PDR
and one-to-one quality and WHO-5 wellbeing by each protected characteristic, rank,
grade and worker type, trends, the promotion pipeline beside perceptions, representation
against the workforce, and method notes with a glossary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from survey.instruments import Definition
from survey.models import Wave
from survey.reporting import full_report, waves_of_instrument
from survey.reporting.memo import shared_views
from survey.reporting.representativeness import headcounts
from survey.results import pages, queries
from survey.results import params as p
from survey.results.pdf import plain_words as words
from survey.results.pdf.figures import StaticChart, breakdown_png, trend_png
from survey.results.tables import Table
from survey.results.wave_tables import breakdown_table, measure_info

MEASURES = ("promotion_fairness", "pdr_quality", "who5")
LEVELS = ("sex", "gender_identity", "age_band", "disability", "ethnic_minority", "ethnicity_5",
          "religion", "lgb_plus", "worker_type", "rank", "staff_grade")
MOST_GAPS = 12  # sentences in the summary, largest gaps first


@dataclass(frozen=True)
class Block:
    table: Table
    chart: StaticChart | None = None


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class FairnessPack:
    organisation: str
    wave: Wave
    made_on: date
    differences: tuple[str, ...]
    changes: tuple[str, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"Fairness report: {self.wave.title}"

    @property
    def name(self) -> str:
        return pages.file_name(self.wave.code, "fairness-report")

    def tables(self) -> list[Table]:
        return [block.table for section in self.sections for block in section.blocks]


def fairness_pack(code: str, organisation: str, made_on: date) -> FairnessPack:
    """The report's content; every protected view it needs is built once and shared."""
    with shared_views():
        return _fairness_pack(code, organisation, made_on)


def _fairness_pack(code: str, organisation: str, made_on: date) -> FairnessPack:
    wave = p.released_wave(code)
    definition = Definition(wave.instrument.definition)
    measures = [m for m in MEASURES if m in definition.measures]
    levels = [lvl for lvl in LEVELS if lvl in p.wave_levels(wave, definition)]
    by_measure = _group_tables(wave, definition, measures, levels)
    earlier = _previous_wave(wave)
    before = _group_tables(earlier, Definition(earlier.instrument.definition), measures,
                           [lvl for lvl in levels if _reports(earlier, lvl)]) if earlier else {}
    overview = pages.overview(wave.code).report.tables[0]
    sections = [
        _measure_section(definition, measure, by_measure[measure]) for measure in measures
    ]
    sections += [_trend_section(wave, measures), *_pipeline_section(wave),
                 *_representation_section(wave, levels, definition)]
    return FairnessPack(
        organisation, wave, made_on,
        _differences(definition, by_measure, before, earlier),
        tuple(filter(None, (_change(definition, row) for row in overview.rows))),
        tuple(sections),
        _common_notes(sections),
    )


def _group_tables(wave: Wave, definition: Definition, measures: list[str],
                  levels: list[str]) -> dict[str, dict[str, Table]]:
    """Each measure by each level, through the same reporting and Table as the pages."""
    report = full_report(wave, measures)
    return {
        measure: {
            level: breakdown_table(
                wave, report.breakdowns[level], measure_info(definition, measure)
            )
            for level in levels if level in report.breakdowns
        }
        for measure in measures
    }


def _measure_section(definition: Definition, measure: str, tables: dict[str, Table]) -> Section:
    info = measure_info(definition, measure)
    blocks = tuple(
        Block(table, breakdown_png(table, info.unit, info.low, info.high))
        for table in tables.values()
    )
    intro = (
        f"{info.title} ({info.unit.lower()}) for each group, with its difference from the "
        "rest of the organisation. Bars show each group's figure and its 95% confidence "
        "interval; the dashed line is the whole organisation."
    )
    return Section(f"{info.title} by group", intro, blocks)


def _trend_section(wave: Wave, measures: list[str]) -> Section:
    definition = Definition(wave.instrument.definition)
    blocks = []
    for measure in measures:
        table = pages.trend_view(wave.code, {"measure": measure}).report.tables[0]
        info = measure_info(definition, measure)
        blocks.append(Block(table, trend_png(table, info.unit, info.low, info.high)))
    intro = ("Each measure for the whole organisation in every wave of this questionnaire, "
             "with the change since the previous wave.")
    return Section("Trends", intro, tuple(blocks))


def _pipeline_section(wave: Wave) -> list[Section]:
    sections = []
    for round_code in queries.pipeline_rounds():
        blocks = []
        for breakdown in queries.round_breakdowns(round_code):
            page = pages.pipeline(round_code, {"breakdown": breakdown, "wave": wave.code})
            blocks += [Block(table) for table in page.report.tables]
        intro = (
            f"Promotion round {round_code} from HR's counts, step by step, and beside it how "
            f"the same groups rated promotion fairness in {wave.title}."
        )
        sections.append(Section(f"Promotion pipeline: {round_code}", intro, tuple(blocks)))
    return sections


def _representation_section(wave: Wave, levels: list[str], definition: Definition):
    breakdowns = dict.fromkeys(definition.levels[level][0] for level in levels)
    blocks = [
        Block(pages.representation_view(wave.code, {"breakdown": b}).report.tables[0])
        for b in breakdowns
        if b in wave.breakdowns and _has_headcounts(wave, b)
    ]
    if not blocks:
        return []
    intro = ("Who answered, against the workforce from HR records: response rates and each "
             "group's share of respondents and of the workforce.")
    return [Section("Representation", intro, tuple(blocks))]


def _differences(definition, by_measure, before, earlier: Wave | None) -> tuple[str, ...]:
    found = []
    for measure, tables in by_measure.items():
        info = measure_info(definition, measure)
        for level, table in tables.items():
            old = {r.key: r for r in before.get(measure, {}).get(level, _EMPTY).rows}
            for row in words.significant_rows(table):
                sentence = words.gap_sentence(
                    row, info.title, info.gap_unit, old.get(row.key),
                    earlier.title if earlier is not None and level in before.get(measure, {})
                    else None,
                    info.places,
                )
                found.append((abs(row.values["gap_rest"]), sentence))
    found.sort(key=lambda pair: -pair[0])
    unique = dict.fromkeys(sentence for _, sentence in found)  # a group in two levels
    return tuple(unique)[:MOST_GAPS]


def _change(definition: Definition, row) -> str | None:
    if row.key not in MEASURES:
        return None
    info = measure_info(definition, row.key)
    return words.change_sentence(row, info.title, info.gap_unit)


def _common_notes(sections: list[Section]) -> tuple[str, ...]:
    """Footnotes every table of the report shares, said once in the method notes."""
    tables = [block.table for section in sections for block in section.blocks]
    counted: dict[str, int] = {}
    for table in tables:
        for note in table.footnotes:
            counted[note] = counted.get(note, 0) + 1
    return tuple(note for note, times in counted.items() if times > 1)


def _previous_wave(wave: Wave) -> Wave | None:
    series = [w for w in waves_of_instrument(wave) if w.id != wave.id]
    return series[-1] if series else None


def _reports(wave: Wave, level: str) -> bool:
    definition = Definition(wave.instrument.definition)
    return level in definition.levels and definition.levels[level][0] in wave.breakdowns


def _has_headcounts(wave: Wave, breakdown: str) -> bool:
    return bool(headcounts(wave, breakdown))


_EMPTY = Table("", "", (), ())

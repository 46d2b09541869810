"""The demo force's HR records: headcounts per wave and one promotion round.

The workforce of a wave is its synthetic respondents (the same people
survey/demo/synthetic.py draws from the same seed, as they truly are) plus non-respondents
drawn from the same profile, so every group's headcount is at least the number of its
respondents and the response rate is about RESPONSE_RATE everywhere. Both tables are
written as the CSV files HR would upload and loaded by the ordinary services.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np
from sqlalchemy import select

from survey.demo.profile import WHITE
from survey.demo.synthetic import draw_people
from survey.extensions import db
from survey.instruments import APART, Definition
from survey.instruments.scoring import group_response
from survey.models import Unit, Wave
from survey.services.headcounts import COLUMNS, replace_headcounts
from survey.services.pipeline import COLUMNS as PIPELINE_COLUMNS
from survey.services.pipeline import load_pipeline_csv

RESPONSE_RATE = 0.6
NON_RESPONDENT_SEED = 7_000_000  # added to a wave's seed, so non-respondents differ
PROMOTION_ROUND = "sergeant-2026"
PROMOTION_SEED = 2026
ENTRY_RATE = 0.15  # constables who enter the round
# The national promotion framework's four steps (NPPF) and the chance of passing each;
# local selection is where the demo's planted disadvantage sits, as its survey shows.
NPPF_STEPS = (
    ("Step 1: competence (PDR)", 0.9),
    ("Step 2: legal knowledge exam", 0.55),
    ("Step 3: local selection board", 0.5),
    ("Step 4: temporary promotion", 0.92),
)
SELECTION_PENALTY = {"ethnic_minority": 0.6, "female": 0.85}  # x the pass rate at step 3
PIPELINE_LEVELS = ("ethnic_minority", "ethnicity_5", "sex", "disability", "lgb_plus", "age_band")


def workforce(definition: Definition, units: list[str], respondents: int, seed: int,
              size: int | None = None) -> list[dict]:
    """Everyone in the force (answers as HR records them): the wave's respondents first."""
    size = size if size is not None else round(respondents / RESPONSE_RATE)
    them, _ = draw_people(np.random.default_rng(seed), respondents, units)
    others, _ = draw_people(
        np.random.default_rng(seed + NON_RESPONDENT_SEED), max(size - respondents, 0), units
    )
    return _people(them) + _people(others)


def load_headcounts(wave: Wave, definition: Definition, people: list[dict]) -> int:
    """The wave's headcounts per unit (with its sub-units) and per breakdown group."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for unit, count in sorted(_unit_totals(people).items()):
        writer.writerow([unit, "", "", count])
    breakdowns = [code for code in definition.breakdowns if code != "unit"]
    counts: Counter = Counter()
    for person in people:
        for code, group in group_response(definition, breakdowns, person).items():
            if group not in APART:
                counts[code, group] += 1
    for (code, group), count in sorted(counts.items()):
        writer.writerow(["", code, group, count])
    return replace_headcounts(wave, out.getvalue().encode())


def load_promotion_round(definition: Definition, people: list[dict]) -> int:
    """"Sergeant 2026": constables through the four NPPF steps, counted per group."""
    rng = np.random.default_rng(PROMOTION_SEED)
    candidates = [p for p in people if p.get("rank") == "constable"]
    entered = [p for p in candidates if rng.random() < ENTRY_RATE]
    counts: Counter = Counter()
    for person in entered:
        groups = _pipeline_groups(definition, person)
        for order, (_, rate) in enumerate(NPPF_STEPS, start=1):
            for level_group in groups:
                counts[order, *level_group, "entered"] += 1
            if rng.random() >= rate * _penalty(person, order):
                break
            for level_group in groups:
                counts[order, *level_group, "progressed"] += 1
    return load_pipeline_csv(_pipeline_csv(counts, groups_seen(counts)), definition)


def groups_seen(counts: Counter) -> list[tuple[int, str, str]]:
    """Every step for every group that entered the round (a step none reached: 0 of 0)."""
    groups = {(level, group) for _, level, group, _ in counts}
    return sorted((order, *group) for order in range(1, len(NPPF_STEPS) + 1) for group in groups)


def _pipeline_csv(counts: Counter, keys: list[tuple[int, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PIPELINE_COLUMNS)
    for order, level, group in keys:
        stage = NPPF_STEPS[order - 1][0]
        writer.writerow([PROMOTION_ROUND, stage, order, level, group,
                         counts[order, level, group, "entered"],
                         counts[order, level, group, "progressed"]])
    return out.getvalue().encode()


def _pipeline_groups(definition: Definition, person: dict) -> list[tuple[str, str]]:
    breakdowns = list(dict.fromkeys(definition.levels[level][0] for level in PIPELINE_LEVELS))
    finest = group_response(definition, breakdowns, person)
    return [(level, definition.level_group(level, finest)) for level in PIPELINE_LEVELS]


def _penalty(person: dict, order: int) -> float:
    if order != 3:
        return 1.0
    factor = SELECTION_PENALTY["female"] if person.get("sex") == "female" else 1.0
    minority = person.get("ethnicity") not in (None, *WHITE)
    return factor * (SELECTION_PENALTY["ethnic_minority"] if minority else 1.0)



def _people(truth: dict) -> list[dict]:
    codes = list(truth)
    columns = [truth[code] for code in codes]
    return [
        {code: value for code, value in zip(codes, values, strict=True) if value is not None}
        for values in zip(*columns, strict=True)
    ]


def _unit_totals(people: list[dict]) -> dict[str, int]:
    """Each unit's own total: the people in it and in every unit below it."""
    parents = dict(db.session.execute(
        select(Unit.code, Unit.parent_id).where(Unit.parent_id.is_not(None))
    ).all())
    codes = dict(db.session.execute(select(Unit.id, Unit.code)).all())
    totals: Counter = Counter()
    for person in people:
        unit = person.get("unit")
        while unit is not None:
            totals[unit] += 1
            parent = parents.get(unit)
            unit = codes[parent] if parent is not None else None
    return dict(totals)

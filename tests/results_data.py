"""Fixtures for results: a wave of synthetic responses with planted gaps, a group too
small to publish, and promotion counts."""

from __future__ import annotations

from datetime import date

import pytest

from survey.demo.synthetic import generate_responses
from survey.extensions import db
from survey.instruments import Definition
from survey.services.instruments import unit_choices
from survey.services.pipeline import load_pipeline_csv
from survey.services.responses import import_responses

TINY_GROUP = "sikh"  # religion: exactly TINY respondents, far below k
TINY = 3
TINY_WHO5 = (1, 2, 0, 1, 3)  # raw 7 -> WHO-5 score 28 for each of the three

PIPELINE = b"""round,stage,stage_order,breakdown,group,entered,progressed
sgt-2026,Exam,1,ethnic_minority,white,400,220
sgt-2026,Exam,1,ethnic_minority,minority,60,24
sgt-2026,Exam,1,ethnic_minority,not_stated,12,6
sgt-2026,Board,2,ethnic_minority,white,220,110
sgt-2026,Board,2,ethnic_minority,minority,24,9
sgt-2026,Board,2,ethnic_minority,not_stated,6,3
"""


def synthetic_rows(wave, count: int, wave_index: int, seed: int) -> list[tuple[dict, dict]]:
    definition = Definition(wave.instrument.definition)
    units = [code for code, _ in unit_choices()]
    rows = generate_responses(definition, units, count, wave_index, seed)
    for answers, _ in rows:
        if answers.get("religion") == TINY_GROUP:
            answers["religion"] = "christian"
    return rows


def plant_tiny_group(rows: list[tuple[dict, dict]]) -> None:
    """Exactly TINY respondents of religion TINY_GROUP, with one WHO-5 answer pattern."""
    for answers, _ in rows[:TINY]:
        answers["religion"] = TINY_GROUP
        answers.update({f"who5_{i}": value for i, value in enumerate(TINY_WHO5, start=1)})


@pytest.fixture
def results_wave(make_wave):
    """A closed wave: `count` synthetic responses (planted gaps), TINY_GROUP of 3."""

    def build(
        count: int = 600,
        seed: int = 3,
        code: str = "autumn-2025",
        opens_on: date = date(2025, 10, 1),
        wave_index: int = 1,
        state: str = "closed",
    ):
        wave = make_wave(
            state="open", code=code, opens_on=opens_on, closes_on=date(opens_on.year, 10, 29)
        )
        rows = synthetic_rows(wave, count, wave_index, seed)
        plant_tiny_group(rows)
        import_responses(wave, rows)
        db.session.commit()
        if state == "closed":
            from survey.services.waves import close_wave

            close_wave(wave)
            db.session.commit()
        return wave

    return build


@pytest.fixture
def pipeline_counts(instrument):
    load_pipeline_csv(PIPELINE, Definition(instrument.definition))
    db.session.commit()
    return "sgt-2026"

"""Promotion pipeline: HR counts in, selection rates out, under disclosure control."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import PromotionCount
from survey.reporting import pipeline_report
from survey.services.imports import CsvRejected
from survey.services.pipeline import load_pipeline_csv

GOOD = b"""round,stage,stage_order,breakdown,group,entered,progressed
sgt-2026,Exam,1,ethnic_minority,white,400,220
sgt-2026,Exam,1,ethnic_minority,minority,60,24
sgt-2026,Exam,1,ethnic_minority,not_stated,12,6
sgt-2026,Board,2,ethnic_minority,white,220,110
sgt-2026,Board,2,ethnic_minority,minority,24,9
sgt-2026,Board,2,ethnic_minority,not_stated,6,3
"""


@pytest.fixture
def definition(instrument) -> Definition:
    return Definition(instrument.definition)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(PromotionCount))


def test_rates_relative_likelihood_and_adverse_impact(definition):
    assert load_pipeline_csv(GOOD, definition) == 6
    db.session.commit()
    view = pipeline_report("sgt-2026", "ethnic_minority", reference="white")
    exam, board = view.stages
    minority = next(g for g in exam.groups if g.group == "minority")
    assert minority.selection_rate.proportion == pytest.approx(24 / 60)
    assert minority.relative_likelihood.estimate == pytest.approx((220 / 400) / (24 / 60))
    assert minority.adverse_impact_ratio == pytest.approx((24 / 60) / (220 / 400))
    assert minority.below_four_fifths is True
    assert view.hidden["Exam"] == ()
    # At the board 6 not stated (< 10) are hidden, and with them the next smallest group,
    # so the white rate and the total cannot give them away by subtraction.
    assert view.hidden["Board"] == ("minority", "not_stated")
    assert [g.group for g in board.groups] == ["white"]
    assert all(g.selection_rate.n >= 10 for stage in view.stages for g in stage.groups)


def test_a_bad_row_loads_nothing(definition):
    load_pipeline_csv(GOOD, definition)
    db.session.commit()
    bad = GOOD.replace(b"sgt-2026,Board,2,ethnic_minority,minority,24,9",
                       b"sgt-2026,Board,2,ethnic_minority,martian,24,99")
    with pytest.raises(CsvRejected) as rejected:
        load_pipeline_csv(bad, definition)
    db.session.rollback()
    problems = " ".join(rejected.value.problems)
    assert "row 6, column E (group)" in problems and "martian" in problems
    assert "more progressed than entered" in problems
    assert stored() == 6


def test_the_cli_loads_a_file(app, instrument, tmp_path):
    path = tmp_path / "pipeline.csv"
    path.write_bytes(GOOD)
    result = app.test_cli_runner().invoke(
        args=["pipeline", "load", str(path), "--instrument", "workforce-wellbeing-fairness:1"]
    )
    assert result.exit_code == 0, result.output
    assert stored() == 6

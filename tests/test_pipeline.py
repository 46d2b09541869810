"""Promotion pipeline: HR counts in, selection rates out, under disclosure control."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from analytics.disclosure import TOTAL, TableAttacker
from survey.extensions import db
from survey.instruments import Definition
from survey.models import PromotionCount
from survey.reporting import pipeline_report
from survey.services.imports import CsvRejected
from survey.services.pipeline import load_pipeline_csv
from tests.results_data import PIPELINE


@pytest.fixture
def definition(instrument) -> Definition:
    return Definition(instrument.definition)


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(PromotionCount))


def test_rates_relative_likelihood_and_adverse_impact(definition):
    assert load_pipeline_csv(PIPELINE, definition) == 6
    db.session.commit()
    view = pipeline_report("sgt-2026", "ethnic_minority", reference="white")
    exam, _ = view.stages
    minority = next(g for g in exam.groups if g.group == "minority")
    assert minority.selection_rate.proportion == pytest.approx(24 / 60)
    assert minority.relative_likelihood.estimate == pytest.approx((220 / 400) / (24 / 60))
    assert minority.adverse_impact_ratio == pytest.approx((24 / 60) / (220 / 400))
    assert minority.below_four_fifths is True
    assert view.hidden["Exam"] == ()
    assert all(g.selection_rate.n >= 10 for stage in view.stages for g in stage.groups)


def test_a_large_group_is_not_hidden_because_not_stated_is_small(definition):
    # The round: 6 not stated at the board. No stage total is published, so hiding
    # them alone leaves nothing to subtract from; the 24 minority candidates stay shown.
    load_pipeline_csv(PIPELINE, definition)
    db.session.commit()
    view = pipeline_report("sgt-2026", "ethnic_minority", 10, "white", definition)
    exam, board = view.stages
    assert view.hidden == {"Exam": (), "Board": ("not_stated",)}
    shown = {g.group: g for g in board.groups}
    assert set(shown) == {"white", "minority"}
    minority = shown["minority"]
    assert (minority.selection_rate.count, minority.selection_rate.n) == (9, 24)
    assert minority.relative_likelihood.estimate == pytest.approx((110 / 220) / (9 / 24))
    assert minority.adverse_impact_ratio == pytest.approx((9 / 24) / (110 / 220))
    assert {g.group for g in exam.groups} == {"white", "minority", "not_stated"}


BY_SEX = b"""sgt-2026,Exam,1,sex,female,190,100
sgt-2026,Exam,1,sex,male,282,150
sgt-2026,Board,2,sex,female,100,50
sgt-2026,Board,2,sex,male,150,72
"""


def test_a_sibling_is_hidden_where_another_breakdown_publishes_the_stage_total(definition):
    # By sex every board group is shown, so the board's total (250 entered, 122 progressed)
    # is published: 6 not stated by ethnicity would be total - white - minority. The tree
    # rule hides a sibling too, and an attacker knowing every published count cannot pin
    # the not-stated progressed count.
    load_pipeline_csv(PIPELINE + BY_SEX, definition)
    db.session.commit()
    view = pipeline_report("sgt-2026", "ethnic_minority", 10, None, definition)
    assert view.hidden == {"Exam": (), "Board": ("minority", "not_stated")}
    rows, cols = ["white", "minority", "not_stated"], ["female", "male"]
    values = {("white", TOTAL): 110, (TOTAL, "female"): 50, (TOTAL, "male"): 72,
              (TOTAL, TOTAL): 122}
    hidden = [*((r, c) for r in rows for c in cols), ("minority", TOTAL), ("not_stated", TOTAL)]
    attacker = TableAttacker(values, rows, cols, hidden)
    assert (attacker.lower(("not_stated", TOTAL)), attacker.upper(("not_stated", TOTAL))) == (
        0, 12)
    sex = pipeline_report("sgt-2026", "sex", 10, None, definition)
    assert sex.hidden == {"Exam": (), "Board": ()}


FIVE_GROUPS = b"""round,stage,stage_order,breakdown,group,entered,progressed
insp-2026,Exam,1,ethnicity_5,white,300,150
insp-2026,Exam,1,ethnicity_5,asian,40,18
insp-2026,Exam,1,ethnicity_5,black,14,6
insp-2026,Exam,1,ethnicity_5,mixed,7,3
insp-2026,Exam,1,ethnicity_5,other,2,1
insp-2026,Exam,1,ethnicity_5,not_stated,20,9
"""


def test_small_groups_merge_within_their_parent_before_anything_is_hidden(definition):
    # Mixed (7) and other (2) are ethnic minority groups below k: they merge with the
    # smallest other minority group (black, 14) into one group of 23; asian and white stay.
    load_pipeline_csv(FIVE_GROUPS, definition)
    db.session.commit()
    view = pipeline_report("insp-2026", "ethnicity_5", 10, None, definition)
    (exam,) = view.stages
    shown = {g.group: g.selection_rate for g in exam.groups}
    merged = {code: members for code, members in view.merged["Exam"].items()}
    assert list(merged.values()) == [("black", "mixed", "other")]
    (code,) = merged
    assert (shown[code].count, shown[code].n) == (10, 23)
    assert set(shown) == {"white", "asian", code, "not_stated"}
    assert view.hidden["Exam"] == ()


def test_a_bad_row_loads_nothing(definition):
    load_pipeline_csv(PIPELINE, definition)
    db.session.commit()
    bad = PIPELINE.replace(b"sgt-2026,Board,2,ethnic_minority,minority,24,9",
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
    path.write_bytes(PIPELINE)
    result = app.test_cli_runner().invoke(
        args=["pipeline", "load", str(path), "--instrument", "workforce-wellbeing-fairness:1"]
    )
    assert result.exit_code == 0, result.output
    assert stored() == 6

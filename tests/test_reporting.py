"""Reporting: figures equal the responses' own statistics, after disclosure control."""

from __future__ import annotations

import statistics

import pytest
from sqlalchemy import select

from analytics.disclosure import DifferencingRefused
from analytics.gaps import GapStatus
from survey.demo.synthetic import generate_responses
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Response
from survey.reporting import breakdown_view, check_filtered_view, full_report
from survey.services.instruments import unit_choices
from survey.services.responses import import_responses
from survey.services.waves import close_wave


@pytest.fixture
def wave_with(make_wave):
    def build(count: int, seed: int = 1, threshold: int = 10):
        wave = make_wave(threshold=threshold)
        definition = Definition(wave.instrument.definition)
        units = [code for code, _ in unit_choices()]
        import_responses(wave, generate_responses(definition, units, count, 0, seed))
        close_wave(wave)
        db.session.commit()
        return wave

    return build


def scores(measure: str, **groups) -> list[float]:
    return [
        r.scores[measure]
        for r in db.session.scalars(select(Response))
        if measure in r.scores and all(r.groups[k] == v for k, v in groups.items())
    ]


def test_figures_match_statistics_of_the_responses(wave_with):
    wave = wave_with(400)
    report = full_report(wave)
    who5 = scores("who5")
    assert report.overall["who5"].mean == pytest.approx(statistics.fmean(who5))
    assert report.overall["who5"].sd == pytest.approx(statistics.stdev(who5))
    by_sex = {g.group: g for g in report.breakdowns["sex"].measures["who5"].groups}
    female = scores("who5", sex="female")
    assert by_sex["female"].n == len(female)
    assert by_sex["female"].summary.mean == pytest.approx(statistics.fmean(female))


def test_no_published_figure_describes_fewer_than_k(wave_with):
    wave = wave_with(300, threshold=10)
    report = full_report(wave)
    for view in report.breakdowns.values():
        for measure in view.measures.values():
            shown = [g for g in measure.groups if g.n is not None]
            hidden = [g for g in measure.groups if g.n is None]
            assert all(g.n >= 10 for g in shown)
            assert all(g.summary is None for g in hidden)
            assert len(hidden) != 1, (view.level, measure.measure)


def test_one_dashboard_query_gives_the_same_numbers_as_the_full_report(wave_with):
    wave = wave_with(300)
    view = breakdown_view(wave, "ethnicity_5", "cbi_work")
    assert (
        view.measures["cbi_work"]
        == full_report(wave).breakdowns["ethnicity_5"].measures["cbi_work"]
    )


def test_planted_gaps_are_found(wave_with):
    wave = wave_with(1500, seed=3)
    gaps = breakdown_view(wave, "disability", "who5").measures["who5"].gaps
    disabled = next(g for g in gaps.versus_rest if g.group == "disabled")
    assert disabled.status == GapStatus.SIGNIFICANT
    assert disabled.difference.estimate < 0


def test_filters_that_differ_by_fewer_than_k_are_refused(wave_with):
    wave = wave_with(200)
    women = check_filtered_view(wave, "sex", "female", {})
    with pytest.raises(DifferencingRefused):
        check_filtered_view(wave, "sex", "female", {"previous wave": women + 3})
    assert check_filtered_view(wave, "sex", "female", {"previous wave": women + 10}) == women


def test_trends_show_each_wave_and_the_change_between_them(make_wave):
    from datetime import date

    from survey.reporting import trend

    units = [code for code, _ in unit_choices()]
    waves = []
    for index, year in enumerate((2024, 2025)):
        wave = make_wave(threshold=10, opens_on=date(year, 10, 1), closes_on=date(year, 10, 28))
        definition = Definition(wave.instrument.definition)
        import_responses(wave, generate_responses(definition, units, 600, index * 4, 11 + index))
        close_wave(wave)
        waves.append(wave)
    db.session.commit()
    series = trend(waves[-1], "who5")
    assert [p.wave for p in series.points] == [w.code for w in waves]
    means = [
        statistics.fmean(
            r.scores["who5"]
            for r in db.session.scalars(select(Response).filter_by(wave_id=w.id))
            if "who5" in r.scores
        )
        for w in waves
    ]
    assert [p.estimate for p in series.points] == pytest.approx(means)
    (change,) = series.changes
    assert change.change.estimate == pytest.approx(means[1] - means[0])
    assert change.change.interval.low < change.change.estimate < change.change.interval.high
    assert series.detectable > 0
    by_group = trend(waves[-1], "who5", "disability", "disabled")
    assert all(p.n is None or p.n >= 10 for p in by_group.points)


def test_comments_appear_only_for_at_least_the_comments_threshold(make_wave):
    from survey.reporting import comments_report

    wave = make_wave(threshold=10)
    rows = [({"unit": "north_cid"}, {"comment_wellbeing": f"north {i}"}) for i in range(20)]
    rows += [({"unit": "south_lpa"}, {"comment_wellbeing": f"south {i}"}) for i in range(16)]
    rows += [({"unit": "east_cid"}, {"comment_wellbeing": f"east {i}"}) for i in range(3)]
    import_responses(wave, rows)
    close_wave(wave)
    db.session.commit()
    report = {c.unit: c for c in comments_report(wave, "comment_wellbeing")}
    assert report[None].n == 39
    assert report["north_lpa"].n == 20 and len(report["north_lpa"].texts) == 20
    # East has 3 (< 15); South is hidden with it, so the force list minus North leaves 19.
    assert report["east_lpa"].texts == () and report["south_lpa"].texts == ()
    assert all(c.n is None or c.n >= 15 for c in report.values())


def test_too_few_comments_show_nothing(make_wave):
    from survey.reporting import comments_report

    wave = make_wave(threshold=10)
    import_responses(wave, [({}, {"comment_promotion": f"text {i}"}) for i in range(14)])
    close_wave(wave)
    db.session.commit()
    (only,) = comments_report(wave, "comment_promotion")
    assert only.n is None and only.texts == ()


def test_weighting_to_the_workforce_profile_post_stratifies(make_wave):
    from survey.models import Headcount
    from survey.reporting import representation, weighted_figure

    wave = make_wave(threshold=10)
    rows = [({"sex": "female", **{f"who5_{i}": 4 for i in range(1, 6)}}, {}) for _ in range(30)]
    rows += [({"sex": "male", **{f"who5_{i}": 2 for i in range(1, 6)}}, {}) for _ in range(10)]
    import_responses(wave, rows)
    db.session.add_all(
        [
            Headcount(wave_id=wave.id, unit="", breakdown="sex", group_code="female", count=400),
            Headcount(wave_id=wave.id, unit="", breakdown="sex", group_code="male", count=600),
        ]
    )
    close_wave(wave)
    db.session.commit()
    weighted = weighted_figure(wave, "who5", "sex")
    assert weighted.weighted is True
    assert weighted.estimate == pytest.approx(0.4 * 80 + 0.6 * 40)
    rows_by_group = {r.group: r for r in representation(wave, "sex")}
    assert rows_by_group["female"].response_rate.proportion == pytest.approx(30 / 400)
    assert rows_by_group["male"].workforce_share == pytest.approx(0.6)


def test_weighting_is_refused_when_a_cell_is_below_k(make_wave):
    from survey.models import Headcount
    from survey.reporting import WeightingRefused, representation, weighted_figure

    smaller = make_wave(threshold=10)
    import_responses(
        smaller,
        [({"sex": "female"}, {}) for _ in range(15)] + [({"sex": "male"}, {}) for _ in range(4)],
    )
    db.session.add_all(
        [
            Headcount(wave_id=smaller.id, unit="", breakdown="sex", group_code="female", count=50),
            Headcount(wave_id=smaller.id, unit="", breakdown="sex", group_code="male", count=50),
        ]
    )
    db.session.commit()
    with pytest.raises(WeightingRefused):
        weighted_figure(smaller, "who5", "sex")
    assert {r.group: r.respondents for r in representation(smaller, "sex")}["male"] is None


def test_intersections_protect_each_measure_and_match_the_responses(wave_with):
    from survey.reporting import intersection_view

    wave = wave_with(500, seed=5)
    definition = Definition(wave.instrument.definition)
    view = intersection_view(wave, "ethnicity_5", "sex", "who5")
    cells: dict = {}
    for r in db.session.scalars(select(Response)):
        if "who5" in r.scores:
            key = (definition.level_group("ethnicity_5", r.groups), r.groups["sex"])
            cells.setdefault(key, []).append(r.scores["who5"])
    assert len(view.summaries) >= 2
    for key, summary in view.summaries.items():
        assert summary.n == len(cells[key]) >= 10
        assert summary.mean == pytest.approx(statistics.fmean(cells[key]))
    for key in view.counts.cells:
        if not view.counts.is_visible(*key):
            assert key not in view.summaries


def test_gaps_against_a_reference_group_use_relative_likelihood(wave_with):
    wave = wave_with(1500, seed=3)
    gaps = breakdown_view(wave, "ethnic_minority", "promo_decisions_fair", reference="white")
    report = gaps.measures["promo_decisions_fair"].gaps
    assert report.reference == "white"
    (minority,) = [g for g in report.versus_reference if g.group == "minority"]
    assert minority.comparator == "white"
    expected = minority.comparator_estimate / minority.group_estimate
    assert minority.relative_likelihood.estimate == pytest.approx(expected)

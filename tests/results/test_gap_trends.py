"""A group's gap to the rest across waves and the change of that gap: the same figures as
each wave's breakdown, a MOVER interval, and only between waves that publish both gaps."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from analytics.interval import mover_difference
from survey.extensions import db
from survey.reporting import trend
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.results.reading import page_tables
from tests.results_data import synthetic_rows

TREND = "/api/waves/{code}/trend?measure=who5&level=disability&group=disabled"
WOMEN = "/api/waves/{code}/trend?measure=who5&level=sex&group=female"


@pytest.fixture
def two_waves(results_wave):
    earlier = results_wave(count=900, seed=5, code="autumn-2023", opens_on=date(2023, 10, 1),
                           wave_index=0)
    later = results_wave(count=900, seed=6, code="autumn-2025", opens_on=date(2025, 10, 1),
                         wave_index=3)
    return earlier, later


def _row(table: dict, key: str) -> dict:
    return next(row for row in table["rows"] if row["key"] == key)


def test_each_wave_gap_is_the_gap_its_breakdown_publishes(two_waves, hr):
    _, later = two_waves
    _, gaps = hr.get(TREND.format(code=later.code)).get_json()["tables"]
    assert [row["key"] for row in gaps["rows"]] == ["autumn-2023", "autumn-2025"]
    for wave in two_waves:
        url = f"/api/waves/{wave.code}/breakdown?level=disability&measure=who5"
        disabled = _row(hr.get(url).get_json()["tables"][0], "disabled")["values"]
        shown = _row(gaps, wave.code)["values"]
        assert (shown["gap"], shown["gap_ci_low"], shown["gap_ci_high"]) == (
            disabled["gap_rest"], disabled["gap_rest_ci_low"], disabled["gap_rest_ci_high"])
        assert shown["gap"] < -5  # the planted wellbeing gap of disabled people


def test_gap_change_is_the_mover_combination_and_not_the_group_change(two_waves, hr):
    earlier, later = two_waves
    own, gaps = hr.get(WOMEN.format(code=later.code)).get_json()["tables"]
    series = trend(later, "who5", "sex", "female")
    first, last = (point.gap.difference for point in series.points)
    expected = mover_difference(last.estimate, last.interval, first.estimate, first.interval)
    shown = _row(gaps, later.code)["values"]
    assert shown["gap_change"] == pytest.approx(round(expected.estimate, 1))
    assert (shown["gap_change_ci_low"], shown["gap_change_ci_high"]) == pytest.approx(
        (round(expected.interval.low, 1), round(expected.interval.high, 1)))
    assert shown["gap_previous"] == earlier.title
    assert _row(gaps, earlier.code)["values"]["gap_change"] is None
    # Everyone's wellbeing rose (planted trend) while women's gap (none planted) stayed: the
    # group's own change is clear, its gap's change is not.
    assert _row(own, later.code)["values"]["clear"] is True
    assert shown["gap_clear"] is False
    assert any("is not a change of its gap" in note for note in gaps["footnotes"])


def test_the_gap_table_reaches_the_exports(two_waves, hr):
    _, later = two_waves
    query = "trend?measure=who5&level=disability&group=disabled"
    url = f"/results/{later.code}/{query}"
    _, gaps = hr.get(f"/api/waves/{later.code}/{query}").get_json()["tables"]
    exported = list(csv.DictReader(io.StringIO(hr.get(url + "&format=csv").text.lstrip("\ufeff"))))
    lines = [line for line in exported if line["table"] == gaps["title"]]
    assert [line["wave"] for line in lines] == [row["key"] for row in gaps["rows"]]
    for line, row in zip(lines, gaps["rows"], strict=True):
        gap = row["values"]["gap"]
        assert line["diff"] == ("" if gap is None else str(gap))
        assert (line["group_code"], line["breakdown"]) == ("disabled", "disability")
    assert "Change of the gap (points)" in hr.get(url).text


def test_no_gap_change_across_a_wave_that_hides_the_group(results_wave, make_wave, hr):
    first = results_wave(count=900, seed=5, code="autumn-2023", opens_on=date(2023, 10, 1))
    middle = make_wave(state="open", code="autumn-2024", opens_on=date(2024, 10, 1))
    rows = synthetic_rows(middle, 900, 1, 7)
    disabled = [answers for answers, _ in rows if answers.get("disability_impact") in (
        "a_lot", "a_little") and answers.get("disability_condition") == "yes"]
    for answers in disabled[3:]:
        answers["disability_condition"] = "no"
    import_responses(middle, rows)
    close_wave(middle)
    db.session.commit()
    last = results_wave(count=900, seed=6, code="autumn-2025", opens_on=date(2025, 10, 1))
    _, gaps = hr.get(TREND.format(code=last.code)).get_json()["tables"]
    assert _row(gaps, middle.code)["hidden"] is True
    assert all(value is None for value in _row(gaps, middle.code)["values"].values())
    shown = _row(gaps, last.code)["values"]
    assert shown["gap_previous"] == first.title
    series = trend(last, "who5", "disability", "disabled")
    assert series.points[1].gap is None and len(series.gap_changes) == 1


def test_several_groups_are_lines_on_one_chart_each_with_its_table(two_waves, hr):
    _, later = two_waves
    base = f"/results/{later.code}/trend?measure=who5&level=sex"
    page = hr.get(f"{base}&group=female&group=male")
    assert page.status_code == 200
    reader = page_tables(page.text)
    (figure,) = reader.figures
    lines = [trace for trace in figure["data"] if trace.get("mode") == "lines+markers"]
    api = hr.get(f"/api/waves/{later.code}/trend?measure=who5&level=sex&group=female"
                 "&group=male").get_json()["tables"]
    own = [table for table in api if "gap" not in table["title"]]
    assert [line["name"] for line in lines] == ["Female", "Male"]
    for line, table in zip(lines, own, strict=True):
        assert line["y"] == [row["values"]["estimate"] for row in table["rows"]]
    assert len(reader.tables) == 4  # each group's trend and gap tables
    assert 'name="group" value="female" checked' in page.text
    assert hr.get(f"{base}&group=female&group=nobody").status_code == 400


def test_the_overview_says_what_changed_where_the_change_is_clear(two_waves, hr):
    _, later = two_waves
    table = hr.get(f"/api/waves/{later.code}").get_json()["tables"][0]
    page = hr.get(f"/results/{later.code}")
    reader = page_tables(page.text)
    (figure,) = reader.figures
    (bars,) = [trace for trace in figure["data"] if trace["type"] == "bar"]
    shown = [row for row in table["rows"] if not row["hidden"]]
    assert bars["x"] == [row["values"]["estimate"] for row in shown]
    clear = [row for row in shown if row["values"]["clear"]]
    assert clear, "the planted rise in wellbeing is a clear change"
    for row in clear:
        v = row["values"]
        said = (f"{'Up' if v['change'] > 0 else 'Down'} {abs(v['change']):g} points since "
                f"{v['previous']} (95% CI {v['change_ci_low']:+g} to {v['change_ci_high']:+g})")
        assert f"<strong>{row['cells'][0]}</strong>: {said}." in page.text
        assert f"What changed: {said}" in " ".join(bars["y"])
    steady = [row for row in shown if row["values"]["clear"] is False]
    assert all(row["cells"][0] + "<br>" not in " ".join(bars["y"]) for row in steady)
    glossary = hr.get("/results/glossary").text
    assert "Clear change" in glossary and "q-value and false discovery rate" in glossary
    assert 'href="/results/glossary"' in page.text

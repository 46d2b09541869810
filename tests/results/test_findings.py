"""The planted differences of the synthetic force show up where a reader looks for them."""

from __future__ import annotations

from datetime import date

import pytest

from survey.extensions import db
from survey.models import Headcount
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.results.reading import page_tables
from tests.results_data import synthetic_rows


def rows_by_group(page: str, table: int = 0) -> dict[str, list[str]]:
    return {cells[0]: cells for cells in page_tables(page).tables[table]}


@pytest.fixture
def big_wave(results_wave):
    return results_wave(count=1500, seed=3)


def test_the_disability_gap_in_wellbeing_is_marked_significant(big_wave, hr):
    page = hr.get(f"/results/{big_wave.code}/breakdown?level=disability&measure=who5").text
    rows = rows_by_group(page)
    disabled = rows["Disabled"]
    # group, n, mean, CI, difference, CI of difference, q, result
    assert float(disabled[4]) < -5
    assert disabled[7] == "Significant"
    assert "too large to be chance" in page


def test_minority_officers_see_promotion_as_less_fair(big_wave, hr):
    url = (
        f"/api/waves/{big_wave.code}/breakdown?level=ethnic_minority"
        "&measure=promotion_fairness&reference=white"
    )
    (table,) = hr.get(url).get_json()["tables"]
    minority = next(row for row in table["rows"] if row["key"] == "minority")
    assert minority["values"]["gap_ref"] < 0
    assert minority["values"]["gap_ref_ci_high"] < 0
    assert minority["values"]["status_ref"] == "significant"


def test_part_time_staff_find_one_to_ones_less_regular(big_wave, hr):
    url = (
        f"/api/waves/{big_wave.code}/breakdown?level=working_pattern&measure=pdr_regular"
        "&reference=full_time"
    )
    (table,) = hr.get(url).get_json()["tables"]
    part_time = next(row for row in table["rows"] if row["key"] == "part_time")
    assert part_time["values"]["gap_ref"] < -15  # percentage points favourable
    assert part_time["values"]["rl_ref"] > 1.5  # full-time staff far more often favourable
    assert part_time["values"]["status_ref"] == "significant"


def test_wellbeing_rises_across_waves_and_the_change_is_clear(results_wave, hr):
    results_wave(count=700, seed=5, code="autumn-2023", opens_on=date(2023, 10, 1), wave_index=0)
    later = results_wave(
        count=700, seed=6, code="autumn-2025", opens_on=date(2025, 10, 1), wave_index=3
    )
    body = hr.get(f"/api/waves/{later.code}/trend?measure=who5").get_json()
    (table,) = body["tables"]
    first, last = table["rows"]
    assert (first["key"], last["key"]) == ("autumn-2023", "autumn-2025")
    assert last["values"]["change"] > 0 and last["values"]["change_ci_low"] > 0
    assert last["values"]["clear"] is True
    assert any("Minimum detectable change" in note for note in table["footnotes"])
    overview = hr.get(f"/api/waves/{later.code}").get_json()["tables"][0]
    who5 = next(row for row in overview["rows"] if row["key"] == "who5")
    assert who5["values"]["change"] == last["values"]["change"]
    assert who5["values"]["previous"] == "Test wave"


def test_a_group_trend_needs_the_breakdown_in_every_wave(results_wave, make_wave, hr):
    earlier = make_wave(
        state="open", code="no-breakdowns", opens_on=date(2023, 10, 1), breakdowns=[]
    )
    import_responses(earlier, synthetic_rows(earlier, 50, 0, 1))
    close_wave(earlier)
    db.session.commit()
    later = results_wave(count=200)
    refused = hr.get(f"/results/{later.code}/trend?measure=who5&level=sex&group=female")
    assert refused.status_code == 400
    assert "did not report this measure by this breakdown" in refused.text
    assert hr.get(f"/results/{later.code}/trend?measure=who5").status_code == 200


def test_pipeline_flags_adverse_impact_beside_perceptions(big_wave, pipeline_counts, hr):
    body = hr.get(f"/api/pipeline/{pipeline_counts}?breakdown=ethnic_minority").get_json()
    exam, board, perception = body["tables"]
    minority = next(row for row in exam["rows"] if row["key"] == "minority")
    assert minority["values"]["estimate"] == 40.0  # 24 of 60
    assert minority["values"]["air"] == pytest.approx(0.73)
    assert minority["values"]["flag"] is True
    assert minority["values"]["status"] == "significant"
    # At the board 6 not stated are hidden; the 24 minority candidates are not (no stage
    # total is published to subtract them from).
    hidden = {row["key"] for row in board["rows"] if row["hidden"]}
    assert hidden == {"not_stated"}
    board_minority = next(row for row in board["rows"] if row["key"] == "minority")
    assert board_minority["values"]["estimate"] == 37.5  # 9 of 24
    assert perception["title"].startswith("Promotion and selection fairness by")
    assert body["wave"]["code"] == big_wave.code
    page = hr.get(f"/results/pipeline/{pipeline_counts}?breakdown=ethnic_minority").text
    assert page.count("data-figure") == 2


def test_weighted_estimates_are_labelled_or_refused_with_the_reason(make_wave, hr):
    wave = make_wave(state="open", code="weights")
    rows = [({"sex": "female", **{f"who5_{i}": 4 for i in range(1, 6)}}, {}) for _ in range(30)]
    rows += [({"sex": "male", **{f"who5_{i}": 2 for i in range(1, 6)}}, {}) for _ in range(12)]
    # not stated must be published too, or the number weighted would reveal it
    rows += [({f"who5_{i}": 3 for i in range(1, 6)}, {}) for _ in range(10)]
    import_responses(wave, rows)
    db.session.add_all(
        [
            Headcount(wave_id=wave.id, unit="", breakdown="sex", group_code="female", count=400),
            Headcount(wave_id=wave.id, unit="", breakdown="sex", group_code="male", count=600),
        ]
    )
    close_wave(wave)
    db.session.commit()
    body = hr.get(f"/api/waves/{wave.code}/representation?breakdown=sex&measure=who5").get_json()
    represented, weighted = body["tables"]
    female = next(row for row in represented["rows"] if row["key"] == "female")
    assert female["values"]["rate"] == 7.5  # 30 of 400
    estimate = next(row for row in weighted["rows"] if row["key"] == "weighted")
    assert estimate["values"]["estimate"] == pytest.approx(0.4 * 80 + 0.6 * 40)
    assert estimate["cells"][0].startswith("Weighted to the workforce profile")
    assert any(
        note.startswith("Weighted to the workforce profile") for note in weighted["footnotes"]
    )
    hidden = make_wave(state="open", code="weights-hidden")
    import_responses(hidden, rows[:42])  # nobody "not stated": 0, so hidden with men
    db.session.add_all([
        Headcount(wave_id=hidden.id, unit="", breakdown="sex", group_code=g, count=n)
        for g, n in (("female", 400), ("male", 600))
    ])
    close_wave(hidden)
    db.session.commit()
    page = hr.get(f"/results/{hidden.code}/representation?breakdown=sex&measure=who5").text
    assert "No weighted estimate: Some sex groups are hidden for this measure" in page

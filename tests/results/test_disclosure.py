"""No output describes fewer than k: a group of three appears only under the one hidden
label, in every page, chart, API answer and export, and its figures appear nowhere."""

from __future__ import annotations

import re

import pytest

from analytics.disclosure import HIDDEN_LABEL
from survey.extensions import db
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.results.reading import csv_tables, page_tables, pdf_text, xlsx_rows
from tests.results_data import TINY

RELIGION = "breakdown?level=religion&measure=who5"
SIKH = "Sikh"


@pytest.fixture
def religion_outputs(results_wave, hr):
    wave = results_wave(count=500)
    page = f"/results/{wave.code}/{RELIGION}"
    return {
        "html": hr.get(page).text,
        "api": hr.get(f"/api/waves/{wave.code}/{RELIGION}").get_json(),
        "csv": hr.get(f"{page}&format=csv").data,
        "xlsx": hr.get(f"{page}&format=xlsx").data,
        "pdf": hr.get(f"{page}&format=pdf").data,
    }


def test_the_group_of_three_is_merged_never_shown_alone(religion_outputs):
    (table,) = religion_outputs["api"]["tables"]
    assert not [row for row in table["rows"] if row["key"] == "sikh"]
    (merged,) = [row for row in table["rows"] if SIKH in row["cells"][0]]
    assert merged["cells"][0].endswith("(merged)") and merged["values"]["n"] >= 10
    for row in table["rows"]:
        assert row["values"].get("n") is None or row["values"]["n"] >= 10
    (rows,) = page_tables(religion_outputs["html"]).tables
    assert not [cells for cells in rows if cells[0] == SIKH]


def test_the_group_of_three_is_in_no_chart_and_no_export_alone(religion_outputs):
    (figure,) = page_tables(religion_outputs["html"]).figures
    assert all(label != SIKH for label in figure["data"][0]["y"])
    lines = csv_tables(religion_outputs["csv"])
    assert lines[0][4] == "group" and not [line for line in lines if line[4] == SIKH]
    assert any(SIKH in line[4] and line[4].endswith("(merged)") for line in lines)
    sheet = xlsx_rows(religion_outputs["xlsx"])["Figures"]
    assert not [line for line in sheet if line[4] == SIKH]
    text = pdf_text(religion_outputs["pdf"])
    if text is not None:
        assert not [line for line in text.splitlines() if line.strip() == SIKH]


def test_hidden_groups_all_look_alike(make_wave, hr):
    """Too few (0..k-1) and hidden to protect another look the same: one label, no blanks,
    no zeros, in every cell of every hidden row. Three people not stating their sex cannot
    be merged with anyone, so they and the smaller sex are hidden."""
    wave = make_wave(state="open", code="alike")
    who5 = {f"who5_{i}": 3 for i in range(1, 6)}
    rows = [({"sex": "female", **who5}, {}) for _ in range(40)]
    rows += [({"sex": "male", **who5}, {}) for _ in range(30)] + [(dict(who5), {})] * 3
    import_responses(wave, rows)
    close_wave(wave)
    db.session.commit()
    body = hr.get(f"/api/waves/{wave.code}/breakdown?level=sex&measure=who5").get_json()
    (table,) = body["tables"]
    hidden = {row["key"] for row in table["rows"] if row["hidden"]}
    assert hidden == {"male", "not_stated"}
    cells = {c for row in table["rows"] if row["hidden"] for c in row["cells"][1:]}
    assert cells == {HIDDEN_LABEL}
    page = hr.get(f"/results/{wave.code}/breakdown?level=sex&measure=who5").text
    assert "Fewer than" not in page and ">0<" not in page and ">3<" not in page
    # In the chart, the hidden groups keep their places as labelled gaps, with no number.
    (figure,) = page_tables(page).figures
    bars, gaps = figure["data"]
    labels = [row["cells"][0] for row in table["rows"] if row["kind"] != "overall"]
    assert figure["layout"]["yaxis"]["categoryarray"] == labels
    assert bars["y"] == ["Female"] and gaps["y"] == ["Male", "Not stated"]
    assert gaps["text"] == [HIDDEN_LABEL] * 2 and gaps["mode"] == "text"


def test_a_measure_fewer_than_k_answered_is_hidden_for_the_whole_organisation(make_wave, hr):
    """Reporting returns a whole-organisation figure even when under k people answered that
    measure; the results never show it."""
    wave = make_wave(state="open", code="tiny-item")
    rows = [({"sex": "female"}, {}) for _ in range(20)] + [({"sex": "male"}, {}) for _ in range(20)]
    for answers, _ in rows[: TINY + 4]:
        answers["pdr_useful"] = 4
    import_responses(wave, rows)
    close_wave(wave)
    db.session.commit()
    body = hr.get(f"/api/waves/{wave.code}/breakdown?level=sex&measure=pdr_useful").get_json()
    (table,) = body["tables"]
    overall = table["rows"][0]
    assert overall["kind"] == "overall" and overall["hidden"]
    assert all(row["hidden"] for row in table["rows"])
    assert "7" not in {cell for row in table["rows"] for cell in row["cells"]}


def test_overview_and_trend_hide_a_wave_below_k(make_wave, hr):
    wave = make_wave(state="open", code="few")
    import_responses(
        wave,
        [({"who5_1": 3, "who5_2": 3, "who5_3": 3, "who5_4": 3, "who5_5": 3}, {}) for _ in range(6)],
    )
    close_wave(wave)
    db.session.commit()
    overview = hr.get(f"/api/waves/{wave.code}").get_json()
    assert all(row["hidden"] for row in overview["tables"][0]["rows"])
    trend = hr.get(f"/api/waves/{wave.code}/trend?measure=who5").get_json()
    assert all(row["hidden"] for row in trend["tables"][0]["rows"])
    page = hr.get(f"/results/{wave.code}/trend?measure=who5").text
    assert "data-figure" not in page
    assert not re.search(r">\s*6\s*<", page)


def test_comments_below_the_threshold_are_not_shown(make_wave, hr):
    wave = make_wave(state="open", code="quiet")
    import_responses(wave, [({}, {"comment_wellbeing": f"private words {i}"}) for i in range(14)])
    close_wave(wave)
    db.session.commit()
    page = hr.get(f"/results/{wave.code}/comments?question=comment_wellbeing").text
    assert "private words" not in page
    assert HIDDEN_LABEL in page
    data = hr.get(f"/results/{wave.code}/comments?question=comment_wellbeing&format=csv").data
    assert b"private words" not in data


def test_the_levels_of_one_breakdown_cannot_be_subtracted(results_wave, hr):
    from survey.instruments import Definition
    from survey.reporting.breakdowns import wave_recoding
    from survey.reporting.stats import read_tally
    from survey.services.instruments import unit_choices

    wave = results_wave(count=1500, seed=3)
    finest = read_tally(wave, ["ethnicity"])["ethnicity"]
    recoding = wave_recoding(wave, Definition(wave.instrument.definition), "ethnicity", finest,
                             dict(unit_choices()))
    fine_members, coarse_members = (recoding.groups[lv] for lv in ("ethnicity_19", "ethnicity_5"))

    def counts(level: str) -> dict[str, int | None]:
        url = f"/api/waves/{wave.code}/breakdown?level={level}&measure=who5"
        (table,) = hr.get(url).get_json()["tables"]
        return {row["key"]: row["values"].get("n") for row in table["rows"]}

    fine, coarse = counts("ethnicity_19"), counts("ethnicity_5")
    for group, n in coarse.items():
        parts = [f for f, ms in fine_members.items() if ms <= coarse_members.get(group, set())]
        if n is None or not parts:
            continue
        left = n - sum(fine[f] or 0 for f in parts)
        assert left == 0 or left >= wave.threshold, (group, n, left)

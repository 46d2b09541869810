"""No output describes fewer than k: a group of three appears only under the one hidden
label, in every page, chart, API answer and export, and its figures appear nowhere."""

from __future__ import annotations

import json
import re

import pytest

from analytics.disclosure import HIDDEN_LABEL
from survey.extensions import db
from survey.services.responses import import_responses
from survey.services.waves import close_wave
from tests.results.conftest import TINY
from tests.results.reading import csv_tables, page_tables, pdf_text, xlsx_rows

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


def test_the_group_of_three_shows_only_the_hidden_label(religion_outputs):
    (table,) = religion_outputs["api"]["tables"]
    (sikh,) = [row for row in table["rows"] if row["key"] == "sikh"]
    assert sikh["hidden"] and sikh["cells"] == [SIKH] + [HIDDEN_LABEL] * (len(sikh["cells"]) - 1)
    assert set(sikh["values"].values()) == {None}
    # Another group is hidden with it, so no hidden figure is the total minus the rest.
    assert sum(row["hidden"] for row in table["rows"]) >= 2
    for row in table["rows"]:
        assert row["values"].get("n") is None or row["values"]["n"] >= 10
    (rows,) = page_tables(religion_outputs["html"]).tables
    (shown,) = [cells for cells in rows if cells[0] == SIKH]
    assert set(shown[1:]) == {HIDDEN_LABEL}


def test_the_group_of_three_is_in_no_chart_and_no_export(religion_outputs):
    (figure,) = page_tables(religion_outputs["html"]).figures
    assert SIKH not in json.dumps(figure)
    lines = csv_tables(religion_outputs["csv"])
    (sikh,) = [line for line in lines if line and line[0] == SIKH]
    assert set(sikh[1:]) == {HIDDEN_LABEL}
    ((_, sheet),) = xlsx_rows(religion_outputs["xlsx"]).items()
    (sikh,) = [line for line in sheet if line[0] == SIKH]
    assert {cell for cell in sikh[1:] if cell is not None} == {HIDDEN_LABEL}
    text = pdf_text(religion_outputs["pdf"])
    if text is not None:
        (line,) = [line for line in text.splitlines() if line.strip().startswith(SIKH)]
        assert " ".join(line.split()) == f"{SIKH} {HIDDEN_LABEL}"


def test_hidden_groups_all_look_alike(religion_outputs):
    """Too few (0..k-1) and hidden to protect another look the same: one label, no blanks,
    no zeros, in every cell of every hidden row."""
    (table,) = religion_outputs["api"]["tables"]
    hidden = [row for row in table["rows"] if row["hidden"]]
    assert {cell for row in hidden for cell in row["cells"][1:]} == {HIDDEN_LABEL}
    page = religion_outputs["html"]
    assert "Fewer than" not in page and ">0<" not in page


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

    wave = results_wave(count=1500, seed=3)
    members = Definition(wave.instrument.definition).levels["ethnicity_5"][1]

    def counts(level: str) -> dict[str, int | None]:
        url = f"/api/waves/{wave.code}/breakdown?level={level}&measure=who5"
        (table,) = hr.get(url).get_json()["tables"]
        return {row["key"]: row["values"].get("n") for row in table["rows"]}

    fine, coarse = counts("ethnicity_19"), counts("ethnicity_5")
    for group, n in coarse.items():
        parts = [f for f, g in members.items() if g == group]
        if n is None or not parts:
            continue
        left = n - sum(fine[f] or 0 for f in parts)
        assert left == 0 or left >= wave.threshold, (group, n, left)

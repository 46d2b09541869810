"""The heatmap: each cell is the gaps page's difference from the rest with the same q and
verdict (one BH family per measure), hidden groups stay hidden, and the page, the chart,
the API, CSV and XLSX show the same figures."""

from __future__ import annotations

import pytest

from analytics.disclosure import HIDDEN_LABEL
from survey.models import Role
from tests.results.reading import csv_tables, page_tables, xlsx_rows
from tests.results_data import TINY_GROUP


@pytest.fixture
def wave(results_wave):
    return results_wave(count=900)


def heatmap_json(client, wave, level):
    response = client.get(f"/api/waves/{wave.code}/heatmap?level={level}")
    assert response.status_code == 200
    (table,) = response.get_json()["tables"]
    return table


def test_cells_are_the_gaps_pages_figures(hr, wave):
    table = heatmap_json(hr, wave, "ethnicity_5")
    rows = {row["key"]: row for row in table["rows"]}
    for measure in ("who5", "promo_decisions_fair", "cbi_work"):
        gaps = hr.get(f"/api/waves/{wave.code}/breakdown?level=ethnicity_5&measure={measure}")
        (page,) = gaps.get_json()["tables"]
        compared = [r for r in page["rows"] if r["kind"] == "group" and not r["hidden"]]
        assert len(compared) >= 2
        for group in compared:
            values = rows[measure]["values"]
            assert values[f"{group['key']}:gap"] == group["values"]["gap_rest"]
            assert values[f"{group['key']}:n"] == group["values"]["n"]
            assert values[f"{group['key']}:status"] == group["values"]["status_rest"]
            if isinstance(group["values"]["q_rest"], float) and group["values"]["q_rest"] >= 0.001:
                assert values[f"{group['key']}:q"] == pytest.approx(group["values"]["q_rest"],
                                                                   abs=5e-4)


@pytest.mark.parametrize("level", ["religion", "ethnicity_19", "unit", "rank"])
def test_no_cell_rests_on_fewer_than_k_and_hidden_cells_say_so(hr, wave, level):
    table = heatmap_json(hr, wave, level)
    keys = [c["key"] for c in table["columns"]]
    assert f"{TINY_GROUP}:gap" not in keys, "the tiny group is merged or hidden, never shown"
    for row in table["rows"]:
        for index, key in enumerate(keys):
            if not key.endswith(":n"):
                continue
            n = row["values"][key]
            assert n is None or n >= wave.threshold
            if n is None:
                assert row["cells"][index - 1] == row["cells"][index] == HIDDEN_LABEL
                assert row["values"][key.replace(":n", ":gap")] is None


def test_a_group_hidden_in_the_gaps_page_is_hidden_in_the_heatmap(hr, wave):
    found = []
    for level in ("rank", "staff_grade", "ethnicity_19", "unit"):
        table = heatmap_json(hr, wave, level)
        found += [(level, row["key"], key.removesuffix(":n")) for row in table["rows"]
                  for key, n in row["values"].items() if key.endswith(":n") and n is None]
    assert found, "per-measure protection hides some group of these levels"
    level, measure, group = found[0]
    gaps = hr.get(f"/api/waves/{wave.code}/breakdown?level={level}&measure={measure}")
    (page,) = gaps.get_json()["tables"]
    assert next(r for r in page["rows"] if r["key"] == group)["hidden"]


def test_shade_follows_size_and_direction(hr, wave):
    table = heatmap_json(hr, wave, "ethnicity_5")
    for row in table["rows"]:
        for column in table["columns"]:
            if not column["key"].endswith(":gap"):
                continue
            gap = row["values"][column["key"]]
            shade = row["values"][column["key"].replace(":gap", ":shade")]
            if gap is None:
                assert shade is None
                continue
            assert -3 <= shade <= 3
            if shade:
                worse = row["key"] in ("cbi_work", "anxiety")
                assert (shade > 0) == ((gap > 0) != worse), (row["key"], gap, shade)


def test_significant_cells_carry_the_mark(hr, wave):
    table = heatmap_json(hr, wave, "sex")
    keys = [c["key"] for c in table["columns"]]
    marked = 0
    for row in table["rows"]:
        for index, key in enumerate(keys):
            if key.endswith(":gap") and row["values"][key] is not None:
                significant = row["values"][key.replace(":gap", ":status")] == "significant"
                assert row["cells"][index].endswith(" *") == significant
                marked += significant
    assert marked >= 1, "the synthetic data plant gaps by sex"


def test_page_chart_csv_and_xlsx_agree(hr, wave):
    table = heatmap_json(hr, wave, "sex")
    base = f"/results/{wave.code}/heatmap?level=sex"
    page = page_tables(hr.get(base).text)
    (rows,) = page.tables
    assert rows == [row["cells"] for row in table["rows"]]
    (figure,) = page.figures
    (trace,) = figure["data"]
    shown = [row for row in table["rows"] if not row["hidden"]]
    groups = [c["key"].removesuffix(":gap") for c in table["columns"] if c["key"].endswith(":gap")]
    assert trace["z"] == [[row["values"][f"{g}:shade"] for g in groups] for row in shown]
    lines = csv_tables(hr.get(f"{base}&format=csv").data)
    assert lines[3 : 3 + len(table["rows"])] == [row["cells"] for row in table["rows"]]
    ((_, sheet),) = xlsx_rows(hr.get(f"{base}&format=xlsx").data).items()
    for offset, row in enumerate(table["rows"]):
        for key, value in zip([c["key"] for c in table["columns"]], sheet[4 + offset],
                              strict=False):
            if key.endswith((":gap", ":n")) and isinstance(value, int | float):
                assert value == row["values"][key]


def test_only_results_roles_read_it(clients, wave):
    url = f"/results/{wave.code}/heatmap?level=sex"
    assert clients[Role.ADMIN].get(url).status_code == 403
    assert clients[None].get(url).status_code == 302
    assert clients[Role.PAO].get(url).status_code == 200
    assert clients[Role.HR].get(f"/results/{wave.code}/heatmap?level=nonsense").status_code == 400

"""One Table, every output: the page, its chart, the JSON API, CSV, XLSX and PDF of a
breakdown show the same figures; exports and API answers are audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from analytics.disclosure import HIDDEN_LABEL
from survey.models import AuditEvent, Role
from survey.services.audit import EXPORT_TAKEN
from tests.results.reading import csv_tables, page_tables, pdf_text, xlsx_rows

BREAKDOWN = "breakdown?level=ethnicity_5&measure=promo_decisions_fair&reference=white"


@pytest.fixture
def outputs(results_wave, hr):
    wave = results_wave(count=900)
    page = f"/results/{wave.code}/{BREAKDOWN}"
    got = {
        "api": hr.get(f"/api/waves/{wave.code}/{BREAKDOWN}"),
        "html": hr.get(page),
        **{fmt: hr.get(f"{page}&format={fmt}") for fmt in ("csv", "xlsx", "pdf")},
    }
    assert {name: r.status_code for name, r in got.items()} == dict.fromkeys(got, 200)
    return got


def the_table(outputs) -> dict:
    (table,) = outputs["api"].get_json()["tables"]
    return table


def test_the_api_gives_text_and_numbers_that_agree(outputs):
    table = the_table(outputs)
    keys = [column["key"] for column in table["columns"]]
    assert keys[:4] == ["group", "n", "estimate", "ci"]
    assert "rl_ref" in keys, "a reference group and an item: relative likelihood shown"
    shown = [row for row in table["rows"] if not row["hidden"]]
    assert len(shown) >= 3
    for row in shown:
        cells, values = dict(zip(keys, row["cells"], strict=True)), row["values"]
        assert values["n"] == int(cells["n"].replace(",", ""))
        assert values["estimate"] == float(cells["estimate"])
        assert cells["ci"] == f"{values['ci_low']:.1f} to {values['ci_high']:.1f}"
        assert values["ci_low"] <= values["estimate"] <= values["ci_high"]
    for row in table["rows"]:
        if row["hidden"]:
            assert set(row["cells"][1:]) == {HIDDEN_LABEL}
            assert all(value is None for value in row["values"].values())


def test_the_page_shows_the_same_cells(outputs):
    table = the_table(outputs)
    (rows,) = page_tables(outputs["html"].text).tables
    assert rows == [row["cells"] for row in table["rows"]]


FIELDS = ["wave", "measure", "breakdown", "table", "group", "group_code", "kind", "n", "value",
          "ci_low", "ci_high", "diff", "diff_ci_low", "diff_ci_high", "p", "q", "status",
          "hidden"]


def api_figures(table: dict) -> list[list]:
    """What each row of the API's table says, in the export's columns from n on."""
    figures = []
    for row in table["rows"]:
        v = row["values"]
        figures.append([v.get("n"), v.get("estimate"), v.get("ci_low"), v.get("ci_high"),
                        v.get("gap_rest"), v.get("gap_rest_ci_low"), v.get("gap_rest_ci_high"),
                        v.get("p_rest"), v.get("q_rest"), v.get("status_rest"), row["hidden"]])
    return figures


def test_csv_has_one_row_per_figure_with_plain_numbers(outputs, results_wave):
    table = the_table(outputs)
    lines = csv_tables(outputs["csv"].data)
    assert lines[0] == FIELDS
    body = lines[1:]
    assert [line[5] for line in body] == [row["key"] for row in table["rows"]]
    assert {(line[1], line[2]) for line in body} == {("promo_decisions_fair", "ethnicity_5")}
    assert [line[4] for line in body] == [row["cells"][0] for row in table["rows"]]
    as_read = [[_number(field) for field in line[7:17]] + [line[17] == "true"] for line in body]
    assert as_read == api_figures(table)
    raw = outputs["csv"].data.decode("utf-8")
    quoted = re.findall(r'"([^"]*)"', raw)  # only text with a comma is quoted
    assert quoted and all("," in text and _number(text) == text for text in quoted)
    tested = [line for line in body if line[14]]
    assert tested and all(float(line[15]) >= float(line[14]) > 0 for line in tested)
    hidden = [line for line in body if line[17] == "true"]
    assert all(line[7:17] == [""] * 9 + [line[16]] for line in hidden)
    assert outputs["csv"].headers["Content-Disposition"].startswith("attachment;")


def test_xlsx_has_the_same_rows_as_real_numbers_and_the_footnotes(outputs):
    table = the_table(outputs)
    sheets = xlsx_rows(outputs["xlsx"].data)
    assert list(sheets) == ["Figures", "Notes"]
    figures = sheets["Figures"]
    assert list(figures[0]) == FIELDS
    as_read = [[*line[7:17], line[17]] for line in figures[1:]]
    assert as_read == api_figures(table)
    shown = [line for line in figures[1:] if not line[17]]
    assert shown and all(isinstance(line[9], int | float) and isinstance(line[10], int | float)
                         for line in shown)
    assert [line[0] for line in sheets["Notes"] if line[0]] == [table["title"],
                                                                 *table["footnotes"]]


def _number(field: str):
    if field == "":
        return None
    try:
        return int(field)
    except ValueError:
        try:
            return float(field)
        except ValueError:
            return field


def test_pdf_shows_every_row_and_the_footnotes(outputs):
    assert outputs["pdf"].data.startswith(b"%PDF-")
    text = pdf_text(outputs["pdf"].data)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: PDF text not checked")
    table = the_table(outputs)
    flat = " ".join(text.split())
    assert table["title"] in flat
    for row in table["rows"]:
        figures = [cell for cell in row["cells"][1:] if cell != HIDDEN_LABEL]
        if figures:  # a shown row: its figures in order on one line of the page
            pattern = r"\s+".join(re.escape(cell) for cell in figures)
            assert re.search(pattern, text), (row["key"], figures)
    hidden_rows = sum(1 for row in table["rows"] if row["hidden"])
    assert flat.count(HIDDEN_LABEL) >= hidden_rows
    for note in table["footnotes"]:
        assert note in flat


def test_the_chart_draws_the_tables_numbers(outputs):
    table = the_table(outputs)
    reader = page_tables(outputs["html"].text)
    (figure,) = reader.figures
    (bars,) = figure["data"]
    drawn = [r for r in table["rows"] if not r["hidden"] and r["kind"] != "overall"]
    assert bars["y"] == [r["cells"][0] for r in drawn]
    assert bars["x"] == [r["values"]["estimate"] for r in drawn]
    assert bars["customdata"] == [
        [r["values"]["ci_low"], r["values"]["ci_high"], r["values"]["n"]] for r in drawn
    ]
    for r, plus, minus, x in zip(
        drawn, bars["error_x"]["array"], bars["error_x"]["arrayminus"], bars["x"], strict=True
    ):
        assert x + plus == pytest.approx(r["values"]["ci_high"])
        assert x - minus == pytest.approx(r["values"]["ci_low"])
    assert reader.roles == ["img"]
    assert all(r["cells"][0] in reader.labels[0] for r in drawn)
    hidden = any(r["hidden"] for r in table["rows"])
    assert ("hidden to protect anonymity" in reader.labels[0]) == hidden


def test_every_export_and_api_answer_is_audited_without_figures(outputs, staff):
    events = select(AuditEvent).filter_by(action=EXPORT_TAKEN).order_by(AuditEvent.id)
    from survey.extensions import db

    logged = db.session.scalars(events).all()
    assert [e.detail["format"] for e in logged] == ["json", "csv", "xlsx", "pdf"]
    for event in logged:
        assert event.actor_email == staff[Role.HR].email
        assert event.detail["view"] == "breakdown"
        assert event.detail["wave"] == "autumn-2025"
        assert event.detail["level"] == "ethnicity_5"
        assert event.detail["reference"] == "white"
        assert set(event.detail) == {"format", "view", "wave", "level", "measure", "reference"}


def test_pages_themselves_are_not_audited(results_wave, hr):
    from survey.extensions import db

    wave = results_wave(count=200)
    assert hr.get(f"/results/{wave.code}/breakdown?level=sex&measure=who5").status_code == 200
    assert db.session.scalars(select(AuditEvent).filter_by(action=EXPORT_TAKEN)).all() == []

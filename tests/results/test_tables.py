"""The Table itself: rounding in one place, one hidden label, inert spreadsheet text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from analytics.disclosure import HIDDEN_LABEL
from analytics.gaps import GapStatus
from analytics.interval import Interval
from survey.results import tables as t
from survey.results.exports import inert, to_csv, to_xlsx
from survey.results.tables import Column, Report, Row


def test_a_shown_figure_and_its_machine_value_are_the_same_number():
    cell = t.number(41.649999, 1, "estimate")
    assert (cell.text, cell.number, cell.values) == ("41.6", 41.6, {"estimate": 41.6})
    assert t.number(-0.04, 1, "gap", signed=True).text == "0.0"  # never "-0.0"
    assert t.number(2.345, 1, "gap", signed=True).text == "+2.3"
    ci = t.interval(Interval(0.1234, 0.5678), 1, scale=100)
    assert (ci.text, ci.values) == ("12.3 to 56.8", {"ci_low": 12.3, "ci_high": 56.8})
    assert t.count(12345).text == "12,345"
    assert t.q_value(0.0004).text == "<0.001" and t.q_value(0.01234).text == "0.012"
    assert t.status(GapStatus.TOO_FEW_TO_TEST).text == "Too few to test"


def test_hidden_rows_carry_the_one_label_and_no_numbers():
    row = t.hidden_row("sikh", "Sikh", 5)
    assert [c.text for c in row.cells] == ["Sikh"] + [HIDDEN_LABEL] * 4
    assert all(c.number is None for c in row.cells)
    assert row.spans() == [(0, 1, row.cells[0]), (1, 4, row.cells[1])]
    shown = Row(
        "female",
        (t.text("Female"), t.count(40), t.number(50.0, 1, "estimate"), t.hidden(), t.hidden()),
    )
    table = t.table(
        "T",
        "S",
        [
            Column("group", "Group", False),
            Column("n", "n"),
            Column("estimate", "Mean"),
            Column("a", "A"),
            Column("b", "B"),
        ],
        [shown, row],
    )
    hidden = table.as_dict()["rows"][1]
    assert hidden["hidden"] is True
    assert hidden["values"] == {"n": None, "estimate": None}


def test_spreadsheets_never_run_what_someone_typed():
    assert inert('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert inert("@SUM(A1)") == "'@SUM(A1)"
    assert inert("-2+3+cmd|' /C calc'!A0").startswith("'")
    for figure in ("-12.3", "+4.5", "-3.2 to +1.0", "1,234"):
        assert inert(figure) == figure
    table = t.table(
        "Comments", "", [Column("comment", "Comment", False)], [Row("1", (t.text("=1+1"),))]
    )
    report = Report("Comments", "c", (table,))
    assert "'=1+1" in to_csv(report).decode("utf-8")
    sheet = load_workbook(io.BytesIO(to_xlsx(report))).worksheets[0]
    assert sheet.cell(5, 1).value == "=1+1"
    assert sheet.cell(5, 1).data_type == "s"


def test_titles_inside_sentences_keep_proper_nouns():
    assert t.lower_first("Disability (Equality Act 2010)") == "disability (Equality Act 2010)"
    assert t.lower_first("PDR and one-to-one quality") == "PDR and one-to-one quality"


def test_figure_rows_write_large_counts_plainly_and_hidden_rows_empty():
    from analytics.interval import Interval
    from survey.results import figure_rows
    from survey.results import tables as t
    from survey.results.tables import Column, Report, Row, Table

    columns = (Column("group", "Group", numeric=False), Column("n", "Respondents (n)"),
               Column("estimate", "Mean"), Column("ci", "95% CI"))
    rows = (Row("a", (t.text("Big group"), t.count(12345), t.number(61.25, 1, "estimate"),
                      t.interval(Interval(60.04, 62.46), 1))),
            t.hidden_row("b", "Small group", 4))
    report = Report("R", "r", (Table("T", "S", columns, rows),))
    about = {"wave": "w1", "measure": "who5", "breakdown": "sex"}
    lines = figure_rows.to_csv(report, about).decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[1] == "w1,who5,sex,T,Big group,a,group,12345,61.2,60.0,62.5,,,,,,,false"
    assert lines[2] == "w1,who5,sex,T,Small group,b,group,,,,,,,,,,,true"

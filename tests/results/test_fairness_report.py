"""The fairness report PDF: who may take it, that its figures are the API's and the
workbook's, and that it is tagged for assistive technology."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from pdfminer.high_level import extract_text
from sqlalchemy import select

from survey.models import AuditEvent, Role
from tests.results.pdf_check import structure

VIEWS = (("disability", "who5"), ("ethnic_minority", "promotion_fairness"),
         ("sex", "pdr_quality"))


@pytest.fixture
def report(demo, hr):
    response = hr.get(f"/results/{demo.code}/fairness-report")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    return response.data


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_only_results_readers_take_the_report_and_it_is_audited(demo, clients, report):
    assert clients[Role.ADMIN].get(f"/results/{demo.code}/fairness-report").status_code == 403
    assert clients[Role.PAO].get(f"/results/{demo.code}/fairness-report").status_code == 200
    events = [e.detail for e in select_events()]
    assert {"format": "pdf", "view": "fairness_report", "wave": demo.code} in events
    overview = clients[Role.HR].get(f"/results/{demo.code}").text
    assert "Fairness report (PDF)" in overview


def select_events():
    from survey.extensions import db

    return db.session.scalars(select(AuditEvent).filter_by(action="export_taken")).all()


def test_report_figures_equal_the_api_and_the_workbook(demo, hr, report):
    text = squash(extract_text(io.BytesIO(report)))
    for level, measure in VIEWS:
        query = f"level={level}&measure={measure}"
        api = hr.get(f"/api/waves/{demo.code}/breakdown?{query}").get_json()["tables"][0]
        start = text.index(api["title"] + " " + api["subtitle"])
        section = text[start:start + 2500]
        sheet = load_workbook(io.BytesIO(
            hr.get(f"/results/{demo.code}/breakdown?{query}&format=xlsx").data
        ))["Figures"]
        for row in api["rows"]:
            # Every figure of the row, as the API shows it, in the report's table...
            figures = [c for c in row["cells"][1:] if re.fullmatch(r"[-+\d.,<]+( to [-+\d.]+)?", c)]
            assert all(figure in section for figure in figures), (level, measure, row)
            # ...and the workbook holds the same numbers.
            if not row["hidden"] and row["values"]["estimate"] is not None:
                line = next(r for r in sheet.iter_rows(values_only=True) if r[5] == row["key"])
                assert (line[7], line[8]) == (row["values"]["n"], row["values"]["estimate"])
    assert "Page 3" in text and "Northshire Police" not in text[:0]


def test_report_summary_speaks_plainly_from_the_figures(demo, hr, report):
    text = squash(extract_text(io.BytesIO(report), page_numbers=[2]))
    api = hr.get(f"/api/waves/{demo.code}/breakdown?level=disability&measure=who5").get_json()
    disabled = next(r for r in api["tables"][0]["rows"] if r["key"] == "disabled")
    gap = disabled["values"]["gap_rest"]
    assert disabled["values"]["status_rest"] == "significant" and gap < 0
    assert f"Disabled: {abs(gap):.1f} points lower on WHO-5 Wellbeing Index" in text
    assert "What changed since the last wave" in text


def test_report_is_tagged_with_title_language_and_alt_text(report):
    elements, problems = structure(report)
    assert problems == []
    tags = [tag for tag, _ in elements]
    assert tags[0] == "Document" and tags[1] == "H1"
    assert tags.count("Table") >= 30 and tags.count("Figure") >= 30
    assert all(alt and "95% CI" in alt for tag, alt in elements if tag == "Figure")
    headings = [tag for tag in tags if tag in ("H1", "H2")]
    assert headings.count("H1") >= 8


def test_report_builds_each_protected_view_once_and_keeps_none(demo, app, monkeypatch):
    from datetime import date

    from survey.reporting import breakdowns, pipeline
    from survey.results.report_pack import fairness_pack

    families, rounds = [], []
    real_family, real_select = breakdowns._family_views, pipeline.select

    def family(wave, definition, tally, overall, codes, *rest):
        families.append((wave.code, tuple(codes), rest[1:]))
        return real_family(wave, definition, tally, overall, codes, *rest)

    def counts_query(*columns):  # the only query of pipeline.py: a round's counts
        rounds.append(columns)
        return real_select(*columns)

    monkeypatch.setattr(breakdowns, "_family_views", family)
    monkeypatch.setattr(pipeline, "select", counts_query)
    pack = fairness_pack(demo.code, "Demo Police", date(2026, 11, 27))
    assert any(s.title.startswith("Promotion pipeline") for s in pack.sections)
    assert any(s.title == "Representation" for s in pack.sections)
    assert len(families) == len(set(families)) > 1  # each wave and measure protected once
    assert len(rounds) == 1
    # The memo ends with the report: a view asked for afterwards is built afresh.
    families.clear()
    breakdowns.breakdown_view(demo, "sex", "who5")
    breakdowns.breakdown_view(demo, "sex", "who5")
    assert len(families) == 2

"""Headcount upload: per unit and per group, checked completely, all or nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import AuditEvent, Headcount
from survey.services.audit import HEADCOUNTS_LOADED
from survey.services.headcounts import parse_headcounts, replace_headcounts, unit_totals
from survey.services.imports import CsvRejected

GOOD = """unit,breakdown,group,headcount
,,,2000
north_lpa,,,600
north_response,,,250
north_response,sex,female,110
,sex,not_stated,40
,ethnicity,white,1700
,ethnicity,indian,60
,disability,disabled,150
"""


def rows_of(wave):
    return sorted(db.session.execute(select(
        Headcount.unit, Headcount.breakdown, Headcount.group_code, Headcount.count
    ).filter_by(wave_id=wave.id)).all())


def test_headcounts_per_unit_and_group_are_stored(make_wave):
    wave = make_wave(state="open")
    assert replace_headcounts(wave, GOOD.encode()) == 8
    db.session.commit()
    assert unit_totals(wave) == {"": 2000, "north_lpa": 600, "north_response": 250}
    assert ("north_response", "sex", "female", 110) in rows_of(wave)


def test_columns_may_come_in_any_order_and_case_and_with_a_bom(make_wave):
    wave = make_wave(state="open")
    text = "\ufeffHeadcount,Unit\n35,north_cid\n"
    assert replace_headcounts(wave, text.encode()) == 1
    assert rows_of(wave) == [("north_cid", "", "", 35)]


@pytest.mark.parametrize(("text", "problem"), [
    ("unit,headcount\nnowhere,5\n", "row 2, column A (unit): there is no unit 'nowhere'."),
    ("unit,headcount\nnorth_lpa,many\n", "row 2, column B (headcount): 'many' is not a whole"),
    ("unit,headcount\nnorth_lpa,-4\n", "row 2, column B (headcount): '-4' is not a whole"),
    ("unit,breakdown,group,headcount\n,shoe_size,9,5\n",
     "row 2, column B (breakdown): 'shoe_size' is not a breakdown"),
    ("unit,breakdown,group,headcount\n,sex,unknown,5\n",
     "row 2, column C (group): 'unknown' is not a group of sex"),
    ("unit,breakdown,group,headcount\n,,female,5\n", "row 2, column C (group): a group needs"),
    ("unit,headcount,team\nnorth_lpa,5,x\n", "row 1, column C (team): the columns are"),
    ("unit\nnorth_lpa\n", "row 1: there is no headcount column."),
    ("unit,headcount\nnorth_lpa,5\nnorth_lpa,6\n", "row 3: repeats the unit, breakdown and group"),
    ("unit,headcount\nnorth_lpa,5,7\n", "row 2: it has more cells"),
    ("unit,headcount\n", "no headcounts"),
    ("", "The file is empty"),
    ('unit,headcount\n"north_lpa,5\n', "not valid CSV"),
])
def test_problems_name_the_row_and_column(instrument, text, problem):
    with pytest.raises(CsvRejected) as refused:
        parse_headcounts(text.encode(), Definition(instrument.definition),
                         {"north_lpa", "north_cid"})
    assert any(problem in p for p in refused.value.problems), refused.value.problems


def test_a_file_that_is_not_utf8_is_refused(instrument):
    with pytest.raises(CsvRejected, match="not UTF-8"):
        parse_headcounts("unit,headcount\nn\xe9,5\n".encode("cp1252"),
                         Definition(instrument.definition), set())


def test_a_bad_upload_leaves_the_loaded_headcounts_alone(admin_client, form_token, make_wave):
    wave = make_wave(state="open")
    replace_headcounts(wave, GOOD.encode())
    db.session.commit()
    before = rows_of(wave)
    url = f"/admin/waves/{wave.id}/headcounts"
    bad = "unit,headcount\nnorth_lpa,700\nnowhere,3\n"
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url), "file": (io.BytesIO(bad.encode()), "h.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "row 3, column A (unit): there is no unit &#39;nowhere&#39;." in response.text
    db.session.expire_all()
    assert rows_of(wave) == before
    assert db.session.scalar(select(AuditEvent).filter_by(action=HEADCOUNTS_LOADED)) is None


def test_an_upload_replaces_the_wave_headcounts(admin_client, form_token, make_wave):
    wave, other = make_wave(state="open"), make_wave(state="open")
    replace_headcounts(wave, GOOD.encode())
    replace_headcounts(other, GOOD.encode())
    db.session.commit()
    url = f"/admin/waves/{wave.id}/headcounts"
    response = admin_client.post(url, data={
        "csrf_token": form_token(admin_client, url),
        "file": (io.BytesIO(b"unit,headcount\nsouth_lpa,480\n"), "h.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    assert rows_of(wave) == [("south_lpa", "", "", 480)]
    assert len(rows_of(other)) == 8, "other waves keep theirs"
    page = admin_client.get(url).text
    assert "south_lpa" in page and "480" in page
    assert db.session.scalar(select(AuditEvent.detail).filter_by(action=HEADCOUNTS_LOADED)) == {
        "wave": wave.code, "rows": 1}


def test_the_template_names_the_columns(admin_client):
    response = admin_client.get("/admin/headcounts/template.csv")
    assert response.text.strip() == "unit,breakdown,group,headcount"
    assert response.headers["Content-Disposition"].startswith("attachment")

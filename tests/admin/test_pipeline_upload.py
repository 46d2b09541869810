"""Promotion pipeline counts uploaded by an administrator: all or nothing, each problem by
row and column, audited; the page lists rounds, never counts."""

from __future__ import annotations

import io

from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import AuditEvent, PromotionCount
from survey.services.audit import PIPELINE_LOADED
from survey.services.pipeline import load_pipeline_csv

URL = "/admin/pipeline"
HEADER = "round,stage,stage_order,breakdown,group,entered,progressed\n"
GOOD = HEADER + """sgt-2026,Exam,1,ethnic_minority,white,400,220
sgt-2026,Exam,1,ethnic_minority,minority,60,24
sgt-2026,Board,2,ethnic_minority,white,220,110
sgt-2026,Board,2,ethnic_minority,minority,24,9
"""


def upload(client, form_token, instrument, text: str):
    return client.post(URL, data={
        "csrf_token": form_token(client, URL), "instrument": str(instrument.id),
        "file": (io.BytesIO(text.encode()), "pipeline.csv")},
        content_type="multipart/form-data")


def counts() -> list[tuple]:
    return sorted(db.session.execute(select(
        PromotionCount.round_code, PromotionCount.stage, PromotionCount.group_code,
        PromotionCount.entered, PromotionCount.progressed)).all())


def test_an_upload_stores_every_row_and_is_audited(admin_client, form_token, instrument):
    response = upload(admin_client, form_token, instrument, GOOD)
    assert response.status_code == 302
    db.session.expire_all()
    assert counts() == [
        ("sgt-2026", "Board", "minority", 24, 9), ("sgt-2026", "Board", "white", 220, 110),
        ("sgt-2026", "Exam", "minority", 60, 24), ("sgt-2026", "Exam", "white", 400, 220),
    ]
    event = db.session.scalar(select(AuditEvent).filter_by(action=PIPELINE_LOADED))
    assert event.detail == {"rows": 4, "file": "pipeline.csv"}
    page = admin_client.get(URL).text
    assert "sgt-2026" in page and "Loaded 4 pipeline counts" in page
    assert "220" not in page and "400" not in page  # rounds listed, counts never shown


def test_a_bad_file_changes_nothing_and_names_each_row_and_column(
    admin_client, form_token, instrument
):
    load_pipeline_csv(GOOD.encode(), Definition(instrument.definition))
    db.session.commit()
    before = counts()
    bad = HEADER + ("sgt-2026,Exam,1,ethnic_minority,white,400,220\n"
                    "sgt-2026,Exam,1,ethnic_minority,minority,60,61\n"
                    "sgt-2026,Board,two,shoe_size,9,20,5\n")
    response = upload(admin_client, form_token, instrument, bad)
    assert response.status_code == 422
    text = response.text
    assert "Nothing was changed" in text
    assert "row 3, column G (progressed): more progressed than entered." in text
    assert "row 4, column C (stage_order): &#39;two&#39; is not a whole number." in text
    assert "row 4, column D (breakdown): &#39;shoe_size&#39; is not a breakdown" in text
    db.session.expire_all()
    assert counts() == before
    assert db.session.scalar(select(AuditEvent).filter_by(action=PIPELINE_LOADED)) is None


def test_the_questionnaire_must_be_one_that_exists(admin_client, form_token, instrument):
    response = admin_client.post(URL, data={
        "csrf_token": form_token(admin_client, URL), "instrument": "999999",
        "file": (io.BytesIO(GOOD.encode()), "pipeline.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert counts() == []

"""Importing a past wave from CSV: values mapped onto the scales, errors by row and column,
all or nothing, stored exactly like live responses."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.instruments import Definition
from survey.instruments.scoring import group_response, score_response
from survey.models import (
    AuditEvent,
    Comment,
    InvitationCode,
    Response,
    Wave,
    WaveState,
)
from survey.services import DomainError
from survey.services.audit import WAVE_IMPORTED
from survey.services.imports import CsvRejected, import_past_wave, parse_past_responses
from survey.services.instruments import unit_choices
from tests.admin.test_csrf import snapshot

HEADER = (
    "who5_1,who5_2,who5_3,who5_4,who5_5,lm_notices_struggling,pdr_had,sex,unit,comment_wellbeing"
)
GOOD_ROWS = [
    "5,4,3,2,1,Agree,Yes,female,north_response,More time to rest",
    "all of the time,MOST OF THE TIME,3,2,1,dk,No,Male,North LPA: CID,",
    "0,0,0,0,0,Don\u2019t know / not applicable,1,prefer not to say,prefer_not,",
    "4.0,,,,,strongly disagree,,,,",
]


def past_file(rows: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def parse(instrument, data: bytes):
    return parse_past_responses(data, Definition(instrument.definition), unit_choices())


def test_values_are_mapped_onto_the_scales(instrument):
    parsed = parse(instrument, past_file([*GOOD_ROWS, ",,,,,,,,,"]))
    answers = [a for a, _ in parsed.rows]
    assert answers[0] == {"who5_1": 5, "who5_2": 4, "who5_3": 3, "who5_4": 2, "who5_5": 1,
                          "lm_notices_struggling": 4, "pdr_had": 1, "sex": "female",
                          "unit": "north_response"}
    assert answers[1]["who5_1"] == 5 and answers[1]["who5_2"] == 4
    assert answers[1]["lm_notices_struggling"] == "dk" and answers[1]["pdr_had"] == 0
    assert answers[1]["sex"] == "male" and answers[1]["unit"] == "north_cid"
    assert answers[2]["lm_notices_struggling"] == "dk", "curly apostrophes are read as straight"
    assert answers[2]["sex"] == "prefer_not" and answers[2]["unit"] == "prefer_not"
    assert answers[3] == {"who5_1": 4, "lm_notices_struggling": 1}, "blank cells: no answer"
    assert parsed.rows[0][1] == {"comment_wellbeing": "More time to rest"}
    assert parsed.rows[1][1] == {}
    assert parsed.blank_rows == 1


@pytest.mark.parametrize(("rows", "header", "problem"), [
    (["5,4,3,2,1,Agree,Yes,female,north_response,"],
     "respondent_id," + HEADER.split(",", 1)[1],
     "row 1, column A (respondent_id): this is not a question code"),
    (["9,4,3,2,1,Agree,Yes,female,north_response,"], HEADER,
     "row 2, column A (who5_1): '9' is not an answer to who5_1; use one of 5 (All of the time), 4"),
    ([*GOOD_ROWS[:2], "5,4,3,2,1,Agree,Yes,femal,north_response,"], HEADER,
     "row 4, column H (sex): 'femal' is not an answer"),
    (["5,4,3,2,1,Agree,Yes,female,atlantis,"], HEADER, "row 2, column I (unit): 'atlantis'"),
    (["5,4,3,2,1,Agree,Yes,female,north_response," + "x" * 1001], HEADER,
     "row 2, column J (comment_wellbeing): the comment is longer than 1000 characters."),
    (["5,4,3,2,1,Agree,Yes,female,north_response,,extra"], HEADER, "row 2: it has 11 cells"),
    ([], HEADER, "no responses"),
    (["5"], "who5_1,WHO5_1", "row 1, column B (who5_1): the column appears twice."),
])
def test_problems_name_the_row_and_column(instrument, rows, header, problem):
    with pytest.raises(CsvRejected) as refused:
        parse(instrument, past_file(rows, header))
    assert any(p.startswith(problem) or problem in p for p in refused.value.problems), \
        refused.value.problems


def test_every_problem_is_reported_not_just_the_first(instrument):
    rows = ["9,4,3,2,1,Agree,Yes,female,north_response,", "5,4,3,2,1,Agree,Perhaps,female,,"]
    with pytest.raises(CsvRejected) as refused:
        parse(instrument, past_file(rows))
    assert [p.split(":")[0] for p in refused.value.problems] == [
        "row 2, column A (who5_1)", "row 3, column G (pdr_had)"]


def test_a_file_that_is_not_utf8_is_refused_with_advice(instrument):
    with pytest.raises(CsvRejected, match="CSV UTF-8"):
        parse(instrument, "sex\nf\xe9male\n".encode("cp1252"))


def test_an_import_stores_responses_exactly_as_live_ones(make_wave):
    wave = make_wave(state="draft", code="2025-autumn")
    rows = [f"{n % 6},{(n * 7) % 6},3,2,1,Agree,Yes,female,north_response,comment {n}"
            for n in range(60)]
    result = import_past_wave(wave, past_file(rows))
    db.session.commit()
    assert result.responses == 60 and wave.state == WaveState.CLOSED
    definition = Definition(wave.instrument.definition)
    stored = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).all()
    assert len(stored) == 60
    for response in stored:
        assert response.scores == score_response(definition, response.answers)
        assert response.groups == group_response(definition, wave.breakdowns, response.answers)
        assert len(response.key) == 32
    assert "who5" in stored[0].scores
    # Shuffled: the stored order is not the order of the file.
    file_order = [(n % 6, (n * 7) % 6) for n in range(60)]
    assert [(r.answers["who5_1"], r.answers["who5_2"]) for r in stored] != file_order
    comments = db.session.scalars(select(Comment).filter_by(wave_id=wave.id)).all()
    assert len(comments) == 60 and {c.unit_top for c in comments} == {"north_lpa"}
    assert db.session.scalar(select(func.count()).select_from(InvitationCode)) == 0


def test_only_a_draft_wave_without_codes_takes_an_import(make_wave, issue):
    for wave in (make_wave(state="open"), make_wave(state="closed")):
        with pytest.raises(DomainError, match="only a draft wave"):
            import_past_wave(wave, past_file(GOOD_ROWS))
    live = make_wave(state="draft")
    issue(live, 2)
    with pytest.raises(DomainError, match="live wave"):
        import_past_wave(live, past_file(GOOD_ROWS))


def upload(client, token, url, data: bytes):
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(data), "past.csv")},
                       content_type="multipart/form-data")


def test_an_import_with_a_bad_row_leaves_the_database_unchanged(
    admin_client, form_token, make_wave
):
    wave = make_wave(state="draft", code="2024-autumn")
    url = f"/admin/waves/{wave.id}/import"
    rows = GOOD_ROWS * 10 + ["5,4,3,2,1,Agree,Yes,female,north_response,"] * 9
    rows.insert(25, "5,4,3,2,1,Agree,Yes,female,north_respons,")
    before = snapshot()
    response = upload(admin_client, form_token(admin_client, url), url, past_file(rows))
    assert response.status_code == 422
    assert "row 27, column I (unit): &#39;north_respons&#39; is not an answer" in response.text
    assert "Nothing was imported" in response.text
    assert snapshot() == before
    db.session.refresh(wave)
    assert wave.state == WaveState.DRAFT


def test_an_import_through_the_page_closes_the_wave_and_is_audited(
    admin_client, form_token, make_wave
):
    wave = make_wave(state="draft", code="2024-autumn")
    url = f"/admin/waves/{wave.id}/import"
    response = upload(admin_client, form_token(admin_client, url), url,
                      past_file([*GOOD_ROWS * 5, ",,,,,,,,,"]))
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).text
    assert "Imported 20 responses" in page and "1 empty rows were skipped" in page
    db.session.expire_all()
    assert db.session.get(Wave, wave.id).state == WaveState.CLOSED
    event = db.session.scalar(select(AuditEvent).filter_by(action=WAVE_IMPORTED))
    assert event.detail == {"wave": "2024-autumn", "responses": 20, "mapping": False}
    assert "rest" not in str(event.detail), "no respondent data in the audit log"
    # The import form is gone for a closed wave.
    assert 'type="file"' not in admin_client.get(url).text

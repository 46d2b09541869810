"""Submitting: one transaction spends the code and holds the answers; refusals store nothing."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import HeldResponse, InvitationCode, Response
from survey.services.codes import normalise_code
from survey.services.responses import (
    REFUSAL,
    CodeRefused,
    InvalidAnswers,
    submit_response,
    wave_for_code,
)


def stored_responses() -> int:
    held = db.session.scalar(select(func.count()).select_from(HeldResponse))
    return held + db.session.scalar(select(func.count()).select_from(Response))


def spent_codes() -> int:
    return db.session.scalar(select(func.count()).select_from(InvitationCode).filter_by(spent=True))


def submit(code: str, key: bytes, wave, answers=None, comments=None):
    return submit_response(normalise_code(code), key, wave.id, answers or {}, comments or {})


def test_submission_spends_the_code_and_holds_the_answers(make_wave, issue, code_key):
    wave = make_wave()
    code = issue(wave, 1)[0]
    submit(
        code, code_key, wave, {"who5_1": 3, "sex": "female"}, {"comment_wellbeing": "More staff"}
    )
    db.session.commit()
    held = db.session.scalars(select(HeldResponse)).one()
    assert held.answers == {"who5_1": 3, "sex": "female"}
    assert held.comments == {"comment_wellbeing": "More staff"}
    assert spent_codes() == 1


def test_a_spent_code_is_never_accepted_again(make_wave, issue, code_key):
    wave = make_wave()
    code = issue(wave, 1)[0]
    submit(code, code_key, wave)
    db.session.commit()
    with pytest.raises(CodeRefused):
        submit(code, code_key, wave)
    db.session.rollback()
    with pytest.raises(CodeRefused):
        wave_for_code(code, code_key)
    assert stored_responses() == 1


def test_unknown_other_wave_closed_and_malformed_codes_get_one_refusal(make_wave, issue, code_key):
    wave_a, wave_b = make_wave(), make_wave()
    code_a = issue(wave_a, 1)[0]
    closed = make_wave()
    closed_code = issue(closed, 1)[0]
    from survey.services.waves import close_wave

    close_wave(closed)
    db.session.commit()
    attempts = [
        lambda: submit("0000-0000-0000-0000-0000-0000-0000", code_key, wave_a),
        lambda: submit(code_a, code_key, wave_b),
        lambda: submit(closed_code, code_key, closed),
        lambda: wave_for_code("not a code", code_key),
        lambda: wave_for_code(closed_code, code_key),
    ]
    for attempt in attempts:
        with pytest.raises(CodeRefused) as refused:
            attempt()
        db.session.rollback()
        assert str(refused.value) == REFUSAL
    assert stored_responses() == 0


def test_invalid_answers_change_nothing(make_wave, issue, code_key):
    wave = make_wave()
    code = issue(wave, 1)[0]
    bad = [
        ({"no_such_item": 1}, {}),
        ({"who5_1": 9}, {}),
        ({"who5_1": "3"}, {}),
        ({"sex": "robot"}, {}),
        ({"unit": "atlantis"}, {}),
        ({}, {"comment_wellbeing": "x" * 5000}),
        ({}, {"who5_1": "text where a choice belongs"}),
    ]
    for answers, comments in bad:
        with pytest.raises(InvalidAnswers):
            submit(code, code_key, wave, answers, comments)
        db.session.rollback()
    assert stored_responses() == 0
    assert spent_codes() == 0


def test_fifty_concurrent_submissions_of_one_code_store_exactly_one(
    app, make_wave, issue, code_key
):
    wave = make_wave()
    code = issue(wave, 1)[0]
    wave_id = wave.id
    db.session.remove()
    start = threading.Barrier(50)
    outcomes: list[str] = []

    def attempt():
        with app.app_context():
            start.wait()
            try:
                submit_response(normalise_code(code), code_key, wave_id, {"who5_1": 2}, {})
                db.session.commit()
                outcomes.append("stored")
            except CodeRefused:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 49 + ["stored"]
    assert stored_responses() == 1
    assert spent_codes() == 1

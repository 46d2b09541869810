"""Storage of answers: scored and grouped at submission under random keys, comments apart
with only the top-level unit, published (tallied) only when the wave closes."""

from __future__ import annotations

from sqlalchemy import func, select, text

from survey.extensions import db
from survey.models import Comment, Response, Tally
from survey.services.codes import normalise_code
from survey.services.responses import submit_response
from survey.services.waves import close_wave


def count(model, **filters) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**filters))


def answer(wave, code, key, answers, comments=None):
    submit_response(normalise_code(code), key, wave.id, answers, comments or {})
    db.session.commit()


def marker(index: int) -> dict:
    """Answers that identify the arrival position of a response (for the test only)."""
    return {"ons4_satisfied": index // 11, "ons4_happy": index % 11}


def position(answers: dict) -> int:
    return answers["ons4_satisfied"] * 11 + answers["ons4_happy"]


def test_stored_rows_have_random_keys_scores_and_groups(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    codes = issue(wave, 2)
    answer(wave, codes[0], code_key, {f"who5_{i}": 4 for i in range(1, 6)} | {"sex": "male"})
    answer(wave, codes[1], code_key, {"who5_1": 1})
    stored = db.session.scalars(select(Response)).all()
    assert all(len(r.key) == 32 for r in stored) and stored[0].key != stored[1].key
    full = next(r for r in stored if r.answers.get("sex") == "male")
    assert full.scores["who5"] == 80.0 and full.groups["sex"] == "male"
    partial = next(r for r in stored if "sex" not in r.answers)
    assert "who5" not in partial.scores  # WHO-5 needs all five items
    assert partial.groups["sex"] == "not_stated"


def test_nothing_is_tallied_until_the_wave_closes(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    for index, code in enumerate(issue(wave, 12)):
        answer(wave, code, code_key, marker(index))
    assert count(Tally, wave_id=wave.id) == 0
    close_wave(wave)
    db.session.commit()
    respondents = db.session.scalar(
        select(Tally.n).filter_by(wave_id=wave.id, dimension="_all", measure="_respondents")
    )
    assert respondents == 12


def test_comments_are_stored_apart_with_only_the_top_level_unit(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    for code in issue(wave, 5):
        answer(
            wave,
            code,
            code_key,
            {"unit": "north_cid", "sex": "female"},
            {"comment_wellbeing": "Fewer night shifts"},
        )
    comments = db.session.scalars(select(Comment)).all()
    assert len(comments) == 5
    assert {c.unit_top for c in comments} == {"north_lpa"}
    response_keys = set(db.session.scalars(select(Response.key)))
    assert not response_keys & {c.key for c in comments}
    assert all("comment_wellbeing" not in r.answers for r in db.session.scalars(select(Response)))


def test_sqlite_overwrites_deleted_content(app, dialect):
    if dialect != "sqlite":
        return
    assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1

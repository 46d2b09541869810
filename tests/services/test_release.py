"""Release: held rows reach reporting only in shuffled batches of at least k, with no
trace of arrival order, and closing releases the rest and purges codes and held rows."""

from __future__ import annotations

from sqlalchemy import func, select, text

from survey.extensions import db
from survey.models import Comment, HeldResponse, InvitationCode, Response
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


def test_nothing_is_released_until_k_are_waiting(make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    codes = issue(wave, 10)
    for index, code in enumerate(codes[:9]):
        answer(wave, code, code_key, marker(index))
    assert (count(HeldResponse), count(Response)) == (9, 0)
    answer(wave, codes[9], code_key, marker(9))
    assert (count(HeldResponse), count(Response)) == (0, 10)


def test_released_rows_have_new_keys_and_scores(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    codes = issue(wave, 5)
    for code in codes[:4]:
        answer(wave, code, code_key, {f"who5_{i}": 4 for i in range(1, 6)} | {"sex": "male"})
    held_keys = set(db.session.scalars(select(HeldResponse.key)))
    answer(wave, codes[4], code_key, {"who5_1": 1})
    released = db.session.scalars(select(Response)).all()
    assert not held_keys & {r.key for r in released}
    full = [r for r in released if r.answers.get("sex") == "male"]
    assert all(r.scores["who5"] == 80.0 for r in full)
    assert all(r.groups["sex"] == "male" for r in full)
    partial = next(r for r in released if "sex" not in r.answers)
    assert "who5" not in partial.scores  # WHO-5 needs all five items
    assert partial.groups["sex"] == "not_stated"


def physical_order(dialect: str) -> list[int]:
    """Responses as the database stores them, without any ORDER BY."""
    if dialect == "postgresql":
        rows = db.session.execute(text("SELECT answers FROM response ORDER BY ctid"))
    else:
        rows = db.session.execute(text("SELECT answers FROM response"))
    import json

    return [position(a if isinstance(a, dict) else json.loads(a)) for (a,) in rows]


def test_reporting_rows_keep_no_arrival_order(make_wave, issue, code_key, dialect):
    wave = make_wave(threshold=40)
    codes = issue(wave, 40)
    for index, code in enumerate(codes):
        answer(wave, code, code_key, marker(index))
    order = physical_order(dialect)
    assert sorted(order) == list(range(40))
    # A random permutation of 40 equals arrival order (or its reverse) with probability 2/40!.
    assert order not in (list(range(40)), list(range(39, -1, -1)))


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


def test_closing_releases_the_remainder_and_purges_codes_and_held_rows(make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    codes = issue(wave, 20)
    for index, code in enumerate(codes[:13]):
        answer(wave, code, code_key, marker(index))
    assert count(HeldResponse, wave_id=wave.id) == 3
    released = close_wave(wave)
    db.session.commit()
    assert released == 3
    assert count(Response, wave_id=wave.id) == 13
    assert count(InvitationCode) == 0
    assert count(HeldResponse) == 0
    assert (wave.codes_issued, wave.codes_spent_at_close) == (20, 13)


def test_sqlite_overwrites_deleted_content(app, dialect):
    if dialect != "sqlite":
        return
    assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1

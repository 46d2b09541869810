"""Submitting and releasing responses: the anonymity core of the product.

submit_response spends the code and holds the answers in one transaction; nothing in
the held row points back to the code. release_held_responses moves held rows to the
reporting tables in shuffled batches of at least k, under new random keys, so reporting
rows keep no trace of the order (or transaction) in which people answered.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, insert, select, update

from survey.extensions import db
from survey.instruments import PREFER_NOT, Definition
from survey.instruments.scoring import group_response, score_response
from survey.models import (
    Comment,
    HeldResponse,
    InvitationCode,
    Response,
    Wave,
    WaveState,
    random_key,
)
from survey.services import DomainError
from survey.services.codes import hash_code, normalise_code
from survey.services.instruments import top_level_units, unit_choices
from survey.services.tally import record_release

REFUSAL = (
    "This code cannot be used. Check that you typed it as it appears in your invitation. "
    "Each code works once, and only while its survey is open."
)
_shuffle = secrets.SystemRandom().shuffle


class CodeRefused(DomainError):
    """Unknown, spent, other-wave or closed-wave code: one plain refusal for all of them."""

    def __init__(self):
        super().__init__(REFUSAL)


class InvalidAnswers(DomainError):
    """Answers that no form of this instrument could have produced."""


def wave_for_code(code_text: str, key: bytes) -> tuple[Wave, str]:
    """The open wave an unspent code belongs to, and the code's canonical form."""
    code = normalise_code(code_text)
    if code is None:
        raise CodeRefused
    wave = db.session.scalar(
        select(Wave)
        .join(InvitationCode, InvitationCode.wave_id == Wave.id)
        .where(InvitationCode.code_hash == hash_code(code, key))
        .where(InvitationCode.spent.is_(False), Wave.state == WaveState.OPEN)
    )
    if wave is None:
        raise CodeRefused
    return wave, code


def submit_response(code: str, key: bytes, wave_id: int, answers: dict, comments: dict) -> Wave:
    """Spend the code and hold the answers; release a batch if enough are waiting.

    The spend is a conditional update, so of any number of concurrent submissions of one
    code exactly one succeeds; the rest are refused and store nothing.
    """
    wave = db.session.get(Wave, wave_id)
    code = normalise_code(code)
    if wave is None or code is None:
        raise CodeRefused
    validate_answers(Definition(wave.instrument.definition), answers, comments, unit_choices())
    spent = db.session.execute(
        update(InvitationCode)
        .where(InvitationCode.code_hash == hash_code(code, key))
        .where(InvitationCode.wave_id == wave.id, InvitationCode.spent.is_(False))
        .where(InvitationCode.wave_id.in_(select(Wave.id).filter_by(state=WaveState.OPEN)))
        .values(spent=True)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise CodeRefused
    db.session.add(HeldResponse(wave_id=wave.id, answers=answers, comments=comments))
    db.session.flush()
    release_held_responses(wave, minimum=wave.threshold)
    return wave


def validate_answers(definition: Definition, answers: dict, comments: dict, units: list) -> None:
    _check_answers(definition, allowed_answers(definition, units), answers, comments)


def allowed_answers(definition: Definition, units: list) -> dict[str, list]:
    """Every question's possible answers, computed once for many responses."""
    return {
        code: [option.value for option in definition.options(item, units)]
        for code, item in definition.items.items()
        if item["type"] != "text"
    }


def _check_answers(definition: Definition, allowed: dict, answers: dict, comments: dict) -> None:
    problems = [_answer_problem(allowed, code, value) for code, value in answers.items()]
    problems += [_comment_problem(definition, code, text) for code, text in comments.items()]
    if problems := [p for p in problems if p]:
        raise InvalidAnswers("; ".join(problems))


def _answer_problem(allowed: dict, code: str, value) -> str | None:
    if code not in allowed:
        return f"{code!r} is not a question of this survey"
    if type(value) not in (int, str) or value not in allowed[code]:
        return f"{value!r} is not an answer to {code}"
    return None


def _comment_problem(definition: Definition, code: str, text) -> str | None:
    item = definition.items.get(code)
    if item is None or item["type"] != "text":
        return f"{code!r} is not a comment question of this survey"
    if not isinstance(text, str) or len(text) > item.get("max_length", 1000):
        return f"the answer to {code} is too long"
    return None


def import_responses(wave: Wave, rows: list[tuple[dict, dict]]) -> int:
    """Store (answers, comments) pairs from outside the live path, e.g. a past wave's
    import or demo data, exactly as live responses are released: checked, scored,
    grouped, shuffled and under fresh random keys."""
    definition = Definition(wave.instrument.definition)
    allowed = allowed_answers(definition, unit_choices())
    for number, (answers, comments) in enumerate(rows, start=1):
        try:
            _check_answers(definition, allowed, answers, comments)
        except InvalidAnswers as error:
            raise InvalidAnswers(f"response {number}: {error}") from error
    _store_released(wave, list(rows))
    return len(rows)


def release_held_responses(wave: Wave, minimum: int) -> int:
    """Move all held responses of a wave to reporting if at least `minimum` are waiting."""
    if _held_count(wave) < max(minimum, 1):
        return 0
    # Serialise releases of one wave, then count again: a concurrent release may have
    # taken the rows we counted, and a batch must never be smaller than `minimum`.
    db.session.execute(select(Wave.id).where(Wave.id == wave.id).with_for_update())
    if _held_count(wave) < max(minimum, 1):
        return 0
    held = db.session.execute(
        delete(HeldResponse)
        .where(HeldResponse.wave_id == wave.id)
        .returning(HeldResponse.answers, HeldResponse.comments)
        .execution_options(synchronize_session=False)
    ).all()
    _store_released(wave, held)
    return len(held)


def _held_count(wave: Wave) -> int:
    return db.session.scalar(
        select(func.count()).select_from(HeldResponse).filter_by(wave_id=wave.id)
    )


def _store_released(wave: Wave, held: list) -> None:
    definition = Definition(wave.instrument.definition)
    roots = top_level_units()
    responses = [
        {
            "key": random_key(),
            "wave_id": wave.id,
            "answers": answers,
            "scores": score_response(definition, answers),
            "groups": group_response(definition, wave.breakdowns, answers),
        }
        for answers, _ in held
    ]
    comments = [
        {
            "key": random_key(),
            "wave_id": wave.id,
            "question": question,
            "unit_top": roots.get(answers.get("unit"))
            if answers.get("unit") != PREFER_NOT
            else None,
            "text": text,
        }
        for answers, texts in held
        for question, text in texts.items()
        if text.strip()
    ]
    _shuffle(responses)
    _shuffle(comments)
    db.session.execute(insert(Response), responses)
    if comments:
        db.session.execute(insert(Comment), comments)
    record_release(wave, definition, responses)

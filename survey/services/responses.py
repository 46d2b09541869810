"""Submitting responses: the anonymity core of the product.

A submission stores the answers at once, under a random key and without the code, in a
transaction that touches no code; the code's spend waits in the pending store and reaches
the database later, in a shuffled batch of at least k (survey/pending.py). Nothing is
published from an open wave: the tally is built from the stored responses when it closes.
"""

from __future__ import annotations

import secrets

from sqlalchemy import exists, insert, select

from survey.extensions import db, spending
from survey.instruments import NOT_APPLICABLE, PREFER_NOT, Definition
from survey.instruments.scoring import group_response, score_response
from survey.models import Comment, InvitationCode, Response, Wave, WaveState, random_key
from survey.services import DomainError
from survey.services.codes import hash_code, normalise_code
from survey.services.instruments import (
    wave_definition,
    wave_top_level_units,
    wave_unit_choices,
)
from survey.services.spends import batch_size

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


def wave_for_code(code_text: str, key: bytes) -> Wave | None:
    """The open wave whose questions a code's holder is shown, telling nothing of the code.

    A well-formed code is never refused here: spent, unknown and valid codes alike start
    the survey, and only the submission says whether a code can be used. The code's own
    wave is chosen when it has one (spent or not); otherwise the first open wave.
    """
    code = normalise_code(code_text)
    if code is None:
        return None
    open_waves = select(Wave).filter_by(state=WaveState.OPEN).order_by(Wave.closes_on, Wave.id)
    own = db.session.scalar(
        open_waves.join(InvitationCode, InvitationCode.wave_id == Wave.id).where(
            InvitationCode.code_hash == hash_code(code, key)
        )
    )
    return own or db.session.scalar(open_waves)


def submit_response(code: str, key: bytes, wave_id: int, answers: dict, comments: dict) -> None:
    """Store a response for a usable code, and leave the code's spend pending.

    This commits, unlike other services: the answers must be committed before the claim on
    the code is confirmed, and the claim must be undone if they never are. Of any number
    of concurrent submissions of one code, exactly one claim succeeds.
    """
    code = normalise_code(code)
    if code is None:
        raise CodeRefused
    code_hash = hash_code(code, key)
    if not spending.store.claim(wave_id, code_hash):
        raise CodeRefused
    try:
        wave = _store_answers(wave_id, code_hash, answers, comments)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        spending.store.unclaim(wave_id, code_hash)
        raise
    pending = spending.store.confirm(wave_id, code_hash)
    spending.confirmed(wave_id, pending, batch_size(wave))


def _store_answers(wave_id: int, code_hash: bytes, answers: dict, comments: dict) -> Wave:
    wave = _lock_open_wave(wave_id)
    validate_answers(wave_definition(wave), answers, comments, wave_unit_choices(wave))
    usable = exists().where(
        InvitationCode.code_hash == code_hash,
        InvitationCode.wave_id == wave.id,
        InvitationCode.spent.is_(False),
    )
    if not db.session.scalar(select(usable)):
        raise CodeRefused
    _insert_responses(wave, [(answers, comments)])
    return wave


def _lock_open_wave(wave_id: int) -> Wave:
    """The wave, if open, share-locked so that closing waits for this submission to end.

    FOR KEY SHARE does not conflict with other submitters or with spend batches; only
    close_wave's FOR UPDATE waits for it (and it for close_wave, which then refuses it).
    """
    wave = db.session.scalar(
        select(Wave)
        .where(Wave.id == wave_id, Wave.state == WaveState.OPEN)
        .with_for_update(read=True, key_share=True)
    )
    if wave is None:
        raise CodeRefused
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


def importable_answers(definition: Definition, units: list) -> dict[str, list]:
    """What an import may store: every live answer, and "not applicable" where the
    questionnaire reports such a group (a past survey asked rank of police staff too)."""
    allowed = allowed_answers(definition, units)
    for code in definition.not_applicable_items:
        allowed[code] = [*allowed[code], NOT_APPLICABLE]
    return allowed


def import_responses(wave: Wave, rows: list[tuple[dict, dict]]) -> int:
    """Store (answers, comments) pairs from outside the live path, e.g. a past wave's
    import or demo data: checked, scored, grouped, shuffled and under random keys."""
    definition = wave_definition(wave)
    allowed = importable_answers(definition, wave_unit_choices(wave))
    for number, (answers, comments) in enumerate(rows, start=1):
        try:
            _check_answers(definition, allowed, answers, comments)
        except InvalidAnswers as error:
            raise InvalidAnswers(f"response {number}: {error}") from error
    _insert_responses(wave, list(rows))
    return len(rows)


def _insert_responses(wave: Wave, rows: list[tuple[dict, dict]]) -> None:
    definition = wave_definition(wave)
    roots = wave_top_level_units(wave)
    responses = [
        {
            "key": random_key(),
            "wave_id": wave.id,
            "answers": answers,
            "scores": score_response(definition, answers),
            "groups": group_response(definition, wave.breakdowns, answers),
        }
        for answers, _ in rows
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
        for answers, texts in rows
        for question, text in texts.items()
        if text.strip()
    ]
    _shuffle(responses)
    _shuffle(comments)
    db.session.execute(insert(Response), responses)
    if comments:
        db.session.execute(insert(Comment), comments)

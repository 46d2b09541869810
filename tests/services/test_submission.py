"""Submitting: answers are stored at once without their code; spends wait in the pending
store and reach the database only as whole batches of at least k, in transactions of their
own. A code is used once, whatever the concurrency; refusals store nothing."""

from __future__ import annotations

import re
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from survey.extensions import db, spending
from survey.models import InvitationCode, Response
from survey.services.codes import hash_code, normalise_code
from survey.services.responses import CodeRefused, InvalidAnswers, submit_response, wave_for_code
from survey.services.waves import close_wave

WRITES = re.compile(r"^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+\"?(\w+)", re.I)


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def submit(code: str, key: bytes, wave, answers=None, comments=None) -> None:
    submit_response(normalise_code(code), key, wave.id, answers or {}, comments or {})


@contextmanager
def transactions_written():
    """Record, for every transaction on the engine, the tables it writes to."""
    written: list[set[str]] = []
    current: dict[int, set[str]] = {}

    def on_begin(connection):
        current[id(connection)] = set()

    def on_execute(connection, cursor, statement, parameters, context, executemany):
        if match := WRITES.match(statement):
            current.setdefault(id(connection), set()).add(match.group(2).lower())

    def on_end(connection):
        if tables := current.pop(id(connection), set()):
            written.append(tables)

    engine = db.engine
    listeners = [("begin", on_begin), ("before_cursor_execute", on_execute),
                 ("commit", on_end), ("rollback", on_end)]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        yield written
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)


def test_answers_are_stored_at_once_and_the_spend_waits(make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    code = issue(wave, 1)[0]
    submit(code, code_key, wave, {"who5_1": 3, "sex": "female"}, {"comment_wellbeing": "More"})
    stored = db.session.scalars(select(Response)).one()
    assert stored.answers == {"who5_1": 3, "sex": "female"}
    assert count(InvitationCode, spent=True) == 0
    assert spending.store.pending(wave.id) == [hash_code(normalise_code(code), code_key)]


def test_spends_are_written_only_as_whole_batches_of_at_least_k(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    codes = issue(wave, 12)
    spent = []
    for code in codes:
        submit(code, code_key, wave)
        spent.append(count(InvitationCode, spent=True))
    assert spent == [0, 0, 0, 0, 5, 5, 5, 5, 5, 10, 10, 10]
    assert len(spending.store.pending(wave.id)) == 2
    assert count(Response) == 12


def test_no_transaction_writes_a_spend_beside_answers(make_wave, issue, code_key):
    """The property the storage engine needs: transaction ids, pages and WAL records can
    then never put a code's spend next to its answers."""
    wave = make_wave(threshold=5)
    codes = issue(wave, 12)
    with transactions_written() as written:
        for code in codes:
            submit(code, code_key, wave, {"who5_1": 1}, {"comment_wellbeing": "Text"})
        close_wave(wave)
        db.session.commit()
    answers = {"response", "comment", "tally"}
    answer_transactions = [tables for tables in written if tables & answers]
    spend_transactions = [tables for tables in written if "invitation_code" in tables]
    assert len(answer_transactions) >= 12
    assert len(spend_transactions) == 3  # two batches of five, and the purge at close
    for tables in written:
        assert not ("invitation_code" in tables and tables & {"response", "comment"}), tables


def test_close_discards_pending_spends_without_writing_them(make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    codes = issue(wave, 20)
    for code in codes[:13]:
        submit(code, code_key, wave)
    assert count(InvitationCode, spent=True) == 10
    assert close_wave(wave) == 13
    db.session.commit()
    assert spending.store.pending(wave.id) == []
    assert count(InvitationCode) == 0
    assert (wave.codes_issued, wave.codes_spent_at_close) == (20, 13)


def test_the_last_small_batch_is_never_marked_spent(app, make_wave, issue, code_key):
    wave = make_wave(threshold=10)
    codes = issue(wave, 13)
    statements: list[str] = []

    def record(connection, cursor, statement, *args):
        statements.append(statement)

    for code in codes[:10]:
        submit(code, code_key, wave)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for code in codes[10:]:
            submit(code, code_key, wave)
        close_wave(wave)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE INVITATION_CODE")]


def test_a_code_is_used_once_whether_its_spend_is_pending_or_written(make_wave, issue, code_key):
    wave = make_wave(threshold=5)
    codes = issue(wave, 5)
    submit(codes[0], code_key, wave)
    with pytest.raises(CodeRefused):
        submit(codes[0], code_key, wave)  # pending
    for code in codes[1:]:
        submit(code, code_key, wave)
    assert count(InvitationCode, spent=True) == 5
    for code in codes:
        with pytest.raises(CodeRefused):
            submit(code, code_key, wave)  # written
    assert count(Response) == 5


def test_refused_and_invalid_submissions_store_nothing_and_keep_the_code(
    make_wave, issue, code_key
):
    wave, other = make_wave(), make_wave()
    code = issue(wave, 1)[0]
    for answers, comments in [({"who5_1": 9}, {}), ({"no_such_item": 1}, {}),
                              ({}, {"comment_wellbeing": "x" * 5000})]:
        with pytest.raises(InvalidAnswers):
            submit(code, code_key, wave, answers, comments)
    with pytest.raises(CodeRefused):
        submit(code, code_key, other)  # another wave's code
    with pytest.raises(CodeRefused):
        submit("0000-0000-0000-0000-0000-0000-0000", code_key, wave)
    assert count(Response) == 0 and spending.store.pending(wave.id) == []
    submit(code, code_key, wave)  # the claim was undone each time: the code still works
    assert count(Response) == 1


def test_a_crash_can_cost_pending_spends_but_no_stored_answer(make_wave, issue, code_key):
    """What docs/anonymity.md states: losing the pending store (a restart of the single
    process, or of a non-persistent Redis) lets those codes be used once more."""
    wave = make_wave(threshold=10)
    codes = issue(wave, 3)
    for code in codes:
        submit(code, code_key, wave)
    spending.store.clear()  # the process (or Redis) restarts
    assert count(Response) == 3
    submit(codes[0], code_key, wave)
    assert count(Response) == 4


def test_any_well_formed_code_finds_a_wave_without_revealing_its_state(
    make_wave, issue, code_key
):
    first, second = make_wave(code="a"), make_wave(code="b")
    spent, fresh = issue(second, 2)
    submit(spent, code_key, second)
    assert wave_for_code(spent, code_key).id == second.id
    assert wave_for_code(fresh, code_key).id == second.id
    assert wave_for_code("0000-0000-0000-0000-0000-0000-0000", code_key).id == first.id
    assert wave_for_code("not a code", code_key) is None


def concurrently(app, count_: int, action) -> list[str]:
    start = threading.Barrier(count_)
    outcomes: list[str] = []

    def run(index: int):
        with app.app_context():
            start.wait()
            try:
                action(index)
                outcomes.append("stored")
            except CodeRefused:
                outcomes.append("refused")
            except Exception as error:
                outcomes.append(f"error: {error}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count_)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_fifty_concurrent_submissions_of_one_code_store_exactly_one(
    app, make_wave, issue, code_key
):
    wave = make_wave()
    code = issue(wave, 1)[0]
    wave_id = wave.id
    db.session.remove()

    def action(_):
        submit_response(normalise_code(code), code_key, wave_id, {"who5_1": 2}, {})

    outcomes = concurrently(app, 50, action)
    assert sorted(outcomes) == ["refused"] * 49 + ["stored"]
    assert count(Response) == 1
    assert len(spending.store.pending(wave_id)) == 1


def test_sixteen_concurrent_respondents_all_get_in_with_no_error(
    app, make_wave, issue, code_key, dialect
):
    """Against the old design PostgreSQL answered some of these with `deadlock detected`."""
    wave = make_wave(threshold=5)
    codes = issue(wave, 16)
    wave_id = wave.id
    db.session.remove()

    def action(index):
        submit_response(normalise_code(codes[index]), code_key, wave_id, {"who5_1": 2}, {})

    assert concurrently(app, 16, action) == ["stored"] * 16
    spent = count(InvitationCode, spent=True)
    assert count(Response) == 16
    # Every batch written holds at least k = 5 spends (a flush may take more than 5).
    assert spent + len(spending.store.pending(wave_id)) == 16 and spent in (0, *range(5, 17))


@pytest.fixture
def threaded_flush(app):
    app.config["SPEND_FLUSH"] = "thread"
    yield
    app.config["SPEND_FLUSH"] = "inline"


def test_the_background_flusher_writes_batches_off_the_request(
    threaded_flush, make_wave, issue, code_key
):
    wave = make_wave(threshold=5)
    codes = issue(wave, 5)
    for code in codes:
        submit(code, code_key, wave)
    deadline = time.monotonic() + 10
    while count(InvitationCode, spent=True) < 5 and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.05)
    assert count(InvitationCode, spent=True) == 5
    assert spending.store.pending(wave.id) == []

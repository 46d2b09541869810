"""Invitation codes and the wave life cycle."""

from __future__ import annotations

import csv
import math
from datetime import date

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import load_instrument_file
from survey.models import AuditEvent, InvitationCode, WaveState
from survey.services import DomainError
from survey.services.audit import CODES_ISSUED
from survey.services.codes import ALPHABET, SYMBOLS, hash_code, issue_codes, normalise_code
from survey.services.instruments import DEFAULT_INSTRUMENT
from survey.services.waves import WaveLocked, close_wave, create_wave, open_wave, update_wave
from tests.conftest import UNITS


def test_codes_carry_at_least_128_bits_and_read_aloud(make_wave, issue):
    codes = issue(make_wave(state="draft"), 200)
    assert SYMBOLS * math.log2(len(ALPHABET)) >= 128
    assert len(set(codes)) == 200
    for code in codes:
        groups = code.split("-")
        assert all(len(g) == 4 for g in groups) and len(groups) == SYMBOLS // 4
        assert set(code.replace("-", "")) <= set(ALPHABET)
        assert not set("ILOU") & set(code)


def test_typed_codes_forgive_case_spaces_and_look_alike_letters():
    assert normalise_code("abcd efgh-jkmn pqrs tvwx yz01 2345") == "ABCDEFGHJKMNPQRSTVWXYZ012345"
    assert normalise_code("ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234O") == "ABCDEFGHJKMNPQRSTVWXYZ012340"
    assert normalise_code("too short") is None
    assert normalise_code("UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU") is None


def test_only_a_keyed_hash_of_each_code_is_stored(make_wave, issue, code_key):
    wave = make_wave(state="draft")
    code = issue(wave, 1)[0]
    row = db.session.scalars(select(InvitationCode)).one()
    assert row.code_hash == hash_code(normalise_code(code), code_key)
    assert row.code_hash != hash_code(normalise_code(code), b"another key")
    assert normalise_code(code).encode() not in row.code_hash
    assert row.spent is False and wave.codes_issued == 1


def test_the_cli_writes_codes_with_fragment_links_once(app, make_wave, tmp_path):
    wave = make_wave(state="draft", code="spring")
    out = tmp_path / "codes.csv"
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["codes", "issue", "--wave", "spring", "--count", "3", "--out", str(out)]
    )
    assert refused.exit_code != 0 and "no workforce headcount" in refused.output
    assert not out.exists()
    result = runner.invoke(
        args=["codes", "issue", "--wave", "spring", "--count", "3", "--out", str(out),
              "--override"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert len(rows) == 3
    assert all(r["link"] == f"https://survey.test/take#{r['code']}" for r in rows)
    again = runner.invoke(
        args=["codes", "issue", "--wave", "spring", "--count", "3", "--out", str(out),
              "--override"]
    )
    assert again.exit_code != 0 and "never overwritten" in again.output
    db.session.refresh(wave)
    assert wave.codes_issued == 3
    event = db.session.scalars(select(AuditEvent).filter_by(action=CODES_ISSUED)).one()
    assert (event.actor_email, event.detail) == (
        "command line", {"wave": "spring", "count": 3, "after_opening": False, "override": True}
    )


def test_every_cli_action_is_audited_like_its_web_equivalent(app, tmp_path):
    definition = load_instrument_file(DEFAULT_INSTRUMENT)
    runner = app.test_cli_runner()
    commands = [
        ["units", "load", str(UNITS)],
        ["instruments", "load", str(DEFAULT_INSTRUMENT)],
        ["waves", "create", "cli-wave", "--title", "CLI", "--instrument",
         f"{definition['code']}:{definition['version']}", "--opens", "2026-01-05",
         "--closes", "2026-01-26"],
        ["waves", "open", "cli-wave"],
        ["codes", "issue", "--wave", "cli-wave", "--count", "2", "--override",
         "--out", str(tmp_path / "c.csv")],
        ["waves", "close", "cli-wave"],
    ]
    for args in commands:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.actor_email, e.action) for e in events] == [
        ("command line", action) for action in (
            "units_loaded", "instrument_loaded", "wave_created", "wave_opened",
            "codes_issued", "wave_closed")
    ]


def test_a_closed_wave_issues_no_codes(make_wave, code_key):
    wave = make_wave(state="closed")
    with pytest.raises(DomainError):
        issue_codes(wave, 1, code_key)


def test_threshold_defaults_to_10_and_is_never_below_5(instrument):
    wave = create_wave("w", "W", instrument, date(2026, 1, 1), date(2026, 2, 1))
    assert (wave.threshold, wave.comment_threshold) == (10, 15)
    with pytest.raises(DomainError, match="at least 5"):
        create_wave("low", "Low", instrument, date(2026, 1, 1), date(2026, 2, 1), threshold=4)


def test_opening_fixes_instrument_thresholds_and_breakdowns(make_wave):
    wave = make_wave(state="draft", threshold=10)
    update_wave(wave, threshold=12, breakdowns=["sex"])
    open_wave(wave)
    for change in (
        {"threshold": 20},
        {"breakdowns": ["sex", "rank"]},
        {"instrument_id": 99},
        {"comment_threshold": 30},
        {"intersections": []},
    ):
        with pytest.raises(WaveLocked, match="fixed when it opened"):
            update_wave(wave, **change)
    assert (wave.threshold, wave.breakdowns) == (12, ["sex"])
    update_wave(wave, title="Renamed is fine")


def test_states_only_move_forward(make_wave):
    wave = make_wave(state="draft")
    with pytest.raises(WaveLocked):
        close_wave(wave)
    open_wave(wave)
    with pytest.raises(WaveLocked):
        open_wave(wave)
    close_wave(wave)
    assert wave.state == WaveState.CLOSED
    with pytest.raises(WaveLocked):
        close_wave(wave)


def test_a_wave_names_only_breakdowns_its_instrument_has(make_wave):
    wave = make_wave(state="draft")
    with pytest.raises(DomainError, match="no breakdowns"):
        update_wave(wave, breakdowns=["shoe_size"])

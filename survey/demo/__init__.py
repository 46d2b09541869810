"""The demo force "Northshire Police", built with the ordinary services (`flask demo`).

One call loads the unit tree (units.yaml) and the default instrument, creates an
administrator, three closed past waves filled with synthetic answers (synthetic.py, which
documents the group differences planted in them) and one open wave with invitation codes
and a first few responses. Every wave has the headcounts HR would load (workforce.py: per
unit and per group, the respondents among them), and there is one promotion round
("Sergeant 2026", the four NPPF steps). It flushes; the command commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from survey.demo.synthetic import generate_responses
from survey.demo.workforce import load_headcounts, load_promotion_round, workforce
from survey.extensions import db
from survey.instruments import Definition, load_instrument_file
from survey.models import Instrument, Role, Wave
from survey.services import DomainError, NotFound
from survey.services.codes import issue_codes
from survey.services.instruments import (
    DEFAULT_INSTRUMENT,
    load_units,
    register_instrument,
    unit_choices,
)
from survey.services.responses import import_responses
from survey.services.users import create_user
from survey.services.waves import close_wave, create_wave, get_wave, open_wave

UNITS_FILE = Path(__file__).parent / "units.yaml"
FORCE = "Northshire Police"
ADMIN_EMAIL = "admin@northshire.police.test"
# Administrators read no results, so the demo also has the two results roles.
ACCOUNTS = (
    (ADMIN_EMAIL, Role.ADMIN, "administrator: questionnaires, waves, codes (no results)"),
    ("hr@northshire.police.test", Role.HR, "HR business partner: results"),
    ("pao@northshire.police.test", Role.PAO,
     "Positive Action Officer: results and the fairness report"),
)
OPEN_WAVE = "demo-open"
PAST_WAVES = 3
THRESHOLD = 10
OPEN_WAVE_CODES = 200
OPEN_WAVE_RESPONSES = 40
SEED = 20231002  # fixed, so every demo force holds the same synthetic answers
SEASONS = {12: "Winter", 1: "Winter", 2: "Winter", 3: "Spring", 4: "Spring", 5: "Spring",
           6: "Summer", 7: "Summer", 8: "Summer", 9: "Autumn", 10: "Autumn", 11: "Autumn"}


@dataclass(frozen=True)
class DemoWave:
    code: str
    title: str
    state: str
    opens_on: date
    closes_on: date
    responses: int


@dataclass
class DemoSummary:
    """What was built; `codes` are the open wave's invitation codes, shown only once."""

    codes: list[str]
    waves: list[DemoWave]
    base_url: str

    def describe(self, password: str, codes_file: str) -> str:
        lines = [
            f"Built the demo force {FORCE}.",
            "",
            "Staff accounts (sign in at /admin/):",
            *(f"  {email:<30} {role}" for email, _, role in ACCOUNTS),
            f"Password:      {password}",
            "  (the same for each demo account; shown only now: only a hash is stored)",
            "",
            "Waves:",
        ]
        lines += [_describe_wave(wave) for wave in self.waves]
        lines += [
            "",
            f"Invitation codes for {OPEN_WAVE}: {codes_file} ({len(self.codes)} codes, "
            "each works once; they are stored nowhere else).",
            f"To answer the survey, open {self.base_url}/take and type a code, "
            f"or open a link from {codes_file}.",
        ]
        return "\n".join(lines)


def _describe_wave(wave: DemoWave) -> str:
    when = f"{wave.opens_on:%d %b %Y} to {wave.closes_on:%d %b %Y}"
    counts = f"{wave.responses:>6,} responses"
    return f"  {wave.code:<10} {wave.title:<12} {wave.state:<6} {counts}  ({when})"


def build_demo(
    password: str, respondents: int, key: bytes, today: date, base_url: str | None = None
) -> DemoSummary | None:
    """Build the demo force, or return None if it is already built.

    `respondents` is the number of synthetic responses in each past wave; `key` hashes
    the open wave's invitation codes. Refuses a database that already has other waves.
    """
    if demo_exists():
        return None
    if respondents < THRESHOLD:
        raise DomainError(f"Give each past wave at least {THRESHOLD} respondents (its k).")
    if db.session.scalar(select(Wave.id).limit(1)):
        raise DomainError("The demo force needs a database without waves; this one has some.")
    load_units(UNITS_FILE)
    instrument = _default_instrument()
    for email, role, _ in ACCOUNTS:
        create_user(email, password, role)
    definition = Definition(instrument.definition)
    units = [code for code, _ in unit_choices()]
    years = range(today.year - PAST_WAVES, today.year)
    waves, people = [], []
    for index, year in enumerate(years):
        people = workforce(definition, units, respondents, SEED + index)
        waves.append(_past_wave(instrument, definition, units, (index, year), people[:respondents],
                                people))
    load_promotion_round(definition, people)
    size = max(len(people), OPEN_WAVE_CODES)  # a code for everyone, and at least so many
    wave, codes = _open_wave(instrument, definition, units, today, key, size)
    return DemoSummary(
        codes=codes,
        waves=[*waves, wave],
        base_url=base_url if base_url is not None else current_app.config["BASE_URL"],
    )


def demo_exists() -> bool:
    try:
        get_wave(OPEN_WAVE)
    except NotFound:
        return False
    return True


def _default_instrument() -> Instrument:
    """The default instrument, registered now unless this version is already loaded."""
    definition = load_instrument_file(DEFAULT_INSTRUMENT)
    loaded = db.session.scalar(
        select(Instrument).filter_by(code=definition["code"], version=definition["version"])
    )
    return loaded or register_instrument(definition)


def _past_wave(instrument, definition, units, when: tuple[int, int], respondents: list[dict],
               people: list[dict]) -> DemoWave:
    """A wave of an earlier autumn (its index and year), taken through draft -> open ->
    closed like a real one; `people` is its workforce, `respondents` those who answer."""
    index, year = when
    wave = create_wave(
        f"demo-{year}", f"Autumn {year}", instrument, date(year, 10, 1), date(year, 10, 29),
        threshold=THRESHOLD,
    )
    load_headcounts(wave, definition, people)
    open_wave(wave)
    rows = generate_responses(
        definition, units, len(respondents), wave_index=index, seed=SEED + index
    )
    count = import_responses(wave, rows)
    close_wave(wave)
    return _summary(wave, count)


def _open_wave(instrument, definition, units, today: date, key: bytes, size: int):
    title = f"{SEASONS[today.month]} {today.year}"
    wave = create_wave(
        OPEN_WAVE, title, instrument, today - timedelta(days=7), today + timedelta(days=21),
        threshold=THRESHOLD,
    )
    seed = SEED + PAST_WAVES
    load_headcounts(wave, definition, workforce(definition, units, OPEN_WAVE_RESPONSES, seed, size))
    open_wave(wave)
    codes = issue_codes(wave, OPEN_WAVE_CODES, key)
    rows = generate_responses(
        definition, units, OPEN_WAVE_RESPONSES, wave_index=PAST_WAVES, seed=seed
    )
    count = import_responses(wave, rows)
    return _summary(wave, count), codes


def _summary(wave: Wave, responses: int) -> DemoWave:
    return DemoWave(
        wave.code, wave.title, wave.state.value, wave.opens_on, wave.closes_on, responses
    )

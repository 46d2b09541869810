"""Fixtures for the results pages: headcounts and the demo force (the released wave and
promotion counts: tests/results_data.py; staff clients: tests/staff_accounts.py)."""

from __future__ import annotations

from datetime import date

import pytest

from survey.extensions import db
from survey.models import Headcount


@pytest.fixture
def sex_headcounts():
    def load(wave, female: int = 900, male: int = 1100):
        db.session.add_all(
            [
                Headcount(
                    wave_id=wave.id, unit="", breakdown="sex", group_code="female", count=female
                ),
                Headcount(wave_id=wave.id, unit="", breakdown="sex", group_code="male", count=male),
            ]
        )
        db.session.commit()

    return load


@pytest.fixture
def demo(app, code_key):
    """The demo force (400 respondents a wave, headcounts, a promotion round); its latest
    closed wave."""
    from sqlalchemy import select

    from survey.demo import build_demo
    from survey.models import Wave, WaveState

    build_demo("a long demo password", 400, code_key, today=date(2026, 11, 26))
    db.session.commit()
    waves = db.session.scalars(select(Wave).filter_by(state=WaveState.CLOSED)).all()
    return max(waves, key=lambda w: w.opens_on)

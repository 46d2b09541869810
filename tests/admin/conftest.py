"""Fixtures for the staff side (accounts, sign-in and browsers: tests/staff_accounts.py)."""

from __future__ import annotations

import pytest

from survey.extensions import db


@pytest.fixture
def commit():
    def run():
        db.session.commit()

    return run

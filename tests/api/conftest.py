"""Fixtures for the API for reporting tools: a closed wave and a token per role."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Role
from survey.services.tokens import create_token
from tests.results import conftest as results_side

results_wave = results_side.results_wave
new_client = results_side.new_client
login = results_side.login
password_hash = results_side.password_hash
staff = results_side.staff
clients = results_side.clients
hr = results_side.hr
_fresh_throttle = results_side._fresh_throttle


@pytest.fixture
def tokens(staff):
    """A live token per role (the token text, as shown once)."""
    made = {}
    for role in (Role.ADMIN, Role.HR, Role.PAO):
        _, made[role] = create_token(staff[role], f"{role.value} tool", 30)
    db.session.commit()
    return made


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}

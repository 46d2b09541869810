"""Fixtures for the API for reporting tools: a token per role."""

from __future__ import annotations

import pytest

from survey.extensions import db
from survey.models import Role
from survey.services.tokens import create_token


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

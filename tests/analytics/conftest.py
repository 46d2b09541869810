"""Analytics tests need no app and no database."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _empty_database() -> None:
    """Overrides the suite-wide database reset: nothing here touches a database."""

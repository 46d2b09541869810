"""Walking a codes list is slow and visible: every refusal takes the same minimum time,
whatever its reason, and refusals are throttled per client, by a keyed hash of its
address, with a warning in the log that names no address."""

from __future__ import annotations

import logging

import pytest

from survey.extensions import db
from survey.respond import views
from survey.services.codes import new_code
from survey.services.waves import close_wave
from tests.conftest import csrf_token
from tests.respond.conftest import Journey, hidden_state

ADDRESS = "198.51.100.23"


@pytest.fixture
def refusal_floor(app, monkeypatch):
    """A refusal floor of 0.4 s, with the sleeps recorded instead of slept."""
    slept: list[float] = []
    app.config["RESPONSE_REFUSAL_SECONDS"] = 0.4
    monkeypatch.setattr(views.time, "sleep", slept.append)
    yield slept
    app.config["RESPONSE_REFUSAL_SECONDS"] = 0.0


def submission_from(client, code: str, address: str = ADDRESS):
    """Start with `code`, go to the review page and submit from `address`."""
    journey = Journey(client)
    journey.start(code)
    journey.post("review")
    form = {"csrf_token": csrf_token(journey.page), "state": hidden_state(journey.page)}
    return client.post("/survey/submit", data=form, environ_base={"REMOTE_ADDR": address})


def test_every_refusal_waits_out_the_same_floor(client, make_wave, issue, refusal_floor):
    wave = make_wave()
    spent, closing = issue(wave, 2)
    assert Journey(client).answer(spent).status_code == 303
    assert submission_from(client, new_code()).status_code == 403  # unknown
    assert submission_from(client, spent).status_code == 403  # spent
    journey = Journey(client)
    journey.start(closing)
    journey.post("review")
    close_wave(wave)
    db.session.commit()
    assert journey.submit().status_code == 403  # closed meanwhile
    assert len(refusal_floor) == 3
    assert all(0.25 < seconds <= 0.4 for seconds in refusal_floor), refusal_floor


def test_refusals_are_throttled_per_client_and_logged_without_the_address(
    client, make_wave, issue, caplog
):
    wave = make_wave()
    caplog.set_level(logging.INFO)
    statuses = [submission_from(client, new_code()).status_code for _ in range(11)]
    assert statuses == [403] * 10 + [429]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("refused invitation codes" in r.getMessage() for r in warnings)
    assert not any(ADDRESS in r.getMessage() for r in caplog.records)
    # Another client is not held back, and a good code from it still goes in.
    assert submission_from(client, issue(wave)[0], "203.0.113.9").status_code == 303


def test_successful_submissions_from_one_address_are_never_throttled(client, make_wave, issue):
    """A police station behind one NAT address: only refusals count."""
    wave = make_wave()
    for code in issue(wave, 15):
        assert submission_from(client, code).status_code == 303

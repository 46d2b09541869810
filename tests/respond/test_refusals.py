"""No participation oracle: before answering, nothing tells a spent code from an unknown
one (every well-formed code starts the same survey); at submission every kind of bad code
gets one and the same plain refusal. A refusal changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from survey.extensions import db
from survey.instruments import Definition
from survey.models import WaveState
from survey.respond.state import Progress, dump_progress
from survey.respond.views import NOT_A_CODE
from survey.services.codes import new_code, normalise_code
from survey.services.responses import REFUSAL
from survey.services.waves import close_wave
from tests.conftest import TEST_SECRET, csrf_token
from tests.respond.conftest import Journey, hidden_state


def comparable(page: str) -> str:
    """The page without its CSRF token, its encrypted state and the code typed."""
    page = re.sub(r'(name="csrf_token" type="hidden" value=")[^"]*"', r'\1"', page)
    page = re.sub(r'(name="state" type="hidden" value=")[^"]*"', r'\1"', page)
    return re.sub(r'(id="code" name="code"[^>]*value=")[^"]*"', r'\1"', page)


def close_without_purge(wave) -> None:
    """A wave closing while someone is mid-way: the state flips before anything else."""
    wave.state = WaveState.CLOSED
    db.session.commit()


@pytest.fixture
def entry_codes(client, make_wave, issue):
    """Well-formed codes of every kind a codes-list holder might try before answering."""
    wave = make_wave()
    spent, unspent = issue(wave, 2)
    assert Journey(client).answer(spent).status_code == 303

    purged = make_wave(closes_on=wave.closes_on + timedelta(days=1))
    purged_code = issue(purged)[0]
    close_wave(purged)
    db.session.commit()
    closing = make_wave(closes_on=wave.closes_on + timedelta(days=1))
    closing_code = issue(closing)[0]
    close_without_purge(closing)
    draft = make_wave(state="draft")
    return {
        "unspent": unspent,
        "unknown": new_code(),
        "spent": spent,
        "spent, typed differently": spent.lower().replace("-", " "),
        "closed wave": purged_code,
        "closed wave, codes not yet purged": closing_code,
        "draft wave": issue(draft)[0],
    }


def test_no_well_formed_code_is_told_apart_before_answering(client, entry_codes, counts):
    before = counts()
    pages = {}
    for kind, code in entry_codes.items():
        journey = Journey(client)
        response = journey.start(code)
        assert response.status_code == 200, kind
        pages[kind] = comparable(journey.page)
    first = pages["unspent"]
    assert "Step 1 of" in first
    for kind, page in pages.items():
        assert page == first, f"the start for a {kind} code differs from an unspent one"
    assert counts() == before


@pytest.mark.parametrize(
    "typed",
    ["ABCD-EFGH", "A" * 200, "UUUU-UUUU-UUUU-UUUU-UUUU-UUUU-UUUU", "ÄÖÜ\u2028" * 7, "' OR 1=1 --"],
)
def test_text_that_cannot_be_a_code_is_pointed_out_at_entry(client, make_wave, counts, typed):
    make_wave()
    before = counts()
    journey = Journey(client)
    assert journey.start(typed).status_code == 400
    assert NOT_A_CODE.replace("'", "&#39;") in journey.page
    assert counts() == before


@pytest.fixture
def open_waves_with_codes(make_wave, issue):
    a, b = make_wave(code="wave-a"), make_wave(code="wave-b")
    return a, issue(a)[0], b, issue(b)[0]


def review_page(instrument) -> int:
    return len(Definition(instrument.definition).sections)


def crafted_submit(client, progress: Progress):
    """Submit a state signed with the real key: only the code and wave are wrong."""
    csrf = csrf_token(client.get("/take").get_data(as_text=True))
    state = dump_progress(progress, TEST_SECRET)
    return client.post("/survey/submit", data={"csrf_token": csrf, "state": state})


def test_every_bad_code_gets_the_same_refusal_at_submit(
    client, open_waves_with_codes, make_wave, issue, instrument, counts
):
    wave_a, code_a, wave_b, _ = open_waves_with_codes
    review = review_page(instrument)

    def state(code: str, wave_id: int) -> Progress:
        return Progress(code=code, wave=wave_id, page=review, answers={"who5_1": 3})

    replayed = Journey(client)
    replayed.start(code_a)
    replayed.post("review")
    replay_page = replayed.page
    assert replayed.submit().status_code == 303  # code_a is now spent
    client.delete_cookie("answered", path="/survey")  # replayed from another browser
    before = counts()

    fresh_a = issue(wave_a)[0]
    closing = make_wave()
    closing_code = issue(closing)[0]
    close_without_purge(closing)
    draft = make_wave(state="draft")
    draft_code = issue(draft)[0]
    attempts = {
        "spent (replayed)": lambda: client.post(
            "/survey/submit",
            data={"csrf_token": csrf_token(replay_page), "state": hidden_state(replay_page)},
        ),
        "unknown": lambda: crafted_submit(client, state(normalise_code(new_code()), wave_a.id)),
        "other wave": lambda: crafted_submit(client, state(normalise_code(fresh_a), wave_b.id)),
        "closed wave": lambda: crafted_submit(
            client, state(normalise_code(closing_code), closing.id)
        ),
        "draft wave": lambda: crafted_submit(client, state(normalise_code(draft_code), draft.id)),
        "no such wave": lambda: crafted_submit(client, state(normalise_code(fresh_a), 999_999)),
        "malformed": lambda: crafted_submit(client, state("not a code", wave_a.id)),
        "malformed, not ascii": lambda: crafted_submit(client, state("ÄÖÜ" * 10, wave_a.id)),
    }
    pages = {}
    for kind, attempt in attempts.items():
        response = attempt()
        assert response.status_code == 403, kind
        pages[kind] = response.get_data(as_text=True)
    first = next(iter(pages.values()))
    assert REFUSAL.replace("'", "&#39;") in first
    for kind, page in pages.items():
        assert page == first, f"the refusal of a {kind} code differs"
    after = counts()
    assert after == {**before, "codes": before["codes"] + 3}
    # The other-wave attempt did not spend wave A's fresh code: it still works there.
    assert Journey(client).start(fresh_a).status_code == 200


def test_a_wave_closed_mid_survey_refuses_the_same_way_at_submit(
    journey, client, make_wave, issue, counts
):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("review", {"who5_1": "4"})
    review = journey.page
    close_wave(wave)
    db.session.commit()
    before = counts()
    response = journey.submit()
    assert response.status_code == 403
    unknown = crafted_submit(
        client, Progress(code=normalise_code(new_code()), wave=make_wave().id, page=9)
    )
    assert response.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert counts() == before
    # Moving between pages of a closed survey is refused the same way.
    moved = journey.post("section-0", from_page=review)
    assert moved.status_code == 403
    assert moved.get_data(as_text=True) == unknown.get_data(as_text=True)


def test_the_refusal_says_what_to_do_in_plain_words(client, make_wave):
    make_wave()
    journey = Journey(client)
    journey.start(new_code())
    journey.post("review")
    journey.submit()
    text = journey.page.replace("&#39;", "'")
    assert "Check that you typed it as it appears in your invitation." in text
    assert "Each code works once, and only while its survey is open." in text

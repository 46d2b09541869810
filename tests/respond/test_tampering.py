"""Edited requests get a clear 4xx and change nothing: no stored response, no pending
comment, no spent code. After each one, the person's real answers still go through."""

from __future__ import annotations

import time

import pytest
from itsdangerous import URLSafeTimedSerializer

from survey.respond.state import Progress, StateInvalid, dump_progress, load_progress
from tests.conftest import TEST_SECRET, csrf_token
from tests.respond.conftest import hidden_state, section_index

UNCHANGED = {"pending_spends": 0, "response": 0, "comment": 0, "spent_codes": 0, "codes": 1}


@pytest.fixture
def on_first_section(journey, make_wave, issue):
    """A person who has entered their code and sees the first section."""
    wave = make_wave()
    code = issue(wave)[0]
    assert journey.start(code).status_code == 200
    journey.wave, journey.code = wave, code
    return journey


@pytest.fixture
def on_review(on_first_section):
    on_first_section.post("review", {"who5_1": "2"})
    assert "Check your answers" in on_first_section.page
    return on_first_section


def still_submits(journey, page: str) -> None:
    """The refused request changed nothing: the same page's real form still submits."""
    data = {"csrf_token": csrf_token(page), "state": hidden_state(page)}
    if "Check your answers" not in page:
        data["nav"] = "review"
        page = journey.post_form("/survey", data).get_data(as_text=True)
        data = {"csrf_token": csrf_token(page), "state": hidden_state(page)}
    assert journey.post_form("/survey/submit", data).status_code == 303


@pytest.mark.parametrize(
    "answers",
    [
        {"salary": "high"},  # no such question
        {"sex": "female"},  # a question, but of another section
        {"who5_1": "3", "who5_1_extra": "3"},
        {"state2": "x"},
    ],
    ids=["unknown", "other-section", "suffixed", "control-like"],
)
def test_unknown_item_names_are_refused(on_first_section, counts, answers):
    page = on_first_section.page
    response = on_first_section.post("next", answers)
    assert response.status_code == 400
    assert "The form contained answers this survey does not have" in on_first_section.page
    assert counts() == UNCHANGED
    still_submits(on_first_section, page)


def test_unknown_names_posted_to_submit_are_refused(on_review, counts):
    page = on_review.page
    form = {"csrf_token": csrf_token(page), "state": hidden_state(page)}
    for extra in ({"who5_1": "5"}, {"extra": "1"}, {"nav": "next"}):
        assert on_review.post_form("/survey/submit", {**form, **extra}).status_code == 400
    assert counts() == UNCHANGED
    still_submits(on_review, page)


@pytest.mark.parametrize(
    "answers",
    [
        {"who5_1": "6"},
        {"who5_1": "-1"},
        {"who5_1": "dk"},  # WHO-5 has no "don't know"
        {"who5_1": "3.0"},
        {"who5_1": ""},
        {"who5_1": "prefer_not"},
    ],
)
def test_out_of_range_radio_values_are_refused(on_first_section, counts, answers):
    page = on_first_section.page
    assert on_first_section.post("next", answers).status_code == 400
    assert counts() == UNCHANGED
    still_submits(on_first_section, page)


def test_out_of_range_choice_on_a_demographic_question_is_refused(
    on_first_section, counts, instrument
):
    on_first_section.post(f"section-{section_index(instrument, 'about_you')}")
    about_you = on_first_section.page
    assert on_first_section.post("next", {"sex": "other"}).status_code == 400
    assert on_first_section.post("next", {"age_band": "36"}, from_page=about_you).status_code == 400
    on_first_section.post(
        f"section-{section_index(instrument, 'about_your_role')}", from_page=about_you
    )
    page = on_first_section.page
    assert on_first_section.post("next", {"unit": "no_such_unit"}).status_code == 400
    assert counts() == UNCHANGED
    still_submits(on_first_section, page)


def edited(token: str) -> str:
    """Change one character of the signed payload."""
    position = len(token) // 3
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1 :]


def old_token(progress: Progress, monkeypatch) -> str:
    two_days_ago = time.time() - 2 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: two_days_ago)
        return dump_progress(progress, TEST_SECRET)


def signed(data) -> str:
    """A token with a good signature over any payload (as if the key had leaked)."""
    return URLSafeTimedSerializer(TEST_SECRET, salt="respond-progress-v2").dumps(data)


@pytest.mark.parametrize("url", ["/survey", "/survey/submit"])
def test_forged_or_edited_state_is_refused(on_review, counts, monkeypatch, url):
    page = on_review.page
    genuine = hidden_state(page)
    progress = load_progress(genuine, TEST_SECRET, 3600)
    forgeries = [
        edited(genuine),
        genuine + "x",
        dump_progress(progress, "another-secret-" + "x" * 40),
        old_token(progress, monkeypatch),
        "",
        signed({"code": progress.code, "wave": progress.wave}),  # fields missing
        signed({**progress.__dict__, "page": "0"}),
        signed({**progress.__dict__, "page": -1}),
        signed({**progress.__dict__, "wave": str(progress.wave)}),
        signed({**progress.__dict__, "answers": []}),
        signed({**progress.__dict__, "admin": True}),
        signed([progress.code]),
    ]
    if url == "/survey":  # the submit form ignores which page the person was on
        forgeries.append(signed({**progress.__dict__, "page": 99}))
    for forged in forgeries:
        data = {"csrf_token": csrf_token(page), "state": forged}
        if url == "/survey":
            data["nav"] = "next"
        response = on_review.post_form(url, data)
        assert response.status_code == 400, forged
        assert "could not be read. Nothing was saved." in response.get_data(as_text=True)
    response = on_review.post_form(url, {"csrf_token": csrf_token(page), "nav": "next"})
    assert response.status_code == 400  # no state at all
    assert counts() == UNCHANGED
    still_submits(on_review, page)


def test_state_reader_accepts_only_well_formed_progress():
    good = Progress(code="A" * 28, wave=1, page=2, answers={"who5_1": 3}, comments={})
    assert load_progress(dump_progress(good, TEST_SECRET), TEST_SECRET, 60) == good
    for bad in ({**good.__dict__, "reviewed": 1}, {**good.__dict__, "page": True}):
        with pytest.raises(StateInvalid):
            load_progress(signed(bad), TEST_SECRET, 60)


@pytest.mark.parametrize("url", ["/survey", "/survey/submit"])
def test_a_body_over_the_size_limit_is_refused_with_413(on_review, counts, app, url):
    page = on_review.page
    too_big = app.config["MAX_CONTENT_LENGTH"] + 1
    data = {"csrf_token": csrf_token(page), "state": hidden_state(page), "nav": "review"}
    data["comment_wellbeing"] = "x" * too_big
    response = on_review.post_form(url, data)
    assert response.status_code == 413
    assert "Nothing was saved" in response.get_data(as_text=True)
    assert counts() == UNCHANGED
    still_submits(on_review, page)


@pytest.mark.parametrize("url", ["/take", "/survey", "/survey/submit"])
@pytest.mark.parametrize("token", [None, "wrong", "IjEyMyI.aaaa.bbbb"])
def test_a_wrong_or_missing_csrf_token_is_refused(on_review, counts, url, token):
    page = on_review.page
    data = {"state": hidden_state(page), "nav": "review", "code": on_review.code}
    if token is not None:
        data["csrf_token"] = token
    response = on_review.post_form(url, data)
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site" in response.get_data(as_text=True)
    assert counts() == UNCHANGED
    still_submits(on_review, page)


def test_a_csrf_token_from_another_browser_is_refused(on_review, counts):
    """Validly signed by this site, but for another browser's session."""
    foreign = URLSafeTimedSerializer(TEST_SECRET, salt="wtf-csrf-token").dumps("f" * 40)
    page = on_review.page
    response = on_review.submit(csrf_token=foreign)
    assert response.status_code == 400
    assert counts() == UNCHANGED
    still_submits(on_review, page)


@pytest.mark.parametrize(
    "nav",
    ["", "next ", "NEXT", "forward", "section-99", "section--1", "section-x", "goto-1", "submit"],
)
def test_an_unknown_nav_value_is_refused(on_review, counts, nav):
    page = on_review.page
    response = on_review.post(nav)
    assert response.status_code == 400
    assert "did not say where to go next" in on_review.page
    on_review.post_form(
        "/survey",
        {"csrf_token": csrf_token(page), "state": hidden_state(page), "nav": nav, "who5_1": "1"},
    )
    assert counts() == UNCHANGED
    still_submits(on_review, page)


def test_a_section_page_refuses_an_unknown_nav_before_looking_at_answers(on_first_section):
    response = on_first_section.post("jump", {"who5_1": "3"})
    assert response.status_code == 400
    assert "did not say where to go next" in on_first_section.page

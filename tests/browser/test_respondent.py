"""A respondent in a real browser: the whole survey by keyboard alone, then without
JavaScript; what the browser sent is what the database holds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Comment, Response
from tests.browser.conftest import release_database
from tests.browser.keyboard import answer_section, focused, tab_to

COMMENT = "Fewer night shifts without a break"
ANSWERS_IN = "Your answers are in"


def stored(wave_id: int) -> tuple[dict, list[str]]:
    """The one response the wave holds (answers as text) and its comments."""
    responses = db.session.scalars(select(Response).where(Response.wave_id == wave_id)).all()
    comments = list(db.session.scalars(select(Comment.text).where(Comment.wave_id == wave_id)))
    release_database()
    assert len(responses) == 1
    return {code: str(value) for code, value in responses[0].answers.items()}, comments


@pytest.fixture
def open_wave(make_wave, issue, instrument):
    """An open wave and one code for it: (wave id, code, the instrument's sections)."""
    wave = make_wave()
    code = issue(wave)[0]
    found = wave.id, code, Definition(instrument.definition).sections
    release_database()
    return found


def test_the_whole_survey_by_keyboard_alone(context, checks, site, open_wave):
    wave, code, sections = open_wave
    page = context().new_page()
    page.goto(site + "/take")
    checks.page(page, "respond-01-landing")

    page.keyboard.press("Tab")
    assert focused(page)["label"] == "Skip to main content"
    tab_to(page, "#start")
    page.keyboard.press("Enter")  # no code typed yet: the error summary takes focus
    page.locator(".error-summary").wait_for()
    page.wait_for_load_state()  # focus.js has run
    assert "error-summary" in focused(page)["classes"]
    checks.page(page, "respond-02-landing-error")
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")  # the summary's link moves focus to the code field
    assert focused(page)["id"] == "code"
    page.keyboard.type(code)
    page.keyboard.press("Enter")

    expected: dict[str, str] = {}
    for number, section in enumerate(sections, start=1):
        page.get_by_text(f"Step {number} of {len(sections) + 1}", exact=True).wait_for()
        page.wait_for_load_state()
        checks.page(page, f"respond-{number + 2:02}-section-{section['code']}")
        expected |= answer_section(page, COMMENT, number)
        assert focused(page)["value"] == "next"
        page.keyboard.press("Enter")

    page.get_by_role("heading", name="Check your answers", exact=True).wait_for()
    checks.page(page, f"respond-{len(sections) + 3:02}-review")
    review = page.inner_text("main")
    assert COMMENT in review
    assert review.count("Not answered") == sum(len(s["items"]) for s in sections) - len(expected)
    tab_to(page, "form[data-submit-once] button")
    page.keyboard.press("Enter")
    page.wait_for_url(site + "/done")
    checks.page(page, f"respond-{len(sections) + 4:02}-done")
    assert stored(wave) == ({k: v for k, v in expected.items() if v != COMMENT}, [COMMENT])

    again = page.go_back()  # the browser posts the review page's form again
    assert again.request.method == "POST" and again.url == site + "/survey"
    page.get_by_role("heading", name=ANSWERS_IN, exact=True).wait_for()
    assert COMMENT not in page.content() and 'name="state"' not in page.content()
    checks.page(page, f"respond-{len(sections) + 5:02}-answered")
    assert len(stored(wave)[1]) == 1


def test_the_survey_without_javascript(context, checks, site, open_wave):
    wave, code, sections = open_wave
    page = context(java_script_enabled=False).new_page()
    page.goto(f"{site}/take#{code}")  # no script copies the code from the link: type it
    assert page.input_value("#code") == ""
    checks.page_without_js(page, "respond-01-landing")
    page.fill("#code", code)
    page.click("#start")
    for number, section in enumerate(sections, start=1):
        page.get_by_text(f"Step {number} of {len(sections) + 1}", exact=True).wait_for()
        checks.page_without_js(page, f"respond-{number + 2:02}-section-{section['code']}")
        if section["code"] == "mental_wellbeing":
            page.check("#who5_1-2")
            chosen = page.get_attribute("#who5_1-2", "value")
        if section["code"] == "comments":
            page.fill("textarea >> nth=0", COMMENT)
        page.click("button[value=next]")
    page.get_by_role("heading", name="Check your answers", exact=True).wait_for()
    checks.page_without_js(page, f"respond-{len(sections) + 3:02}-review")
    page.click("text=Submit my answers")
    page.wait_for_url(site + "/done")
    checks.page_without_js(page, f"respond-{len(sections) + 4:02}-done")
    assert stored(wave) == ({"who5_1": chosen}, [COMMENT])

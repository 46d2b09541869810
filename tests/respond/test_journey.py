"""The respondent journey with plain forms only (no JavaScript): sections with progress,
Back keeps answers, a review page with Change buttons, every question optional, and
"don't know" / "prefer not to say" stored as such and never scored."""

from __future__ import annotations

import re
import time

from sqlalchemy import event, func, select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Comment, InvitationCode, Response
from survey.services.waves import close_wave
from tests.respond.conftest import section_index

SUPERVISOR_ITEMS = [
    "lm_notices_struggling",
    "lm_talk_wellbeing",
    "lm_checks_wellbeing",
    "know_wellbeing_support",
    "concern_acted_on",
]


def sections(instrument) -> list[dict]:
    return Definition(instrument.definition).sections


def checked(page: str, name: str) -> list[str]:
    """Values of the radios of `name` that are checked on the page."""
    inputs = re.findall(r"<input [^>]*>", page)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if f'name="{name}"' in tag and "checked" in tag
    ]


def test_sections_show_step_n_of_n_and_the_review_is_the_last_step(journey, make_wave, issue):
    wave = make_wave()
    count = len(sections(wave.instrument)) + 1
    response = journey.start(issue(wave)[0])
    assert response.status_code == 200
    for step in range(1, count):
        assert f"Step {step} of {count}" in journey.page
        assert f"<title>{_section_title(wave, step - 1)} (step {step} of {count})" in journey.page
        journey.post("next")
    assert f"Step {count} of {count}" in journey.page
    assert "<h1>Check your answers</h1>" in journey.page


def _section_title(wave, index: int) -> str:
    definition = Definition(wave.instrument.definition)
    return definition.text(definition.sections[index]["title"])


def test_back_keeps_the_answers_of_both_sections(journey, make_wave, issue):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("next", {"who5_1": "3", "who5_5": "0"})
    assert "Step 2 of" in journey.page
    journey.post("back", {"ons4_happy": "7"})
    assert "Step 1 of" in journey.page
    assert checked(journey.page, "who5_1") == ["3"]
    assert checked(journey.page, "who5_5") == ["0"]
    journey.post("next")
    assert checked(journey.page, "ons4_happy") == ["7"]


def test_first_section_has_no_back_button_and_later_ones_do(journey, make_wave, issue):
    wave = make_wave()
    journey.start(issue(wave)[0])
    assert 'value="back"' not in journey.page
    journey.post("next")
    assert 'name="nav" value="back"' in journey.page


def test_review_lists_answers_and_change_goes_to_the_section(journey, make_wave, issue, instrument):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("next", {"who5_2": "4"})
    journey.post("review", {"ons4_anxious": "0"})
    review = journey.page
    assert "Check your answers" in review
    assert _answer_after(review, "I have felt calm and relaxed") == "Most of the time"
    assert _answer_after(review, "Overall, how anxious did you feel yesterday?") == "0 - Not at all"
    assert _answer_after(review, "I have felt cheerful and in good spirits") == "Not answered"

    burnout = section_index(instrument, "burnout")
    assert f'name="nav" value="section-{burnout}"' in review
    journey.post(f"section-{burnout}")
    assert "<h1>Work-related burnout</h1>" in journey.page
    assert "Save and go to check your answers" in journey.page
    journey.post("review", {"cbi_1": "75"})
    review = journey.page
    assert _answer_after(review, "Is your work emotionally exhausting?") == "To a high degree"
    # Answers given before the change are all still there.
    assert _answer_after(review, "I have felt calm and relaxed") == "Most of the time"
    assert _answer_after(review, "Overall, how anxious did you feel yesterday?") == "0 - Not at all"


def test_change_from_review_does_not_touch_other_sections(journey, make_wave, issue, instrument):
    """The review page posts no answers: pressing Change must not erase any section."""
    wave = make_wave()
    journey.start(issue(wave)[0])
    last = len(sections(instrument)) - 1
    journey.continue_to(last)
    journey.post("next", {"working_pattern": "part_time"})
    journey.post("section-0")
    journey.post("review")
    assert _answer_after(journey.page, "What is your working pattern?") == "Part-time"


def _answer_after(page: str, question: str) -> str:
    match = re.search(
        re.escape(question) + r"</dt>\s*<dd>(.*?)</dd>", page.replace("&#39;", "'"), re.S
    )
    assert match, f"{question!r} is not on the review page"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_submitting_an_empty_survey_works(journey, make_wave, issue, counts):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("review")
    response = journey.submit()
    assert response.status_code == 303
    assert response.headers["Location"] == "/done"
    assert counts()["response"] == 1
    assert counts()["pending_spends"] == 1  # written later, in a batch of at least k
    assert counts()["spent_codes"] == 0
    stored = db.session.scalars(select(Response)).one()
    assert stored.answers == {}
    assert counts()["comment"] == 0
    done = journey.client.get("/done")
    assert done.status_code == 200
    assert "your answers are in" in done.get_data(as_text=True)


def test_dont_know_and_prefer_not_to_say_are_stored_as_such_and_never_scored(
    journey, make_wave, issue, instrument
):
    wave = make_wave()
    journey.start(issue(wave)[0])
    line_manager = section_index(instrument, "line_manager")
    journey.continue_to(line_manager)
    journey.post("next", dict.fromkeys(SUPERVISOR_ITEMS, "dk"))
    about_you = section_index(instrument, "about_you")
    journey.post(f"section-{about_you}")
    journey.post("review", {"sex": "prefer_not", "ethnicity": "prefer_not"})
    review = journey.page
    assert _answer_after(review, "My line manager notices when I am struggling") == (
        "Don't know / not applicable"
    )
    assert _answer_after(review, "What is your sex?") == "Prefer not to say"
    assert journey.submit().status_code == 303

    released = db.session.scalars(select(Response)).one()
    assert released.answers == {
        **dict.fromkeys(SUPERVISOR_ITEMS, "dk"),
        "sex": "prefer_not",
        "ethnicity": "prefer_not",
    }
    assert released.answers["lm_notices_struggling"] == "dk"
    assert "supervisor_support" not in released.scores
    assert released.groups["sex"] == "not_stated"
    assert released.groups["ethnicity"] == "not_stated"


def test_answers_and_comments_are_stored_on_submit_and_the_spend_waits(
    journey, make_wave, issue, instrument
):
    wave = make_wave()
    code = issue(wave)[0]
    journey.start(code)
    journey.post("next", {"who5_1": "5", "who5_2": "0"})
    journey.continue_to(section_index(instrument, "comments") - 1)
    journey.post(
        "review",
        {"comment_wellbeing": "  More time\r\nto talk  ", "comment_promotion": "   "},
    )
    assert journey.submit().status_code == 303
    stored = db.session.scalars(select(Response)).one()
    assert stored.answers == {"who5_1": 5, "who5_2": 0}
    assert db.session.scalars(select(Comment.text)).all() == ["More time\nto talk"]
    assert db.session.scalars(select(InvitationCode.spent)).one() is False
    close_wave(wave)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(InvitationCode)) == 0


def test_placeholders_are_filled_in_on_every_page(journey, make_wave, issue, instrument):
    """{review_meeting} is the force's label ('MAX' in the default instrument)."""
    wave = make_wave()
    journey.start(issue(wave)[0])
    pdr = section_index(instrument, "pdr")
    journey.continue_to(pdr)
    section = journey.page
    assert "<h1>Your MAX and PDR</h1>" in section
    assert "<title>Your MAX and PDR (step" in section
    assert "Your MAX one-to-ones are your regular meetings" in section
    journey.post("review", {"one_to_one_had": "1"})
    review = journey.page
    assert ">Your MAX and PDR</h2>" in review
    assert 'Change<span class="visually-hidden"> your answers to Your MAX and PDR</span>' in review
    assert _answer_after(review, "I have had a MAX one-to-one in the last 12 months") == "Yes"
    for response in journey.responses:
        assert "{review_meeting}" not in response.get_data(as_text=True)


def test_comment_text_is_escaped_on_the_review_page(journey, make_wave, issue, instrument):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.continue_to(section_index(instrument, "comments"))
    journey.post("review", {"comment_wellbeing": '<script>alert("x")</script>'})
    assert "<script>alert" not in journey.page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in journey.page


def test_a_code_works_once(journey, make_wave, issue, counts):
    wave = make_wave()
    code = issue(wave)[0]
    journey.start(code)
    journey.post("review")
    assert journey.submit().status_code == 303
    journey.client.delete_cookie("answered", path="/survey")  # another browser
    assert journey.start(code).status_code == 200  # nothing is refused before answering
    journey.post("review")
    assert journey.submit().status_code == 403
    assert counts()["response"] == 1


def statements_of(action) -> list[str]:
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_section_post_reads_nothing_from_the_database(
    app, journey, make_wave, issue, monkeypatch
):
    """Definitions, units, section forms and whether the wave is open come from the
    per-process caches: after the first pass, moving through a section sends no SQL."""
    monkeypatch.setitem(app.config, "OPEN_WAVE_SECONDS", 60)
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("next", {"who5_1": "3"})
    journey.post("back")
    assert statements_of(lambda: journey.post("next", {"who5_1": "4"})) == []
    assert checked(journey.page, "who5_1") == []
    journey.post("back")
    assert checked(journey.page, "who5_1") == ["4"]


def test_a_closed_wave_refuses_its_pages_once_the_cached_look_expires(
    app, journey, make_wave, issue, counts, monkeypatch
):
    monkeypatch.setitem(app.config, "OPEN_WAVE_SECONDS", 60)
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.post("next")
    close_wave(wave)
    db.session.commit()
    assert journey.post("next").status_code == 200  # seen open less than 60 s ago
    review = journey.post("review").get_data(as_text=True)
    assert journey.submit().status_code == 403  # the submission looks at the wave itself
    later = time.monotonic() + 61
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert journey.post("back", from_page=review).status_code == 403
    assert counts()["response"] == 0

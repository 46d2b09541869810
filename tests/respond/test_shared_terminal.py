"""A shared terminal: the progress a browser carries reveals nothing when decoded, and once
submitted it is worthless (Back and reload say the answers are in, and show none)."""

from __future__ import annotations

import base64
import re

from survey.respond.views import ANSWERED_COOKIE
from tests.conftest import csrf_token
from tests.respond.conftest import hidden_state, section_index

COMMENT = "Night shifts with no break are wearing me down"


def test_the_progress_in_the_page_is_encrypted(journey, make_wave, issue, instrument):
    wave = make_wave()
    code = issue(wave)[0]
    journey.start(code)
    journey.post("next", {"who5_1": "5", "who5_2": "0"})
    journey.continue_to(section_index(instrument, "comments") - 1)
    journey.post("review", {"comment_wellbeing": COMMENT})
    token = hidden_state(journey.page)
    decoded = base64.urlsafe_b64decode(token)
    for secret in (code.replace("-", ""), "who5_1", "comment_wellbeing", "Night shifts"):
        assert secret.encode() not in decoded
        assert secret not in token
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    edited = journey.post_form(
        "/survey/submit", {"csrf_token": csrf_token(journey.page), "state": flipped}
    )
    assert edited.status_code == 400


def test_back_and_resubmit_after_submitting_show_no_answers(
    journey, make_wave, issue, instrument, counts
):
    wave = make_wave()
    journey.start(issue(wave)[0])
    journey.continue_to(section_index(instrument, "comments"))
    journey.post("review", {"comment_wellbeing": COMMENT})
    review = journey.page
    assert COMMENT in review and "Change" in review
    submitted = journey.submit()
    assert submitted.status_code == 303
    cookie = submitted.headers["Set-Cookie"]
    assert cookie.startswith(f"{ANSWERED_COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/survey", "Max-Age="):
        assert attribute in cookie
    before = counts()
    form = {"csrf_token": csrf_token(review), "state": hidden_state(review)}
    for url, data in (("/survey/submit", form), ("/survey", {**form, "nav": "section-0"})):
        again = journey.post_form(url, data)  # the browser re-posts the cached form
        page = again.get_data(as_text=True)
        assert again.status_code == 200
        assert "Your answers are in" in page
        assert COMMENT not in page and "Change" not in page and 'name="state"' not in page
    assert counts() == before


def test_the_code_leaves_the_address_bar_after_the_start_page(client, make_wave, issue):
    """Without JavaScript the code in the link's fragment stays on /take#CODE; the form
    posts to a URL without it, so every later page shows only /take or /survey."""
    wave = make_wave()
    code = issue(wave)[0]
    landing = client.get("/take").get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)" class="code-form"', landing)
    assert action and action.group(1) == "/take"
    started = client.post("/take", data={"csrf_token": csrf_token(landing), "code": code})
    assert started.status_code == 200 and "Location" not in started.headers
    assert code not in started.get_data(as_text=True)

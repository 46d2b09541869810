"""Drive the respondent journey through the test client, as a browser without JavaScript
would: read each page, post its form back with the button pressed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape

import pytest
from sqlalchemy import func, select

from survey.extensions import db, spending
from survey.instruments import Definition
from survey.models import Comment, InvitationCode, Response, Wave
from tests.conftest import csrf_token

STATE = re.compile(r'name="state" type="hidden" value="([^"]+)"')


def hidden_state(page: str) -> str:
    match = STATE.search(page)
    assert match, "page has no state field"
    return unescape(match.group(1))


def section_index(instrument, code: str) -> int:
    codes = [section["code"] for section in Definition(instrument.definition).sections]
    return codes.index(code)


@dataclass
class Journey:
    """One person's pass through the survey; `responses` keeps every response seen."""

    client: object
    responses: list = field(default_factory=list)

    @property
    def page(self) -> str:
        return self.responses[-1].get_data(as_text=True)

    def _keep(self, response):
        self.responses.append(response)
        return response

    def landing(self):
        return self._keep(self.client.get("/take"))

    def start(self, code: str):
        """Open the landing page and enter a code, as a person would."""
        self.landing()
        data = {"csrf_token": csrf_token(self.page), "code": code}
        return self._keep(self.client.post("/take", data=data))

    def post(
        self, nav: str | None = "next", answers: dict | None = None, from_page=None, **overrides
    ):
        """Press a button on the current page (or on an earlier one, `from_page`)."""
        page = from_page or self.page
        data = {"csrf_token": csrf_token(page), "state": hidden_state(page)}
        if nav is not None:
            data["nav"] = nav
        data.update(answers or {})
        data.update(overrides)
        return self._keep(self.client.post("/survey", data=data))

    def continue_to(self, page: int):
        """From the first section, press Continue (answering nothing) until section `page`."""
        for _ in range(page):
            assert self.post("next").status_code == 200

    def get(self, url: str, **options):
        return self._keep(self.client.get(url, **options))

    def post_form(self, url: str, data: dict, **options):
        return self._keep(self.client.post(url, data=data, **options))

    def answer(self, code: str):
        """Start with `code`, go straight to the review page and submit; then forget the
        `answered` cookie, as another browser would not have it."""
        self.start(code)
        self.post("review")
        submitted = self.submit()
        self.client.delete_cookie("answered", path="/survey")
        return submitted

    def submit(self, **overrides):
        data = {"csrf_token": csrf_token(self.page), "state": hidden_state(self.page)}
        data.update(overrides)
        return self._keep(self.client.post("/survey/submit", data=data))


@pytest.fixture
def journey(client):
    return Journey(client)


@pytest.fixture
def walk_every_page(journey, make_wave, issue, instrument):
    """Visit every kind of respondent page, errors included; return the code used and
    every response seen (each section, review, done, refusals, error pages)."""

    def walk() -> tuple[str, list]:
        wave = make_wave()
        code = issue(wave)[0]
        journey.start("")  # 400: no code typed
        journey.start("NOT-A-CODE")  # 403: refused
        journey.start(code)
        sections = len(Definition(instrument.definition).sections)
        for _ in range(sections):
            journey.post("next", {})
        comments = section_index(instrument, "comments")
        journey.post(f"section-{comments}")
        journey.post("review", {"comment_wellbeing": "x" * 1001})  # 422: too long
        journey.post("review", {"comment_wellbeing": "Fewer night shifts"})
        journey.post("back")
        journey.post("review")
        review = journey.page
        assert journey.submit().status_code == 303
        journey.get("/done")
        replay = {"csrf_token": csrf_token(review), "state": hidden_state(review)}
        journey.post_form("/survey/submit", replay)  # 200: the answers are in, none shown
        journey.client.delete_cookie("answered", path="/survey")
        journey.post_form("/survey/submit", replay)  # 403: code already used
        journey.post_form("/survey", {**replay, "state": "forged"})  # 400 error page
        journey.get("/survey")  # 405
        journey.get("/no-such-page")  # 404
        journey.get("/")  # redirect to /take
        return code, journey.responses

    return walk


@pytest.fixture
def counts(app):
    """What a submission could change: responses, comments, pending and spent codes."""

    def read() -> dict[str, int]:
        def count(model, *where):
            return db.session.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "pending_spends": sum(
                len(spending.store.pending(wave_id)) for wave_id in db.session.scalars(
                    select(Wave.id))
            ),
            "response": count(Response),
            "comment": count(Comment),
            "spent_codes": count(InvitationCode, InvitationCode.spent.is_(True)),
            "codes": count(InvitationCode),
        }

    return read

"""A wave answered through the real respondent pages, in a known order.

Person i gets code i of a random permutation of the issued codes, so that the order in
which codes were issued (and so stored) tells nothing of the order of answering, as in
life: the mail-merge order is the attacker's anyway. Person i gives answers that carry i
(ONS4 satisfied = i // 11, happy = i % 11, as tests/services/test_release.py's `marker`
does); every third person also leaves a comment naming i. Only the test knows person i
<-> code i <-> fingerprint i: the attacks get the codes list (the mail-merge) and the
database, never this mapping.

An `observer` sees the phases, as a DBA watching the server would: before the first
answer, after every submission, before and after the close.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from survey.extensions import db
from survey.services.waves import close_wave
from tests.conftest import csrf_token
from tests.respond.conftest import Journey, section_index

RESPONDENTS = 63  # not a multiple of the threshold: the last spends are still pending at close
UNUSED_CODES = 5  # issued, never answered
THRESHOLD = 10
SEED = 20_240_607


def fingerprint(index: int) -> dict:
    """Answers that identify person `index` (unique for index < 121)."""
    return {
        "who5_1": index % 6,
        "ons4_satisfied": index // 11,
        "ons4_happy": index % 11,
        "ons4_worthwhile": (3 * index) % 11,
    }


def person_of(answers) -> int:
    if isinstance(answers, str | bytes):
        answers = json.loads(answers)
    return answers["ons4_satisfied"] * 11 + answers["ons4_happy"]


def comment_text(index: int) -> str | None:
    if index % 3:
        return None
    return f"Attack marker comment {index:03d}: more time to talk to my sergeant"


class Observer:
    def before_answers(self, run: Run) -> None: ...

    def after_submission(self, run: Run, index: int) -> None: ...

    def before_close(self, run: Run) -> None: ...

    def after_close(self, run: Run) -> None: ...


@dataclass
class Run:
    wave_id: int
    threshold: int
    codes: list[str]  # codes[i] went to person i; the tail was never used
    respondents: int
    issued: list[str] = field(default_factory=list)  # in the order they were issued
    statuses: list[int] = field(default_factory=list)

    @property
    def mail_merge(self) -> list[str]:
        """What the attacker holds: every issued code (who got it is the attacker's too)."""
        return list(self.issued)


def answer(client, code: str, index: int, comments: int) -> int:
    """One person's journey: enter the code, answer two sections and a comment, submit."""
    journey = Journey(client)
    assert journey.start(code).status_code == 200, "the code was not accepted"
    answers = fingerprint(index)
    journey.post("next", {"who5_1": str(answers["who5_1"])})
    personal = {k: str(v) for k, v in answers.items() if k.startswith("ons4_")}
    journey.post(f"section-{comments}", personal)
    text = comment_text(index)
    journey.post("review", {"comment_wellbeing": text} if text else {})
    assert "Check your answers" in journey.page
    response = journey.submit()
    return response.status_code


def run_wave(
    client,
    make_wave,
    issue,
    instrument,
    observer: Observer | None = None,
    respondents: int = RESPONDENTS,
    threshold: int = THRESHOLD,
) -> Run:
    observer = observer or Observer()
    wave = make_wave(threshold=threshold)
    issued = issue(wave, respondents + UNUSED_CODES)
    codes = random.Random(SEED).sample(issued, len(issued))
    comments = section_index(instrument, "comments")
    run = Run(wave.id, threshold, codes, respondents, issued=issued)
    db.session.remove()
    observer.before_answers(run)
    for index in range(respondents):
        status = answer(client, codes[index], index, comments)
        run.statuses.append(status)
        assert status == 303, f"submission {index} was refused ({status})"
        observer.after_submission(run, index)
    observer.before_close(run)
    close(run)
    observer.after_close(run)
    return run


def close(run: Run) -> None:
    from survey.models import Wave

    wave = db.session.get(Wave, run.wave_id)
    close_wave(wave)
    db.session.commit()
    db.session.remove()


def landing_token(client) -> str:
    return csrf_token(client.get("/take").get_data(as_text=True))

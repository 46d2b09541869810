"""Shared pieces of the storage attacks: the ground truth and the measured figures."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import text

from survey.extensions import db
from survey.security import code_hash_key
from survey.services.codes import hash_code, normalise_code
from tests.attacks.harness import comment_text, person_of
from tests.attacks.linker import Figures, link, link_many, score, score_many


def code_hashes(app, codes: list[str]) -> dict[str, bytes]:
    """What the attacker computes from SECRET_KEY and the mail-merge list."""
    key = code_hash_key(app)
    return {
        hash_code(normalise_code(c), key).hex(): hash_code(normalise_code(c), key) for c in codes
    }


def ground_truth(app, run) -> tuple[dict, dict, dict]:
    """Known to the test only: code id -> response key, code id -> comment key, person -> id."""
    ids = list(code_hashes(app, run.codes))
    with app.app_context():
        responses = db.session.execute(text("SELECT key, answers FROM response")).all()
        comments = db.session.execute(text("SELECT key, text FROM comment")).all()
        db.session.remove()
    by_person = {person_of(answers): key for key, answers in responses}
    texts = {comment_text(i): i for i in range(run.respondents) if comment_text(i)}
    comment_by_person = {texts[t]: key for key, t in comments if t in texts}
    assert sorted(by_person) == list(range(run.respondents)), "a response is missing"
    responses_truth = {ids[i]: by_person[i] for i in range(run.respondents)}
    comments_truth = {
        ids[i]: comment_by_person[i] for i in range(run.respondents) if i in comment_by_person
    }
    return responses_truth, comments_truth, {i: ids[i] for i in range(len(ids))}


def measure(evidence, truth: dict, run, label: str, report: list[str]) -> Figures:
    links = link(evidence)
    figures = score(links, truth, run.respondents, run.threshold)
    line = figures.summary(label)
    for name, count in sorted(figures.rank_successes.items()):
        line += f"\n    rank matching via {name}: {count}/{run.respondents}"
    report.append(line)
    print(line)
    return figures


def measure_comments(evidence, truth: dict, run, label: str, report: list[str]) -> Figures:
    """Comments seen from their side: who could have written each one. `truth` maps
    code -> comment; a person may leave none."""
    by_comment = {comment: code for code, comment in truth.items()}
    spent = set(evidence.spent_codes())
    figures = score_many(link_many(evidence), by_comment, run.threshold, spent)
    line = (
        f"{label}: {figures.certain_links}/{figures.respondents} comments pinned to one code "
        f"({figures.certain_correct} correct); smallest set of possible writers "
        f"{figures.smallest_set}; expected success {figures.expected_success:.3f} "
        f"(chance bound {figures.chance_bound:.3f}); truth outside its set {figures.truth_missed}"
    )
    report.append(line)
    print(line)
    return figures


def short(identifier: str) -> str:
    return hashlib.sha256(identifier.encode()).hexdigest()[:8]


@pytest.fixture
def report():
    lines: list[str] = []
    yield lines
    if lines:
        print("\n" + "\n".join(lines))

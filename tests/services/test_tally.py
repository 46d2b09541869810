"""The tally built at close equals the same statistics recomputed from the responses."""

from __future__ import annotations

import random
from collections import Counter, defaultdict

import pytest
from sqlalchemy import select

from survey.extensions import db
from survey.instruments import Definition
from survey.models import Response, Tally
from survey.services.responses import import_responses
from survey.services.tally import ALL, RESPONDENTS
from survey.services.waves import close_wave


def random_answers(definition: Definition, rng: random.Random) -> dict:
    answers = {}
    for code, item in definition.items.items():
        if item["type"] == "text" or item.get("options_from") or rng.random() < 0.2:
            continue
        answers[code] = rng.choice([o.value for o in definition.options(item)])
    return answers


@pytest.fixture
def released(make_wave):
    wave = make_wave(threshold=10)
    definition = Definition(wave.instrument.definition)
    rng = random.Random(7)
    for size in (23, 40, 11):  # several imports, tallied together at close
        import_responses(wave, [(random_answers(definition, rng), {}) for _ in range(size)])
    close_wave(wave)
    db.session.commit()
    return wave, definition


def tally(wave, dimension: str) -> dict:
    rows = db.session.scalars(select(Tally).filter_by(wave_id=wave.id, dimension=dimension))
    return {(r.grp, r.measure, r.category): (r.n, r.total, r.total_sq) for r in rows}


def test_counts_by_group_match_the_responses(released):
    wave, _ = released
    responses = db.session.scalars(select(Response)).all()
    by_sex = tally(wave, "sex")
    expected = Counter(r.groups["sex"] for r in responses)
    assert {g: by_sex[(g, RESPONDENTS, "")][0] for g in expected} == dict(expected)
    assert tally(wave, ALL)[(ALL, RESPONDENTS, "")][0] == 74
    answered = Counter(
        (r.groups["sex"], str(r.answers["who5_1"])) for r in responses if "who5_1" in r.answers
    )
    assert {k: by_sex[(k[0], "who5_1", k[1])][0] for k in answered} == dict(answered)


def test_score_sums_match_the_responses(released):
    wave, _ = released
    sums: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for r in db.session.scalars(select(Response)):
        if "cbi_work" in r.scores:
            cell = sums[r.groups["ethnicity"]]
            score = r.scores["cbi_work"]
            cell[0] += 1
            cell[1] += score
            cell[2] += score**2
    by_ethnicity = tally(wave, "ethnicity")
    for group, (n, total, total_sq) in sums.items():
        assert by_ethnicity[(group, "cbi_work", "")] == (
            n,
            pytest.approx(total),
            pytest.approx(total_sq),
        )


def test_intersections_are_tallied_at_their_declared_levels(released):
    wave, definition = released
    responses = db.session.scalars(select(Response)).all()
    expected = Counter(
        f"{definition.level_group('ethnicity_5', r.groups)}|{r.groups['sex']}" for r in responses
    )
    cells = tally(wave, "ethnicity_5*sex")
    assert {g: cells[(g, RESPONDENTS, "")][0] for g in expected} == dict(expected)

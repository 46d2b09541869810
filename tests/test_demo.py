"""The demo force (`flask demo`) and the synthetic answers it is filled with."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from statistics import mean

import pytest
import yaml
from sqlalchemy import func, select

from survey.demo import ADMIN_EMAIL, OPEN_WAVE, UNITS_FILE, build_demo
from survey.demo.synthetic import EAST_LPA, HIGH_DEMAND_UNITS, WHITE, generate_responses
from survey.demo.workforce import RESPONSE_RATE
from survey.extensions import db
from survey.instruments import APART, PREFER_NOT, Definition, load_instrument_file
from survey.instruments.scoring import group_response, score_response
from survey.models import (
    Comment,
    Instrument,
    InvitationCode,
    PromotionCount,
    Response,
    Role,
    Unit,
    User,
    Wave,
    WaveState,
)
from survey.services import DomainError
from survey.services.headcounts import force_headcount, wave_headcounts
from survey.services.instruments import DEFAULT_INSTRUMENT, unit_choices
from survey.services.responses import validate_answers, wave_for_code
from survey.services.users import check_password

TODAY = date(2026, 11, 26)
PASSWORD = "a long demo password"
LINK = re.compile(r"^https://survey\.test/take#[0-9A-Z]{4}(-[0-9A-Z]{4}){6}$")
SAMPLE = 8000


@pytest.fixture(scope="module")
def definition() -> Definition:
    return Definition(load_instrument_file(DEFAULT_INSTRUMENT))


@pytest.fixture(scope="module")
def minority(definition) -> set[str]:
    """Ethnic minority (excluding White minorities), as the instrument itself defines it."""
    levels = {level["code"]: level for level in definition.breakdowns["ethnicity"]["levels"]}
    return set(levels["ethnic_minority"]["groups"]["minority"]["members"])


@pytest.fixture(scope="module")
def unit_codes() -> list[str]:
    def walk(nodes):
        for node in nodes:
            yield node["code"]
            yield from walk(node.get("children", []))

    return list(walk(yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def sample(definition, unit_codes):
    """A large first-wave sample, scored and grouped as a release would."""
    rows = generate_responses(definition, unit_codes, SAMPLE, wave_index=0, seed=7)
    names = list(definition.breakdowns)
    return [
        (answers, score_response(definition, answers), group_response(definition, names, answers))
        for answers, _ in rows
    ]


def count_by_wave(model) -> dict[int, int]:
    query = select(model.wave_id, func.count()).group_by(model.wave_id)
    return dict(db.session.execute(query).all())


def row_counts() -> dict[str, int]:
    models = (Unit, Instrument, User, Wave, InvitationCode, Response, Comment)
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}


# --- building the demo force -------------------------------------------------------------


def test_build_demo_creates_admin_past_waves_and_open_wave(app, code_key):
    summary = build_demo(PASSWORD, 120, code_key, today=TODAY)
    db.session.commit()

    admin = db.session.scalar(select(User).filter_by(email=ADMIN_EMAIL))
    assert admin.role == Role.ADMIN and check_password(admin, PASSWORD)
    readers = db.session.scalars(select(User).where(User.role != Role.ADMIN)).all()
    assert {user.role for user in readers} == {Role.HR, Role.PAO}
    assert all(check_password(user, PASSWORD) for user in readers)
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on)).all()
    assert [w.code for w in waves] == ["demo-2023", "demo-2024", "demo-2025", OPEN_WAVE]
    assert [w.state for w in waves] == [WaveState.CLOSED] * 3 + [WaveState.OPEN]
    assert all(w.threshold == 10 for w in waves)
    assert all(w.closes_on < TODAY for w in waves[:3])
    assert (waves[3].opens_on, waves[3].closes_on) == (TODAY - timedelta(7), TODAY + timedelta(21))
    assert [count_by_wave(Response)[w.id] for w in waves] == [120, 120, 120, 40]
    assert count_by_wave(InvitationCode) == {waves[3].id: 200}  # past waves' codes purged
    assert waves[3].codes_issued == 200 and len(set(summary.codes)) == 200
    assert wave_for_code(summary.codes[0], code_key).code == OPEN_WAVE
    assert [(w.code, w.responses) for w in summary.waves] == [
        ("demo-2023", 120), ("demo-2024", 120), ("demo-2025", 120), (OPEN_WAVE, 40)
    ]

    released = db.session.scalars(select(Response)).all()
    assert sum("who5" in r.scores for r in released) > 0.85 * len(released)
    assert {r.groups["unit"] for r in released} > {"east_response", "contact_management"}
    assert db.session.scalar(select(func.count()).select_from(Comment)) > 0

    text = summary.describe(PASSWORD, "codes.csv")
    assert ADMIN_EMAIL in text and PASSWORD in text
    assert "hr@northshire.police.test" in text and "pao@northshire.police.test" in text
    assert "https://survey.test/take" in text and "codes.csv" in text
    assert re.search(r"demo-2024 .* closed +120 responses", text)
    assert re.search(r"demo-open .* open +40 responses", text)

    # Built once: a second call does nothing at all.
    before = row_counts()
    assert build_demo("another long password", 30, code_key, today=TODAY) is None
    db.session.commit()
    assert row_counts() == before


def test_demo_refuses_a_database_with_other_waves(app, code_key, make_wave):
    make_wave(code="spring")
    with pytest.raises(DomainError, match="without waves"):
        build_demo(PASSWORD, 30, code_key, today=TODAY)


def test_demo_refuses_fewer_respondents_than_k(app, code_key):
    with pytest.raises(DomainError, match="at least 10"):
        build_demo(PASSWORD, 9, code_key, today=TODAY)


def test_cli_builds_the_demo_and_writes_the_codes(app, tmp_path):
    out = tmp_path / "codes.csv"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--codes-out", str(out), "--respondents", "60"])
    assert result.exit_code == 0, result.output

    password = re.search(r"Password: +(\S+)", result.output).group(1)
    admin = db.session.scalar(select(User).filter_by(email=ADMIN_EMAIL))
    assert check_password(admin, password)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 200
    assert all(LINK.match(row["link"]) and row["link"].endswith(row["code"]) for row in rows)

    again = runner.invoke(args=["demo", "--codes-out", str(tmp_path / "more.csv")])
    assert again.exit_code == 0 and "already built" in again.output
    assert not (tmp_path / "more.csv").exists()


# --- synthetic answers -------------------------------------------------------------------


def test_every_generated_answer_is_valid(instrument, definition):
    units = unit_choices()
    codes = [code for code, _ in units]
    for wave_index in range(4):
        for answers, comments in generate_responses(definition, codes, 250, wave_index, seed=3):
            validate_answers(definition, answers, comments, units)


def test_generation_is_deterministic(definition, unit_codes):
    first = generate_responses(definition, unit_codes, 50, wave_index=1, seed=11)
    assert first == generate_responses(definition, unit_codes, 50, wave_index=1, seed=11)
    assert first != generate_responses(definition, unit_codes, 50, wave_index=1, seed=12)


def share(values, predicate) -> float:
    values = list(values)
    return sum(map(predicate, values)) / len(values)


def female_share(answers, worker_type) -> float:
    sexes = [a["sex"] for a in answers
             if a.get("worker_type") == worker_type and a.get("sex") in ("female", "male")]
    return share(sexes, lambda sex: sex == "female")


def test_composition_looks_like_a_police_force(sample):
    answers = [a for a, _, _ in sample]
    workers = Counter(a.get("worker_type") for a in answers)
    assert workers.most_common(1)[0][0] == "police_officer"
    ranks = Counter(a["rank"] for a in answers if a.get("rank") not in (None, PREFER_NOT))
    assert ranks["constable"] > 0.65 * ranks.total()
    stated = [a["ethnicity"] for a in answers if a.get("ethnicity") not in (None, PREFER_NOT)]
    assert 0.07 < share(stated, lambda e: e not in WHITE) < 0.11
    assert 0.33 < female_share(answers, "police_officer") < 0.42
    assert female_share(answers, "police_staff") > 0.55
    assert 0.04 < share(sample, lambda r: r[2]["disability"] == "disabled") < 0.09
    assert 0.04 < share(answers, lambda a: a.get("ethnicity") == PREFER_NOT) < 0.10
    assert 0.01 < share(answers, lambda a: "who5_3" not in a) < 0.06  # skips and break-offs
    assert share(answers, lambda a: a.get("promo_feedback") == "dk") > 0.15
    assert {a.get("unit") for a in answers} >= {"east_lpa", "east_cid", "finance", PREFER_NOT}


def gap(sample, measure, breakdown, higher, lower) -> float:
    """Mean score of the `higher` groups minus that of the `lower` groups."""

    def mean_of(groups):
        return mean(s[measure] for _, s, g in sample if measure in s and g[breakdown] in groups)

    return mean_of(higher) - mean_of(lower)


def units_except(sample, excluded) -> set[str]:
    return {r[2]["unit"] for r in sample} - set(excluded) - {"not_stated"}


def test_planted_wellbeing_and_burnout_gaps(sample):
    assert gap(sample, "who5", "disability", {"not_disabled"}, {"disabled"}) > 8
    assert gap(sample, "cbi_work", "disability", {"disabled"}, {"not_disabled"}) > 6
    assert gap(sample, "who5", "caring", {"no"}, {"yes"}) > 4
    assert gap(sample, "cbi_work", "caring", {"yes"}, {"no"}) > 4
    busy = HIGH_DEMAND_UNITS
    assert gap(sample, "cbi_work", "unit", busy, units_except(sample, busy)) > 4


def test_no_wellbeing_gap_where_none_was_planted(sample, minority):
    lgb = {"gay_lesbian", "bisexual"}
    assert abs(gap(sample, "who5", "sexual_orientation", lgb, {"straight"})) < 3
    assert abs(gap(sample, "who5", "ethnicity", minority, WHITE)) < 3


def test_planted_fairness_and_support_gaps(sample, minority):
    assert gap(sample, "promotion_fairness", "ethnicity", WHITE, minority) > 8
    assert gap(sample, "promotion_fairness", "sex", {"male"}, {"female"}) > 5
    east = EAST_LPA
    assert gap(sample, "supervisor_support", "unit", units_except(sample, east), east) > 10
    # Those who withhold their ethnicity trust their manager less.
    assert gap(sample, "supervisor_support", "ethnicity", WHITE, {"not_stated"}) > 3


def test_planted_part_time_gap_in_regular_one_to_ones(sample):
    regular = defaultdict(list)
    for answers, _, groups in sample:
        if isinstance(answers.get("pdr_regular"), int):
            regular[groups["working_pattern"]].append(answers["pdr_regular"] >= 4)
    assert mean(regular["full_time"]) - mean(regular["part_time"]) > 0.2
    assert gap(sample, "pdr_quality", "working_pattern", {"full_time"}, {"part_time"}) > 6


def test_planted_trend_across_waves(definition, unit_codes):
    def wave_means(wave_index):
        rows = generate_responses(definition, unit_codes, 3000, wave_index, seed=50 + wave_index)
        scores = [score_response(definition, answers) for answers, _ in rows]
        return {m: mean(s[m] for s in scores if m in s) for m in ("who5", "supervisor_support")}

    first, third = wave_means(0), wave_means(2)
    assert third["who5"] - first["who5"] > 2.5
    assert third["supervisor_support"] - first["supervisor_support"] > 4


# --- the demo's HR records: headcounts and a promotion round ------------------------------


def test_demo_loads_headcounts_that_hold_every_wave_s_respondents(app, code_key):
    build_demo(PASSWORD, 300, code_key, today=TODAY)
    db.session.commit()
    for wave in db.session.scalars(select(Wave)):
        heads = {(h.unit, h.breakdown, h.group_code): h.count for h in wave_headcounts(wave)}
        respondents = db.session.scalars(select(Response).filter_by(wave_id=wave.id)).all()
        tops = [u.code for u in db.session.scalars(select(Unit).filter_by(parent_id=None))]
        force = sum(heads[top, "", ""] for top in tops)
        assert force == sum(heads["", "sex", g] for g in ("female", "male"))
        # The respondents are RESPONSE_RATE of the workforce (the open wave: 40 so far).
        if wave.state == WaveState.CLOSED:
            assert force == round(300 / RESPONSE_RATE)
        stated = Counter(
            (code, group) for r in respondents for code, group in r.groups.items()
            if code != "unit" and group not in APART
        )
        assert stated and all(heads["", code, group] >= n for (code, group), n in stated.items())
        assert heads["", "disability", "disabled"] < heads["", "disability", "not_disabled"]


def test_demo_open_wave_codes_need_no_override_and_a_round_is_loaded(app, code_key):
    build_demo(PASSWORD, 300, code_key, today=TODAY)
    db.session.commit()
    open_wave = db.session.scalar(select(Wave).filter_by(code=OPEN_WAVE))
    assert open_wave.codes_issued == 200 <= force_headcount(open_wave)  # within the headcount
    counts = db.session.scalars(
        select(PromotionCount).filter_by(round_code="sergeant-2026", breakdown="ethnic_minority")
    ).all()
    steps = sorted({(c.stage_order, c.stage) for c in counts})
    assert [order for order, _ in steps] == [1, 2, 3, 4] and "exam" in steps[1][1]
    by_stage = defaultdict(dict)
    for c in counts:
        by_stage[c.stage_order][c.group_code] = (c.entered, c.progressed)
    for order in (1, 2, 3):  # who progressed from one step entered the next
        assert {g: p for g, (_, p) in by_stage[order].items()} == {
            g: e for g, (e, _) in by_stage[order + 1].items()
        }

"""Synthetic answers for the demo force: realistic, deterministic, with planted differences.

Each synthetic respondent is drawn in three steps:

1. **Who they are**: worker type, rank or staff grade, sex, ethnicity, religion, age band,
   service length, disability, caring, working pattern and unit, from a composition like
   an English force's (mostly Constables; about 9% ethnic minority excluding White
   minorities; about 37% of officers and 63% of staff female; about 7% disabled under the
   Equality Act definition; officers in response, neighbourhood and CID teams, staff in
   Contact Management and Corporate Services).
2. **Five latent attitudes** (standard normal, correlated through a general factor):
   wellbeing, burnout, line manager support, PDR quality and promotion fairness, shifted
   by the planted effects below.
3. **Answers**: each scale item is its latent scaled onto the item's answer values plus
   noise, rounded and clipped to a valid answer. Then some answers become "Don't know"
   (most often for promotion feedback and for people without a PDR), some are skipped
   (about 1.5% per item) and about 3% of respondents break off after a random section.
   Demographics are answered "Prefer not to say" about 3-6% of the time, far more by the
   5% of "reticent" respondents who withhold most of them. About 12% and 8% write a short
   comment, picked from a fixed list of bland sentences (never a name).

PLANTED EFFECTS (EFFECTS, ITEM_EFFECTS, HAD_MEETING and TREND_PER_WAVE below are the
source of truth; shifts are in standard deviations of the latent; in brackets the gap
on the reported scores in a first wave of 20,000 generated respondents, favourable-share
measures in percentage points):

- disabled (condition lasting 12 months+ that reduces day-to-day activity a lot or a
  little): wellbeing -0.6 (WHO-5 about 12 points lower: 40 against 52), burnout +0.5
  (CBI work-related about 9 points higher);
- carers: wellbeing -0.35 (WHO-5 about 7 lower), burnout +0.35 (CBI about 6 higher);
- ethnic minority (excluding White minorities): promotion fairness -0.6 (promotion
  fairness about 14 points lower: 24 against 38);
- women: promotion fairness -0.35 (about 9 points lower);
- part-time: PDR quality -0.35 (about 12 points lower), a further 0.8 answer points
  lower on "my one-to-ones happen regularly and fit my shift pattern" (pdr_regular about
  32 points less favourable: 18% against 50%), and fewer had a PDR (about 59% against
  78%) or a one-to-one (68% against 86%);
- East LPA (east_lpa and its units, EAST_LPA): line manager support -0.7
  (supervisor_support about 19 points lower: 37 against 55);
- response teams and Contact Management (HIGH_DEMAND_UNITS): burnout +0.35 (CBI about
  6 higher);
- reticent respondents (about 5%, who answer most demographics "Prefer not to say"):
  line manager support and promotion fairness -0.4 each, so "not stated" groups score
  lower, as in real surveys;
- trend, per wave (wave_index 0, 1, 2, ...): wellbeing +0.12 (WHO-5 about +2 points a
  wave), burnout -0.1 (CBI about -1.5), line manager support +0.15 (supervisor_support
  about +3.5 points a wave); PDR quality and promotion fairness stay flat.

Nothing else differs by group by design. Composition makes some small indirect gaps:
women are more often part-time and carers, older people more often disabled or carers,
so women score about 1 point lower on PDR quality and the 41-55 band about 1 point lower
on WHO-5. Sexual orientation, religion, gender identity, age, service length, grade and
rank carry no effect of their own.
"""

from __future__ import annotations

import numpy as np

from survey.demo.profile import (
    AGE,
    BREAK_OFF_RATE,
    COMMENTS,
    DEFAULT_UNIT_WEIGHT,
    DISABILITY_IMPACT,
    DONT_KNOW,
    DONT_KNOW_DEFAULT,
    DONT_KNOW_WITHOUT_PDR,
    EAST_LPA,
    EFFECTS,
    ETHNICITY,
    FEMALE_SHARE,
    HAD_MEETING,
    HIGH_DEMAND_UNITS,
    ITEM_EFFECTS,
    ITEMS,
    NOISE,
    OLDER,
    PART_TIME_SHARE,
    PREFER_NOT_RATE,
    PREFER_NOT_RATE_DEFAULT,
    PREFER_NOT_RETICENT,
    RANKS,
    RELIGION,
    RELIGION_BACKGROUND,
    RETICENT_SHARE,
    SENIOR_FEMALE_SHARE,
    SERVICE,
    SEXUAL_ORIENTATION,
    SKIP_RATE,
    STAFF_GRADES,
    TREND_PER_WAVE,
    UNIT_PROFILE,
    UNIT_WEIGHTS,
    WHITE,
    WORKER_TYPES,
)
from survey.instruments import PREFER_NOT, Definition


def generate_responses(
    definition: Definition, unit_codes: list[str], count: int, wave_index: int, seed: int
) -> list[tuple[dict, dict]]:
    """`count` (answers, comments) pairs for one wave; the same arguments give the same rows.

    `unit_codes` are the codes the `unit` item may take; `wave_index` (0 for the first
    wave) drives the planted trend.
    """
    rng = np.random.default_rng(seed)
    truth, flags = draw_people(rng, count, unit_codes)
    latents = _latents(rng, flags, wave_index)
    flags.update(_meetings(rng, latents, flags))
    columns = {}
    for item in definition.items.values():
        if item["type"] == "scale":
            columns[item["code"]] = _scale_answers(rng, definition, item, latents, flags)
        elif item["type"] == "choice":
            columns[item["code"]] = _choice_answers(rng, definition, item, truth, flags, unit_codes)
        else:
            columns[item["code"]] = _comments(rng, item["code"], count)
    _skip_and_break_off(rng, definition, columns, count)
    return _rows(definition, columns, count)


# --- who they are ------------------------------------------------------------------------


def draw_people(rng, n: int, unit_codes: list[str]) -> tuple[dict, dict]:
    """True answers to the choice items (None: not applicable) and flags for the effects."""
    worker = _pick(rng, n, WORKER_TYPES)
    truth = {"worker_type": worker, **_roles(rng, worker)}
    senior = _among(truth["rank"], list(RANKS)[2:])
    female = rng.random(n) < np.where(senior, SENIOR_FEMALE_SHARE, _lookup(FEMALE_SHARE, worker))
    truth["sex"] = _yes_no(female, "female", "male")
    truth["gender_identity"] = _yes_no(rng.random(n) < 0.006, "no", "yes")
    truth["ethnicity"] = _pick(rng, n, ETHNICITY)
    background = np.array([_religion_background(c) for c in truth["ethnicity"]], dtype=object)
    truth["religion"] = _pick_by(rng, background, RELIGION)
    truth["sexual_orientation"] = _pick(rng, n, SEXUAL_ORIENTATION)
    truth["age_band"] = _pick_by(rng, worker, AGE)
    truth["service_length"] = _pick_by(rng, truth["age_band"], SERVICE)
    truth.update(_health_and_caring(rng, female, _among(truth["age_band"], OLDER)))
    p_part_time = [PART_TIME_SHARE[w][int(f)] for w, f in zip(worker, female, strict=True)]
    truth["working_pattern"] = _yes_no(rng.random(n) < p_part_time, "part_time", "full_time")
    truth["unit"] = _units(rng, worker, unit_codes)
    return truth, _flags(rng, truth)


def _flags(rng, truth: dict) -> dict[str, np.ndarray]:
    return {
        "female": truth["sex"] == "female",
        "ethnic_minority": ~_among(truth["ethnicity"], WHITE),
        "disabled": _among(truth["disability_impact"], ["a_lot", "a_little"]),
        "carer": truth["caring"] == "yes",
        "part_time": truth["working_pattern"] == "part_time",
        "east_lpa": _among(truth["unit"], EAST_LPA),
        "high_demand_unit": _among(truth["unit"], HIGH_DEMAND_UNITS),
        "reticent": rng.random(len(truth["sex"])) < RETICENT_SHARE,
    }


def _roles(rng, worker: np.ndarray) -> dict[str, np.ndarray]:
    n = len(worker)
    rank = np.where(worker == "police_officer", _pick(rng, n, RANKS), None)
    grade = _pick_by(rng, worker, STAFF_GRADES)
    return {"rank": rank, "staff_grade": grade}


def _religion_background(ethnicity: str) -> str:
    if ethnicity in WHITE:
        return "white"
    return RELIGION_BACKGROUND.get(ethnicity, "other")


def _health_and_caring(rng, female: np.ndarray, older: np.ndarray) -> dict[str, np.ndarray]:
    n = len(female)
    condition = rng.random(n) < 0.10 + 0.06 * older
    impact = np.where(condition, _pick(rng, n, DISABILITY_IMPACT), None)
    # Without a condition most skip the impact question, as its hint invites.
    impact[~condition & (rng.random(n) < 0.15)] = "not_at_all"
    carer = rng.random(n) < 0.09 + 0.07 * female + 0.07 * older
    return {
        "disability_condition": _yes_no(condition, "yes", "no"),
        "disability_impact": impact,
        "caring": _yes_no(carer, "yes", "no"),
    }


def _units(rng, worker: np.ndarray, unit_codes: list[str]) -> np.ndarray:
    if not unit_codes:
        return np.full(len(worker), None, dtype=object)
    profiles = np.array([UNIT_PROFILE[w] for w in worker], dtype=object)
    table = {
        profile: {code: weights.get(code, DEFAULT_UNIT_WEIGHT) for code in unit_codes}
        for profile, weights in UNIT_WEIGHTS.items()
    }
    return _pick_by(rng, profiles, table)


def _pick(rng, n: int, weights: dict[str, float]) -> np.ndarray:
    """n codes drawn with the given relative weights, as Python strings."""
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _pick_by(rng, keys: np.ndarray, table: dict[str, dict[str, float]]) -> np.ndarray:
    """For each key, a code drawn from table[key]; None where the key has no table."""
    out = np.full(len(keys), None, dtype=object)
    for key, weights in table.items():
        mask = keys == key
        out[mask] = _pick(rng, int(mask.sum()), weights)
    return out


def _lookup(table: dict, keys: np.ndarray) -> np.ndarray:
    return np.array([table[key] for key in keys], dtype=float)


def _yes_no(condition: np.ndarray, yes: str, no: str) -> np.ndarray:
    return np.where(condition, yes, no).astype(object)


def _among(column: np.ndarray, codes) -> np.ndarray:
    """Elementwise membership for object columns that may hold None (np.isin may sort)."""
    codes = set(codes)
    return np.fromiter((value in codes for value in column), dtype=bool, count=len(column))


# --- what they think ---------------------------------------------------------------------


def _latents(rng, flags: dict, wave_index: int) -> dict[str, np.ndarray]:
    n = len(flags["female"])
    general = rng.standard_normal(n)
    mood = 0.6 * general + 0.8 * rng.standard_normal(n)
    manager = 0.5 * general + 0.866 * rng.standard_normal(n)
    latents = {
        "general": general,
        "wellbeing": mood,
        "burnout": -0.55 * mood + 0.835 * rng.standard_normal(n),
        "manager": manager,
        # Line managers run PDRs, so PDR quality follows support; the planted effects
        # are added afterwards, so each stays on the latent it is documented for.
        "pdr": 0.6 * manager + 0.8 * rng.standard_normal(n),
        "promotion": 0.4 * general + 0.917 * rng.standard_normal(n),
    }
    for latent, flag, shift in EFFECTS:
        latents[latent] = latents[latent] + shift * flags[flag]
    for latent, step in TREND_PER_WAVE.items():
        latents[latent] = latents[latent] + step * wave_index
    return latents


def _meetings(rng, latents: dict, flags: dict) -> dict[str, np.ndarray]:
    n = len(flags["female"])
    had = {}
    for code, (base, slope, penalty) in HAD_MEETING.items():
        p = base + slope * latents["pdr"] - penalty * flags["part_time"]
        had[code] = rng.random(n) < np.clip(p, 0.05, 0.98)
    return had


# --- answers -----------------------------------------------------------------------------


def _scale_answers(rng, definition: Definition, item: dict, latents: dict, flags: dict):
    code, n = item["code"], len(flags["female"])
    if code in HAD_MEETING:
        return flags[code].astype(int).astype(object)
    scale = definition.scale(item)
    values = sorted(option["value"] for option in scale["options"])
    low, high = values[0], values[-1]
    step = (high - low) / (len(values) - 1)
    latent, mean, slope = ITEMS.get(code, ("general", (low + high) / 2, (high - low) / 4))
    answer = mean + slope * latents[latent]
    answer = answer + NOISE.get(item["scale"], step) * rng.standard_normal(n)
    for flag, shift in ITEM_EFFECTS.get(code, ()):
        answer = answer + shift * flags[flag]
    position = np.clip(np.rint((answer - low) / step), 0, len(values) - 1).astype(int)
    column = np.array(values, dtype=object)[position]
    if extra := scale.get("not_counted"):
        p = np.full(n, DONT_KNOW.get(code, DONT_KNOW_DEFAULT))
        if code.startswith("pdr_"):
            p = p + DONT_KNOW_WITHOUT_PDR * ~flags["pdr_had"]
        column[rng.random(n) < p] = extra["code"]
    return column


def _choice_answers(rng, definition, item, truth, flags, unit_codes) -> np.ndarray:
    code = item["code"]
    units = [(unit, unit) for unit in unit_codes]
    allowed = [option.value for option in definition.options(item, units) if option.counted]
    n = len(flags["female"])
    if code in truth:
        column = truth[code].copy()
        column[~_among(column, allowed)] = None  # a code this version does not offer
    elif allowed:  # an item this generator does not know: any of its answers
        column = _pick(rng, n, dict.fromkeys(allowed, 1.0))
    else:
        column = np.full(n, None, dtype=object)
    if item.get("prefer_not_to_say"):
        usual = PREFER_NOT_RATE.get(code, PREFER_NOT_RATE_DEFAULT)
        p = np.where(flags["reticent"], PREFER_NOT_RETICENT, usual)
        column[_present(column) & (rng.random(n) < p)] = PREFER_NOT
    return column


def _comments(rng, code: str, n: int) -> np.ndarray:
    share, texts = COMMENTS.get(code, (0.0, [""]))
    column = np.full(n, None, dtype=object)
    writes = rng.random(n) < share
    column[writes] = np.array(texts, dtype=object)[rng.integers(len(texts), size=int(writes.sum()))]
    return column


def _skip_and_break_off(rng, definition: Definition, columns: dict, n: int) -> None:
    sections = definition.sections
    stops = np.where(
        rng.random(n) < BREAK_OFF_RATE, rng.integers(1, max(len(sections), 2), size=n),
        len(sections),
    )
    for number, section in enumerate(sections):
        for item in section["items"]:
            column = columns[item["code"]]
            column[stops <= number] = None
            if item["type"] != "text":
                column[rng.random(n) < SKIP_RATE] = None


def _present(column: np.ndarray) -> np.ndarray:
    return np.fromiter((value is not None for value in column), dtype=bool, count=len(column))


def _rows(definition: Definition, columns: dict, n: int) -> list[tuple[dict, dict]]:
    texts = {item["code"] for item in definition.text_items()}
    answer_codes = [code for code in columns if code not in texts]
    comment_codes = [code for code in columns if code in texts]
    answers = _transpose([columns[code] for code in answer_codes], n)
    comments = _transpose([columns[code] for code in comment_codes], n)
    return [
        (_present_only(answer_codes, row), _present_only(comment_codes, notes))
        for row, notes in zip(answers, comments, strict=True)
    ]


def _transpose(columns: list[np.ndarray], n: int) -> list[tuple]:
    """Columns to n rows of Python values (tolist turns numpy scalars into int and str)."""
    if not columns:
        return [()] * n
    return list(zip(*(column.tolist() for column in columns), strict=True))


def _present_only(codes: list[str], values: tuple) -> dict:
    return {code: value for code, value in zip(codes, values, strict=True) if value is not None}

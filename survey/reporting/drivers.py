"""Key drivers: the wave's cross-products (built at close) -> regressions in analytics.

For each outcome (WHO-5, burnout, promotion fairness) a regression on the supervisor
support, PDR/MAX and promotion items, for the whole wave or for one published group of a
breakdown's top level (e.g. ethnic minority or White), under the wave's protection: the
group must be shown in that level's respondent table, hold at least DRIVER_MIN_N
complete cases, and leave no remainder of 1..k-1 complete cases (publishable_groups).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from analytics.disclosure import protect_levels
from analytics.drivers import (
    DriverModel,
    ModelNotEstimable,
    fit_drivers,
    publishable_groups,
    unpack_upper,
)
from survey.extensions import db
from survey.instruments import APART, NOT_STATED, Definition
from survey.models import Moment, Wave
from survey.reporting.breakdowns import (
    breakdown_levels,
    level_categories,
    levels_of,
    recoded_labels,
    wave_recoding,
)
from survey.reporting.stats import read_tally, respondents_for
from survey.services.instruments import unit_choices
from survey.services.tally import ALL, RESPONDENTS

DRIVER_MIN_N = 100
"""Complete cases a model needs before it is shown (about 20 predictors: 5 per predictor)."""


@dataclass(frozen=True)
class OutcomeDrivers:
    outcome: str
    model: DriverModel | None  # None: hidden (too few complete cases) or not estimable
    reason: str | None


@dataclass(frozen=True)
class DriversView:
    wave: str
    k: int
    level: str | None  # None: the whole wave
    group: str | None
    minimum: int
    outcomes: tuple[OutcomeDrivers, ...]


def top_levels(wave: Wave, definition: Definition) -> list[str]:
    """The coarsest level of each reportable breakdown (e.g. ethnic minority or White)."""
    return [levels_of(definition, code)[-1] for code in wave.breakdowns]


def published_groups(wave: Wave, definition: Definition, level: str) -> dict[str, str]:
    """The level's stated groups shown in its respondent table (code -> label)."""
    labels, visible, _ = _level_groups(wave, definition, level)
    return {g: label for g, label in labels.items() if g in visible}


def drivers_view(wave: Wave, level: str | None = None, group: str | None = None) -> DriversView:
    definition = Definition(wave.instrument.definition)
    if level is None:
        stored = _read(wave, ALL)
        outcomes = tuple(_whole(wave, model, parts.get(ALL)) for model, parts in stored.items())
        return DriversView(wave.code, wave.threshold, None, None, DRIVER_MIN_N, outcomes)
    _, visible, mapping = _level_groups(wave, definition, level)
    stored = _read(wave, definition.levels[level][0])
    outcomes = tuple(
        _for_group(wave, model, parts, mapping, visible, group) for model, parts in stored.items()
    )
    return DriversView(wave.code, wave.threshold, level, group, DRIVER_MIN_N, outcomes)


def _level_groups(wave, definition, level):
    breakdown = definition.levels[level][0]
    units = dict(unit_choices())
    finest = read_tally(wave, [breakdown], measures=[RESPONDENTS]).get(breakdown, {})
    recoding = wave_recoding(wave, definition, breakdown, finest, units)
    maps = {lv: recoding.mapping(lv) for lv in breakdown_levels(definition, breakdown)}
    counts = {g: respondents_for(finest.get(g, {}), RESPONDENTS)
              for g in level_categories(definition, breakdown, units)}
    protected = protect_levels(counts, maps, wave.threshold)[level]
    labels = recoded_labels(definition, level, units, recoding)
    visible = {g for g in labels if g not in APART and protected.is_visible(g)}
    return labels, visible, maps[level]


def _read(wave: Wave, dimension: str) -> dict[str, dict[str, tuple[list[str], np.ndarray]]]:
    """model -> group -> (variables, Z'Z), groups as stored (finest)."""
    query = (
        select(Moment.model, Moment.grp, Moment.variables, Moment.sums)
        .where(Moment.wave_id == wave.id, Moment.dimension == dimension)
        .order_by(Moment.model, Moment.grp)
    )
    out: dict = defaultdict(dict)
    for model, grp, variables, sums in db.session.execute(query):
        out[model][grp] = (variables, unpack_upper(sums, len(variables) + 1))
    return dict(out)


def _whole(wave: Wave, model: str, part) -> OutcomeDrivers:
    if part is None or part[1][0, 0] < max(DRIVER_MIN_N, wave.threshold):
        return OutcomeDrivers(model, None, "too_few")
    return _fit(model, *part)


def _for_group(wave, model, parts, mapping, visible, group) -> OutcomeDrivers:
    rolled: dict[str, np.ndarray] = {}
    for finest, (_, sums) in parts.items():
        target = mapping.get(finest, NOT_STATED)
        rolled[target] = rolled[target] + sums if target in rolled else sums
    complete = {g: int(rolled[g][0, 0] + 0.5) for g in visible if g in rolled}
    total = sum(int(m[0, 0] + 0.5) for m in rolled.values())
    shown = publishable_groups(complete, total, DRIVER_MIN_N, wave.threshold)
    if group not in shown:
        return OutcomeDrivers(model, None, "too_few")
    variables = next(iter(parts.values()))[0]
    return _fit(model, variables, rolled[group])


def _fit(model: str, variables: list[str], sums: np.ndarray) -> OutcomeDrivers:
    try:
        return OutcomeDrivers(model, fit_drivers(model, variables[1:], sums), None)
    except ModelNotEstimable:
        return OutcomeDrivers(model, None, "not_estimable")

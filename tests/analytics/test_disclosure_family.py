"""Attack a wave's whole family of tables at once: every level of every breakdown and every
declared intersection with its margins, as one system of published sums.

The population is a three-way table (ethnicity x sex x rank, each with "not stated", rank
also with "not applicable"); the wave publishes ethnicity at three nested levels, sex, rank,
ethnic group x sex, minority/White x rank and rank x sex. The integer-programming attacker of
test_disclosure_attack gets every published number and every additive relation between
them (each coarse group is the sum of its finest groups, each table's lines sum to its
margins, the margins are the one-way figures) and bounds every hidden figure.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from analytics.disclosure import (
    HIDDEN_LABEL,
    MERGED,
    FamilyShape,
    Suppressed,
    information_loss,
    protect_family,
    protect_levels,
    recode_family,
)
from tests.analytics.test_disclosure_attack import (
    Equation,
    Key,
    assert_attacker_learns_too_little,
    attack_settings,
)

ETHNICITY = ["indian", "pakistani", "caribbean", "african", "arab", "other_ethnic",
             "british", "irish", "not_stated"]
GROUP5 = {"indian": "asian", "pakistani": "asian", "caribbean": "black", "african": "black",
          "arab": "other", "other_ethnic": "other", "british": "white", "irish": "white"}
MINORITY = {e: "white" if g == "white" else "minority" for e, g in GROUP5.items()}
SEX = ["female", "male", "not_stated"]
RANK = ["constable", "sergeant", "not_stated", "not_applicable"]
SHAPE = FamilyShape(
    levels={
        "ethnicity": {"ethnicity": None, "ethnicity_5": GROUP5, "ethnic_minority": MINORITY},
        "sex": {"sex": None},
        "rank": {"rank": None},
    },
    intersections=[("ethnicity_5", "sex"), ("ethnic_minority", "rank"), ("rank", "sex")],
    apart=["not_stated", "not_applicable"],
)
AXES = {"ethnicity": (0, ETHNICITY), "sex": (1, SEX), "rank": (2, RANK)}


def level_of(level: str) -> tuple[int, list[str], dict[str, str] | None]:
    breakdown = SHAPE.breakdown_of(level)
    axis, finest = AXES[breakdown]
    return axis, finest, SHAPE.levels[breakdown][level]


def original_group(level: str, finest_code: str) -> str:
    mapping = level_of(level)[2]
    return finest_code if mapping is None else mapping.get(finest_code, finest_code)


def one_way(people: np.ndarray, breakdown: str) -> dict[str, int]:
    axis, finest = AXES[breakdown]
    sums = people.sum(axis=tuple(a for a in range(3) if a != axis))
    return {code: int(n) for code, n in zip(finest, sums, strict=True)}


def cells_of(people: np.ndarray, first: str, second: str) -> dict[tuple[str, str], int]:
    (a, fine_a, _), (b, fine_b, _) = level_of(first), level_of(second)
    counts = people.sum(axis=3 - a - b)
    cells: dict[tuple[str, str], int] = {}
    for (i, j), n in np.ndenumerate(counts if a < b else counts.T):
        key = (original_group(first, fine_a[i]), original_group(second, fine_b[j]))
        cells[key] = cells.get(key, 0) + int(n)
    return cells


def family_case(people: np.ndarray, k: int):
    finest = {b: one_way(people, b) for b in SHAPE.levels}
    recodings = recode_family(SHAPE, finest, k)
    cells = {pair: cells_of(people, *pair) for pair in SHAPE.intersections}
    family = protect_family(SHAPE, recodings, finest, cells, k)
    return finest, recodings, family


def published_family(people: np.ndarray, k: int):
    """Every published number, the truth behind it and every relation between them."""
    finest, recodings, family = family_case(people, k)
    total = int(people.sum())
    published: dict[Key, int | str] = {("total",): total if total >= k else HIDDEN_LABEL}
    truth: dict[Key, int] = {("total",): int(people.sum())}
    equations: list[Equation] = []
    for breakdown, levels in SHAPE.levels.items():
        groups = recodings[breakdown].groups
        for level in levels:
            for group, members in groups[level].items():
                cell = family.levels[level].cells[group]
                published[(level, group)] = HIDDEN_LABEL if isinstance(cell, Suppressed) else cell
                truth[(level, group)] = sum(finest[breakdown][m] for m in members)
                # each group is the sum of the finest level's groups inside it
                parts = [g for g, ms in groups[breakdown].items() if ms <= members]
                equations.append([*(((breakdown, g), 1) for g in parts), ((level, group), -1)])
        equations.append([*(((breakdown, g), 1) for g in groups[breakdown]), (("total",), -1)])
    for (first, second), table in family.intersections.items():
        rows, cols = list(table.row_totals), list(table.col_totals)
        recoded_cells = {key: n for key, n in table.cells.items()}
        for (r, c), value in recoded_cells.items():
            published[(first, second, r, c)] = (
                HIDDEN_LABEL if isinstance(value, Suppressed) else value
            )
        truth.update(intersection_truth(people, recodings, first, second, rows, cols))
        for r in rows:
            equations.append([*(((first, second, r, c), 1) for c in cols), ((first, r), -1)])
        for c in cols:
            equations.append([*(((first, second, r, c), 1) for r in rows), ((second, c), -1)])
        # the table's margins are the one-way figures, as published there
        assert {r: published[(first, r)] for r in rows} == table_margin(table.row_totals)
        assert {c: published[(second, c)] for c in cols} == table_margin(table.col_totals)
    return published, truth, equations, family


def table_margin(margin) -> dict:
    return {g: HIDDEN_LABEL if isinstance(v, Suppressed) else v for g, v in margin.items()}


def intersection_truth(people, recodings, first, second, rows, cols) -> dict[Key, int]:
    cells = cells_of(people, first, second)
    to_row = {original_group(first, m): g
              for m, g in recodings[SHAPE.breakdown_of(first)].mapping(first).items()}
    to_col = {original_group(second, m): g
              for m, g in recodings[SHAPE.breakdown_of(second)].mapping(second).items()}
    truth = {(first, second, r, c): 0 for r in rows for c in cols}
    for (r, c), n in cells.items():
        truth[(first, second, to_row[r], to_col[c])] += n
    return truth


@st.composite
def populations(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    size = len(ETHNICITY) * len(SEX) * len(RANK)
    values = draw(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 30)),
                           min_size=size, max_size=size))
    people = np.array(values).reshape(len(ETHNICITY), len(SEX), len(RANK))
    return people, draw(st.sampled_from([5, 10]))


@attack_settings(30)
@given(populations())
def test_no_combination_of_published_figures_pins_a_hidden_one(case) -> None:
    people, k = case
    published, truth, equations, _ = published_family(people, k)
    assert_attacker_learns_too_little(published, equations, truth, k)


def issue_population() -> np.ndarray:
    """The issue's wave: Asian 71, Black 42, Other ethnic group 9, not stated 115, White
    2,000 or so; everyone is female or male and a constable or sergeant."""
    counts = {"indian": 50, "pakistani": 21, "caribbean": 30, "african": 12, "arab": 4,
              "other_ethnic": 5, "british": 1900, "irish": 120, "not_stated": 115}
    people = np.zeros((len(ETHNICITY), len(SEX), len(RANK)), dtype=int)
    for i, code in enumerate(ETHNICITY):
        n = counts[code]
        people[i, 0, 0], people[i, 1, 1] = n - n // 2, n // 2
    return people


def test_a_small_other_ethnic_group_does_not_hide_the_ethnic_minority_figure() -> None:
    people = issue_population()
    _, recodings, family = family_case(people, 10)
    minority = family.levels["ethnic_minority"]
    assert minority.cells["minority"] == 50 + 21 + 30 + 12 + 4 + 5
    assert minority.hidden == {}
    # "Other ethnic group" (9) is merged with the smallest sibling, Black (42): 51 published
    five = family.levels["ethnicity_5"]
    assert five.cells[MERGED + "minority"] == 51
    assert recodings["ethnicity"].merged["ethnicity_5"] == {MERGED + "minority": ("black", "other")}
    assert all(isinstance(v, int) for v in five.cells.values())
    published, truth, equations, _ = published_family(people, 10)
    assert_attacker_learns_too_little(published, equations, truth, 10)


def test_recoding_hides_fewer_groups_and_people_than_suppression_alone() -> None:
    people = issue_population()
    finest = one_way(people, "ethnicity")
    levels = SHAPE.levels["ethnicity"]
    suppressed = protect_levels(finest, levels, 10)
    _, recodings, family = family_case(people, 10)
    before = sum((information_loss(suppressed[level], counts(finest, mapping))
                  for level, mapping in levels.items()), start=information_loss(
                      suppressed["ethnicity"], {}))
    after = sum((information_loss(family.levels[level], recoded_counts(
        finest, recodings["ethnicity"].groups[level])) for level in levels),
        start=information_loss(family.levels["ethnicity"], {}))
    # without recoding: Other ethnic group (9) and its smallest sibling Black (42) are hidden,
    # and with them Caribbean, African, Arab and Any other ethnic group at 19 categories
    assert (before.hidden_cells, before.hidden_respondents) == (6, (9 + 42) * 2)
    assert (after.hidden_cells, after.hidden_respondents) == (0, 0)


def counts(finest: dict[str, int], mapping) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, n in finest.items():
        group = code if mapping is None else mapping.get(code, code)
        out[group] = out.get(group, 0) + n
    return out


def recoded_counts(finest: dict[str, int], groups) -> dict[str, int]:
    return {g: sum(finest[m] for m in ms) for g, ms in groups.items()}


def test_a_hidden_one_way_group_is_hidden_as_a_margin_everywhere() -> None:
    # rank not stated: 7, below k and never merged, so hidden with one sibling, in the rank
    # table and as margins of ethnic minority x rank and rank x sex, whole lines included
    people = np.zeros((len(ETHNICITY), len(SEX), len(RANK)), dtype=int)
    people[6, 0, 0], people[6, 1, 0], people[0, 0, 1], people[6, 1, 1] = 200, 180, 30, 14
    people[6, 0, 2], people[0, 1, 2], people[0, 1, 3] = 3, 4, 60
    _, _, family = family_case(people, 10)
    hidden_ranks = set(family.levels["rank"].hidden)
    assert hidden_ranks == {"not_stated", "sergeant"}
    for pair in (("ethnic_minority", "rank"), ("rank", "sex")):
        table = family.intersections[pair]
        for (r, c) in itertools.product(table.row_totals, table.col_totals):
            if (c if pair[1] == "rank" else r) in hidden_ranks:
                assert not table.is_visible(r, c)

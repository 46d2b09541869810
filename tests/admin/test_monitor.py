"""Response-rate monitor: while a wave is open, banded snapshots taken only with a batch of
spends; once closed, exact counts protected like any published figure."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
from scipy import optimize

from survey.extensions import db
from survey.instruments import NOT_STATED, Definition
from survey.models import Role
from survey.reporting import breakdown_view
from survey.reporting.breakdowns import wave_recoding
from survey.reporting.stats import read_tally
from survey.services.codes import normalise_code
from survey.services.headcounts import replace_headcounts
from survey.services.instruments import unit_choices, unit_paths
from survey.services.monitor import DIRECT, response_rates
from survey.services.responses import import_responses, submit_response
from survey.services.tally import RESPONDENTS
from survey.services.users import create_user
from survey.services.waves import close_wave
from tests.staff_accounts import PASSWORD

PLAN = {  # unit answered -> number of released responses
    "north_response": 30, "north_neighbourhood": 3, "north_cid": 12,
    "south_response": 40, "contact_management": 20, "prefer_not": 15,
}
HEADCOUNTS = b"unit,headcount\n,400\nnorth_lpa,100\nnorth_response,60\nsouth_lpa,90\n"


def release(wave, plan: dict[str, int]) -> None:
    """Store the planned responses and close the wave, which publishes exact counts."""
    rows = [({"unit": unit, "who5_1": 3}, {}) for unit, n in plan.items() for _ in range(n)]
    import_responses(wave, rows)
    close_wave(wave)
    db.session.commit()


def shown(table) -> dict[str, int | None]:
    return {row.key: row.responses for row in table.rows}


def test_counts_are_protected_as_one_tree_with_the_results(make_wave):
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    table = response_rates(wave)
    assert table.total.responses == 120
    counts = shown(table)
    assert counts["north_lpa"] == 45 and counts["south_lpa"] == 40 and counts[NOT_STATED] == 15
    # The empty top-level units are merged for the wave with the smallest sibling, contact
    # management (20): the monitor shows no part of that merged group.
    assert counts["contact_management"] is None and counts["east_lpa"] is None
    # North: 3 and 0 are merged with 12 under North LPA; 30 stays.
    assert counts["north_response"] == 30
    assert counts["north_neighbourhood"] is None and counts["north_cid"] is None
    assert counts["north_lpa:direct"] is None
    # South: every other cell is 0, so 40 in Response would give them away: all hidden.
    assert all(counts[c] is None for c in ("south_response", "south_neighbourhood", "south_cid"))


def test_monitor_and_results_unit_counts_together_recover_nothing_below_k(make_wave):
    # Issue 8, leak (c): North LPA's 45 minus the results' visible North units gave 1 and 0.
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    codes = [*sorted(unit_paths()), NOT_STATED]
    published: list[tuple[frozenset, int]] = []
    table = response_rates(wave)
    subtree = {code: {c for c, path in unit_paths().items() if code in path} for code in codes}
    for row in [table.total, *table.rows]:
        if row.responses is None:
            continue
        members = (set(codes) if row.kind == "total" else {NOT_STATED}
                   if row.kind == "not_stated" else {row.key.removesuffix(DIRECT)}
                   if row.kind == "direct" else subtree[row.key])
        published.append((frozenset(members), row.responses))
    view = breakdown_view(wave, "unit", RESPONDENTS)
    recoding = view_groups(wave)
    for group, n in view.respondents.cells.items():
        if isinstance(n, int):
            published.append((recoding[group], n))
    assert any(n == 30 for members, n in published if members == {"north_response"})
    hidden = [frozenset(subtree[c] or {c}) for c in codes]
    hidden += [frozenset({c}) for c in codes]
    for members in set(hidden) - {m for m, _ in published}:
        low, high = _bounds(codes, published, members)
        assert high >= wave.threshold, sorted(members)
        assert low < high, sorted(members)


def view_groups(wave) -> dict[str, frozenset]:
    definition = Definition(wave.instrument.definition)
    tally = read_tally(wave, ["unit"]).get("unit", {})
    recoding = wave_recoding(wave, definition, "unit", tally, dict(unit_choices()))
    return recoding.groups["unit"]


def _bounds(codes: list[str], published, members: frozenset) -> tuple[int, int]:
    """Least and greatest total of `members` over non-negative integer counts per unit
    answered that agree with every published figure (integer programming)."""
    rows = np.array([[1.0 if c in m else 0.0 for c in codes] for m, _ in published])
    target = np.array([float(n) for _, n in published])
    objective = np.array([1.0 if c in members else 0.0 for c in codes])
    found = []
    for sign in (1.0, -1.0):
        result = optimize.milp(sign * objective, integrality=np.ones(len(codes)),
                               bounds=optimize.Bounds(0, np.inf),
                               constraints=optimize.LinearConstraint(rows, target, target))
        assert result.success
        found.append(round(sign * result.fun))
    return found[0], found[1]


def test_no_hidden_count_can_be_rebuilt_from_the_shown_ones(make_wave):
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    table = response_rates(wave)
    by_key = {row.key: row for row in table.rows}
    groups = [[table.total, *[r for r in table.rows if r.depth == 1]]]
    groups += [[by_key[key], *by_key[key].children] for key in ("north_lpa", "south_lpa")]
    for parent, *cells in groups:
        hidden = [cell for cell in cells if cell.hidden]
        if parent.hidden or not hidden:
            continue
        assert len(hidden) >= 2, parent.label
        visible = sum(cell.responses for cell in cells if not cell.hidden)
        assert parent.responses - visible >= wave.threshold, parent.label


def test_rates_use_the_headcounts(make_wave):
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    replace_headcounts(wave, HEADCOUNTS)
    db.session.commit()
    table = response_rates(wave)
    rows = {row.key: row for row in table.rows}
    assert table.total.headcount == 400 and table.total.rate == 30.0
    assert rows["north_lpa"].rate == 45.0
    assert rows["north_response"].rate == 50.0
    assert rows["south_lpa"].headcount == 90 and round(rows["south_lpa"].rate, 1) == 44.4
    assert rows["east_lpa"].headcount is None and rows["east_lpa"].rate is None


def test_open_counts_move_only_with_a_batch_and_in_steps_of_k(make_wave, issue, code_key):
    wave = make_wave(state="open", threshold=5)
    codes = issue(wave, 13)
    seen = []
    for code in codes:
        submit_response(normalise_code(code), code_key, wave.id, {"unit": "north_response"}, {})
        seen.append(response_rates(wave).total.responses)
    assert seen == [None] * 4 + [5] * 5 + [10] * 4
    table = response_rates(wave)
    assert table.banded and table.as_of is not None


def test_a_snapshot_is_taken_at_most_every_progress_interval(app, make_wave, issue, code_key):
    wave = make_wave(state="open", threshold=5)
    app.config["PROGRESS_SECONDS"] = 3600
    try:
        for code in issue(wave, 10):
            submit_response(normalise_code(code), code_key, wave.id, {"unit": "north_lpa"}, {})
    finally:
        app.config["PROGRESS_SECONDS"] = 0
    assert response_rates(wave).total.responses == 5  # the second batch came too soon
    assert wave.progress == {"north_lpa": 5}


def cells(page: str) -> dict[str, str]:
    """Unit label -> the released-responses cell, as the page shows them."""
    found = {}
    for row in re.findall(r"<tr class=\"depth-\d\">(.*?)</tr>", page, re.S):
        parts = [re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", p))).strip()
                 for p in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        found[parts[0].lstrip("\u2014 ")] = parts[1]
    return found


def test_the_page_never_shows_a_count_below_k(admin_client, make_wave):
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    page = admin_client.get(f"/admin/waves/{wave.id}/monitor").text
    shown_cells = cells(page)
    assert shown_cells["Whole force"] == "120"
    assert shown_cells["North LPA"] == "45"
    assert shown_cells["East LPA"] == "Fewer than 10 or withheld"
    assert shown_cells["Neighbourhood Policing"] == "Fewer than 10 or withheld"
    for value in shown_cells.values():
        assert not re.fullmatch(r"[0-9]", value), "no count from 0 to k-1 appears"


def test_an_hr_partner_sees_the_units_in_their_scope(app, make_wave, new_client, login):
    wave = make_wave(state="open", threshold=10)
    release(wave, PLAN)
    create_user("north.hr@force.test", PASSWORD, Role.HR, ["north_lpa"])
    db.session.commit()
    client = new_client()
    login(client, "north.hr@force.test")
    shown_cells = cells(client.get(f"/admin/waves/{wave.id}/monitor").text)
    assert "North LPA" in shown_cells and "Response" in shown_cells
    assert "South LPA" not in shown_cells and "Contact Management" not in shown_cells
    assert shown_cells["Whole force"] == "120"


def test_the_positive_action_officer_may_watch_rates(make_wave, new_client, login, staff):
    wave = make_wave(state="open", threshold=10)
    client = new_client()
    login(client, staff[Role.PAO])
    page = client.get(f"/admin/waves/{wave.id}/monitor")
    assert page.status_code == 200
    assert cells(page.text)["Whole force"] == "Fewer than 10 or withheld"


def test_without_a_unit_breakdown_only_the_whole_force_is_shown(admin_client, make_wave):
    wave = make_wave(state="open", threshold=10, breakdowns=["sex"])
    release(wave, PLAN)
    table = response_rates(wave)
    assert table.rows == [] and table.total.responses == 120
    assert "whole force only" in admin_client.get(f"/admin/waves/{wave.id}/monitor").text

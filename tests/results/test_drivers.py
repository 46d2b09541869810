"""Key drivers from the cross-products built at close match statsmodels OLS on the raw
rows (complete cases), for the whole wave and one group; small groups stay hidden; the
page, API and exports agree."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from sqlalchemy import select

from analytics.disclosure import HIDDEN_LABEL
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Moment, Response
from survey.reporting.drivers import DRIVER_MIN_N
from survey.services.moments import driver_specs
from tests.results.reading import csv_tables, page_tables

WHITE = {"white_british", "irish", "gypsy_traveller", "roma", "white_other"}


@pytest.fixture(scope="module")
def count():
    return 2500


@pytest.fixture
def wave(results_wave, count):
    return results_wave(count=count)


def raw_fit(wave, outcome, keep=lambda groups: True):
    """statsmodels on z-scored complete cases read straight from the responses."""
    spec = next(s for s in driver_specs(Definition(wave.instrument.definition))
                if s.model == outcome)
    rows = []
    for answers, scores, groups in db.session.execute(
        select(Response.answers, Response.scores, Response.groups).filter_by(wave_id=wave.id)
    ):
        values = [answers.get(i) for i in spec.predictors]
        if keep(groups) and outcome in scores and all(isinstance(v, int) for v in values):
            rows.append([scores[outcome], *values])
    data = np.array(rows, dtype=float)
    z = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
    return spec, sm.OLS(z[:, 0], sm.add_constant(z[:, 1:])).fit()


def api_tables(client, wave, query=""):
    response = client.get(f"/api/waves/{wave.code}/drivers{query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["tables"]


def assert_matches(table, summary_row, spec, fitted):
    assert summary_row["values"]["n"] == int(fitted.nobs)
    assert summary_row["values"]["r_squared"] == round(fitted.rsquared, 3)
    rows = {row["key"]: row["values"] for row in table["rows"]}
    bounds = fitted.conf_int(0.05)
    for j, item in enumerate(spec.predictors, start=1):
        assert rows[item]["beta"] == round(fitted.params[j], 3)
        assert rows[item]["ci_low"] == round(bounds[j][0], 3)
        assert rows[item]["ci_high"] == round(bounds[j][1], 3)
    betas = [abs(row["values"]["beta"]) for row in table["rows"]]
    assert betas == sorted(betas, reverse=True)


@pytest.mark.parametrize("outcome", ["who5", "cbi_work", "promotion_fairness"])
def test_whole_wave_drivers_match_statsmodels(hr, wave, outcome):
    summary, *per_outcome = api_tables(hr, wave)
    spec, fitted = raw_fit(wave, outcome)
    assert fitted.nobs >= DRIVER_MIN_N
    row = next(r for r in summary["rows"] if r["key"] == outcome)
    table = next(t for t in per_outcome if t["title"].endswith(row["cells"][0]))
    assert_matches(table, row, spec, fitted)
    if outcome == "promotion_fairness":
        assert not {r["key"] for r in table["rows"]} & {i for i in spec.predictors
                                                        if i.startswith("promo_")}


def test_a_group_model_matches_statsmodels_on_that_group(hr, wave):
    summary, *per_outcome = api_tables(hr, wave, "?level=ethnic_minority&group=white")
    spec, fitted = raw_fit(wave, "who5", lambda groups: groups.get("ethnicity") in WHITE)
    row = next(r for r in summary["rows"] if r["key"] == "who5")
    table = next(t for t in per_outcome if t["title"].endswith(row["cells"][0]))
    assert_matches(table, row, spec, fitted)


def test_moments_are_stored_per_finest_group_at_close(wave):
    rows = db.session.scalars(select(Moment).filter_by(wave_id=wave.id, dimension="sex")).all()
    assert {row.grp for row in rows} >= {"female", "male"}
    whole = db.session.scalars(select(Moment).filter_by(wave_id=wave.id, dimension="_all")).all()
    for model in {row.model for row in whole}:
        parts = sum(row.n for row in rows if row.model == model)
        assert parts == next(row.n for row in whole if row.model == model)


def test_groups_below_the_minimum_are_hidden_and_no_n_is_below_k(hr, wave):
    groups = hr.get(f"/results/{wave.code}/drivers?level=religion&group=christian")
    assert groups.status_code == 200
    for level, group in (("religion", "no_religion"), ("age_band", "under_26")):
        summary, *_ = api_tables(hr, wave, f"?level={level}&group={group}")
        for row in summary["rows"]:
            n = row["values"].get("n")
            assert row["hidden"] or (n is not None and n >= DRIVER_MIN_N)
            if row["hidden"]:
                assert set(row["cells"][1:]) == {HIDDEN_LABEL}


def test_page_and_csv_show_the_api_tables(hr, wave):
    tables = api_tables(hr, wave)
    page = page_tables(hr.get(f"/results/{wave.code}/drivers").text)
    assert page.tables == [[row["cells"] for row in t["rows"]] for t in tables]
    lines = csv_tables(hr.get(f"/results/{wave.code}/drivers?format=csv").data)
    assert lines[3 : 3 + len(tables[0]["rows"])] == [row["cells"] for row in tables[0]["rows"]]


def test_a_group_not_offered_is_refused(hr, wave):
    assert hr.get(f"/api/waves/{wave.code}/drivers?level=sex&group=nobody").status_code == 400
    assert hr.get(f"/api/waves/{wave.code}/drivers?level=ethnicity_19").status_code == 400

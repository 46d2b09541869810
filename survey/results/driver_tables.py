"""Key drivers as Tables: one summary of the models (n, R-squared), then one table per
shown outcome listing its predictors, strongest first."""

from __future__ import annotations

from analytics.drivers import DriverModel
from survey.instruments import Definition
from survey.models import Wave
from survey.reporting.breakdowns import measure_title
from survey.reporting.drivers import DriversView
from survey.results import tables as t
from survey.results.tables import Column, Row, Table

METHOD_NOTE = (
    "Standardised coefficients from one linear regression (ordinary least squares) per "
    "outcome on every predictor question at once: the change in the outcome, in standard "
    "deviations, with one standard deviation more agreement, the other questions held "
    "equal. Associations in one survey, not proof of cause."
)
MISSING_NOTE = (
    "Complete cases only: people who have the outcome score and answered every predictor "
    "question (\u201cDon't know\u201d or a skipped question leaves a person out of that model)."
)


def driver_tables(wave: Wave, definition: Definition, view: DriversView, who: str) -> list[Table]:
    subtitle = f"{t.wave_line(wave)}; {who}"
    tables = [_summary(view, definition, subtitle)]
    for result in view.outcomes:
        if result.model is not None:
            tables.append(_drivers(result.model, definition, subtitle, view.k))
    return tables


def _summary(view: DriversView, definition: Definition, subtitle: str) -> Table:
    columns = (
        Column("outcome", "Outcome", numeric=False),
        Column("n", "Complete cases (n)"),
        Column("r_squared", "R-squared"),
        Column("adjusted_r_squared", "Adjusted R-squared"),
        Column("predictors", "Predictor questions"),
    )
    rows = []
    for result in view.outcomes:
        title = measure_title(definition, result.outcome)
        if result.model is None and result.reason == "too_few":
            rows.append(t.hidden_row(result.outcome, title, len(columns)))
        elif result.model is None:
            rows.append(Row(result.outcome, (
                t.text(title), t.text("Cannot be estimated: a question does not vary", n=None),
                t.not_applicable("r_squared"), t.not_applicable("adjusted_r_squared"),
                t.not_applicable("predictors"),
            )))
        else:
            model = result.model
            rows.append(Row(result.outcome, (
                t.text(title), t.count(model.n), t.number(model.r_squared, 3, "r_squared"),
                t.number(model.adjusted_r_squared, 3, "adjusted_r_squared"),
                t.count(len(model.drivers), "predictors"),
            )))
    notes = (
        *t.threshold_notes(view.k),
        f"A model is shown only with at least {view.minimum} complete cases; for a group, "
        "only if the group is shown in its breakdown and the complete cases of the groups "
        f"not shown add up to none or at least {view.k}.",
        MISSING_NOTE,
        METHOD_NOTE,
    )
    return t.table("Key-driver models", subtitle, columns, rows, notes)


def _drivers(model: DriverModel, definition: Definition, subtitle: str, k: int) -> Table:
    columns = (
        Column("predictor", "Question", numeric=False),
        Column("beta", "Standardised coefficient"),
        Column("ci", "95% CI"),
        Column("q", "q"),
        Column("status", "Result", numeric=False),
    )
    rows = [
        Row(driver.predictor, (
            t.text(measure_title(definition, driver.predictor), predictor=driver.predictor),
            t.number(driver.beta, 3, "beta", signed=True),
            t.interval(driver.interval, 3, signed=True),
            t.q_value(driver.q_value),
            t.text("Significant" if driver.significant else "Not significant",
                   status="significant" if driver.significant else "not_significant"),
        ))
        for driver in model.drivers
    ]
    notes = (
        f"n = {model.n:,} complete cases; R-squared {model.r_squared:.3f} (adjusted "
        f"{model.adjusted_r_squared:.3f}).",
        "Significant: the question's link with the outcome is too strong to be chance, "
        "allowing for the number of questions in the model (q-value below 0.05: see the "
        "glossary); questions that are not significant are shown too, not set to zero.",
        "Strongest first, by the size of the standardised coefficient.",
        METHOD_NOTE,
    )
    title = f"Key drivers of {measure_title(definition, model.outcome)}"
    return t.table(title, subtitle, columns, rows, notes)

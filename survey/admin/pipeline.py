"""Promotion pipeline counts from HR, uploaded by an administrator: the same loader as
`flask pipeline load` (survey/services/pipeline.py), all or nothing, audited. The page
lists what is loaded (rounds, stages, breakdowns), never the counts: administrators
read no results, and the pipeline's figures are published only through /results."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from survey.admin import bp
from survey.admin.files import uploaded_bytes, uploaded_name
from survey.admin.forms import PipelineUploadForm, choices
from survey.extensions import db
from survey.instruments import Definition
from survey.models import Instrument, PromotionCount
from survey.services import audit as events
from survey.services.audit import record
from survey.services.csv_files import CsvRejected
from survey.services.pipeline import load_pipeline_csv


@bp.route("/pipeline", methods=["GET", "POST"])
def pipeline_counts():
    form = PipelineUploadForm()
    instruments = {i.id: i for i in db.session.scalars(
        select(Instrument).order_by(Instrument.code, Instrument.version))}
    form.instrument.choices = choices((i.id, i.label) for i in instruments.values())
    problems: list[str] = []
    if form.validate_on_submit():
        definition = Definition(instruments[form.instrument.data].definition)
        try:
            count = load_pipeline_csv(uploaded_bytes(form), definition)
        except CsvRejected as error:
            db.session.rollback()
            problems = error.problems
        else:
            record(events.PIPELINE_LOADED, current_user, rows=count, file=uploaded_name(form))
            db.session.commit()
            flash(f"Loaded {count} pipeline counts, replacing those of the rounds the file "
                  "names.")
            return redirect(url_for("admin.pipeline_counts"))
    status = 422 if problems or form.errors else 200
    return render_template("admin/pipeline.html", form=form, problems=problems,
                           rounds=loaded_rounds()), status


def loaded_rounds() -> list:
    """Each loaded round: its stages, breakdowns and rows (no counts)."""
    query = (
        select(PromotionCount.round_code,
               func.count(func.distinct(PromotionCount.stage)).label("stages"),
               func.count(func.distinct(PromotionCount.breakdown)).label("breakdowns"),
               func.count().label("rows"))
        .group_by(PromotionCount.round_code)
        .order_by(PromotionCount.round_code)
    )
    return db.session.execute(query).all()

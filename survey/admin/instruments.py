"""Instrument versions (upload, preview) and the organisation unit tree."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from survey.admin import bp
from survey.admin.files import download, uploaded_bytes, uploaded_name
from survey.admin.forms import UploadForm
from survey.extensions import db
from survey.forms import section_form
from survey.instruments import Definition, InstrumentError
from survey.models import Instrument, Unit
from survey.services import DomainError
from survey.services.audit import INSTRUMENT_LOADED, UNITS_LOADED, record
from survey.services.imports import import_template
from survey.services.instruments import load_units_text, register_instrument_text, unit_choices


@bp.route("/instruments", methods=["GET", "POST"])
def instruments():
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        name = uploaded_name(form)
        try:
            instrument = register_instrument_text(uploaded_bytes(form).decode("utf-8"), name)
        except UnicodeDecodeError:
            problems = ["The file is not UTF-8 text. Save it as UTF-8 and upload it again."]
        except InstrumentError as error:
            problems = error.problems
        except DomainError as error:
            problems = [str(error)]
        else:
            record(INSTRUMENT_LOADED, current_user, instrument=instrument.code,
                   version=instrument.version, file=name)
            db.session.commit()
            flash(f"Loaded {instrument.label}. Check the preview before using it in a wave.")
            return redirect(url_for("admin.instruments"))
        db.session.rollback()
    listed = db.session.scalars(select(Instrument).order_by(Instrument.code, Instrument.version))
    status = 422 if problems or form.errors else 200
    return render_template(
        "admin/instruments.html", form=form, problems=problems, instruments=listed.all()
    ), status


def _instrument(instrument_id: int) -> Instrument:
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None:
        abort(404)
    return instrument


@bp.get("/instruments/<int:instrument_id>/preview")
def preview(instrument_id: int):
    """Every section as a respondent sees it, in a page that cannot submit answers."""
    definition = Definition(_instrument(instrument_id).definition)
    units = unit_choices()
    sections = [
        (section, section_form(definition, section, units)) for section in definition.sections
    ]
    return render_template(
        "admin/preview.html", definition=definition, sections=sections, steps=len(sections) + 1
    )


@bp.get("/instruments/<int:instrument_id>/import-template.csv")
def import_template_csv(instrument_id: int):
    instrument = _instrument(instrument_id)
    text = import_template(Definition(instrument.definition))
    return download(text, f"{instrument.code}-v{instrument.version}-import-template.csv")


@bp.route("/units", methods=["GET", "POST"])
def units():
    form = UploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            count = load_units_text(uploaded_bytes(form).decode("utf-8"), uploaded_name(form))
        except UnicodeDecodeError:
            db.session.rollback()
            problems = ["The file is not UTF-8 text. Save it as UTF-8 and upload it again."]
        except DomainError as error:
            db.session.rollback()
            problems = [str(error)]
        else:
            record(UNITS_LOADED, current_user, units=count)
            db.session.commit()
            flash(f"Loaded {count} units.")
            return redirect(url_for("admin.units"))
    tops = db.session.scalars(select(Unit).filter_by(parent_id=None).order_by(Unit.name)).all()
    status = 422 if problems or form.errors else 200
    return render_template("admin/units.html", form=form, problems=problems, tops=tops), status


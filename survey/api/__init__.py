"""The versioned JSON API for reporting tools (/api/v1), described by /api/v1/openapi.json.

Callers authenticate with a personal access token (Authorization: Bearer ...; see
survey/services/tokens.py), which acts with its owner's role: access.py checks it before
anything else, as for every endpoint. Answers are the results pages' Tables (the same
Pages as /results and /api), so every figure is the one the pages show, after the
wave's disclosure control, for closed waves only. Errors are JSON with 401, 403, 404 or
422 (a parameter that is not one of those offered).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from survey.api.openapi import openapi_document
from survey.extensions import db
from survey.instruments import Definition
from survey.reporting import reportable_measures
from survey.results import params as p
from survey.results.api import (
    breakdown,
    drivers,
    heatmap,
    no_store,
    overview,
    pipeline,
    pipeline_rounds,
    trend,
    waves,
)
from survey.security import NUL_REFUSED
from survey.services import NotFound
from survey.services.actions import actions_by_wave, closed_wave, wave_measures
from survey.services.audit import EXPORT_TAKEN, record

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException):
    """JSON errors; a parameter the API does not offer is 422, a malformed request (a NUL
    byte, refused before any view) stays 400."""
    malformed = error.description == NUL_REFUSED
    status = 422 if error.code == 400 and not malformed else error.code
    return jsonify(error={"status": status, "message": error.description}), status


bp.after_request(no_store)
# The views /api has too, under this API's paths and endpoint names.
bp.add_url_rule("/waves", view_func=waves)
bp.add_url_rule("/waves/<wave_code>", "wave", overview)
bp.add_url_rule("/waves/<wave_code>/gaps", "gaps", breakdown)
bp.add_url_rule("/waves/<wave_code>/heatmap", view_func=heatmap)
bp.add_url_rule("/waves/<wave_code>/drivers", view_func=drivers)
bp.add_url_rule("/waves/<wave_code>/trends", "trends", trend)
bp.add_url_rule("/pipeline", view_func=pipeline_rounds)
bp.add_url_rule("/pipeline/<round_code>", view_func=pipeline)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/waves/<wave_code>/measures")
def measures(wave_code: str):
    definition = Definition(p.released_wave(wave_code).instrument.definition)
    titles = p.measure_titles(definition)
    listed = [{"code": code, "title": titles[code],
               "kind": "score" if code in definition.measures else "item"}
              for code in reportable_measures(definition)]
    return jsonify(measures=listed)


@bp.get("/waves/<wave_code>/breakdowns")
def breakdowns(wave_code: str):
    found = p.released_wave(wave_code)
    levels = p.wave_levels(found, Definition(found.instrument.definition))
    return jsonify(breakdowns=[{"level": code, "title": title} for code, title in levels.items()])


@bp.get("/actions")
def actions():
    """Actions on results by wave ("you said, we did"): the public page's text, as data."""
    code = request.args.get("wave") or None
    if code is not None:
        try:
            closed_wave(code)
        except NotFound as error:
            abort(404, description=str(error))
    listed = [{"code": wave.code, "title": wave.title,
               "actions": [action_fields(row, wave_measures(wave)) for row in rows]}
              for wave, rows in actions_by_wave(code)]
    record(EXPORT_TAKEN, current_user._get_current_object(), format="json", view="actions",
           wave=code)
    db.session.commit()
    return jsonify(waves=listed)


def action_fields(row, measures: dict[str, str]) -> dict:
    return {
        "id": row.id, "measure": row.measure,
        "measure_title": measures.get(row.measure, row.measure),
        "finding": row.finding, "action": row.action, "owner_role": row.owner_role,
        "due_on": row.due_on.isoformat(), "status": row.status.value,
        "notes": [{"at": note.at.isoformat(timespec="seconds"), "text": note.text}
                  for note in row.notes],
    }

"""JSON API (/api): the same Pages as the results pages, as data.

The API for reporting tools (/api/v1) serves the views it shares with this one from here.

Each answer holds the view's Tables (display text, plus machine values per row:
estimate, ci_low, ci_high, n... and hidden) and the choices made. Every answer that
returns figures is recorded in the audit log, like an export. Errors are JSON too.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from analytics.disclosure import HIDDEN_LABEL
from survey.database import start_writing
from survey.extensions import db
from survey.results import drivers_page, heatmap_page, pages, queries
from survey.results.pages import Page
from survey.results.views import record_output
from survey.services.audit import EXPORT_TAKEN, record

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException):
    return jsonify(error={"status": error.code, "message": error.description}), error.code


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def answer(page: Page):
    body = {
        "view": page.view,
        "wave": wave_fields(page.wave) if page.wave is not None else None,
        "params": page.params,
        "hidden_label": HIDDEN_LABEL,
        "notices": list(page.notices),
        **page.report.as_dict(),
    }
    record_output(page, "json")
    db.session.commit()
    return jsonify(body)


def wave_fields(wave) -> dict:
    return {
        "code": wave.code,
        "title": wave.title,
        "state": wave.state.value,
        "k": wave.threshold,
        "comment_k": wave.comment_threshold,
        "opens_on": wave.opens_on.isoformat(),
        "closes_on": wave.closes_on.isoformat(),
    }


@bp.get("/waves")
def waves():
    listed = [
        {**wave_fields(w), "respondents": queries.respondents(w)} for w in queries.released_waves()
    ]
    start_writing(db.session)
    record(EXPORT_TAKEN, current_user._get_current_object(), format="json", view="waves")
    db.session.commit()
    return jsonify(waves=listed, hidden_label=HIDDEN_LABEL)


@bp.get("/waves/<wave_code>")
def overview(wave_code: str):
    return answer(pages.overview(wave_code))


@bp.get("/waves/<wave_code>/breakdown")
def breakdown(wave_code: str):
    return answer(pages.breakdown(wave_code, request.args, strict=True))


@bp.get("/waves/<wave_code>/intersection")
def intersection(wave_code: str):
    return answer(pages.intersection(wave_code, request.args))


@bp.get("/waves/<wave_code>/trend")
def trend(wave_code: str):
    return answer(pages.trend_view(wave_code, request.args, strict=True))


@bp.get("/waves/<wave_code>/comments")
def comments(wave_code: str):
    return answer(pages.comments(wave_code, request.args))


@bp.get("/waves/<wave_code>/representation")
def representation(wave_code: str):
    return answer(pages.representation_view(wave_code, request.args))


@bp.get("/waves/<wave_code>/heatmap")
def heatmap(wave_code: str):
    return answer(heatmap_page.heatmap(wave_code, request.args))


@bp.get("/waves/<wave_code>/drivers")
def drivers(wave_code: str):
    return answer(drivers_page.drivers(wave_code, request.args))


@bp.get("/pipeline")
def pipeline_rounds():
    return jsonify(rounds=queries.pipeline_rounds())


@bp.get("/pipeline/<round_code>")
def pipeline(round_code: str):
    return answer(pages.pipeline(round_code, request.args, strict=True))

"""Results pages for staff (/results): GET only, server-rendered, each with its exports.

A view checks its parameters and builds a Page (pages.py); ?format=csv|xlsx|pdf returns
the same Page's tables as a file and is audited. Charts are an enhancement drawn by
static/js/charts.js with plotly.js, which is served from here (never from a CDN).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from analytics.disclosure import HIDDEN_LABEL
from survey.database import start_writing
from survey.extensions import db
from survey.results import drivers_page, exports, heatmap_page, jobs, pages, queries, report_pack
from survey.results import params as p
from survey.results.pages import Page
from survey.results.pdf.document import fairness_pdf
from survey.results.pdf.plain_words import GLOSSARY
from survey.results.tables import lower_first
from survey.services.audit import EXPORT_TAKEN, record
from survey.services.instruments import wave_definition

bp = Blueprint("results", __name__, url_prefix="/results")
# Views exported as their tables are laid out, not one row per figure: comments are text,
# and a heatmap or driver table holds one figure per group column in each row.
LAID_OUT_VIEWS = frozenset({"comments", "heatmap", "drivers"})
bp.add_app_template_filter(lower_first, "lower_first")

YEAR = 365 * 24 * 3600
STYLE_GUARD = re.compile(
    r'document\.getElementById\("([0-9a-f]{16,64})"\)\)\{var \w+=document\.createElement\("style"\)'
)


@cache
def plotly_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


@cache
def plotly_style_ids() -> tuple[str, ...]:
    """Ids of the <style> elements plotly.js adds as it loads unless an element with that
    id exists (maplibre's CSS, for map traces we never draw). Our CSP would block them;
    the page gives the plotly <script> element such an id, so none is even tried."""
    text = _plotly_path().read_text(encoding="utf-8")
    return tuple(dict.fromkeys(STYLE_GUARD.findall(text)))


def _plotly_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@bp.context_processor
def _helpers() -> dict:
    def export_url(fmt: str) -> str:
        args = {k: v for k, v in request.args.lists() if k not in ("format", "shown_level")}
        return url_for(request.endpoint, **(request.view_args or {}), **args, format=fmt)

    def plotly_url() -> str:
        return url_for("results.plotly_js", version=plotly_version())

    return {
        "export_url": export_url,
        "plotly_url": plotly_url,
        "hidden_label": HIDDEN_LABEL,
        "plotly_style_ids": plotly_style_ids,
    }


def about(page: Page) -> dict[str, str]:
    """What the page's figures are of, for the figure-per-row exports."""
    chosen = page.params
    return {
        "wave": page.wave.code if page.wave is not None else "",
        "measure": chosen.get("measure", ""),
        "breakdown": chosen.get("level") or chosen.get("breakdown", ""),
        "group": chosen["group"] if isinstance(chosen.get("group"), str) else "",
    }


def respond(page: Page, template: str, **context):
    """The page, or with ?format= the same tables as a file (recorded in the audit log)."""
    fmt = request.args.get("format", "html")
    if fmt == "html":
        return render_template(template, page=page, title=page.report.title, **context)
    if fmt not in exports.MEDIA_TYPES:
        abort(400, description="Exports come as csv, xlsx or pdf.")
    laid_out = page.view in LAID_OUT_VIEWS
    body = exports.render(page.report, fmt, None if laid_out else about(page))
    record_output(page, fmt)
    db.session.commit()
    response = Response(body, mimetype=exports.MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{page.report.name}.{fmt}"'
    return response


def record_output(page: Page, fmt: str) -> None:
    """An export or API answer: which view, wave and choices (codes, never figures)."""
    detail = {
        "format": fmt,
        "view": page.view,
        "wave": page.wave.code if page.wave is not None else None,
        **page.params,
    }
    start_writing(db.session)
    record(EXPORT_TAKEN, current_user._get_current_object(), **detail)


@bp.get("/")
def index():
    waves = [(wave, queries.respondents(wave)) for wave in queries.released_waves()]
    return render_template(
        "results/index.html", waves=waves, rounds=queries.pipeline_rounds(), title="Results"
    )


@bp.get("/glossary")
def glossary():
    return render_template("results/glossary.html", terms=GLOSSARY, title="Glossary")


@bp.get("/pipeline/")
def pipeline_rounds():
    return render_template(
        "results/pipeline_index.html", rounds=queries.pipeline_rounds(), title="Promotion pipeline"
    )


@bp.get("/pipeline/<round_code>")
def pipeline(round_code: str):
    return respond(pages.pipeline(round_code, request.args), "results/pipeline.html")


@bp.get("/<wave_code>")
def overview(wave_code: str):
    return respond(pages.overview(wave_code), "results/overview.html")


@bp.get("/<wave_code>/breakdown")
def breakdown(wave_code: str):
    return respond(pages.breakdown(wave_code, request.args), "results/breakdown.html")


@bp.get("/<wave_code>/intersection")
def intersection(wave_code: str):
    return respond(pages.intersection(wave_code, request.args), "results/intersection.html")


@bp.get("/<wave_code>/trend")
def trend(wave_code: str):
    return respond(pages.trend_view(wave_code, request.args), "results/trend.html")


@bp.get("/<wave_code>/comments")
def comments(wave_code: str):
    return respond(pages.comments(wave_code, request.args), "results/comments.html")


@bp.get("/<wave_code>/representation")
def representation(wave_code: str):
    page = pages.representation_view(wave_code, request.args)
    return respond(page, "results/representation.html")


@bp.get("/<wave_code>/fairness-report")
def fairness_report(wave_code: str):
    """The board's fairness report of a wave as one PDF (audited as an export)."""
    organisation = current_app.config["ORGANISATION_NAME"]
    pack = report_pack.fairness_pack(wave_code, organisation, date.today())
    body = fairness_pdf(pack)
    record(EXPORT_TAKEN, current_user._get_current_object(), format="pdf",
           view="fairness_report", wave=pack.wave.code)
    db.session.commit()
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pack.name}.pdf"'
    return response


@bp.get("/<wave_code>/heatmap")
def heatmap(wave_code: str):
    return respond(heatmap_page.heatmap(wave_code, request.args), "results/heatmap.html")


@bp.get("/<wave_code>/drivers")
def drivers(wave_code: str):
    return respond(drivers_page.drivers(wave_code, request.args), "results/drivers.html")


@bp.get("/assets/plotly-<version>.min.js")
def plotly_js(version: str):
    """plotly.js as shipped inside the installed plotly package, under a versioned URL."""
    if version != plotly_version():
        abort(404)
    return send_file(_plotly_path(), mimetype="text/javascript", conditional=True, max_age=YEAR)


@bp.after_app_request
def _cache_plotly(response):
    # Runs after the app's security headers (registered before them, so called after):
    # every other staff response stays no-store; the versioned library may be kept.
    if request.endpoint == "results.plotly_js" and response.status_code in (200, 304):
        response.headers["Cache-Control"] = f"private, max-age={YEAR}, immutable"
    return response


@bp.post("/<wave_code>/comments/export")
def prepare_comments_export(wave_code: str):
    """Start building every shown comment of one question as a file; show its progress."""
    wave = p.released_wave(wave_code)
    questions = p.text_questions(wave_definition(wave))
    question = p.choose(request.form, "question", questions, "question")
    fmt = request.form.get("format", "")
    if fmt not in exports.MEDIA_TYPES:
        abort(400, description="Exports come as csv, xlsx or pdf.")
    app = current_app._get_current_object()
    job = jobs.start_comments_export(app, current_user.id, wave.code, question, fmt)
    return redirect(url_for("results.export_status", job=job), code=303)


@bp.get("/exports/<job>")
def export_status(job: str):
    meta = _own_job(job)
    return render_template("results/export.html", job=job, meta=meta, title="Download")


@bp.get("/exports/<job>/file")
def export_file(job: str):
    """The finished file; taking it is recorded in the audit log."""
    meta = _own_job(job)
    if meta["state"] != "ready":
        abort(404, description="This download is not ready.")
    start_writing(db.session)
    record(EXPORT_TAKEN, current_user._get_current_object(), format=meta["format"],
           view="comments", wave=meta["wave"], question=meta["question"])
    db.session.commit()
    return send_file(
        jobs.job_file(current_app, job, meta),
        mimetype=exports.MEDIA_TYPES[meta["format"]],
        as_attachment=True,
        download_name=f"{meta['name']}.{meta['format']}",
    )


def _own_job(job: str) -> dict:
    meta = jobs.job_state(current_app, job, current_user.id)
    if meta is None:
        abort(404, description="There is no such download.")
    return meta

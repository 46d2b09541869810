"""Deny by default: who may reach which endpoint, declared in one place.

Every request passes `enforce_access` (an app-level before_request, registered before
CSRF checking so that an unauthorised POST is refused as unauthorised). An endpoint is
reachable without signing in only if it is in PUBLIC_ENDPOINTS or in a blueprint named in
PUBLIC_BLUEPRINTS (the anonymous respondent side). Everything else, in any blueprint,
present or future, needs a signed-in account whose role ACCESS lists for the endpoint;
an endpoint missing from ACCESS is for administrators only. docs/roles.md has the table.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from survey.database import start_writing
from survey.extensions import db
from survey.models import Role
from survey.services.audit import SESSION_EXPIRED, record
from survey.services.tokens import authenticate

ALL_STAFF = frozenset(Role)
ADMIN_ONLY = frozenset({Role.ADMIN})

PUBLIC_BLUEPRINTS = frozenset({"respond", "published"})
PUBLIC_ENDPOINTS = frozenset({"static", "admin.login", "api_v1.openapi"})
API_V1 = "api_v1"  # authenticated by personal access token, never by the session

# Endpoints open to roles other than administrators. Missing means administrators only.
ACCESS: dict[str, frozenset[Role]] = {
    "admin.index": ALL_STAFF,
    "admin.logout": ALL_STAFF,
    "admin.monitor": ALL_STAFF,
    "admin.tokens": ALL_STAFF,
    "admin.revoke": ALL_STAFF,
    # Actions on results answer the figures, so the results readers record them.
    **dict.fromkeys(
        ("admin.actions", "admin.new_action", "admin.action", "admin.action_note"),
        frozenset({Role.HR, Role.PAO}),
    ),
    # Results pages, their exports and the JSON API: the same figures, the same readers.
    # Administrators run instruments, waves and codes and read no results (separation of
    # duties: whoever can issue codes must not also see the figures they could move).
    **dict.fromkeys(
        (
            "results.index", "results.overview", "results.breakdown", "results.intersection",
            "results.trend", "results.comments", "results.representation",
            "results.pipeline_rounds", "results.pipeline", "results.plotly_js",
            "results.prepare_comments_export", "results.export_status", "results.export_file",
            "results.fairness_report", "results.glossary",
            "results.heatmap", "api.heatmap", "results.drivers", "api.drivers",
            "api_v1.waves", "api_v1.wave", "api_v1.measures", "api_v1.breakdowns",
            "api_v1.gaps", "api_v1.heatmap", "api_v1.drivers", "api_v1.trends",
            "api_v1.pipeline_rounds", "api_v1.pipeline", "api_v1.actions",
            "api.waves", "api.overview", "api.breakdown", "api.intersection", "api.trend",
            "api.comments", "api.representation", "api.pipeline_rounds", "api.pipeline",
        ),
        frozenset({Role.HR, Role.PAO}),
    ),
}

# Endpoints that take file uploads: the request size limit is raised before anything
# (CSRF checking included) reads the body.
UPLOAD_ENDPOINTS = frozenset({
    "admin.instruments",
    "admin.units",
    "admin.headcounts",
    "admin.import_wave",
    "admin.pipeline_counts",
})

SEEN = "_seen"  # session key: time of the last request, for idle expiry


def roles_for(endpoint: str) -> frozenset[Role]:
    return ACCESS.get(endpoint, ADMIN_ONLY)


def is_public(endpoint: str) -> bool:
    blueprint = endpoint.rpartition(".")[0]
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


def enforce_access():
    """Let a request through only if its endpoint is public or the account's role allows it."""
    endpoint = request.endpoint
    if endpoint is None or is_public(endpoint):
        return None  # unknown URLs go on to 404/405; public pages need no account
    if endpoint.startswith(API_V1 + "."):
        return _enforce_token(endpoint)
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]
    if not current_user.is_authenticated:
        return _to_sign_in()
    if _idle_too_long():
        start_writing(db.session)
        record(SESSION_EXPIRED, current_user._get_current_object())
        db.session.commit()
        logout_user()
        session.clear()
        flash("You were signed out after a period of inactivity. Sign in again to go on.")
        return _to_sign_in()
    session[SEEN] = int(time.time())
    if current_user.role not in roles_for(endpoint):
        abort(403, description="Your role does not give access to this page.")
    return None


def _enforce_token(endpoint: str):
    """The API for reporting tools: a live personal access token, its owner's role."""
    user = authenticate(request.headers.get("Authorization"), endpoint)
    db.session.commit()  # the use is audited even if the request then fails
    if user is None:
        abort(401, description="Send a valid personal access token: Authorization: Bearer ...")
    g._login_user = user  # Flask-Login's current user for this request only (no session)
    if user.role not in roles_for(endpoint):
        abort(403, description="Your role does not give access to this page.")
    return None


def _idle_too_long() -> bool:
    seen = session.get(SEEN)
    limit = current_app.permanent_session_lifetime.total_seconds()
    return not isinstance(seen, int) or time.time() - seen > limit


def _to_sign_in():
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("admin.login", next=safe_next(target)))


def safe_next(target: str | None) -> str | None:
    """A local path to return to after signing in, or None (never another site)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target.rstrip("?")

"""Staff sessions and sign-in throttling, wired into the app by create_app().

Sessions: Flask-Login over Flask's signed cookie. The cookie names the account as
"id:session_version" (User.get_id); signing in or out bumps the version in the
database, so a copied or older cookie stops working at once (server-side sign-out).
A session ends after PERMANENT_SESSION_LIFETIME without a request (idle expiry,
access.enforce_access), and STAFF_SESSION_MAX_AGE after signing in however busy it is
(absolute expiry, end_old_sessions below): a stolen cookie that is kept in use dies too.

Throttling: Flask-Limiter, on the sign-in POST (signin.py), counting failed attempts per
account, per client address and per account and address together. Its storage is Redis
when REDIS_URL is set, so every worker process shares the counts; memory otherwise (one
process: production says so loudly at start). On the respondent side it counts only
refused codes at submission, keyed by a keyed hash of the address, never the address
(survey/respond/views.py).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from survey.admin.access import enforce_access, is_public, safe_next
from survey.extensions import db, limiter, login_manager
from survey.services.audit import SESSION_EXPIRED, record
from survey.services.auth import user_for_session

STARTED = "_started"  # session key: time of sign-in, for the absolute lifetime
PER_PROCESS_WARNING = (
    "REDIS_URL is not set: sign-in throttling counts failed attempts in this process's "
    "memory only. With several worker processes each counts alone, so an attacker gets "
    "that many times the attempts. Set REDIS_URL (e.g. redis://127.0.0.1:6379/0)."
)


def init_staff_sessions(app: Flask) -> None:
    """Bind Flask-Login and Flask-Limiter and install the session and access checks."""
    login_manager.init_app(app)
    login_manager.user_loader(user_for_session)
    login_manager.login_view = "admin.login"
    # Sessions end server-side (session_version); no address or browser fingerprint needed.
    login_manager.session_protection = None
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_STRATEGY", "moving-window")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "survey-sign-in")
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    if (
        app.config["SURVEY_ENV"] == "production"
        and app.config["RATELIMIT_STORAGE_URI"].startswith("memory")
    ):
        app.logger.warning(PER_PROCESS_WARNING)
    app.before_request(end_old_sessions)
    app.before_request(enforce_access)


def end_old_sessions():
    """Sign out a staff session older than STAFF_SESSION_MAX_AGE, however active.

    Sessions without a start time (made before this check existed) count as old. Runs
    before the access check, on every page except the public ones.
    """
    if "_user_id" not in session or request.endpoint is None or is_public(request.endpoint):
        return None
    started = session.get(STARTED)
    max_age = current_app.config["STAFF_SESSION_MAX_AGE"]
    if isinstance(started, int) and time.time() - started <= max_age:
        return None
    if current_user.is_authenticated:
        record(SESSION_EXPIRED, current_user._get_current_object(), reason="max_age")
        db.session.commit()
    logout_user()
    session.clear()
    hours = max_age / 3600
    flash(
        f"You were signed out because you signed in more than {hours:g} hours ago. "
        "Sign in again to go on."
    )
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("admin.login", next=safe_next(target)))

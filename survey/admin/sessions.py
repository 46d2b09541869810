"""Staff sessions and sign-in throttling, wired into the app by create_app().

Sessions: Flask-Login over Flask's signed cookie. The cookie names the account as
"id:session_version" (User.get_id); signing in or out bumps the version in the
database, so a copied or older cookie stops working at once (server-side sign-out).
Idle sessions end after PERMANENT_SESSION_LIFETIME (access.enforce_access).

Throttling: Flask-Limiter, only on the sign-in POST (signin.py), counting failed
attempts per client address and per address tried. Its storage is Redis when REDIS_URL
is set, so every worker process shares the counts; memory otherwise (one process).
The respondent side is exempt: it must keep no trace of anyone's address.
"""

from __future__ import annotations

from flask import Flask

from survey.admin.access import enforce_access
from survey.extensions import limiter, login_manager
from survey.services.auth import user_for_session


def init_staff_sessions(app: Flask) -> None:
    """Bind Flask-Login and Flask-Limiter and install the deny-by-default access check."""
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
    app.before_request(enforce_access)

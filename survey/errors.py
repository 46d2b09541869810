"""Error pages: plain words, the right status, nothing about the request echoed back.

Two kinds of page. Respondents (and anyone outside the staff pages) get errors/error.html,
linking to the start page. Staff get errors/staff.html: the staff navigation when someone
is signed in and the database answers, a link to the staff home, and no respondents'
anonymity footer.

When the database cannot be reached the answer is 503 with Retry-After, rendered without
touching the database at all: no account lookup (Flask-Login's template context processor
would make one), nothing that could fail a second time and leave the response without its
security headers. Every error page is rendered the same careful way unless it is a staff
page for a signed-in account whose lookup has just succeeded.
"""

from __future__ import annotations

import logging
import math
import time

from flask import (
    Flask,
    current_app,
    g,
    jsonify,
    render_template,
    request,
    session,
)
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

TITLES = {
    400: "The request could not be understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    413: "Too much data was sent",
    422: "Check your answers",
    429: "Too many attempts",
    500: "Sorry, something went wrong",
    503: "The service is busy or restarting",
}
# Shown when the code that raised the error gave no message of its own (Werkzeug's
# default descriptions are written for developers, not for the people using the site).
MESSAGES = {
    400: "Something in the page that was sent was not as expected. Nothing was saved.",
    403: "You cannot do that here.",
    404: "Check the address, or start again from the start page.",
    405: "This page opens only from the survey's own buttons. Start again from the start page.",
    413: (
        "The page sent more data than a survey answer can hold, so it was not accepted. "
        "Nothing was saved."
    ),
    429: "Wait a few minutes and try again.",
    500: "Nothing was saved. Try again later.",
    503: "Wait a minute, then try again.",
}
STAFF_MESSAGES = {
    404: "Check the address, or go back to the staff home.",
    405: "This page opens only from the site's own buttons.",
}
UNAVAILABLE = "The service could not reach its database. Wait a minute, then try again."
UNAVAILABLE_RESPONDENT = (
    "The survey could not reach its database, so this page was not completed. Wait a "
    "minute, then go back and send the page again. If your code is then refused as already "
    "used, your answers had been received."
)
RETRY_AFTER_UNAVAILABLE = 30  # seconds: a database restart takes about this long
RETRY_AFTER_THROTTLED = 60  # when the limiter cannot say when its window reopens

# Errors that may mean "the database is not answering" (see unavailable()).
UNREACHABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeout)
# sqlite3 raises OperationalError for mistakes in SQL too; only these mean "unavailable".
SQLITE_UNAVAILABLE = ("unable to open", "database is locked", "disk i/o error", "is full")
STAFF_BLUEPRINTS = frozenset({"admin", "results", "api"})
STAFF_PREFIXES = ("/admin", "/results", "/api")


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    for error in UNREACHABLE:
        app.register_error_handler(error, database_unavailable)


def _csrf_error(error: CSRFError):
    message = (
        "This form has expired or was not sent from this site. Go back, reload the page "
        "and try again. Nothing was saved."
    )
    return _error_page("Form expired", message, 400)


def _http_error(error: HTTPException):
    code = error.code or 500
    title = TITLES.get(code, error.name)
    own_words = error.description != type(error).description
    default = (STAFF_MESSAGES if _staff_request() else MESSAGES).get(code, MESSAGES.get(code))
    message = error.description if own_words else default
    return _error_page(title, message, code)


def unavailable(error: SQLAlchemyError) -> bool:
    """Whether the error means the database cannot be reached or is busy restarting (the
    request may succeed in a moment), rather than a fault in the request or the code."""
    if isinstance(error, DisconnectionError | PoolTimeout):
        return True
    if getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    if type(orig).__module__.startswith("sqlite3"):
        return any(words in str(orig).lower() for words in SQLITE_UNAVAILABLE)
    return True  # psycopg: OperationalError and InterfaceError are connection failures


def database_unavailable(error: SQLAlchemyError):
    """503 + Retry-After, rendered without the database. Logs the error's class only: a
    database error's text can quote the statement's parameters (a respondent's answers)."""
    if not unavailable(error):
        raise error  # a fault, not an outage: Flask's usual 500 (logged; raised in tests)
    g.database_unavailable = True
    _discard_transaction()
    cause = type(getattr(error, "orig", None) or error).__name__
    log.warning("Database unavailable (%s): answered 503", cause)
    if request.blueprint == "api":
        response = jsonify(error={"status": 503, "message": UNAVAILABLE})
        response.status_code = 503
    else:
        message = UNAVAILABLE if _staff_request() else UNAVAILABLE_RESPONDENT
        response = _plain_page(TITLES[503], message, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


def _error_page(title: str, message: str | None, code: int):
    if _staff_request() and _staff_signed_in():
        try:
            body = render_template("errors/staff.html", title=title, message=message)
            response = current_app.response_class(body, status=code)
        except Exception:  # the page must go out whatever broke: fall back to the plain one
            log.exception("The staff error page could not be rendered")
            response = _plain_page(title, message, code)
    else:
        response = _plain_page(title, message, code)
    if code == 429:
        response.headers["Retry-After"] = str(throttled_retry_after())
    elif code == 503:
        response.headers.setdefault("Retry-After", str(RETRY_AFTER_UNAVAILABLE))
    return response


def _plain_page(title: str, message: str | None, code: int):
    """An error page that needs no database: the template is rendered without Flask's
    context processors (Flask-Login's would look the account up) and without an account."""
    from survey.extensions import login_manager

    staff = _staff_request()
    template = current_app.jinja_env.get_template(
        "errors/staff.html" if staff else "errors/error.html"
    )
    body = template.render(
        title=title, message=message, current_user=login_manager.anonymous_user()
    )
    return current_app.response_class(body, status=code, mimetype="text/html")


def _staff_request() -> bool:
    """A staff page, or any page other than the respondents' for a staff session."""
    if request.blueprint == "respond":
        return False
    if request.blueprint in STAFF_BLUEPRINTS or request.path.startswith(STAFF_PREFIXES):
        return True
    return "_user_id" in session


def _staff_signed_in() -> bool:
    """Whether a member of staff is signed in, asking the database only if it answers."""
    if g.get("database_unavailable") or "_user_id" not in session:
        return False
    from flask_login import current_user

    try:
        _discard_transaction(strict=True)
        return bool(current_user.is_authenticated)
    except SQLAlchemyError:
        g.database_unavailable = True
        _discard_transaction()
        return False


def _discard_transaction(strict: bool = False) -> None:
    """Roll back whatever the failed request left, so the account lookup can run."""
    from survey.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:
        if strict:
            raise


def throttled_retry_after() -> int:
    """Seconds until the breached sign-in limit lets another attempt through."""
    from survey.extensions import limiter

    try:
        limit = limiter.current_limit
        if limit is not None and limit.breached:
            return max(1, math.ceil(limit.reset_at - time.time()))
    except Exception:  # the limiter's storage may be unreachable: fall back to a minute
        log.warning("Could not read the breached limit's reset time")
    return RETRY_AFTER_THROTTLED

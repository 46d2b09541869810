"""Error pages: plain words, the right status, nothing about the request echoed back."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

TITLES = {
    400: "The request could not be understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    413: "Too much data was sent",
    422: "Check your answers",
    429: "Too many attempts",
}


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def _csrf_error(error: CSRFError):
    message = (
        "This form has expired or was not sent from this site. Go back, reload the page "
        "and try again. Nothing was saved."
    )
    return render_template("errors/error.html", title="Form expired", message=message), 400


def _http_error(error: HTTPException):
    code = error.code or 500
    title = TITLES.get(code, error.name)
    message = error.description if code in (400, 403, 413) else None
    return render_template("errors/error.html", title=title, message=message), code

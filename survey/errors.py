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
    500: "Sorry, something went wrong",
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
}


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


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
    message = error.description if own_words else MESSAGES.get(code)
    return _error_page(title, message, code)


def _error_page(title: str, message: str | None, code: int):
    return render_template("errors/error.html", title=title, message=message), code

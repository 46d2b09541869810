"""HTTP hardening shared by every page, and keeping request metadata out of logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from flask import Flask, Response, abort, current_app, request
from werkzeug.routing import IntegerConverter

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def add_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "interest-cohort=(), browsing-topics=()"
    if request.is_secure or current_app.config["PREFER_HTTPS"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


# The largest id any table can hold: PostgreSQL's `integer` (SQLite's is wider).
MAX_ID = 2**31 - 1
NUL_REFUSED = "The request contained a character that is never valid here. Nothing was saved."


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits only, at most MAX_ID, so an id the database
    cannot hold (2**31 on PostgreSQL, 2**63 on SQLite) is a 404 like any unknown id."""

    regex = r"[0-9]{1,19}"

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def install_input_guards(app: Flask) -> None:
    """Bounded ids and no NUL bytes, installed before anything else.

    Must run before blueprints are registered (a rule picks its converters when it is
    added) and before the access check, so that a NUL in the address never reaches a
    redirect or a query. Form fields are checked by `refuse_nul_in_form`, registered after
    the access check: that check raises the body size limit for uploads, which must
    happen before anything reads the body.
    """
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul_in_address)


def refuse_nul_in_address():
    """400 for a NUL in the path or the query string (names or values)."""
    if "\x00" in request.path or _has_nul(request.args):
        abort(400, description=NUL_REFUSED)
    return None


def refuse_nul_in_form():
    """400 for a NUL in a form field (names or values).

    No text column can hold one on PostgreSQL ("A string literal cannot contain NUL"), and
    no name, code, address or answer legitimately contains one. Uploaded files are not
    form fields: their own parsers refuse NULs.
    """
    if request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form):
        abort(400, description=NUL_REFUSED)
    return None


def _has_nul(fields) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in fields.lists()
    )


def code_hash_key(app: Flask) -> bytes:
    """The key for invitation-code hashes, derived from SECRET_KEY for this one purpose."""
    secret = app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"invitation-code-hash-v1", hashlib.sha256).digest()


class _DropClientAddress(logging.Filter):
    """Strip the client address from werkzeug's development-server request lines."""

    pattern = re.compile(r"^\S+ - - ")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.pattern.sub("- - - ", record.msg)
        return True


def quiet_request_logging() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _DropClientAddress) for f in logger.filters):
        logger.addFilter(_DropClientAddress())

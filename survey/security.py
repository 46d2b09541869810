"""HTTP hardening shared by every page, and keeping request metadata out of logs."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from flask import Flask, Response, current_app, request

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

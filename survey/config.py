"""Settings, read from the environment when the app is created (never at import time).

SURVEY_ENV   production (default) | development | testing
SECRET_KEY   required in production: at least 32 characters with at least ~80 bits of
             estimated entropy (not a repeated pattern, a sequence or a placeholder)
DATABASE_URL sqlite:///... (default: instance/survey.db) or postgresql+psycopg://...
BASE_URL     public address used in invitation links, e.g. https://survey.example.police.uk
ORGANISATION_NAME  the organisation named on reports, e.g. Northshire Police
REDIS_URL    shared, non-persistent storage for pending code spends and throttling, needed
             when several server processes run (process memory otherwise: one process only)
TRUSTED_PROXY_HOPS  reverse proxies in front of the app that set X-Forwarded-For (default 0)
STAFF_SESSION_MAX_AGE  seconds a staff sign-in lasts however active (default 36000: 10 hours)

Production also refuses to start in debug mode (FLASK_DEBUG, `flask run --debug`).
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from itertools import pairwise
from pathlib import Path

MIN_SECRET_LENGTH = 32
# secrets.token_hex(16) (128 random bits) never estimates below ~90; token_urlsafe(48) ~330.
MIN_SECRET_BITS = 80
WEAK_SECRETS = {"changeme", "secret", "dev", "development", "please-change-me"}
STAFF_SESSION_MAX_AGE = 10 * 3600


class ConfigError(RuntimeError):
    """The app cannot start safely with the given settings."""


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the Flask config for the current environment, applying test overrides last."""
    overrides = overrides or {}
    env = overrides.get("SURVEY_ENV") or os.environ.get("SURVEY_ENV", "production")
    if env not in {"production", "development", "testing"}:
        raise ConfigError(f"SURVEY_ENV must be production, development or testing, not {env!r}")
    production = env == "production"
    config = {
        "SURVEY_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(instance_path) / 'survey.db'}",
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "ORGANISATION_NAME": os.environ.get("ORGANISATION_NAME", "Workforce survey"),
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "UPLOAD_MAX_BYTES": 20 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PREFER_HTTPS": production,
        "PERMANENT_SESSION_LIFETIME": 30 * 60,
        "WTF_CSRF_TIME_LIMIT": None,
        # Referrer-Policy no-referrer means browsers send no Referer, which Flask-WTF's
        # strict HTTPS check demands; the token and SameSite cookies still stop forgeries.
        "WTF_CSRF_SSL_STRICT": False,
        "RESPONSE_STATE_MAX_AGE": 24 * 3600,
        # Pending spends are flushed on a background thread ("inline" runs the flush right
        # after the answers' commit, in its own transaction: deterministic, for tests).
        "SPEND_FLUSH": "inline" if env == "testing" else "thread",
        # Large exports: built by a worker thread of the process ("inline" in tests).
        "EXPORT_JOBS": "inline" if env == "testing" else "thread",
        "EXPORT_FOLDER": os.environ.get("EXPORT_FOLDER"),
        # The response-rate monitor's snapshot is refreshed at most this often.
        "PROGRESS_SECONDS": 0 if env == "testing" else 10 * 60,
        # A section page trusts a look at whether its wave is open for this long.
        "OPEN_WAVE_SECONDS": 0 if env == "testing" else 5,
        # Every refusal of a code takes at least this long, whatever the reason.
        "RESPONSE_REFUSAL_SECONDS": 0.0 if env == "testing" else 0.5,
        "RESPONSE_REFUSALS_LIMIT": "10 per 10 minutes;30 per day",
        "STAFF_SESSION_MAX_AGE": _int_env("STAFF_SESSION_MAX_AGE", STAFF_SESSION_MAX_AGE),
        "TRUSTED_PROXY_HOPS": _int_env("TRUSTED_PROXY_HOPS", 0),
        # A pooled connection is tested before use, so the first request after the
        # database restarts gets a fresh connection instead of an error.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "TESTING": env == "testing",
    }
    config.update(overrides)
    if str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        # Fail in seconds, not minutes, when the database host does not answer.
        options = config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {"connect_timeout": 5})
    config["SECRET_KEY"] = _secret_key(config, production, instance_path)
    return config


def _int_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        raise ConfigError(f"{name} must be a whole number, not {value!r}")
    return int(value)


def refuse_debug_in_production(debug: bool, env: str) -> None:
    """Debug mode shows tracebacks and, under `flask run`, an interactive console."""
    if env == "production" and (debug or _truthy(os.environ.get("FLASK_DEBUG"))):
        raise ConfigError(
            "Debug mode is on (FLASK_DEBUG or --debug) with SURVEY_ENV=production; "
            "production never runs in debug mode. Unset FLASK_DEBUG."
        )


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def secret_strength(key: str) -> float:
    """Estimated bits of entropy in a key, on the generous side of what an attacker faces.

    Shannon entropy of the characters times the number of characters, counted over the
    key's shortest repeating unit ("abcabc..." counts as "abc"). A key whose characters
    mostly step by 0 or 1 ("aaaa", "abcdefgh...", "12345...") counts as nothing.
    """
    unit = key[: _period(key)]
    if len(key) > 1:
        steps = [abs(ord(b) - ord(a)) <= 1 for a, b in pairwise(key)]
        if sum(steps) * 3 > len(steps) * 2:
            return 0.0
    counts = Counter(unit)
    return -sum(c * math.log2(c / len(unit)) for c in counts.values())


def _period(text: str) -> int:
    """Length of the shortest p such that text[i] == text[i - p] throughout (KMP)."""
    failure = [0] * len(text)
    for i in range(1, len(text)):
        k = failure[i - 1]
        while k and text[i] != text[k]:
            k = failure[k - 1]
        failure[i] = k + 1 if text[i] == text[k] else 0
    return len(text) - (failure[-1] if text else 0)


def _secret_key(config: dict, production: bool, instance_path: str) -> str:
    key = config.get("SECRET_KEY")
    if key:
        if production and (len(key) < MIN_SECRET_LENGTH or key.lower() in WEAK_SECRETS):
            raise ConfigError(
                f"SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters in production"
            )
        if production and secret_strength(key) < MIN_SECRET_BITS:
            raise ConfigError(
                "SECRET_KEY is long enough but not random enough (a repeated pattern, a "
                "sequence or too few different characters). Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return key
    if production:
        raise ConfigError(
            "SECRET_KEY is not set. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    return _local_secret_key(Path(instance_path))


def _local_secret_key(instance: Path) -> str:
    """A per-installation random key for development, kept in the instance folder.

    Not a fallback constant: each installation generates its own, so invitation codes
    issued by `flask demo` stay valid across restarts of the same installation.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()

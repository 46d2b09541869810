"""The app refuses to start in production without a strong SECRET_KEY."""

from __future__ import annotations

import secrets

import pytest

from survey import create_app
from survey.config import ConfigError, load_config


@pytest.mark.parametrize("secret", [None, "", "short", "changeme"])
def test_production_refuses_a_missing_or_weak_secret(monkeypatch, tmp_path, secret):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_starts_with_a_strong_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_generates_a_per_installation_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(str(tmp_path), {"SURVEY_ENV": "development"})
    second = load_config(str(tmp_path), {"SURVEY_ENV": "development"})
    other = load_config(str(tmp_path / "elsewhere"), {"SURVEY_ENV": "development"})
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"] != other["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_environment_is_refused(monkeypatch):
    monkeypatch.setenv("SURVEY_ENV", "staging-ish")
    with pytest.raises(ConfigError):
        create_app()

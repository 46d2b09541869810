"""Application factory: configuration and small register_* steps; no I/O beyond config."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from survey.config import load_config, refuse_debug_in_production

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_relative_config=True,
    )
    app.config.update(load_config(app.instance_path, config))
    refuse_debug_in_production(app.debug, app.config["SURVEY_ENV"])
    register_input_guards(app)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errors(app)
    register_cli(app)
    return app


def register_input_guards(app: Flask) -> None:
    """Bounded <int:> ids and NUL refusal (survey/security.py), and trusted proxies."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from survey.security import install_input_guards

    install_input_guards(app)
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        # The client address (sign-in throttling) and scheme (HSTS, cookies) as the
        # configured number of proxies saw them; headers beyond those hops are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from survey.admin.sessions import init_staff_sessions
    from survey.database import configure_engine_events, mark_reads, unmark_reads
    from survey.extensions import csrf, db, migrate, spending

    db.init_app(app)
    # First of the before_request hooks: a GET's transactions read without the write lock.
    app.before_request(mark_reads)
    app.teardown_request(unmark_reads)
    spending.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    # Sign-in, throttling and the deny-by-default access check; before CSRF, so that an
    # unauthorised request is refused as such whatever it carries.
    init_staff_sessions(app)
    csrf.init_app(app)
    configure_engine_events()


def register_blueprints(app: Flask) -> None:
    from survey.admin import bp as admin_bp
    from survey.api import bp as api_v1_bp
    from survey.published import bp as published_bp
    from survey.respond import bp as respond_bp
    from survey.results import api_bp
    from survey.results import bp as results_bp

    app.register_blueprint(respond_bp)
    app.register_blueprint(published_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_v1_bp)


def register_security(app: Flask) -> None:
    from survey.assets import register_assets
    from survey.security import add_security_headers, quiet_request_logging, refuse_nul_in_form

    app.before_request(refuse_nul_in_form)  # after the access check: see security.py
    # Registered before the security headers, so these run after them (last registered,
    # first run): the year-long caching of versioned files, then compression, come last.
    register_assets(app)
    app.after_request(add_security_headers)
    quiet_request_logging()


def register_errors(app: Flask) -> None:
    from survey.errors import register_error_pages

    register_error_pages(app)


def register_cli(app: Flask) -> None:
    from survey.cli import register_commands

    register_commands(app)
